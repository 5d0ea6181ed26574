r"""Certified eigenvalue bounds: explicit :math:`A, B, k_0` with :math:`A k^{-p} \le \mu_k \le B k^{-p}`
for every :math:`k \ge k_0` of a parity class, proved in ball arithmetic (SPEC §8).

The argument (proof obligations)
--------------------------------
Let :math:`K(t) = \sum_n b_n t^n` be a dot-product kernel of the library on :math:`S^{d-1}` (normalised
measure, :math:`P_k(1) = 1`, SPEC §1) whose Puiseux expansions at :math:`t = \pm1` are in powers of
:math:`s^{1/2}` (ramification 2: every fully connected NNGP/NTK, with or without bias, the ResNTK, the
arc-cosine kernels :math:`\kappa_0, \kappa_1` and the Laplace kernel).  Fix an order :math:`m \ge 2`.

**(P1) Decomposition.**  With the exact Puiseux coefficients :math:`c^\pm_j` of :math:`s^{j+1/2}` in
:math:`K(\pm(1-s))` (:func:`symkernel.interpret.singular.puiseux`, exact SymPy numbers enclosed in Arb
balls by evaluating their expression trees in ball arithmetic,
:func:`symkernel.interpret.arb_constants.arb_constant`)

.. math::  K = S + R,\qquad S(t) = \sum_{j<m} \bigl[c^+_j (1-t)^{\alpha_j} + c^-_j (1+t)^{\alpha_j}\bigr],
           \quad \alpha_j = j + \tfrac12 .

Since :math:`\mu_k[(1+t)^\alpha] = (-1)^k\mu_k[(1-t)^\alpha]`,

.. math::  \mu_k = \sum_{j<m} (c^+_j + (-1)^k c^-_j)\,\mu_k[(1-t)^{\alpha_j}] + \mu_k[R],

with the exact Gamma ratio :math:`\mu_k[(1-t)^\alpha]` of SPEC §8
(:func:`symkernel.asymptotics.power_eigenvalue`;
quoted, and checked against quadrature in ``tests/test_asymptotics.py``).

**(P2) Coefficients of R.**  The principal-branch composition of K is analytic in the open unit disk, where
it is the power series of K (identity theorem, from (-1, 1)): *checked* structurally,
:meth:`_Program._check_unit_disk` -- every :math:`\kappa`-argument is a correlation (nonnegative Maclaurin
coefficients, value :math:`\le 1` at t = 1, hence of modulus < 1 in the open disk unless constant) and
every square-root argument has a positive real part there; otherwise :class:`NotCertified`.  So is S; and
:math:`R^{(m)}` extends continuously to the closed disk (P3–P4).  With :math:`r_n = [t^n]R` (Cauchy's
formula on :math:`|z| = \varrho \to 1`)

.. math::  |r_n| \le \frac{(n-m)!}{n!}\,E_m,\qquad
           E_m = \frac{1}{2\pi}\int_{-\pi}^{\pi} |R^{(m)}(e^{i\varphi})|\,d\varphi
               = \frac1\pi\int_0^\pi |R^{(m)}(e^{i\varphi})|\,d\varphi
           \quad (n \ge m)

(real coefficients: :math:`R(\bar z) = \overline{R(z)}`).  :math:`E_m` is bounded piece by piece:

**(P3) Near t = ±1** (:math:`|1 \mp z| \le \delta`).  :math:`G_\pm(y) = K(\pm(1 - y^2))` is analytic in
:math:`|y| < \rho`: the library's angle/defect form of :math:`\kappa_0, \kappa_1` (:math:`\sqrt{\sigma} =
y\sqrt{\sigma/y^2}`, :math:`\kappa_0(1-\sigma) = 1 - \frac2\pi\arcsin\sqrt{\sigma/2}`,
:math:`\kappa_1(1-\sigma) = (\sqrt\sigma\sqrt{2-\sigma} + (1-\sigma)(\pi - 2\arcsin\sqrt{\sigma/2}))/\pi`,
:math:`\kappa_0(-u) = 1-\kappa_0(u)`, :math:`\kappa_1(-u) = \kappa_1(u) - u`) is evaluated in complex ball
arithmetic on boxes covering the circle :math:`|y| = \rho`, and at every node it is *checked* that
:math:`\operatorname{Re}(\sigma/y^2) > 0` and :math:`|\sigma| < 2` (endpoint compositions), or
:math:`|g - g_0| < 1 - |g_0|` (compositions at an interior value :math:`g_0`); since every endpoint argument
is checked (structurally, :meth:`_Program._flatness`) to have :math:`\sigma = O(y^2)`,
:math:`\sigma/y^2` is analytic in the disk, and by the minimum principle for the harmonic function
:math:`\operatorname{Re}(\sigma/y^2)` and the maximum principle these hold on the whole disk, so every branch
is analytic there (node by node, from the input up).  Cauchy's estimate gives
:math:`|g_i| \le M\rho^{-i}` for the Taylor coefficients of :math:`G_\pm`,
:math:`M = \max_{|y|=\rho}|G_\pm|`.  The odd coefficients
:math:`g_{2j+1}, j < m` are exactly :math:`c^\pm_j` and cancel in R, so with :math:`s = 1 \mp z`,
:math:`x = \delta/\rho^2 < 1`, for :math:`|s| \le \delta`

.. math::  |R^{(m)}| \le \frac{M\, m!}{\rho^{2m}(1-x)^{m+1}}
           + \frac{M}{\rho}\,\delta^{\frac12-m} \sum_{j\ge m} (j+1)^{\underline m}\, x^j
           + \sum_{j<m} |c^\mp_j|\,|\alpha_j^{\underline m}|\,(2-\delta)^{\alpha_j - m}

(even part: :math:`\sum_{i\ge m} i^{\underline m} x^{i-m} = m!/(1-x)^{m+1}`; odd part:
:math:`(j+\frac12)^{\underline m} \le (j+1)^{\underline m}` and :math:`\sum_{j\ge m}(j+1)^{\underline m}x^j
= (m!\,x^m/(1-x)^{m+1} - m!\,x^m)/x`; the last term is the other endpoint's singular part, analytic here,
with :math:`\alpha_j - m < 0` and :math:`|2 - s| \ge 2 - \delta`).  It is checked that
:math:`0 < \delta < \min(\rho^2, 2)`.

**(P4) Away from ±1.**  The arc :math:`\{e^{i\varphi}\}` between the two endpoint caps is cut into segments of
half-length h (:func:`_arc_segments`); for a segment with centre :math:`z_c` the closed disk
:math:`D(z_c, r + h)` is covered by boxes on which the principal-branch composition of :math:`R = K - S` is
evaluated with the check that every :math:`\kappa`-argument avoids :math:`(-\infty,-1]\cup[1,\infty)` (and
every square-root argument and :math:`1 \mp w` avoid :math:`(-\infty, 0]`).  Then R continues analytically to
the disk (identity theorem: it equals K - S on the part inside the unit disk, P2), and Cauchy's integral
formula on :math:`|w - z_c| = r + h` gives :math:`\sup_{\rm segment}|R^{(m)}| \le m!\,(r+h)\,r^{-m-1}
\max_{D(z_c, r+h)}|R|` (:math:`|w - z| \ge r` for :math:`|z - z_c| \le h`; chord :math:`\le` arc).  The
geometry is computed in float and used as exact binary numbers; its rounding (segment ends, cap angle,
centres: all below :math:`10^{-15}`) is absorbed by widening every segment by ``ARC_MARGIN`` = 1e-12 on
each side and shrinking r by twice that, so the segments provably cover the arc up to both caps.

**(P5) Eigenvalues of R.**  For :math:`n \ge k \ge m`, with :math:`\beta = m - \frac32` and Gautschi's
inequality :math:`\Gamma(y)/\Gamma(y+\frac12) \le (y-\frac12)^{-1/2}` (DLMF 5.6.4),
:math:`(n-m)!/n! \le |\Gamma(-\beta)|\,(k-m+\frac12)^{-1/2}\,|[t^n](1-t)^\beta|`, and the coefficients of
:math:`(1-t)^\beta` have one sign for :math:`n > \beta`; since :math:`\mu_k(t^n) \ge 0` vanishes for
:math:`n < k` and for :math:`n \not\equiv k`,

.. math::  |\mu_k[R]| \le \sum_{n\ge k} |r_n|\,\mu_k(t^n)
           \le E_m\,|\Gamma(-\beta)|\,(k - m + \tfrac12)^{-1/2}\,\bigl|\mu_k[(1-t)^\beta]\bigr| .

This gives a certified enclosure of every :math:`\mu_k`, :math:`k \ge m`
(:meth:`CertifiedBounds.enclosure`).

**(P6) All k ≥ k_0.**  For :math:`k_0 \le k \le k_1` the enclosures of (P5) times :math:`k^p` (an exact
Arb integer power) are computed one by one (the Gamma ratios by their exact rational recurrence in k).
For :math:`k > k_1` every
:math:`g(k) = k^{P}\Gamma(k-\alpha)/\Gamma(k+\alpha+d-1)`, :math:`P = 2\alpha + d - 1 > 1`, is enclosed by the
lemma of Elezović, Giordano & Pečarić (2000, Thm. 1): :math:`z(x) = (\Gamma(x+b)/\Gamma(x+a))^{1/(b-a)} - x`
is increasing for :math:`b - a > 1` with limit :math:`(a+b-1)/2 = (d-2)/2`, whence

.. math::  \Bigl(\frac{k_1}{k_1 + (d-2)/2}\Bigr)^{P} \le g(k) \le \max\Bigl(1, \Bigl(\frac{k_1}{k_1 + z(k_1)}
           \Bigr)^{P}\Bigr)\qquad (k \ge k_1),

(with :math:`z(k_1)` the lower end of its ball, and :math:`k_1 + z(k_1) > 0` checked), and the lower-order
terms and the remainder are decreasing multiples of :math:`k^{-(P_j - p)}`, bounded at :math:`k_1`.  A and B
are the extreme values over both ranges.

What is assumed rather than proved here: the exact Puiseux coefficients (the singular interpreter, tested
against finite differences; they enter the cap bound of P3 through the exact cancellation of
:math:`g_{2j+1}`, j < m), the quoted eigenvalue formulas of SPEC §1/§8 (checked against quadrature in the
tests), the two cited inequalities, the structural parity interpreter
(:mod:`symkernel.interpret.support`) for the classes reported ``"zero"`` (the odd or even part of K a
polynomial), SymPy's exact arithmetic where a coefficient :math:`c_+ \pm c_-` is decided to be 0 by
simplification (when a 256-bit ball does not exclude 0), and the correctness of Arb (python-flint).  Every
constant enters as an Arb ball of its exact expression tree (no ``evalf``: a constant outside that grammar is
refused), every bound is rounded outward (``.upper()`` / ``.lower()``, converted to mpmath without
rounding).  Everything else is an inequality between Arb balls.  Kernels outside this class (ramified
expansions, :math:`\kappa_n` with n ≥ 2, analytic kernels, descriptions whose analyticity in the unit disk
the structural rules of P2 do not establish) raise :class:`NotCertified`.

References
----------
P. Flajolet and A. Odlyzko, "Singularity analysis of generating functions", SIAM J. Discrete Math. 3 (1990).
N. Elezović, C. Giordano and J. Pečarić, "The best bounds in Gautschi's inequality", Math. Inequal. Appl. 3
(2000) 239-252.
W. Gautschi, "Some elementary inequalities relating to the gamma and incomplete gamma function", J. Math.
Phys. 38 (1959); DLMF 5.6.4.
F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Comput.
66 (2017).
A. Bietti and F. Bach, "Deep equals shallow for ReLU networks in kernel regimes", ICLR 2021.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from .algebra import Node, inputs_of, postorder
from .algebra import as_description as _node
from .errors import ParameterError, SymkernelError, check_int, check_real
from .interpret.arb_constants import arb_constant, arb_number

__all__ = [
    "NotCertified",
    "RemainderBound",
    "ParityBound",
    "CertifiedBounds",
    "remainder_bound",
    "certified_bounds",
    "eigenvalue_enclosure",
    "gamma_ratio_envelope",
]

#: working precision of the ball arithmetic (bits)
PREC = 96
#: largest order m of the remainder
MAX_ORDER = 12


class NotCertified(SymkernelError, ArithmeticError):
    """A check of the certified-bound argument failed, or the kernel is outside its scope."""


class _CircleFailure(NotCertified):
    """An analyticity check failed on the y-circle (step P3): a smaller y-radius is needed."""


# ================================================================================================
# Arb helpers
# ================================================================================================
def _flint():
    try:
        import flint
    except ImportError as exc:  # pragma: no cover - python-flint is a test extra
        raise NotCertified("certified bounds need python-flint (pip install python-flint)") from exc
    return flint


@contextmanager
def _prec(bits: int = PREC):
    flint = _flint()
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield flint
    finally:
        flint.ctx.prec = old


def _arb(expr: Any):
    """A ball containing the exact real number ``expr`` (SymPy, int or Fraction), evaluated in Arb ball
    arithmetic (:func:`symkernel.interpret.arb_constants.arb_constant`, memoised per precision)."""
    from flint import arb, ctx

    if isinstance(expr, mpmath.mpf):  # an exact binary number (E_m, A, B): converted without rounding
        if not mpmath.isfinite(expr):
            raise NotCertified(f"the number {expr} is not finite")
        sign, man, exp, _ = expr._mpf_  # (mpf.man_exp drops the sign)
        return arb((-int(man) if sign else int(man), int(exp))) if man else arb(0)
    e = sp.sympify(expr)
    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(int(e.p)) / int(e.q)
    memo = _ARB_MEMO.setdefault(ctx.prec, {})
    if len(memo) > 100_000:
        memo.clear()
    v = arb_constant(e, memo, strict=True)  # no SymPy evalf fallback: Arb's containment guarantee only
    if not v.is_finite():
        raise NotCertified(f"the constant {e} is not a finite real number with an Arb enclosure")
    return v


#: memo of :func:`arb_constant` per working precision (sub-expressions shared across calls)
_ARB_MEMO: dict[int, dict] = {}


def _to_mpf(x):
    """The mpmath number equal to the midpoint of ``x`` (for the exact balls of ``.lower()`` /
    ``.upper()``: their value), *without* rounding to mpmath's working precision (``mpmath.mpf((man,
    exp))`` would round to 53 bits, to nearest: an upper bound could come out below the true one)."""
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(man, exp)) if man else mpmath.mpf(0)


def _lower(x):
    return _to_mpf(x.lower())


def _upper(x):
    return _to_mpf(x.upper())


def _directed(x, dps: int, up: bool) -> str:
    """Decimal string of the exact binary number ``x`` rounded *outward* to ``dps`` significant digits."""
    x = mpmath.mpf(x)
    if not x:
        return "0"
    sign, man, exp, _ = x._mpf_
    man = -int(man) if sign else int(man)
    exp = int(exp)
    with localcontext() as ctx:
        ctx.prec = max(60, 2 * abs(exp) + len(str(abs(man))) + 10)  # exact conversion of the binary number
        d = Decimal(man) * (Decimal(2) ** exp) if exp >= 0 else Decimal(man) / (Decimal(2) ** -exp)
        ctx.prec = dps
        ctx.rounding = ROUND_CEILING if up else ROUND_FLOOR
        d = +d
    return f"{d:.{dps - 1}e}" if abs(d.adjusted()) > 6 else format(d, "f")


def _decimal(expr: Any, dps: int) -> str:
    """Decimal string of an exact SymPy number with ``dps`` significant digits (private mpmath context)."""
    from .interpret.numeric import output_context

    e = sp.sympify(expr)
    if e == 0:
        return "0"
    ctx = output_context(dps)
    v = arb_number(e, dps + 10)
    if v is None:
        v = sp.Float(sp.N(e, dps + 10), dps + 10)
    return ctx.nstr(ctx.convert(v), dps, strip_zeros=False)


def _disc(R):
    from flint import acb, arb

    return acb(arb(0, R), arb(0, R))


def _rad(z):
    """Radius of a disc about the midpoint of the complex box ``z`` containing it."""
    return (z.real.rad() ** 2 + z.imag.rad() ** 2).sqrt().upper()


def _max_finite(M, v):
    """max(M, v) of exact upper bounds, refusing NaN / infinite ones (Python's ``max`` would silently keep
    M when the comparison with a NaN ball is False)."""
    if not v.is_finite():
        raise NotCertified("a non-finite bound on a box")
    return v if v > M else M


def _off_kappa_cut(a) -> bool:
    """The box a avoids (-inf, -1] ∪ [1, inf)."""
    im = a.imag
    if im > 0 or im < 0:
        return True
    re = a.real
    return bool(re > -1 and re < 1)


def _off_negative_axis(a) -> bool:
    """The box a avoids (-inf, 0]."""
    im = a.imag
    return bool(im > 0 or im < 0 or a.real > 0)


# ================================================================================================
# jets: value at the centre of a box and a bound of |f'| over the box (the centred / mean-value form)
# ================================================================================================
class _Jet:
    """``c``: a tight ball of the value at the box centre; ``D``: an upper bound of |f'| on the box;
    ``R``: the radius of the disc (about the centre) containing the box.  ``box()`` = c ± R·D is an enclosure
    of f on the box (mean-value inequality along segments, the box being convex)."""

    __slots__ = ("c", "D", "R", "_box")

    def __init__(self, c, D, R):
        self.c = c
        self.D = D
        self.R = R
        self._box = None

    def box(self):
        if self._box is None:
            self._box = self.c + _disc((self.R * self.D).upper()) if self.D != 0 else self.c
        return self._box

    def abs_upper(self):
        return self.box().abs_upper().upper()


def _mul_jets(a: _Jet, b: _Jet) -> _Jet:
    D = a.D * b.abs_upper() + b.D * a.abs_upper()
    return _Jet(a.c * b.c, D.upper(), a.R)


class _Program:
    """The kernel description compiled for Arb: exact endpoint values of every node and jet evaluators."""

    def __init__(self, node: Node):
        from flint import arb

        names = inputs_of(node)
        if len(names) > 1:
            raise NotCertified("certified bounds are for dot-product kernels of one input")
        self.root = node
        self.nodes = postorder(node)
        self.has_input: dict[int, bool] = {}
        for n in self.nodes:
            self.has_input[id(n)] = n.op == "input" or any(self.has_input[id(a)] for a in n.args)
            if n.op == "kappa" and n.data not in (0, 1):
                raise NotCertified(f"kappa_{n.data} (n >= 2) is not supported by the certified bounds")
        self.pi = arb.pi()
        self.sqrt2 = arb(2).sqrt()
        self.consts = {}
        for n in self.nodes:
            if not self.has_input[id(n)]:
                self.consts[id(n)] = self._const(n)
        self.ends = {1: self._endpoint_values(1), -1: self._endpoint_values(-1)}
        # (P3) the branches in y are analytic at y = 0 only if every endpoint argument is flat there
        self.flat = {1: self._flatness(1), -1: self._flatness(-1)}
        # (P2, P4) the principal-branch composition is analytic in the open unit disk
        self._check_unit_disk()

    # structural analyticity conditions ----------------------------------------------------------
    def _flatness(self, eps: int) -> dict:
        r"""``id(node) -> bool``: True when :math:`f(y) - f(0) = O(y^2)` for :math:`f(y) =`
        node(:math:`\epsilon(1 - y^2)`) (sufficient rules).  An endpoint composition
        :math:`\kappa_n(g)`, :math:`g(0) = \pm1` (or :math:`\sqrt g`, :math:`g(0) = 0`) is analytic in y only
        if :math:`\sigma = 1 \mp g` is flat: then :math:`\sigma/y^2` is analytic at y = 0 and the minimum
        principle of step P3 applies to its real part (with :math:`\sigma \sim c\,y` it has a pole there, and
        the checks on the circle would prove nothing).  :math:`\kappa_1(\pm(1-\sigma)) \mp 1 = -\sigma +
        O(\sigma^{3/2})` is flat again; :math:`\kappa_0` and :math:`\sqrt{\cdot}` at 0 are not (order y)."""
        ends = self.ends[eps]
        flat: dict[int, bool] = {}
        for n in self.nodes:
            i = id(n)
            if not self.has_input[i] or n.op == "input":
                flat[i] = True
                continue
            args = [flat[id(a)] for a in n.args]
            ex = ends[id(n.args[0])][0] if n.args else None
            if n.op == "kappa":
                endpoint = ex is not None and (ex == 1 or ex == -1)
                flat[i] = args[0] and (n.data == 1 or not endpoint)
            elif n.op == "sqrt":
                flat[i] = args[0] and not (ex is not None and ex == 0)
            else:
                flat[i] = all(args)
        return flat

    def _check_unit_disk(self) -> None:
        r"""(P2) Check that the principal-branch composition is analytic in the open unit disk, where it is
        then the power series of K (identity theorem, from (-1, 1)); raise :class:`NotCertified` otherwise.

        Sufficient conditions, by induction over the nodes: every :math:`\kappa`-argument g is a
        *correlation*: nonnegative Maclaurin coefficients and :math:`g(1) \le 1`, so that
        :math:`|g(w)| \le g(|w|) \le 1` and, g being analytic, :math:`|g| < 1` in the open disk unless g is
        constant (maximum modulus) -- off the cuts of :math:`\arcsin` and :math:`\sqrt{1-g^2}`; every
        square-root argument :math:`h = c_0 + \sum_i c_i a_i` (atoms :math:`a_i` with nonnegative
        coefficients) has :math:`\operatorname{Re} h(w) \ge c_0 - \sum_i |c_i|\,a_i(|w|) > 0`: checked as
        :math:`c_0 - \sum_i|c_i|\,a_i(1) > 0`, or :math:`= 0` with a non-constant atom
        (:math:`a_i(-1) \ne a_i(1)`).  Nonnegative coefficients are recognised structurally: the input,
        nonnegative constants, sums with nonnegative weights (like terms collected, so that
        :math:`t + \frac15(\kappa_1(t) - t)` qualifies), products, :math:`\kappa_n` of a correlation and
        :math:`\exp`."""
        ends = self.ends[1]
        lin_memo: dict[int, tuple] = {}
        nn_memo: dict[int, bool] = {}

        def ball(v):
            return _arb(v) if isinstance(v, sp.Basic) else v

        def add(a, b):
            return a + b if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) else ball(a) + ball(b)

        def mul(a, b):
            return a * b if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) else ball(a) * ball(b)

        def is_zero(v):
            return (v == 0) if isinstance(v, sp.Basic) else bool(v == 0)

        def nonneg(v):
            if is_zero(v):
                return True
            return bool(ball(v) >= 0)

        def value(n):  # exact value (SymPy) when known, else a ball, of a node without input
            ex, b = ends[id(n)]
            return sp.sympify(ex) if ex is not None else b

        def lin(n):  # n = c0 + sum c_a * a over atoms a (like terms collected)
            i = id(n)
            if i in lin_memo:
                return lin_memo[i]
            if not self.has_input[i]:
                out = (value(n), {})
            elif n.op == "add":
                c0, terms = sp.Integer(0), {}
                for a in n.args:
                    ca, ta = lin(a)
                    c0 = add(c0, ca)
                    for atom, c in ta.items():
                        terms[atom] = add(terms[atom], c) if atom in terms else c
                out = (c0, terms)
            elif n.op == "mul" and sum(self.has_input[id(a)] for a in n.args) == 1:
                c = sp.Integer(1)
                for a in n.args:
                    if not self.has_input[id(a)]:
                        c = mul(c, value(a))
                (var,) = [a for a in n.args if self.has_input[id(a)]]
                c0, terms = lin(var)
                out = (mul(c, c0), {atom: mul(c, v) for atom, v in terms.items()})
            else:
                out = (sp.Integer(0), {n: sp.Integer(1)})
            lin_memo[i] = out
            return out

        def nn(n):  # nonnegative Maclaurin coefficients (sufficient)
            i = id(n)
            if i not in nn_memo:
                c0, terms = lin(n)
                nn_memo[i] = nonneg(c0) and all(
                    is_zero(c) or (nonneg(c) and nn_atom(a)) for a, c in terms.items())
            return nn_memo[i]

        def nn_atom(a):
            if a.op == "input":
                return True
            if a.op == "mul":
                return all(nn(f) for f in a.args)
            if a.op == "kappa":
                return corr(a.args[0])
            if a.op == "exp":
                return nn(a.args[0])
            return False  # sqrt

        def corr(g):
            ex, b = ends[id(g)]
            return nn(g) and (bool(b <= 1) or (ex is not None and sp.sympify(ex) - 1 == 0))

        def right_half(h):
            c0, terms = lin(h)
            q = c0
            moving = False
            for a, c in terms.items():
                if is_zero(c):
                    continue
                if not nn_atom(a):
                    return False
                ex, b = ends[id(a)]
                a1 = sp.sympify(ex) if ex is not None else b
                q = add(q, mul(-abs(c), a1))
                moving = moving or bool(self.ends[-1][id(a)][1] != b)  # a(-1) != a(1): not constant
            if bool(ball(q) > 0):
                return True
            return is_zero(q) and moving

        for n in self.nodes:
            if not self.has_input[id(n)]:
                continue
            if n.op == "kappa" and not corr(n.args[0]):
                raise NotCertified(
                    f"the argument of {n!r} is not shown to be a correlation (nonnegative Maclaurin "
                    "coefficients, value <= 1 at t = 1): analyticity in the unit disk is not established")
            if n.op == "sqrt" and not right_half(n.args[0]):
                raise NotCertified(
                    f"the argument of {n!r} is not shown to have a positive real part in the unit disk")

    # constants and endpoint values ---------------------------------------------------------------
    def _kappa_real(self, n: int, a):
        from flint import acb

        if not (a > -1 and a < 1):
            raise NotCertified("an arc-cosine argument is not certifiably inside (-1, 1)")
        v = acb(a)
        A = v.asin()
        out = 0.5 + A / self.pi if n == 0 else ((1 - v * v).sqrt() + v * (self.pi / 2 + A)) / self.pi
        return out.real

    def _const(self, n: Node):
        if n.op == "const":
            return _arb(n.data)
        a = [self.consts[id(x)] for x in n.args]
        if n.op == "add":
            return sum(a[1:], a[0])
        if n.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = v * x
            return v
        if n.op == "kappa":
            return self._kappa_real(n.data, a[0])
        if n.op == "exp":
            return a[0].exp()
        if n.op == "sqrt":
            if not a[0] > 0:
                raise NotCertified("square root of a constant that is not certifiably positive")
            return a[0].sqrt()
        raise NotCertified(f"unknown operation {n.op}")  # pragma: no cover

    def _endpoint_values(self, eps: int) -> dict:
        """``id(node) -> (exact SymPy value or None, ball)`` at t = eps."""
        out: dict = {}
        for n in self.nodes:
            args = [out[id(x)] for x in n.args]
            ex = None
            if n.op == "input":
                ex = sp.Integer(eps)
            elif n.op == "const":
                ex = n.data
            elif n.op in ("add", "mul") and all(e is not None for e, _ in args):
                ex = (sp.Add if n.op == "add" else sp.Mul)(*[e for e, _ in args])
            elif n.op == "kappa" and args[0][0] is not None:
                g = args[0][0]
                if g == 1:
                    ex = sp.Integer(1)
                elif g == -1:
                    ex = sp.Integer(0)
                elif g == 0:
                    ex = sp.Rational(1, 2) if n.data == 0 else 1 / sp.pi
            elif n.op == "sqrt" and args[0][0] is not None and args[0][0] == 0:
                ex = sp.Integer(0)
            if ex is not None:
                ball = _arb(ex)
            else:
                b = [x for _, x in args]
                if n.op == "add":
                    ball = sum(b[1:], b[0])
                elif n.op == "mul":
                    ball = b[0]
                    for x in b[1:]:
                        ball = ball * x
                elif n.op == "kappa":
                    ball = self._kappa_real(n.data, b[0])
                elif n.op == "exp":
                    ball = b[0].exp()
                else:  # sqrt
                    if not b[0] > 0:
                        raise NotCertified("square-root argument not certifiably positive at an endpoint")
                    ball = b[0].sqrt()
            out[id(n)] = (ex, ball)
        return out

    # jet rules -----------------------------------------------------------------------------------
    def _kappa_interior(self, n: int, a: _Jet) -> _Jet:
        """Principal branch; the caller has checked that the box of a avoids the cuts."""
        c = a.c
        A = c.asin()
        if n == 0:
            vc = 0.5 + A / self.pi
        else:
            vc = ((1 - c * c).sqrt() + c * (self.pi / 2 + A)) / self.pi
        ab = a.box()
        lo = ((1 - ab).abs_lower() * (1 + ab).abs_lower()).lower()
        if not lo > 0:
            raise NotCertified("arc-cosine argument reaches ±1")
        d0 = (1 / (self.pi * lo.sqrt())).upper()  # |kappa_0'| = 1/(pi |sqrt(1 - a^2)|)
        if n == 0:
            return _Jet(vc, (d0 * a.D).upper(), a.R)
        # |kappa_1'| = |kappa_0(a)| <= |kappa_0(c)| + |a - c| sup|kappa_0'|
        k0 = (abs(0.5 + A / self.pi) + a.R * a.D * d0).upper()
        return _Jet(vc, (k0 * a.D).upper(), a.R)

    def _kappa_endpoint(self, n: int, e: int, a: _Jet, y: _Jet, y2: _Jet) -> _Jet:
        """kappa_n(a) with a -> e (= ±1) as y -> 0: the analytic branch in y."""
        c = a.c
        sig_c = 1 - e * c
        yc = y.c
        u_c = sig_c / (yc * yc)
        sq_c = yc * u_c.sqrt()
        w_c = sq_c / self.sqrt2
        A = w_c.asin()
        k0p = 1 - 2 * A / self.pi
        if n == 0:
            vc = k0p if e == 1 else 1 - k0p
        else:
            k1p = (sq_c * (2 - sig_c).sqrt() + (1 - sig_c) * (self.pi - 2 * A)) / self.pi
            vc = k1p if e == 1 else k1p - (1 - sig_c)
        # checks over the box: Re(sigma / y^2) > 0, |sigma| < 2
        sig_b = 1 - e * a.box()
        yb2 = y2.box()
        u_b = sig_b / yb2
        if not u_b.real > 0:
            raise NotCertified("Re(sigma/y^2) > 0 fails: the y-disk is too large")
        if not sig_b.abs_upper() < 2:
            raise NotCertified("|sigma| < 2 fails: the y-disk is too large")
        # |sqrt(1 - a^2)| = |y| |u|^(1/2) |2 - sigma|^(1/2) on the analytic branch
        s_lo = (y.box().abs_lower() * u_b.abs_lower().sqrt() * (2 - sig_b).abs_lower().sqrt()).lower()
        if not s_lo > 0:
            raise NotCertified("sqrt(1 - a^2) not bounded away from 0 on the box")
        d0 = (1 / (self.pi * s_lo)).upper()
        if n == 0:
            return _Jet(vc, (d0 * a.D).upper(), a.R)
        k0 = (abs(k0p if e == 1 else 1 - k0p) + a.R * a.D * d0).upper()
        return _Jet(vc, (k0 * a.D).upper(), a.R)

    def _sqrt_jet(self, g: _Jet, vc) -> _Jet:
        gb = g.box()
        lo = gb.abs_lower().lower()
        if not lo > 0:
            raise NotCertified("square-root argument reaches 0")
        return _Jet(vc, (g.D / (2 * lo.sqrt())).upper(), g.R)

    def evaluate(self, box, eps: int = 0) -> _Jet:
        """Jet of K on the complex box ``box``: of K(w) (``eps = 0``, principal branches, cut checks) or of
        :math:`G_\\epsilon(y) = K(\\epsilon(1 - y^2))` (``eps = ±1``, analytic branch in y)."""
        from flint import acb, arb

        R = _rad(box)
        zero = arb(0)
        centre = box.mid()
        if eps:
            y = _Jet(centre, arb(1).upper(), R)
            y2 = _Jet(centre * centre, (2 * box.abs_upper()).upper(), R)
            ends = self.ends[eps]
        vals: dict[int, _Jet] = {}
        for n in self.nodes:
            i = id(n)
            if not self.has_input[i]:
                vals[i] = _Jet(acb(self.consts[i]), zero, R)
                continue
            a = [vals[id(x)] for x in n.args]
            op = n.op
            if op == "input":
                if eps:
                    v = _Jet(eps * (1 - y2.c), y2.D, R)
                else:
                    v = _Jet(centre, arb(1), R)
            elif op == "add":
                c = a[0].c
                D = a[0].D
                for x in a[1:]:
                    c = c + x.c
                    D = D + x.D
                v = _Jet(c, D.upper(), R)
            elif op == "mul":
                v = a[0]
                for x in a[1:]:
                    v = _mul_jets(v, x)
            elif op == "kappa":
                if eps:
                    ex, ball = ends[id(n.args[0])]
                    if ex is not None and (ex == 1 or ex == -1):
                        if not self.flat[eps][id(n.args[0])]:
                            raise NotCertified("an endpoint arc-cosine argument is not of order y^2 at y = 0")
                        v = self._kappa_endpoint(n.data, int(ex), a[0], y, y2)
                    else:
                        dev = (a[0].box() - ball).abs_upper()
                        if not dev < (1 - abs(ball)).lower():
                            raise NotCertified("|g - g0| < 1 - |g0| fails: the y-disk is too large")
                        v = self._kappa_interior(n.data, a[0])
                else:
                    if not _off_kappa_cut(a[0].box()):
                        raise NotCertified("an arc-cosine argument meets a branch cut")
                    v = self._kappa_interior(n.data, a[0])
            elif op == "exp":
                g = a[0]
                vc = g.c.exp()
                v = _Jet(vc, (g.D * g.box().real.upper().exp()).upper(), R)
            elif op == "sqrt":
                g = a[0]
                if eps:
                    ex, ball = ends[id(n.args[0])]
                    if ex is not None and ex == 0:
                        if not self.flat[eps][id(n.args[0])]:
                            raise NotCertified("a vanishing square-root argument is not O(y^2) at y = 0")
                        u_b = g.box() / y2.box()
                        if not u_b.real > 0:
                            raise NotCertified("Re(g/y^2) > 0 fails under a square root")
                        vc = y.c * (g.c / y2.c).sqrt()
                        lo = (y.box().abs_lower() * u_b.abs_lower().sqrt()).lower()
                        if not lo > 0:
                            raise NotCertified("square root reaches 0")
                        v = _Jet(vc, (g.D / (2 * lo)).upper(), R)
                    else:
                        if not (ball > 0 and (g.box() - ball).abs_upper() < ball.lower()):
                            raise NotCertified("square-root argument leaves the right half-plane")
                        v = self._sqrt_jet(g, g.c.sqrt())
                else:
                    if not _off_negative_axis(g.box()):
                        raise NotCertified("a square-root argument meets its branch cut")
                    v = self._sqrt_jet(g, g.c.sqrt())
            else:  # pragma: no cover
                raise NotCertified(f"unknown operation {op}")
            vals[i] = v
        return vals[id(self.root)]


@lru_cache(maxsize=64)
def _program(node: Node) -> _Program:
    with _prec():
        return _Program(node)


# ================================================================================================
# the remainder R = K - S and the bound E_m on (1/2π) ∫ |R^(m)|
# ================================================================================================
@dataclass(frozen=True)
class RemainderBound:
    r"""Certified :math:`E_m \ge \frac1{2\pi}\int_{-\pi}^{\pi}|R^{(m)}(e^{i\varphi})|\,d\varphi` (P2–P4), so
    that :math:`|[t^n]R| \le E_m (n-m)!/n!` for n ≥ m.

    Attributes
    ----------
    order : int
        m.
    E : mpmath.mpf
        The bound (an exact binary number, rounded up).
    terms : tuple
        ``(alpha_j, c_plus_j, c_minus_j)`` exact SymPy coefficients of the subtracted singular part S.
    rho, delta : float
        Radius of the y-circle (P3) and size of the endpoint caps :math:`|1 \mp z| \le \delta`.
    pieces : dict
        The contributions: ``"plus"``, ``"minus"`` (caps), ``"arc"`` (P4), and the maxima ``"M_plus"``,
        ``"M_minus"`` of :math:`|G_\pm|` on :math:`|y| = \rho`; ``"segments"`` and ``"boxes"`` counts.
    """

    order: int
    E: Any
    terms: tuple
    rho: float
    delta: float
    pieces: dict = field(compare=False, default_factory=dict)


@lru_cache(maxsize=128)
def _singular_coefficients(node: Node, m: int) -> tuple[tuple[sp.Rational, sp.Expr, sp.Expr], ...]:
    from .interpret.singular import puiseux

    out = []
    exps = {}
    for at in (1, -1):
        p = puiseux(node, at, sp.Rational(2 * m - 1, 2))
        if p.ramification != 2:
            raise NotCertified(
                f"the expansion at t = {at} is in powers of s^(1/{p.ramification}); the certified "
                "bounds need powers of s^(1/2)"
            )
        if len(p.coefficients) < 2 * m:  # never fill in missing coefficients with zeros
            raise NotCertified(f"the expansion at t = {at} stops before s^({2 * m - 1}/2)")
        exps[at] = p.coefficients
    for j in range(m):
        i = 2 * j + 1
        out.append((sp.Rational(i, 2), exps[1][i], exps[-1][i]))
    return tuple(out)


def _falling(a, m: int):
    out = a * 0 + 1
    for i in range(m):
        out = out * (a - i)
    return out


def _cap_bound(M, rho, delta, m: int, other: list):
    """(P3): bound of |R^(m)| on |s| <= delta at one endpoint."""
    from flint import arb

    x = delta / rho**2
    # the cap |s| <= delta must lie inside the y-disk (|y|^2 = |s| <= delta < rho^2: x < 1, else the
    # geometric sums below diverge and the formulas return garbage, even negative numbers), and away from
    # the other endpoint (2 - delta > 0)
    if not (rho > 0 and delta > 0 and x < 1 and delta < 2):
        raise NotCertified(f"the cap size delta = {delta} needs 0 < delta < min(rho^2, 2) (rho = {rho})")
    fact = arb.fac_ui(m)
    even = M * fact / (rho ** (2 * m) * (1 - x) ** (m + 1))
    # sum_{j>=m} (j+1)_m x^j = x^{-1} [ m! x^m/(1-x)^{m+1} - sum_{i=m}^{m} i_m x^i ]   (i = j + 1 >= m + 1)
    full = fact * x**m / (1 - x) ** (m + 1)
    tail = (full - fact * x**m) / x
    odd = M / rho * delta ** (arb(1) / 2 - m) * tail
    oth = arb(0)
    for alpha, c in other:
        if c == 0:
            continue
        a = _arb(alpha)
        oth += abs(_arb(c)) * abs(_falling(a, m)) * (2 - delta) ** (a - m)
    return (even + odd + oth).upper(), {"even": even, "odd": odd, "other": oth}


def _circle_max(prog: _Program, eps: int, rho: float, count: int):
    """max |G_eps(y)| on |y| = rho (upper half; G has real coefficients)."""
    from flint import acb, arb

    M = arb(0)
    h = math.pi / count
    for i in range(count):
        psi = h * (i + 0.5)
        rad = rho * h / 2 * 1.0001 + 1e-300
        box = acb(arb(rho * math.cos(psi), rad), arb(rho * math.sin(psi), rad))
        M = _max_finite(M, prog.evaluate(box, eps).abs_upper())
    return M.upper()


def _term_balls(terms):
    """``[(alpha ball, coefficient ball, sign)]`` of S = sum c+ (1-w)^a + c- (1+w)^a."""
    out = []
    for alpha, cp, cm in terms:
        for coef, sgn in ((cp, -1), (cm, 1)):
            if coef != 0:
                out.append((_arb(alpha), _arb(coef), sgn))
    return out


def _singular_jet(balls, box, R):
    """Jet of S(w) = sum c+ (1-w)^a + c- (1+w)^a on a box (principal branches, cut checks)."""
    from flint import acb, arb

    c = acb(0)
    D = arb(0)
    centre = box.mid()
    for a, cc, sgn in balls:
        u = 1 + sgn * box
        if not _off_negative_axis(u):
            raise NotCertified("1 ∓ w meets the branch cut of the singular part")
        c = c + cc * (1 + sgn * centre) ** a
        lo = u.abs_lower().lower()
        hi = u.abs_upper().upper()
        mag = hi ** (a - 1) if a >= 1 else lo ** (a - 1)
        D = D + abs(cc) * abs(a) * mag
    return _Jet(c, D.upper(), R)


#: slack added to the half-length of every arc segment (P4): it absorbs the rounding of the float geometry
#: (segment ends, the cap angle, the centres e^{i mid}: all below 1e-15), so the segments cover the arc
ARC_MARGIN = 1e-12


def _arc_segments(delta: float, reach: float):
    r"""The segments of step P4: ``(mid, h, rr)`` in float.  Segment i covers the angles
    ``[mid - h - ARC_MARGIN, mid + h + ARC_MARGIN]``; together they cover the arc from the cap angle
    :math:`2\arcsin(\delta/2)` to :math:`\pi - 2\arcsin(\delta/2)` (no sliver is left at the end: a remainder
    under 1% of a step is merged into it).  ``rr = reach * dist(mid)``, dist the distance to ±1: the radius
    of the Cauchy disk about the float centre ``(cos mid, sin mid)``."""
    phi_a = 2 * math.asin(delta / 2)
    phi = phi_a
    end = math.pi - phi_a
    while phi < end:
        dist = min(2 * math.sin(phi / 2), 2 * math.cos(phi / 2))
        step = min(0.25 * reach * dist, end - phi)
        last = end - phi - step < 0.01 * step
        if last:
            step = end - phi
        mid = phi + step / 2
        dist_mid = min(2 * math.sin(mid / 2), 2 * math.cos(mid / 2))
        h = step / 2
        r = reach * dist_mid - h
        if r <= 0:
            raise NotCertified("arc segment too long for its distance to ±1")
        yield mid, h, r + h
        if last:
            break
        phi += step


def _arc_bound(prog: _Program, terms, m: int, delta: float, reach: float, grid: int):
    """(P4): sum over segments of (segment length) * sup |R^(m)| on the arc between the caps."""
    from flint import acb, arb

    fact = arb.fac_ui(m)
    balls = _term_balls(terms)
    total = arb(0)
    worst = arb(0)
    segments = boxes = 0
    for mid, h, rr in _arc_segments(delta, reach):
        zc = complex(math.cos(mid), math.sin(mid))
        cell = 2 * rr / grid
        M = arb(0)
        for ix in range(grid):
            for iy in range(grid):
                x0 = zc.real - rr + cell * (ix + 0.5)
                y0 = zc.imag - rr + cell * (iy + 0.5)
                # keep cells meeting the closed disk D(zc, rr) (generously: float distances)
                dx = max(abs(x0 - zc.real) - cell / 2, 0.0)
                dy = max(abs(y0 - zc.imag) - cell / 2, 0.0)
                if dx * dx + dy * dy > rr * rr * (1 + 1e-9):
                    continue
                box = acb(arb(x0, cell / 2 * 1.0001), arb(y0, cell / 2 * 1.0001))
                Rb = _rad(box)
                kj = prog.evaluate(box, 0)
                sj = _singular_jet(balls, box, Rb)
                val = (kj.c - sj.c) + _disc((Rb * (kj.D + sj.D)).upper())
                M = _max_finite(M, val.abs_upper())
                boxes += 1
        # every z = e^{i phi}, |phi - mid| <= h + ARC_MARGIN, has |z - zc| <= h + 2 ARC_MARGIN
        # (|zc - e^{i mid}| < 1e-15), so |w - z| >= rc on the circle |w - zc| = rr, and Cauchy's integral
        # formula gives |R^(m)(z)| <= m! rr max|R| / rc^(m+1)
        rc = (arb(rr) - arb(h) - 2 * arb(ARC_MARGIN)).lower()
        if not rc > 0:
            raise NotCertified("arc segment too long for its Cauchy disk")
        sup = fact * rr / rc ** (m + 1) * M
        total += 2 * (arb(h) + arb(ARC_MARGIN)) * sup
        worst = max(worst, sup.upper())
        segments += 1
    return total.upper(), worst, segments, boxes


@lru_cache(maxsize=128)
def _remainder_cached(node: Node, m: int, rho: float, delta: float, reach: float, circle: int, grid: int):
    from flint import arb

    terms = _singular_coefficients(node, m)
    with _prec():
        prog = _program(node)
        rho_b = arb(rho)
        delta_b = arb(delta)
        try:
            Mp = _circle_max(prog, 1, rho, circle)
            Mm = _circle_max(prog, -1, rho, circle)
        except NotCertified as exc:
            raise _CircleFailure(str(exc)) from exc
        plus, dp = _cap_bound(Mp, rho_b, delta_b, m, [(a, cm) for a, _, cm in terms])
        minus, dm = _cap_bound(Mm, rho_b, delta_b, m, [(a, cp) for a, cp, _ in terms])
        arc_total, arc_sup, nseg, nbox = _arc_bound(prog, terms, m, delta, reach, grid)
        phi_a = arb(delta / 2).asin() * 2
        E = (phi_a * (plus + minus) + arc_total) / arb.pi()
        if not E.is_finite():
            raise NotCertified("the remainder bound is not finite")
        pieces = {
            "plus": _upper(plus),
            "minus": _upper(minus),
            "arc_sup": _upper(arc_sup),
            "arc": _upper(arc_total / arb.pi()),
            "M_plus": _upper(Mp),
            "M_minus": _upper(Mm),
            "cap_angle": float(phi_a.mid()),
            "segments": nseg,
            "boxes": nbox,
        }
        return RemainderBound(m, _upper(E.upper()), tuple(terms), rho, delta, pieces)


def remainder_bound(
    kernel: Any,
    order: int = 4,
    rho: float | None = None,
    delta: float | None = None,
    reach: float = 0.6,
    circle: int = 256,
    grid: int = 8,
) -> RemainderBound:
    r"""Certified bound :math:`E_m` on :math:`\frac1{2\pi}\int|R^{(m)}(e^{i\varphi})|d\varphi` (steps P2–P4 of
    the module docstring), hence :math:`|[t^n](K - S)| \le E_m\,(n-m)!/n!` for every :math:`n \ge m`.

    Parameters
    ----------
    kernel : Kernel or Node
    order : int
        m ≥ 2: the singular terms :math:`s^{1/2}, \dots, s^{m-1/2}` at both ends are subtracted.
    rho : float, optional
        Radius of the circle in :math:`y = \sqrt{1 \mp t}` on which :math:`G_\pm` is bounded; by default the
        largest of 1.2, 1.0, 0.8, ... for which every analyticity check passes.
    delta : float, optional
        Endpoint caps :math:`|1 \mp z| \le \delta` (default :math:`0.45\rho^2`).
    reach : float
        Cauchy radius (plus segment half-length) as a fraction of the distance to ±1 on the arc (halved, then
        quartered automatically when an analyticity check fails there: deep residual kernels have complex
        singularities close to the unit circle).
    circle, grid : int
        Boxes on the y-circle; grid of boxes on each Cauchy disk.

    Raises
    ------
    NotCertified
        When no admissible radius is found or the kernel is outside the scope of the argument.
    """
    node = _node(kernel)
    m = check_int("order", order, 2, MAX_ORDER)
    if rho is not None:
        rho = float(check_real("rho", rho, 0, 100, open_min=True))
    if delta is not None:
        delta = float(check_real("delta", delta, 0, 2, open_min=True))
        if delta >= 2:
            raise ParameterError("delta", delta, "a real number in (0, 2)")
    reach = float(check_real("reach", reach, 0, 1, open_min=True))
    circle = check_int("circle", circle, 1)
    grid = check_int("grid", grid, 1)
    # structural checks first (scope, ramification, analyticity in the unit disk): they do not depend on
    # the radii, so a failure is reported at once rather than retried with every radius
    _singular_coefficients(node, m)
    with _prec():
        _program(node)
    rhos = [rho] if rho is not None else [1.2, 1.0, 0.85, 0.7, 0.55, 0.4, 0.3]
    last: Exception | None = None
    best = None
    for r in rhos:
        dl = delta if delta is not None else 0.45 * r * r
        if not dl < r * r:
            last = NotCertified(f"delta = {dl} is not below rho^2 = {r * r}")
            continue
        res = None
        # a smaller Cauchy radius when the continuation of K has complex singularities near the unit circle
        for rc in (reach, reach / 2, reach / 4):
            try:
                res = _remainder_cached(node, m, float(r), float(dl), float(rc), int(circle), int(grid))
                break
            except _CircleFailure as exc:
                last = exc
                break  # the endpoint circle failed: a smaller reach does not help
            except NotCertified as exc:
                last = exc
        if res is None:
            continue
        if best is None or res.E < best.E:
            best = res
        elif rho is None:
            break
    if best is None:
        raise NotCertified(f"no admissible radius for the remainder bound: {last}")
    return best


# ================================================================================================
# Gamma ratios: exact eigenvalues of (1-t)^alpha and the monotone envelopes of (P6)
# ================================================================================================
def _power_eig(d: int, a, k: int):
    r"""Ball of :math:`\mu_k[(1-t)^a]` on :math:`S^{d-1}` (SPEC §8), a a half-integer ball, k > a."""
    from flint import arb

    half = arb(d) / 2
    return (
        half.gamma()
        * arb(2) ** (a + d - 2)
        * (a + arb(d - 1) / 2).gamma()
        * (k - a).gamma()
        * (-a).rgamma()
        * (k + a + d - 1).rgamma()
        / arb.pi().sqrt()
    )


def _power_eig_step(d: int, a, k: int):
    r""":math:`\mu_{k+2}[(1-t)^a] / \mu_k[(1-t)^a] = \frac{(k-a)(k+1-a)}{(k+a+d-1)(k+a+d)}` (exact)."""
    return (k - a) * (k + 1 - a) / ((k + a + d - 1) * (k + a + d))


def gamma_ratio_envelope(alpha: Any, dim: int, k1: int) -> tuple[Any, Any]:
    r"""Enclosure, valid for every real :math:`k \ge k_1`, of

    .. math::  g(k) = k^{P}\,\frac{\Gamma(k-\alpha)}{\Gamma(k+\alpha+d-1)},\qquad P = 2\alpha + d - 1 > 1,

    so that :math:`\mu_k[(1-t)^\alpha] = C(d,\alpha)\,k^{-P} g(k)` with :math:`g(k) \to 1`.

    By Elezović, Giordano & Pečarić (2000, Theorem 1), :math:`z(x) = (\Gamma(x+b)/\Gamma(x+a))^{1/(b-a)} - x`
    (here :math:`a = -\alpha`, :math:`b = \alpha + d - 1`, :math:`x > \alpha`) is increasing when
    :math:`b - a > 1`, with limit :math:`(a+b-1)/2 = (d-2)/2`.  Hence for :math:`k \ge k_1`:
    :math:`(k_1/(k_1 + (d-2)/2))^P \le g(k) \le \max(1, (k_1/(k_1 + z(k_1)))^P)`.

    Returns ``(lower, upper)`` as Arb balls (use ``.lower()`` / ``.upper()``).
    """
    from flint import arb

    with _prec():
        a = _arb(alpha)
        d = check_int("dim", dim, 2)
        k1 = check_int("k1", k1, 1)
        P = 2 * a + d - 1
        if not (P > 1 and arb(k1) > a):
            raise NotCertified("the Gamma-ratio lemma needs 2 alpha + d - 1 > 1 and k1 > alpha")
        z1 = ((arb(k1) + a + d - 1).lgamma() - (arb(k1) - a).lgamma()) / P
        z1 = z1.exp() - k1
        cinf = arb(d - 2) / 2
        lower = (arb(k1) / (k1 + cinf)) ** P
        if z1 > 0:
            upper = arb(1)
        else:
            if not k1 + z1.lower() > 0:
                raise NotCertified("the Gamma-ratio envelope needs a larger k1")
            upper = (arb(k1) / (k1 + z1.lower())) ** P
            upper = max(upper, arb(1))
        return lower.lower(), upper.upper()


# ================================================================================================
# certified bounds per parity class
# ================================================================================================
@dataclass(frozen=True)
class ParityBound:
    r"""Certified :math:`A k^{-p} \le \mu_k \le B k^{-p}` for all :math:`k \ge k_0` of one parity class.

    Attributes
    ----------
    parity : {"even", "odd"}
    status : {"bounded", "zero", "uncertified"}
        ``"zero"``: :math:`\mu_k = 0` exactly for every k ≥ k0 of the class (the odd part of K is a
        polynomial: two-layer kernels); ``"uncertified"``: see ``note``.
    exponent : sympy number
        p of this class (:math:`d - 1 + 2\alpha` for its first non-vanishing singular exponent α).
    A, B : mpmath.mpf
        Lower and upper constants (exact binary numbers; A rounded down, B rounded up).
    k0 : int
        First k of the class from which the bounds hold.
    k1 : int
        Last k checked one by one; beyond it the Gamma-ratio lemma is used (P6).
    constant : sympy expression
        :math:`\lim k^p\mu_k` over the class (exact).
    alpha : sympy.Rational
        The singular exponent that sets the decay of the class.
    note : str
    ratio_lower, ratio_upper : mpmath.mpf
        Certified bounds of :math:`\mu_k / ((c_+ \pm c_-)\,\mu_k[(1-t)^\alpha])` for k ≥ k0 (the same proof;
        informative when :math:`k_0 \ll d^2`, where :math:`k^p\mu_k` is still far from its limit).
    """

    parity: str
    status: str
    exponent: Any
    A: Any
    B: Any
    k0: int | None
    k1: int | None
    constant: Any
    alpha: Any
    note: str = ""
    ratio_lower: Any = None
    ratio_upper: Any = None

    @classmethod
    def uncertified(cls, parity: str, note: str, exponent: Any = None, constant: Any = None,
                    alpha: Any = None) -> ParityBound:
        """A class for which no bound could be proved (the reason in ``note``)."""
        return cls(parity, "uncertified", exponent, None, None, None, None, constant, alpha, note)

    def holds(self, k: int, value: Any) -> bool:
        """Whether a (computed) eigenvalue :math:`\\mu_k` obeys the bound (True for k < k0 or the other
        class)."""
        if self.k0 is None or k < self.k0 or (k % 2) != (0 if self.parity == "even" else 1):
            return True
        v = mpmath.mpf(value)
        if self.status == "zero":
            return v == 0
        if self.status != "bounded":
            return True
        kp = mpmath.mpf(k) ** mpmath.mpf(self.exponent)
        return bool(self.A <= v * kp <= self.B)


@dataclass(frozen=True)
class CertifiedBounds:
    r"""Certified eigenvalue bounds of a kernel on :math:`S^{d-1}` (see the module docstring for the proof).

    Attributes
    ----------
    dim : int
    even, odd : ParityBound
    remainder : RemainderBound
        :math:`E_m` and the subtracted singular terms.
    kernel_name : str
    rigorous_steps, assumed : tuple of str
        What is proved in ball arithmetic and what is taken from lemmas/other modules.
    """

    dim: int
    even: ParityBound
    odd: ParityBound
    remainder: RemainderBound
    kernel_name: str | None = None
    rigorous_steps: tuple = ()
    assumed: tuple = ()

    @property
    def order(self) -> int:
        return self.remainder.order

    def parity(self, k: int) -> ParityBound:
        return self.even if k % 2 == 0 else self.odd

    def enclosure(self, k: int) -> tuple[Any, Any]:
        r"""Certified ``(lower, upper)`` (mpmath numbers) of :math:`\mu_k`, k ≥ m (step P5)."""
        k = check_int("k", k, self.order)
        with _prec():
            lo, hi = _enclosure_balls(self.dim, self.remainder, k)
            return _lower(lo), _upper(hi)

    def check(self, eigenvalues, start: int = 0) -> list[int]:
        """Degrees k (``start + index``) whose value violates the bounds (empty when all obey them)."""
        bad = []
        for i, v in enumerate(eigenvalues):
            k = start + i
            if not self.parity(k).holds(k, v):
                bad.append(k)
        return bad

    def as_dict(self, dps: int = 30) -> dict:
        """JSON-ready: A rounded down, B rounded up to ``dps`` significant digits."""
        out = {"dim": self.dim, "order": self.order, "E_m": _directed(self.remainder.E, dps, True)}
        for pb in (self.even, self.odd):
            out[pb.parity] = {
                "status": pb.status,
                "exponent": str(pb.exponent),
                "A": _directed(pb.A, dps, False) if pb.A is not None else None,
                "B": _directed(pb.B, dps, True) if pb.B is not None else None,
                "k0": pb.k0,
                "k1": pb.k1,
                "ratio_lower": _directed(pb.ratio_lower, dps, False) if pb.ratio_lower is not None else None,
                "ratio_upper": _directed(pb.ratio_upper, dps, True) if pb.ratio_upper is not None else None,
                "limit": _decimal(pb.constant, dps) if pb.constant is not None else None,
                "note": pb.note,
            }
        out["rigorous"] = list(self.rigorous_steps)
        out["assumed"] = list(self.assumed)
        return out

    def latex(self) -> str:
        """LaTeX of the two bounds."""
        rows = []
        for pb in (self.even, self.odd):
            if pb.status == "bounded":
                rows.append(
                    f"{_directed(pb.A, 6, False)}\\, k^{{-{sp.latex(pb.exponent)}}} \\le \\mu_k \\le "
                    f"{_directed(pb.B, 6, True)}\\, k^{{-{sp.latex(pb.exponent)}}}"
                    f"\\quad (k \\ge {pb.k0},\\ k \\text{{ {pb.parity}}})"
                )
            elif pb.status == "zero":
                rows.append(f"\\mu_k = 0\\quad (k \\ge {pb.k0},\\ k \\text{{ {pb.parity}}})")
        return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}" if rows else ""

    def __str__(self) -> str:
        lines = [
            f"certified bounds on S^{self.dim - 1} (order m = {self.order}, "
            f"E_m <= {_directed(self.remainder.E, 6, True)})"
        ]
        for pb in (self.even, self.odd):
            if pb.status == "bounded":
                lines.append(
                    f"  {pb.parity:4s} k >= {pb.k0}: {_directed(pb.A, 8, False)} k^-{pb.exponent} <= mu_k <= "
                    f"{_directed(pb.B, 8, True)} k^-{pb.exponent}   (limit "
                    f"{_decimal(pb.constant, 8)})"
                )
            elif pb.status == "zero":
                lines.append(f"  {pb.parity:4s} k >= {pb.k0}: mu_k = 0 exactly")
            else:
                lines.append(f"  {pb.parity:4s}: not certified ({pb.note})")
        return "\n".join(lines)


def _lambda_balls(rem: RemainderBound, parity: int):
    out = []
    for alpha, cp, cm in rem.terms:
        lam = cp + (cm if parity == 0 else -cm)
        out.append((alpha, lam))
    return out


@lru_cache(maxsize=512)
def _is_zero_exact(e: sp.Expr) -> bool:
    """Exact zero test of a coefficient c_+ ± c_-: a ball (Arb, 256 bits) that excludes 0 proves it
    non-zero; otherwise a structural zero (after expansion) or one SymPy simplifies to 0; anything else
    (a value within the ball radius of 0 that SymPy cannot simplify) is refused: dropping it would not be
    rigorous, keeping it would break the power-law envelope of step P6."""
    e = sp.sympify(e)
    if e == 0:
        return True
    with _prec(256):
        ball = arb_constant(e, _ARB_MEMO.setdefault(256, {}), strict=True)
        if ball.is_finite() and not ball.contains(0):
            return False
    e = sp.expand(e)
    if e == 0 or sp.simplify(e) == 0:
        return True
    raise NotCertified(f"cannot decide whether the singular coefficient {e} vanishes")


def _enclosure_balls(d: int, rem: RemainderBound, k: int):
    """(P5): balls (lower-end, upper-end) of mu_k."""
    from flint import arb

    m = rem.order
    beta = arb(2 * m - 3) / 2
    total = arb(0)
    for alpha, lam in _lambda_balls(rem, k % 2):
        if _is_zero_exact(lam):
            continue
        total += _arb(lam) * _power_eig(d, _arb(alpha), k)
    r = _arb(rem.E) * abs((-beta).gamma()) * (arb(k) - m + arb(1) / 2).rsqrt() * abs(_power_eig(d, beta, k))
    if not (total.is_finite() and r.is_finite()):
        raise NotCertified(f"a non-finite enclosure at k = {k}")
    return total - r, total + r


def _parity_bound(
    d: int, rem: RemainderBound, parity: int, k0: int | None, k1: int | None, tol: float, asym
) -> ParityBound:
    from flint import arb

    name = "even" if parity == 0 else "odd"
    m = rem.order
    lams = [(alpha, lam) for alpha, lam in _lambda_balls(rem, parity) if not _is_zero_exact(lam)]
    if asym is not None and asym.vanishing_parity == name and asym.exact_zero_beyond is not None:
        kz = max(asym.exact_zero_beyond + 1, 0)
        kz += (kz - parity) % 2
        return ParityBound(
            name,
            "zero",
            sp.oo,
            mpmath.mpf(0),
            mpmath.mpf(0),
            kz,
            None,
            sp.Integer(0),
            None,
            f"mu_k = 0 exactly for {name} k >= {kz} (the {name} part of K is a polynomial)",
        )
    if not lams:
        return ParityBound.uncertified(
            name,
            f"no singular term below s^{m} in the {name} class; raise the order",
        )
    alpha_star, lam_star = lams[0]
    beta = sp.Rational(2 * m - 3, 2)
    if alpha_star > beta:
        return ParityBound.uncertified(
            name,
            f"the order m = {m} is too small for the exponent {alpha_star}; use m >= "
            f"{alpha_star + sp.Rational(3, 2)}",
        )
    p = d - 1 + 2 * alpha_star
    from .asymptotics import eigenvalue_constant, tidy_constant

    constant = tidy_constant(lam_star * eigenvalue_constant(d, alpha_star))
    kmin = max(m, int(beta) + 1)
    kmin += (kmin - parity) % 2

    def ratio(k):  # remainder + lower-order terms relative to the leading term, at k
        lo, hi = _enclosure_balls(d, rem, k)
        lead = _arb(lam_star) * _power_eig(d, _arb(alpha_star), k)
        mid = (lo + hi) / 2
        return ((hi - lo) / 2 + abs(mid - lead)) / abs(lead)

    def same(k):
        return k + (k - parity) % 2

    if k0 is None:
        k = kmin
        while ratio(k).upper() > tol:
            k = same(2 * k)
            if k > 10**7:
                return ParityBound.uncertified(
                    name, "the remainder bound never drops below the tolerance", exponent=p,
                    constant=constant, alpha=alpha_star)
        lo_k, hi_k = max(kmin, same(k // 2)), k
        while hi_k - lo_k > 2:
            mid = same((lo_k + hi_k) // 2)
            if mid >= hi_k:
                break
            if ratio(mid).upper() > tol:
                lo_k = mid
            else:
                hi_k = mid
        k0 = hi_k
    else:
        k0 = max(check_int("k0", k0, 1), kmin)
    k0 += (k0 - parity) % 2
    if k1 is None:
        k1 = min(k0 + max(2000, 3 * k0, 2 * d * d), k0 + 50_000)
    k1 = max(k1, k0)
    k1 += (k1 - parity) % 2
    # (P6a) k0 <= k <= k1 one by one, with the exact recurrences of the Gamma ratios
    terms = [(_arb(a), _arb(lam)) for a, lam in lams]
    bb = _arb(beta)
    E = _arb(rem.E) * abs((-bb).gamma())
    eig = [_power_eig(d, a, k0) for a, _ in terms]
    eb = abs(_power_eig(d, bb, k0))
    lo_min = hi_max = q_min = q_max = None
    k = k0
    while True:
        main = arb(0)
        for (_, lam), e in zip(terms, eig):
            main += lam * e
        lead = terms[0][1] * eig[0]
        r = E * (arb(k) - m + arb(1) / 2).rsqrt() * eb
        kp = arb(k) ** int(p)  # int: arb ** (SymPy Integer) would return a 53-bit SymPy Float
        lo = ((main - r) * kp).lower()
        hi = ((main + r) * kp).upper()
        q1, q2 = (main - r) / lead, (main + r) / lead
        qlo, qhi = min(q1.lower(), q2.lower()), max(q1.upper(), q2.upper())
        if not all(v.is_finite() for v in (lo, hi, q1, q2)):  # min/max would silently skip a NaN
            raise NotCertified(f"a non-finite enclosure at k = {k}")
        if lo_min is None:
            lo_min, hi_max, q_min, q_max = lo, hi, qlo, qhi
        else:
            lo_min, hi_max = min(lo_min, lo), max(hi_max, hi)
            q_min, q_max = min(q_min, qlo), max(q_max, qhi)
        if k >= k1:
            break
        eig = [e * _power_eig_step(d, a, k) for (a, _), e in zip(terms, eig)]
        eb = eb * _power_eig_step(d, bb, k)
        k += 2
    # (P6b) k > k1: envelopes of the Gamma ratios (Elezovic-Giordano-Pecaric)
    from .asymptotics import eigenvalue_constant as _C

    tail = arb(0)
    lead_c = _arb(lam_star) * _arb(_C(d, alpha_star))
    glo_s, ghi_s = gamma_ratio_envelope(alpha_star, d, k1)
    lo_t = min((lead_c * glo_s).lower(), (lead_c * ghi_s).lower())
    hi_t = max((lead_c * glo_s).upper(), (lead_c * ghi_s).upper())
    for alpha, lam in lams[1:]:
        _, ghi = gamma_ratio_envelope(alpha, d, k1)
        tail += abs(_arb(lam) * _arb(_C(d, alpha))) * ghi * arb(k1) ** int(p - (d - 1 + 2 * alpha))
    _, ghi = gamma_ratio_envelope(beta, d, k1)
    tail += (
        E
        * abs(_arb(_C(d, beta)))
        * ghi
        * (arb(k1) - m + arb(1) / 2).rsqrt()
        * arb(k1) ** int(p - (d - 1 + 2 * beta))
    )
    lo_t = (lo_t - tail).lower()
    hi_t = (hi_t + tail).upper()
    q_tail = (tail / (abs(lead_c) * glo_s)).upper()
    if not all(v.is_finite() for v in (lo_t, hi_t, q_tail)):
        raise NotCertified("a non-finite envelope beyond k1")
    A = min(lo_min, lo_t)
    B = max(hi_max, hi_t)
    q_min = min(q_min, (1 - q_tail).lower())
    q_max = max(q_max, (1 + q_tail).upper())
    note = ""
    if not A > 0:
        note = "the lower bound is not positive: increase k0 or the order"
    return ParityBound(
        name,
        "bounded",
        p,
        _lower(A),
        _upper(B),
        k0,
        k1,
        constant,
        alpha_star,
        note,
        _lower(q_min),
        _upper(q_max),
    )


_RIGOROUS = (
    "analyticity of the principal-branch composition in the open unit disk (structural: every kappa-argument "
    "a correlation, every square-root argument in the right half-plane) and of the endpoint branches in "
    "y = sqrt(1 -+ t) (every endpoint argument of order y^2)",
    "E_m: maxima of |K(±(1-y^2))| on |y| = rho and of |K - S| on the Cauchy disks, in Arb complex ball "
    "arithmetic (mean-value form) with every branch-cut / analyticity condition checked on every box",
    "mu_k enclosures for k0 <= k <= k1: exact Gamma ratios (Arb) plus the remainder bound of step P5",
    "k > k1: the Gamma-ratio envelopes evaluated in Arb",
)
_ASSUMED = (
    "exact Puiseux coefficients c_j^± from symkernel.interpret.singular (exact SymPy constants, enclosed "
    "in Arb balls by evaluating their expression trees; no evalf)",
    "eigenvalue of (1-t)^alpha (SPEC §8) and of t^n (SPEC §1) on S^{d-1}",
    "Gautschi's inequality (DLMF 5.6.4) and Elezović-Giordano-Pečarić (2000) Thm 1",
    "classes reported 'zero': the structural parity interpreter symkernel.interpret.support",
    "a coefficient c_+ ± c_- that a 256-bit ball does not separate from 0 is 0 when SymPy simplifies it to 0",
    "Cauchy's integral formula / estimates, maximum and minimum principles; Arb (python-flint) is correct",
)


def _default_order(asym) -> int:
    nu = asym.nu if asym is not None and asym.nu is not None else sp.Rational(1, 2)
    return int(nu + sp.Rational(7, 2))


def certified_bounds(
    kernel: Any,
    dim: int,
    k0: int | None = None,
    order: int | None = None,
    tol: float = 0.25,
    k1: int | None = None,
    **remainder_options,
) -> CertifiedBounds:
    r"""Certified :math:`A, B, k_0` with :math:`A k^{-p} \le \mu_k \le B k^{-p}` for every k ≥ k0 of each
    parity class, on :math:`S^{d-1}` (normalised measure).

    Parameters
    ----------
    kernel : Kernel
        A kernel of the library with square-root-type singularities (fully connected NNGP/NTK of any depth,
        with or without bias; :math:`\kappa_0`, :math:`\kappa_1`; the Laplace kernel).
    dim : int
        d ≥ 2.
    k0 : int, optional
        First degree; by default the smallest k from which the certified enclosure of :math:`\mu_k` is within
        ``tol`` (relative) of the leading term.
    order : int, optional
        m of the remainder (default :math:`\nu + 7/2`: 4 for the NTK, 5 for the NNGP).
    tol : float
        Relative width used to choose k0.
    k1 : int, optional
        Last degree treated one by one (default :math:`k_0 + \max(2000, 3k_0, 2d^2)`, capped).
    **remainder_options
        Passed to :func:`remainder_bound` (``rho``, ``delta``, ``reach``, ``circle``, ``grid``).

    Returns
    -------
    CertifiedBounds

    Notes
    -----
    The proof is in the module docstring (steps P1–P6); the leading constant is
    :math:`(c_+ \pm c_-)\,C(d,\nu)` (:func:`symkernel.asymptotics.asymptotics`) and
    :math:`A \le` constant :math:`\le B`.

    Examples
    --------
    >>> import symkernel as sk
    >>> b = certified_bounds(sk.fc(1, "ntk"), dim=3)
    >>> b.even.status, b.odd.status, b.even.exponent
    ('bounded', 'zero', 3)
    >>> float(b.even.A) <= 1 / 3.14159 <= float(b.even.B)
    True
    """
    from .asymptotics import asymptotics

    d = check_int("dim", dim, 2, 10**5)
    if not (0 < tol < 1):
        raise ParameterError("tol", tol, "a number in (0, 1)")
    asym = asymptotics(kernel, d)
    if asym.nu is None:
        raise NotCertified("the kernel is analytic at t = ±1: its eigenvalues decay faster than any power")
    m = order if order is not None else _default_order(asym)
    m = check_int("order", m, 2, MAX_ORDER)
    rem = remainder_bound(kernel, m, **remainder_options)
    with _prec():
        even = _parity_bound(d, rem, 0, k0, k1, tol, asym)
        odd = _parity_bound(d, rem, 1, k0, k1, tol, asym)
    return CertifiedBounds(d, even, odd, rem, getattr(kernel, "name", None), _RIGOROUS, _ASSUMED)


def eigenvalue_enclosure(kernel: Any, dim: int, k: int, order: int | None = None) -> tuple[Any, Any]:
    r"""Certified ``(lower, upper)`` of :math:`\mu_k` on :math:`S^{d-1}` for one k ≥ m (step P5)."""
    from .asymptotics import asymptotics

    d = check_int("dim", dim, 2, 10**5)
    asym = asymptotics(kernel, d)
    m = order if order is not None else _default_order(asym)
    rem = remainder_bound(kernel, m)
    k = check_int("k", k, m)
    with _prec():
        lo, hi = _enclosure_balls(d, rem, k)
        return _lower(lo), _upper(hi)
