r"""Rigorous Arb balls of exact SymPy constants (python-flint).

:func:`arb_constant` encloses an exact real constant -- rationals, :math:`\pi`, :math:`e`, sums,
products, rational powers, ``sqrt``, ``exp``, ``log``, ``acos``, ``asin``, ``atan`` and the arc-cosine
kernels ``ArcCosKernel(n, u)`` of :mod:`symkernel.interpret.symbolic` -- in a ball of python-flint's
``arb`` type by evaluating its expression tree in ball arithmetic.  Every operation of Arb returns a ball
that contains the exact result of the operation applied to every point of its argument balls, so the
final ball contains the exact constant (the Arb containment guarantee; F. Johansson, "Arb: efficient
arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans. Comput. 66 (2017)).

The evaluation is memoised on sub-expressions: the singular constants of deep residual kernels repeat
the same nested :math:`\kappa_n(\cdot)` hundreds of times, which SymPy's ``evalf`` re-evaluates every
time (minutes at depth 4; here milliseconds).  The arc-cosine kernels use the closed forms

.. math::  \kappa_0(u) = 1 - \frac{\arccos u}{\pi}, \qquad
           \kappa_1(u) = \frac{\sqrt{1-u^2} + (\pi - \arccos u)\,u}{\pi}

(Cho & Saul, NeurIPS 2009).  Anything else (``ArcCosKernel`` with n ≥ 2, special functions) falls
back to SymPy's ``evalf`` 20 digits beyond the working precision, with the radius widened to the working
digits: the only path that relies on ``evalf``'s accuracy; the constants of the library's kernels
(:math:`\kappa_0, \kappa_1`, exp, sqrt) never take it, and ``strict=True`` (used by the certified bounds,
:mod:`symkernel.bounds`) refuses it (a NaN ball).  SymPy ``Float`` leaves are exact binary numbers and
are converted exactly.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

__all__ = ["arb_constant", "arb_number", "excludes_zero"]


class _Unsupported(Exception):
    pass


def _leaf(flint, e: sp.Expr):
    arb = flint.arb
    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(int(e.p)) / int(e.q)
    if e is sp.pi:
        return arb.pi()
    if e is sp.E:
        return arb(1).exp()
    if e.is_Float:
        # an exact binary number: (-1)^sign * man * 2^exp, converted without rounding
        sign, man, exp, _ = e._mpf_
        if not man:
            if e._mpf_ != (0, 0, 0, 0):  # inf / nan
                raise _Unsupported(e)
            return arb(0)
        return arb((-int(man) if sign else int(man), int(exp)))
    raise _Unsupported(e)


def _eval(flint, e: sp.Expr, memo: dict):
    v = memo.get(e)
    if v is not None:
        return v
    from .symbolic import ArcCosKernel

    arb = flint.arb
    if e.is_Atom:
        v = _leaf(flint, e)
    elif e.is_Add:
        v = arb(0)
        for a in e.args:
            v = v + _eval(flint, a, memo)
    elif e.is_Mul:
        v = arb(1)
        for a in e.args:
            v = v * _eval(flint, a, memo)
    elif e.is_Pow:
        base, ex = e.args
        b = _eval(flint, base, memo)
        if ex.is_Integer:
            n = int(ex)
            v = b ** abs(n)
            v = 1 / v if n < 0 else v
        elif ex.is_Rational:
            v = b ** (arb(int(ex.p)) / int(ex.q))
        else:
            v = b ** _eval(flint, ex, memo)
    elif isinstance(e, ArcCosKernel):
        n, u = e.args
        x = _eval(flint, u, memo)
        if n == 0:
            v = 1 - x.acos() / arb.pi()
        elif n == 1:
            v = ((1 - x * x).sqrt() + (arb.pi() - x.acos()) * x) / arb.pi()
        else:
            raise _Unsupported(e)
    elif isinstance(e, sp.exp):
        v = _eval(flint, e.args[0], memo).exp()
    elif isinstance(e, sp.log):
        v = _eval(flint, e.args[0], memo).log()
    elif isinstance(e, sp.acos):
        v = _eval(flint, e.args[0], memo).acos()
    elif isinstance(e, sp.asin):
        v = _eval(flint, e.args[0], memo).asin()
    elif isinstance(e, sp.atan):
        v = _eval(flint, e.args[0], memo).atan()
    else:
        raise _Unsupported(e)
    memo[e] = v
    return v


def _fallback(flint, e: sp.Expr, dps: int):
    v = sp.N(e, dps + 20)
    if not v.is_real or not v.is_finite:
        return None
    return flint.arb(str(v)) + flint.arb(0, flint.arb(10) ** -dps)


def arb_constant(expr: Any, memo: dict | None = None, strict: bool = False) -> Any:
    """A ball (``flint.arb``, at the current ``flint.ctx.prec``) that contains the exact real constant
    ``expr``; its radius reflects the precision.  Returns a ball with infinite or NaN radius only when the
    constant is not a finite real number (for example ``acos`` of an argument outside [-1, 1]).

    ``memo`` may be shared between calls at the same precision (sub-expressions are evaluated once).
    ``strict``: never fall back on SymPy's ``evalf`` (a NaN ball instead), so that the result rests on
    Arb's containment guarantee alone.
    """
    import flint

    e = sp.sympify(expr)
    memo = {} if memo is None else memo
    try:
        return _eval(flint, e, memo)
    except _Unsupported:
        if strict:
            return flint.arb("nan")
        dps = int(flint.ctx.prec * 0.30103)
        v = _fallback(flint, e, dps)
        return flint.arb("nan") if v is None else v


def excludes_zero(expr: Any, bits: int = 256) -> bool | None:
    """True when a ball of ``expr`` at ``bits`` bits excludes 0 (``expr`` is certainly non-zero), False
    when it contains 0 (undecided at this precision), None when python-flint is not installed."""
    try:
        import flint
    except ImportError:
        return None
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        ball = arb_constant(expr)
        return bool(ball.is_finite() and not ball.contains(0))
    finally:
        flint.ctx.prec = old


def arb_number(expr: Any, dps: int):
    """An :class:`mpmath.mpf` equal to the exact constant ``expr`` to ``dps`` significant digits, from an Arb
    ball whose radius is checked to be below the last digit (the working precision is doubled until it is);
    None when python-flint is not installed or the constant is not a finite real number (callers then use
    SymPy's ``evalf``)."""
    try:
        import flint
    except ImportError:
        return None
    import mpmath

    old = flint.ctx.prec
    bits = int(dps * 3.33) + 30
    try:
        for _ in range(6):
            flint.ctx.prec = bits
            ball = arb_constant(expr)
            if not ball.is_finite():
                return None
            if ball.rad() == 0 or ball.rad() < abs(ball.mid()) * flint.arb(10) ** -(dps + 3):
                man, exp = ball.mid().man_exp()
                man, exp = int(man), int(exp)
                # exact (no rounding to mpmath's global 53-bit precision)
                return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(man, exp)) if man else mpmath.mpf(0)
            if ball.contains(0) and ball.rad() < flint.arb(10) ** -(dps + 30):
                return mpmath.mpf(0)
            bits *= 2
        return None
    finally:
        flint.ctx.prec = old
