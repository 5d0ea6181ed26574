"""Arc-cosine kernels: closed forms against the angle form, derivatives, Maclaurin and endpoint series."""

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symkernel.arccos import (
    angle_variable,
    endpoint_variable,
    kappa_angle_expr,
    kappa_at_zero,
    kappa_derivative_at,
    kappa_endpoint_expansion,
    kappa_expr,
    kappa_maclaurin,
    kappa_variable,
)

u, th, s = kappa_variable(), angle_variable(), endpoint_variable()


def _num(expr, **vals):
    return mpmath.mpf(sp.N(expr.subs({sp.Symbol(k, real=True): v for k, v in vals.items()}), 40))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_value_at_one_and_minus_one(n):
    assert sp.simplify(kappa_expr(n).subs(u, 1)) == 1
    assert sp.simplify(kappa_expr(n).subs(u, -1)) == 0
    assert sp.simplify(kappa_expr(n).subs(u, 0) - kappa_at_zero(n)) == 0


@given(st.integers(0, 3), st.fractions(-1, 1, max_denominator=1000))
def test_closed_form_equals_angle_form(n, x):
    x = sp.Rational(x.numerator, x.denominator)
    a = sp.N(kappa_expr(n).subs(u, x), 30)
    b = sp.N(kappa_angle_expr(n).subs(th, sp.acos(x)), 30)
    assert abs(a - b) < sp.Float(10) ** -25


def test_gaussian_expectation_definition():
    """kappa_1(<x,y>) = E[2 relu(w.x) relu(w.y)], kappa_0 = E[2 step step]: 2-D quadrature in the angle."""
    with mpmath.workdps(30):
        for rho in (mpmath.mpf("-0.7"), mpmath.mpf("0.2"), mpmath.mpf("0.95")):
            phi = mpmath.acos(rho)
            # w.x = r cos a, w.y = r cos(a - phi) in the plane of x, y; E[r^2] = 2 for the Rayleigh radius.
            # both are positive exactly for a in (phi - pi/2, pi/2)
            lo, hi = phi - mpmath.pi / 2, mpmath.pi / 2
            relu = mpmath.quad(lambda a, phi=phi: mpmath.cos(a) * mpmath.cos(a - phi), [lo, hi])
            k1 = 2 * 2 * relu / (2 * mpmath.pi)
            k0 = 2 * (hi - lo) / (2 * mpmath.pi)
            assert abs(k1 - _num(kappa_expr(1), u=rho)) < 1e-25
            assert abs(k0 - _num(kappa_expr(0), u=rho)) < 1e-25


@pytest.mark.parametrize("n", [1, 2, 3])
def test_derivative_relation(n):
    lhs = sp.diff(kappa_expr(n), u)
    rhs = sp.Rational(n * n, 2 * n - 1) * kappa_expr(n - 1)
    for x in (sp.Rational(-1, 3), sp.Rational(1, 5), sp.Rational(7, 8)):
        assert abs(sp.N((lhs - rhs).subs(u, x), 30)) < 1e-25


@given(st.integers(0, 2), st.integers(0, 5), st.fractions("-9/10", "9/10", max_denominator=50))
def test_derivative_at_interior_point_against_finite_differences(n, m, x):
    x = sp.Rational(x.numerator, x.denominator)
    exact = mpmath.mpf(sp.N(kappa_derivative_at(n, m, x), 30))
    f = sp.lambdify(u, kappa_expr(n), "mpmath")
    with mpmath.workdps(40):
        fd = mpmath.diff(f, mpmath.mpf(x.p) / x.q, m)
    assert abs(exact - fd) <= 1e-15 * max(1, abs(fd))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_maclaurin_closed_form_against_sympy_series(n):
    N = 12
    ser = sp.series(kappa_expr(n), u, 0, N).removeO()
    expected = [sp.simplify(ser.coeff(u, j)) for j in range(N)]
    got = kappa_maclaurin(n, N)
    assert all(sp.simplify(a - b) == 0 for a, b in zip(got, expected))


def test_maclaurin_known_values():
    assert kappa_maclaurin(1, 5) == [1 / sp.pi, sp.Rational(1, 2), 1 / (2 * sp.pi), 0, 1 / (24 * sp.pi)]
    assert kappa_maclaurin(0, 4) == [sp.Rational(1, 2), 1 / sp.pi, 0, 1 / (6 * sp.pi)]


@pytest.mark.parametrize("n,at", [(0, 1), (1, 1), (0, -1), (1, -1)])
def test_endpoint_expansion_against_numeric(n, at):
    ser = kappa_endpoint_expansion(n, at, 5)
    f = sp.lambdify(u, kappa_expr(n), "mpmath")
    with mpmath.workdps(50):
        for eps in (mpmath.mpf("1e-4"), mpmath.mpf("1e-6")):
            exact = f(at * (1 - eps))
            approx = mpmath.mpf(sp.N(ser.subs(s, sp.Float(eps, 50)), 50))
            # the next term is O(s^3): the residual must be below a modest multiple of eps^3
            assert abs(exact - approx) < 10 * eps**3


def test_endpoint_expansion_kappa1_leading_terms():
    ser = kappa_endpoint_expansion(1, 1, 3)
    expected = 1 - s + 2 * sp.sqrt(2) / (3 * sp.pi) * s ** sp.Rational(3, 2)
    assert sp.simplify(ser - expected) == 0


@pytest.mark.parametrize("n", [0, 1, 2])
@pytest.mark.parametrize("at", [1, -1])
def test_singular_coefficient_against_the_closed_form(n, at):
    """c_n^+- of s^(n+1/2) in kappa_n(+-(1-s)): (kappa_n - its Taylor part at +-1) / s^(n+1/2) at small s,
    from the closed forms evaluated by mpmath (the Taylor part from the derivatives at the endpoint)."""
    from symkernel.arccos import kappa_expr, kappa_singular_coefficient, kappa_variable

    u = kappa_variable()
    expr = kappa_expr(n)
    s = sp.Rational(1, 10**14)
    # analytic part: kappa_n(+-1) and its first n derivatives there (kappa_n is n times differentiable)
    taylor = sum(sp.limit(sp.diff(expr, u, m), u, at, "-" if at == 1 else "+") * (-at * s) ** m
                 / sp.factorial(m) for m in range(n + 1))
    numeric = sp.N((expr.subs(u, at * (1 - s)) - taylor) / s ** (n + sp.Rational(1, 2)), 30)
    c = kappa_singular_coefficient(n, at)
    assert abs(numeric / sp.N(c, 30) - 1) < 1e-10
