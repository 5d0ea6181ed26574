r"""Exact series interpreter: the first Maclaurin coefficients as SymPy expressions.

An arc-cosine kernel composed with a series g is expanded by the composition rule (SPEC §6): with
:math:`c = g(0)` and :math:`h = g - c` (so :math:`h(0) = 0`),

.. math::  \kappa_n(c + h(t)) = \sum_{m < N} \frac{\kappa_n^{(m)}(c)}{m!}\, h(t)^m \pmod{t^N}.

For :math:`c = 0` the closed-form Maclaurin coefficients (:func:`symkernel.arccos.kappa_maclaurin`) are used,
so the arc-cosine kernels of t and the two-layer kernels come out as rational multiples of powers of
:math:`1/\pi`, fully simplified.

Deep kernels: expanding everything in radicals grows exponentially with depth (the depth-5 NTK's
:math:`b_7` has :math:`7\cdot10^5` monomials in its nested constants).  Instead every coefficient of an
intermediate series that is not a plain number of :math:`\mathbb{Q}[1/\pi]` is *bound* to a fresh symbol
:math:`y_j` with its definition, and the interior values :math:`c`, :math:`(1-c^2)^{-1/2}`, :math:`\arccos c`
likewise; the derivatives are :math:`\kappa_0^{(m)}(c) = \pi^{-1} D^{m-1}(1-u^2)^{-1/2}|_{u=c}` and
:math:`\kappa_n' = \frac{n^2}{2n-1}\kappa_{n-1}`.  The result is a *straight-line program* — exact, of size
linear in the depth — returned as is (``keep_constants=True``) or substituted into one exact (unexpanded)
SymPy expression per coefficient.  :func:`evaluate_program` evaluates the program in mpmath in linear time.
"""

from __future__ import annotations

from functools import cache

import mpmath
import sympy as sp

from ..algebra import Node, postorder
from ..arccos import kappa_expr, kappa_maclaurin, kappa_variable
from ..errors import ParameterError, check_dps, check_int

__all__ = ["exact_coefficients", "evaluate_program"]


def _is_simple(e: sp.Expr) -> bool:
    """A number of Q[1/pi] (kept inline) or a symbol.  Roots and arc-cosines of such numbers are not simple
    (``as_poly`` would accept them with coefficients in SymPy's expression domain)."""
    if e.is_Symbol or e.is_Rational:
        return True
    if e.free_symbols or not e.is_number:
        return False
    poly = sp.expand(e).as_poly(sp.pi**-1)
    return poly is not None and (poly.domain.is_QQ or poly.domain.is_ZZ)


def _mul(a: list, b: list, N: int) -> list:
    out = [sp.Integer(0)] * N
    for i, x in enumerate(a[:N]):
        if x == 0:
            continue
        for j, y in enumerate(b[: N - i]):
            if y != 0:
                out[i + j] += x * y
    return [sp.expand(c) for c in out]


def _compose(outer: list, h: list, N: int) -> list:
    """sum_m outer[m] h^m mod t^N, for h(0) = 0."""
    result = [sp.Integer(0)] * N
    power = [sp.Integer(1)] + [sp.Integer(0)] * (N - 1)
    for m in range(N):
        if m > 0:
            power = _mul(power, h, N)
            if all(p == 0 for p in power):
                break
        if outer[m] != 0:
            result = [r + outer[m] * p for r, p in zip(result, power)]
    return [sp.expand(r) for r in result]


@cache
def _derivative_polys(n: int, M: int) -> tuple:
    """kappa_n^{(m)}(u)/m! for m < M as expressions in u, R = (1-u^2)^{-1/2}, A = acos(u), pi."""
    u = kappa_variable()
    R, A = sp.Symbol("R"), sp.Symbol("A")
    value = sp.expand(kappa_expr(n).subs({sp.acos(u): A, sp.sqrt(1 - u**2): (1 - u**2) * R}))
    out = [value]
    if n == 0:
        d = R / sp.pi
        for m in range(1, M):
            out.append(d / sp.factorial(m))
            d = sp.expand(sp.diff(d, u) + sp.diff(d, R) * u * R**3 - sp.diff(d, A) * R)
        return tuple(out)
    lower = _derivative_polys(n - 1, max(M - 1, 1))
    factor = sp.Rational(n * n, 2 * n - 1)
    return tuple(out + [factor * lower[m - 1] / m for m in range(1, M)])


class _Program:
    """Straight-line program of bound constants: each distinct value is bound once (the arc-cosine of an
    expansion point is shared by the kappa_0 and kappa_1 nodes at that point, for example)."""

    def __init__(self) -> None:
        self.definitions: list[tuple[sp.Symbol, sp.Expr]] = []
        self._bound: dict[sp.Expr, sp.Symbol] = {}

    def bind(self, expr: sp.Expr, stem: str = "y") -> sp.Expr:
        if _is_simple(expr):
            return expr
        sym = self._bound.get(expr)
        if sym is None:
            sym = self._bound[expr] = sp.Symbol(f"{stem}_{len(self.definitions) + 1}")
            self.definitions.append((sym, expr))
        return sym

    def used_by(self, exprs: list) -> list[tuple[sp.Symbol, sp.Expr]]:
        """The definitions that ``exprs`` need (directly or through later definitions), in order."""
        needed = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
        keep = []
        for sym, value in reversed(self.definitions):
            if sym in needed:
                keep.append((sym, value))
                needed |= value.free_symbols
        return keep[::-1]


def exact_coefficients(root: Node, N: int, variable: str = "t", keep_constants: bool = False):
    """Exact :math:`b_0, \\dots, b_{N-1}` of a univariate description.

    Parameters
    ----------
    keep_constants : bool
        If True return ``(coefficients, definitions)``: coefficients in terms of bound symbols and the
        ordered definitions ``[(symbol, expression), ...]`` that they need (each expression uses earlier
        symbols only; each distinct constant is bound once: ``a_j`` arc-cosines, ``r_j`` reciprocal roots
        :math:`(1-c^2)^{-1/2}`, ``y_j`` other coefficients).  Otherwise the definitions are substituted
        (exact, unexpanded expressions whose printed size grows exponentially with the depth).
    """
    N = check_int("n", N, 1, 200)
    prog = _Program()
    u, R, A = kappa_variable(), sp.Symbol("R"), sp.Symbol("A")
    memo: dict[int, list] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            if node.data != variable:
                raise ParameterError("kernel", node.data, f"a kernel of the single input {variable!r}")
            v = ([sp.Integer(0), sp.Integer(1)] + [sp.Integer(0)] * N)[:N]
        elif node.op == "const":
            v = [node.data] + [sp.Integer(0)] * (N - 1)
        elif node.op == "add":
            v = [sp.expand(sp.Add(*c)) for c in zip(*a)]
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = _mul([prog.bind(c) for c in v], [prog.bind(c) for c in x], N)
        elif node.op == "kappa":
            g = [prog.bind(c) for c in a[0]]
            h = [sp.Integer(0)] + g[1:]
            if g[0] == 0:
                outer = kappa_maclaurin(node.data, N)
            else:
                c = g[0]
                sub = {u: c, R: prog.bind(1 / sp.sqrt(1 - c**2), "r"), A: prog.bind(sp.acos(c), "a")}
                outer = [sp.expand(p.xreplace(sub)) for p in _derivative_polys(node.data, N)]
            v = _compose(outer, h, N)
        elif node.op in ("exp", "sqrt"):
            g = [prog.bind(c) for c in a[0]]
            h = [sp.Integer(0)] + g[1:]
            if node.op == "exp":
                e0 = prog.bind(sp.exp(g[0]), "e")
                outer = [e0 / sp.factorial(m) for m in range(N)]
            else:
                w0 = prog.bind(sp.sqrt(g[0]), "w")
                inv = prog.bind(1 / g[0], "v")
                outer = [w0 * sp.binomial(sp.Rational(1, 2), m) * inv**m for m in range(N)]
            v = _compose(outer, h, N)
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    coeffs = memo[id(root)]
    definitions = prog.used_by(coeffs)
    if not definitions:
        return ([sp.together(c) for c in coeffs], []) if keep_constants else [sp.together(c) for c in coeffs]
    if keep_constants:
        return coeffs, definitions
    for sym, value in reversed(definitions):
        coeffs = [c.xreplace({sym: value}) for c in coeffs]
    return coeffs


def evaluate_program(coeffs: list, definitions: list, dps: int = 30) -> list:
    """Evaluate a straight-line program from :func:`exact_coefficients` (``keep_constants=True``)
    in mpmath, in time linear in its length (an independent route to the coefficients)."""
    dps = check_dps(dps)
    ctx = mpmath.MPContext()
    ctx.dps = dps + 20
    env: dict[sp.Symbol, sp.Float] = {}
    for sym, expr in definitions:
        env[sym] = sp.Float(expr.xreplace(env).evalf(ctx.dps), ctx.dps)
    return [ctx.convert(sp.Float(c.xreplace(env).evalf(ctx.dps), ctx.dps)) for c in coeffs]
