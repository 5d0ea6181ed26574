r"""Optional python-flint backend of the series interpreter: rigorous ball arithmetic (Arb).

The description is evaluated on ``flint.arb_series`` truncated at N terms (``ctx.cap = N``) with
``ctx.prec`` bits: :math:`\kappa_0(g) = \tfrac12 + \arcsin(g)/\pi`,
:math:`\kappa_1(g) = (\sqrt{1-g^2} + (\pi - \arccos g)\,g)/\pi`, ``exp`` and ``sqrt`` are Arb's
series functions,
applied directly to series with a non-zero constant term.  Every coefficient comes back as a ball
:math:`[m \pm r]` that provably contains the true :math:`b_n`; it is accepted when
:math:`r \le 10^{-\mathrm{dps}}|m|/4` (then the rounded midpoint has ``dps`` correct digits), otherwise the
precision is doubled.  Identically vanishing coefficients (:mod:`symkernel.interpret.support`) are returned as
exact zeros.  :math:`\kappa_n` for n ≥ 2 is not supported here (the fixed-point backend handles it).

python-flint's context is global: it is saved and restored around every call.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..algebra import Node, inputs_of, postorder
from ..errors import ParameterError, PrecisionError, check_dps, check_int
from .arb_constants import arb_constant
from .numeric import dps_to_bits, output_context
from .support import is_structural_zero, support

__all__ = ["available", "supports", "coefficients_flint"]


def available() -> bool:
    """True when python-flint is importable."""
    try:
        import flint  # noqa: F401
    except ImportError:
        return False
    return True


def supports(root: Node) -> bool:
    """True when every node of the description has an Arb series implementation."""
    return all(n.op != "kappa" or n.data <= 1 for n in postorder(root))


def _arb_const(flint, c: sp.Expr, prec: int):
    v = arb_constant(c)
    if not v.is_finite():
        raise ParameterError("kernel", c, "a kernel whose constants are finite real numbers")
    return v


def _run(flint, root: Node, N: int, variable: str):
    pi = flint.arb.pi()
    half = flint.arb(1) / 2
    memo: dict[int, object] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            if node.data != variable:
                raise ParameterError("kernel", node.data, f"a kernel of the single input {variable!r}")
            v = flint.arb_series([0, 1])
        elif node.op == "const":
            v = flint.arb_series([_arb_const(flint, node.data, flint.ctx.prec)])
        elif node.op == "add":
            v = a[0]
            for x in a[1:]:
                v = v + x
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                v = v * x
        elif node.op == "kappa":
            g = a[0]
            if node.data == 0:
                v = half + g.asin() / pi
            else:
                v = ((1 - g * g).sqrt() + (pi - g.acos()) * g) / pi
        elif node.op == "exp":
            v = a[0].exp()
        elif node.op == "sqrt":
            v = a[0].sqrt()
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    return memo[id(root)]


def coefficients_flint(root: Node, N: int, dps: int = 30, variable: str | None = None) -> list:
    """Certified :math:`b_0..b_{N-1}` to ``dps`` digits with Arb balls (see module notes)."""
    import flint

    N = check_int("N", N, 1, 200_000)
    dps = check_dps(dps)
    if not supports(root):
        raise ParameterError("backend", "flint", "kernels built from kappa_0, kappa_1, exp, sqrt only")
    names = inputs_of(root)
    variable = variable or (names[0] if names else "t")
    sup = support(root, variable)
    zero = [is_structural_zero(sup, n) for n in range(N)]
    prec = dps_to_bits(dps) + 2 * N.bit_length() + 30
    saved = (flint.ctx.prec, flint.ctx.cap)
    out = output_context(dps)
    tol = mpmath.mpf(10) ** (-dps) / 4
    try:
        flint.ctx.cap = N
        while prec < 40 * dps_to_bits(dps) + 20000:
            flint.ctx.prec = prec
            ser = _run(flint, root, N, variable)
            coeffs = ser.coeffs() + [flint.arb(0)] * (N - len(ser.coeffs()))
            ok = True
            result = []
            for n, c in enumerate(coeffs):
                if zero[n]:
                    result.append(out.mpf(0))
                    continue
                mid = mpmath.mpf(c.mid().str(dps + 20, radius=False)) if c.mid() != 0 else mpmath.mpf(0)
                rad = mpmath.mpf(c.rad().str(5, radius=False))
                if mid == 0 or rad > tol * abs(mid):
                    ok = False
                    break
                result.append(+out.convert(c.mid().str(dps + 20, radius=False)))
            if ok:
                return result
            prec *= 2
    finally:
        flint.ctx.prec, flint.ctx.cap = saved
    raise PrecisionError(f"Arb could not certify {dps} digits of b_0..b_{N - 1}")
