r"""Gegenbauer basics shared by the eigenvalue routes: polynomials, multiplicities, monomial eigenvalues.

Conventions (SPEC §1)
---------------------
:math:`P_k^{(d)}` is the Gegenbauer (Legendre) polynomial of degree k in dimension :math:`d \ge 2`,
normalised so that :math:`P_k^{(d)}(1) = 1` (for d = 2 the Chebyshev polynomial :math:`T_k`, for d
= 3 the
Legendre polynomial :math:`P_k`).  With :math:`\lambda = (d-2)/2` it is
:math:`C_k^{\lambda}(t)/C_k^{\lambda}(1)`, and the classical three-term recurrence of
:math:`C_k^\lambda`
(DLMF 18.9.1) becomes, after normalisation,

.. math::  P_0 = 1,\quad P_1 = t,\qquad
           (k + d - 2)\,P_{k+1}(t) = (2k + d - 2)\,t\,P_k(t) - k\,P_{k-1}(t) \quad (k \ge 1).

Forward recurrence is stable on :math:`[-1, 1]` (P_k is never the minimal solution there, and
:math:`|P_k| \le 1`), for every d and every k, so no rescaling is needed for accuracy even for d in
the thousands (the float64 route of :mod:`.sphere` rescales only to save an operation per degree);
only the *weight* :math:`(\sin\theta)^{d-2}` needs care (the float64 route forms it in long double).

Multiplicities: the dimension of the space of spherical harmonics of degree k on :math:`S^{d-1}`,

.. math::  N(d, k) = \binom{k+d-1}{k} - \binom{k+d-3}{k-2}.

Monomial eigenvalues (Funk–Hecke; SPEC §1): for :math:`n \ge k` with :math:`n - k` even,

.. math::  \mu_k(t^n) = \frac{n!\,\Gamma(d/2)\,\Gamma(\frac{n-k+1}{2})}
                             {(n-k)!\,2^k\sqrt\pi\,\Gamma(\frac{n+k+d}{2})},

and 0 otherwise.  Writing :math:`n = k + 2m` this is :math:`\mu_k(t^{k+2m}) = (k+2m)!\,\Gamma(d/2) /
(4^m\, m!\, 2^k\, \Gamma(k + m + d/2))`, so consecutive terms have the rational ratio

.. math::  \frac{\mu_k(t^{n+2})}{\mu_k(t^n)} = \frac{(n+1)(n+2)}{(n-k+2)(n+k+d)},\qquad
           \mu_{k+1}(t^{k+1}) = \mu_k(t^k)\,\frac{k+1}{2k+d},\quad \mu_0(1) = 1.

Eigenvalues of the singular powers (SPEC §8; the Beta integral at k = 0 and the ratio of
consecutive k):

.. math::  \mu_k[(1-t)^a] = \frac{\Gamma(d/2)\,2^{a+d-2}\,\Gamma(a+\frac{d-1}{2})\,\Gamma(k-a)}
                                  {\sqrt\pi\,\Gamma(-a)\,\Gamma(k+a+d-1)},\qquad
           \frac{\mu_{k+1}}{\mu_k} = \frac{k-a}{k+a+d-1},

for non-integer a > -(d-1)/2; these carry the tail of the series route (:mod:`.sphere`).

References
----------
NIST DLMF §18.9 (recurrences), §18.18 (Funk–Hecke via Gegenbauer expansions); C. Müller, *Spherical
Harmonics*, Lecture Notes in Mathematics 17 (1966); K. Atkinson and W. Han, *Spherical Harmonics and
Approximations on the Unit Sphere* (2012), §2.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import mpmath
import numpy as np
import sympy as sp

from ..errors import ParameterError, check_int

__all__ = [
    "multiplicity",
    "multiplicities",
    "recurrence_step",
    "gegenbauer_numpy",
    "iter_gegenbauer_numpy",
    "gegenbauer_mp",
    "monomial_eigenvalue",
    "monomial_eigenvalue_exact",
    "monomial_diagonal_mp",
    "singular_power_eigenvalues",
    "sphere_constant_mp",
    "log_sphere_constant",
    "lgamma_np",
]

MAX_DIM = 1_000_000


def check_dim(d) -> int:
    """Validate the ambient dimension d of :math:`S^{d-1} \\subset R^d` (d ≥ 2)."""
    return check_int("dim", d, 2, MAX_DIM)


def multiplicity(d: int, k: int) -> int:
    r"""Dimension :math:`N(d,k) = \binom{k+d-1}{k} - \binom{k+d-3}{k-2}` of the degree-k harmonics on
    :math:`S^{d-1}`.

    Examples
    --------
    >>> [multiplicity(3, k) for k in range(5)]
    [1, 3, 5, 7, 9]
    >>> [multiplicity(2, k) for k in range(4)]
    [1, 2, 2, 2]
    """
    d = check_dim(d)
    k = check_int("k", k, 0)
    first = math.comb(k + d - 1, k)
    second = math.comb(k + d - 3, k - 2) if k >= 2 else 0
    return first - second


def multiplicities(d: int, kmax: int) -> list[int]:
    """:math:`N(d, k)` for k = 0..kmax (exact Python integers, by the ratio of consecutive binomials)."""
    d = check_dim(d)
    kmax = check_int("kmax", kmax, 0)
    if d == 2:
        return [1] + [2] * kmax
    # N(d, k) = (2k + d - 2) / (d - 2) * C(k + d - 3, k), the binomial by C_k = C_{k-1} (k + d - 3) / k
    out = []
    binom = 1
    for k in range(kmax + 1):
        if k:
            binom = binom * (k + d - 3) // k
        out.append((2 * k + d - 2) * binom // (d - 2))
    return out


def recurrence_step(k: int, d: int) -> tuple[int, int, int]:
    r"""Integers ``(a, b, c)`` with :math:`c P_{k+1} = a\,t P_k - b P_{k-1}` (valid for k ≥ 1; P_1 = t)."""
    return 2 * k + d - 2, k, k + d - 2


def iter_gegenbauer_numpy(kmax: int, d: int, t) -> Iterator[np.ndarray]:
    """Yield :math:`P_0^{(d)}(t), \\dots, P_{kmax}^{(d)}(t)` in float64 (three-term recurrence)."""
    t = np.asarray(t, dtype=float)
    p0 = np.ones_like(t)
    yield p0
    if kmax == 0:
        return
    p1 = t.copy()
    yield p1
    for k in range(1, kmax):
        a, b, c = recurrence_step(k, d)
        p2 = (a * t * p1 - b * p0) / c
        yield p2
        p0, p1 = p1, p2


def gegenbauer_numpy(kmax: int, d: int, t) -> np.ndarray:
    r"""Array of shape ``(kmax + 1,) + t.shape`` with :math:`P_k^{(d)}(t)`, k = 0..kmax, in float64.

    Examples
    --------
    >>> gegenbauer_numpy(3, 3, [0.5]).ravel().round(6).tolist()   # Legendre
    [1.0, 0.5, -0.125, -0.4375]
    """
    d = check_dim(d)
    kmax = check_int("kmax", kmax, 0)
    return np.array(list(iter_gegenbauer_numpy(kmax, d, t)))


def gegenbauer_mp(kmax: int, d: int, t, ctx=mpmath.mp) -> list:
    """:math:`P_0^{(d)}(t), \\dots, P_{kmax}^{(d)}(t)` at one point, in the mpmath context ``ctx``."""
    t = ctx.convert(t)
    out = [ctx.mpf(1)]
    if kmax >= 1:
        out.append(t)
    for k in range(1, kmax):
        a, b, c = recurrence_step(k, d)
        out.append((a * t * out[k] - b * out[k - 1]) / c)
    return out


def sphere_constant_mp(d: int, ctx=mpmath.mp):
    r""":math:`c_d = \Gamma(d/2)/(\sqrt\pi\,\Gamma((d-1)/2))`, the Funk–Hecke normalisation (SPEC §1)."""
    half = ctx.mpf(1) / 2
    return ctx.exp(ctx.loggamma(d * half) - ctx.loggamma((d - 1) * half)) / ctx.sqrt(ctx.pi)


def log_sphere_constant(d: int) -> float:
    """Natural logarithm of :math:`c_d` in float64."""
    return math.lgamma(d / 2) - math.lgamma((d - 1) / 2) - 0.5 * math.log(math.pi)


def monomial_eigenvalue(k: int, n: int, d: int, ctx=mpmath.mp):
    r""":math:`\mu_k(t^n)` on :math:`S^{d-1}` (SPEC §1) in the context ``ctx``, via log-gamma.

    Exact zero when n < k or n - k is odd.

    Examples
    --------
    >>> mpmath.nstr(monomial_eigenvalue(1, 1, 3), 10)   # mu_1(t) = 1/d
    '0.3333333333'
    """
    if n < k or (n - k) % 2:
        return ctx.mpf(0)
    half = ctx.mpf(1) / 2
    lg = ctx.loggamma
    val = (lg(n + 1) + lg(d * half) + lg((n - k + 1) * half) - lg(n - k + 1)
           - k * ctx.ln2 - half * ctx.log(ctx.pi) - lg((n + k + d) * half))
    return ctx.exp(val)


def monomial_eigenvalue_exact(k, n, d) -> sp.Expr:
    r"""Exact :math:`\mu_k(t^n)` as a SymPy expression (k, n, d may be symbols; zero-parity not applied)."""
    k, n, d = sp.sympify(k), sp.sympify(n), sp.sympify(d)
    return (sp.factorial(n) * sp.gamma(d / 2) * sp.gamma((n - k + 1) / 2)
            / (sp.factorial(n - k) * 2**k * sp.sqrt(sp.pi) * sp.gamma((n + k + d) / 2)))


def monomial_diagonal_mp(kmax: int, d: int, ctx=mpmath.mp) -> list:
    r""":math:`\mu_k(t^k) = k!\,\Gamma(d/2)/(2^k\,\Gamma(k+d/2))` for k = 0..kmax (recurrence in k)."""
    out = [ctx.mpf(1)]
    for k in range(kmax):
        out.append(out[-1] * (k + 1) / (2 * k + d))
    return out


def singular_power_eigenvalues(a, kmax: int, d: int, ctx=mpmath.mp) -> list:
    r""":math:`\mu_k[(1-t)^a]` for k = 0..kmax (module docstring), a not a non-negative integer.

    For :math:`(1+t)^a` multiply by :math:`(-1)^k`.
    """
    a = ctx.convert(a)
    if ctx.isint(a) and a >= 0:
        raise ParameterError("a", a, "a non-integer exponent (integer powers are polynomials)")
    half = ctx.mpf(1) / 2
    lg = ctx.loggamma
    # mu_0 = Gamma(d/2) 2^{a+d-2} Gamma(a+(d-1)/2) / (sqrt(pi) Gamma(a+d-1))
    mu = ctx.exp(lg(d * half) + (a + d - 2) * ctx.ln2 + lg(a + (d - 1) * half)
                 - half * ctx.log(ctx.pi) - lg(a + d - 1))
    out = [mu]
    for k in range(kmax):
        mu = mu * (k - a) / (k + a + d - 1)
        out.append(mu)
    return out


# ------------------------------------------------------------------------------------------------
# float64 log-gamma on arrays (numpy has none; scipy is not a dependency)
# ------------------------------------------------------------------------------------------------
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188)


def lgamma_np(x) -> np.ndarray:
    """:math:`\\log\\Gamma(x)` for positive float arrays (Stirling series after shifting x ≥ 10; ~1e-14)."""
    x = np.asarray(x, dtype=float)
    if np.any(x <= 0):
        raise ValueError("lgamma_np needs positive arguments")
    shift = np.zeros_like(x)
    y = x.copy()
    small = y < 10
    while np.any(small):
        shift = shift + np.where(small, np.log(np.where(small, y, 1.0)), 0.0)
        y = np.where(small, y + 1, y)
        small = y < 10
    inv = 1 / y
    inv2 = inv * inv
    series = np.zeros_like(y)
    for c in reversed(_STIRLING):
        series = series * inv2 + c
    series = series * inv
    return (y - 0.5) * np.log(y) - y + 0.5 * math.log(2 * math.pi) + series - shift
