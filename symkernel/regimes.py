r"""The regime :math:`d \gg k`: eigenvalues of a fixed degree k in high dimension (SPEC §8).

Derivation
----------
Funk–Hecke applied to the Maclaurin series (SPEC §1, normalised measure, :math:`P_k(1) = 1`):
:math:`\mu_k = \sum_{n} b_n\,\mu_k(t^n)` with, for :math:`n = k + 2j`,

.. math::  \mu_k(t^{k+2j}) = \frac{(k+2j)!\,\Gamma(\frac d2)\,\Gamma(j+\frac12)}{(2j)!\,2^k\sqrt\pi\,
           \Gamma(k+j+\frac d2)} = \frac{(k+2j)!\,\Gamma(\frac d2)}{4^j\, j!\, 2^k\,\Gamma(k+j+\frac d2)},

using :math:`\Gamma(j+\frac12) = (2j)!\sqrt\pi/(4^j j!)`.  Factoring out the j = 0 term,

.. math::  \mu_k = \frac{b_k\,k!\,\Gamma(\frac d2)}{2^k\,\Gamma(k+\frac d2)}
           \Bigl[1 + \sum_{j\ge1} \frac{b_{k+2j}}{b_k}\,\frac{(k+2j)!}{k!\,j!\,4^j\,(k+\frac d2)_j}\Bigr],

and since :math:`(k + \frac d2)_j \ge (d/2)^j` the j-th bracket term is :math:`O(d^{-j})`: truncating after
``order`` terms leaves a relative error :math:`O(d^{-\mathrm{order}})` (all terms are positive, so the
truncation is a lower bound).  Expanding :math:`\Gamma(\frac d2)/\Gamma(k+\frac d2) = (2/d)^k
\prod_{i<k}(1 + 2i/d)^{-1}` in :math:`1/d` gives the explicit first correction

.. math::  \mu_k = \frac{b_k\,k!}{d^{k}}\Bigl[1 + \frac1d\Bigl(\frac{(k+1)(k+2)\,b_{k+2}}{2\,b_k}
           - k(k-1)\Bigr) + O(d^{-2})\Bigr],

i.e. the SPEC statement :math:`\mu_k = b_k k!\,\Gamma(d/2)/(2^k\Gamma(k+d/2)) + O(d^{-k-1})` with the
:math:`d^{-k-1}` term made explicit; :func:`high_dimension_series` writes out any number of further terms
(SymPy, exact).  When :math:`b_k = 0` (the odd k ≥ 3 of the two-layer
kernels, whose odd coefficients vanish identically) every term vanishes and :math:`\mu_k = 0`.

Conventions: normalised measure on :math:`S^{d-1}`.  Papers that use the *unnormalised* surface measure
multiply every eigenvalue by :math:`|S^{d-1}| = 2\pi^{d/2}/\Gamma(d/2)`, which changes the d-dependence
completely; compare rates only after converting.

References
----------
Funk–Hecke: K. Atkinson and W. Han, *Spherical Harmonics and Approximations on the Unit Sphere* (2012),
Thm 2.22.  Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou and Q. Gu, "Towards understanding the spectral bias of deep
learning", IJCAI 2021 (arXiv:1912.01198), the d ≫ k regime of the two-layer NTK.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sympy as sp

from .errors import ParameterError, check_dps, check_int
from .interpret.numeric import dps_to_bits, mp_context, output_context

__all__ = [
    "high_dimension_eigenvalue",
    "high_dimension_terms",
    "high_dimension_series",
    "first_correction",
    "coefficient_symbols",
]

_d = sp.Symbol("d", positive=True)
MAX_ORDER = 50


def _coefficients(K, n: int, dps: int) -> list:
    if not hasattr(K, "coefficients"):
        raise ParameterError("kernel", K, "a symkernel Kernel (e.g. sk.fc(3, 'ntk'))")
    return K.coefficients(n, dps)


def high_dimension_terms(K: Any, k: int, dim: int, order: int = 2, dps: int = 30) -> list:
    r"""The first ``order`` terms :math:`b_{k+2j}\,\mu_k(t^{k+2j})`, j = 0..order-1, of
    :math:`\mu_k = \sum_j b_{k+2j}\,\mu_k(t^{k+2j})` (mpmath numbers at ``dps`` digits).

    The ratio of consecutive terms is
    :math:`\frac{b_{k+2j+2}}{b_{k+2j}}\frac{(k+2j+1)(k+2j+2)}{4(j+1)(k+j+d/2)} = O(1/d)`.
    """
    k = check_int("k", k, 0, 10_000)
    d = check_int("dim", dim, 2, 10**9)
    order = check_int("order", order, 1, MAX_ORDER)
    dps = check_dps(dps)
    ctx = mp_context(dps_to_bits(dps + 10))
    b = _coefficients(K, k + 2 * order - 1, dps + 10)
    half = ctx.mpf(d) / 2
    lead = ctx.factorial(k) * ctx.exp(ctx.loggamma(half) - ctx.loggamma(k + half)) / ctx.mpf(2) ** k
    terms = []
    factor = ctx.mpf(1)  # (k+2j)! / (k! j! 4^j (k + d/2)_j)
    for j in range(order):
        if j:
            factor *= ctx.mpf((k + 2 * j - 1) * (k + 2 * j)) / (4 * j * (k + j - 1 + half))
        terms.append(ctx.convert(b[k + 2 * j]) * lead * factor)
    out = output_context(dps)
    return [+out.convert(x) for x in terms]


def high_dimension_eigenvalue(K: Any, k: int, d: int, order: int = 2, dps: int = 30):
    r"""High-dimensional approximation of :math:`\mu_k` on :math:`S^{d-1}` for fixed k and :math:`d \gg k`:

    .. math::  \mu_k \approx \frac{k!\,\Gamma(\frac d2)}{2^k\,\Gamma(k+\frac d2)} \sum_{j<\mathrm{order}}
               b_{k+2j}\,\frac{(k+2j)!}{k!\,j!\,4^j\,(k+\frac d2)_j},

    with relative error :math:`O(d^{-\mathrm{order}})` (module docstring).  ``order=1`` is the leading term
    :math:`b_k k!\,\Gamma(d/2)/(2^k\Gamma(k+d/2))` of SPEC §8, ``order=2`` adds the first correction.

    Parameters
    ----------
    K : Kernel
    k : int
        Degree (≥ 0).
    d : int
        Ambient dimension (≥ 2); the approximation is meant for :math:`d \gg k^2`.
    order : int
        Number of terms j = 0..order-1.
    dps : int
        Digits of the result.

    Returns
    -------
    mpmath.mpf
        A lower bound of :math:`\mu_k` (all omitted terms are ≥ 0 because :math:`b_n \ge 0`).

    Examples
    --------
    >>> import symkernel as sk
    >>> v = high_dimension_eigenvalue(sk.fc(1, "ntk"), 1, 1000, order=3, dps=15)
    >>> abs(v * 1000 - 1) < 1e-12   # the two-layer NTK has mu_1 = 1/d exactly
    True
    """
    terms = high_dimension_terms(K, k, d, order, dps)
    out = output_context(check_dps(dps))
    return +out.fsum(terms)


@lru_cache(maxsize=64)
def _series_cached(coeffs: tuple, k: int, order: int) -> sp.Expr:
    x = sp.Symbol("x", positive=True)  # x = 1/d
    total = sp.Integer(0)
    for j in range(order):
        bj = coeffs[j]
        if bj == 0:
            continue
        # (k+2j)! / (4^j j! 2^k) * Gamma(d/2)/Gamma(k+j+d/2),  Gamma(d/2)/Gamma(k+j+d/2) = prod (d/2 + i)^-1
        pref = sp.factorial(k + 2 * j) / (4**j * sp.factorial(j) * 2**k)
        prod = sp.Integer(1)
        for i in range(k + j):
            prod *= 2 * x / (1 + 2 * i * x)
        ser = sp.series(prod, x, 0, k + order).removeO()
        total += bj * pref * sp.expand(ser)
    return sp.collect(sp.expand(total).subs(x, 1 / _d), _d)


def coefficient_symbols(k: int, order: int) -> tuple[sp.Symbol, ...]:
    """The symbols ``b_k, b_{k+2}, ...`` used by the general formulas."""
    return tuple(sp.Symbol(f"b_{k + 2 * j}", nonnegative=True) for j in range(order))


def high_dimension_series(K: Any, k: int, order: int = 2) -> sp.Expr:
    r"""Expansion of :math:`\mu_k` in powers of :math:`1/d` through :math:`d^{-(k+\mathrm{order}-1)}`
    (error :math:`O(d^{-k-\mathrm{order}})`), as a SymPy expression in the positive symbol ``d``.

    ``K=None`` gives the general formula in the symbols :math:`b_k, b_{k+2}, \dots`
    (:func:`coefficient_symbols`); with a kernel, its exact coefficients are inserted (unsimplified: the
    deep kernels' exact constants are nested arc-cosine values).

    Examples
    --------
    >>> high_dimension_series(None, 1, order=2)
    b_1/d + 3*b_3/d**2
    >>> high_dimension_series(None, 2, order=2)
    2*b_2/d**2 + (-4*b_2 + 12*b_4)/d**3
    """
    k = check_int("k", k, 0, 60)
    order = check_int("order", order, 1, 12)
    if K is None:
        coeffs = coefficient_symbols(k, order)
    else:
        b = K.exact_coefficients(k + 2 * order - 1)
        coeffs = tuple(b[k + 2 * j] for j in range(order))
    return _series_cached(coeffs, k, order)


def first_correction(K: Any, k: int) -> sp.Expr:
    r"""The coefficient :math:`c_1` of :math:`\mu_k = b_k k!\,d^{-k} [1 + c_1/d + O(d^{-2})]`:

    .. math::  c_1 = \frac{(k+1)(k+2)\,b_{k+2}}{2\,b_k} - k(k-1)   \qquad (b_k \ne 0),

    as a SymPy expression: in the symbols :math:`b_k, b_{k+2}` when ``K`` is None, else with the kernel's
    exact coefficients (raises :class:`~symkernel.errors.ParameterError` when :math:`b_k = 0`).

    Examples
    --------
    >>> first_correction(None, 2)
    -2 + 6*b_4/b_2
    """
    k = check_int("k", k, 0, 60)
    if K is None:
        bk, bk2 = coefficient_symbols(k, 2)
    else:
        b = K.exact_coefficients(k + 3)
        bk, bk2 = b[k], b[k + 2]
        if bk == 0:
            raise ParameterError(
                "k", k, "a degree with b_k != 0 (here b_k = 0 and the leading term vanishes)"
            )
    return sp.Rational((k + 1) * (k + 2), 2) * bk2 / bk - k * (k - 1)
