"""Tests of the transfer theorems (SPEC §8): coefficients b_n and sphere eigenvalues μ_k.

Independent twins: the eigenvalue formula of (1-t)^ν against mpmath quadrature in the angle (it is
quoted in the SPEC, not trusted); b_n from the series interpreter against the Flajolet–Odlyzko
prediction; μ_k from Gauss–Legendre quadrature in θ against the eigenvalue transfer.
"""

from __future__ import annotations

from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.algebra import Input, exp, kappa0, kappa1, sqrt
from symkernel.asymptotics import (
    asymptotics,
    coefficient_constant,
    coefficient_expansion,
    eigenvalue_constant,
    eigenvalue_constant_formula,
    eigenvalue_expansion,
    gamma_ratio_expansion,
    power_coefficient,
    power_eigenvalue,
)
from symkernel.errors import ParameterError
from symkernel.interpret.series import coefficients

t = Input("t")


def fc(depth: int, kind: str = "ntk"):
    s = th = t
    for _ in range(depth):
        s, th = kappa1(s), kappa1(s) + th * kappa0(s)
    return s if kind == "nngp" else th


def laplace(c=1):
    return exp(-sp.nsimplify(c) * sqrt(1 - t))


def _ctx(dps=30):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    return ctx


def _mu_quad(ctx, f, d, k):
    """Funk–Hecke (SPEC §1) in the angle: c_d ∫_0^π f(θ) P_k(cos θ) sin^{d-2}θ dθ, P_k(1) = 1."""
    cd = ctx.gamma(ctx.mpf(d) / 2) / (ctx.sqrt(ctx.pi) * ctx.gamma(ctx.mpf(d - 1) / 2))
    if d == 2:
        def P(th):
            return ctx.cos(k * th)
    else:
        a = ctx.mpf(d - 2) / 2

        def P(th):
            return ctx.gegenbauer(k, a, ctx.cos(th)) / ctx.gegenbauer(k, a, 1)
    return cd * ctx.quad(lambda th: f(th) * P(th) * ctx.sin(th) ** (d - 2),
                         [0, ctx.pi / 3, 2 * ctx.pi / 3, ctx.pi])


# ------------------------------------------------------------------------------------------------
# the model singularity (1 - t)^ν
# ------------------------------------------------------------------------------------------------
NUS = [sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(5, 2), sp.Rational(3, 10),
       sp.Rational(7, 4), sp.Rational(1, 3)]


@settings(max_examples=30, deadline=None)
@given(d=st.sampled_from([2, 3, 4, 5, 7, 12]), nu=st.sampled_from(NUS),
       k=st.integers(min_value=0, max_value=12))
def test_power_eigenvalue_against_quadrature(d, nu, k):
    ctx = _ctx(30)
    n = ctx.convert(sp.N(nu, 40))
    quad = _mu_quad(ctx, lambda th: (2 * ctx.sin(th / 2) ** 2) ** n, d, k)
    exact = ctx.convert(sp.N(power_eigenvalue(d, nu, k), 40))
    scale = _mu_quad(ctx, lambda th: (2 * ctx.sin(th / 2) ** 2) ** n, d, 0)
    assert abs(quad - exact) < ctx.mpf(10) ** -20 * abs(scale)


@pytest.mark.parametrize("d,nu,k", [(3, sp.Rational(1, 2), 3), (2, sp.Rational(3, 2), 5),
                                    (6, sp.Rational(1, 3), 4)])
def test_power_eigenvalue_at_minus_one_has_parity_sign(d, nu, k):
    ctx = _ctx(30)
    n = ctx.convert(sp.N(nu, 40))
    quad = _mu_quad(ctx, lambda th: (2 * ctx.cos(th / 2) ** 2) ** n, d, k)  # (1 + cos θ)^ν
    exact = (-1) ** k * ctx.convert(sp.N(power_eigenvalue(d, nu, k), 40))
    assert abs(quad - exact) < ctx.mpf(10) ** -20


def test_power_coefficient_is_the_binomial_coefficient():
    for nu in NUS[:4]:
        for n in range(8):
            diff = power_coefficient(nu, n) - (-1) ** n * sp.binomial(nu, n)
            assert abs(sp.N(diff, 40)) < 1e-35


def test_stirling_expansion_is_derived():
    a, b = sp.symbols("a b", real=True)
    e = gamma_ratio_expansion()
    assert e[0] == 0
    assert sp.simplify(e[1] - (a - b) * (a + b - 1) / 2) == 0
    ctx = _ctx(40)
    A, B, K = ctx.mpf("0.3"), ctx.mpf("2.7"), ctx.mpf(10) ** 6
    lhs = ctx.loggamma(K + A) - ctx.loggamma(K + B) - (A - B) * ctx.log(K)
    rhs = sum(ctx.convert(sp.N(c.subs({a: sp.Rational(3, 10), b: sp.Rational(27, 10)}), 40))
              / K**j for j, c in enumerate(e))
    assert abs(lhs - rhs) < ctx.mpf(10) ** -17


@pytest.mark.parametrize("d", [2, 3, 4, 10, 101])
@pytest.mark.parametrize("nu", [sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(3, 10)])
def test_eigenvalue_constant(d, nu):
    C = eigenvalue_constant(d, nu)
    # (a) the limit k^p μ_k[(1-t)^ν] at k = 10^12, from the exact formula in mpmath
    ctx = _ctx(40)
    n = ctx.convert(sp.N(nu, 40))
    k = ctx.mpf(10) ** 12
    pre = (ctx.gamma(ctx.mpf(d) / 2) * ctx.power(2, n + d - 2) * ctx.gamma(n + ctx.mpf(d - 1) / 2)
           / (ctx.sqrt(ctx.pi) * ctx.gamma(-n)))
    mu = pre * ctx.exp(ctx.loggamma(k - n) - ctx.loggamma(k + n + d - 1))
    limit = mu * ctx.power(k, d - 1 + 2 * n)
    assert abs(limit / ctx.convert(sp.N(C, 40)) - 1) < ctx.mpf(10) ** -6
    # (b) the hand form Γ(d/2) 2^{ν+d-2} Γ(ν+(d-1)/2) / (√π Γ(-ν))
    hand = (sp.gamma(sp.Rational(d, 2)) * 2 ** (nu + d - 2) * sp.gamma(nu + sp.Rational(d - 1, 2))
            / (sp.sqrt(sp.pi) * sp.gamma(-nu)))
    assert abs(sp.N(C / hand - 1, 30)) < 1e-25


def test_eigenvalue_constant_symbolic_and_values():
    d, nu = sp.Symbol("d", positive=True), sp.Symbol("nu", positive=True)
    formula = eigenvalue_constant_formula()
    assert formula.free_symbols == {d, nu}
    assert eigenvalue_constant(3, sp.Rational(1, 2)) == -sp.sqrt(2) / 4
    assert coefficient_constant(sp.Rational(1, 2)) == -1 / (2 * sp.sqrt(sp.pi))
    assert coefficient_constant(sp.Rational(3, 2)) == 3 / (4 * sp.sqrt(sp.pi))


# ------------------------------------------------------------------------------------------------
# Flajolet–Odlyzko: b_n
# ------------------------------------------------------------------------------------------------
B_KERNELS = [(f"{kind}{L}", fc(L, kind)) for kind in ("ntk", "nngp") for L in (1, 2, 3, 4)]
B_KERNELS += [("laplace", laplace(1)), ("laplace2", laplace(2))]
N_COEFF = 1602


@pytest.fixture(scope="module")
def series_cache():
    return {}


@pytest.mark.parametrize("name,node", B_KERNELS, ids=[n for n, _ in B_KERNELS])
def test_coefficients_transfer(name, node, series_cache):
    """b_n / prediction → 1 with an error C/n, C < 10 (observed 1–3), for n = 200 .. 1601."""
    b = coefficients(node, N_COEFF, dps=20)
    series_cache[name] = b
    a = asymptotics(node, dim=3)
    for parity in (0, 1):
        ns = [200 + parity, 400 + parity, 800 + parity, 1600 + parity]
        if (a.coefficient_even if parity == 0 else a.coefficient_odd) == 0:
            assert a.vanishing_parity == ("even" if parity == 0 else "odd")
            if a.exact_zero_beyond is not None:
                assert all(b[n] == 0 for n in ns)
            continue
        errors = []
        for n in ns:
            ratio = b[n] / a.coefficient(n, dps=20)
            errors.append(abs(ratio - 1))
            assert abs(ratio - 1) < mpmath.mpf(10) / n, (name, n, ratio)
        assert errors[-1] < errors[0] / 6  # decreasing like 1/n (factor 8 from n=200 to 1600)


@pytest.mark.parametrize("name,node", [B_KERNELS[1], B_KERNELS[6], B_KERNELS[8]],
                         ids=["ntk2", "nngp3", "laplace"])
def test_darboux_expansion_is_much_sharper(name, node):
    b = coefficients(node, N_COEFF, dps=25)
    nu = asymptotics(node, dim=3).nu
    for n in (400, 1601):
        leading = abs(coefficient_expansion(node, n, order=nu, dps=25) / b[n] - 1)
        sharp = abs(coefficient_expansion(node, n, order=4, dps=25) / b[n] - 1)
        assert sharp < mpmath.mpf(10) ** 4 / mpmath.mpf(n) ** 3
        assert sharp < leading / 500


# ------------------------------------------------------------------------------------------------
# eigenvalues on the sphere
# ------------------------------------------------------------------------------------------------
def _eigen_quadrature(node, d, kmax):
    """μ_0..μ_kmax by the library's float64 angle quadrature (route (a) of symkernel.spectrum, itself held
    against the series and mpmath.quad routes in tests/test_spectrum.py)."""
    from symkernel.kernel import Kernel
    from symkernel.spectrum import eigenvalues

    return np.asarray(eigenvalues(Kernel(node), d, kmax, method="quadrature").eigenvalues, dtype=float)


E_CASES = [("ntk1", fc(1), 3), ("ntk3", fc(3), 3), ("ntk3", fc(3), 5), ("nngp2", fc(2, "nngp"), 3),
           ("laplace", laplace(1), 4), ("ntk2", fc(2), 2)]


@pytest.mark.parametrize("name,node,d", E_CASES, ids=[f"{n}-d{d}" for n, _, d in E_CASES])
def test_eigenvalue_transfer_against_quadrature(name, node, d):
    mu = _eigen_quadrature(node, d, 160)
    a = asymptotics(node, d)
    assert a.exponent == d - 1 + 2 * a.nu
    for k in (40, 41, 80, 81, 160):
        pred = a.eigenvalue(k, dps=20)
        if pred == 0:
            assert a.vanishing_parity == "odd" and k % 2 == 1
            assert abs(mu[k]) < 1e-13 * mu[0]
            continue
        ratio = mu[k] / float(pred)
        assert abs(ratio - 1) < 20 / k, (k, ratio)
        sharp = float(eigenvalue_expansion(node, d, k, order=3, dps=20))
        assert abs(mu[k] / sharp - 1) < max(1e-4, 0.01 * abs(ratio - 1))


def test_two_layer_ntk_parity_note():
    a = asymptotics(fc(1), dim=3)
    assert a.c_plus == a.c_minus == -sp.sqrt(2) / sp.pi
    assert a.nu == sp.Rational(1, 2) and a.exponent == 3
    assert a.constant_even == 1 / sp.pi and a.constant_odd == 0
    assert a.vanishing_parity == "odd" and a.exact_zero_beyond == 1
    assert "odd" in a.note and "exactly 0" in a.note


def test_deep_kernels_have_both_parities():
    for L in (2, 3, 4):
        a = asymptotics(fc(L), dim=4)
        assert a.vanishing_parity is None
        assert sp.N(a.constant_even) > sp.N(a.constant_odd) > 0
        n = asymptotics(fc(L, "nngp"), dim=4)
        assert n.exponent == 4 - 1 + 3
        assert sp.N(n.constant_even) > sp.N(n.constant_odd) > 0


def test_laplace_and_gaussian():
    a = asymptotics(laplace(2), dim=3)
    assert a.c_plus == -2 and a.c_minus == 0 and a.nu_minus is None
    assert "weaker" in a.note
    g = asymptotics(exp(-3 * (1 - t)), dim=3)
    assert g.nu is None and g.exponent == sp.oo
    assert g.eigenvalue(10) == 0


def test_reporting():
    k = SimpleNamespace(node=fc(2), name="FC NTK, depth 2", info={"depth": 2})
    a = asymptotics(k, dim=3)
    assert a.kernel_name == "FC NTK, depth 2"
    assert "hidden ReLU layers" in a.note
    for key in ("expansion_plus", "expansion_minus", "coefficients", "eigenvalues", "constant"):
        assert key in a.latex
    assert r"\begin{cases}" in a.latex["eigenvalues"] and "k^{-3}" in a.latex["eigenvalues"]
    d = a.as_dict(dps=25)
    assert d["exponent_exact"] == "3" and d["nu_exact"] == "1/2"
    assert mpmath.mpf(d["c_plus"]) == pytest.approx(-3 * 2**0.5 / 3.141592653589793, rel=1e-15)
    assert len(d["c_plus"].lstrip("-").replace(".", "")) >= 25
    assert "C(3, 1/2)" in str(a)


def test_bad_input():
    with pytest.raises(ParameterError):
        asymptotics(fc(1), dim=1)
    with pytest.raises(ParameterError):
        asymptotics(fc(1), dim="3")
    with pytest.raises(ParameterError):
        asymptotics(kappa1(Input("t_0") * Input("t_1")), dim=3)
    with pytest.raises(ParameterError):
        power_eigenvalue(3, 1, 2)  # integer ν: (1-t)^ν is a polynomial
    with pytest.raises(ParameterError):
        eigenvalue_constant(3, "x")
