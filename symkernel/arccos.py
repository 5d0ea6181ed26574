r"""Arc-cosine kernels :math:`\kappa_n` (Cho & Saul 2009), normalised so that :math:`\kappa_n(1) = 1`.

Conventions
-----------
For :math:`u \in [-1, 1]` and :math:`\theta = \arccos u`, Cho & Saul (2009, eq. 3 and 4) define

.. math::  J_n(\theta) = (-1)^n (\sin\theta)^{2n+1}
           \Big(\frac{1}{\sin\theta}\frac{\partial}{\partial\theta}\Big)^n
           \Big(\frac{\pi-\theta}{\sin\theta}\Big),

so :math:`J_0 = \pi - \theta` and :math:`J_1 = \sin\theta + (\pi-\theta)\cos\theta`. symkernel uses the
normalised kernels :math:`\kappa_n(u) = J_n(\theta) / (\pi (2n-1)!!)`, for which :math:`\kappa_n(1) = 1`:

.. math::  \kappa_0(u) = \frac{\pi - \arccos u}{\pi} = \frac12 + \frac{\arcsin u}{\pi}, \qquad
           \kappa_1(u) = \frac{\sqrt{1-u^2} + (\pi - \arccos u)\,u}{\pi}.

They are the Gaussian expectations :math:`\kappa_1(\langle x,y\rangle) = E[2\,\mathrm{relu}(w\cdot x)\,
\mathrm{relu}(w\cdot y)]`, :math:`\kappa_0 = E[2\,\mathrm{step}(w\cdot x)\,\mathrm{step}(w\cdot y)]` for unit
:math:`x, y` and :math:`w \sim N(0, I)`; in general :math:`\kappa_n = E[\sigma_n\sigma_n]/E[\sigma_n^2]` with
:math:`\sigma_n = \mathrm{relu}^n`.  Differentiating the Gaussian expectation in the correlation gives

.. math::  \kappa_n' = \frac{n^2}{2n-1}\,\kappa_{n-1}, \qquad
           \kappa_0'(u) = \frac{1}{\pi\sqrt{1-u^2}},

and :math:`\kappa_n(0) = 2^{n-1}\Gamma(\tfrac{n+1}{2})^2 / (\pi (2n-1)!!)` (independent Gaussians).

References
----------
Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from .errors import check_int

__all__ = [
    "kappa",
    "kappa_expr",
    "kappa_angle_expr",
    "kappa_at_zero",
    "kappa_derivative_expr",
    "kappa_derivative_at",
    "kappa_maclaurin",
    "kappa_endpoint_expansion",
    "kappa_singular_coefficient",
    "double_factorial_odd",
]

_u = sp.Symbol("u", real=True)
_theta = sp.Symbol("theta", real=True)
_s = sp.Symbol("s", positive=True)


def double_factorial_odd(n: int) -> sp.Integer:
    r"""Return :math:`(2n-1)!!` (equal to 1 for n = 0)."""
    return sp.factorial2(2 * n - 1) if n > 0 else sp.Integer(1)


@cache
def kappa_angle_expr(n: int) -> sp.Expr:
    r"""Closed form of :math:`\kappa_n` as a SymPy expression in the angle ``theta``.

    :math:`\kappa_n = J_n(\theta)/(\pi (2n-1)!!)` with Cho & Saul's :math:`J_n` (module docstring).
    Analytic on :math:`[0, \pi]` — the square-root singularities of :math:`\kappa_n(u)` at ``u = ±1`` live
    only in the variable u.
    """
    n = check_int("order", n, 0, 20)
    f = (sp.pi - _theta) / sp.sin(_theta)
    for _ in range(n):
        f = sp.diff(f, _theta) / sp.sin(_theta)
    J = sp.simplify((-1) ** n * sp.sin(_theta) ** (2 * n + 1) * f)
    return sp.simplify(J / (sp.pi * double_factorial_odd(n)))


@cache
def kappa_expr(n: int) -> sp.Expr:
    r"""Closed form of :math:`\kappa_n(u)` as a SymPy expression in ``u`` (with ``acos`` and ``sqrt``).

    Examples
    --------
    >>> kappa_expr(1)
    (u*(pi - acos(u)) + sqrt(1 - u**2))/pi
    """
    n = check_int("order", n, 0, 20)
    if n == 0:
        return (sp.pi - sp.acos(_u)) / sp.pi
    if n == 1:
        return (sp.sqrt(1 - _u**2) + (sp.pi - sp.acos(_u)) * _u) / sp.pi
    e = kappa_angle_expr(n).subs(_theta, sp.acos(_u))
    e = e.subs(sp.sin(sp.acos(_u)), sp.sqrt(1 - _u**2))
    return sp.simplify(e)


def kappa(n: int, u: sp.Expr) -> sp.Expr:
    """The SymPy expression :math:`\\kappa_n(u)` for a given SymPy argument ``u``."""
    return kappa_expr(n).subs(_u, u)


def kappa_at_zero(n: int) -> sp.Expr:
    r""":math:`\kappa_n(0) = 2^{n-1}\Gamma((n+1)/2)^2/(\pi(2n-1)!!)`: 1/2, 1/π, 1/(2π)·... exactly."""
    n = check_int("order", n, 0)
    return sp.nsimplify(
        sp.Integer(2) ** (n - 1) * sp.gamma(sp.Rational(n + 1, 2)) ** 2
        / (sp.pi * double_factorial_odd(n))
    )


@cache
def kappa_derivative_expr(n: int, m: int) -> sp.Expr:
    r"""The m-th derivative :math:`\kappa_n^{(m)}(u)` as an expression in ``u``.

    Uses :math:`\kappa_n' = n^2/(2n-1)\,\kappa_{n-1}` down to :math:`\kappa_0' = 1/(\pi\sqrt{1-u^2})`,
    then differentiates the algebraic function :math:`(1-u^2)^{-1/2}`.
    """
    n = check_int("order", n, 0)
    m = check_int("m", m, 0)
    if m == 0:
        return kappa_expr(n)
    if n == 0:
        base = 1 / (sp.pi * sp.sqrt(1 - _u**2))
        return sp.simplify(sp.diff(base, _u, m - 1)) if m > 1 else base
    return sp.Rational(n * n, 2 * n - 1) * kappa_derivative_expr(n - 1, m - 1)


def kappa_derivative_at(n: int, m: int, u0: sp.Expr) -> sp.Expr:
    r"""Exact :math:`\kappa_n^{(m)}(u_0)` at an interior point :math:`-1 < u_0 < 1` (SymPy)."""
    val = kappa_derivative_expr(n, m).subs(_u, sp.sympify(u0))
    return sp.radsimp(sp.together(val)) if u0 == 0 or sp.sympify(u0).is_Rational else val


def kappa_maclaurin(n: int, N: int) -> list[sp.Expr]:
    r"""Exact Maclaurin coefficients :math:`[u^j]\kappa_n(u)` for ``j < N`` (SymPy, in
    :math:`\mathbb{Q}/\pi`).

    Closed forms (from :math:`\arcsin u = \sum_j \binom{2j}{j} u^{2j+1} / (4^j (2j+1))`):

    .. math::  [u^{2j+1}]\kappa_0 = \frac{\binom{2j}{j}}{\pi\,4^j(2j+1)}, \qquad
               [u^{2j+2}]\kappa_1 = \frac{\binom{2j}{j}}{\pi\,4^j(2j+1)(2j+2)},

    with :math:`\kappa_0(0) = 1/2`, :math:`\kappa_1(0) = 1/\pi`, :math:`[u]\kappa_1 = 1/2`; higher orders by
    integrating :math:`\kappa_n' = n^2/(2n-1)\,\kappa_{n-1}` term by term.

    Examples
    --------
    >>> kappa_maclaurin(1, 5)
    [1/pi, 1/2, 1/(2*pi), 0, 1/(24*pi)]
    """
    n = check_int("order", n, 0)
    N = check_int("N", N, 0)
    if n == 0:
        c = [sp.Integer(0)] * N
        if N:
            c[0] = sp.Rational(1, 2)
        for j in range((N + 1) // 2):
            if 2 * j + 1 < N:
                c[2 * j + 1] = sp.binomial(2 * j, j) / (sp.pi * 4**j * (2 * j + 1))
        return c
    lower = kappa_maclaurin(n - 1, max(N - 1, 0))
    factor = sp.Rational(n * n, 2 * n - 1)
    c = [kappa_at_zero(n)] + [factor * lower[j] / (j + 1) for j in range(N - 1)]
    return c[:N]


@cache
def kappa_endpoint_expansion(n: int, at: int = 1, order: int = 4) -> sp.Expr:
    r"""Exact expansion of :math:`\kappa_n(\pm(1 - s))` in powers of :math:`\sqrt{s}` up to
    :math:`s^{order/2}`.

    ``at=+1`` gives :math:`\kappa_n(1-s)`, ``at=-1`` gives :math:`\kappa_n(-1+s)`; the result is a
    polynomial in
    ``sqrt(s)`` (a Puiseux series), with an ``O`` term dropped.  For example
    :math:`\kappa_1(1-s) = 1 - s + \frac{2\sqrt2}{3\pi}s^{3/2} + \frac{\sqrt2}{30\pi}s^{5/2} + \dots`.

    Examples
    --------
    >>> kappa_endpoint_expansion(0, 1, 3)
    -sqrt(2)*sqrt(s)/pi + 1 - sqrt(2)*s**(3/2)/(12*pi)
    """
    n = check_int("order", n, 0)
    if at not in (1, -1):
        raise ValueError("at must be +1 or -1")
    if n >= 1:
        # kappa_n(±(1 - s)) = kappa_n(±1) ∓ (±1) n^2/(2n-1) ∫_0^s kappa_{n-1}(±(1 - σ)) dσ, term by term
        lower = sp.expand(kappa_endpoint_expansion(n - 1, at, max(order - 2, 0)))
        integral = sp.integrate(lower, (_s, 0, _s)) if lower != 0 else sp.Integer(0)
        start = sp.Integer(1) if at == 1 else sp.Integer(0)
        sign = -1 if at == 1 else 1
        return sp.expand(start + sign * sp.Rational(n * n, 2 * n - 1) * integral)
    x = sp.Symbol("x", positive=True)
    u = 1 - x**2 if at == 1 else -1 + x**2
    theta = sp.acos(u)
    expr = kappa_angle_expr(n).subs(_theta, theta)
    ser = sp.series(expr, x, 0, order + 1).removeO()
    return sp.expand(ser.subs(x, sp.sqrt(_s)))


@cache
def kappa_singular_coefficient(n: int, at: int = 1) -> sp.Expr:
    r"""The exact coefficient :math:`c_n^\pm` of the leading singular power :math:`s^{n+1/2}` in
    :math:`\kappa_n(\pm(1 - s))` (:func:`kappa_endpoint_expansion`; the terms before it are analytic).

    Examples
    --------
    >>> kappa_singular_coefficient(0, 1), kappa_singular_coefficient(0, -1), kappa_singular_coefficient(1, 1)
    (-sqrt(2)/pi, sqrt(2)/pi, 2*sqrt(2)/(3*pi))
    """
    n = check_int("order", n, 0)
    expansion = sp.expand(kappa_endpoint_expansion(n, at, 2 * n + 2))
    return sp.nsimplify(expansion.coeff(_s ** sp.Rational(2 * n + 1, 2)))


def endpoint_variable() -> sp.Symbol:
    """The positive symbol ``s`` used by :func:`kappa_endpoint_expansion`."""
    return _s


def kappa_variable() -> sp.Symbol:
    """The real symbol ``u`` used by :func:`kappa_expr`."""
    return _u


def angle_variable() -> sp.Symbol:
    """The real symbol ``theta`` used by :func:`kappa_angle_expr`."""
    return _theta
