"""Certified eigenvalue bounds (SPEC §8, symkernel.bounds).

Every proof obligation that can be observed is held against an independent computation:

* the remainder bound |[t^n](K - S)| <= E_m (n-m)!/n! (steps P2-P4) against the Maclaurin coefficients of the
  series interpreter, n up to 1500;
* the per-k enclosures (step P5) against eigenvalues computed by the spectrum module (series route);
* A k^-p <= mu_k <= B k^-p for every computed k0 <= k <= kmax (k up to 3000) for the FC NTK/NNGP of depths 1-4
  and the Laplace kernel, d from 2 to 50;
* the Gamma-ratio lemma (step P6) numerically, and the predicted rates of mu_k / asymptotic -> 1.
"""

from __future__ import annotations

import doctest
from functools import cache

import mpmath
import pytest
import sympy as sp

import symkernel as sk
from symkernel import bounds as B
from symkernel.bounds import (
    NotCertified,
    certified_bounds,
    eigenvalue_enclosure,
    gamma_ratio_envelope,
    remainder_bound,
)
from symkernel.errors import ParameterError
from symkernel.spectrum import eigenvalues


@cache
def kernel(kind: str, depth: int = 0):
    if kind == "laplace":
        return sk.laplace(1)
    if kind == "resntk":
        return sk.resnet(depth=depth, alpha=sp.Rational(1, 2), kind="ntk")
    return sk.fc(depth, kind)


@cache
def spectrum(kind: str, depth: int, d: int, kmax: int, dps):
    r = eigenvalues(kernel(kind, depth), d, kmax, dps=dps)
    return [mpmath.mpf(v) for v in r.eigenvalues]


@cache
def cert(kind: str, depth: int, d: int):
    return certified_bounds(kernel(kind, depth), d)


def violations(cb, mus, rel_tol):
    """Degrees k >= k0 whose computed mu_k leaves [A k^-p, B k^-p] by more than the computation's error."""
    bad = []
    for k, v in enumerate(mus):
        pb = cb.parity(k)
        if pb.k0 is None or k < pb.k0:
            continue
        if pb.status == "zero":
            if abs(v) > 1e-14:
                bad.append(k)
            continue
        assert pb.status == "bounded", pb.note
        kp = mpmath.mpf(k) ** int(pb.exponent)
        x = v * kp
        if not (pb.A * (1 - rel_tol) <= x <= pb.B * (1 + rel_tol)):
            bad.append(k)
    return bad


# ------------------------------------------------------------------------------------------------
# step P6: the Gamma-ratio lemma of Elezovic, Giordano & Pecaric (checked numerically)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [sp.Rational(1, 2), sp.Rational(3, 2), sp.Rational(5, 2)])
@pytest.mark.parametrize("d", [2, 3, 10, 50])
def test_gamma_ratio_lemma_and_envelope(alpha, d):
    ctx = mpmath.MPContext()
    ctx.dps = 30
    a, b = -ctx.mpf(alpha.p) / alpha.q, ctx.mpf(alpha.p) / alpha.q + d - 1
    P = b - a

    def z(x):
        return ctx.exp((ctx.loggamma(x + b) - ctx.loggamma(x + a)) / P) - x

    xs = [3 + 0.5 * i for i in range(60)] + [10.0**e for e in range(2, 7)]
    zs = [z(ctx.mpf(x)) for x in xs]
    assert all(z2 > z1 for z1, z2 in zip(zs, zs[1:]))  # increasing (|b - a| > 1)
    assert 0 < ctx.mpf(d - 2) / 2 - zs[-1] < 1e-2  # limit (a + b - 1)/2, approached from below
    for k1 in (5, 40, 300):
        lo, hi = gamma_ratio_envelope(alpha, d, k1)
        for k in (k1, k1 + 1, 2 * k1 + 3, 10 * k1, 10**6):
            g = ctx.exp(P * ctx.log(k) + ctx.loggamma(k + a) - ctx.loggamma(k + b))
            assert float(lo.lower()) <= g <= float(hi.upper()) * (1 + 1e-12)


# ------------------------------------------------------------------------------------------------
# steps P2-P4: the remainder bound against the Maclaurin coefficients
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 4), ("nngp", 2), ("laplace", 0)])
def test_remainder_bound_dominates_coefficients(kind, depth):
    K = kernel(kind, depth)
    rem = remainder_bound(K, 4)
    m = rem.order
    N = 1500
    ctx = mpmath.MPContext()
    ctx.dps = 40
    b = K.coefficients(N, dps=40)
    terms = [(ctx.mpf(a.p) / a.q, ctx.mpf(sp.N(cp, 45)), ctx.mpf(sp.N(cm, 45))) for a, cp, cm in rem.terms]
    worst = 0
    for n in range(m, N):
        s = ctx.mpf(0)
        for a, cp, cm in terms:
            s += (cp + (-1) ** n * cm) * ctx.gammaprod([n - a], [-a, n + 1])
        r = ctx.convert(b[n]) - s
        bound = rem.E * ctx.gammaprod([n - m + 1], [n + 1])
        worst = max(worst, abs(r) / bound)
    assert worst <= 1, worst
    assert worst > 1e-9  # and the bound is not absurdly loose (true r_n = O(n^-(m+3/2)), bound O(n^-m))


def test_remainder_pieces_and_checks():
    rem = remainder_bound(kernel("ntk", 2), 4)
    assert rem.order == 4 and rem.E > 0
    assert set(rem.pieces) >= {"plus", "minus", "arc", "M_plus", "M_minus", "segments", "boxes"}
    assert [a for a, _, _ in rem.terms] == [sp.Rational(2 * j + 1, 2) for j in range(4)]
    # a radius beyond the analyticity domain of G_+ is refused, not silently used
    with pytest.raises(NotCertified):
        remainder_bound(kernel("ntk", 4), 4, rho=1.6)


# ------------------------------------------------------------------------------------------------
# step P5: enclosures of single eigenvalues
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth,d", [("ntk", 3, 3), ("ntk", 2, 10), ("nngp", 2, 3), ("laplace", 0, 5)])
def test_enclosure_contains_computed_eigenvalue(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 600, 20)
    for k in list(range(cb.order, 40)) + list(range(40, 601, 37)):
        lo, hi = cb.enclosure(k)
        assert lo <= mus[k] <= hi, (k, lo, mus[k], hi)
    lo, hi = eigenvalue_enclosure(kernel(kind, depth), d, 500)
    assert lo <= mus[500] <= hi and (hi - lo) / mus[500] < 0.05


# ------------------------------------------------------------------------------------------------
# A k^-p <= mu_k <= B k^-p for every computed k >= k0
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 3), ("ntk", 4), ("laplace", 0)])
@pytest.mark.parametrize("d", [2, 3])
def test_bounds_hold_up_to_k_3000_float64(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 3000, None)  # Gauss-Legendre in theta, relative accuracy ~3e-5 here
    assert violations(cb, mus, 1e-4) == []
    for pb in (cb.even, cb.odd):
        if pb.status == "bounded":
            assert 0 < pb.A <= mpmath.mpf(sp.N(pb.constant, 30)) <= pb.B
            assert pb.k0 <= 100


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_nngp_bounds_hold_series_route(depth):
    cb = cert("nngp", depth, 3)
    mus = spectrum("nngp", depth, 3, 1000, 15)
    assert violations(cb, mus, 1e-10) == []
    assert cb.even.status == "bounded"
    assert cb.odd.status == ("zero" if depth == 1 else "bounded")


@pytest.mark.parametrize("kind,depth", [("ntk", 2), ("nngp", 2), ("laplace", 0)])
@pytest.mark.parametrize("d", [5, 10])
def test_bounds_hold_higher_dimensions(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 300, 15)
    assert violations(cb, mus, 1e-10) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind,depth", [("ntk", 1), ("ntk", 2), ("ntk", 3), ("ntk", 4), ("nngp", 1), ("nngp", 3), ("laplace", 0)]
)
@pytest.mark.parametrize("d", [4, 7, 20, 50])
def test_bounds_hold_many_dimensions(kind, depth, d):
    cb = cert(kind, depth, d)
    mus = spectrum(kind, depth, d, 800, 15)
    assert violations(cb, mus, 1e-10) == []


@pytest.mark.parametrize("depth", [2, 3])
def test_resnet_bounds_hold(depth):
    """ResNTK (alpha = 1/2): the nested constants at t = -1 enclosed in Arb; bounds hold up to k = 3000."""
    cb = cert("resntk", depth, 3)
    mus = spectrum("resntk", depth, 3, 3000, None)
    assert cb.even.status == cb.odd.status == "bounded"
    assert violations(cb, mus, 1e-4) == []


@pytest.mark.slow
@pytest.mark.parametrize("depth", [8])
def test_resnet_bounds_hold_deep(depth):
    """Depth 8 needs the quartered Cauchy reach (complex singularities near the unit circle)."""
    cb = cert("resntk", depth, 3)
    mus = spectrum("resntk", depth, 3, 3000, None)
    assert cb.even.status == cb.odd.status == "bounded"
    assert violations(cb, mus, 1e-4) == []


@pytest.mark.slow
@pytest.mark.parametrize("depth", [5, 6, 8])
def test_bounds_hold_deeper(depth):
    cb = cert("ntk", depth, 3)
    mus = spectrum("ntk", depth, 3, 3000, None)
    assert violations(cb, mus, 1e-4) == []


# ------------------------------------------------------------------------------------------------
# rates: mu_k / asymptotic -> 1 as predicted, and the certified band narrows
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,depth,d", [("ntk", 2, 3), ("ntk", 3, 2), ("nngp", 2, 3)])
def test_ratio_to_asymptotic_converges_at_predicted_rate(kind, depth, d):
    from symkernel.asymptotics import asymptotics, power_eigenvalue

    K = kernel(kind, depth)
    a = asymptotics(K, d)
    mus = spectrum(kind, depth, d, 1000, 20)
    for parity in (0, 1):
        c = a.c_plus + (-1) ** parity * a.c_minus
        lead = a.constant_even if parity == 0 else a.constant_odd
        e1 = []
        e2 = []
        for k in (250 + parity, 500 + parity, 1000 - 2 + parity):
            e1.append(abs(mus[k] * mpmath.mpf(k) ** int(a.exponent) / mpmath.mpf(sp.N(lead, 30)) - 1))
            e2.append(abs(mus[k] / mpmath.mpf(sp.N(c * power_eigenvalue(d, a.nu, k), 30)) - 1))
        # k^p mu_k / C - 1 = O(1/k) (coefficient -(d-2)(d-1+2 nu)/2, zero on the circle d = 2, where it is
        # O(k^-2)): halves (quarters) when k doubles; against mu_k[(1-t)^nu]: O(k^-2), quarters
        r = 2 if d > 2 else 4
        assert 0.85 * r < e1[0] / e1[1] < 1.2 * r and 0.85 * r < e1[1] / e1[2] < 1.2 * r, e1
        assert 3.2 < e2[0] / e2[1] < 4.8 and 3.2 < e2[1] / e2[2] < 4.8, e2


def test_certified_band_narrows_with_k0():
    K = kernel("ntk", 2)
    b1 = certified_bounds(K, 3, k0=60)
    b2 = certified_bounds(K, 3, k0=240)
    for p1, p2 in ((b1.even, b2.even), (b1.odd, b2.odd)):
        w1 = p1.ratio_upper - p1.ratio_lower
        w2 = p2.ratio_upper - p2.ratio_lower
        # the remainder is O(k^-(2m - 3.5)) = O(k^-4.5) relative: much narrower, until the envelope floor
        assert w2 < w1 / 20
        assert p2.A >= p1.A and p2.B <= p1.B
        assert p2.ratio_lower <= 1 <= p2.ratio_upper


# ------------------------------------------------------------------------------------------------
# parity, scope, output
# ------------------------------------------------------------------------------------------------
def test_two_layer_odd_class_is_exactly_zero():
    cb = cert("ntk", 1, 3)
    assert cb.odd.status == "zero" and cb.odd.k0 == 3 and cb.odd.A == 0 == cb.odd.B
    assert cb.even.status == "bounded" and cb.even.exponent == 3
    assert cb.odd.holds(5, 0) and not cb.odd.holds(5, 1e-3)


def test_deep_kernels_both_classes_bounded_with_distinct_constants():
    cb = cert("ntk", 3, 3)
    assert cb.even.status == cb.odd.status == "bounded"
    assert cb.even.constant != cb.odd.constant
    assert cb.check([1.0] * 2 + [0.0] * 200) != []  # zeros violate the lower bounds


def test_bias_and_out_of_scope_kernels():
    cb = certified_bounds(sk.fc(2, "ntk", bias=1), 3)
    assert cb.even.status == cb.odd.status == "bounded"
    assert sp.simplify(cb.even.constant - cb.odd.constant) == 0  # bias: K analytic at t = -1
    with pytest.raises(NotCertified):
        certified_bounds(sk.gaussian(1), 3)  # analytic: no power law
    with pytest.raises(NotCertified):
        certified_bounds(sk.arccos_kernel(2), 3)  # kappa_2: outside the scope of the argument
    with pytest.raises(ParameterError):
        certified_bounds(kernel("ntk", 2), 1)
    with pytest.raises(ParameterError):
        certified_bounds(kernel("ntk", 2), 3, tol=2)
    with pytest.raises(ParameterError):
        remainder_bound(kernel("ntk", 2), 1)


def test_as_dict_rounds_outward():
    cb = cert("ntk", 2, 3)
    out = cb.as_dict(8)
    for par in ("even", "odd"):
        pb = cb.parity(0 if par == "even" else 1)
        A, Bv = mpmath.mpf(out[par]["A"]), mpmath.mpf(out[par]["B"])
        assert A <= pb.A and Bv >= pb.B
        assert len(out[par]["A"].replace(".", "").lstrip("0")) <= 9
    assert "assumed" in out and "rigorous" in out
    assert "k^{-3}" in cb.latex() and "k >= " in str(cb)


@pytest.mark.parametrize("x", ["0.1", "123456.789", "1e-30", "-2.5", "7e40"])
def test_directed_rounding(x):
    v = mpmath.mpf(x)
    lo, hi = B._directed(v, 5, False), B._directed(v, 5, True)
    assert mpmath.mpf(lo) <= v <= mpmath.mpf(hi)


def test_doctests():
    assert doctest.testmod(B, optionflags=doctest.ELLIPSIS).failed == 0
