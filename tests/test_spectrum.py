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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symkernel as sk
from symkernel.errors import ParameterError
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
