"""Finite-width CNNs on a 2-D torus against ``symkernel.conv(..., pixels=(h, w))`` (SPEC §5, issue 6).

The network is :func:`symkernel.networks.conv_network_kernels` on an h × w torus: a 1×1 convolution, then
L - 1 cyclic q × q convolutions, heads ``eq``/``tr``/``gap``, NTK parameterisation; its empirical CGPK
(NNGP) and CNTK are averaged over initialisations, with the standard error (SE) of the mean.

Tolerance.  A Monte-Carlo mean is accepted when it is within **4 SE** of the kernel, with no allowance for
the O(1/width) finite-width bias of L ≥ 2.  That is honest only while the bias is small compared with the
SE; the bias was measured with 10 000-40 000 initialisations at widths C = 8, 16, 32 on the 4×4 and 5×5
tori used here (L = 2, 3, every head and kind): ``C |bias| / K(1)`` <= 0.07 at L = 2 and <= 0.2 (± 0.05)
at L = 3, far below the 1-D bound of ``tests/test_networks_fc.py`` (0.34 at L = 4).  Every agreement test
asserts that ``BIAS_BOUND * K(1) / C`` (``BIAS_BOUND`` = 0.25) is below the smallest SE of the run, so
the bias is at most one SE, and a 4-SE test stays fair whatever the seed.

The tests can fail: each run is held against deliberately wrong kernels (depth L ± 1 on the same torus;
the 1-D ring kernel of the flattened image; on a non-square torus the column-major pixel order), and
each must be rejected at more than twice the tolerance (8 SE) for at least one kind and one point.  For
``tr`` and ``gap`` the 1-D kernel differs from the torus kernel by only 3-9 % of K(1) (these heads
average over translations), so that rejection needs wider networks and runs under ``-m slow``.

The points have 2-D structure (a horizontal stripe, a two-row pattern) plus noise, so that the torus and
the ring kernels differ, and are otherwise in general position.  Shift identities of the network hold
*per initialisation* (cyclic convolutions are translation-equivariant) and are checked to rounding.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import pytest

import symkernel as sk
from symkernel.architectures.conv import Grid
from symkernel.errors import ParameterError
from symkernel.networks import _conv_samples, conv_kernel_reference, conv_network_kernels

WIDTH = 64
N_INIT = 200
Q = 3
#: measured upper bound of C |bias| / K(1) for L <= 3 on these tori (module docstring)
BIAS_BOUND = 0.25
KINDS = ("nngp", "ntk")
HEADS = ("eq", "tr", "gap")

# (h, w, zeta, L); the default run covers both tori, both depths and both channel counts, plus a
# non-square torus (pixel order); 5×5 with L = 3 (the slowest) runs under -m slow
CASES = [(4, 4, 2, 2), (4, 4, 3, 3), (5, 5, 3, 2), (3, 5, 2, 2)]
SLOW_CASES = [(5, 5, 2, 3)]


def unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


@cache
def torus_points(h: int, w: int, zeta: int, noise: float = 0.3, seed: int = 2024):
    """x: a horizontal stripe (row 0 along e1, the other rows along -e1) plus noise; y: x itself, a
    noisy constant image, a noisy two-row pattern, x translated by (1, 2), an unrelated random image."""
    rng = np.random.default_rng(seed)
    e1, e2 = np.eye(zeta)[0], np.eye(zeta)[1]
    stripe = np.broadcast_to(-e1, (h, w, zeta)).copy()
    stripe[0] = e1
    const = np.broadcast_to(e1, (h, w, zeta)).copy()
    rows = np.broadcast_to(e2, (h, w, zeta)).copy()
    rows[0], rows[1] = e1, -e1

    def noisy(a):
        return unit(a + noise * rng.standard_normal((h, w, zeta)))

    x = noisy(stripe)
    ys = np.stack([x, noisy(const), noisy(rows), np.roll(x, (1, 2), axis=(0, 1)),
                   unit(rng.standard_normal((h, w, zeta)))])
    return x, ys


@cache
def run(case, head, width=WIDTH, n_init=N_INIT, seed=17):
    h, w, zeta, depth = case
    x, ys = torus_points(h, w, zeta)
    return conv_network_kernels(x, ys, depth, Q, head, width, n_init, seed=seed)


@cache
def kernel_values(case, head, kind, variant="torus"):
    """``symkernel.conv`` at the test points: the right kernel, or a deliberately wrong one."""
    h, w, zeta, depth = case
    x, ys = torus_points(h, w, zeta)
    if variant == "torus":
        return sk.conv(head, depth, Q, (h, w), zeta, kind).at(x, ys)
    if variant == "other_depth":  # the neighbouring depth: L + 1 for L = 2, L - 1 for L = 3 (cheaper)
        return sk.conv(head, depth + 1 if depth <= 2 else depth - 1, Q, (h, w), zeta, kind).at(x, ys)
    if variant == "ring":  # the 1-D kernel of the row-major flattened image
        return sk.conv(head, depth, Q, h * w, zeta, kind).at(x.reshape(h * w, zeta),
                                                            ys.reshape(len(ys), h * w, zeta))
    if variant == "column_major":  # pixels read in column-major order as if row-major
        def t(a):
            return np.swapaxes(a, -3, -2).reshape(a.shape)

        return sk.conv(head, depth, Q, (h, w), zeta, kind).at(t(x), t(ys))
    raise ValueError(variant)


def z_scores(res, kind, ref):
    return (np.asarray(res[f"{kind}_mean"]) - ref) / np.asarray(res[f"{kind}_se"])


def check_agreement(case, head, res, width):
    h, w, zeta, depth = case
    for kind in KINDS:
        K1 = float(sk.conv(head, depth, Q, (h, w), zeta, kind).diagonal)
        se = np.asarray(res[f"{kind}_se"])
        assert BIAS_BOUND * K1 / width < se.min(), "finite-width bias not negligible: 4 SE is unfair"
        z = z_scores(res, kind, kernel_values(case, head, kind))
        assert np.all(np.abs(z) < 4), f"{case} {head} {kind}: z = {np.round(z, 2)}"


def check_rejection(res, case, head, variant):
    z = max(np.max(np.abs(z_scores(res, kind, kernel_values(case, head, kind, variant)))) for kind in KINDS)
    assert z > 8, f"wrong kernel '{variant}' not rejected: max |z| = {z:.1f} (need > 2 x 4 SE)"


# ---------------------------------------------------------------------------- agreement with sk.conv
@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}x{c[1]}-zeta{c[2]}-L{c[3]}")
def test_torus_network_matches_conv(case, head):
    check_agreement(case, head, run(case, head), WIDTH)


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}x{c[1]}-zeta{c[2]}-L{c[3]}")
def test_torus_network_rejects_wrong_kernels(case, head):
    res = run(case, head)
    check_rejection(res, case, head, "other_depth")
    if head == "eq":
        check_rejection(res, case, head, "ring")
        if case[0] != case[1]:
            check_rejection(res, case, head, "column_major")


@pytest.mark.slow
@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("case", SLOW_CASES, ids=lambda c: f"{c[0]}x{c[1]}-zeta{c[2]}-L{c[3]}")
def test_torus_network_matches_conv_depth3_5x5(case, head):
    res = run(case, head)
    check_agreement(case, head, res, WIDTH)
    check_rejection(res, case, head, "other_depth")
    if head == "eq":
        check_rejection(res, case, head, "ring")


@pytest.mark.slow
@pytest.mark.parametrize("head", ["tr", "gap"])
def test_torus_network_rejects_ring_kernel_tr_gap(head):
    """Wider networks, more initialisations: the 1-D kernel is rejected for the averaging heads too."""
    case, width = (4, 4, 2, 2), 128
    res = run(case, head, width=width, n_init=600, seed=29)
    check_agreement(case, head, res, width)
    check_rejection(res, case, head, "ring")


def test_pixels_keyword_and_flat_input():
    """``pixels=(h, w)`` with flat (h w, ζ) inputs is the same network as (h, w, ζ) inputs."""
    x, ys = torus_points(3, 5, 2)
    a = conv_network_kernels(x, ys, 2, 3, "tr", 8, 5, seed=3)
    b = conv_network_kernels(x.reshape(15, 2), ys.reshape(5, 15, 2), 2, 3, "tr", 8, 5, seed=3,
                             pixels=(3, 5))
    c = conv_network_kernels(x, ys, 2, 3, "tr", 8, 5, seed=3, pixels="3x5")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
        np.testing.assert_array_equal(a[k], c[k])
    # without pixels the flat input is a 1-D ring: a different network
    d = conv_network_kernels(x.reshape(15, 2), ys.reshape(5, 15, 2), 2, 3, "tr", 8, 5, seed=3)
    assert not np.allclose(a["ntk_mean"], d["ntk_mean"])


@pytest.mark.parametrize("call", [
    lambda: conv_network_kernels(np.ones((2, 2, 2, 1)), np.ones((2, 2, 2, 1)), 2, 3, "eq", 4, 2),
    lambda: conv_network_kernels(np.ones(3), np.ones(3), 2, 3, "eq", 4, 2),
    lambda: conv_network_kernels(np.ones((4, 1)), np.ones((4, 1)), 2, 3, "eq", 4, 2, pixels=(3, 2)),
    lambda: conv_network_kernels(np.ones((2, 2, 1)), np.ones((2, 3, 1)), 1, 1, "eq", 4, 2),
    lambda: conv_kernel_reference(np.ones((2, 2, 1)), np.ones((2, 2, 1)), 1, 1, "eq", "ntk", pixels="2x"),
])
def test_bad_grid_input_names_parameter(call):
    with pytest.raises(ParameterError):
        call()


# ------------------------------------------------------------------- the numpy reference on a torus
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("pixels,depth,zeta", [((4, 4), 2, 2), ((3, 5), 3, 3), ((5, 5), 2, 3)])
def test_reference_matches_conv_on_torus(pixels, depth, zeta, head, kind):
    """The plain-numpy recursion (np.roll on the grid axes) and the kernel algebra agree on a torus."""
    x, ys = torus_points(*pixels, zeta)
    got = sk.conv(head, depth, Q, pixels, zeta, kind).at(x, ys)
    ref = conv_kernel_reference(x, ys, depth, Q, head, kind)
    # the reference works in t = cos(angle) and loses ~sqrt(eps) at t = 1 through kappa_0: points 0 (x
    # itself) and 3 (x translated: gap sees <x_i, y_j> = 1) are compared loosely, the others tightly
    exact = [1, 2, 4]
    np.testing.assert_allclose(got[exact], ref[exact], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got, ref, rtol=1e-7)


# ------------------------------------------------------------ back-propagation: exact per network
def _forward(img, W1, Ws, v, head, q):
    """Test-local forward pass of one network on an image (grid shape + (ζ,)), by np.roll on the grid
    axes: f_1 = W1 x_i; f_l(i) = sqrt(2/(|A| C)) sum_k W[k C + c, :] relu(f_{l-1})(i + a_k)_c."""
    grid_shape = img.shape[:-1]
    nd = len(grid_shape)
    C = W1.shape[0]
    offsets = list(itertools.product(range(-(q // 2), q // 2 + 1), repeat=nd))
    axes = tuple(range(nd))
    f = img @ W1.T
    for W in Ws:
        hid = np.maximum(f, 0.0)
        patches = [np.roll(hid, tuple(-c for c in a), axis=axes) for a in offsets]  # hid(i + a)
        f = np.sqrt(2.0 / (len(offsets) * C)) * np.concatenate(patches, axis=-1) @ W
    hid = np.maximum(f, 0.0).reshape(-1, C)
    p = hid.shape[0]
    if head == "eq":
        return np.sqrt(2.0 / C) * v @ hid[0]
    if head == "tr":
        return np.sqrt(2.0 / (p * C)) * np.sum(v * hid)
    return np.sqrt(2.0 / C) * v @ hid.mean(axis=0)


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("shape,depth", [((3, 4), 3), ((5,), 3), ((3, 3), 2)])
def test_ntk_sample_is_the_gradient_inner_product(shape, depth, head):
    """One network: g from the library equals the test-local forward pass, the NTK sample equals
    <grad g(x), grad g(y)> by central finite differences over every parameter, and the conditional NNGP
    sample equals the readout part of it."""
    rng = np.random.default_rng(11)
    zeta, C, q = 2, 3, 3
    grid = Grid(shape)
    p = grid.size
    A = q ** len(shape)
    imgs = unit(rng.standard_normal((3,) + shape + (zeta,)))
    W1 = rng.standard_normal((C, zeta))
    Ws = [rng.standard_normal((A * C, C)) for _ in range(depth - 1)]
    v = rng.standard_normal((p, C) if head == "tr" else (C,))
    pts = imgs.reshape(3, p, zeta)
    nngp, ntk, g = _conv_samples(pts, grid, q, head, W1[None], [W[None] for W in Ws], v[None])
    params = [W1, *Ws, v]

    def outputs(ps):
        return np.array([_forward(img, ps[0], ps[1:-1], ps[-1], head, q) for img in imgs])

    np.testing.assert_allclose(g[0], outputs(params), rtol=1e-12)
    eps = 1e-6
    grads = []
    for k, P in enumerate(params):
        for idx in np.ndindex(P.shape):
            plus = [a.copy() for a in params]
            minus = [a.copy() for a in params]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            grads.append((outputs(plus) - outputs(minus)) / (2 * eps))
    J = np.array(grads)  # (n_params, 3)
    np.testing.assert_allclose(ntk[0], J.T @ J[:, 0], rtol=1e-6)
    Jv = J[-v.size:]
    np.testing.assert_allclose(nngp[0], Jv.T @ Jv[:, 0], rtol=1e-6)


# ------------------------------------------------------------------------------- shift identities
def shift_image(img, m):
    """(s^m x)_i = x_{i + m} on the torus (the convention of Grid.permutation)."""
    return np.roll(img, tuple(-c for c in m), axis=(-3, -2))


@pytest.mark.parametrize("pixels", [(4, 4), (5, 5)])
def test_network_gap_and_tr_invariant_under_2d_translation(pixels):
    """Per initialisation: gap is invariant under translating y alone and under translating x and y
    together; the conditional tr NNGP under translating both, and equal to the translation average of the
    eq NNGP.  The tr NTK is invariant in expectation only: a translated run matches sk.conv unshifted."""
    h, w = pixels
    x, ys = torus_points(h, w, 2)
    y = ys[2]
    kw = dict(depth=2, filter_size=3, width=16, n_init=20, seed=8)
    shifts = Grid(pixels).translations()
    gap_y = conv_network_kernels(x, np.stack([shift_image(y, m) for m in shifts]), head="gap", **kw)
    for k in ("nngp_mean", "ntk_mean"):
        np.testing.assert_allclose(gap_y[k], gap_y[k][0], rtol=1e-12)
    for m in [(1, 0), (0, 1), (2, 3)]:
        for head in ("gap", "tr"):
            a = conv_network_kernels(x, y, head=head, **kw)
            b = conv_network_kernels(shift_image(x, m), shift_image(y, m), head=head, **kw)
            assert b["nngp_mean"] == pytest.approx(a["nngp_mean"], rel=1e-12)
            if head == "gap":
                assert b["ntk_mean"] == pytest.approx(a["ntk_mean"], rel=1e-12)
    eq = [conv_network_kernels(shift_image(x, m), shift_image(y, m), head="eq", **kw)["nngp_mean"]
          for m in shifts]
    tr = conv_network_kernels(x, y, head="tr", **kw)["nngp_mean"]
    assert np.mean(eq) == pytest.approx(tr, rel=1e-12)
    # tr NTK: a network run at (s x, s y) agrees with the kernel at (x, y) (= the kernel at (s x, s y))
    case = (h, w, 2, 2)
    if case in CASES:
        m = (1, 2)
        x_s, ys_s = shift_image(x, m), shift_image(torus_points(h, w, 2)[1], m)
        res = conv_network_kernels(x_s, ys_s, 2, Q, "tr", WIDTH, N_INIT, seed=31)
        check_agreement(case, "tr", res, WIDTH)


@pytest.mark.parametrize("pixels,depth", [((5, 5), 2), ((6, 6), 3), ((4, 6), 2)])
def test_network_eq_depends_only_on_receptive_field(pixels, depth):
    """Per initialisation: changing x or y outside the receptive field of the output pixel (0, 0), the
    (L-1)(q-1)+1 square around it, leaves every sample unchanged; changing a pixel inside it does not."""
    rng = np.random.default_rng(3)
    h, w = pixels
    x, ys = torus_points(h, w, 3)
    R = (depth - 1) * (Q - 1) // 2
    inside = np.zeros((h, w), dtype=bool)
    for a, b in itertools.product(range(-R, R + 1), repeat=2):
        inside[a % h, b % w] = True
    assert inside.sum() == (2 * R + 1) ** 2 < h * w
    assert sorted(sk.conv("eq", depth, Q, pixels, 3).receptive_field) == sorted(
        np.flatnonzero(inside.ravel()).tolist())
    x2, ys2 = x.copy(), ys.copy()
    x2[~inside] = unit(rng.standard_normal((int((~inside).sum()), 3)))
    ys2[:, ~inside] = unit(rng.standard_normal((len(ys), int((~inside).sum()), 3)))
    kw = dict(depth=depth, filter_size=Q, head="eq", width=8, n_init=10, seed=4)
    a = conv_network_kernels(x, ys, **kw)
    b = conv_network_kernels(x2, ys2, **kw)
    for k in ("nngp_mean", "ntk_mean"):
        np.testing.assert_allclose(b[k], a[k], rtol=1e-12, atol=1e-14)
    ys3 = ys.copy()
    ys3[:, 0, 0] = unit(rng.standard_normal((len(ys), 3)))
    c = conv_network_kernels(x, ys3, **kw)
    assert not np.allclose(c["ntk_mean"], a["ntk_mean"])
    # the kernel: the same receptive field
    K = sk.conv("eq", depth, Q, pixels, 3, "ntk")
    np.testing.assert_allclose(K.at(x2, ys2), K.at(x, ys), rtol=1e-14)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("pixels", [(4, 4), (5, 5)])
def test_conv_kernel_2d_shift_identities(pixels, kind):
    """sk.conv on the torus: tr and gap invariant under translating x and y together; tr = translation
    average of eq; gap = average of tr over translations of y."""
    Keq, Ktr, Kgap = (sk.conv(h, 2, Q, pixels, 3, kind) for h in HEADS)
    x, ys = torus_points(*pixels, 3)
    y = ys[2]
    shifts = Grid(pixels).translations()
    for m in [(1, 0), (0, 1), (2, 3)]:
        assert Ktr.at(shift_image(x, m), shift_image(y, m)) == pytest.approx(Ktr.at(x, y), rel=1e-13)
        assert Kgap.at(shift_image(x, m), shift_image(y, m)) == pytest.approx(Kgap.at(x, y), rel=1e-13)
    eq = np.mean([Keq.at(shift_image(x, m), shift_image(y, m)) for m in shifts])
    assert Ktr.at(x, y) == pytest.approx(eq, rel=1e-13)
    gap = np.mean(Ktr.at(x, np.stack([shift_image(y, m) for m in shifts])))
    assert Kgap.at(x, y) == pytest.approx(gap, rel=1e-13)
