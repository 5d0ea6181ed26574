r"""Multivariate power series of a multi-input kernel description (SPEC §5, §6).

For a description in the inputs :math:`t_1, \dots, t_m` (for example a convolutional kernel over the pixels of
its receptive field) this interpreter returns the Maclaurin coefficients

.. math::  K(t_1, \dots, t_m) = \sum_{\mathbf n} b_{\mathbf n}\, t_1^{n_1}\cdots t_m^{n_m},
           \qquad |\mathbf n| = n_1 + \dots + n_m \le D,

truncated at total degree D, in one of three modes:

* ``"exact"``: SymPy numbers (rationals, :math:`\pi`, and the algebraic/arc-cosine constants of the interior
  expansion points, bound as a straight-line program like :mod:`symkernel.interpret.exact` and substituted
  at the end); small D only;
* ``"mpmath"``: mpf numbers to ``dps`` significant digits (two working precisions compared);
* ``"float"``: a float64 numpy array (fast; relative accuracy ~1e-13 for the kernels of this library, whose
  series have non-negative terms throughout, see below).

Method
------
Every node is expanded bottom-up on the truncated series *in the inputs it depends on* (a node of one window
of the first convolution is a series in q variables, not in all m), coefficients stored in graded order over
the simplex :math:`\{|\mathbf n| \le D\}`.  Products are Cauchy products over the precomputed pairs
:math:`(\mathbf a, \mathbf b)` with :math:`|\mathbf a| + |\mathbf b| \le D` (numpy ``bincount``).  An
arc-cosine kernel is applied to a series :math:`g = g_0 + h` by the composition rule (SPEC §6)

.. math::  \kappa_n(g_0 + h) = \sum_{j \le D} \frac{\kappa_n^{(j)}(g_0)}{j!}\, h^j  \quad (\text{Horner}),

with the Taylor coefficients at the interior point :math:`g_0` from the three-term recurrence of
:math:`(1 - (g_0+x)^2)^{-1/2} = \sum_j r_j x^j`,

.. math::  r_0 = (1-g_0^2)^{-1/2},\qquad
           r_{j+1} = r_0^2\,\frac{2 g_0 (j + \tfrac12)\, r_j + j\, r_{j-1}}{j + 1},

:math:`\kappa_0^{(j)}(g_0)/j! = r_{j-1}/(\pi j)` and :math:`\kappa_n' = \frac{n^2}{2n-1}\kappa_{n-1}`.

Cost
----
With :math:`S(m, D) = \binom{D+m}{m}` coefficients in m variables, one product costs
:math:`\binom{D+2m}{2m}` multiply-adds, and each arc-cosine node D products.  :func:`series_cost` states this
up front and :func:`multivariate_coefficients` refuses (SPEC §9c) requests above a limit per mode, saying the
estimated size and the largest total degree that fits.

Non-negativity
--------------
For the kernels of ReLU networks every constant term :math:`g_0` met is in :math:`[0, 1)`, where all Taylor
coefficients of :math:`\kappa_n` are non-negative; every operation then adds non-negative terms, so
:math:`b_{\mathbf n} \ge 0` (Schoenberg: the kernel is positive definite on every multisphere) and no
cancellation occurs.  :meth:`MultiSeries.check_nonnegative` reports the smallest coefficient.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..algebra import Node, as_description, inputs_of, postorder
from ..errors import ParameterError, PrecisionError, check_dps, check_int

__all__ = ["MultiSeries", "multivariate_coefficients", "series_cost", "natural_order", "LIMITS",
           "kappa_taylor_float"]

#: largest number of multiply-adds of one product accepted per mode (SPEC §9c)
LIMITS = {"float": 12_000_000, "mpmath": 400_000, "exact": 20_000}
MODES = ("float", "mpmath", "exact")


def natural_order(names: Sequence[str]) -> list[str]:
    """Sort input names by their numeric parts (``t_2`` before ``t_10``)."""
    def key(s: str):
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", s)]

    return sorted(names, key=key)


# ------------------------------------------------------------------------------------ index tables
@lru_cache(maxsize=64)
def _exponents(m: int, D: int) -> np.ndarray:
    """All multi-indices of m variables with total degree ≤ D, graded (degree by degree), shape (S, m)."""
    rows: list[tuple[int, ...]] = []
    for d in range(D + 1):
        if m == 0:
            if d == 0:
                rows.append(())
            continue
        for bars in _compositions(d, m):
            rows.append(bars)
    return np.array(rows, dtype=np.int64).reshape(len(rows), m)


def _compositions(d: int, m: int):
    if m == 1:
        yield (d,)
        return
    for first in range(d, -1, -1):
        for rest in _compositions(d - first, m - 1):
            yield (first,) + rest


@lru_cache(maxsize=64)
def _degree_starts(m: int, D: int) -> np.ndarray:
    """``starts[d]`` = index of the first multi-index of total degree d (``starts[D+1] = S``)."""
    return np.array([math.comb(d + m - 1, m) if d > 0 else 0 for d in range(D + 2)], dtype=np.int64) \
        if m > 0 else np.array([0] + [1] * (D + 1), dtype=np.int64)


@lru_cache(maxsize=64)
def _keys(m: int, D: int):
    E = _exponents(m, D)
    weights = (D + 1) ** np.arange(m, dtype=np.int64) if m else np.zeros(0, dtype=np.int64)
    keys = E @ weights if m else np.zeros(1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    return weights, keys, keys[order], order


def _index_of_keys(m: int, D: int, query: np.ndarray) -> np.ndarray:
    _, _, sorted_keys, order = _keys(m, D)
    pos = np.searchsorted(sorted_keys, query)
    return order[pos]


@lru_cache(maxsize=16)
def _pairs(m: int, D: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(I, J, K): coefficient I of a times coefficient J of b contributes to K, |a|+|b| ≤ D."""
    starts = _degree_starts(m, D)
    _, keys, _, _ = _keys(m, D)
    Is, Js = [], []
    for d in range(D + 1):
        A = np.arange(starts[d], starts[d + 1], dtype=np.int64)
        B = np.arange(0, starts[D - d + 1], dtype=np.int64)
        Is.append(np.repeat(A, len(B)))
        Js.append(np.tile(B, len(A)))
    I = np.concatenate(Is)
    J = np.concatenate(Js)
    K = _index_of_keys(m, D, keys[I] + keys[J])
    small = np.int32 if len(keys) < 2**31 else np.int64
    return I.astype(small), J.astype(small), K.astype(small)


@lru_cache(maxsize=256)
def _embedding(sub: tuple[int, ...], sup: tuple[int, ...], D: int) -> np.ndarray:
    """Index in the ``sup`` simplex of every multi-index of the ``sub`` simplex (sub ⊂ sup, sorted)."""
    pos = [sup.index(v) for v in sub]
    E = _exponents(len(sub), D)
    weights, _, _, _ = _keys(len(sup), D)
    query = E @ weights[pos] if sub else np.zeros(1, dtype=np.int64)
    return _index_of_keys(len(sup), D, query)


def series_cost(m: int, D: int) -> dict[str, int]:
    """Size of a series in m variables to total degree D: ``terms`` :math:`\\binom{D+m}{m}` and ``pairs``
    :math:`\\binom{D+2m}{2m}` (multiply-adds of one product)."""
    return {"terms": math.comb(D + m, m), "pairs": math.comb(D + 2 * m, 2 * m)}


def _max_degree(m: int, limit: int) -> int:
    D = 0
    while math.comb(D + 1 + 2 * m, 2 * m) <= limit:
        D += 1
    return D


# -------------------------------------------------------------------------------------- backends
class _FloatRing:
    name = "float"

    def zeros(self, n: int):
        return np.zeros(n)

    def const(self, c: sp.Expr):
        return float(c)

    def product(self, a, b, m: int, D: int):
        I, J, K = _pairs(m, D)
        return np.bincount(K, weights=a[I] * b[J], minlength=len(_exponents(m, D)))

    def scale(self, a, c):
        return a * c

    def kappa_taylor(self, n: int, g0, M: int):
        return kappa_taylor_float(n, float(g0), M)

    def exp_taylor(self, g0, M):
        e = math.exp(g0)
        return np.array([e / math.factorial(j) for j in range(M)])

    def sqrt_taylor(self, g0, M):
        if g0 <= 0:
            raise ArithmeticError("sqrt expanded where its argument is not positive")
        return np.array([math.sqrt(g0) * float(sp.binomial(sp.Rational(1, 2), j)) * g0 ** (-j)
                         for j in range(M)])


class _MPRing:
    name = "mpmath"

    def __init__(self, prec: int):
        self.ctx = mpmath.MPContext()
        self.ctx.prec = prec

    def zeros(self, n: int):
        out = np.empty(n, dtype=object)
        out[:] = [self.ctx.zero] * n
        return out

    def const(self, c: sp.Expr):
        d = int(self.ctx.prec * 0.30103) + 10
        return self.ctx.convert(sp.Float(sp.sympify(c).evalf(d), d))

    def product(self, a, b, m: int, D: int):
        I, J, K = _pairs(m, D)
        out = self.zeros(len(_exponents(m, D)))
        nz = np.nonzero(np.array([bool(x) for x in a]))[0]
        keep = np.isin(I, nz)
        np.add.at(out, K[keep], a[I[keep]] * b[J[keep]])
        return out

    def scale(self, a, c):
        return a * c

    def kappa_taylor(self, n: int, g0, M: int):
        return _kappa_taylor_generic(n, g0, M, self.ctx.pi, self.ctx.sqrt, self.ctx.acos, self.ctx.mpf,
                                     lambda k, u: _kappa_value_mp(self.ctx, k, u))

    def exp_taylor(self, g0, M):
        e = self.ctx.exp(g0)
        return [e / self.ctx.factorial(j) for j in range(M)]

    def sqrt_taylor(self, g0, M):
        if g0 <= 0:
            raise ArithmeticError("sqrt expanded where its argument is not positive")
        return [self.ctx.sqrt(g0) * self.ctx.binomial(0.5, j) * g0 ** (-j) for j in range(M)]


class _ExactRing:
    """Exact SymPy coefficients; constants outside Q[1/pi] are bound once each in the straight-line program
    of :mod:`symkernel.interpret.exact` (shared, so both interpreters name constants the same way)."""

    name = "exact"

    def __init__(self):
        from .exact import _Program

        self.program = _Program()

    @property
    def definitions(self) -> list[tuple[sp.Symbol, sp.Expr]]:
        return self.program.definitions

    def bind(self, e: sp.Expr, stem: str = "y") -> sp.Expr:
        return self.program.bind(sp.sympify(e), stem)

    def zeros(self, n: int):
        out = np.empty(n, dtype=object)
        out[:] = [sp.Integer(0)] * n
        return out

    def const(self, c: sp.Expr):
        return self.bind(sp.sympify(c))

    def product(self, a, b, m: int, D: int):
        I, J, K = _pairs(m, D)
        groups: dict[int, list] = {}
        for i, j, k in zip(I.tolist(), J.tolist(), K.tolist()):
            x, y = a[i], b[j]
            if x != 0 and y != 0:
                groups.setdefault(k, []).append(x * y)
        out = self.zeros(len(_exponents(m, D)))
        for k, terms in groups.items():
            out[k] = self.bind(sp.expand(sp.Add(*terms)))
        return out

    def scale(self, a, c):
        out = self.zeros(len(a))
        for i, x in enumerate(a):
            out[i] = self.bind(sp.expand(x * c)) if x != 0 else sp.Integer(0)
        return out

    def kappa_taylor(self, n: int, g0, M: int):
        if g0 == 0:
            from ..arccos import kappa_maclaurin

            return kappa_maclaurin(n, M)
        g = self.bind(g0, "c")
        R = self.bind(1 / sp.sqrt(1 - g0**2), "r")
        out = _kappa_taylor_generic(n, g, M, sp.pi, None, None, sp.Integer,
                                    lambda k, u: self.bind(_kappa_value_exact(k, g0), "k"), R=R)
        return [self.bind(sp.expand(c)) for c in out]

    def exp_taylor(self, g0, M):
        e = self.bind(sp.exp(g0), "e")
        return [e / sp.factorial(j) for j in range(M)]

    def sqrt_taylor(self, g0, M):
        w = self.bind(sp.sqrt(g0), "w")
        return [w * sp.binomial(sp.Rational(1, 2), j) * self.bind(1 / g0, "v") ** j for j in range(M)]


def _kappa_value_mp(ctx, n: int, u):
    if n == 0:
        return 1 - ctx.acos(u) / ctx.pi
    if n == 1:
        return (ctx.sqrt(1 - u * u) + (ctx.pi - ctx.acos(u)) * u) / ctx.pi
    from ..arccos import kappa_angle_expr

    th = sp.Symbol("theta", real=True)
    d = int(ctx.prec * 0.30103) + 10
    return ctx.convert(sp.Float(kappa_angle_expr(n).subs(th, sp.Float(ctx.acos(u), d)).evalf(d), d))


def _kappa_value_exact(n: int, u: sp.Expr) -> sp.Expr:
    from ..arccos import kappa

    return kappa(n, u)


def _kappa_taylor_generic(n, g0, M, pi, sqrt, acos, one, value, R=None):
    """[x^j] kappa_n(g0 + x), j < M, by the recurrence of (1-(g0+x)^2)^{-1/2} (module docstring)."""
    if R is None:
        R = 1 / sqrt(1 - g0 * g0)
    R2 = R * R
    r = [R]
    for j in range(0, M):
        prev = r[j - 1] if j >= 1 else 0
        r.append(R2 * (2 * g0 * (j + one(1) / 2) * r[j] + j * prev) / (j + 1))
    coeffs = [value(0, g0)] + [r[j - 1] / (pi * j) for j in range(1, M)]
    for k in range(1, n + 1):
        factor = one(k * k) / (2 * k - 1)
        coeffs = [value(k, g0)] + [factor * coeffs[j - 1] / j for j in range(1, M)]
    return coeffs[:M]


def kappa_taylor_float(n: int, g0: float, M: int) -> np.ndarray:
    r"""Taylor coefficients :math:`\kappa_n^{(j)}(g_0)/j!`, j < M, in float64 (computed at 40 digits)."""
    ctx = mpmath.MPContext()
    ctx.dps = 40
    g = ctx.mpf(g0)
    out = _kappa_taylor_generic(n, g, M, ctx.pi, ctx.sqrt, ctx.acos, ctx.mpf,
                                lambda k, u: _kappa_value_mp(ctx, k, u))
    return np.array([float(c) for c in out])


# -------------------------------------------------------------------------------------- engine
@dataclass
class _Ser:
    vars: tuple[int, ...]
    c: Any  # array over the simplex of len(vars) variables


def _embed(ring, s: _Ser, sup: tuple[int, ...], D: int):
    if s.vars == sup:
        return s.c
    idx = _embedding(s.vars, sup, D)
    out = ring.zeros(len(_exponents(len(sup), D)))
    out[idx] = s.c
    return out


def _union(*vs: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set().union(*vs)))


def _mul(ring, a: _Ser, b: _Ser, D: int) -> _Ser:
    if not a.vars:
        return _Ser(b.vars, ring.scale(b.c, a.c[0]))
    if not b.vars:
        return _Ser(a.vars, ring.scale(a.c, b.c[0]))
    sup = _union(a.vars, b.vars)
    return _Ser(sup, ring.product(_embed(ring, a, sup, D), _embed(ring, b, sup, D), len(sup), D))


def _compose(ring, outer, g: _Ser, D: int) -> _Ser:
    """sum_j outer[j] (g - g0)^j by Horner."""
    if not g.vars:
        return _Ser((), _const_array(ring, outer[0]))
    h = _Ser(g.vars, g.c.copy())
    h.c[0] = ring.zeros(1)[0]
    S = len(h.c)
    acc = _Ser(g.vars, ring.zeros(S))
    acc.c[0] = outer[D]
    for j in range(D - 1, -1, -1):
        acc = _Ser(g.vars, ring.product(acc.c, h.c, len(g.vars), D))
        acc.c[0] = acc.c[0] + outer[j]
    return acc


def _const_array(ring, value):
    arr = ring.zeros(1)
    arr[0] = value
    return arr


def _run(root: Node, variables: tuple[str, ...], D: int, ring) -> np.ndarray:
    pos = {v: i for i, v in enumerate(variables)}
    memo: dict[int, _Ser] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            if node.data not in pos:
                raise ParameterError("variables", variables, f"a list containing the input {node.data!r}")
            c = ring.zeros(D + 1)
            if D >= 1:
                c[1] = ring.const(1)
            v = _Ser((pos[node.data],), c)
        elif node.op == "const":
            v = _Ser((), _const_array(ring, ring.const(node.data)))
        elif node.op == "add":
            sup = _union(*(x.vars for x in a))
            out = ring.zeros(len(_exponents(len(sup), D)))
            for x in a:
                out = out + _embed(ring, x, sup, D)
            if ring.name == "exact":
                out = np.array([ring.bind(sp.expand(e)) for e in out], dtype=object)
            v = _Ser(sup, out)
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = _mul(ring, v, x, D)
        elif node.op == "kappa":
            g = a[0]
            g0 = g.c[0]
            if ring.name != "exact" and not (-1 < float(g0) < 1):
                raise ArithmeticError("an arc-cosine kernel expanded at |g(0)| >= 1: no power series")
            v = _compose(ring, ring.kappa_taylor(node.data, g0, D + 1), g, D)
        elif node.op == "exp":
            v = _compose(ring, ring.exp_taylor(a[0].c[0], D + 1), a[0], D)
        elif node.op == "sqrt":
            v = _compose(ring, ring.sqrt_taylor(a[0].c[0], D + 1), a[0], D)
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    root_s = memo[id(root)]
    full = tuple(range(len(variables)))
    return _embed(ring, root_s, full, D)


# -------------------------------------------------------------------------------------- results
@dataclass
class MultiSeries:
    r"""Truncated multivariate Maclaurin series :math:`\sum_{|\mathbf n|\le D} b_{\mathbf n} t^{\mathbf n}`.

    Attributes
    ----------
    variables : tuple of str
        Input names, in the order of the exponent columns.
    degree : int
        Total degree D.
    exponents : ndarray, shape (S, m)
        Multi-indices, graded by total degree.
    coefficients : ndarray (float) or list (mpf / SymPy)
        :math:`b_{\mathbf n}` in the order of ``exponents``.
    mode : str
        ``"float"``, ``"mpmath"`` or ``"exact"``.
    definitions : list
        For ``exact`` with ``keep_constants=True``: the straight-line program of bound constants.
    """

    variables: tuple[str, ...]
    degree: int
    exponents: np.ndarray
    coefficients: Any
    mode: str
    dps: int | None = None
    definitions: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.exponents)

    def index(self, n: Sequence[int] | dict[str, int]) -> int:
        """Position of the multi-index ``n`` (a tuple in variable order or a dict name -> power)."""
        if isinstance(n, dict):
            n = [int(n.get(v, 0)) for v in self.variables]
        n = [int(x) for x in n]
        if len(n) != len(self.variables) or min(n, default=0) < 0 or sum(n) > self.degree:
            raise ParameterError("n", n, f"{len(self.variables)} non-negative powers of total "
                                 f"<= {self.degree}")
        weights, _, _, _ = _keys(len(self.variables), self.degree)
        key = int(np.dot(n, weights)) if n else 0
        return int(_index_of_keys(len(self.variables), self.degree, np.array([key]))[0])

    def __getitem__(self, n) -> Any:
        return self.coefficients[self.index(n)]

    def as_float(self) -> np.ndarray:
        """Coefficients as a float64 array."""
        if self.mode == "float":
            return np.asarray(self.coefficients, dtype=float)
        return np.array([float(sp.N(c, 20)) if self.mode == "exact" else float(c)
                         for c in self.coefficients])

    def shell_sums(self) -> np.ndarray:
        r""":math:`\sum_{|\mathbf n| = N} b_{\mathbf n}`, N = 0..D (the series of :math:`K(t,\dots,t)`)."""
        b = self.as_float()
        deg = self.exponents.sum(axis=1)
        return np.bincount(deg, weights=b, minlength=self.degree + 1)

    def check_nonnegative(self, rtol: float = 1e-12) -> tuple[bool, float]:
        """``(ok, min_b)``: whether every :math:`b_n \\ge -rtol \\cdot \\max b` (Schoenberg)."""
        b = self.as_float()
        mn = float(b.min()) if len(b) else 0.0
        return mn >= -rtol * float(np.abs(b).max() or 1.0), mn

    def evaluate(self, t: Sequence[float]) -> float:
        """Float64 value of the truncated series at t (one value per variable)."""
        t = np.asarray(t, dtype=float)
        return float(np.sum(self.as_float() * np.prod(t[None, :] ** self.exponents, axis=1)))

    def as_dict(self) -> dict[tuple[int, ...], Any]:
        return {tuple(int(x) for x in e): c for e, c in zip(self.exponents, self.coefficients)}

    def to_sympy(self, symbols: Sequence[sp.Symbol] | None = None) -> sp.Expr:
        """The truncated series as a SymPy polynomial expression."""
        syms = symbols or [sp.Symbol(v, real=True) for v in self.variables]
        terms = []
        for e, c in zip(self.exponents, self.coefficients):
            coef = c if self.mode == "exact" else sp.Float(str(c), self.dps or 17)
            terms.append(coef * sp.Mul(*[s**int(k) for s, k in zip(syms, e)]))
        return sp.Add(*terms)


def multivariate_coefficients(kernel: Any, degree: int, mode: str = "float", dps: int = 30,
                              variables: Sequence[str] | None = None, keep_constants: bool = False,
                              limit: int | None = None) -> MultiSeries:
    r"""Multivariate Maclaurin coefficients :math:`b_{\mathbf n}`, :math:`|\mathbf n| \le` ``degree``.

    Parameters
    ----------
    kernel : Kernel or Node
        A description in several inputs (for example ``conv("eq", ...)``, inputs ``t_i`` of the receptive
        field).
    degree : int
        Total degree D ≥ 0.
    mode : {"float", "mpmath", "exact"}
    dps : int
        Significant digits promised in ``mpmath`` mode (checked against a run 40 bits more precise).
    variables : sequence of str, optional
        Order of the variables (default: the inputs in natural order).
    keep_constants : bool
        ``exact`` mode: return coefficients in bound symbols plus ``definitions`` (a straight-line program)
        instead of substituting them.
    limit : int, optional
        Override the refusal limit (multiply-adds of one product; default ``LIMITS[mode]``).

    Raises
    ------
    ParameterError
        When the estimated cost exceeds the limit (the message gives the size and the largest degree that
        fits), or for bad parameters.

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa1
    >>> s = multivariate_coefficients(kappa1((Input("t_0") + Input("t_1")) / 2), 2, mode="exact")
    >>> s[(1, 1)]
    1/(4*pi)
    """
    node = as_description(kernel)
    if mode not in MODES:
        raise ParameterError("mode", mode, "one of 'float', 'mpmath', 'exact'")
    D = check_int("degree", degree, 0, 10_000)
    names = tuple(natural_order(inputs_of(node))) if variables is None else tuple(variables)
    missing = set(inputs_of(node)) - set(names)
    if missing:
        raise ParameterError("variables", variables, f"a list containing every input ({sorted(missing)})")
    m = len(names)
    cost = series_cost(m, D)
    lim = LIMITS[mode] if limit is None else int(limit)
    if cost["pairs"] > lim:
        raise ParameterError(
            "degree", D,
            f"a smaller request: the series in {m} variables to total degree {D} has {cost['terms']:,} "
            f"coefficients and one product needs {cost['pairs']:,} multiply-adds (limit {lim:,} in mode "
            f"{mode!r}); ask for degree <= {_max_degree(m, lim)}"
            + (" or mode='float'" if mode != "float" else "") + ", or use a smaller receptive field")
    E = _exponents(m, D)
    if mode == "float":
        coeffs = _run(node, names, D, _FloatRing())
        return MultiSeries(names, D, E, coeffs, mode)
    if mode == "exact":
        ring = _ExactRing()
        coeffs = _run(node, names, D, ring)
        defs = ring.program.used_by([c for c in coeffs if isinstance(c, sp.Basic)])
        if keep_constants:
            return MultiSeries(names, D, E, list(coeffs), mode, definitions=defs)
        out = list(coeffs)
        for sym, value in reversed(defs):
            out = [c.xreplace({sym: value}) if isinstance(c, sp.Basic) else c for c in out]
        return MultiSeries(names, D, E, out, mode)
    dps = check_dps(dps)
    target = int(dps * 3.33) + 4
    prec = target + 20 + 2 * max(1, D).bit_length() + 2 * len(postorder(node)).bit_length()
    lo = _run(node, names, D, _MPRing(prec))
    for _ in range(6):
        hi = _run(node, names, D, _MPRing(prec + 40))
        worst = 0
        for x, y in zip(lo, hi):
            if y == 0:
                if x != 0:
                    worst = max(worst, 40)
                continue
            diff = abs(x - y)
            if diff and diff > abs(y) * mpmath.ldexp(1, -target):
                worst = max(worst, int(mpmath.log(abs(y) / diff, 2)) if diff else 0)
                worst = max(worst, 1)
        if worst == 0:
            ctx = mpmath.MPContext()
            ctx.dps = dps
            return MultiSeries(names, D, E, [+ctx.convert(c) for c in hi], mode, dps=dps)
        lo, prec = hi, prec + 40
    raise PrecisionError(f"could not certify {dps} digits of the multivariate coefficients")
