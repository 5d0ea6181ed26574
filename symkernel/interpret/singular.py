r"""Singular interpreter: exact Puiseux expansions of a kernel description at t = ±1.

For a univariate description K the interpreter returns, with exact SymPy coefficients,

.. math::  K(1 - s) = \sum_{j \ge 0} a^{+}_j\, s^{j/q}, \qquad
           K(-1 + s) = \sum_{j \ge 0} a^{-}_j\, s^{j/q},

truncated at a requested power of s.  The ramification q is 2 for every kernel of the library
(powers of :math:`\sqrt s`); it is doubled automatically when an arc-cosine kernel is applied to an
argument whose defect vanishes like an odd power of :math:`\sqrt s` (for example
:math:`\kappa_1(\kappa_0(t))`, which has a term :math:`s^{3/4}`).  The *singular part* (the
non-integer powers) is what the transfer theorems of :mod:`symkernel.asymptotics` turn into the
decay of the Maclaurin coefficients and of the eigenvalues (SPEC §8).

Method
------
Each node of the description is expanded bottom-up as a truncated series in :math:`x = s^{1/q}`
with exact coefficients.  The input is :math:`t = 1 - x^q` (at +1) or :math:`t = -1 + x^q` (at -1);
sums and products are Cauchy products.  An arc-cosine kernel :math:`\kappa_n(g)` is composed in one
of two ways, according to the value :math:`g_0` of its argument at the point:

* **Endpoint** (:math:`g_0 = \pm 1`: every layer at the diagonal t = 1, the first layer at t = -1).
  With the defect :math:`\sigma = 1 - g` (resp. :math:`g + 1`) and :math:`y = \sqrt\sigma`, the
  exact expansions

  .. math::  \kappa_0(1 - y^2) = 1 - \frac{2}{\pi}\arcsin\frac{y}{\sqrt2}
             = 1 - \frac{\sqrt2}{\pi}\sum_{j\ge0} \frac{\binom{2j}{j}}{8^j(2j+1)}\, y^{2j+1},
             \qquad \kappa_0(-1 + y^2) = 1 - \kappa_0(1 - y^2),

  and, from :math:`\kappa_n' = \frac{n^2}{2n-1}\kappa_{n-1}`, :math:`\kappa_n(1) = 1` and
  :math:`\kappa_n(-1) = 0`,

  .. math::  \kappa_n(\pm(1 - y^2)) = \kappa_n(\pm1) \mp \frac{n^2}{2n-1} \int_0^{y^2}
             \kappa_{n-1}(\pm(1 - \tau))\,d\tau
             \quad (\text{term } a y^k \mapsto 2a\,y^{k+2}/(k+2)),

  are split as :math:`E(y) = E_{\rm even}(\sigma) + y\,E_{\rm odd}(\sigma)` and composed with the
  series :math:`\sigma` and :math:`y = x^{v/2}\sqrt{\sigma_v}\,(1 + \delta)^{1/2}` (v = valuation
  of :math:`\sigma`; :math:`(1+\delta)^{1/2}` by J. C. P. Miller's power recurrence).
* **Interior** (:math:`|g_0| < 1`: the deeper layers at t = -1, whose argument is
  :math:`\Sigma^{(l)}(-1) = \kappa_1^{\circ (l-1)}(0)`).  Taylor's formula at :math:`g_0` with
  :math:`h = g - g_0`: :math:`\kappa_n(g_0 + h) = \sum_m \kappa_n^{(m)}(g_0)\, h^m / m!`, where
  :math:`\kappa_n^{(m)} = c_{n,m}\kappa_{n-m}` for :math:`m \le n` and
  :math:`\kappa_0^{(k+1)}(u) = \frac1\pi \frac{d^k}{du^k}(1-u^2)^{-1/2}
  = \frac1\pi P_k(u)\,(1-u^2)^{-(2k+1)/2}` with :math:`P_0 = 1`,
  :math:`P_{k+1} = (1-u^2)P_k' + (2k+1)u P_k`.  This is why only the *first* layer sees the
  singularity at t = -1: the deeper layers compose it with analytic functions.

``exp`` and ``sqrt`` (the Laplace and Gaussian kernels) are composed the same way (Taylor at an
interior value; :math:`\sqrt{g}` with :math:`g_0 = 0` through the leading term of g).

Exact constants
---------------
Coefficients are polynomials with rational coefficients in :math:`\sqrt2` (reduced by
:math:`\sqrt2^2 = 2`), :math:`1/\pi` and *generators*: the constants without a closed form in
:math:`\pi, \sqrt2`, such as :math:`\kappa_0(\kappa_1(1/\pi))` or
:math:`(1 - g_0^2)^{-1/2}`, created on demand as symbols.  Nothing is expanded in radicals during
the algebra, so the depth-10 NTK costs well under a second; the generators are replaced by their
exact values at the end (nested :class:`~symkernel.interpret.symbolic.ArcCosKernel` expressions,
printed :math:`\kappa_n(\cdot)`; ``compact=False`` writes them with ``acos`` and ``sqrt``), or kept
as symbols together with their definitions (``keep_constants=True``).

Truncation is tracked exactly: every series carries the number of its coefficients that are known,
and a product knows :math:`x^k` for :math:`k < \min(p_a + v_b, p_b + v_a)`.  The endpoint
composition loses :math:`v/2` orders (through :math:`\sqrt\sigma`), so the interpreter enlarges its
working order until every requested term is certain.

References
----------
Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009 (arc-cosine kernels).
A. Bietti and F. Bach, "Deep equals shallow for ReLU networks in kernel regimes", ICLR 2021
(expansions of the NTK at ±1).
P. Flajolet and A. Odlyzko, "Singularity analysis of generating functions",
SIAM J. Discrete Math. 3 (1990).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

import mpmath
import sympy as sp
from gmpy2 import mpq

from ..algebra import Node, inputs_of, postorder
from ..algebra import as_description as _as_node
from ..arccos import angle_variable, endpoint_variable, kappa_angle_expr
from ..errors import ParameterError, SymkernelError, check_int
from .numeric import dps_to_bits, mp_context
from .symbolic import ArcCosKernel, symbolic

__all__ = [
    "PuiseuxExpansion",
    "puiseux",
    "singular_expansion",
    "leading_singular_term",
    "singular_terms",
    "endpoint_coefficients",
]

#: digits used for the numeric sanity checks (signs, |g_0| < 1, numerically vanishing coefficients)
CHECK_DPS = 80
#: a coefficient with more monomials in the generators than this becomes a new generator
FLATTEN_TERMS = 6
#: largest ramification tried (x = s^{1/q})
MAX_RAMIFICATION = 64
#: the positive symbol s of the expansions (as in :func:`symkernel.arccos.kappa_endpoint_expansion`)
S = endpoint_variable()


class SingularExpansionError(SymkernelError, ArithmeticError):
    """The expansion could not be carried out (argument leaves [-1, 1], undecidable zero, ...)."""


class _Ramify(Exception):
    """Raised when a half-integer power of x would appear: restart with x = s^{1/(2q)}."""


# ------------------------------------------------------------------------------------------------
# exact coefficient arithmetic: sparse polynomials over Q in sqrt(2), 1/pi and generators
# ------------------------------------------------------------------------------------------------
# A polynomial is a dict {monomial: mpq}; a monomial is a sorted tuple of (generator, exponent).
# Generator 0 is sqrt(2) (always reduced to exponent 0 or 1), generator 1 is 1/pi.
_R2, _IPI = 0, 1
_ZERO: dict = {}
_ONE = {(): mpq(1)}


@lru_cache(maxsize=1 << 16)
def _mono_mul(m1: tuple, m2: tuple) -> tuple[tuple, int]:
    if not m1:
        return m2, 1
    if not m2:
        return m1, 1
    d = dict(m1)
    for g, e in m2:
        d[g] = d.get(g, 0) + e
    factor = 1
    e0 = d.get(_R2, 0)
    if e0 >= 2:
        factor = 2 ** (e0 // 2)
        if e0 % 2:
            d[_R2] = 1
        else:
            del d[_R2]
    return tuple(sorted(d.items())), factor


def _padd(a: dict, b: dict) -> dict:
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def _pscale(a: dict, c: Any) -> dict:
    if not c or not a:
        return _ZERO
    c = mpq(c)
    return {m: v * c for m, v in a.items()}


def _pmul(a: dict, b: dict) -> dict:
    if not a or not b:
        return _ZERO
    out: dict = {}
    for m1, c1 in a.items():
        for m2, c2 in b.items():
            m, f = _mono_mul(m1, m2)
            v = c1 * c2 * f if f != 1 else c1 * c2
            w = out.get(m)
            out[m] = v if w is None else w + v
    return {m: v for m, v in out.items() if v}


def _pconst(c: Any) -> dict:
    c = mpq(c)
    return {(): c} if c else _ZERO


def _is_ground(a: dict) -> bool:
    """True when a lies in Q(sqrt 2) (no 1/pi, no generator)."""
    return all(m == () or m == ((_R2, 1),) for m in a)


def _ground_parts(a: dict) -> tuple[mpq, mpq]:
    return a.get((), mpq(0)), a.get(((_R2, 1),), mpq(0))


def _ground_inverse(a: dict) -> dict:
    p, q = _ground_parts(a)
    n = p * p - 2 * q * q
    out = {}
    if p:
        out[()] = p / n
    if q:
        out[((_R2, 1),)] = -q / n
    return out


_SYM_R2 = sp.Symbol("sqrt2_", positive=True)
_SYM_IPI = sp.Symbol("invpi_", positive=True)


def _from_sympy_exact(expr: sp.Expr) -> dict | None:
    """Convert an exact SymPy number to a polynomial in sqrt(2), 1/pi when possible, else None."""
    expr = sp.sympify(expr)
    if expr.is_Rational:
        return _pconst(Fraction(int(expr.p), int(expr.q)))
    try:
        e = sp.expand(expr.xreplace({sp.pi: 1 / _SYM_IPI}))
        e = e.xreplace({sp.sqrt(2): _SYM_R2, 1 / sp.sqrt(2): _SYM_R2 / 2})
        if e.free_symbols - {_SYM_R2, _SYM_IPI}:
            return None
        poly = sp.Poly(e, _SYM_R2, _SYM_IPI, domain=sp.QQ)
    except (sp.polys.polyerrors.BasePolynomialError, TypeError, ValueError):
        return None
    out: dict = {}
    for (er, ei), c in poly.terms():
        m = []
        factor = 2 ** (er // 2)
        if er % 2:
            m.append((_R2, 1))
        if ei:
            m.append((_IPI, ei))
        out = _padd(out, {tuple(m): mpq(int(c.p), int(c.q)) * factor})
    return out


# ------------------------------------------------------------------------------------------------
# generators: constants kept as symbols during the algebra
# ------------------------------------------------------------------------------------------------
class _Context:
    """Working state of one expansion: ramification, working order, generators."""

    def __init__(self, at: int, q: int, cap: int, compact: bool):
        self.at = at
        self.q = q
        self.cap = cap
        self.compact = compact
        self.mp = mp_context(dps_to_bits(CHECK_DPS))
        # generator index -> (symbol, exact value, numeric value)
        self.symbols: list[sp.Symbol] = [sp.sqrt(2), 1 / sp.pi]
        self.values: list[sp.Expr] = [sp.sqrt(2), 1 / sp.pi]
        self.numbers: list[Any] = [self.mp.sqrt(2), 1 / self.mp.pi]
        self.keys: dict[Any, int] = {}
        #: flattened generators: index -> polynomial in earlier generators (see :meth:`flatten`)
        self.lazy: dict[int, dict] = {}
        self.labels: dict[Any, int] = {}
        self._powers: dict[bool, dict] = {}
        self._mono_numbers: dict[tuple, Any] = {}
        self.counter = 0

    # exact / numeric values of a polynomial -------------------------------------------------
    def value(self, g: int) -> sp.Expr:
        """Exact value of generator g (a flattened generator is built on first use)."""
        v = self.values[g]
        if v is None:
            v = self.values[g] = self.to_sympy(self.lazy[g])
        return v

    def definition(self, g: int) -> sp.Expr:
        """Value of generator g in terms of the earlier generators' symbols (flattened generators) or its
        exact value (all others)."""
        return self.to_sympy(self.lazy[g], symbols=True) if g in self.lazy else self.value(g)

    def to_sympy(self, a: dict, symbols: bool = False) -> sp.Expr:
        powers = self._powers.setdefault(symbols, {})
        terms = []
        for m, c in a.items():
            factors = [sp.Rational(int(c.numerator), int(c.denominator))]
            for g, e in m:
                f = powers.get((g, e))
                if f is None:
                    base = self.symbols[g] if symbols else self.value(g)
                    f = powers[(g, e)] = base ** e
                factors.append(f)
            # unevaluated when a factor is a sum (a flattened generator's value): SymPy would distribute a
            # rational factor over it, and nested flattened values would grow exponentially with the depth
            compound = any(isinstance(f, sp.Add) for f in factors[1:])
            terms.append(sp.Mul(*factors, evaluate=not compound))
        return sp.Add(*terms)

    def flatten(self, a: dict) -> dict:
        r"""``a`` with its part in the generators replaced by one new generator when that part has more
        than :data:`FLATTEN_TERMS` monomials (keeps the polynomials of deep kernels small: without it
        the number of monomials grows exponentially with the depth at t = -1).  The part in
        :math:`\sqrt2, 1/\pi` alone stays as it is, and so does a part that vanishes numerically (an exact
        cancellation must stay visible to the exact arithmetic)."""
        if len(a) <= FLATTEN_TERMS:
            return a
        ground = {m: c for m, c in a.items() if all(g in (_R2, _IPI) for g, _ in m)}
        rest = {m: c for m, c in a.items() if m not in ground}
        if len(rest) <= FLATTEN_TERMS:
            return a
        number = self.number(rest)
        if abs(number) < self.mp.mpf(10) ** (-(CHECK_DPS - 15)):
            return a
        idx = len(self.symbols)
        self.counter += 1
        self.symbols.append(sp.Symbol(f"c_{self.counter}", real=True))
        self.values.append(None)
        self.lazy[idx] = rest
        self.numbers.append(number)
        return _padd(ground, {((idx, 1),): mpq(1)})

    def number(self, a: dict):
        ctx = self.mp
        cache = self._mono_numbers
        total = ctx.mpf(0)
        for m, c in a.items():
            v = cache.get(m)
            if v is None:
                v = ctx.mpf(1)
                for g, e in m:
                    v = v * self.numbers[g] ** e
                cache[m] = v
            total += v * int(c.numerator) / int(c.denominator)
        return total

    def generator(self, key: Any, name: str, value: sp.Expr, number: Any) -> dict:
        """The polynomial of a (possibly new) generator with exact ``value``."""
        idx = self.keys.get(key)
        if idx is None:
            idx = len(self.symbols)
            self.keys[key] = idx
            self.symbols.append(sp.Symbol(name, real=True))
            self.values.append(value)
            self.numbers.append(number)
        return {((idx, 1),): mpq(1)}

    def constant(self, key: Any, name: str, value: sp.Expr, number: Any = None) -> dict:
        """An exact constant: a polynomial in sqrt(2), 1/pi when possible, else a generator."""
        p = _from_sympy_exact(value)
        if p is not None:
            return p
        if number is None:
            number = self.mp.convert(sp.Float(sp.N(value, CHECK_DPS + 10), CHECK_DPS + 10))
        self.counter += 1
        return self.generator(key, f"{name}_{self.counter}", value, number)

    def nonzero(self, a: dict, what: str) -> bool:
        """Exact zero test, backed by a numeric test for polynomials in generators."""
        if not a:
            return False
        if all(g in (_R2, _IPI) for m in a for g, _ in m):
            return True
        v = self.number(a)
        if abs(v) < self.mp.mpf(10) ** (-(CHECK_DPS - 15)):
            raise SingularExpansionError(
                f"cannot decide whether {what} vanishes (it is 0 to {CHECK_DPS - 15} digits but "
                "not identically zero in the generators)"
            )
        return True


# ------------------------------------------------------------------------------------------------
# truncated series in x = s^{1/q}
# ------------------------------------------------------------------------------------------------
class _Series:
    """Coefficients c[0..prec-1] of x^k (all known exactly); analytic: a power series in s = x^q."""

    __slots__ = ("c", "prec", "analytic")

    def __init__(self, c: list, prec: int, analytic: bool):
        self.c = c[:prec]
        self.prec = prec
        self.analytic = analytic

    def valuation(self) -> int:
        for k, a in enumerate(self.c):
            if a:
                return k
        return self.prec


def _const_series(a: dict, cap: int) -> _Series:
    return _Series([a] + [_ZERO] * (cap - 1), cap, True)


def _sadd(a: _Series, b: _Series) -> _Series:
    p = min(a.prec, b.prec)
    return _Series([_padd(a.c[k], b.c[k]) for k in range(p)], p, a.analytic and b.analytic)


def _sscale(a: _Series, c: dict) -> _Series:
    return _Series([_pmul(x, c) for x in a.c], a.prec, a.analytic)


def _smul(a: _Series, b: _Series, cap: int) -> _Series:
    va, vb = a.valuation(), b.valuation()
    p = min(a.prec + vb, b.prec + va, cap)
    out = [_ZERO] * max(p, 0)
    for i in range(va, min(a.prec, p)):
        ai = a.c[i]
        if not ai:
            continue
        for j in range(vb, min(b.prec, p - i)):
            bj = b.c[j]
            if bj:
                out[i + j] = _padd(out[i + j], _pmul(ai, bj))
    return _Series(out, max(p, 0), a.analytic and b.analytic)


def _compose(outer: Sequence[dict], h: _Series, cap: int, flat=None) -> _Series:
    r""":math:`\sum_m outer[m]\,h^m` for h with h(0) = 0 (outer long enough: m·v(h) < cap); ``flat``
    (the context's :meth:`_Context.flatten`) is applied to the coefficients of every power of h."""
    v = h.valuation()
    if v == 0:  # pragma: no cover - callers guarantee h(0) = 0
        raise ValueError("compose: h(0) != 0")
    result = _const_series(outer[0], cap)
    power: _Series | None = None
    m = 1
    while m < len(outer) and m * v < cap:
        power = h if power is None else _smul(power, h, cap)
        if flat is not None:
            power = _Series([flat(c) for c in power.c], power.prec, power.analytic)
        if outer[m]:
            result = _sadd(result, _sscale(power, outer[m]))
        m += 1
    # every omitted term is O(x^{m v}), m v >= cap; an unknown h (v = prec) limits the result too
    prec = min(result.prec, m * v)
    return _Series(result.c, prec, result.analytic and h.analytic)


def _power_unit(delta: _Series, alpha: Fraction, cap: int) -> _Series:
    r"""(1 + delta)^alpha for delta(0) = 0, by Miller's recurrence
    :math:`p_k = \frac1k\sum_{j=1}^k ((\alpha+1)j - k)\,a_j\,p_{k-j}`."""
    p = min(delta.prec, cap)
    a = [_ONE] + delta.c[1:p]
    out = [_ONE]
    for k in range(1, p):
        acc = _ZERO
        for j in range(1, k + 1):
            if a[j] and out[k - j]:
                coef = ((alpha + 1) * j - k) / k
                acc = _padd(acc, _pscale(_pmul(a[j], out[k - j]), coef))
        out.append(acc)
    return _Series(out, p, delta.analytic)


def _shift(a: _Series, r: int, cap: int) -> _Series:
    """x^r · a."""
    p = min(a.prec + r, cap)
    return _Series(([_ZERO] * r + a.c)[:p], p, a.analytic)


# ------------------------------------------------------------------------------------------------
# arc-cosine kernels: endpoint expansions and Taylor coefficients at interior points
# ------------------------------------------------------------------------------------------------
@cache
def _endpoint_rational(n: int, at: int, K: int) -> tuple[tuple[Fraction, bool], ...]:
    r"""Coefficients of :math:`\kappa_n(\pm(1 - y^2))` in y, k = 0..K, as (rational r, flag): the
    coefficient is r·√2/π when flag is True, else r."""
    if n == 0:
        out = []
        for k in range(K + 1):
            if k == 0:
                out.append((Fraction(1 if at == 1 else 0), False))
            elif k % 2:
                j = (k - 1) // 2
                c = Fraction(math.comb(2 * j, j), 8**j * (2 * j + 1))
                out.append((-c if at == 1 else c, True))
            else:
                out.append((Fraction(0), False))
        return tuple(out)
    lower = _endpoint_rational(n - 1, at, K)
    f = Fraction(n * n, 2 * n - 1)
    out = [(Fraction(1 if at == 1 else 0), False), (Fraction(0), False)]
    sign = -1 if at == 1 else 1
    for k in range(K - 1):
        r, flag = lower[k]
        out.append((sign * f * 2 * r / (k + 2), flag))
    return tuple(out[: K + 1])


def endpoint_coefficients(n: int, at: int = 1, order: int = 6) -> list[sp.Expr]:
    r"""Exact coefficients of :math:`\kappa_n(1 - s)` (``at=1``) or :math:`\kappa_n(-1 + s)`
    (``at=-1``) in powers of :math:`\sqrt s`: the list :math:`[a_0, \dots, a_{order}]` with
    :math:`\kappa_n(\pm(1 - s)) = \sum_k a_k s^{k/2}`.

    Derived from :math:`\kappa_0(1 - y^2) = 1 - \frac2\pi\arcsin(y/\sqrt2)` and
    :math:`\kappa_n' = \frac{n^2}{2n-1}\kappa_{n-1}` (see the module notes); an independent twin of
    :func:`symkernel.arccos.kappa_endpoint_expansion`.

    Examples
    --------
    >>> endpoint_coefficients(1, 1, 5)
    [1, 0, -1, 2*sqrt(2)/(3*pi), 0, sqrt(2)/(30*pi)]
    """
    n = check_int("n", n, 0, 20)
    order = check_int("order", order, 0, 1000)
    if at not in (1, -1):
        raise ParameterError("at", at, "+1 or -1")
    return [
        sp.Rational(r.numerator, r.denominator) * (sp.sqrt(2) / sp.pi if flag else 1)
        for r, flag in _endpoint_rational(n, at, order)
    ]


def _endpoint_poly(n: int, at: int, K: int) -> list[dict]:
    out = []
    for r, flag in _endpoint_rational(n, at, K):
        out.append({((_R2, 1), (_IPI, 1)): mpq(r)} if (flag and r) else _pconst(r))
    return out


@cache
def _p_polys(K: int) -> tuple[tuple[Fraction, ...], ...]:
    r""":math:`P_k` (coefficient lists in u) with :math:`\frac{d^k}{du^k}(1-u^2)^{-1/2} =
    P_k(u)(1-u^2)^{-(2k+1)/2}`, k = 0..K."""
    polys = [(Fraction(1),)]
    for k in range(K):
        p = polys[-1]
        dp = [Fraction(i) * p[i] for i in range(1, len(p))]
        new = [Fraction(0)] * (len(p) + 1)
        for i, c in enumerate(dp):  # (1 - u^2) p'
            new[i] += c
            new[i + 2] -= c
        for i, c in enumerate(p):  # (2k + 1) u p
            new[i + 1] += (2 * k + 1) * c
        while len(new) > 1 and new[-1] == 0:
            new.pop()
        polys.append(tuple(new))
    return tuple(polys)


def _kappa_number(ctx, n: int, u):
    th = ctx.acos(u)
    if n == 0:
        return 1 - th / ctx.pi
    if n == 1:
        return (ctx.sin(th) + (ctx.pi - th) * ctx.cos(th)) / ctx.pi
    expr = kappa_angle_expr(n).subs(angle_variable(), sp.Float(th, CHECK_DPS + 10))
    return ctx.convert(sp.Float(sp.N(expr, CHECK_DPS + 10), CHECK_DPS + 10))


def _falling(n: int, m: int) -> Fraction:
    r""":math:`c_{n,m} = \prod_{i<m} (n-i)^2/(2(n-i)-1)`, so that
    :math:`\kappa_n^{(m)} = c_{n,m}\kappa_{n-m}`."""
    c = Fraction(1)
    for i in range(m):
        c *= Fraction((n - i) ** 2, 2 * (n - i) - 1)
    return c


def _kappa_taylor(ctx: _Context, n: int, g0: dict, key: Any, K: int) -> list[dict]:
    r"""[:math:`\kappa_n^{(m)}(g_0)/m!` for m = 0..K] at an interior point :math:`g_0`."""
    from ..arccos import kappa_maclaurin

    if not g0:
        return [ctx.constant(("k0", n, m), "c", c) for m, c in enumerate(kappa_maclaurin(n, K + 1))]
    u_expr = ctx.to_sympy(g0)
    u_num = ctx.number(g0)
    ground = _is_ground(g0)

    def kappa_value(j: int) -> dict:
        if ground:
            from ..arccos import kappa as kappa_sym

            val = kappa_sym(j, u_expr)
            p = _from_sympy_exact(val)
            if p is not None:
                return p
        value = ArcCosKernel(j, u_expr) if ctx.compact else _explicit_kappa(j, u_expr)
        return ctx.generator((key, "kappa", j), f"kappa{j}_{_label(ctx, key)}", value,
                             _kappa_number(ctx.mp, j, u_num))

    out: list[dict] = []
    R = None
    for m in range(K + 1):
        if m <= n:
            d = _pscale(kappa_value(n - m), _falling(n, m))
        else:
            if R is None:
                R = _r_value(ctx, g0, u_expr, u_num, key, ground)
            k = m - n - 1
            P = _p_polys(k)[k]
            pu = _ZERO
            for c in reversed(P):  # Horner in g0
                pu = _padd(_pmul(pu, g0), _pconst(c))
            rp = _ONE
            for _ in range(2 * k + 1):
                rp = _pmul(rp, R)
            d = _pmul(_pmul(pu, rp), {((_IPI, 1),): mpq(1)})
            d = _pscale(d, _falling(n, n))
        out.append(_pscale(d, Fraction(1, int(sp.factorial(m)))))
    return out


def _label(ctx: _Context, key: Any) -> int:
    labels = ctx.labels
    if key not in labels:
        labels[key] = len(labels) + 1
    return labels[key]


def _explicit_kappa(j: int, u: sp.Expr) -> sp.Expr:
    from ..arccos import kappa as kappa_sym

    return kappa_sym(j, u)


def _r_value(ctx: _Context, g0: dict, u_expr, u_num, key, ground: bool) -> dict:
    r""":math:`(1 - g_0^2)^{-1/2}`."""
    if ground:
        p = _from_sympy_exact(sp.radsimp(1 / sp.sqrt(1 - u_expr**2)))
        if p is not None:
            return p
    # unevaluated: SymPy's assumption queries on a nested constant re-evaluate it numerically many times
    value = sp.Pow(sp.Add(1, -sp.Pow(u_expr, 2, evaluate=False), evaluate=False), sp.Rational(-1, 2),
                   evaluate=False)
    return ctx.generator((key, "r"), f"r_{_label(ctx, key)}", value,
                         1 / ctx.mp.sqrt(1 - u_num**2))


# ------------------------------------------------------------------------------------------------
# node rules
# ------------------------------------------------------------------------------------------------
def _sqrt_leading(ctx: _Context, c: dict, key: Any, what: str) -> tuple[dict, dict]:
    """(sqrt(c), 1/c) for a positive constant polynomial c."""
    num = ctx.number(c)
    if num <= 0:
        raise SingularExpansionError(f"{what}: the square root of a non-positive number {num}")
    if _is_ground(c):
        inv = _ground_inverse(c)
        root = _from_sympy_exact(sp.sqrt(ctx.to_sympy(c)))
        if root is not None:
            return root, inv
    val = ctx.to_sympy(c)
    ground = _is_ground(c)
    root_val = sp.sqrt(val) if ground else sp.Pow(val, sp.Rational(1, 2), evaluate=False)
    inv_val = 1 / sp.sqrt(val) if ground else sp.Pow(val, sp.Rational(-1, 2), evaluate=False)
    root = ctx.generator((key, "sqrt"), f"w_{_label(ctx, key)}", root_val, ctx.mp.sqrt(num))
    inv_root = ctx.generator((key, "isqrt"), f"v_{_label(ctx, key)}", inv_val, 1 / ctx.mp.sqrt(num))
    return root, _pmul(inv_root, inv_root)


def _sqrt_at_zero(ctx: _Context, g: _Series, key: Any, what: str) -> _Series:
    r""":math:`\sqrt{g}` for g(0) = 0: :math:`x^{v/2}\sqrt{g_v}(1 + \delta)^{1/2}`."""
    v = g.valuation()
    if v >= g.prec:
        # nothing known but g = O(x^prec): sqrt(g) = O(x^{prec/2})
        p = (g.prec + 1) // 2
        return _Series([_ZERO] * p, p, False)
    ctx.nonzero(g.c[v], f"the leading coefficient under {what}")
    if v % 2:
        raise _Ramify
    root, inv = _sqrt_leading(ctx, g.c[v], key, what)
    delta = _Series([_ZERO] + [_pmul(g.c[v + k], inv) for k in range(1, g.prec - v)],
                    g.prec - v, g.analytic)
    unit = _power_unit(delta, Fraction(1, 2), ctx.cap)
    y = _shift(_sscale(unit, root), v // 2, ctx.cap)
    y.analytic = g.analytic and (v // 2) % ctx.q == 0
    return y


def _kappa_rule(ctx: _Context, node: Node, g: _Series) -> _Series:
    n = node.data
    cap = ctx.cap
    g0 = g.c[0] if g.prec else _ZERO
    key = id(node.args[0])
    if g0 in ({(): mpq(1)}, {(): mpq(-1)}):
        at = 1 if g0[()] == 1 else -1
        # defect sigma = 1 - g (at +1) or g + 1 (at -1), sigma(0) = 0
        sign = -1 if at == 1 else 1
        sigma = _Series([_ZERO] + [_pscale(c, sign) for c in g.c[1:]], g.prec, g.analytic)
        v = sigma.valuation()
        if v < sigma.prec and ctx.nonzero(sigma.c[v], f"the defect of the argument of kappa{n}") \
                and ctx.number(sigma.c[v]) < 0:
            raise SingularExpansionError(
                f"the argument of kappa{n} leaves [-1, 1] near t = {ctx.at} (it approaches {at} "
                "from outside)"
            )
        y = _sqrt_at_zero(ctx, sigma, key, f"kappa{n}")
        vs = max(v, 1)
        K = 2 * (cap // vs + 2) + 1
        E = _endpoint_poly(n, at, K)
        even = _compose(E[0::2], sigma, cap, ctx.flatten)
        odd = _compose(E[1::2], sigma, cap, ctx.flatten)
        out = _sadd(even, _smul(y, odd, cap))
        out.analytic = sigma.analytic and (y.analytic or not any(odd.c))
        return out
    u = ctx.number(g0)
    if abs(u) >= 1 - ctx.mp.mpf(10) ** (-(CHECK_DPS - 20)):
        raise SingularExpansionError(
            f"the argument of kappa{n} has value {mpmath.nstr(u, 15)} at t = {ctx.at}: outside "
            "(-1, 1) or undecidably close to ±1"
        )
    h = _Series([_ZERO] + g.c[1:], g.prec, g.analytic)
    v = h.valuation()
    K = max(1, -(-cap // max(v, 1)))
    coeffs = _kappa_taylor(ctx, n, g0, key, K)
    return _compose(coeffs, h, cap, ctx.flatten)


def _exp_rule(ctx: _Context, node: Node, g: _Series) -> _Series:
    cap = ctx.cap
    g0 = g.c[0] if g.prec else _ZERO
    key = ("exp", id(node.args[0]))
    if not g0:
        e0 = _ONE
    else:
        val = ctx.to_sympy(g0)
        e0 = _from_sympy_exact(sp.exp(val)) if _is_ground(g0) else None
        if e0 is None:
            e0 = ctx.generator(key, f"e_{_label(ctx, key)}", sp.exp(val),
                               ctx.mp.exp(ctx.number(g0)))
    h = _Series([_ZERO] + g.c[1:], g.prec, g.analytic)
    v = max(h.valuation(), 1)
    K = -(-cap // v)
    coeffs = [_pscale(e0, Fraction(1, int(sp.factorial(m)))) for m in range(K + 1)]
    return _compose(coeffs, h, cap, ctx.flatten)


def _binomial_half(m: int) -> Fraction:
    """:math:`\\binom{1/2}{m}`."""
    c = Fraction(1)
    for i in range(m):
        c *= (Fraction(1, 2) - i) / (i + 1)
    return c


def _sqrt_rule(ctx: _Context, node: Node, g: _Series) -> _Series:
    cap = ctx.cap
    g0 = g.c[0] if g.prec else _ZERO
    key = ("sqrt", id(node.args[0]))
    if not g0:
        return _sqrt_at_zero(ctx, g, key, "sqrt")
    root, inv = _sqrt_leading(ctx, g0, key, "sqrt")
    h = _Series([_ZERO] + [_pmul(c, inv) for c in g.c[1:]], g.prec, g.analytic)
    v = max(h.valuation(), 1)
    K = -(-cap // v)
    coeffs = [_pscale(root, _binomial_half(m)) for m in range(K + 1)]
    return _compose(coeffs, h, cap, ctx.flatten)


def _expand(root: Node, at: int, q: int, cap: int, compact: bool) -> tuple[_Series, _Context]:
    ctx = _Context(at, q, cap, compact)
    nodes = postorder(root)
    has_input: dict[int, bool] = {}
    for node in nodes:
        has_input[id(node)] = node.op == "input" or any(has_input[id(a)] for a in node.args)
    memo: dict[int, _Series] = {}
    for node in nodes:
        if not has_input[id(node)]:
            value = symbolic(node, compact=True)
            if not compact:
                value = value.rewrite(sp.acos)
            memo[id(node)] = _const_series(
                ctx.constant(("const", id(node)), "k", value), cap)
            continue
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            c = [_ZERO] * cap
            c[0] = _pconst(at)
            if q < cap:
                c[q] = _pconst(-at)
            v = _Series(c, cap, True)
        elif node.op == "add":
            v = a[0]
            for x in a[1:]:
                v = _sadd(v, x)
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = _smul(v, x, cap)
        elif node.op == "kappa":
            v = _kappa_rule(ctx, node, a[0])
        elif node.op == "exp":
            v = _exp_rule(ctx, node, a[0])
        elif node.op == "sqrt":
            v = _sqrt_rule(ctx, node, a[0])
        else:  # pragma: no cover
            raise ValueError(node.op)
        if node.op != "add":
            v = _Series([ctx.flatten(c) for c in v.c], v.prec, v.analytic)
        memo[id(node)] = v
    return memo[id(root)], ctx


def _check_at(at: Any) -> int:
    if isinstance(at, bool) or at not in (1, -1):
        raise ParameterError("at", at, "+1 or -1 (the endpoint of [-1, 1] to expand at)")
    return int(at)


def _check_order(order: Any) -> sp.Rational:
    try:
        o = sp.Rational(str(order)) if isinstance(order, float) else sp.Rational(order)
    except (TypeError, ValueError) as exc:
        raise ParameterError("order", order, "a non-negative rational power of s") from exc
    if o < 0 or o > 200:
        raise ParameterError("order", order, "a rational power of s in [0, 200]")
    return o


def _run(root: Node, at: int, order: sp.Rational, compact: bool):
    names = inputs_of(root)
    if len(names) > 1:
        raise ParameterError("kernel", names, "a dot-product kernel with one input")
    q = 2
    while True:
        target = int(sp.floor(order * q)) + 1  # coefficients of x^0 .. x^{order q}
        cap = target + 2
        try:
            for _ in range(12):
                ser, ctx = _expand(root, at, q, cap, compact)
                if ser.prec >= target:
                    return ser, ctx, target
                cap += (target - ser.prec) + q
            raise SingularExpansionError(
                f"could not reach order s^{order} (working order {cap} in s^(1/{q}))")
        except _Ramify:
            q *= 2
            if q > MAX_RAMIFICATION:
                raise SingularExpansionError(
                    f"the expansion needs powers s^(1/{q}) (more than s^(1/{MAX_RAMIFICATION}))"
                ) from None


# ------------------------------------------------------------------------------------------------
# public API
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PuiseuxExpansion:
    r"""A truncated Puiseux expansion :math:`K(\pm(1 - s)) = \sum_{k} a_k s^{k/q}` (exact).

    Attributes
    ----------
    at : int
        +1 for :math:`K(1 - s)`, -1 for :math:`K(-1 + s)`.
    ramification : int
        q: the expansion is in powers of :math:`s^{1/q}` (q = 2 for every kernel of the library).
    coefficients : tuple of SymPy expressions
        :math:`a_0, a_1, \dots` (coefficient of :math:`s^{k/q}`), up to the requested order.
    order : sympy.Rational
        The highest power of s kept; the remainder is :math:`O(s^{order + 1/q})`.
    analytic : bool
        True when K is analytic at the point (a power series in s: no singular term at any order).
    definitions : tuple of (Symbol, value)
        With ``keep_constants=True``: the generators used in ``coefficients``, in order of creation,
        with exact values; the value of a flattened generator (a large coefficient of a deep kernel,
        see ``_Context.flatten``) refers to earlier symbols, so substitute in reverse order.
    """

    at: int
    ramification: int
    coefficients: tuple
    order: sp.Rational
    analytic: bool
    definitions: tuple = field(default=())
    numbers: tuple = field(default=(), repr=False, compare=False)

    def terms(self, singular_only: bool = False) -> list[tuple[sp.Rational, sp.Expr]]:
        """The non-zero terms ``(exponent, coefficient)``; ``singular_only``: non-integer powers."""
        out = []
        for k, c in enumerate(self.coefficients):
            if c == 0:
                continue
            e = sp.Rational(k, self.ramification)
            if singular_only and e.is_integer:
                continue
            out.append((e, c))
        return out

    def expr(self) -> sp.Expr:
        """The truncated expansion as a SymPy expression in the positive symbol ``s``."""
        return sp.Add(*[c * S**e for e, c in self.terms()])

    def latex(self) -> str:
        """LaTeX of :math:`K(\\pm(1-s)) = \\dots + O(s^{order + 1/q})`."""
        lhs = "K(1 - s)" if self.at == 1 else "K(-1 + s)"
        rest = sp.latex(S ** (self.order + sp.Rational(1, self.ramification)))
        return f"{lhs} = {sp.latex(self.expr())} + O\\left({rest}\\right)"

    def __str__(self) -> str:
        return f"{self.expr()} + O(s**({self.order + sp.Rational(1, self.ramification)}))"


def puiseux(kernel: Any, at: int = 1, order: Any = 2, keep_constants: bool = False,
            compact: bool = True) -> PuiseuxExpansion:
    r"""Exact Puiseux expansion of a kernel at :math:`t = +1` (:math:`K(1-s)`) or :math:`t = -1`
    (:math:`K(-1+s)`), with every term up to :math:`s^{order}`.

    Parameters
    ----------
    kernel : Node or Kernel
        A univariate description (or an object with a ``node`` attribute, such as
        :class:`symkernel.Kernel`).
    at : {1, -1}
        The endpoint.
    order : rational
        Highest power of s kept (for example 2, or 5/2).
    keep_constants : bool
        Keep the constants without a closed form in :math:`\pi, \sqrt2` (nested arc-cosine values
        such as :math:`\kappa_0(\kappa_1(1/\pi))`) as symbols, listed in ``definitions``.
    compact : bool
        Write those constants with :class:`~symkernel.interpret.symbolic.ArcCosKernel` (printed
        :math:`\kappa_n(\cdot)`, default) or with ``acos`` and ``sqrt``.

    Returns
    -------
    PuiseuxExpansion

    Notes
    -----
    See the module docstring for the method.  For the fully connected kernels of depth L (SPEC §3,
    L hidden ReLU layers) the leading singular terms are

    .. math::  \Sigma^{(L)}(1-s) = 1 - s + \frac{2\sqrt2\,L}{3\pi}s^{3/2} + O(s^2),\qquad
               \Theta^{(L)}(1-s) = L + 1 - \frac{L(L+1)}{\sqrt2\,\pi}s^{1/2} + O(s).

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa1
    >>> puiseux(kappa1(Input("t")), at=1, order=3).expr()
    sqrt(2)*s**(5/2)/(30*pi) + 2*sqrt(2)*s**(3/2)/(3*pi) - s + 1
    """
    root = _as_node(kernel)
    at = _check_at(at)
    order = _check_order(order)
    ser, ctx, target = _run(root, at, order, compact)
    coeffs = []
    nums = []
    for k in range(target):
        coeffs.append(ctx.to_sympy(ser.c[k], symbols=keep_constants))
        nums.append(ctx.number(ser.c[k]))
    defs = ()
    if keep_constants:
        defs = tuple((ctx.symbols[g], ctx.definition(g)) for g in range(2, len(ctx.symbols)))
    return PuiseuxExpansion(at, ctx.q, tuple(coeffs), order, ser.analytic, defs, tuple(nums))


def singular_expansion(kernel: Any, at: int = 1, order: Any = 2, keep_constants: bool = False,
                       compact: bool = True) -> sp.Expr:
    r"""The expansion :math:`K(1-s)` (``at=1``) or :math:`K(-1+s)` (``at=-1``) up to
    :math:`s^{order}`, as a SymPy expression in the positive symbol ``s`` (see :func:`puiseux`).

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa0, kappa1
    >>> t = Input("t")
    >>> singular_expansion(kappa1(t) + t * kappa0(t), at=1, order=1)
    -sqrt(2)*sqrt(s)/pi - 2*s + 2
    """
    return puiseux(kernel, at, order, keep_constants, compact).expr()


def singular_terms(kernel: Any, at: int = 1, order: Any = 3, compact: bool = True
                   ) -> list[tuple[sp.Rational, sp.Expr, Any]]:
    r"""The singular (non-integer-power) terms of the expansion up to :math:`s^{order}`:
    a list of ``(exponent, exact coefficient, mpf value)``; terms whose coefficient is numerically 0
    to 60 digits are dropped.  Empty when the kernel is analytic at the point."""
    exp = puiseux(kernel, at, order, compact=compact)
    out = []
    for k, (c, num) in enumerate(zip(exp.coefficients, exp.numbers, strict=True)):
        e = sp.Rational(k, exp.ramification)
        if e.is_integer or c == 0 or abs(num) < mpmath.mpf(10) ** (-60):
            continue
        out.append((e, c, num))
    return out


def leading_singular_term(kernel: Any, at: int = 1, compact: bool = True,
                          max_order: int = 32) -> tuple[sp.Expr, sp.Rational | None]:
    r"""The first non-integer power in the expansion at ``at`` and its exact coefficient.

    Returns ``(c, nu)`` with :math:`K(\pm(1 - s)) = \text{polynomial}(s) + c\, s^{\nu} + o(s^{\nu})`
    (at +1 this is :math:`c_+`, at -1 :math:`c_-` of SPEC §8).  If the kernel is analytic at the
    point (for example the Laplace kernel at t = -1) returns ``(0, None)``.

    Raises
    ------
    SingularExpansionError
        If no singular term is found up to :math:`s^{max\_order}` although the kernel is not known
        to be analytic there (exact cancellation of all singular terms).

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa0, kappa1
    >>> t = Input("t")
    >>> leading_singular_term(kappa1(t) + t * kappa0(t), at=-1)
    (-sqrt(2)/pi, 1/2)
    """
    root = _as_node(kernel)
    at = _check_at(at)
    order = 2
    while True:
        ser, ctx, target = _run(root, at, sp.Integer(order), compact)
        if ser.analytic:
            return sp.Integer(0), None
        for k in range(target):
            if k % ctx.q == 0 or not ser.c[k]:
                continue
            if abs(ctx.number(ser.c[k])) < ctx.mp.mpf(10) ** (-(CHECK_DPS - 15)):
                continue  # an exact cancellation not visible in the generators
            return ctx.to_sympy(ser.c[k]), sp.Rational(k, ctx.q)
        if order >= max_order:
            raise SingularExpansionError(
                f"no singular term up to s^{order} at t = {at}, yet the kernel is not analytic "
                "there")
        order *= 2
