r"""Finite-width ReLU networks in numpy: the Monte-Carlo route to the NNGP and the NTK.

This module is the *independent twin* of the analytic kernels (SPEC §10b): networks of finite width
are initialised at random many times, and the empirical kernels

.. math::
    \mathrm{NNGP}(x, y) = \mathbb E\,[f(x) f(y)], \qquad
    \mathrm{NTK}(x, y) = \mathbb E\,\langle \nabla_\theta f(x), \nabla_\theta f(y)\rangle

are averaged over the initialisations, with the standard error of the mean.  Gradients are computed
by hand-written back-propagation (no autodiff library), batched over initialisations with ``matmul``
/ ``einsum``.  Nothing here uses :mod:`symkernel`'s kernel algebra, so the values are an independent
check of it.  Every network is in the **NTK parameterisation** of neural-tangents (Jacot et al.
2018): every trainable parameter is a standard normal, and a Dense layer computes
``W_std / sqrt(fan_in) * W @ h + b_std * b``.

Three architectures, each with a plain-numpy reference evaluation of the infinite-width recursion:

* :func:`fc_network_kernels` / :func:`fc_kernel_reference` — fully connected, SPEC §3 (with
  biases and per-layer training weights).  The reference evaluates the Gaussian expectations of
  every layer by quadrature in polar coordinates, *not* by the arc-cosine closed forms.
* :func:`resnet_network_kernels` / :func:`resnet_kernel_reference` — the residual network of
  SPEC §4.
* :func:`conv_network_kernels` / :func:`conv_kernel_reference` — the cyclic CNN on the
  multisphere, SPEC §5, on a 1-D ring or a 2-D torus of pixels, heads ``eq``, ``tr``, ``gap``.

Finite-width effects.  The first layer's pre-activations are exactly Gaussian, so the FC network
with one hidden layer and the CNN with L = 1 are unbiased at every width; all other kernels carry
an :math:`O(1/\text{width})` bias (a hidden covariance is an empirical average that then passes
through a nonlinear map), on top of the Monte-Carlo noise
:math:`O(1/\sqrt{\text{width}\cdot n_\text{init}})` that the returned standard errors measure.

References
----------
Jacot, Gabriel & Hongler (2018), Neural tangent kernel.  Lee et al. (2019), Wide neural networks of
any depth evolve as linear models.  Novak et al. (2020), Neural Tangents (``stax`` conventions).
Cho & Saul (2009), arc-cosine kernels.  Huang et al. (2020), Belfer et al. (2021), ResNTK.  Arora et
al. (2019), Geifman et al. (2022), CNTK/CGPK.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .architectures.conv import Grid, parse_pixels
from .errors import ParameterError

__all__ = [
    "fc_network_kernels",
    "fc_kernel_reference",
    "gaussian_relu_moments",
    "resnet_network_kernels",
    "resnet_kernel_reference",
    "conv_network_kernels",
    "conv_kernel_reference",
]

FloatArray = NDArray[np.float64]
Seed = int | np.random.Generator | None

#: soft cap (in float64 numbers) on the weights and activations kept for one chunk of inits (32 MB)
_CHUNK_BUDGET = 4_000_000


# ---------------------------------------------------------------------------------------- helpers
def _rng(seed: Seed) -> np.random.Generator:
    """Return ``seed`` if it is a Generator, else a new ``default_rng(seed)``."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(name, value, f"an integer >= {minimum}")
    return int(value)


def _unit_rows(name: str, a: ArrayLike, ndim_point: int) -> FloatArray:
    """Validate points whose last axis has unit norm; ``ndim_point`` = dims of a single point."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim < ndim_point or arr.ndim > ndim_point + 1 or arr.shape[-1] < 1:
        raise ParameterError(name, a, f"an array of {ndim_point} (one point) or "
                                      f"{ndim_point + 1} (a batch of points) dimensions")
    norms = np.linalg.norm(arr, axis=-1)
    if not np.all(np.abs(norms - 1.0) < 1e-8):
        raise ParameterError(name, a, "unit vectors (rows of norm 1)")
    return arr


def _per_layer(name: str, value: float | Sequence[float] | None, count: int,
               default: float) -> FloatArray:
    if value is None:
        return np.full(count, float(default))
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(count, float(arr))
    if arr.shape != (count,) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ParameterError(name, value, f"a non-negative number or a sequence of {count} of them")
    return arr


def _summary(samples: FloatArray) -> tuple[FloatArray | float, FloatArray | float]:
    """Mean and standard error of the mean over axis 0 (the initialisations)."""
    n = samples.shape[0]
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full_like(mean, np.inf)
    if np.ndim(mean) == 0:
        return float(mean), float(se)
    return mean, se


def _chunks(n_init: int, per_init: int) -> list[int]:
    size = max(1, min(n_init, _CHUNK_BUDGET // max(per_init, 1)))
    sizes = [size] * (n_init // size)
    if n_init % size:
        sizes.append(n_init % size)
    return sizes


def _kappa0(u: ArrayLike) -> FloatArray:
    r"""Arc-cosine kernel of order 0, :math:`\kappa_0(u) = 1 - \arccos(u)/\pi` (closed form)."""
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    return 1.0 - np.arccos(u) / np.pi


def _kappa1(u: ArrayLike) -> FloatArray:
    r""":math:`\kappa_1(u) = (\sqrt{1-u^2} + (\pi - \arccos u)\,u)/\pi` (closed form)."""
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    return (np.sqrt(1.0 - u * u) + (np.pi - np.arccos(u)) * u) / np.pi


def _pairs(x: FloatArray, y: FloatArray, ndim_point: int) -> tuple[FloatArray, bool]:
    """Stack x (one point) and y (one point or a batch) into one batch ``[x, y_1, ..., y_m]``."""
    if x.ndim != ndim_point:
        raise ParameterError("x", x, "a single point")
    single = y.ndim == ndim_point
    ys = y[None] if single else y
    if ys.shape[1:] != x.shape:
        raise ParameterError("y", y, f"points of the same shape as x {x.shape}")
    return np.concatenate([x[None], ys], axis=0), single


def _finish(nngp: FloatArray, ntk: FloatArray, single: bool) -> dict[str, FloatArray | float]:
    """Samples of shape (n_init, m) -> the result dictionary."""
    if single:
        nngp, ntk = nngp[:, 0], ntk[:, 0]
    nm, ns = _summary(nngp)
    tm, ts = _summary(ntk)
    return {"nngp_mean": nm, "nngp_se": ns, "ntk_mean": tm, "ntk_se": ts}


# ------------------------------------------------------------------------------ fully connected
def fc_network_kernels(
    x: ArrayLike,
    y: ArrayLike,
    depth: int,
    width: int,
    n_init: int,
    bias: float | Sequence[float] = 0.0,
    layer_weights: Sequence[float] | None = None,
    seed: Seed = 0,
    *,
    conditional_readout: bool = True,
) -> dict[str, FloatArray | float]:
    r"""Empirical NNGP and NTK of a finite-width fully connected ReLU network (SPEC §3).

    The network is neural-tangents'
    ``stax.serial(Dense(W_std=1, b_std=β), *[Relu(), Dense(W_std=√2, b_std=β)] * L)`` in the NTK
    parameterisation, with the input scaled so that the first layer sees
    :math:`t = \langle x, y\rangle` (for unit :math:`x \in \mathbb R^d` this means the input
    :math:`\sqrt d\,x`):

    .. math::
        z_1 = W_1 x + \beta_1 b_1, \qquad
        z_l = \sqrt{2/n}\; W_l\, \mathrm{relu}(z_{l-1}) + \beta_l b_l \ (2 \le l \le L+1), \qquad
        f = z_{L+1},

    all entries of :math:`W_l` (shape ``width × fan_in``; the readout has one row) and :math:`b_l`
    standard normal.

    Parameters
    ----------
    x : array_like, shape (d,)
        A unit vector.
    y : array_like, shape (d,) or (m, d)
        One unit vector or a batch of them; the kernel is evaluated at every pair (x, y_k) with the
        same random networks.
    depth : int
        L ≥ 1, the number of hidden ReLU layers (L + 1 Dense layers; layer L + 1 is the readout).
    width : int
        Number of units of every hidden layer.
    n_init : int
        Number of independent initialisations averaged over (≥ 2 for a standard error).
    bias : float or sequence of L + 1 floats
        Bias standard deviation β_l ≥ 0 of each Dense layer (``b_std``).
    layer_weights : sequence of L + 1 floats, optional
        Weight w_l multiplying the gradient inner product of the parameters (weights and bias) of
        Dense layer l; 0 = not trained.  Default all 1.  Cao et al. (2019)'s two-layer NTK is
        ``(1/2, 1)``.
    seed : int or numpy.random.Generator
        Source of randomness.
    conditional_readout : bool
        If True (default) the NNGP sample of one initialisation is :math:`\mathbb E[f(x) f(y) \mid
        \text{hidden weights}] = \tfrac2n\langle h_L(x), h_L(y)\rangle + \beta_{L+1}^2`, the exact
        average over the (linear) readout layer; this is an unbiased estimator of the same NNGP with
        a variance smaller by a factor ~ width.  If False, the raw product :math:`f(x) f(y)`.

    Returns
    -------
    dict
        ``nngp_mean``, ``nngp_se``, ``ntk_mean``, ``ntk_se``: mean over initialisations and standard
        error of that mean; floats for a single ``y``, arrays of shape (m,) for a batch.

    Notes
    -----
    The NTK sample is
    :math:`\sum_l w_l \langle \nabla_{W_l, b_l} f(x), \nabla_{W_l, b_l} f(y)\rangle
    = \sum_l w_l \langle \delta_l(x), \delta_l(y)\rangle (a_l(x, y) + \beta_l^2)` with the
    back-propagated errors :math:`\delta_{L+1} = 1`, :math:`\delta_{l-1} = \sqrt{2/n}\,
    W_l^\top \delta_l \odot \mathrm{step}(z_{l-1})`, and :math:`a_1 = \langle x, y\rangle`,
    :math:`a_l = \tfrac2n \langle h_{l-1}(x), h_{l-1}(y)\rangle`.  As the width grows the means tend
    to :func:`fc_kernel_reference`; with β = 0 and unit weights to :math:`\Sigma^{(L)}(t)` and
    :math:`\Theta^{(L)}(t)` of SPEC §3.

    Examples
    --------
    >>> r = fc_network_kernels([1.0, 0.0], [0.0, 1.0], depth=1, width=64, n_init=200)
    >>> bool(abs(r["nngp_mean"] - 1 / np.pi) < 5 * r["nngp_se"])
    True
    """
    xv = _unit_rows("x", x, 1)
    yv = _unit_rows("y", y, 1)
    depth = _check_int("depth", depth, 1)
    n = _check_int("width", width, 1)
    n_init = _check_int("n_init", n_init, 1)
    betas = _per_layer("bias", bias, depth + 1, 0.0)
    weights = _per_layer("layer_weights", layer_weights, depth + 1, 1.0)
    pts, single = _pairs(xv, yv, 1)  # (P, d), row 0 is x
    P, d = pts.shape
    dots = pts @ pts[0]  # <x, p>
    rng = _rng(seed)
    c = np.sqrt(2.0 / n)

    nngp_all, ntk_all = [], []
    for B in _chunks(n_init, depth * n * max(n, d, P)):
        # forward: z[l] has shape (B, n, P)
        w1 = rng.standard_normal((B, n, d))
        z = [np.einsum("bnd,pd->bnp", w1, pts) + betas[0] * rng.standard_normal((B, n, 1))]
        mats = []
        for layer in range(1, depth):
            w = rng.standard_normal((B, n, n))
            mats.append(w)
            h = np.maximum(z[-1], 0.0)
            z.append(c * (w @ h) + betas[layer] * rng.standard_normal((B, n, 1)))
        v = rng.standard_normal((B, n))
        h_last = np.maximum(z[-1], 0.0)
        readout_term = c * c * np.einsum("bnp,bn->bp", h_last, h_last[:, :, 0]) + betas[depth] ** 2
        if conditional_readout:
            nngp = readout_term
        else:
            f = c * np.einsum("bn,bnp->bp", v, h_last) + betas[depth] * rng.standard_normal((B, 1))
            nngp = f * f[:, :1]
        ntk = weights[depth] * readout_term
        # backward: delta of Dense layer `depth` (the last hidden one), shape (B, n, P)
        delta = c * v[:, :, None] * (z[-1] > 0)
        for layer in range(depth - 1, -1, -1):  # Dense layer index layer+1 (0-based `layer`)
            dd = np.einsum("bnp,bn->bp", delta, delta[:, :, 0])
            if layer == 0:
                a = dots[None, :]
            else:
                h = np.maximum(z[layer - 1], 0.0)
                a = c * c * np.einsum("bnp,bn->bp", h, h[:, :, 0])
            ntk = ntk + weights[layer] * dd * (a + betas[layer] ** 2)
            if layer > 0:
                delta = c * (np.swapaxes(mats[layer - 1], 1, 2) @ delta) * (z[layer - 1] > 0)
        nngp_all.append(nngp[:, 1:])
        ntk_all.append(ntk[:, 1:])
    return _finish(np.concatenate(nngp_all), np.concatenate(ntk_all), single)


def _radial_moment(k: int) -> float:
    r""":math:`\int_0^\infty r^{k+1} e^{-r^2/2}\,dr = \int_0^\infty (2s)^{k/2} e^{-s}\,ds` by
    Gauss–Laguerre (exact for even k: the integrand is a polynomial in s times :math:`e^{-s}`)."""
    s, ws = np.polynomial.laguerre.laggauss(8)
    return float(ws @ (2 * s) ** (k // 2))


def _sector_integral(lo: FloatArray, hi: FloatArray, f, xg: FloatArray,
                     wg: FloatArray) -> FloatArray:
    """Gauss–Legendre :math:`\\int_{lo}^{hi} f(\\varphi)\\,d\\varphi`, vectorised over the ends."""
    half = (hi - lo) / 2
    phi = ((hi + lo) / 2)[..., None] + half[..., None] * xg
    return half * (f(phi) @ wg)


def gaussian_relu_moments(
    a: ArrayLike, b: ArrayLike, c: ArrayLike, nodes: int = 32
) -> tuple[FloatArray, FloatArray]:
    r""":math:`\mathbb E[\mathrm{relu}(u)\mathrm{relu}(v)]` and
    :math:`\mathbb E[\mathrm{step}(u)\mathrm{step}(v)]` for
    :math:`(u, v) \sim N(0, [[a, c], [c, b]])`, by quadrature.

    The integral is written in polar coordinates of the whitened variable :math:`z` with
    :math:`(u, v) = L z`, :math:`L` the Cholesky factor: :math:`u = r\sqrt a\cos\varphi`,
    :math:`v = r(\ell_{21}\cos\varphi + \ell_{22}\sin\varphi)`.  Both activations are positively
    homogeneous, so the integrand factorises into a radial moment
    :math:`\int_0^\infty r^{k+1} e^{-r^2/2}\,dr` (Gauss–Laguerre after :math:`s = r^2/2`, exact)
    times an angular integral over the sector where :math:`u > 0` and :math:`v > 0`.  The sector's
    ends come from :math:`L` (``arctan2``) and the smooth angular integrand is integrated by
    Gauss–Legendre on the exact sector (exponential convergence: ``nodes=32`` gives ~1e-16).  The
    arc-cosine closed forms are *not* used, so this is an independent evaluation of them.

    Parameters
    ----------
    a, b : array_like
        Variances (> 0).
    c : array_like
        Covariance, :math:`c^2 \le ab`.
    nodes : int
        Gauss–Legendre nodes on the angular sector.

    Returns
    -------
    (relu_moment, step_moment) : tuple of arrays (broadcast shape of a, b, c)

    Notes
    -----
    Near perfect correlation the sector angle is computed from :math:`ab - c^2`, which loses half
    the digits when :math:`c` is itself rounded; :func:`fc_kernel_reference` avoids this by carrying
    the angle (the "defect" :math:`a - c`) through the layers.

    Examples
    --------
    >>> m_rr, m_ss = gaussian_relu_moments(1.0, 1.0, 0.0)
    >>> bool(np.isclose(m_rr, 1 / (2 * np.pi)) and np.isclose(m_ss, 0.25))
    True
    """
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    l11 = np.sqrt(a)
    l21 = c / l11
    l22 = np.sqrt(np.maximum(a * b - c * c, 0.0) / a)
    psi = np.arctan2(l22, l21)  # direction of the v-row of L, in [0, pi]
    xg, wg = np.polynomial.legendre.leggauss(nodes)
    lo, hi = psi - np.pi / 2, np.full_like(psi, np.pi / 2)  # sector {u > 0} ∩ {v > 0}
    ang_rr = _sector_integral(
        lo, hi, lambda p: (l11[..., None] * np.cos(p))
        * (l21[..., None] * np.cos(p) + l22[..., None] * np.sin(p)), xg, wg)
    ang_ss = _sector_integral(lo, hi, np.ones_like, xg, wg)
    return _radial_moment(2) * ang_rr / (2 * np.pi), _radial_moment(0) * ang_ss / (2 * np.pi)


def _equal_variance_moments(
    a: FloatArray, psi: FloatArray, nodes: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    r"""Moments for :math:`(u, v) \sim N(0, a[[1, \cos\psi], [\cos\psi, 1]])`, in the angle form.

    Returns :math:`\mathbb E[\mathrm{relu}(u)\mathrm{relu}(v)]`,
    :math:`\mathbb E[\mathrm{relu}(u)^2]`, their difference (the defect) and
    :math:`\mathbb E[\mathrm{step}(u)\mathrm{step}(v)]`.  With :math:`u = r\sqrt a\cos\varphi`,
    :math:`v = r\sqrt a\cos(\varphi - \psi)`, the defect is
    :math:`\frac{a}{\pi}\big[\int_{-\pi/2}^{\psi-\pi/2}\cos^2\varphi\,d\varphi + 2\sin^2\tfrac\psi2
    \int_{|x|\le(\pi-\psi)/2}\sin^2 x\,dx\big]` (substitute :math:`\varphi = \psi/2 + x`; the odd
    part vanishes), a sum of positive terms computed without cancellation, so the next layer's angle
    keeps full relative accuracy even when :math:`\psi` is tiny.
    """
    xg, wg = np.polynomial.legendre.leggauss(nodes)
    scale = a * _radial_moment(2) / (2 * np.pi)
    half_pi = np.full_like(psi, np.pi / 2)
    cross = _sector_integral(psi - np.pi / 2, half_pi,
                             lambda p: np.cos(p) * np.cos(p - psi[..., None]), xg, wg)
    diag = _sector_integral(-half_pi, half_pi, lambda p: np.cos(p) ** 2, xg, wg)
    w = (np.pi - psi) / 2
    defect = (_sector_integral(-half_pi, psi - np.pi / 2, lambda p: np.cos(p) ** 2, xg, wg)
              + 2 * np.sin(psi / 2) ** 2 * _sector_integral(-w, w, lambda p: np.sin(p) ** 2,
                                                              xg, wg))
    step = _radial_moment(0) * _sector_integral(psi - np.pi / 2, half_pi, np.ones_like,
                                                xg, wg) / (2 * np.pi)
    return scale * cross, scale * diag, scale * defect, step


def fc_kernel_reference(
    t: ArrayLike,
    depth: int,
    bias: float | Sequence[float] = 0.0,
    layer_weights: Sequence[float] | None = None,
    *,
    nodes: int = 32,
) -> tuple[FloatArray, FloatArray]:
    r"""Infinite-width NNGP and NTK of the network of :func:`fc_network_kernels`, by quadrature.

    The neural-tangents recursion, with the Gaussian expectations of each layer evaluated by
    quadrature in polar coordinates over the exact angular sector (as in
    :func:`gaussian_relu_moments`; not the arc-cosine closed forms), in the angle form: the layer
    carries its diagonal and its defect :math:`q_{xx} - q_{xy}` so that no digits are lost near
    :math:`t = 1` (SPEC §2):

    .. math::
        q^{(1)}_{xy} = t + \beta_1^2,\quad q^{(1)}_{xx} = q^{(1)}_{yy} = 1 + \beta_1^2,\quad
        \Theta^{(1)} = w_1 q^{(1)}_{xy},

        q^{(l+1)} = 2\,\mathbb E[\mathrm{relu}(u)\mathrm{relu}(v)] + \beta_{l+1}^2,\qquad
        \Theta^{(l+1)} = w_{l+1} q^{(l+1)}_{xy} + 2\,\mathbb E[\mathrm{step}(u)\mathrm{step}(v)]\,
        \Theta^{(l)},

    with :math:`(u, v) \sim N(0, q^{(l)})` (the same for the diagonal entries).  With β = 0 and unit
    weights this is :math:`\Sigma^{(L)}(t)` and :math:`\Theta^{(L)}(t)` of SPEC §3.

    Parameters
    ----------
    t : array_like
        :math:`\langle x, y\rangle \in [-1, 1]`.
    depth : int
        L ≥ 1 hidden ReLU layers.
    bias : float or sequence of L + 1 floats
        β_l of each Dense layer.
    layer_weights : sequence of L + 1 floats, optional
        Training weight of each Dense layer (default all 1).
    nodes : int
        Gauss–Legendre nodes per angular sector.

    Returns
    -------
    (nngp, ntk) : arrays of the shape of ``t``, the readout values :math:`q^{(L+1)}_{xy}` and
        :math:`\Theta^{(L+1)}`.

    Examples
    --------
    >>> nngp, ntk = fc_kernel_reference(0.0, depth=1)
    >>> bool(np.isclose(nngp, 1 / np.pi) and np.isclose(ntk, 1 / np.pi))
    True
    """
    depth = _check_int("depth", depth, 1)
    t = np.asarray(t, dtype=np.float64)
    if np.any(np.abs(t) > 1 + 1e-12):
        raise ParameterError("t", t, "values in [-1, 1]")
    t = np.clip(t, -1.0, 1.0)
    betas = _per_layer("bias", bias, depth + 1, 0.0)
    weights = _per_layer("layer_weights", layer_weights, depth + 1, 1.0)
    # carry the diagonal q_xx and the defect D = q_xx - q_xy (angle form, no cancellation at t = 1)
    qxy = t + betas[0] ** 2
    qxx = np.full_like(t, 1.0 + betas[0] ** 2)
    defect = 1.0 - t
    codefect = (1.0 + t) + 2 * betas[0] ** 2  # q_xx + q_xy, exact near t = -1
    ntk = weights[0] * qxy
    for layer in range(1, depth + 1):
        # tan(psi/2) = sqrt((1 - rho)/(1 + rho)): accurate at both ends of the correlation range
        psi = 2 * np.arctan2(np.sqrt(defect), np.sqrt(codefect))
        m_rr, d_rr, m_def, m_ss = _equal_variance_moments(qxx, psi, nodes)
        qxy = 2 * m_rr + betas[layer] ** 2
        qxx = 2 * d_rr + betas[layer] ** 2
        defect = 2 * m_def
        codefect = 2 * qxx - defect  # q_xy >= 0 after a ReLU layer: no cancellation
        ntk = weights[layer] * qxy + 2 * m_ss * ntk
    return qxy, ntk


# ------------------------------------------------------------------------------------- residual
def resnet_network_kernels(
    x: ArrayLike,
    y: ArrayLike,
    depth: int,
    alpha: float,
    width: int,
    n_init: int,
    seed: Seed = 0,
    train_input: bool = False,
    train_readout: bool = False,
    *,
    conditional_readout: bool = True,
) -> dict[str, FloatArray | float]:
    r"""Empirical NNGP and NTK of the finite-width fully connected ResNet of SPEC §4.

    NTK parameterisation, every parameter standard normal, width m:

    .. math::
        x_0 = A x,\qquad
        x_l = x_{l-1} + \frac{\alpha}{\sqrt m} V_l\, \mathrm{relu}\Big(\sqrt{\tfrac2m}\, W_l x_{l-1}
        \Big)\ (l = 1..L),\qquad f(x) = \frac{v \cdot x_L}{\sqrt m},

    with :math:`A \in \mathbb R^{m \times d}`, :math:`W_l, V_l \in \mathbb R^{m\times m}`,
    :math:`v \in \mathbb R^m`; so :math:`\langle x_0, x_0'\rangle / m \to t`.  This is
    neural-tangents' ``Dense(W_std=1)`` (input scaled by √d), L blocks
    ``FanOut(2), parallel(Identity(), serial(Dense(W_std=√2), Relu(), Dense(W_std=α))), FanInSum()``
    and ``Dense(1)`` readout.  It is *the same function of the same parameters* as SPEC §4's
    :math:`x_0 = Ax/\sqrt m`, :math:`f = v\cdot x_L` (multiply every :math:`x_l` by :math:`\sqrt m`
    and use the positive homogeneity of relu), so the kernels are identical; this version only keeps
    the hidden entries of order 1.

    Parameters
    ----------
    x : array_like, shape (d,)
        A unit vector.
    y : array_like, shape (d,) or (m', d)
        One unit vector or a batch of them.
    depth : int
        L ≥ 1 residual blocks.
    alpha : float
        Residual branch scale α ≥ 0.
    width : int
        m, the width of the residual stream and of each block.
    n_init : int
        Number of initialisations.
    seed : int or numpy.random.Generator
        Source of randomness.
    train_input, train_readout : bool
        Add the gradient inner products of the input layer A / the readout v to the NTK (the default
        NTK trains the residual blocks W_l, V_l only, as SPEC §4's Θ_res).
    conditional_readout : bool
        NNGP sample :math:`\langle x_L, y_L\rangle/m = \mathbb E[f(x)f(y)\mid A, W, V]` (default) or
        the raw product :math:`f(x) f(y)`.

    Returns
    -------
    dict
        ``nngp_mean``, ``nngp_se``, ``ntk_mean``, ``ntk_se`` (not normalised: compare with
        :func:`resnet_kernel_reference`).

    Notes
    -----
    Back-propagation, with :math:`\delta_l = \partial f/\partial x_l`, :math:`\delta_L = v/\sqrt m`,
    :math:`\gamma_l = \frac{\alpha}{\sqrt m} V_l^\top\delta_l \odot \mathrm{step}(g_l)`,
    :math:`\delta_{l-1} = \delta_l + \sqrt{2/m}\, W_l^\top \gamma_l`; the NTK contributions are
    :math:`\frac{\alpha^2}{m}\langle\delta_l,\delta_l'\rangle\langle r_l, r_l'\rangle` (V_l),
    :math:`\frac2m\langle\gamma_l,\gamma_l'\rangle\langle x_{l-1}, x_{l-1}'\rangle` (W_l),
    :math:`\langle\delta_0,\delta_0'\rangle t` (A) and :math:`\langle x_L, x_L'\rangle/m` (v).

    Examples
    --------
    >>> r = resnet_network_kernels([1.0, 0.0], [0.6, 0.8], depth=2, alpha=0.5, width=64, n_init=50)
    >>> nngp, ntk = resnet_kernel_reference(0.6, depth=2, alpha=0.5)
    >>> bool(abs(r["nngp_mean"] - nngp) < 5 * r["nngp_se"] + 0.01)
    True
    """
    xv = _unit_rows("x", x, 1)
    yv = _unit_rows("y", y, 1)
    depth = _check_int("depth", depth, 1)
    m = _check_int("width", width, 1)
    n_init = _check_int("n_init", n_init, 1)
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ParameterError("alpha", alpha, "a real number >= 0")
    pts, single = _pairs(xv, yv, 1)
    P, d = pts.shape
    dots = pts @ pts[0]
    rng = _rng(seed)
    c = np.sqrt(2.0 / m)
    s = alpha / np.sqrt(m)

    nngp_all, ntk_all = [], []
    for B in _chunks(n_init, depth * (2 * m * m + 4 * m * P)):
        A = rng.standard_normal((B, m, d))
        xs = [np.einsum("bmd,pd->bmp", A, pts)]
        Ws, Vs, gs, rs = [], [], [], []
        for _ in range(depth):
            W = rng.standard_normal((B, m, m))
            V = rng.standard_normal((B, m, m))
            g = c * (W @ xs[-1])
            r = np.maximum(g, 0.0)
            xs.append(xs[-1] + s * (V @ r))
            Ws.append(W)
            Vs.append(V)
            gs.append(g)
            rs.append(r)
        v = rng.standard_normal((B, m))
        xl = xs[-1]
        readout_term = np.einsum("bmp,bm->bp", xl, xl[:, :, 0]) / m
        if conditional_readout:
            nngp = readout_term
        else:
            f = np.einsum("bm,bmp->bp", v, xl) / np.sqrt(m)
            nngp = f * f[:, :1]
        ntk = readout_term if train_readout else np.zeros_like(readout_term)
        delta = np.broadcast_to(v[:, :, None] / np.sqrt(m), xl.shape)
        for layer in range(depth - 1, -1, -1):
            W, V, g, r = Ws[layer], Vs[layer], gs[layer], rs[layer]
            dd = np.einsum("bmp,bm->bp", delta, delta[:, :, 0])
            ntk = ntk + s * s * dd * np.einsum("bmp,bm->bp", r, r[:, :, 0])
            gamma = s * (np.swapaxes(V, 1, 2) @ delta) * (g > 0)
            xp = xs[layer]
            ntk = ntk + c * c * (np.einsum("bmp,bm->bp", gamma, gamma[:, :, 0])
                                 * np.einsum("bmp,bm->bp", xp, xp[:, :, 0]))
            delta = delta + c * (np.swapaxes(W, 1, 2) @ gamma)
        if train_input:
            ntk = ntk + np.einsum("bmp,bm->bp", delta, delta[:, :, 0]) * dots[None, :]
        nngp_all.append(nngp[:, 1:])
        ntk_all.append(ntk[:, 1:])
    return _finish(np.concatenate(nngp_all), np.concatenate(ntk_all), single)


def resnet_kernel_reference(
    t: ArrayLike,
    depth: int,
    alpha: float,
    train_input: bool = False,
    train_readout: bool = False,
) -> tuple[FloatArray, FloatArray]:
    r"""The SPEC §4 ResNTK recursion in plain numpy (arc-cosine closed forms), not normalised.

    .. math::
        s_l = (1+\alpha^2)^l,\quad K_0 = t,\quad
        K_l = K_{l-1} + \alpha^2 s_{l-1}\kappa_1(\rho_{l-1}),\quad \rho_l = K_l/s_l,

        B_L = 1,\quad B_{l-1} = B_l\,(1 + \alpha^2\kappa_0(\rho_{l-1})),\quad
        \Theta_{res} = \sum_{l=1}^L \alpha^2 B_l\,[s_{l-1}\kappa_1(\rho_{l-1})
        + K_{l-1}\kappa_0(\rho_{l-1})],

    plus :math:`B_0 t` if ``train_input`` and :math:`K_L` if ``train_readout``.

    Parameters
    ----------
    t : array_like
        :math:`\langle x, y\rangle \in [-1, 1]`.
    depth : int
        L ≥ 1 residual blocks.
    alpha : float
        Branch scale α.
    train_input, train_readout : bool
        Include the input layer / readout in the NTK.

    Returns
    -------
    (nngp, ntk) : arrays of the shape of ``t``; NNGP = :math:`K_L`, NTK unnormalised (Θ(1) ≠ 1).

    Examples
    --------
    >>> nngp, ntk = resnet_kernel_reference(1.0, depth=3, alpha=0.5)
    >>> bool(np.isclose(nngp, 1.25 ** 3))
    True
    """
    depth = _check_int("depth", depth, 1)
    t = np.clip(np.asarray(t, dtype=np.float64), -1.0, 1.0)
    a2 = float(alpha) ** 2
    K = [t]
    sl = [1.0]
    for _ in range(depth):
        rho = K[-1] / sl[-1]
        K.append(K[-1] + a2 * sl[-1] * _kappa1(rho))
        sl.append(sl[-1] * (1 + a2))
    Bl = np.ones_like(t)
    ntk = np.zeros_like(t)
    for layer in range(depth, 0, -1):  # block l uses rho_{l-1}
        rho = K[layer - 1] / sl[layer - 1]
        ntk = ntk + a2 * Bl * (sl[layer - 1] * _kappa1(rho) + K[layer - 1] * _kappa0(rho))
        Bl = Bl * (1 + a2 * _kappa0(rho))
    if train_input:
        ntk = ntk + Bl * t
    if train_readout:
        ntk = ntk + K[-1]
    return K[-1], ntk


# -------------------------------------------------------------------------------- convolutional
Head = Literal["eq", "tr", "gap"]


def _check_conv(depth: int, filter_size: int, head: str) -> tuple[int, int]:
    depth = _check_int("depth", depth, 1)
    q = _check_int("filter_size", filter_size, 1)
    if q % 2 == 0:
        raise ParameterError("filter_size", filter_size, "an odd integer >= 1")
    if head not in ("eq", "tr", "gap"):
        raise ParameterError("head", head, "one of 'eq', 'tr', 'gap'")
    return depth, q


def _conv_points(x: ArrayLike, y: ArrayLike, pixels: object) -> tuple[FloatArray, bool, Grid]:
    """Validate multisphere points on a cyclic grid; return ``([x, y_1, ..., y_m], single, grid)``.

    The stacked points are flattened to shape (1 + m, p, ζ) with the pixels in row-major order (for a
    torus, pixel (i1, i2) has the flat index i1 p2 + i2, as in :class:`~symkernel.architectures.conv.Grid`).
    Without ``pixels`` the grid is read off x: shape (p, ζ) is a 1-D ring, (p1, p2, ζ) a p1 × p2 torus.
    With ``pixels`` (p, (p1, p2) or "p1xp2") x may also be given flat, (p1 p2, ζ).
    """
    xa = np.asarray(x, dtype=np.float64)
    if pixels is None:
        if xa.ndim not in (2, 3):
            raise ParameterError("x", x, "one multisphere point: an array (p, zeta) of unit rows (1-D "
                                         "ring) or (p1, p2, zeta) (2-D torus)")
        shape = tuple(int(s) for s in xa.shape[:-1])
    else:
        shape = parse_pixels(pixels)
        if xa.ndim < 2 or xa.shape[:-1] not in (shape, (math.prod(shape),)):
            raise ParameterError("x", x, f"one multisphere point on the grid {shape}: an array of shape "
                                         f"{shape + ('zeta',)} or ({math.prod(shape)}, zeta)")
    if min(shape) < 1:
        raise ParameterError("x", x, "a grid with at least one pixel per axis")
    xv = _unit_rows("x", xa, xa.ndim)
    yv = _unit_rows("y", y, xa.ndim)
    pts, single = _pairs(xv, yv, xa.ndim)
    return pts.reshape(pts.shape[0], math.prod(shape), pts.shape[-1]), single, Grid(shape)


def conv_network_kernels(
    x: ArrayLike,
    y: ArrayLike,
    depth: int,
    filter_size: int,
    head: Head,
    width: int,
    n_init: int,
    seed: Seed = 0,
    *,
    conditional_readout: bool = True,
    pixels: int | tuple[int, int] | str | None = None,
) -> dict[str, FloatArray | float]:
    r"""Empirical CGPK (NNGP) and CNTK of a finite-width cyclic CNN on the multisphere, SPEC §5:
    a 1-D ring of p pixels or a 2-D torus of p1 × p2 pixels.

    Input: one unit vector :math:`x_i \in \mathbb R^\zeta` (ζ channels) per pixel i of the grid.
    NTK parameterisation, all parameters standard normal, C = ``width`` channels, r = (q-1)/2,
    :math:`\mathcal A = \{-r..r\}^{\dim}` the filter offsets (:math:`|\mathcal A| = q` on a ring,
    :math:`q^2` on a torus: a q × q filter), pixel coordinates modulo the grid:

    .. math::
        f^{(1)}_i = W^{(1)} x_i \quad (W^{(1)} \in \mathbb R^{C\times\zeta}),\qquad
        f^{(l)}_i = \sqrt{\tfrac{2}{|\mathcal A| C}} \sum_{a\in\mathcal A} W^{(l)}_a\,
        \mathrm{relu}(f^{(l-1)}_{i+a}) \quad (l = 2..L),

    and the head reads :math:`h = \mathrm{relu}(f^{(L)})` with a standard normal readout v:
    ``eq`` :math:`g = \sqrt{2/C}\, v\cdot h_0` (pixel 0, the corner (0, 0) of a torus); ``tr``
    :math:`g = \sqrt{2/(pC)} \sum_i v_i\cdot h_i` (a fully connected readout,
    :math:`v \in \mathbb R^{p\times C}`, p the number of pixels); ``gap``
    :math:`g = \sqrt{2/C}\, v\cdot \frac1p\sum_i h_i`.  All layers, the first 1×1 convolution and
    the readout included, are trained.

    The first layer is *not* He-scaled: :math:`\mathbb E[f^{(1)}_i f'^{(1)}_j] = \langle x_i,
    x'_j\rangle` exactly, which is SPEC §5's :math:`\Sigma^{(1)}`.  (neural-tangents'
    ``Conv(W_std=√2)`` 1×1 first layer gives :math:`\tfrac2\zeta\langle x_i, x'_j\rangle`, and by
    homogeneity every kernel value is then 2/ζ times the SPEC value.)  The He factor √2 of the later
    layers sits in front of their convolutions, and the head's √2 belongs to its relu; so the means
    tend to :func:`conv_kernel_reference` (the SPEC §5 recursion) and to
    ``symkernel.conv(head, L, q, pixels, ζ, kind).at(x, y)``, with unit diagonals at every layer.

    The grid only enters through the index maps :math:`i \mapsto i + a` (gather, forward) and
    :math:`j \mapsto j - a` (scatter, backward) on flat pixel indices, built from
    :class:`~symkernel.architectures.conv.Grid`; the 1-D ring is the case ``Grid((p,))``.

    Parameters
    ----------
    x : array_like, shape (p, ζ) or (p1, p2, ζ)
        One multisphere point (unit rows); the shape sets the grid (a 1-D ring or a 2-D torus)
        unless ``pixels`` is given.
    y : array_like, shape of x, or (m,) + shape of x
        One point or a batch.
    depth : int
        L ≥ 1 (one 1×1 convolution and L - 1 convolutions of size q, q × q on a torus).
    filter_size : int
        Odd q ≥ 1.
    head : {"eq", "tr", "gap"}
        Readout.
    width : int
        C, channels of every hidden layer.
    n_init : int
        Number of initialisations.
    seed : int or numpy.random.Generator
        Source of randomness.
    conditional_readout : bool
        NNGP sample = exact average over the readout v given the convolutions (default), or the raw
        product g(x) g(y).
    pixels : int, (int, int) or "p1xp2", optional
        The grid, as in :func:`symkernel.conv`; lets x be given flat, shape (p1 p2, ζ), with pixels
        in row-major order.  Default: read off the shape of x.

    Returns
    -------
    dict
        ``nngp_mean``, ``nngp_se``, ``ntk_mean``, ``ntk_se``.

    Notes
    -----
    Back-propagation, with :math:`\delta^{(l)}_i = \partial g/\partial f^{(l)}_i` and
    :math:`U^{(l)}_i = (\mathrm{relu}(f^{(l-1)}_{i+a}))_{a\in\mathcal A}` the patch read by pixel i:
    :math:`\delta^{(l-1)}_j = \sqrt{2/(|\mathcal A|C)}\sum_a W_a^{(l)\top}\delta^{(l)}_{j-a} \odot
    \mathrm{step}(f^{(l-1)}_j)`; the NTK contributions are
    :math:`\frac{2}{|\mathcal A|C}\sum_{ij}\langle\delta^{(l)}_i,\delta'^{(l)}_j\rangle
    \langle U^{(l)}_i, U'^{(l)}_j\rangle` (layer l ≥ 2),
    :math:`\sum_{ij}\langle\delta^{(1)}_i,\delta'^{(1)}_j\rangle\langle x_i, x'_j\rangle` (the 1×1
    convolution) and the readout's term, which is also the conditional NNGP sample.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.standard_normal((4, 3)); x /= np.linalg.norm(x, axis=1, keepdims=True)
    >>> y = rng.standard_normal((4, 3)); y /= np.linalg.norm(y, axis=1, keepdims=True)
    >>> r = conv_network_kernels(x, y, depth=2, filter_size=3, head="tr", width=32, n_init=100)
    >>> ref = conv_kernel_reference(x, y, depth=2, filter_size=3, head="tr", kind="ntk")
    >>> bool(abs(r["ntk_mean"] - ref) < 5 * r["ntk_se"] + 0.02)
    True

    A 3 × 3 torus with two channels per pixel:

    >>> x = rng.standard_normal((3, 3, 2)); x /= np.linalg.norm(x, axis=-1, keepdims=True)
    >>> r = conv_network_kernels(x, x, depth=2, filter_size=3, head="gap", width=16, n_init=40)
    >>> ref = conv_kernel_reference(x, x, depth=2, filter_size=3, head="gap", kind="nngp")
    >>> bool(abs(r["nngp_mean"] - ref) < 5 * r["nngp_se"] + 0.02)
    True
    """
    depth, q = _check_conv(depth, filter_size, head)
    C = _check_int("width", width, 1)
    n_init = _check_int("n_init", n_init, 1)
    pts, single, grid = _conv_points(x, y, pixels)  # (P, p, zeta), row 0 is x
    P, p, zeta = pts.shape
    A = len(grid.offsets(q))
    rng = _rng(seed)
    nngp_all, ntk_all = [], []
    for B in _chunks(n_init, depth * (A * C * C + 2 * P * p * A * C)):
        W1 = rng.standard_normal((B, C, zeta))
        Ws = [rng.standard_normal((B, A * C, C)) for _ in range(1, depth)]
        v = rng.standard_normal((B, p, C) if head == "tr" else (B, C))
        nngp, ntk, _ = _conv_samples(pts, grid, q, head, W1, Ws, v, conditional_readout)
        nngp_all.append(nngp[:, 1:])
        ntk_all.append(ntk[:, 1:])
    return _finish(np.concatenate(nngp_all), np.concatenate(ntk_all), single)


def _conv_samples(
    pts: FloatArray,
    grid: Grid,
    q: int,
    head: str,
    W1: FloatArray,
    Ws: Sequence[FloatArray],
    v: FloatArray,
    conditional_readout: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""One batch of networks of :func:`conv_network_kernels` with given parameters.

    ``pts`` (P, p, ζ): the points, pixels flat in the order of ``grid``, row 0 = x.  Parameters, B
    networks: ``W1`` (B, C, ζ); ``Ws[l - 2]`` (B, |A| C, C) for conv layer l = 2..L, row
    ``k C + c`` the weight from channel c at offset ``grid.offsets(q)[k]`` (:math:`W^{(l)}_a` of the
    docstring is the block of rows k C .. k C + C - 1, transposed); ``v`` (B, C) for ``eq``/``gap``,
    (B, p, C) for ``tr``.  Returns ``(nngp, ntk, g)``, each (B, P): the NNGP sample (conditional on
    the convolutions, or g(x) g(y_k)), the NTK sample :math:`\langle\nabla_\theta g(x),
    \nabla_\theta g(y_k)\rangle` (back-propagation) and the outputs g.
    """
    B, C, _ = W1.shape
    P, p, _ = pts.shape
    offsets = grid.offsets(q)
    A = len(offsets)
    # gather[i, k] = pixel i + a_k (the patch read by pixel i); scatter[j, k] = pixel j - a_k (its adjoint)
    gather = np.stack([grid.permutation(a) for a in offsets], axis=1)
    scatter = np.stack([grid.permutation([-c for c in a]) for a in offsets], axis=1)
    slots = np.arange(A)[None, :]
    cross = np.einsum("iz,Pjz->Pij", pts[0], pts)  # <x_i, y_j>, (P, p, p)
    cs = np.sqrt(2.0 / (A * C))
    if head == "eq":
        ch = np.sqrt(2.0 / C)
    elif head == "tr":
        ch = np.sqrt(2.0 / (p * C))
    else:
        ch = np.sqrt(2.0 / C) / p

    def pair_dot(u: FloatArray) -> FloatArray:
        """<u(x), u(y_k)> summed over all axes but (batch, point): (B, P, ...) -> (B, P)."""
        flat = u.reshape(u.shape[0], u.shape[1], -1)
        return np.einsum("bPk,bk->bP", flat, flat[:, 0])

    fs = [np.einsum("Ppz,bcz->bPpc", pts, W1)]  # (B, P, p, C)
    Us = []
    for W in Ws:
        h = np.maximum(fs[-1], 0.0)
        U = h[:, :, gather, :]  # (B, P, p, A, C): U[.., i, k, :] = h[.., i + a_k, :]
        fs.append(cs * (U.reshape(B, P, p, A * C) @ W[:, None]))
        Us.append(U)
    h = np.maximum(fs[-1], 0.0)
    on = fs[-1] > 0
    if head == "eq":
        readout_term = ch * ch * pair_dot(h[:, :, 0, :])
        g = ch * np.einsum("bc,bPc->bP", v, h[:, :, 0, :])
        delta = np.zeros_like(h)
        delta[:, :, 0, :] = ch * v[:, None, :] * on[:, :, 0, :]
    elif head == "tr":
        readout_term = ch * ch * pair_dot(h)
        g = ch * np.einsum("bic,bPic->bP", v, h)
        delta = ch * v[:, None] * on
    else:
        hs = h.sum(axis=2)
        readout_term = ch * ch * pair_dot(hs)
        g = ch * np.einsum("bc,bPc->bP", v, hs)
        delta = ch * v[:, None, None, :] * on
    nngp = readout_term if conditional_readout else g * g[:, :1]
    ntk = readout_term.copy()
    for layer in range(len(Ws), 0, -1):  # conv layer l = layer + 1 reads fs[layer - 1]
        W, U = Ws[layer - 1], Us[layer - 1]
        D = np.einsum("bic,bPjc->bPij", delta[:, 0], delta)  # (B, P, p, p)
        S = np.einsum("biac,bPjac->bPij", U[:, 0], U)
        ntk = ntk + cs * cs * np.einsum("bPij,bPij->bP", D, S)
        dU = (cs * (delta @ np.swapaxes(W, 1, 2)[:, None])).reshape(B, P, p, A, C)
        # dh[j] = sum_k dU[j - a_k, k]
        dh = dU[:, :, scatter, slots, :].sum(axis=3)
        delta = dh * (fs[layer - 1] > 0)
    D = np.einsum("bic,bPjc->bPij", delta[:, 0], delta)
    ntk = ntk + np.einsum("bPij,Pij->bP", D, cross)
    return nngp, ntk, g


def conv_kernel_reference(
    x: ArrayLike,
    y: ArrayLike,
    depth: int,
    filter_size: int,
    head: Head,
    kind: Literal["nngp", "ntk"],
    *,
    pixels: int | tuple[int, int] | str | None = None,
) -> FloatArray | float:
    r"""The SPEC §5 CGPK/CNTK recursion on p×p cross matrices, in plain numpy (1-D ring or 2-D torus).

    .. math::
        \Sigma^{(1)}_{ij} = \Theta^{(1)}_{ij} = \langle x_i, y_j\rangle,\qquad
        \Sigma^{(l)}_{ij} = \frac1{|\mathcal A|}\sum_{a\in\mathcal A}\kappa_1(\Sigma^{(l-1)}_{i+a,j+a}),

        \Theta^{(l)}_{ij} = \frac1{|\mathcal A|}\sum_{a\in\mathcal A}
        \big[\Theta^{(l-1)}\kappa_0(\Sigma^{(l-1)}) + \kappa_1(\Sigma^{(l-1)})\big]_{i+a,j+a},

        G = \kappa_1(\Sigma^{(L)}),\qquad
        H = \Theta^{(L)}\kappa_0(\Sigma^{(L)}) + \kappa_1(\Sigma^{(L)}),

    heads ``eq`` :math:`= G_{00}`, ``tr`` :math:`= \frac1p\sum_i G_{ii}`, ``gap``
    :math:`= \frac1{p^2}\sum_{ij} G_{ij}` (NNGP; the NTK with H).  :math:`\mathcal A = \{-r..r\}^{\dim}`,
    r = (q-1)/2, pixel coordinates modulo the grid; the shifts :math:`i + a` are ``np.roll`` on the
    grid axes (independent of :class:`~symkernel.architectures.conv.Grid`).  The values of
    neural-tangents with a ``Conv(W_std=√2)`` first layer are these times 2/ζ.

    Parameters
    ----------
    x : array_like, shape (p, ζ) or (p1, p2, ζ)
        Unit rows; the shape sets the grid (1-D ring or 2-D torus) unless ``pixels`` is given.
    y : array_like, shape of x, or (m,) + shape of x
        Unit rows; a batch gives an array of m values.
    depth : int
        L ≥ 1.
    filter_size : int
        Odd q (q × q on a torus).
    head : {"eq", "tr", "gap"}
    kind : {"nngp", "ntk"}
    pixels : int, (int, int) or "p1xp2", optional
        The grid, for flat inputs of shape (p1 p2, ζ) (row-major pixels); default: from x's shape.

    Returns
    -------
    float or array of shape (m,)

    Examples
    --------
    >>> x = np.eye(3)[:2]  # p = 2 pixels, zeta = 3
    >>> conv_kernel_reference(x, x, depth=3, filter_size=3, head="tr", kind="ntk")
    4.0
    >>> conv_kernel_reference(np.ones((3, 3, 1)), np.ones((3, 3, 1)), 2, 3, "tr", "ntk")  # a torus
    3.0
    """
    depth, q = _check_conv(depth, filter_size, head)
    if kind not in ("nngp", "ntk"):
        raise ParameterError("kind", kind, "one of 'nngp', 'ntk'")
    pts, single, grid = _conv_points(x, y, pixels)
    shape, nd, p = grid.shape, grid.ndim, grid.size
    r = (q - 1) // 2
    sigma = np.clip(np.einsum("iz,mjz->mij", pts[0], pts[1:]), -1.0, 1.0)  # (m, p, p)
    theta = sigma.copy()
    axes = tuple(range(1, 1 + 2 * nd))  # (m, *shape, *shape): rows then columns

    def patch_mean(mat: FloatArray) -> FloatArray:
        grid_mat = mat.reshape((mat.shape[0],) + shape + shape)
        out = np.zeros_like(grid_mat)
        count = 0
        for a in itertools.product(range(-r, r + 1), repeat=nd):  # out[i, j] += mat[i + a, j + a]
            out += np.roll(grid_mat, shift=tuple(-c for c in a) * 2, axis=axes)
            count += 1
        return (out / count).reshape(mat.shape)

    for _ in range(1, depth):
        k0, k1 = _kappa0(sigma), _kappa1(sigma)
        sigma, theta = patch_mean(k1), patch_mean(theta * k0 + k1)
    mat = _kappa1(sigma) if kind == "nngp" else theta * _kappa0(sigma) + _kappa1(sigma)
    if head == "eq":
        out = mat[:, 0, 0]
    elif head == "tr":
        out = np.trace(mat, axis1=-2, axis2=-1) / p
    else:
        out = mat.sum(axis=(-2, -1)) / p**2
    return float(out[0]) if single else out
