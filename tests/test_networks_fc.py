"""Finite-width Monte-Carlo networks against the infinite-width recursions (SPEC §3-§5, §10b).

Tolerances.  A Monte-Carlo mean is accepted when ``|mean - reference| <= 4 * se + allowance``.
``se`` is the standard error over initialisations.  ``allowance`` covers the deterministic
O(1/width) finite-width bias of networks with two or more hidden layers (one hidden layer is
unbiased at every width: its pre-activations are exactly Gaussian).  The allowances are about
twice the bias measured with 20 000–40 000 initialisations at widths 8, 16 and 32, where
``width * bias`` was already constant:

* FC: ``width * |bias|`` <= 1.0 (NNGP) and 1.8 (NTK) at depth 3, 0.5 / 0.6 at depth 2.  Allowance
  ``(L - 1) (K(1) + 1) / (2 width)``.
* ResNet: ``width * |bias| / K(1)`` <= 0.37 (L = 3, α = 1), 0.28 (L = 2, α = 1) and 0.27
  (L = 4, α = 1/2).  Allowance ``L K(1) / (4 width)``.
* CNN: ``width * |bias| / K(1)`` <= 0.34 (NNGP) and 0.26 (NTK) at L = 4.  Allowance
  ``(L - 1) K(1) / (4 width)``.

At the widths used here the allowance is a small part of the tolerance.  Each agreement test has a
twin that holds the same Monte-Carlo run against a *perturbed* recursion (κ_0 and κ_1 swapped, a
bias or a training weight dropped, the neural-tangents 2/ζ normalisation, a wrong back-propagation
factor) and requires it to be rejected, so the tolerances can fail.  Monte-Carlo runs are cached, so
each network is simulated once.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symkernel.errors import ParameterError
from symkernel.networks import (
    conv_kernel_reference,
    conv_network_kernels,
    fc_kernel_reference,
    fc_network_kernels,
    gaussian_relu_moments,
    resnet_kernel_reference,
    resnet_network_kernels,
)

TS = np.array([-0.9, -0.4, 0.0, 0.3, 0.7, 0.95])
X2 = np.array([1.0, 0.0])


def circle(ts: np.ndarray) -> np.ndarray:
    """Unit vectors y_k in R^2 with <X2, y_k> = ts[k]."""
    ts = np.asarray(ts, dtype=float)
    return np.stack([ts, np.sqrt(1 - ts**2)], axis=-1)


# --------------------------------------------------------------- closed forms (test-local, SPEC §2)
def k0(u):
    return 1 - np.arccos(np.clip(u, -1, 1)) / np.pi


def k1(u):
    u = np.clip(u, -1, 1)
    return (np.sqrt(1 - u * u) + (np.pi - np.arccos(u)) * u) / np.pi


def fc_closed(t, depth, swap=False):
    """SPEC §3: Σ^(l) = κ_1(Σ^(l-1)), Θ^(l) = Σ^(l) + Θ^(l-1) κ_0(Σ^(l-1)).

    ``swap`` exchanges κ_0 and κ_1 (a deliberately wrong recursion)."""
    a, b = (k0, k1) if swap else (k1, k0)
    s = th = np.asarray(t, dtype=float)
    for _ in range(depth):
        s, th = a(s), a(s) + th * b(s)
    return s, th


def accept(res: dict, kind: str, ref, allowance) -> None:
    mean, se = np.asarray(res[f"{kind}_mean"]), np.asarray(res[f"{kind}_se"])
    tol = 4 * se + allowance
    err = np.abs(mean - ref)
    assert np.all(err <= tol), (
        f"{kind}: MC {mean} vs reference {np.asarray(ref)}; |err|/tol = {err / tol}"
    )


def reject(res: dict, wrong: dict, allowance: dict) -> None:
    """A perturbed recursion must be rejected with a margin: for at least one kind and one point
    its prediction ``wrong[kind]`` is more than twice the tolerance away from the Monte Carlo."""
    ratios = {}
    for kind, w in wrong.items():
        mean, se = np.asarray(res[f"{kind}_mean"]), np.asarray(res[f"{kind}_se"])
        ratios[kind] = np.abs(mean - w) / (4 * se + allowance[kind])
    assert max(np.max(r) for r in ratios.values()) > 2, (
        f"perturbed reference not rejected, |err|/tol = {ratios}"
    )


# ------------------------------------------------------------------------ FC: quadrature reference
@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.05, 5.0),
    b=st.floats(0.05, 5.0),
    rho=st.floats(-1.0, 1.0),
)
def test_gaussian_moments_match_arccos_closed_forms(a, b, rho):
    c = rho * math.sqrt(a * b)
    m_rr, m_ss = gaussian_relu_moments(a, b, c)
    r = np.clip(c / math.sqrt(a * b), -1, 1)
    # κ_0 has an infinite slope at ±1: a rounding of c moves it by ~eps / sqrt(1 - r²)
    cond = 1e-15 / math.sqrt(max(1 - r * r, 1e-16))
    assert abs(m_rr - math.sqrt(a * b) * k1(r) / 2) <= (1e-13 + cond) * math.sqrt(a * b)
    assert abs(m_ss - k0(r) / 2) <= 1e-13 + cond


def test_gaussian_moments_converged_and_against_sampling():
    a, b, c = np.array([2.0, 0.3]), np.array([0.5, 1.7]), np.array([-0.6, 0.5])
    coarse, fine = gaussian_relu_moments(a, b, c, 12), gaussian_relu_moments(a, b, c, 64)
    assert np.allclose(coarse, fine, rtol=0, atol=1e-14)
    rng = np.random.default_rng(7)
    n = 400_000
    for i in range(2):
        cov = np.array([[a[i], c[i]], [c[i], b[i]]])
        u, v = (rng.standard_normal((n, 2)) @ np.linalg.cholesky(cov).T).T
        rr, ss = np.maximum(u, 0) * np.maximum(v, 0), (u > 0) & (v > 0)
        assert abs(rr.mean() - fine[0][i]) < 5 * rr.std() / math.sqrt(n)
        assert abs(ss.mean() - fine[1][i]) < 5 * ss.std() / math.sqrt(n)


@settings(max_examples=50, deadline=None)
@given(depth=st.integers(1, 8), t=st.floats(-1.0, 1.0))
def test_fc_reference_without_bias_is_spec_recursion(depth, t):
    nngp, ntk = fc_kernel_reference(t, depth)
    s, th = fc_closed(t, depth)
    assert abs(nngp - s) <= 1e-9 and abs(ntk - th) <= 1e-9


def test_fc_reference_vectorised_and_special_values():
    nngp, ntk = fc_kernel_reference(TS, 4)
    s, th = fc_closed(TS, 4)
    np.testing.assert_allclose(nngp, s, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ntk, th, rtol=0, atol=1e-12)
    # Cao et al. two-layer NTK: κ_1(t) + t κ_0(t) / 2
    _, cao = fc_kernel_reference(TS, 1, layer_weights=(0.5, 1))
    np.testing.assert_allclose(cao, k1(TS) + 0.5 * TS * k0(TS), rtol=0, atol=1e-12)
    # diagonal with bias: s_l = 1 + l β², κ_0(1) = 1, so Θ(1) = Σ_l w_l s_l
    beta, depth = 0.5, 3
    nngp1, ntk1 = fc_kernel_reference(1.0, depth, bias=beta)
    s = 1 + beta**2 * np.arange(1, depth + 2)
    assert abs(nngp1 - s[-1]) < 1e-12 and abs(ntk1 - s.sum()) < 1e-12
    w = (0.0, 2.0, 1.0, 0.5)
    assert abs(fc_kernel_reference(1.0, depth, bias=beta, layer_weights=w)[1] - s @ w) < 1e-12


@settings(max_examples=25, deadline=None)
@given(
    depth=st.integers(1, 4),
    t=st.floats(-1.0, 1.0),
    beta=st.sampled_from([0.0, 0.5, 1.0]),
    weights=st.booleans(),
)
def test_fc_reference_matches_symkernel_bias_option(depth, t, beta, weights):
    """The library's `bias` / `layer_weights` options against the independent quadrature."""
    sk = pytest.importorskip("symkernel")
    if not hasattr(sk, "fc"):
        pytest.skip("symkernel.fc not available")
    lw = tuple(0.5 * ((i % 2) + 1) for i in range(depth + 1)) if weights else None
    try:
        kernels = [sk.fc(depth=depth, kind=k, bias=beta, layer_weights=lw) for k in ("nngp", "ntk")]
    except TypeError:
        pytest.skip("symkernel.fc has no bias/layer_weights options")
    ref = fc_kernel_reference(t, depth, bias=beta, layer_weights=lw)
    for K, r in zip(kernels, ref, strict=True):
        assert abs(float(K.numpy(t)) - r) <= 1e-9 * max(1.0, abs(r))


# ----------------------------------------------------------------------------- FC: Monte Carlo
FC_WIDTH = 128
FC_CASES = {
    # name: (depth, bias, layer_weights, n_init)
    "L1": (1, 0.0, None, 3000),
    "L1-bias": (1, 0.5, None, 3000),
    "L2": (2, 0.0, None, 2000),
    "L2-bias": (2, 0.5, None, 2000),
    "L3": (3, 0.0, None, 1500),
    "L3-bias": (3, 0.5, None, 1500),
    "cao": (1, 0.0, (0.5, 1.0), 3000),
    "L2-mixed": (2, (0.3, 0.0, 0.7), (0.0, 1.0, 0.5), 2000),
}


@cache
def fc_run(name: str) -> dict:
    depth, bias, lw, n_init = FC_CASES[name]
    return fc_network_kernels(X2, circle(TS), depth, FC_WIDTH, n_init, bias=bias,
                              layer_weights=lw, seed=11)


def fc_allowance(name: str, kind: str) -> float:
    depth, bias, lw, _ = FC_CASES[name]
    k1_ = fc_kernel_reference(1.0, depth, bias=bias, layer_weights=lw)[kind == "ntk"]
    return (depth - 1) * (float(k1_) + 1) / (2 * FC_WIDTH)


@pytest.mark.parametrize("name", list(FC_CASES))
def test_fc_network_matches_reference(name):
    depth, bias, lw, _ = FC_CASES[name]
    res = fc_run(name)
    nngp, ntk = fc_kernel_reference(TS, depth, bias=bias, layer_weights=lw)
    accept(res, "nngp", nngp, fc_allowance(name, "nngp"))
    accept(res, "ntk", ntk, fc_allowance(name, "ntk"))
    if bias == 0.0 and lw is None:  # and the SPEC §3 closed form itself
        s, th = fc_closed(TS, depth)
        accept(res, "nngp", s, fc_allowance(name, "nngp"))
        accept(res, "ntk", th, fc_allowance(name, "ntk"))


@pytest.mark.parametrize("name", list(FC_CASES))
def test_fc_network_rejects_perturbed_recursions(name):
    depth, bias, lw, _ = FC_CASES[name]
    res = fc_run(name)
    allow = {kind: fc_allowance(name, kind) for kind in ("nngp", "ntk")}
    if bias == 0.0 and lw is None:
        s, th = fc_closed(TS, depth, swap=True)
        reject(res, {"nngp": s, "ntk": th}, allow)
    elif lw is None:  # bias only in the first layer instead of every layer
        nngp, ntk = fc_kernel_reference(TS, depth, bias=(bias,) + (0.0,) * depth)
        reject(res, {"nngp": nngp, "ntk": ntk}, allow)
    else:  # every layer trained with weight 1
        _, ntk = fc_kernel_reference(TS, depth, bias=bias)
        reject(res, {"ntk": ntk}, allow)


def test_fc_network_sampled_readout_and_single_point():
    """The raw estimator f(x) f(y) (no conditioning on the readout) agrees too, less precisely."""
    t = 0.3
    res = fc_network_kernels(X2, circle(t), 1, 64, 4000, bias=0.5, seed=3,
                             conditional_readout=False)
    assert isinstance(res["nngp_mean"], float)
    nngp, ntk = fc_kernel_reference(t, 1, bias=0.5)
    accept(res, "nngp", nngp, 0.0)
    accept(res, "ntk", ntk, 0.0)
    cond = fc_network_kernels(X2, circle(t), 1, 64, 4000, bias=0.5, seed=3)
    assert cond["nngp_se"] < res["nngp_se"] / 3


@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    depth=st.integers(1, 3),
    t=st.floats(-1.0, 1.0),
    beta=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 2**31),
)
def test_fc_network_random_depth_and_t(depth, t, beta, seed):
    width = 64
    res = fc_network_kernels(X2, circle(t), depth, width, 1500, bias=beta, seed=seed)
    nngp, ntk = fc_kernel_reference(t, depth, bias=beta)
    for kind, ref in (("nngp", nngp), ("ntk", ntk)):
        diag = fc_kernel_reference(1.0, depth, bias=beta)[kind == "ntk"]
        accept(res, kind, ref, (depth - 1) * (diag + 1) / (2 * width))


# ---------------------------------------------------------------------------------- ResNet
def resnet_variant(t, depth, alpha, train_input, train_readout, variant):
    """SPEC §4 with one deliberate error: 'swap' (κ_0 ↔ κ_1), 'no_backprop' (B_l = 1),
    'no_diag' (s_l = 1 in the K recursion)."""
    a2 = alpha**2
    ka, kb = (k0, k1) if variant == "swap" else (k1, k0)
    K, s = [np.asarray(t, float)], [1.0]
    for _ in range(depth):
        sd = 1.0 if variant == "no_diag" else s[-1]
        K.append(K[-1] + a2 * sd * ka(K[-1] / s[-1]))
        s.append(s[-1] * (1 + a2))
    B, ntk = 1.0, 0.0
    for layer in range(depth, 0, -1):
        rho = K[layer - 1] / s[layer - 1]
        ntk = ntk + a2 * B * (s[layer - 1] * ka(rho) + K[layer - 1] * kb(rho))
        if variant != "no_backprop":
            B = B * (1 + a2 * kb(rho))
    ntk = ntk + (B * K[0] if train_input else 0) + (K[-1] if train_readout else 0)
    return K[-1], ntk


def test_resnet_reference_special_values():
    for depth, alpha in ((1, 1.0), (3, 0.5), (5, 5**-0.5)):
        nngp, ntk = resnet_kernel_reference(1.0, depth, alpha)
        assert abs(nngp - (1 + alpha**2) ** depth) < 1e-12
        assert abs(ntk - 2 * alpha**2 * depth * (1 + alpha**2) ** (depth - 1)) < 1e-12
        _, full = resnet_kernel_reference(1.0, depth, alpha, True, True)
        assert abs(full - ntk - 2 * (1 + alpha**2) ** depth) < 1e-12
        # the test-local re-implementation agrees everywhere
        for ti, tr in ((False, False), (True, True)):
            np.testing.assert_allclose(
                resnet_kernel_reference(TS, depth, alpha, ti, tr),
                resnet_variant(TS, depth, alpha, ti, tr, "spec"), rtol=1e-13, atol=1e-13)


RES_WIDTH = 128
RES_CASES = {
    # name: (depth, alpha, train_input, train_readout, n_init)
    "L1": (1, 1.0, False, False, 1500),
    "L2-all": (2, 0.7, True, True, 1000),
    "L3-readout": (3, 0.5, False, True, 800),
    "L4-input": (4, 0.5, True, False, 700),  # α = L^{-1/2}
}


@cache
def res_run(name: str) -> dict:
    depth, alpha, ti, tr, n_init = RES_CASES[name]
    return resnet_network_kernels(X2, circle(TS), depth, alpha, RES_WIDTH, n_init, seed=5,
                                  train_input=ti, train_readout=tr)


def res_allowance(name: str, kind: str) -> float:
    depth, alpha, ti, tr, _ = RES_CASES[name]
    diag = resnet_kernel_reference(1.0, depth, alpha, ti, tr)[kind == "ntk"]
    return depth * float(diag) / (4 * RES_WIDTH)


@pytest.mark.parametrize("name", list(RES_CASES))
def test_resnet_network_matches_reference(name):
    depth, alpha, ti, tr, _ = RES_CASES[name]
    nngp, ntk = resnet_kernel_reference(TS, depth, alpha, ti, tr)
    res = res_run(name)
    accept(res, "nngp", nngp, res_allowance(name, "nngp"))
    accept(res, "ntk", ntk, res_allowance(name, "ntk"))


@pytest.mark.parametrize("name", list(RES_CASES))
@pytest.mark.parametrize("variant", ["swap", "no_backprop", "no_diag"])
def test_resnet_network_rejects_perturbed_recursions(name, variant):
    depth, alpha, ti, tr, _ = RES_CASES[name]
    nngp, ntk = resnet_variant(TS, depth, alpha, ti, tr, variant)
    if variant in ("no_backprop", "no_diag") and depth == 1:
        pytest.skip("B_1 = s_0 = 1: a single block has nothing to get wrong here")
    allow = {kind: res_allowance(name, kind) for kind in ("nngp", "ntk")}
    reject(res_run(name), {"nngp": nngp, "ntk": ntk}, allow)


def test_resnet_library_kernel_shape_if_available():
    """symkernel.resnet (normalised or not) has the shape K(t)/K(1) of the reference."""
    import symkernel as sk

    if not hasattr(sk, "resnet"):
        pytest.skip("symkernel.resnet not available yet")
    for depth, alpha in ((2, 0.7), (4, 0.5)):
        for kind in ("nngp", "ntk"):
            K = sk.resnet(depth, alpha=alpha, kind=kind)
            ref = resnet_kernel_reference(np.append(TS, 1.0), depth, alpha)[kind == "ntk"]
            got = np.array([float(K(t)) for t in np.append(TS, 1.0)])
            np.testing.assert_allclose(got / got[-1], ref / ref[-1], rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------------- CNN
P_PIX, ZETA = 6, 3


def _unit_rows(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def conv_points():
    rng = np.random.default_rng(2024)
    x = _unit_rows(rng.standard_normal((P_PIX, ZETA)))
    near = _unit_rows(x + 0.5 * rng.standard_normal((P_PIX, ZETA)))
    far = _unit_rows(rng.standard_normal((P_PIX, ZETA)))
    shifted = np.roll(x, 1, axis=0)
    return x, np.stack([x, near, far, shifted])


def conv_variant(x, ys, depth, q, head, kind, variant):
    """SPEC §5 with one deliberate error: 'swap' (κ_0 ↔ κ_1), 'no_shift' (patch average over
    Σ_{i+a, j} instead of Σ_{i+a, j+a}), 'no_readout' (H without the readout's κ_1)."""
    r = (q - 1) // 2
    ka, kb = (k0, k1) if variant == "swap" else (k1, k0)
    sig = np.einsum("iz,mjz->mij", x, ys)
    th = sig.copy()

    def avg(mat):  # out[i, j] = mean_a mat[i + a, j + a]
        out = np.zeros_like(mat)
        for a in range(-r, r + 1):
            out += np.roll(mat, (-a, 0 if variant == "no_shift" else -a), axis=(1, 2))
        return out / q

    for _ in range(depth - 1):
        sig, th = avg(ka(sig)), avg(th * kb(sig) + ka(sig))
    mat = ka(sig) if kind == "nngp" else th * kb(sig) + (0 if variant == "no_readout" else ka(sig))
    if head == "eq":
        return mat[:, 0, 0]
    if head == "tr":
        return np.trace(mat, axis1=1, axis2=2) / P_PIX
    return mat.sum(axis=(1, 2)) / P_PIX**2


def test_conv_reference_structure():
    """SPEC §5 facts: eq/tr see only t_i = <x_i, y_i>; tr and gap are shift averages."""
    x, ys = conv_points()
    for depth, q in ((1, 1), (2, 3), (3, 3), (4, 5)):
        for head in ("eq", "tr", "gap"):
            for kind in ("nngp", "ntk"):
                ref = conv_kernel_reference(x, ys, depth, q, head, kind)
                np.testing.assert_allclose(ref, conv_variant(x, ys, depth, q, head, kind, "spec"),
                                           rtol=1e-13)
        y = ys[1]
        # same per-pixel dot products, different cross products: rotate each y_i about x_i
        y2 = np.empty_like(y)
        rng = np.random.default_rng(1)
        for i in range(P_PIX):
            b = y[i] - (y[i] @ x[i]) * x[i]
            c = np.cross(x[i], b)
            phi = rng.uniform(0, 2 * np.pi)
            y2[i] = (y[i] @ x[i]) * x[i] + np.cos(phi) * b + np.sin(phi) * c
        for kind in ("nngp", "ntk"):
            for head in ("eq", "tr"):
                assert abs(conv_kernel_reference(x, y, depth, q, head, kind)
                           - conv_kernel_reference(x, y2, depth, q, head, kind)) < 1e-12
            eq = [conv_kernel_reference(np.roll(x, -m, 0), np.roll(y, -m, 0), depth, q, "eq",
                                        kind) for m in range(P_PIX)]
            assert abs(np.mean(eq) - conv_kernel_reference(x, y, depth, q, "tr", kind)) < 1e-12
            tr = [conv_kernel_reference(x, np.roll(y, m, 0), depth, q, "tr", kind)
                  for m in range(P_PIX)]
            assert abs(np.mean(tr) - conv_kernel_reference(x, y, depth, q, "gap", kind)) < 1e-12
            # (in t, not in the angle: <x_i, x_i> = 1 - eps costs ~sqrt(eps) through κ_0)
            assert abs(conv_kernel_reference(x, x, depth, q, "eq", kind)
                       - (1 if kind == "nngp" else depth + 1)) < 1e-7


CONV_WIDTH = 64
CONV_CASES = [
    (1, 1, "eq", 1500),
    (2, 3, "eq", 1500),
    (2, 3, "tr", 1500),
    (2, 3, "gap", 1500),
    (3, 3, "eq", 1000),
    (3, 3, "tr", 1000),
    (3, 3, "gap", 1000),
    (3, 5, "eq", 800),
    (4, 3, "gap", 800),
]


@cache
def conv_run(depth: int, q: int, head: str, n_init: int) -> dict:
    x, ys = conv_points()
    return conv_network_kernels(x, ys, depth, q, head, CONV_WIDTH, n_init, seed=17)


def conv_allowance(depth, q, head, kind):
    x, _ = conv_points()
    return (depth - 1) * conv_kernel_reference(x, x, depth, q, head, kind) / (4 * CONV_WIDTH)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"L{c[0]}-q{c[1]}-{c[2]}")
def test_conv_network_matches_reference(case):
    depth, q, head, _ = case
    x, ys = conv_points()
    res = conv_run(*case)
    for kind in ("nngp", "ntk"):
        ref = conv_kernel_reference(x, ys, depth, q, head, kind)
        accept(res, kind, ref, conv_allowance(depth, q, head, kind))


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"L{c[0]}-q{c[1]}-{c[2]}")
def test_conv_network_rejects_perturbed_recursions(case):
    depth, q, head, _ = case
    x, ys = conv_points()
    res = conv_run(*case)
    kinds = ("nngp", "ntk")
    allow = {kind: conv_allowance(depth, q, head, kind) for kind in kinds}
    # neural-tangents' Conv(W_std=√2) first layer: the SPEC values times 2/ζ
    reject(res, {k: 2 / ZETA * conv_kernel_reference(x, ys, depth, q, head, k) for k in kinds},
           allow)
    variants = ["swap", "no_readout"] + (["no_shift"] if depth > 1 else [])
    for variant in variants:
        reject(res, {k: conv_variant(x, ys, depth, q, head, k, variant) for k in kinds}, allow)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call",
    [
        lambda: fc_network_kernels(X2, [1.0, 1.0], 1, 8, 4),  # y not unit
        lambda: fc_network_kernels(X2, X2, 0, 8, 4),  # depth
        lambda: fc_network_kernels(X2, X2, 1, 0, 4),  # width
        lambda: fc_network_kernels(X2, X2, 2, 8, 4, bias=-1.0),
        lambda: fc_network_kernels(X2, X2, 2, 8, 4, layer_weights=(1.0, 1.0)),
        lambda: fc_network_kernels(X2, [1.0, 0.0, 0.0], 1, 8, 4),  # dimension mismatch
        lambda: fc_kernel_reference(1.5, 2),
        lambda: resnet_network_kernels(X2, X2, 1, -0.5, 8, 4),
        lambda: conv_network_kernels(np.eye(2), np.eye(2), 2, 2, "eq", 8, 4),  # even filter
        lambda: conv_network_kernels(np.eye(2), np.eye(2), 2, 3, "max", 8, 4),
        lambda: conv_kernel_reference(np.eye(2), np.eye(2), 2, 3, "eq", "cgpk"),
    ],
)
def test_bad_input_names_parameter(call):
    with pytest.raises(ParameterError):
        call()


def test_seed_reproducible_and_generator_accepted():
    a = fc_network_kernels(X2, circle(0.2), 2, 16, 20, seed=4)
    b = fc_network_kernels(X2, circle(0.2), 2, 16, 20, seed=np.random.default_rng(4))
    assert a == b


# ------------------------------------------------------------------ heavier runs (pytest -m slow)
@pytest.mark.slow
def test_deep_networks_high_precision():
    """Deeper, wider networks with more initialisations: a tighter check of SPEC §3-§5."""
    width = 256
    res = fc_network_kernels(X2, circle(TS), 4, width, 2000, seed=101)
    s, th = fc_closed(TS, 4)
    accept(res, "nngp", s, 3 * 2 / (2 * width))
    accept(res, "ntk", th, 3 * 6 / (2 * width))
    depth, alpha = 6, 6**-0.5
    res = resnet_network_kernels(X2, circle(TS), depth, alpha, width, 400, seed=102,
                                 train_input=True, train_readout=True)
    nngp, ntk = resnet_kernel_reference(TS, depth, alpha, True, True)
    d_n, d_k = resnet_kernel_reference(1.0, depth, alpha, True, True)
    accept(res, "nngp", nngp, depth * d_n / (4 * width))
    accept(res, "ntk", ntk, depth * d_k / (4 * width))
    x, ys = conv_points()
    for head in ("eq", "gap"):
        res = conv_network_kernels(x, ys, 5, 3, head, 128, 1500, seed=103)
        for kind in ("nngp", "ntk"):
            ref = conv_kernel_reference(x, ys, 5, 3, head, kind)
            diag = conv_kernel_reference(x, x, 5, 3, head, kind)
            accept(res, kind, ref, 4 * diag / (4 * 128))
