"""Convolutional kernels on the multisphere (SPEC §5, issue 6): recursion, networks, shifts, spectra."""

from __future__ import annotations

import argparse
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.algebra import Input, postorder
from symkernel.architectures.conv import ConvKernel, Grid, conv, from_cli, path_counts
from symkernel.errors import ParameterError
from symkernel.interpret.multiseries import multivariate_coefficients, series_cost
from symkernel.interpret.series import coefficients as univariate_coefficients
from symkernel.networks import conv_kernel_reference, conv_network_kernels
from symkernel.spectrum.gegenbauer import singular_power_eigenvalues
from symkernel.spectrum.multisphere import (
    _rebuild,
    fft_spectrum,
    hierarchical_bounds,
    multiplicity,
    multisphere_eigenvalue,
    orbit,
    series_eigenvalue,
    single_pixel_spectrum,
    singular_coefficients,
    tensor_spectrum,
)


def sphere_points(rng, shape):
    x = rng.standard_normal(shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


# ----------------------------------------------------------------------------------- the recursion
@pytest.mark.parametrize("head", ["eq", "tr", "gap"])
@pytest.mark.parametrize("kind", ["nngp", "ntk"])
@pytest.mark.parametrize("L,q,p", [(1, 1, 3), (2, 3, 5), (3, 3, 7), (3, 5, 5), (4, 3, 4)])
def test_recursion_matches_numpy_reference(head, kind, L, q, p):
    rng = np.random.default_rng(L * 100 + q * 10 + p)
    K = conv(head, L, q, p, 3, kind)
    x = sphere_points(rng, (p, 3))
    y = sphere_points(rng, (5, p, 3))
    y[0] = x  # the diagonal
    got = K.at(x, y)
    ref = conv_kernel_reference(x, y, L, q, head, kind)
    # the reference works in t = cos(angle) and loses ~1e-8 at t = 1 (kappa_0 has a square-root there);
    # the angle form does not, so the diagonal is compared with the exact K(1) instead
    assert np.max(np.abs(got - ref)[1:]) < 1e-13 * max(1.0, np.max(np.abs(ref)))
    if head != "gap":  # the gap head mixes pixels: K(x, x) < K(1)
        assert got[0] == pytest.approx(1.0 if kind == "nngp" else L + 1, rel=1e-14)


@settings(max_examples=15, deadline=None)
@given(L=st.integers(1, 4), q=st.sampled_from([1, 3, 5]), extra=st.integers(0, 3),
       zeta=st.integers(2, 4), head=st.sampled_from(["eq", "tr", "gap"]),
       kind=st.sampled_from(["nngp", "ntk"]), seed=st.integers(0, 10**6))
def test_recursion_property(L, q, extra, zeta, head, kind, seed):
    p = q + extra
    rng = np.random.default_rng(seed)
    K = conv(head, L, q, p, zeta, kind)
    x = sphere_points(rng, (p, zeta))
    y = sphere_points(rng, (3, p, zeta))
    ref = conv_kernel_reference(x, y, L, q, head, kind)
    assert np.allclose(K.at(x, y), ref, rtol=1e-12, atol=1e-13)


def test_mpmath_value_agrees_with_float():
    rng = np.random.default_rng(3)
    K = conv("eq", 3, 3, 7, 3, "ntk")
    x, y = sphere_points(rng, (7, 3)), sphere_points(rng, (7, 3))
    v = K.at(x, y, dps=30)
    assert float(v) == pytest.approx(conv_kernel_reference(x, y, 3, 3, "eq", "ntk"), rel=1e-13)
    assert mpmath.nstr(v, 30) == mpmath.nstr(K.at(x, y, dps=40), 30)


def test_network_l1_within_standard_errors():
    # L = 1: the first layer is exactly Gaussian, so the finite-width kernel is unbiased at every width
    rng = np.random.default_rng(7)
    x, y = sphere_points(rng, (4, 3)), sphere_points(rng, (3, 4, 3))
    for head in ("eq", "tr", "gap"):
        r = conv_network_kernels(x, y, 1, 1, head, width=32, n_init=300, seed=11)
        for kind in ("nngp", "ntk"):
            ref = conv(head, 1, 1, 4, 3, kind).at(x, y)
            z = np.abs(r[f"{kind}_mean"] - ref) / r[f"{kind}_se"]
            assert np.all(z < 4.5), (head, kind, z)


def test_network_deeper_within_standard_errors():
    # L = 2: an O(1/width) bias on top of the Monte-Carlo error (see symkernel.networks)
    rng = np.random.default_rng(8)
    x, y = sphere_points(rng, (5, 3)), sphere_points(rng, (2, 5, 3))
    r = conv_network_kernels(x, y, 2, 3, "tr", width=64, n_init=120, seed=5)
    for kind in ("nngp", "ntk"):
        ref = conv("tr", 2, 3, 5, 3, kind).at(x, y)
        assert np.all(np.abs(r[f"{kind}_mean"] - ref) < 4.5 * r[f"{kind}_se"] + 0.02 * np.abs(ref))


# ----------------------------------------------------------------------------------- shift identities
def _shift(x, grid, m):
    return x.reshape(grid.size, -1)[grid.permutation(m)]


@pytest.mark.parametrize("kind", ["nngp", "ntk"])
@pytest.mark.parametrize("pixels,L,q", [(5, 3, 3), (6, 2, 5), ((3, 4), 2, 3)])
def test_shift_identities(kind, pixels, L, q):
    rng = np.random.default_rng(21)
    Keq, Ktr, Kgap = (conv(h, L, q, pixels, 3, kind) for h in ("eq", "tr", "gap"))
    grid = Keq.grid
    p = grid.size
    x, y = sphere_points(rng, (p, 3)), sphere_points(rng, (p, 3))
    shifts = grid.translations()
    tr = np.mean([Keq.at(_shift(x, grid, m), _shift(y, grid, m)) for m in shifts])
    gap = np.mean([Ktr.at(x, _shift(y, grid, m)) for m in shifts])
    assert Ktr.at(x, y) == pytest.approx(tr, rel=1e-14, abs=1e-15)
    assert Kgap.at(x, y) == pytest.approx(gap, rel=1e-14, abs=1e-15)


def test_shift_identities_high_precision():
    rng = np.random.default_rng(4)
    p = 4
    Keq, Ktr, Kgap = (conv(h, 2, 3, p, 3, "ntk") for h in ("eq", "tr", "gap"))
    grid = Keq.grid
    x, y = sphere_points(rng, (p, 3)), sphere_points(rng, (p, 3))
    tr = sum(Keq.at(_shift(x, grid, m), _shift(y, grid, m), dps=30) for m in grid.translations()) / p
    gap = sum(Ktr.at(x, _shift(y, grid, m), dps=30) for m in grid.translations()) / p
    assert abs(Ktr.at(x, y, dps=30) - tr) < mpmath.mpf(10) ** -28
    assert abs(Kgap.at(x, y, dps=30) - gap) < mpmath.mpf(10) ** -28


def test_eq_depends_only_on_receptive_field():
    rng = np.random.default_rng(5)
    K = conv("eq", 3, 3, 9, 3, "ntk")
    assert K.receptive_field == [0, 1, 2, 7, 8]
    assert K.inputs == ("t_0", "t_1", "t_2", "t_7", "t_8")
    x, y = sphere_points(rng, (9, 3)), sphere_points(rng, (9, 3))
    y2 = y.copy()
    y2[3:7] = sphere_points(rng, (4, 3))  # change every pixel outside the receptive field
    assert K.at(x, y) == K.at(x, y2)
    assert path_counts(3, 3, Grid((9,))) == {0: 3, 1: 2, 2: 1, 7: 1, 8: 2}
    # the torus: (L-1)(q-1)+1 = 5 pixels per axis
    assert len(conv("eq", 3, 3, (6, 6), 3).inputs) == 25


def test_at_t_and_named_inputs():
    K = conv("tr", 2, 3, 4, 3, "nngp")
    t = [0.3, -0.2, 0.5, 0.9]
    assert K.at_t(t) == pytest.approx(float(K(t_0=0.3, t_1=-0.2, t_2=0.5, t_3=0.9)), rel=1e-14)
    assert float(K.at_t(t, dps=20)) == pytest.approx(K.at_t(t), rel=1e-14)
    with pytest.raises(ParameterError, match="gap"):
        conv("gap", 2, 3, 4).at_t(t)


def test_options():
    base = conv("eq", 2, 3, 5, 3, "ntk")
    assert base.diagonal == 3
    assert conv("eq", 2, 3, 5, 3, "ntk", normalize=True).diagonal == 1
    assert conv("eq", 2, 3, 5, 3, "ntk", train_first_layer=False).diagonal == 2
    assert conv("eq", 2, 3, 5, 3, "ntk", train_readout=False).diagonal == 2
    lin = conv("eq", 2, 3, 5, 3, "nngp", readout_relu=False)
    assert lin.diagonal == 1 and lin.at_t([0.2] * 5) < conv("eq", 2, 3, 5, 3, "nngp").at_t([0.2] * 5)


@pytest.mark.parametrize("kwargs,param", [
    ({"filter": 4}, "filter"), ({"filter": 7, "pixels": 5}, "filter"), ({"channels": 1}, "channels"),
    ({"depth": 0}, "depth"), ({"pixels": 0}, "pixels"), ({"head": "max"}, "head"), ({"kind": "x"}, "kind"),
    ({"pixels": "3x"}, "pixels"), ({"filter": 3.0}, "filter"),
])
def test_validation(kwargs, param):
    with pytest.raises(ParameterError) as err:
        conv(**{"head": "eq", "depth": 2, "filter": 3, "pixels": 5, "channels": 3, **kwargs})
    assert err.value.parameter == param
    if kwargs.get("filter") == 7:
        assert "filter wider than the image" in str(err.value)


def test_point_validation_and_cli():
    K = conv("eq", 2, 3, 4, 3)
    with pytest.raises(ParameterError, match="multisphere"):
        K.at(np.ones((4, 3)), np.ones((4, 3)))
    with pytest.raises(ParameterError):
        K.at(np.eye(3)[:2], np.eye(3)[:2])
    args = argparse.Namespace(head="tr", depth="3", filter="3", pixels="6", channels="2", kind="nngp",
                              normalize=False)
    K2 = from_cli(args)
    assert isinstance(K2, ConvKernel) and K2.info["pixels"] == 6 and K2.channels == 2
    with pytest.raises(ParameterError) as err:
        from_cli(argparse.Namespace(head="eq", depth="2", filter="9", pixels="5", channels="3", kind="ntk"))
    assert err.value.parameter == "filter"


# ----------------------------------------------------------------------------------- multivariate series
def _diagonal(K):
    """The univariate description K(t, ..., t) (an independent route to the shell sums)."""
    t = Input("t")
    rep = {id(n): t for n in postorder(K.node) if n.op == "input"}
    return _rebuild(K.node, rep)


@pytest.mark.parametrize("L,q,kind", [(2, 3, "ntk"), (2, 3, "nngp"), (3, 3, "ntk"), (2, 5, "nngp")])
def test_multiseries_nonnegative_and_diagonal(L, q, kind):
    K = conv("eq", L, q, 9, 3, kind)
    D = 12 if L == 2 and q == 3 else 8
    s = multivariate_coefficients(K, D)
    ok, mn = s.check_nonnegative()
    assert ok and mn >= 0
    uni = univariate_coefficients(_diagonal(K), D + 1, dps=20)
    assert np.allclose(s.shell_sums(), [float(c) for c in uni], rtol=1e-12)


def test_multiseries_exact_mpmath_float_agree():
    K = conv("eq", 2, 3, 5, 3, "ntk")
    e = multivariate_coefficients(K, 3, mode="exact")
    m = multivariate_coefficients(K, 3, mode="mpmath", dps=40)
    f = multivariate_coefficients(K, 3)
    for a, b, c in zip(e.coefficients, m.coefficients, f.coefficients):
        assert abs(sp.N(a, 45) - sp.Float(str(b), 45)) <= abs(sp.N(a, 45)) * sp.Float("1e-38")
        assert float(b) == pytest.approx(c, rel=1e-13)
    # a known exact coefficient: the constant term is K(0) = Theta2(0) kappa0(1/pi) + kappa1(1/pi)
    g0 = 1 / sp.pi
    k0 = 1 - sp.acos(g0) / sp.pi
    k1 = (sp.sqrt(1 - g0**2) + (sp.pi - sp.acos(g0)) * g0) / sp.pi
    assert abs(sp.N(e[(0, 0, 0)] - (g0 * k0 + k1), 120)) < 1e-110


def test_multiseries_value_and_cost_refusal():
    K = conv("eq", 2, 3, 5, 3, "nngp")
    s = multivariate_coefficients(K, 24)
    t = [0.2, -0.3, 0.1]
    assert s.evaluate(t) == pytest.approx(K.at_t([t[0], t[1], 0, 0, t[2]]), rel=1e-12)
    big = conv("eq", 4, 5, 13, 3, "ntk")
    with pytest.raises(ParameterError) as err:
        multivariate_coefficients(big, 20)
    msg = str(err.value)
    assert err.value.parameter == "degree" and "13 variables" in msg and "ask for degree <=" in msg
    assert series_cost(13, 20)["pairs"] == math.comb(46, 26)


# ----------------------------------------------------------------------------------- eigenvalues
@pytest.mark.parametrize("kind", ["nngp", "ntk"])
def test_two_eigenvalue_routes_agree(kind):
    K = conv("eq", 2, 3, 5, 3, kind)
    box = tensor_spectrum(K, 3, [3, 3, 3], [30, 30, 30])
    box2 = tensor_spectrum(K, 3, [3, 3, 3], [40, 40, 40])
    assert np.max(np.abs(box - box2)) < 5e-14
    s = multivariate_coefficients(K, 20)
    for k in [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 0, 1), (3, 0, 0), (1, 1, 1), (2, 2, 0)]:
        r = series_eigenvalue(K, 3, k, series=s)
        assert abs(r.value - box[k]) <= r.error + 1e-15, (k, r.value, box[k], r.error)
        assert abs(r.value - box[k]) < 2e-2 * box[k]
        assert r.partial <= box[k] * (1 + 1e-12)  # non-negative terms: partial sums from below


def test_fft_route_for_two_channels():
    K = conv("eq", 2, 3, 5, 2, "nngp")
    gl = tensor_spectrum(K, 2, [4, 4, 4], [40, 40, 40])
    f = fft_spectrum(K, [4, 4, 4], 128)
    assert np.max(np.abs(f - gl)) < 1e-8
    r = multisphere_eigenvalue(K, [2, 1, 0, 0, 0], method="fft")
    assert r.value == pytest.approx(gl[2, 1, 0], rel=1e-4)


def test_multisphere_eigenvalue_api_and_receptive_field_zero():
    K = conv("eq", 2, 3, 7, 3, "ntk")
    r = multisphere_eigenvalue(K, "1,1,0,0,0,0,0", method="both")
    assert r.multiplicity == 9 and r.digits_agreed > 2.5
    z = multisphere_eigenvalue(K, [0, 0, 0, 1, 0, 0, 0])
    assert z.value == 0.0 and "outside the receptive field" in z.reason
    # numerically: integrate over an extra pixel outside the receptive field; the kernel does not
    # depend on it, so every eigenvalue with a frequency there vanishes
    box = tensor_spectrum(K, 3, [2, 2, 2, 3], [20, 20, 20, 12], variables=["t_0", "t_1", "t_6", "t_3"])
    assert np.max(np.abs(box[..., 1:])) < 1e-15
    assert np.all(box[..., 0] > 0)
    with pytest.raises(ParameterError):
        multisphere_eigenvalue(K, [1, 2])
    with pytest.raises(ParameterError):
        multisphere_eigenvalue(K, [-1, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize("kind", ["nngp", "ntk"])
def test_tr_and_gap_eigenvalues(kind):
    p, zeta = 3, 3
    Ktr = conv("tr", 2, 3, p, zeta, kind)
    Keq = conv("eq", 2, 3, p, zeta, kind)
    direct = tensor_spectrum(Ktr, zeta, [2, 2, 2], [28, 28, 28])
    eq = tensor_spectrum(Keq, zeta, [2, 2, 2], [28, 28, 28])
    for k in np.ndindex(3, 3, 3):
        avg = np.mean([eq[tuple(np.roll(k, -m))] for m in range(p)])
        assert direct[k] == pytest.approx(avg, rel=1e-12, abs=1e-16)
    r = multisphere_eigenvalue(Ktr, [2, 1, 0])
    assert r.value == pytest.approx(direct[2, 1, 0], rel=1e-10) and r.orbit_size == 3
    g = multisphere_eigenvalue(conv("gap", 2, 3, p, zeta, kind), [2, 1, 0])
    assert g.value == pytest.approx(r.value, rel=1e-12)
    assert g.multiplicity == 5 * 3  # free orbit: (orbit multiplicity 3 * 15) / orbit size 3


def test_gap_multiplicities_burnside():
    g3 = Grid((3,))
    assert multiplicity([0, 0, 0], 3, "gap", g3) == 1
    assert multiplicity([1, 0, 0], 3, "gap", g3) == 3
    # k = (1,1,1) on the circle (N(2,1) = 2): necklaces of 3 beads in 2 colours: (2^3 + 2 + 2) / 3 = 4
    assert multiplicity([1, 1, 1], 2, "gap", g3) == 4
    assert multiplicity([1, 1, 1], 2, "tr", g3) == 8
    orb, stab = orbit([1, 0, 1, 0], Grid((4,)))
    assert len(orb) == 2 and len(stab) == 2
    assert multiplicity([1, 0, 1, 0], 3, "gap", Grid((4,))) == (9 + 3) // 2


def test_path_count_factor_single_pixel():
    K = conv("eq", 3, 3, 7, 3, "ntk")
    # exact at the expansion point t = 0: first-order coefficients are proportional to the path counts
    from symkernel.spectrum.multisphere import feature_expansion

    firsts = []
    for pix in (0, 1, 2, 5, 6):
        s, _ = feature_expansion(K, [pix], degree=1)
        firsts.append(sum(c for c, e in zip(s.as_float(), s.exponents) if e.sum() == 1))
    assert np.allclose(np.array(firsts) / firsts[2], [3, 2, 1, 1, 2], rtol=1e-12)
    # large k: lambda_{k e_j} follows C(zeta, nu)(A+ + (-1)^k A-) with A_j from the weighted path sum
    k = 40
    mu = float(singular_power_eigenvalues(0.5, k, 3)[k])
    ratio = []
    for pix in (0, 1, 2):
        box = tensor_spectrum(K, 3, [k if v == f"t_{pix}" else 0 for v in K.inputs],
                              [k + 30 if v == f"t_{pix}" else 10 for v in K.inputs])
        lam = float(box.reshape(-1)[k])
        sc = singular_coefficients(K, pix, nodes_other=12)
        assert lam == pytest.approx((sc["A_plus"] + sc["A_minus"]) * mu, rel=2e-2)
        ratio.append(lam)
    ratio = np.array(ratio) / ratio[2]
    assert np.all(np.abs(ratio - [3, 2, 1]) < 0.25), ratio  # weighted path counts 3.16 : 2.05 : 1


def test_hierarchical_bounds_hold_for_every_computed_eigenvalue():
    K = conv("eq", 2, 3, 5, 3, "nngp")
    hb = hierarchical_bounds(K, 4)
    assert hb.violations() == []
    assert np.all(hb.lower_hfk[1:, 1:, 0] > 0)
    # nearby pixels interact more strongly than the bound of independent pixels
    assert hb.mixed_coefficients[("t_0", "t_1")] > 0


@pytest.mark.slow
def test_hierarchical_bounds_depth3():
    K = conv("eq", 3, 3, 7, 3, "ntk")
    hb = hierarchical_bounds(K, 2)
    assert hb.violations() == []
    mc = hb.mixed_coefficients
    assert mc[("t_0", "t_1")] > mc[("t_0", "t_2")] > mc[("t_2", "t_5")] > 0  # distance 1 > 2 > 4


@pytest.mark.slow
def test_single_pixel_decay_rate():
    for zeta, kind, nu in [(2, "nngp", 1.5), (3, "ntk", 0.5), (4, "nngp", 1.5)]:
        K = conv("eq", 2, 3, 5, zeta, kind)
        vals, _ = single_pixel_spectrum(K, 0, 60, nodes_other=14)
        ks = np.arange(40, 61, 2)
        slope = np.polyfit(np.log(ks), np.log(vals[ks]), 1)[0]
        # the same finite-k local slope as the exact eigenvalues of (1-t)^nu, whose limit is -(zeta+2nu-1)
        mu = np.array([float(v) for v in singular_power_eigenvalues(nu, 60, zeta)])
        ref = np.polyfit(np.log(ks), np.log(np.abs(mu[ks])), 1)[0]
        assert slope == pytest.approx(ref, abs=0.05)
        assert ref == pytest.approx(-(zeta + 2 * nu - 1), abs=0.15)
