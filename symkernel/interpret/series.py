r"""Series interpreter: the Maclaurin coefficients :math:`b_n` of a (univariate) kernel description.

Method (SPEC §6)
----------------
The description is evaluated bottom-up on truncated power series in t with fixed-point integer coefficients
(:mod:`symkernel.interpret.fixedpoint`).  An arc-cosine kernel is applied to a series g with
:math:`|g(0)| < 1` *directly*, through the differential relations

.. math::  (\kappa_0\circ g)' = \frac{g'}{\pi\sqrt{1-g^2}}, \qquad
           (\kappa_n\circ g)' = \frac{n^2}{2n-1}\,(\kappa_{n-1}\circ g)\, g',

with :math:`(1-g^2)^{-1/2}` by Newton's iteration and the constants :math:`\kappa_n(g(0))` evaluated in
mpmath — no expansion at :math:`g(0)` is needed.  ``exp`` and ``sqrt`` (Laplace and Gaussian kernels) use
the recurrence of the exponential and Newton's inverse square root.

Cost: each :math:`\kappa_n` costs about :math:`8 + n` products of length N, each one GMP multiplication of
:math:`N(2P + \log_2 N)`-bit integers; the depth-L fully connected NTK needs about 20 L products.
For N = 1000 at 50 digits and L = 10 this is well under a second (``benchmarks/coefficients.py``).

Precision promise
-----------------
:func:`coefficients` returns every :math:`b_n` to ``dps`` significant digits.  It runs the evaluation at
two working precisions P and P + 40 bits and accepts a coefficient when the runs agree to ``dps`` digits
plus 3 bits; coefficients that fail raise P by the missing bits and the comparison is repeated.
Coefficients that vanish *identically* (found by :mod:`symkernel.interpret.support`, e.g. odd
:math:`n \ge 3` for the two-layer kernels) are returned as exact zeros; any other coefficient must be
resolved to relative accuracy, or a :class:`~symkernel.errors.PrecisionError` is raised.  The tests check the
digits against an independent run at twice the precision and against SymPy's exact coefficients.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import sympy as sp

from ..algebra import Node, inputs_of, postorder
from ..arccos import kappa_angle_expr
from ..errors import ParameterError, PrecisionError, check_dps, check_int
from . import fixedpoint as fx
from .numeric import dps_to_bits, mp_context, output_context
from .support import is_structural_zero, support

__all__ = ["series_fixed", "coefficients"]

Progress = Callable[[int, int], None] | None


def _const_fixed(c: sp.Expr, P: int) -> int:
    dps = int(P * 0.30103) + 20
    val = sp.Float(c.evalf(dps), dps)
    ctx = mp_context(P + 64)
    return int(ctx.nint(ctx.ldexp(ctx.convert(val), P)))


def _kappa_at(n: int, g0: int, P: int) -> int:
    """Fixed-point value of kappa_n at the exact binary point g0 / 2^P."""
    ctx = mp_context(P + 64)
    x = ctx.ldexp(ctx.mpf(g0), -P)
    if n == 0:
        v = 0.5 + ctx.asin(x) / ctx.pi
    elif n == 1:
        v = (ctx.sqrt(1 - x * x) + (ctx.pi - ctx.acos(x)) * x) / ctx.pi
    else:
        th = sp.Symbol("theta", real=True)
        expr = kappa_angle_expr(n)
        theta = sp.Float(ctx.acos(x), ctx.dps)
        v = ctx.convert(sp.Float(expr.subs(th, theta).evalf(ctx.dps), ctx.dps))
    return int(ctx.nint(ctx.ldexp(v, P)))


def _kappa_series(n: int, g: list[int], P: int, N: int) -> list[int]:
    one = 1 << P
    if abs(g[0]) >= one:
        raise ArithmeticError(
            "an arc-cosine kernel is expanded at |g(0)| >= 1, on its singularity; the series does not exist"
        )
    dg = fx.derivative(g)
    g2 = fx.mul(g, g, P, N)
    w = [-x for x in g2]
    w[0] += one
    r = fx.rsqrt(w, P, N)
    inv_pi = _const_fixed(1 / sp.pi, P)
    d = fx.scale(fx.mul(dg, r, P, N - 1), inv_pi, P)
    k = fx.integral(d, _kappa_at(0, g[0], P))[:N]
    for m in range(1, n + 1):
        d = fx.mul(k, dg, P, N - 1)
        factor = _const_fixed(sp.Rational(m * m, 2 * m - 1), P)
        k = fx.integral(fx.scale(d, factor, P), _kappa_at(m, g[0], P))[:N]
    return k


def series_fixed(root: Node, N: int, P: int, variable: str = "t",
                 progress: Progress = None) -> list[int]:
    """Fixed-point coefficients :math:`\\approx b_n 2^P`, n < N, of a univariate description."""
    nodes = postorder(root)
    memo: dict[int, list[int]] = {}
    one = 1 << P
    for i, node in enumerate(nodes):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            if node.data != variable:
                raise ParameterError("kernel", node.data,
                                     f"a dot-product kernel in the single input {variable!r}")
            v = [0, one][:N] + [0] * max(0, N - 2)
        elif node.op == "const":
            v = [_const_fixed(node.data, P)] + [0] * (N - 1)
        elif node.op == "add":
            v = a[0]
            for x in a[1:]:
                v = fx.add(v, x)
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = fx.mul(v, x, P, N)
        elif node.op == "kappa":
            v = _kappa_series(node.data, a[0], P, N)
        elif node.op == "exp":
            g = a[0]
            c = sp.exp(sp.Rational(g[0], 1) / sp.Integer(2) ** P)
            h = [0] + g[1:]
            e = fx.exp_series(h, P, N)
            v = fx.scale(e, _const_fixed(c, P), P)
        elif node.op == "sqrt":
            g = a[0]
            if g[0] <= 0:
                raise ArithmeticError("sqrt expanded where its argument is not positive")
            v = fx.mul(g, fx.rsqrt(g, P, N), P, N)
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
        if progress is not None:
            progress(i + 1, len(nodes))
    return memo[id(root)]


def coefficients(root: Node, N: int, dps: int = 30, variable: str | None = None,
                 progress: Progress = None) -> list[mpmath.mpf]:
    """Maclaurin coefficients :math:`b_0, \\dots, b_{N-1}` to ``dps`` significant digits (see module notes).

    Returns mpf numbers of a private context that prints ``dps`` digits; identically vanishing
    coefficients are exact zeros.
    """
    N = check_int("N", N, 1, 200_000)
    dps = check_dps(dps)
    names = inputs_of(root)
    if variable is None:
        if len(names) > 1:
            raise ParameterError("kernel", names, "a dot-product kernel with one input")
        variable = names[0] if names else "t"
    sup = support(root, variable)
    zero = [is_structural_zero(sup, n) for n in range(N)]
    target = dps_to_bits(dps) + 3
    P = target + 3 * max(1, N.bit_length()) + 40
    step = 40
    cap = 12 * target + 40 * N.bit_length() + 20000
    lo = series_fixed(root, N, P, variable, progress)
    while True:
        hi = series_fixed(root, N, P + step, variable, progress)
        worst = 0
        for n in range(N):
            if zero[n]:
                continue
            h = hi[n]
            diff = abs((lo[n] << step) - h)
            if h == 0:
                worst = max(worst, P + step)
                continue
            agree = h.bit_length() - 1 - diff.bit_length() if diff else P + step
            if agree < target:
                worst = max(worst, target - agree)
        if worst == 0:
            break
        if P + step > cap:
            bad = [n for n in range(N) if not zero[n] and hi[n] == 0][:5]
            raise PrecisionError(
                f"could not certify {dps} digits of all b_n below {cap} bits"
                + (f" (b_n for n in {bad} indistinguishable from 0)" if bad else "")
            )
        lo, P = hi, P + step
        step = max(40, worst + 20)
    out = output_context(dps)
    P_hi = P + step
    return [out.mpf(0) if zero[n] else +out.ldexp(out.mpf(hi[n]), -P_hi) for n in range(N)]

