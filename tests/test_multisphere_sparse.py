"""Sparse-grid route for convolutional eigenvalues on large receptive fields (issue 6).

Tensor Gauss-Legendre on the pixels with k_i > 0, Smolyak on the others (symkernel.spectrum.multisphere.
sparse_spectrum).  Checked against the tensor route (3-5 pixels), the series route, an independent point set
(the "odd" Gauss sequence) and randomised QMC (9-13 pixels), the trace, the receptive field, 2-D tori.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.architectures.conv import conv
from symkernel.cli import main
from symkernel.errors import ParameterError
from symkernel.spectrum.multisphere import (
    MAX_POINTS,
    _variables,
    kernel_symmetries,
    multiplicity,
    multisphere_eigenvalue,
    rqmc_spectrum,
    series_eigenvalue,
    sparse_spectrum,
    sphere_rule,
    tensor_spectrum,
)
from symkernel.spectrum.smolyak import (
    SmolyakRule,
    _combination_table,
    index_set,
    rqmc_angles,
    smolyak_coefficient,
    sphere_gauss_rule,
)


def _kernel(L, q, zeta, kind, extra=1):
    """eq kernel whose receptive field (L-1)(q-1)+1 fits in the ring with ``extra`` pixels to spare."""
    P = (L - 1) * (q - 1) + 1
    return conv("eq", L, q, P + extra, zeta, kind)


def _offsets(K):
    """Variables of K (natural order) and their offsets from the output pixel."""
    names = _variables(K)
    p = K.info["pixels"]
    return names, [int(n[2:]) if int(n[2:]) <= p // 2 else int(n[2:]) - p for n in names]


def _freq(K, by_offset):
    names, offs = _offsets(K)
    return [by_offset.get(o, 0) for o in offs]


# ----------------------------------------------------------------------------------- one-dimensional rules
@pytest.mark.parametrize("zeta", [2, 3, 4, 5])
def test_sphere_gauss_rule_is_exact_to_degree_2n_minus_1(zeta):
    th_ref, w_ref = sphere_rule(200, zeta)
    for n in (1, 2, 5, 12):
        th, w = sphere_gauss_rule(n, zeta)
        assert np.all(w > 0) and abs(w.sum() - 1) < 1e-14
        assert np.all(np.diff(th) > 0) and 0 < th[0] and th[-1] < np.pi
        for j in range(2 * n):
            exact = w_ref @ (th_ref / np.pi) ** j
            assert abs(w @ (th / np.pi) ** j - exact) < 1e-13, (n, j)
        if n <= 5:  # and not beyond (the error of x^{2n} is the squared norm of the monic p_n, ~4^{-2n})
            j = 2 * n
            assert abs(w @ (th / np.pi) ** j - w_ref @ (th_ref / np.pi) ** j) > 1e-9


def test_rqmc_angles_have_the_sphere_law():
    th = rqmc_angles(3, 3, 12, seed=1)
    assert th.shape == (3, 4096) and th.min() >= 0 and th.max() <= np.pi
    # E cos(theta) = 0, E cos^2 = 1/zeta, E theta^2 by quadrature
    t = np.cos(th)
    assert np.all(np.abs(t.mean(axis=1)) < 1e-3) and np.all(np.abs((t**2).mean(axis=1) - 1 / 3) < 1e-3)
    tr, wr = sphere_rule(100, 3)
    assert abs((th[0] ** 2).mean() - wr @ tr**2) < 1e-3
    # the fast inverse CDF (table + Newton) of the other zeta: residual at rounding level
    from scipy.special import betainc, betaincinv

    from symkernel.spectrum.smolyak import _sphere_inverse_cdf

    u = np.random.default_rng(0).random((2, 20000))
    u[0, :4] = [0.0, 1e-15, 1 - 1e-15, 1.0]
    assert np.array_equal(_sphere_inverse_cdf(u, 2, betaincinv), np.pi * u)  # the circle: theta / pi
    for zeta in (4, 7, 30):
        a = (zeta - 1) / 2
        theta = _sphere_inverse_cdf(u, zeta, betaincinv)
        assert theta.min() >= 0 and theta.max() <= np.pi
        assert np.max(np.abs(betainc(a, a, np.sin(theta / 2) ** 2) - u)) < 1e-13


# ----------------------------------------------------------------------------------- Smolyak's construction
def test_index_set_and_coefficients_match_the_classical_formula():
    for d in (1, 2, 4, 7):
        for level in range(6):
            idx = index_set((1,) * d, level)
            assert len(idx) == math.comb(d + level, d)
            table = _combination_table((1,) * d, level)
            for row in idx:
                norm = int(row.sum())
                assert table[level - (norm - d)] == smolyak_coefficient(norm, level, d)


@pytest.mark.parametrize("growth", ["linear", "odd"])
def test_smolyak_integrates_polynomials_exactly(growth):
    d, zeta = 4, 3
    th_ref, w_ref = sphere_rule(80, zeta)
    one_d = {a: w_ref @ th_ref**a for a in range(12)}
    rng = np.random.default_rng(0)
    for level in range(0, 5):
        # sum_j floor(a_j/2) <= level is exact for the linear sequence (and a fortiori for the odd one)
        for _ in range(6):
            a = np.zeros(d, dtype=int)
            budget = level
            for j in rng.permutation(d):
                h = int(rng.integers(0, budget + 1))
                a[j] = 2 * h + int(rng.integers(0, 2))
                budget -= h
            exact = math.prod(one_d[int(x)] for x in a)
            rule = SmolyakRule(d, zeta, growth)  # one rule object per integrand: it caches grid values
            got = float(rule.integrate(lambda th, a=a: np.prod(th ** a[:, None], axis=0), level))
            assert got == pytest.approx(exact, rel=1e-12), (level, a)


def test_symmetric_reduction_and_anisotropic_sets():
    d, zeta = 4, 2

    def f(th):  # invariant under reversing the four angles
        return np.exp(np.cos(th[0]) * np.cos(th[3]) + 0.5 * np.cos(th[1] + th[2]))

    plain = SmolyakRule(d, zeta)
    sym = SmolyakRule(d, zeta, symmetries=[[3, 2, 1, 0]])
    for level in range(7):
        assert float(sym.integrate(f, level)) == pytest.approx(float(plain.integrate(f, level)), rel=1e-13)
    assert sym.evaluations < 0.6 * plain.evaluations
    # anisotropic sets: equal weights are the isotropic rule; unequal ones still converge
    th, w = sphere_rule(40, zeta)
    mesh = np.array(np.meshgrid(*[th] * d, indexing="ij")).reshape(d, -1)
    ref = np.einsum("i,j,k,l->ijkl", w, w, w, w).reshape(-1) @ f(mesh)
    same = SmolyakRule(d, zeta, weights=[3, 3, 3, 3], unit=3)
    assert float(same.integrate(f, 6)) == pytest.approx(float(plain.integrate(f, 6)), rel=1e-14)
    aniso = SmolyakRule(d, zeta, weights=[2, 2, 3, 3], unit=2)
    assert float(aniso.integrate(f, 16)) == pytest.approx(ref, abs=1e-8)
    with pytest.raises(ParameterError):
        SmolyakRule(d, zeta, weights=[1, 1, 2, 2], symmetries=[[3, 2, 1, 0]])


# ----------------------------------------------------------------------------------- against the tensor route
@lru_cache(maxsize=8)
def _tensor_box(L, q, zeta, kind, kmax, extra):
    K = _kernel(L, q, zeta, kind)
    m = len(K.inputs)
    box = tensor_spectrum(K, zeta, [kmax] * m, [kmax + extra] * m)
    box2 = tensor_spectrum(K, zeta, [kmax] * m, [kmax + extra + 4] * m)
    return box2, np.abs(box2 - box)


CASES = [(2, 3, 2, "nngp"), (2, 3, 3, "ntk"), (3, 3, 3, "ntk"), (2, 5, 4, "nngp"), (3, 3, 2, "ntk")]


@pytest.mark.parametrize("L,q,zeta,kind", CASES)
def test_sparse_agrees_with_tensor_on_small_fields(L, q, zeta, kind):
    K = _kernel(L, q, zeta, kind)
    R = (L - 1) * (q - 1) // 2
    small = len(K.inputs) <= 3
    box, box_err = _tensor_box(L, q, zeta, kind, 2, 20 if small else (14 if zeta == 2 else 10))
    for offsets in ({}, {0: 1}, {R: 2}, {0: 1, 1: 1}, {-R: 1, R: 1}):
        k = _freq(K, offsets)
        r = sparse_spectrum(K, zeta, k, tol=1e-9, max_points=1_500_000 if zeta > 2 else 3_000_000)
        exact = box[tuple(k)]
        assert r.error < (1e-8 if zeta > 2 else 3e-7), (k, r.error)  # zeta = 2: no weight at theta = 0
        assert abs(r.value - exact) <= r.error + box_err[tuple(k)] + 1e-15, (k, r.value, exact, r.error)


@settings(max_examples=8, deadline=None)
@given(k=st.lists(st.integers(0, 2), min_size=5, max_size=5).filter(lambda v: sum(x > 0 for x in v) <= 2))
def test_sparse_vs_tensor_property(k):
    box, box_err = _tensor_box(3, 3, 3, "ntk", 2, 10)
    K = _kernel(3, 3, 3, "ntk")
    r = sparse_spectrum(K, 3, k, tol=1e-9, max_points=1_000_000)
    assert abs(r.value - box[tuple(k)]) <= r.error + box_err[tuple(k)] + 1e-15
    assert r.error <= 1e-7


def test_sparse_agrees_with_series_route():
    K = _kernel(2, 3, 3, "nngp")
    for k in ([0, 0, 0], [1, 0, 0], [1, 1, 0], [2, 0, 1]):
        s = series_eigenvalue(K, 3, k, degree=20)
        r = sparse_spectrum(K, 3, k)
        assert abs(r.value - s.value) <= s.error + r.error


# ----------------------------------------------------------------------------------- 9-13 pixels
@pytest.mark.parametrize("L,q,zeta,kind", [(3, 5, 3, "ntk"), (5, 3, 2, "nngp")])
def test_nine_pixels_two_independent_estimates(L, q, zeta, kind):
    K = _kernel(L, q, zeta, kind)
    assert len(K.inputs) == 9
    for offsets in ({}, {0: 1}, {0: 1, 1: 1}):
        k = _freq(K, offsets)
        pair = len(offsets) == 2
        lin = sparse_spectrum(K, zeta, k, level=4 if pair else 5)
        odd = sparse_spectrum(K, zeta, k, level=3 if pair else 4, growth="odd")
        assert abs(lin.value - odd.value) <= lin.error + odd.error, (k, lin.value, odd.value)
        mc, se, _ = rqmc_spectrum(K, zeta, k, m=8 if pair else 11, replicates=8, seed=3)
        assert abs(lin.value - mc) <= lin.error + 5 * se, (k, lin.value, mc, lin.error, se)
        assert lin.error < 3e-2 * abs(lin.value)  # levels 4-5 of 9 pixels: a few digits (benchmark: more)


@settings(max_examples=5, deadline=None)
@given(pos=st.lists(st.integers(-4, 4), min_size=1, max_size=2, unique=True),
       vals=st.lists(st.integers(1, 2), min_size=2, max_size=2))
def test_nine_pixels_property_two_point_sets(pos, vals):
    K = _kernel(5, 3, 3, "ntk")
    k = _freq(K, dict(zip(pos, vals)))
    lin = sparse_spectrum(K, 3, k, level=4)
    odd = sparse_spectrum(K, 3, k, level=3, growth="odd")
    assert abs(lin.value - odd.value) <= lin.error + odd.error
    assert lin.value > -lin.error


def test_thirteen_pixels_against_rqmc():
    K = _kernel(4, 5, 3, "ntk")
    assert len(K.inputs) == 13
    for offsets in ({}, {0: 1}):
        k = _freq(K, offsets)
        r = sparse_spectrum(K, 3, k, level=4 if offsets else 5)
        mc, se, _ = rqmc_spectrum(K, 3, k, m=10, replicates=6, seed=11)
        assert abs(r.value - mc) <= r.error + 5 * se, (k, r.value, mc, r.error, se)
        assert r.error < 3e-2 * abs(r.value)


@pytest.mark.slow
@pytest.mark.parametrize("L,q,zeta,kind", [(4, 5, 3, "ntk"), (4, 5, 2, "nngp")])
def test_thirteen_pixels_high_levels(L, q, zeta, kind):
    K = _kernel(L, q, zeta, kind)
    for offsets in ({}, {0: 1}, {0: 1, 1: 1}):
        k = _freq(K, offsets)
        pair = len(offsets) == 2
        lin = sparse_spectrum(K, zeta, k, max_points=3_000_000)
        odd = sparse_spectrum(K, zeta, k, growth="odd", max_points=3_000_000)
        assert abs(lin.value - odd.value) <= lin.error + odd.error, (k, lin.value, odd.value)
        mc, se, _ = rqmc_spectrum(K, zeta, k, m=9 if pair else 12, replicates=8, seed=5)
        assert abs(lin.value - mc) <= lin.error + 5 * se
        assert lin.error < (3e-2 if pair else 1e-3) * abs(lin.value)


# ----------------------------------------------------------------------------------- structure
def test_trace_bounds_the_weighted_sum():
    zeta = 3
    K = _kernel(3, 5, zeta, "ntk")
    names, offs = _offsets(K)
    total, err = 0.0, 0.0
    freqs = [{}] + [{o: 1} for o in offs] + [{o: 2} for o in offs] + [{o: 1, o + 1: 1} for o in offs
                                                                       if o + 1 in offs]
    for f in freqs:
        k = _freq(K, f)
        r = sparse_spectrum(K, zeta, k, level=4)
        assert r.value > -r.error
        mult = multiplicity(k, zeta)
        total += mult * r.value
        err += mult * r.error
    trace = float(K.diagonal)  # K(1, ..., 1) = L + 1 for the CNTK
    assert trace == 4
    assert total <= trace + err
    assert total > 0.5 * trace  # the low frequencies carry most of the trace


def test_zero_outside_the_receptive_field():
    K = conv("eq", 4, 3, 9, 3, "ntk")  # receptive field: 7 of 9 pixels
    rf = K.receptive_field
    outside = [i for i in range(9) if i not in rf]
    freq = [0] * 9
    freq[outside[0]] = 2
    z = multisphere_eigenvalue(K, freq, method="sparse")
    assert z.value == 0.0 and "outside the receptive field" in z.reason
    # numerically: an extra integration variable that the kernel does not depend on
    names = _variables(K) + [f"t_{outside[0]}"]
    r = sparse_spectrum(K, 3, [1, 0, 0, 0, 0, 0, 0, 2], variables=names, level=3, symmetries=None)
    assert abs(r.value) < 1e-15 and r.error < 1e-14


def test_symmetries_of_the_window():
    K = _kernel(3, 5, 3, "nngp")
    (perm,) = kernel_symmetries(K)
    names, offs = _offsets(K)
    assert [offs[j] for j in perm] == [-o for o in offs]
    # a mirrored frequency vector has the same eigenvalue (computed without the symmetry reduction)
    a = sparse_spectrum(K, 3, _freq(K, {1: 1, 3: 2}), level=4, symmetries=None)
    b = sparse_spectrum(K, 3, _freq(K, {-1: 1, -3: 2}), level=4, symmetries=None)
    assert abs(a.value - b.value) <= a.error + b.error
    c = sparse_spectrum(K, 3, _freq(K, {0: 2}), level=5)
    d = sparse_spectrum(K, 3, _freq(K, {0: 2}), level=5, symmetries=None)
    assert c.value == pytest.approx(d.value, abs=1e-13) and c.evaluations < 0.7 * d.evaluations


@pytest.mark.parametrize("kind", ["nngp", "ntk"])
def test_torus_three_by_three(kind):
    K = conv("eq", 2, 3, (5, 5), 3, kind)
    assert len(K.inputs) == 9 and len(kernel_symmetries(K)) == 3
    grid = K.grid
    centre = [0] * 25
    centre[0] = 1
    r = multisphere_eigenvalue(K, centre)  # quadrature: the 9-pixel tensor grid is too large -> sparse
    assert r.method == "sparse" and "MAX_POINTS" in r.routes["sparse"]["why"]
    assert r.error < 1e-7 * r.value and r.multiplicity == 3
    # neighbours along both axes and in both directions: one eigenvalue (the dihedral symmetry)
    vals = []
    for off in [(0, 1), (1, 0), (0, -1), (-1, 0)]:
        f = {0: 1, grid.flat(off): 1}
        s = sparse_spectrum(K, 3, [f.get(int(n[2:]), 0) for n in _variables(K)], symmetries=None, level=4)
        vals.append((s.value, s.error))
    for v, e in vals[1:]:
        assert abs(v - vals[0][0]) <= e + vals[0][1]
    mc, se, _ = rqmc_spectrum(K, 3, [1 if n == "t_0" else 0 for n in _variables(K)], m=11, seed=2)
    assert abs(mc - r.value) <= r.error + 5 * se


# ----------------------------------------------------------------------------------- API, refusals, CLI
def test_quadrature_switches_to_sparse_and_refuses_only_beyond_it():
    K = conv("eq", 4, 3, 9, 3, "ntk")  # 7 pixels: (16 + 8)^7 nodes exceed MAX_POINTS
    assert 24**7 > MAX_POINTS
    r = multisphere_eigenvalue(K, [1, 0, 0, 0, 0, 0, 0, 0, 0], max_points=2_000_000)
    assert r.method in ("sparse", "rqmc") and r.routes["sparse"]["why"].startswith("tensor grid of")
    assert r.value == r.routes[r.method]["value"] and r.error < 1e-6
    if "rqmc" in r.routes:  # the levels stopped at the budget: both routes, the better one wins
        assert not r.routes["sparse"]["converged"] and r.error == min(d["error"] for d in r.routes.values())
    s = multisphere_eigenvalue(K, [1, 0, 0, 0, 0, 0, 0, 0, 0], method="sparse", max_points=1_000_000)
    assert abs(s.value - r.value) <= s.error + r.error and "why" not in s.routes["sparse"]
    with pytest.raises(ParameterError) as err:
        tensor_spectrum(K, 3, [1] + [0] * 6, [30] * 7)
    assert "sparse" in str(err.value)
    # every pixel active: the tensor grid on the active pixels alone is too large, even for the sparse route
    big = conv("eq", 4, 5, 13, 3, "ntk")
    with pytest.raises(ParameterError) as err:
        multisphere_eigenvalue(big, [1] * 13)
    assert err.value.parameter == "freq" and "sparse-grid route needs" in str(err.value)
    with pytest.raises(ParameterError) as err:
        multisphere_eigenvalue(K, [1, 0, 0, 0, 0, 0, 0, 0, 0], method="sparse", max_points=100)
    assert "budget is 100" in str(err.value)


def test_randomised_qmc_joins_when_the_sparse_levels_stop_early():
    """Two active pixels on 9 pixels: the sparse levels stop early, randomised QMC is more accurate."""
    K = _kernel(3, 5, 3, "ntk")  # 9 pixels
    k = [0] * 10
    k[0], k[1] = 1, 1
    r = multisphere_eigenvalue(K, k, max_points=300_000)
    assert set(r.routes) == {"sparse", "rqmc"} and not r.routes["sparse"]["converged"]
    assert r.method == ("rqmc" if r.routes["rqmc"]["error"] < r.routes["sparse"]["error"] else "sparse")
    s, q = r.routes["sparse"], r.routes["rqmc"]
    assert abs(s["value"] - q["value"]) <= s["error"] + q["error"]
    assert r.error == min(s["error"], q["error"]) and r.routes["rqmc"]["evaluations"] <= 300_000
    alone = multisphere_eigenvalue(K, k, method="rqmc", max_points=300_000)
    assert alone.value == q["value"] and alone.method == "rqmc"


def test_tr_head_through_the_sparse_route():
    p = 5
    Ktr = conv("tr", 2, 3, p, 3, "nngp")
    Keq = conv("eq", 2, 3, p, 3, "nngp")
    k = [1, 1, 0, 0, 0]
    tr = multisphere_eigenvalue(Ktr, k, method="sparse")
    shifts = [multisphere_eigenvalue(Keq, list(np.roll(k, -m)), method="sparse") for m in range(p)]
    assert tr.value == pytest.approx(sum(s.value for s in shifts) / p, rel=1e-12)


def test_cli_sparse_route(capsys):
    base = ["eigen", "--arch", "conv", "--head", "eq", "--depth", "3", "--filter", "3", "--pixels", "6",
            "--channels", "3", "--quiet"]
    code = main(base + ["--freq", "1,0,0,0,0,0", "--route", "sparse", "--json"])
    out = capsys.readouterr().out
    data = json.loads(out)
    K = conv("eq", 3, 3, 6, 3)
    lib = multisphere_eigenvalue(K, [1, 0, 0, 0, 0, 0], method="quadrature")
    assert code == 0 and data["method"] == "sparse"
    assert abs(float(data["eigenvalue"]) - lib.value) <= float(data["error"]) + lib.error
