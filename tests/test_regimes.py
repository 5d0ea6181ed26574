"""The regime d >> k (SPEC §8, symkernel.regimes) against Gauss-Legendre quadrature in theta, d = 50..2000."""

from __future__ import annotations

import doctest
from functools import cache

import mpmath
import pytest
import sympy as sp

import symkernel as sk
from symkernel import regimes
from symkernel.errors import ParameterError
from symkernel.regimes import (
    coefficient_symbols,
    first_correction,
    high_dimension_eigenvalue,
    high_dimension_series,
    high_dimension_terms,
)
from symkernel.spectrum import eigenvalues

DIMS = (50, 200, 800, 2000)


@cache
def kern(kind, depth):
    return sk.laplace(1) if kind == "laplace" else sk.fc(depth, kind)


@cache
def quad(kind, depth, d, kmax=4):
    """Reference: Gauss-Legendre quadrature in theta at 30 digits (an independent route)."""
    return eigenvalues(kern(kind, depth), d, kmax, dps=30, method="quadrature").eigenvalues


@pytest.mark.parametrize("kind,depth", [("ntk", 1), ("ntk", 3), ("nngp", 2), ("laplace", 0)])
@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_error_scales_like_d_to_minus_order(kind, depth, k):
    K = kern(kind, depth)
    errs = {}
    for order in (1, 2, 3):
        errs[order] = []
        for d in DIMS:
            mu = quad(kind, depth, d)[k]
            if mu == 0:
                assert high_dimension_eigenvalue(K, k, d, order) == 0
                continue
            approx = high_dimension_eigenvalue(K, k, d, order, dps=30)
            assert approx <= mu * (1 + mpmath.mpf(10) ** -25)  # the omitted terms are >= 0
            errs[order].append(abs(approx / mu - 1))
    for order, e in errs.items():
        if not e or max(e) < 1e-25:
            continue
        # d from 50 to 2000 (x 40): the relative error drops by ~40^order
        drop = e[0] / e[-1]
        assert 40**order / 3 < drop < 40**order * 3, (order, e)
        assert e[-1] < 5 * (k + 2) ** (2 * order) / 2000**order


@pytest.mark.parametrize("kind,depth,k", [("ntk", 2, 0), ("ntk", 3, 2), ("nngp", 1, 2), ("laplace", 0, 3)])
def test_first_correction_is_the_d_inverse_coefficient(kind, depth, k):
    K = kern(kind, depth)
    b = K.coefficients(k + 3, dps=30)
    c1 = mpmath.mpf(sp.N(first_correction(K, k), 30))
    ests = []
    for d in (800, 2000):
        mu = quad(kind, depth, d)[k]
        lead = b[k] * mpmath.factorial(k) / mpmath.mpf(d) ** k
        ests.append((mu / lead - 1) * d)
    # (mu/lead - 1) d = c_1 + O(1/d)
    assert abs(ests[-1] - c1) < abs(ests[0] - c1) + 1e-12
    assert abs(ests[-1] - c1) < 40 * (abs(c1) + k * k + 1) / 2000


def test_general_formulas():
    b0, b2, b4 = coefficient_symbols(0, 3)
    assert (
        high_dimension_series(None, 0, 3)
        == b0 + b2 / sp.Symbol("d", positive=True) + 3 * b4 / sp.Symbol("d", positive=True) ** 2
    )
    d = sp.Symbol("d", positive=True)
    b1, b3 = coefficient_symbols(1, 2)
    assert sp.simplify(high_dimension_series(None, 1, 2) - (b1 / d + 3 * b3 / d**2)) == 0
    bk, bk2 = coefficient_symbols(2, 2)
    assert sp.simplify(first_correction(None, 2) - (6 * bk2 / bk - 2)) == 0
    # k = 2: mu_2 = b_2 2! d^-2 [1 + c_1/d + ...] with c_1 = 6 b_4/b_2 - 2
    ser = high_dimension_series(None, 2, 2)
    assert sp.simplify(ser - 2 * bk / d**2 * (1 + (6 * bk2 / bk - 2) / d)) == 0


def test_series_with_exact_coefficients_matches_numbers():
    K = kern("ntk", 1)
    ser = high_dimension_series(K, 2, 3)
    d = 2000
    val = mpmath.mpf(sp.N(ser.subs(sp.Symbol("d", positive=True), d), 30))
    mu = quad("ntk", 1, d)[2]
    assert abs(val / mu - 1) < 1e-8  # error O(d^-3) relative


def test_two_layer_zero_and_exact_values():
    K = kern("ntk", 1)
    assert high_dimension_eigenvalue(K, 3, 500, order=4) == 0  # b_3 = b_5 = ... = 0
    # mu_1 = 1/d exactly for the two-layer NTK (closed form), and all corrections vanish
    assert abs(high_dimension_eigenvalue(K, 1, 300, order=3) * 300 - 1) < 1e-25
    terms = high_dimension_terms(K, 0, 100, order=4)
    assert len(terms) == 4 and all(t >= 0 for t in terms)
    assert all(terms[j + 1] < terms[j] for j in range(3))
    with pytest.raises(ParameterError):
        first_correction(K, 3)


def test_bad_input():
    K = kern("ntk", 2)
    with pytest.raises(ParameterError):
        high_dimension_eigenvalue(K, -1, 100)
    with pytest.raises(ParameterError):
        high_dimension_eigenvalue(K, 2, 1)
    with pytest.raises(ParameterError):
        high_dimension_eigenvalue(K, 2, 100, order=0)
    with pytest.raises(ParameterError):
        high_dimension_eigenvalue("not a kernel", 2, 100)


def test_doctests():
    assert doctest.testmod(regimes, optionflags=doctest.ELLIPSIS).failed == 0
