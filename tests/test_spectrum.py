"""Eigenvalues on the sphere: three routes, closed forms, identities, Nyström (SPEC §1, §7; issue 3)."""

from __future__ import annotations

import argparse
import io
import json
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import symkernel as sk
from symkernel.errors import ParameterError, PrecisionError
from symkernel.spectrum import eigenvalues, multiplicity
from symkernel.spectrum.closed_forms import closed_form, closed_form_name, verify_gauss_sums
from symkernel.spectrum.gegenbauer import (
    gegenbauer_mp,
    gegenbauer_numpy,
    lgamma_np,
    monomial_eigenvalue,
    singular_power_eigenvalues,
)

HALF = sp.Rational(1, 2)
KERNELS = {
    "ntk1": lambda: sk.fc(1, "ntk"),
    "ntk2": lambda: sk.fc(2, "ntk"),
    "ntk3": lambda: sk.fc(3, "ntk"),
    "nngp1": lambda: sk.fc(1, "nngp"),
    "nngp3": lambda: sk.fc(3, "nngp"),
    "cao": lambda: sk.fc(1, "ntk", layer_weights=(HALF, 1)),
    "ntk2_bias": lambda: sk.fc(2, "ntk", bias=HALF),
    "kappa0": lambda: sk.arccos_kernel(0),
    "kappa1": lambda: sk.arccos_kernel(1),
    "laplace": lambda: sk.laplace(1),
}
_CACHE: dict = {}


def kernel(name):
    if name not in _CACHE:
        _CACHE[name] = KERNELS[name]()
    return _CACHE[name]


def rel_close(a, b, dps, slack=10):
    """a and b agree to dps significant digits (up to `slack` units in the last place)."""
    if b == 0:
        return a == 0
    return abs(mpmath.mpf(a) - mpmath.mpf(b)) <= slack * mpmath.mpf(10) ** (-dps) * abs(mpmath.mpf(b))


# ------------------------------------------------------------------------------------ basics
def test_multiplicities():
    assert [multiplicity(3, k) for k in range(5)] == [1, 3, 5, 7, 9]
    assert [multiplicity(2, k) for k in range(5)] == [1, 2, 2, 2, 2]
    assert multiplicity(4, 3) == 16  # (k+1)^2 on S^3
    # harmonics of degree <= K span the polynomials of degree <= K restricted to the sphere
    for d in (2, 3, 5, 11):
        for K in (0, 1, 4, 9):
            total = sum(multiplicity(d, k) for k in range(K + 1))
            assert total == math.comb(K + d - 1, d - 1) + math.comb(K + d - 2, d - 1)


def _gegenbauer_explicit(k, d, t):
    """Normalised Gegenbauer polynomial from the explicit sum (DLMF 18.5.10), not the recurrence."""
    mp = mpmath.mp
    if d == 2:  # Chebyshev T_k(t) = cos(k arccos t) (mp.chebyt's hypergeometric sum fails at t ~ 1e-135)
        return mp.cos(k * mp.acos(t))
    lam = mp.mpf(d - 2) / 2

    def C(x):
        return mp.fsum((-1) ** j * mp.gamma(k - j + lam) / (mp.gamma(lam) * mp.factorial(j)
                       * mp.factorial(k - 2 * j)) * (2 * x) ** (k - 2 * j) for j in range(k // 2 + 1))

    return C(t) / C(1)


@settings(max_examples=30, deadline=None)
@given(d=st.integers(2, 40), k=st.integers(0, 25), t=st.floats(-1, 1))
def test_gegenbauer_recurrence_matches_explicit_sum(d, k, t):
    mpmath.mp.dps = 40
    try:
        ours = gegenbauer_mp(k, d, mpmath.mpf(t))[k]
        ref = _gegenbauer_explicit(k, d, mpmath.mpf(t))
        assert abs(ours - ref) <= mpmath.mpf(10) ** -25
        assert abs(gegenbauer_numpy(k, d, [t])[k, 0] - float(ref)) <= 1e-12
    finally:
        mpmath.mp.dps = 15


def test_lgamma_np():
    x = np.array([0.1, 0.5, 1, 2.5, 9.9, 10, 57.3, 1e4, 1e7])
    ref = np.array([math.lgamma(v) for v in x])
    assert np.max(np.abs(lgamma_np(x) - ref) / np.maximum(1, np.abs(ref))) < 1e-13


@pytest.mark.parametrize("d", [2, 3, 5, 12])
def test_monomial_and_singular_eigenvalues_against_quad(d):
    mp = mpmath.mp
    mp.dps = 25
    try:
        cd = mp.gamma(mp.mpf(d) / 2) / (mp.sqrt(mp.pi) * mp.gamma(mp.mpf(d - 1) / 2))
        def funk_hecke(f, k):  # c_d ∫_0^π f(cos θ) P_k(cos θ) sin^{d-2} θ dθ
            return cd * mp.quad(lambda th: f(mp.cos(th)) * gegenbauer_mp(k, d, mp.cos(th))[k]
                                * mp.sin(th) ** (d - 2), [0, mp.pi / 2, mp.pi])

        for k in range(0, 5):
            for n in range(k, k + 5):
                ref = funk_hecke(lambda t, n=n: t**n, k)
                assert abs(monomial_eigenvalue(k, n, d) - ref) < mp.mpf(10) ** -20
            for a in (HALF, sp.Rational(3, 2)):
                av = mp.mpf(a.p) / a.q
                # (1 - cos θ)^a = (2 sin^2(θ/2))^a, analytic in θ for half-integer a only up to sign
                ref = funk_hecke(lambda t, av=av: (1 - t) ** av, k)
                assert abs(singular_power_eigenvalues(av, k, d)[k] - ref) < mp.mpf(10) ** -18
    finally:
        mp.dps = 15


# ------------------------------------------------------------------------------------ routes
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(KERNELS)), d=st.sampled_from([2, 3, 4, 7, 20, 150]),
       kmax=st.integers(0, 16), dps=st.integers(10, 32))
def test_series_and_quadrature_agree(name, d, kmax, dps):
    K = kernel(name)
    a = eigenvalues(K, d, kmax, dps=dps, method="series")
    b = eigenvalues(K, d, kmax, dps=dps, method="quadrature")
    assert a.method == "series" and b.method == "quadrature"
    for k, (x, y) in enumerate(zip(a.eigenvalues, b.eigenvalues, strict=True)):
        assert rel_close(x, y, dps), (name, d, k, x, y)
        assert x >= 0
        assert a.error_estimate[k] <= abs(x) * mpmath.mpf(10) ** (-dps)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["ntk3", "nngp1", "laplace", "ntk2_bias"]),
       d=st.sampled_from([2, 3, 5]), kmax=st.integers(0, 3))
def test_reference_route_agrees(name, d, kmax):
    dps = 15
    K = kernel(name)
    ref = eigenvalues(K, d, kmax, dps=dps, method="reference")
    ser = eigenvalues(K, d, kmax, dps=dps, method="series")
    for x, y in zip(ref.eigenvalues, ser.eigenvalues, strict=True):
        assert rel_close(x, y, dps - 2)


def test_float64_mode_matches_mp():
    K = kernel("ntk3")
    for d in (2, 3, 10):
        f = eigenvalues(K, d, 300)
        m = eigenvalues(K, d, 300, dps=20)
        assert isinstance(f.eigenvalues, np.ndarray)
        err = np.abs(f.eigenvalues - np.array([float(v) for v in m.eigenvalues]))
        assert np.all(err <= 4 * f.error_estimate + 1e-300)
        assert np.all(f.error_estimate <= 1e-12)


def test_large_d_cancellation():
    """d = 1000: μ_40 ≈ 1e-75 while the integrand is far larger (massive cancellation); routes agree."""
    K = kernel("ntk3")
    a = eigenvalues(K, 1000, 40, dps=20, method="series")
    b = eigenvalues(K, 1000, 40, dps=20, method="quadrature")
    assert a.eigenvalues[-1] < mpmath.mpf(10) ** -70
    for x, y in zip(a.eigenvalues, b.eigenvalues, strict=True):
        assert rel_close(x, y, 20)


@pytest.mark.slow
@pytest.mark.parametrize("d", [3, 100])
def test_routes_agree_kmax_1000(d):
    K = kernel("ntk3")
    a = eigenvalues(K, d, 1000, dps=30, method="series")
    b = eigenvalues(K, d, 1000, dps=30, method="quadrature")
    for x, y in zip(a.eigenvalues, b.eigenvalues, strict=True):
        assert rel_close(x, y, 30)


# ------------------------------------------------------------------------------------ closed forms
def test_gauss_sums_rederived():
    assert verify_gauss_sums()


@pytest.mark.parametrize("name,factory", [
    ("kappa0", lambda: sk.arccos_kernel(0)), ("kappa1", lambda: sk.arccos_kernel(1)),
    ("ntk2", lambda: sk.fc(1, "ntk")), ("nngp2", lambda: sk.fc(1, "nngp")),
    ("cao", lambda: sk.fc(1, "ntk", layer_weights=(HALF, 1)))])
def test_closed_forms_match_numeric(name, factory):
    K = factory()
    assert closed_form_name(K) == name
    cf = closed_form(name)
    for d in (2, 3, 4, 9, 30):
        r = eigenvalues(K, d, 14, dps=30, method="series")
        for k, (v, e) in enumerate(zip(r.eigenvalues, cf.values(d, 14), strict=True)):
            exact = mpmath.mpf(str(sp.N(e, 50))) if e != 0 else 0
            if e == 0:
                assert v == 0
            else:
                assert rel_close(v, exact, 30, slack=2), (name, d, k)


def test_closed_forms_rational_on_s2():
    for name in ("kappa0", "kappa1", "ntk2", "cao"):
        vals = closed_form(name).values(3, 20)
        assert all(v.is_Rational for v in vals), name
    assert closed_form("ntk2").values(3, 4) == [HALF, sp.Rational(1, 3), sp.Rational(5, 64), 0,
                                                 sp.Rational(1, 192)]
    # even d: rational multiples of 1/pi^2 (or rationals)
    v = closed_form("ntk2").value(0, 2)
    assert sp.simplify(v * sp.pi**2).is_Rational and v == 6 / sp.pi**2


def test_closed_form_symbolic_expression():
    cf = closed_form("kappa0")
    expr = cf.expr()
    assert expr.subs({cf.k: 5, cf.d: 3}).equals(cf.value(5, 3))


# ------------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("name", ["ntk1", "ntk3", "nngp3"])
@pytest.mark.parametrize("d", [3, 5])
def test_trace_identity_with_tail_bound(name, d):
    """Σ_k N(d,k) μ_k = K(1): the partial sum falls short by a positive tail bounded by the power law."""
    K = kernel(name)
    kmax = 300
    r = eigenvalues(K, d, kmax, dps=20, method="series")
    assert all(v >= 0 for v in r.eigenvalues)
    terms = [m * v for m, v in zip(r.multiplicities, r.eigenvalues, strict=True)]
    missing = float(mpmath.mpf(str(sp.N(K.diagonal, 30))) - mpmath.fsum(terms))
    # N(d,k) μ_k ≈ A k^{-q} (q = 1 + 2ν asymptotically); bound the tail by the integral of the fit
    ks = np.arange(kmax // 2, kmax + 1)
    vals = np.array([float(terms[k]) for k in ks])
    nz = vals > 0
    q, logA = np.polyfit(np.log(ks[nz]), np.log(vals[nz]), 1)
    q = -q
    tail = nz.mean() * math.exp(logA) * kmax ** (1 - q) / (q - 1)  # nz.mean(): parity zeros
    assert 0.5 * tail < missing < 2 * tail


def test_trace_identity_exact_for_gaussian():
    K = sk.gaussian(1)
    for method in ("series", "quadrature"):
        r = eigenvalues(K, 4, 60, dps=25, method=method)
        assert rel_close(r.trace(), mpmath.mpf(1), 24)


def test_exact_zeros_two_layer():
    for K in (sk.fc(1, "ntk"), sk.fc(1, "nngp"), sk.fc(1, "ntk", layer_weights=(HALF, 1))):
        for method in ("series", "quadrature"):
            r = eigenvalues(K, 5, 15, dps=20, method=method)
            assert all(r.eigenvalues[k] == 0 for k in range(3, 16, 2))
            assert all(r.eigenvalues[k] > 0 for k in range(0, 16, 2))
            assert r.eigenvalues[1] > 0
        raw = eigenvalues(K, 5, 15, dps=20, method="quadrature", structural_zeros=False)
        for k in range(3, 16, 2):
            assert abs(raw.eigenvalues[k]) <= raw.error_estimate[k] + mpmath.mpf(10) ** -40
    # depth 2: no exact zeros
    r = eigenvalues(sk.fc(2, "ntk"), 5, 15, dps=20)
    assert all(v > 0 for v in r.eigenvalues)


def test_nystrom_gram_matrix():
    """Eigenvalues of the Gram matrix / n on random points of S^2, grouped by multiplicity, approach μ_k."""
    rng = np.random.default_rng(1)
    d, n = 3, 1000
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    K = kernel("ntk2")
    G = K.numpy(t=np.clip(X @ X.T, -1, 1)) / n
    lam = np.sort(np.linalg.eigvalsh(G))[::-1]
    r = eigenvalues(K, d, 4)
    order = np.argsort(-r.eigenvalues)
    pos = 0
    for k in order:
        m = r.multiplicities[k]
        group = lam[pos:pos + m].mean()
        assert abs(group - r.eigenvalues[k]) < 0.08 * r.eigenvalues[k], (k, group, r.eigenvalues[k])
        pos += m


# ------------------------------------------------------------------------------------ interfaces
def test_bad_input():
    K = kernel("ntk1")
    with pytest.raises(ParameterError, match="dim"):
        eigenvalues(K, 1, 5)
    with pytest.raises(ParameterError, match="kmax"):
        eigenvalues(K, 3, -1)
    with pytest.raises(ParameterError, match="dps"):
        eigenvalues(K, 3, 5, dps=2)
    with pytest.raises(ParameterError, match="method"):
        eigenvalues(K, 3, 5, method="fft")
    with pytest.raises(ParameterError, match="kernel"):
        eigenvalues("ntk", 3, 5)
    from symkernel.algebra import Input

    multi = sk.Kernel(Input("t_0") * Input("t_1"), "two pixels")
    with pytest.raises(ParameterError, match="kernel"):
        eigenvalues(multi, 3, 5)


def test_result_object():
    r = eigenvalues(kernel("ntk1"), 3, 4, dps=20)
    assert len(r) == 5 and r[1] == r.eigenvalues[1]
    assert r.strings()[:3] == ["0.5", "0.33333333333333333333", "0.078125"]
    d = r.to_dict()
    assert d["multiplicities"] == [1, 3, 5, 7, 9] and len(d["eigenvalues"]) == 5
    assert "EigenResult" in repr(r)


def test_cli_eigen_json_and_plot(tmp_path):
    from symkernel.cli_eigen import add_eigen_parser, run_eigen

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd")
    add_eigen_parser(sub)
    png = tmp_path / "decay.png"
    args = parser.parse_args(["eigen", "--dim", "3", "--kmax", "30", "--dps", "30", "--json",
                              "--plot", str(png), "--quiet"])
    out = io.StringIO()
    calls = []
    assert run_eigen(args, kernel("ntk3"), lambda a, b: calls.append(a), stdout=out) == 0
    payload = json.loads(out.getvalue())
    assert len(payload["eigenvalues"]) == 31 and payload["multiplicities"][2] == 5
    assert payload["eigenvalues"][0] == "1.34842113327467627588117795365"
    assert png.exists() and png.stat().st_size > 1000
    assert 2.5 < payload["decay_fit"]["even"]["exponent"] < 3.5
    assert calls == []  # --quiet
    args = parser.parse_args(["eigen", "--dim", "1"])
    with pytest.raises(ParameterError, match="dim"):
        run_eigen(args, kernel("ntk3"), None, stdout=io.StringIO())
    args = parser.parse_args(["eigen", "--dim", "4", "--kmax", "5"])
    out = io.StringIO()
    run_eigen(args, kernel("ntk3"), None, stdout=out)
    assert "N(d,k)" in out.getvalue() and "float64" in out.getvalue()


@pytest.mark.parametrize("kind,d,depth", [("nngp", 3, 2), ("nngp", 7, 2), ("ntk", 20, 2), ("ntk", 50, 1),
                                          ("ntk", 500, 2), ("ntk", 2, 3)])
def test_float64_error_estimate_is_a_bound(kind, d, depth):
    """The float64 route's absolute error estimate bounds its actual error (reference: 20-digit series)."""
    K = sk.fc(depth, kind)
    f = eigenvalues(K, d, 200)
    m = eigenvalues(K, d, 200, dps=20)
    err = np.abs(f.eigenvalues - np.array([float(v) for v in m.eigenvalues]))
    assert np.all(err <= f.error_estimate)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 301, 1000])
def test_gauss_legendre_nodes_integrate_polynomials_exactly(n):
    """Nodes ascending, weights positive, and int_{-1}^{1} x^{2j} dx = 2/(2j+1) for 2j <= 2n - 1."""
    from symkernel.spectrum.sphere import gauss_legendre_numpy, gl_weight_error

    x, w = gauss_legendre_numpy(n)
    assert np.all(np.diff(x) > 0) and np.all(w > 0) and len(x) == n
    for j in range(0, min(n, 40)):
        exact = 2 / (2 * j + 1)
        assert abs(np.dot(w, x ** (2 * j)) - exact) <= 50 * max(gl_weight_error(n), 1e-15) * exact


# ----------------------------------------------------------------------------- float64 route (issue 3)
@pytest.mark.parametrize("K,d,kmax", [
    (lambda: sk.fc(3, "ntk"), 1000, 300), (lambda: sk.fc(4, "ntk"), 2, 400),
    (lambda: sk.fc(3, "ntk"), 3, 1500), (lambda: sk.laplace(1), 3, 200),
    (lambda: sk.resnet(3, alpha=HALF, kind="ntk"), 5, 200), (lambda: sk.fc(2, "nngp", bias=HALF), 4, 200)])
def test_float64_error_estimate_bounds_more_kernels(K, d, kmax):
    """One Gauss–Legendre rule with an a priori bound: the estimate bounds the error (20-digit series)."""
    K = K()
    f = eigenvalues(K, d, kmax)
    assert "quadrature_bound" in f.info  # K(cos θ) analytic in θ: a priori node count, no second rule
    m = eigenvalues(K, d, kmax, dps=20)
    err = np.abs(f.eigenvalues - np.array([float(v) for v in m.eigenvalues]))
    assert np.all(err <= f.error_estimate)
    assert np.all(f.error_estimate <= 1e-15 * (kmax + d + 10) * float(K.diagonal))


def test_float64_fallback_when_not_analytic_in_theta():
    """κ_0(κ_0(t)) ~ √θ at θ = 0: no a priori bound; two rules (n, n/2), the difference bounds the error."""
    from symkernel.algebra import Input, kappa0

    K = sk.Kernel(kappa0(kappa0(Input("t"))), "k0k0")
    f = eigenvalues(K, 3, 6)
    assert "check_nodes" in f.info and "quadrature_bound" not in f.info
    ref = eigenvalues(K, 3, 6, dps=15, method="reference")
    err = np.abs(f.eigenvalues - np.array([float(v) for v in ref.eigenvalues]))
    assert np.all(err <= f.error_estimate)


@pytest.mark.parametrize("z", [0.0, 3.0, 40.0, 250.5])
def test_kapteyn_tail_bounds_bessel_sums(z):
    """T(J, z) >= sum_{j >= J} |J_j(z)| (the Chebyshev tail of e^{i z x} used by the float64 bound)."""
    from symkernel.spectrum.sphere import _kapteyn_tail

    mp = mpmath.mp
    Js = np.array([0, 1, int(z) // 2, int(z), int(z) + 5, int(1.2 * z) + 10, int(1.5 * z) + 40])
    T = _kapteyn_tail(Js, z)
    for J, bound in zip(Js, T, strict=True):
        exact = mp.nsum(lambda j: abs(mp.besselj(j, z)), [int(J), mp.inf]) if J > 1.2 * z else \
            mp.fsum(abs(mp.besselj(j, z)) for j in range(int(J), int(2 * z) + 200))
        assert float(exact) <= bound * (1 + 1e-12) + 1e-300, (J, exact, bound)


def test_multiplicities_recurrence_matches_binomials():
    from symkernel.spectrum.gegenbauer import multiplicities

    for d in (2, 3, 4, 9, 100, 1001):
        assert multiplicities(d, 40) == [multiplicity(d, k) for k in range(41)]


def test_float64_large_d_and_kmax_small_error():
    """d = 1000, k <= 2000: weights in long double and nodes of negligible weight dropped; the error
    estimate stays at the rounding level (the old log-form weights gave 1e-8)."""
    f = eigenvalues(kernel("ntk3"), 1000, 2000)
    assert np.max(f.error_estimate) < 1e-11
    assert np.all(np.isfinite(f.eigenvalues))


# ------------------------------------------------------------------------------- series route: Darboux tail
FC = {(depth, kind): (lambda depth=depth, kind=kind: sk.fc(depth, kind))
      for depth in (1, 2, 3, 4) for kind in ("ntk", "nngp")}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(depth=st.integers(1, 4), kind=st.sampled_from(["ntk", "nngp"]), d=st.sampled_from([2, 3, 5]),
       dps=st.integers(30, 50), kmax=st.integers(0, 8))
@example(depth=4, kind="nngp", d=2, dps=50, kmax=8)
@example(depth=3, kind="ntk", d=2, dps=45, kmax=6)
def test_series_darboux_tail_against_quadrature_and_reference(depth, kind, d, dps, kmax):
    """The tail from the exact singular constants delivers the requested digits for small d (routes a, c)."""
    name = (depth, kind)
    if name not in _CACHE:
        _CACHE[name] = FC[name]()
    K = _CACHE[name]
    s = eigenvalues(K, d, kmax, dps=dps, method="series")
    assert s.info["tail"]["model"].startswith("darboux")
    if dps <= 38:  # fewer coefficients than the old fitted tail (1500 + 40 dps); at 50 digits the
        assert s.info["series_terms"] < 1500 + 40 * dps  # NNGP may need more (order 20 of the expansions)
    q = eigenvalues(K, d, kmax, dps=dps, method="quadrature")
    r = eigenvalues(K, d, min(kmax, 2), dps=dps, method="reference")
    for k, (x, y) in enumerate(zip(s.eigenvalues, q.eigenvalues, strict=True)):
        assert rel_close(x, y, dps), (name, d, k, x, y)
        assert s.error_estimate[k] <= abs(x) * mpmath.mpf(10) ** (-dps)
    for x, y in zip(s.eigenvalues, r.eigenvalues):
        assert rel_close(x, y, dps)


@pytest.mark.parametrize("d", [2, 3])
def test_series_darboux_ramified_kernel(d):
    """κ_1(κ_0(t)) has s^{3/4} terms (ramification 4) and is not analytic in θ: the quadrature route cannot
    certify it, the series route with the exact Darboux tail does (checked against route (c))."""
    from symkernel.algebra import Input, kappa0, kappa1

    K = sk.Kernel(kappa1(kappa0(Input("t"))), "k1k0")
    s = eigenvalues(K, d, 6, dps=30, method="series")
    assert "3/4" in s.info["tail"]["model_exponents"]
    r = eigenvalues(K, d, 6, dps=30, method="reference")
    for x, y in zip(s.eigenvalues, r.eigenvalues, strict=True):
        assert rel_close(x, y, 30)


def test_series_darboux_few_coefficients_small_d():
    s = eigenvalues(kernel("ntk3"), 2, 200, dps=30, method="series")
    assert s.info["series_terms"] <= 800
    assert s.info["tail"]["order"]["+1"] >= 12
    q = eigenvalues(kernel("ntk3"), 2, 200, dps=30, method="quadrature")
    for x, y in zip(s.eigenvalues, q.eigenvalues, strict=True):
        assert rel_close(x, y, 30)


def test_series_falls_back_to_fit_when_no_expansion(monkeypatch):
    """A kernel the singular interpreter cannot expand uses the old fitted tail, and says so."""
    import sys

    from symkernel.interpret.singular import SingularExpansionError

    def refuse(*args, **kwargs):
        raise SingularExpansionError("no expansion (test)")

    monkeypatch.setattr(sys.modules["symkernel.asymptotics"], "singular_constants", refuse)
    K = sk.fc(2, "ntk")
    s = eigenvalues(K, 3, 10, dps=20, method="series")
    assert s.info["tail"]["model"].startswith("least-squares") and "test" in s.info["tail"]["reason"]
    monkeypatch.undo()
    q = eigenvalues(K, 3, 10, dps=20, method="quadrature")
    for x, y in zip(s.eigenvalues, q.eigenvalues, strict=True):
        assert rel_close(x, y, 20)


def test_series_darboux_too_many_coefficients_falls_back(monkeypatch):
    from symkernel.spectrum import sphere

    monkeypatch.setattr(sphere, "_DARBOUX_SOFT_N", 100)
    s = eigenvalues(kernel("ntk3"), 3, 5, dps=20, method="series")
    assert s.info["tail"]["model"].startswith("least-squares")
    assert "_DarbouxTooLong" in s.info["tail"]["reason"]


def test_series_darboux_wrong_model_is_caught(monkeypatch):
    """A model off by 1e-25 in one constant fails the check on N/2 <= n < N: never a silently wrong number."""
    from symkernel.spectrum import sphere

    real = sphere._darboux_model

    def corrupted(*args, **kwargs):
        m = real(*args, **kwargs)
        a, c = m.model[0][0]
        m.model[0][0] = (a, c + c * mpmath.mpf(10) ** -25)  # in the route's own context
        return m

    monkeypatch.setattr(sphere, "_darboux_model", corrupted)
    with pytest.raises(PrecisionError, match="Darboux"):
        eigenvalues(kernel("ntk3"), 3, 5, dps=30, method="series")
    # method="auto" falls back to the quadrature route
    assert eigenvalues(kernel("ntk3"), 3, 5, dps=30).method == "quadrature"


def test_darboux_constants_match_singular_terms():
    from symkernel.asymptotics import darboux_constants, singular_constants
    from symkernel.interpret.singular import singular_terms

    K = sk.fc(2, "ntk")
    got = darboux_constants(K, 6, 40)
    plus = {e: v for e, _, v in singular_terms(K.node, 1, 6)}
    minus = {e: v for e, _, v in singular_terms(K.node, -1, 6)}
    assert [e for e, _, _ in got] == sorted(set(plus) | set(minus))
    for e, cp, cm in got:
        assert abs(cp - plus.get(e, 0)) <= mpmath.mpf(10) ** -38 * max(1, abs(cp))
        assert abs(cm - minus.get(e, 0)) <= mpmath.mpf(10) ** -38 * max(1, abs(cm))
    assert singular_constants(K, -1, 3, 40) == [(e, cm) for e, _, cm in got if e <= 3 and cm != 0]
