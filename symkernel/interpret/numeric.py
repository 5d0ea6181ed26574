r"""Numeric interpreter: values of a kernel description at a point, in mpmath (any precision) or numpy.

The angle form
--------------
Every node is evaluated as a pair :math:`(v, D)`: its value :math:`v` and its *defect*
:math:`D = V - v`, where :math:`V` is the node's exact value when every input equals 1 (the diagonal).  For an
input given by its angle, :math:`D = 1 - \cos\theta = 2\sin^2(\theta/2)` is exact, and for
:math:`\kappa_n` applied to a correlation :math:`u` (with :math:`V = 1`) the angle is recovered without
cancellation as :math:`\theta = 2\arcsin\sqrt{D/2}`; then (SPEC §2)

.. math::  \kappa_0 = 1 - \theta/\pi,\qquad
           1 - \kappa_1 = \frac{2\pi\sin^2(\theta/2) - (\sin\theta - \theta\cos\theta)}{\pi},

with :math:`\sin\theta - \theta\cos\theta = \sum_{k\ge1} (-1)^{k+1} 2k\,\theta^{2k+1}/(2k+1)!` summed
directly for small :math:`\theta`.  Sums and products carry their defects exactly
(:math:`D(ab) = D_a V_b + a D_b`), so every layer of a deep recursion keeps full *relative* accuracy of
:math:`1 - \Sigma^{(l)}` even where :math:`\Sigma^{(l)}` is within rounding of 1.  This is what makes
Gauss–Legendre quadrature in :math:`\theta` exponentially convergent in float64 and in mpmath.

Precision contract (mpmath)
---------------------------
:func:`evaluate` works in a private :class:`mpmath.MPContext` (the global ``mp`` is never touched), first
at ``dps`` plus guard digits and again with 10 more digits; the result is returned when the two runs agree
to ``dps + 1`` significant digits, otherwise the working precision is raised and the comparison repeated.
Values smaller than :math:`10^{-2\,\mathrm{dps}-10}` times the diagonal value at two successive precisions
are returned as 0 (absolute accuracy); if neither happens below a precision cap a
:class:`~symkernel.errors.PrecisionError` is raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..algebra import Node, postorder
from ..arccos import angle_variable, kappa_angle_expr
from ..errors import ParameterError, PrecisionError

__all__ = ["evaluate", "evaluate_numpy", "evaluate_at_precision", "values_at_one", "mp_context",
           "dps_to_bits"]


def dps_to_bits(dps: int) -> int:
    """Bits of binary precision carrying ``dps`` decimal digits."""
    return int(math.ceil(dps * math.log2(10))) + 1


@lru_cache(maxsize=64)
def mp_context(prec_bits: int) -> mpmath.ctx_mp.MPContext:
    """A private mpmath context at ``prec_bits`` bits (cached; never modified after creation)."""
    ctx = mpmath.MPContext()
    ctx.prec = prec_bits
    return ctx


def output_context(dps: int) -> mpmath.ctx_mp.MPContext:
    """The context whose numbers are returned to users: prints ``dps`` digits."""
    return mp_context(dps_to_bits(dps))


@lru_cache(maxsize=256)
def values_at_one(root: Node) -> dict[int, sp.Expr]:
    """Exact value of every node when all inputs equal 1 (keyed by ``id(node)``).

    Raises ``ValueError`` if some :math:`\\kappa_n` is applied to a node that is not a correlation
    (whose value
    at the diagonal is not 1): the arc-cosine kernels are only defined for normalised arguments.
    """
    memo: dict[int, sp.Expr] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            v = sp.Integer(1)
        elif node.op == "const":
            v = node.data
        elif node.op == "add":
            v = sp.Add(*a)
        elif node.op == "mul":
            v = sp.Mul(*a)
        elif node.op == "kappa":
            if sp.simplify(a[0] - 1) != 0:
                raise ValueError(
                    f"kappa{node.data} applied to a node whose diagonal value is {a[0]}, not 1"
                )
            v = sp.Integer(1)
        elif node.op == "exp":
            v = sp.exp(a[0])
        elif node.op == "sqrt":
            v = sp.sqrt(a[0])
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    return memo


# ----------------------------------------------------------------------------------------------
# backends: the same recursion in mpmath and in numpy
# ----------------------------------------------------------------------------------------------
class _MPBackend:
    def __init__(self, ctx):
        self.ctx = ctx
        self.pi = ctx.pi
        self.sin, self.cos, self.asin, self.acos = ctx.sin, ctx.cos, ctx.asin, ctx.acos
        self.sqrt, self.exp, self.expm1 = ctx.sqrt, ctx.exp, ctx.expm1

    def const(self, c: sp.Expr):
        cache = self.__dict__.setdefault("_consts", {})
        v = cache.get(c)
        if v is None:
            digits = mpmath.libmp.prec_to_dps(self.ctx.prec) + 5
            v = cache[c] = self.ctx.convert(sp.Float(c.evalf(digits), digits))
        return v

    def clip(self, x, lo, hi):
        return min(max(x, lo), hi)

    def sin_minus_theta_cos(self, th):
        ctx = self.ctx
        if th < 0.5:
            # series sum_{k>=1} (-1)^{k+1} 2k th^{2k+1}/(2k+1)!, terms decrease fast
            total = ctx.mpf(0)
            term = th**3 / 6  # th^{2k+1}/(2k+1)! for k = 1
            k = 1
            eps = ctx.eps
            while True:
                total += (-1) ** (k + 1) * 2 * k * term
                k += 1
                term = term * th * th / ((2 * k) * (2 * k + 1))
                if not term or abs(term) * 2 * k < eps * abs(total):
                    break
            return total
        return ctx.sin(th) - th * ctx.cos(th)

    def kappa_n(self, n: int, th):
        f = _angle_function_mp(n)
        return f(self.ctx, th)


class _NPBackend:
    pi = np.pi
    sin, cos, asin, acos = staticmethod(np.sin), staticmethod(np.cos), staticmethod(
        np.arcsin), staticmethod(np.arccos)
    sqrt, exp, expm1 = staticmethod(np.sqrt), staticmethod(np.exp), staticmethod(np.expm1)

    @staticmethod
    def const(c: sp.Expr):
        return float(c)

    @staticmethod
    def clip(x, lo, hi):
        return np.clip(x, lo, hi)

    @staticmethod
    def sin_minus_theta_cos(th):
        th = np.asarray(th, dtype=float)
        out = np.array(np.sin(th) - th * np.cos(th), dtype=float)
        small = th < 0.5
        if np.any(small):  # the series only where it is needed (most angles of a quadrature are not small)
            ts = th[small]
            total = np.zeros_like(ts)
            term = ts**3 / 6
            for k in range(1, 12):
                total += (-1) ** (k + 1) * 2 * k * term
                term = term * ts * ts / ((2 * k + 2) * (2 * k + 3))
            out[small] = total
        return out

    @staticmethod
    def kappa_n(n: int, th):
        return _angle_function_np(n)(th)


@cache
def _angle_function_mp(n: int):
    expr = kappa_angle_expr(n)
    th = angle_variable()

    def f(ctx, value):
        return ctx.convert(
            sp.Float(expr.subs(th, sp.Float(value, mpmath.libmp.prec_to_dps(ctx.prec) + 5)).evalf(
                mpmath.libmp.prec_to_dps(ctx.prec) + 5)))

    return f


@cache
def _angle_function_np(n: int):
    return sp.lambdify(angle_variable(), kappa_angle_expr(n), modules="numpy")


def _sqrt_defect(B, d_arg, sV, v):
    """Defect of sqrt: sqrt(V) - sqrt(a) = D_a / (sqrt(V) + sqrt(a)); 0 where both roots vanish."""
    if B is _NPBackend:
        denom = np.asarray(sV + v, dtype=float)
        safe = np.where(denom > 0, denom, 1.0)
        return np.where(denom > 0, d_arg / safe, sV - v)
    return d_arg / (sV + v) if (sV + v) else sV - v


def _kappa_pair(B, n: int, th):
    """(value, defect) of kappa_n at angle th."""
    if n == 0:
        d = th / B.pi
        return 1 - d, d
    if n == 1:
        half = B.sin(th / 2)
        d = (2 * B.pi * half * half - B.sin_minus_theta_cos(th)) / B.pi
        return 1 - d, d
    v = B.kappa_n(n, th)
    return v, 1 - v


def _angle_from_defect(B, d, v):
    """Angle of a correlation with value v and defect d = 1 - v, accurate at both ends."""
    d = B.clip(d, 0 * d, 0 * d + 2)
    if B is _NPBackend:
        near_one = d <= 1
        a = 2 * np.arcsin(np.sqrt(np.clip(d, 0, 1) / 2))
        b = np.pi - 2 * np.arcsin(np.sqrt(np.clip(1 + v, 0, 1) / 2))
        return np.where(near_one, a, b)
    if d <= 1:
        return 2 * B.asin(B.sqrt(d / 2))
    return B.pi - 2 * B.asin(B.sqrt(B.clip(1 + v, 0, 1) / 2))


def _run(B, root: Node, point: Mapping[str, Any], angles: Mapping[str, Any], ones: dict[int, Any]):
    memo: dict[int, tuple[Any, Any]] = {}
    angle_of: dict[int, Any] = {}
    Vnum: dict[int, Any] = {}
    for node in postorder(root):
        key = id(node)
        if node.op == "input":
            name = node.data
            if name in angles:
                th = angles[name]
                half = B.sin(th / 2)
                pair = (B.cos(th), 2 * half * half)
                angle_of[key] = th
            else:
                t = point[name]
                pair = (t, 1 - t)
            memo[key] = pair
            Vnum[key] = 1
            continue
        a = [memo[id(x)] for x in node.args]
        if node.op == "const":
            c = B.const(node.data)
            pair = (c, 0 * c)
            Vnum[key] = c
        elif node.op == "add":
            v = a[0][0]
            d = a[0][1]
            size_v = abs(a[0][0])
            size_d = abs(a[0][1])
            for x in a[1:]:
                v = v + x[0]
                d = d + x[1]
                size_v = size_v + abs(x[0])
                size_d = size_d + abs(x[1])
            V = B.const(ones[key])
            Vnum[key] = V
            # the sum of values loses everything where it cancels (1 - t near t = 1); V - D is then exact
            # to eps (|V| + sum |D_i|): take whichever has the smaller rounding bound
            if B is _NPBackend:
                v = np.where(abs(V) + size_d < size_v, V - d, v)
            elif abs(V) + size_d < size_v:
                v = V - d
            pair = (v, d)
        elif node.op == "mul":
            v, d = a[0]
            for child, x in zip(node.args[1:], a[1:]):
                d = d * Vnum[id(child)] + v * x[1]  # D(ab) = D_a V_b + a D_b
                v = v * x[0]
            pair = (v, d)
            Vnum[key] = B.const(ones[key])
        elif node.op == "kappa":
            arg = node.args[0]
            th = angle_of.get(id(arg))
            if th is None:
                th = _angle_from_defect(B, a[0][1], a[0][0])
            pair = _kappa_pair(B, node.data, th)
            Vnum[key] = 1
        elif node.op == "exp":
            Va = Vnum[id(node.args[0])]
            eV = B.exp(Va)
            pair = (B.exp(a[0][0]), -eV * B.expm1(-a[0][1]))
            Vnum[key] = eV
        elif node.op == "sqrt":
            Va = Vnum[id(node.args[0])]
            sV = B.sqrt(Va)
            v = B.sqrt(a[0][0])
            pair = (v, _sqrt_defect(B, a[0][1], sV, v))
            Vnum[key] = sV
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[key] = pair
    return memo[id(root)]


def evaluate_numpy(root: Node, point: Mapping[str, Any] | None = None,
                   angles: Mapping[str, Any] | None = None, defect: bool = False):
    """Evaluate in float64 (vectorised over numpy arrays).

    Parameters
    ----------
    point : mapping name -> array of input values t in [-1, 1] (clamped).
    angles : mapping name -> array of angles theta in [0, pi] (preferred: no loss near t = ±1).
    defect : also return :math:`D = K(1,\\dots,1) - K` computed without cancellation.
    """
    point = {k: np.clip(np.asarray(v, dtype=float), -1.0, 1.0) for k, v in (point or {}).items()}
    angles = {k: np.asarray(v, dtype=float) for k, v in (angles or {}).items()}
    ones = values_at_one(root)
    v, d = _run(_NPBackend, root, point, angles, ones)
    # np.broadcast_shapes takes any number of inputs (np.broadcast stops at 64; gap heads have p^2 inputs)
    shape = np.broadcast_shapes(*[np.shape(a) for a in list(point.values()) + list(angles.values())])
    v = np.broadcast_to(np.asarray(v, dtype=float), shape) + 0.0
    d = np.broadcast_to(np.asarray(d, dtype=float), shape) + 0.0
    return (v, d) if defect else v


def evaluate_at_precision(root: Node, prec: int, *, angles: Any = None, points: Any = None,
                          variable: str = "t") -> list:
    """Values of a univariate description at many angles (or values of t) at a fixed working precision.

    No adaptive check: the caller owns the precision (the quadrature routes of :mod:`symkernel.spectrum`
    choose it from their error analysis).  Constants are converted once; the angle (defect) form is used.
    """
    ctx = mp_context(prec)
    B = _MPBackend(ctx)
    ones = values_at_one(root)
    if angles is not None:
        return [_run(B, root, {}, {variable: th}, ones)[0] for th in angles]
    return [_run(B, root, {variable: t}, {}, ones)[0] for t in points]


def _to_exact(name: str, x: Any) -> sp.Expr:
    from ..algebra import exact_number

    if isinstance(x, str):
        try:
            return sp.Rational(x.strip())
        except (TypeError, ValueError) as exc:
            raise ParameterError(name, x, "a decimal number such as 0.3 or 1/3") from exc
    return exact_number(x, name)


def evaluate(root: Node, point: Mapping[str, Any] | None = None, dps: int = 15,
             angles: Mapping[str, Any] | None = None, defect: bool = False):
    """Evaluate at ``dps`` significant digits (mpmath), with the adaptive check described above.

    ``point`` maps input names to values in [-1, 1] (exact numbers, decimal strings, floats read through
    their shortest decimal representation, mpf read exactly); ``angles`` maps names to angles in [0, π].
    Returns an mpf of a private context that prints ``dps`` digits (with ``defect=True`` a pair
    ``(value, defect)``).
    """
    exact_pt = {k: _to_exact(k, v) for k, v in (point or {}).items()}
    exact_ang = {k: _to_exact(k, v) for k, v in (angles or {}).items()}
    for k, v in exact_pt.items():
        if not (-1 <= v <= 1):
            raise ParameterError(k, v, "a value in [-1, 1]")
    for k, v in exact_ang.items():
        if not (0 <= v <= sp.pi):
            raise ParameterError(k, v, "an angle in [0, pi]")
    ones = values_at_one(root)
    scale = abs(float(ones[id(root)])) or 1.0
    target = dps_to_bits(dps) + 4
    prec = target + 30
    cap = 8 * target + 4000
    previous = None
    zero_hits = 0
    while prec <= cap:
        ctx = mp_context(prec)
        B = _MPBackend(ctx)
        pt = {k: ctx.convert(sp.Float(v.evalf(ctx.dps + 5), ctx.dps + 5)) for k, v in exact_pt.items()}
        an = {k: ctx.convert(sp.Float(v.evalf(ctx.dps + 5), ctx.dps + 5)) for k, v in exact_ang.items()}
        pair = _run(B, root, pt, an, ones)
        if previous is not None:
            v0, v1 = previous[0], pair[0]
            d0, d1 = previous[1], pair[1]
            ok_v = abs(v1 - v0) <= abs(v1) * mpmath.ldexp(1, -target)
            ok_d = (not defect) or abs(d1 - d0) <= abs(d1) * mpmath.ldexp(1, -target)
            if ok_v and ok_d:
                return _round_out(pair, dps, defect)
            floor = scale * mpmath.mpf(10) ** (-2 * dps - 10)
            if abs(v1) < floor and abs(v0) < floor and prec > dps_to_bits(2 * dps + 20):
                zero_hits += 1
                if zero_hits >= 2:
                    out = output_context(dps)
                    return (out.mpf(0), +out.convert(pair[1])) if defect else out.mpf(0)
        previous = pair
        prec = prec + 34 if previous is not None and prec < target + 64 else int(prec * 1.5)
    raise PrecisionError(f"could not certify {dps} digits below {cap} bits of working precision")


def _round_out(pair, dps: int, defect: bool):
    out = output_context(dps)
    v = +out.convert(pair[0])
    if defect:
        return v, +out.convert(pair[1])
    return v
