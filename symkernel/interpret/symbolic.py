r"""Symbolic interpreter: a kernel description as a SymPy expression.

Two forms are produced from the same description:

* ``compact=True``: the arc-cosine kernels stay as the SymPy function :class:`ArcCosKernel`
  (printed :math:`\kappa_n(\cdot)`), so a depth-L recursion prints in size linear in L;
* ``compact=False`` (the default): everything written out with ``acos`` and ``sqrt`` (SPEC §2 closed forms).
  SymPy shares identical sub-expressions in memory, but printing a deep explicit expression is exponential.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import mpmath
import sympy as sp

from ..algebra import Node, postorder
from ..arccos import kappa, kappa_at_zero

__all__ = ["ArcCosKernel", "symbolic", "input_symbol"]


class ArcCosKernel(sp.Function):
    r"""The normalised arc-cosine kernel :math:`\kappa_n(u)` as a SymPy function ``ArcCosKernel(n, u)``.

    Evaluates exactly at :math:`u = 1` (value 1), :math:`u = -1` (value 0) and :math:`u = 0`
    (:math:`2^{n-1}\Gamma(\frac{n+1}{2})^2/(\pi(2n-1)!!)`); differentiates by
    :math:`\kappa_n' = n^2/(2n-1)\,\kappa_{n-1}`, :math:`\kappa_0' = 1/(\pi\sqrt{1-u^2})`;
    ``.rewrite(sp.acos)`` gives the closed form of :func:`symkernel.arccos.kappa_expr`.

    References
    ----------
    Cho & Saul, "Kernel methods for deep learning", NeurIPS 2009.
    """

    nargs = 2

    @classmethod
    def eval(cls, n, u):
        if not n.is_Integer:
            return None
        if u == 1:
            return sp.Integer(1)
        if u == -1:
            return sp.Integer(0)
        if u == 0:
            return kappa_at_zero(int(n))
        return None

    def fdiff(self, argindex=2):
        n, u = self.args
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)
        if n == 0:
            return 1 / (sp.pi * sp.sqrt(1 - u**2))
        return sp.Rational(int(n) ** 2, 2 * int(n) - 1) * ArcCosKernel(n - 1, u)

    def _eval_rewrite_as_acos(self, n, u, **kwargs):
        return kappa(int(n), u)

    def _eval_evalf(self, prec):
        n, u = self.args
        return _kappa_evalf(int(n), u, prec)

    def _latex(self, printer, exp=None):
        n, u = self.args
        s = r"\kappa_{" + printer._print(n) + r"}\left(" + printer._print(u) + r"\right)"
        return s if exp is None else s + "^{" + str(exp) + "}"


@lru_cache(maxsize=4096)
def _kappa_evalf(n: int, u: sp.Expr, prec: int):
    """Numerical value of kappa_n(u) at ``prec`` bits (cached: nested constants repeat many times)."""
    uf = u.evalf(mpmath.libmp.prec_to_dps(prec) + 10) if not u.is_Float else u
    if not uf.is_Float:
        return None
    ctx = mpmath.MPContext()
    ctx.prec = prec + 20
    x = ctx.convert(uf)
    th = ctx.acos(x)
    if n == 0:
        v = 1 - th / ctx.pi
    elif n == 1:
        v = (ctx.sin(th) + (ctx.pi - th) * x) / ctx.pi
    else:
        v = ctx.convert(kappa(n, uf).evalf(mpmath.libmp.prec_to_dps(prec) + 10))
    return sp.Float._new(ctx.convert(v)._mpf_, prec)


def input_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol used for the input ``name`` (real)."""
    return sp.Symbol(name, real=True)


def symbolic(root: Node, compact: bool = False,
             kappa_hook: Callable[[Node, sp.Expr], sp.Expr] | None = None) -> sp.Expr:
    """Return the SymPy expression of a kernel description.

    Parameters
    ----------
    root : Node
        The description.
    compact : bool
        Keep :math:`\\kappa_n` as :class:`ArcCosKernel` (True) or write it out with ``acos``/``sqrt``.
    kappa_hook : callable, optional
        Called once per arc-cosine node with ``(node, expression)``; its return value replaces the
        expression (for example a fresh symbol, to print the description as a straight-line program).
    """
    memo: dict[int, sp.Expr] = {}
    for node in postorder(root):
        a = [memo[id(x)] for x in node.args]
        if node.op == "input":
            v = input_symbol(node.data)
        elif node.op == "const":
            v = node.data
        elif node.op == "add":
            v = sp.Add(*a)
        elif node.op == "mul":
            v = sp.Mul(*a)
        elif node.op == "kappa":
            v = ArcCosKernel(node.data, a[0]) if compact else kappa(node.data, a[0])
            if kappa_hook is not None:
                v = kappa_hook(node, v)
        elif node.op == "exp":
            v = sp.exp(a[0])
        elif node.op == "sqrt":
            v = sp.sqrt(a[0])
        else:  # pragma: no cover
            raise ValueError(node.op)
        memo[id(node)] = v
    return memo[id(root)]
