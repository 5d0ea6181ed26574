r"""Structural-zero interpreter: which Maclaurin coefficients of a description vanish *identically*.

The abstract value of a node is a pair ``(even, odd)``: for each parity class of powers of t, ``ZERO``
(no term),
an integer m (a polynomial: no term of degree above m in that class) or ``FULL``.  The rules are exact
consequences of the parity of the arc-cosine kernels: since
:math:`\mathrm{relu}(y)^n + (-1)^n\mathrm{relu}(-y)^n = y^n`, the Gaussian expectation gives
:math:`\kappa_n(u) + (-1)^n\kappa_n(-u) = ` a polynomial of degree n in u
(:math:`\kappa_0(u)+\kappa_0(-u) = 1`,
:math:`\kappa_1(u) - \kappa_1(-u) = u`).  So the part of :math:`\kappa_n` of the parity of n is a
polynomial of
degree n, and for an odd argument g the same holds for :math:`\kappa_n(g(t))` as a function of t.

This is what lets the series interpreter promise relative accuracy for every coefficient that is not known
to vanish: the two-layer kernels have :math:`b_n = 0` exactly for odd :math:`n \ge 3` (Cao et al. 2019;
Bietti & Mairal 2019), and no deeper kernel has an accidental zero.
"""

from __future__ import annotations

from ..algebra import Node, postorder

__all__ = ["ZERO", "FULL", "support", "is_structural_zero"]

ZERO = -1
FULL = 10**18


def _plus(a: int, b: int) -> int:
    if a == ZERO or b == ZERO:
        return ZERO
    return min(FULL, a + b)


def _times(a: int, k: int) -> int:
    if a == ZERO:
        return ZERO
    return min(FULL, a * k)


def support(root: Node, variable: str = "t") -> tuple[int, int]:
    """Abstract ``(even, odd)`` support of the series of ``root`` in ``variable`` (other inputs:
    constants)."""
    memo: dict[int, tuple[int, int]] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            v = (ZERO, 1) if node.data == variable else (0, ZERO)
        elif node.op == "const":
            v = (0, ZERO) if node.data != 0 else (ZERO, ZERO)
        elif node.op == "add":
            v = (max(x[0] for x in a), max(x[1] for x in a))
        elif node.op == "mul":
            v = a[0]
            for x in a[1:]:
                even = max(_plus(v[0], x[0]), _plus(v[1], x[1]))
                odd = max(_plus(v[0], x[1]), _plus(v[1], x[0]))
                v = (even, odd)
        elif node.op == "kappa":
            e, o = a[0]
            n = node.data
            if o == ZERO and e in (ZERO, 0):
                v = (0, ZERO)  # constant argument
            elif e == ZERO:
                # odd argument g: the part of kappa_n of parity n is a polynomial of degree n in g
                v = (_times(o, n), FULL) if n % 2 == 0 else (FULL, _times(o, n))
            else:
                v = (FULL, FULL)
        elif node.op in ("exp", "sqrt"):
            e, o = a[0]
            if o == ZERO and e in (ZERO, 0):
                v = (0, ZERO)
            elif o == ZERO:
                v = (FULL, ZERO)
            else:
                v = (FULL, FULL)
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    return memo[id(root)]


def is_structural_zero(sup: tuple[int, int], n: int) -> bool:
    """True when the coefficient of :math:`t^n` vanishes identically for support ``sup``."""
    part = sup[n % 2]
    return part == ZERO or n > part
