r"""Spectral bias in training: kernel gradient descent, finite-width ReLU networks, empirical NTK (SPEC §8b).

Setting (Cao et al. 2019).  n points :math:`x_1..x_n` uniform on :math:`S^{d-1}`, a target
:math:`y(x) = \sum_{k \in D} c_k P_k^{(d)}(\langle \xi, x\rangle)` built from the normalised Gegenbauer
polynomials (SPEC §1, :math:`P_k^{(d)}(1) = 1`) along a unit direction :math:`\xi`, the square loss
:math:`L = \frac1{2n}\sum_i (f(x_i) - y_i)^2` and full-batch gradient descent with step η.

**Kernel dynamics.**  Gradient descent in the RKHS of a dot-product kernel K (equivalently, the linearised
network whose NTK is K) moves the residual :math:`r_t = f_t(X) - y` on the sample by

.. math::  r_{t+1} = \Big(I - \frac{\eta}{n} G\Big) r_t, \qquad G_{ij} = K(\langle x_i, x_j\rangle),
           \qquad\text{so}\qquad r_t = V\,\mathrm{diag}\big((1-\eta\hat\lambda_i)^t\big)\,V^\top r_0

with :math:`G/n = V\,\mathrm{diag}(\hat\lambda)\,V^\top` (:func:`kernel_gd`; :func:`kernel_gd_iterate`
iterates the recursion instead).  As :math:`n \to \infty` the operator :math:`G/n` tends to the integral
operator :math:`T_K` of SPEC §1, whose eigenfunctions are the spherical harmonics, with eigenvalue
:math:`\mu_k` of multiplicity :math:`N(d,k)` on degree k (Funk–Hecke).  The degree-k part of the residual
therefore decays like

.. math::  \rho_k(t) = (1 - \eta\mu_k)^t ,

so low degrees (large :math:`\mu_k`) are learned first: the spectral bias of Cao et al. (2019, Theorem 4.2
for the two-layer network, whose NTK is :math:`\kappa_1(t) + \tfrac12 t\kappa_0(t)`, ``sk.fc(1, "ntk",
layer_weights=(1/2, 1))``).  On a finite sample the same prediction with the *sampled* eigenvalue
:math:`\hat\mu_k` (the mean of the block of :math:`N(d,k)` eigenvalues of :math:`G/n` that belongs to degree
k, :func:`gram_degree_eigenvalues`) is also given: it differs from :math:`\mu_k` by a shift of about
:math:`\frac1n\sum_{j:\,N(d,j)\text{ not resolved}} N(d,j)\mu_j`, the part of :math:`K(1)` that the sample
cannot resolve, which acts like a ridge and matters for the high degrees.

**Measuring the degree-k residual.**  Two estimates, both on the training sample:

* :func:`target_coefficients` — the projection length of Cao et al.: the coefficient of the residual along
  the sampled target component :math:`v_k = (P_k(\langle\xi, x_i\rangle))_i`,
  :math:`\rho_k(t) = -\langle r_t, v_k\rangle / (c_k\langle v_k, v_k\rangle)` (so :math:`\rho_k(0) \approx 1`,
  up to a cross-talk of order :math:`n^{-1/2}` between the components).  The rates are fitted on it.
* :func:`harmonic_norms` — the norm of the projection on *all* degree-k harmonics, from the reproducing
  property :math:`\Pi_k f(x) = N(d,k)\int P_k(\langle x, y\rangle) f(y)\,d\sigma(y)`:
  :math:`\|\Pi_k r\|^2 \approx \frac{N(d,k)}{n(n-1)}\sum_{i\ne j} r_i r_j P_k(\langle x_i, x_j\rangle)`
  (the unbiased U-statistic; the diagonal terms would add a bias :math:`N(d,k)\|r\|^2/n`).  Its noise is
  of order :math:`\sqrt{N(d,k)}\,\|r\|^2/n`, so it resolves degree k only when :math:`N(d,k) \ll n`.

**Finite-width networks.**  :class:`ReLUNetwork` is the bias-free fully connected ReLU network of
:mod:`symkernel.networks` (neural-tangents ``stax.serial(Dense(W_std=1), *[Relu(), Dense(W_std=√2)] * L)``
in the NTK parameterisation, input scaled so that the first layer sees t), trained by full-batch gradient
descent with a learning rate :math:`\eta w_l` on the parameters of Dense layer l.  In the infinite-width
limit this follows the kernel dynamics of :math:`\sum_l w_l\Theta_l`, which is ``sk.fc(L, "ntk",
layer_weights=w)`` (Jacot et al. 2018).  The network is *centred*: the model is
:math:`f_W(x) - f_{W_0}(x)` (the output at initialisation is subtracted, a frozen offset), so that
:math:`r_0 = -y` as for the kernel; this changes neither the gradients nor the NTK.

**Empirical NTK.**  :func:`empirical_ntk_convergence` compares the Gram matrix of the network's tangent
kernel at initialisation with the analytic kernel as the width m grows.  For one hidden layer the empirical
NTK is an average of m i.i.d. terms, so its mean-square error is exactly :math:`C/m`; for deeper networks
the fluctuation is :math:`O(m^{-1/2})` and the bias :math:`O(m^{-1})`.  The fitted slope of
:math:`\log(\text{error})` against :math:`\log m` should be close to :math:`-\tfrac12`.

Conventions: depth L = number of hidden ReLU layers (L + 1 Dense layers, the last one the readout); the
sphere measure is normalised (SPEC §1); float64 throughout.

References
----------
Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou, Q. Gu, "Towards understanding the spectral bias of deep learning",
arXiv:1912.01198 (2019; IJCAI 2021).  A. Jacot, F. Gabriel, C. Hongler, "Neural tangent kernel: convergence
and generalization in neural networks", NeurIPS 2018.  J. Lee et al., "Wide neural networks of any depth
evolve as linear models under gradient descent", NeurIPS 2019.  R. Basri, D. Jacobs, Y. Kasten, S. Kritchman,
"The convergence rate of neural networks for learned functions of different frequencies", NeurIPS 2019.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import ParameterError, check_int

__all__ = [
    "sample_sphere",
    "ZonalTarget",
    "zonal_target",
    "kernel_gram",
    "kernel_gd",
    "kernel_gd_iterate",
    "target_coefficients",
    "harmonic_norms",
    "gram_degree_eigenvalues",
    "measure_rate",
    "default_record",
    "ReLUNetwork",
    "network_spec",
    "DynamicsRun",
    "kernel_dynamics",
    "network_dynamics",
    "NTKConvergence",
    "empirical_ntk_convergence",
    "SpectralBiasResult",
    "spectral_bias",
]

FloatArray = NDArray[np.float64]
Progress = Callable[[int, int], None] | None
Seed = int | np.random.Generator | None

MAX_DIM = 10_000
MAX_N = 20_000
MAX_DEGREE = 200
MAX_NET_DEPTH = 20
#: refuse network training whose estimated cost (multiply-adds) exceeds this (SPEC §9c); about 1e10
#: multiply-adds run per second and core in float64, so this is of the order of ten minutes
MAX_WORK = 5e12


# ============================================================================================ helpers
def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _check_positive(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a positive real number") from None
    if not (x > 0 and math.isfinite(x)):
        raise ParameterError(name, value, "a positive real number")
    return x


def _check_degrees(degrees: Any) -> tuple[int, ...]:
    try:
        degs = tuple(int(k) for k in degrees)
    except (TypeError, ValueError):
        raise ParameterError("degrees", degrees, f"a non-empty list of distinct integers in [0, "
                             f"{MAX_DEGREE}]") from None
    if (not degs or len(set(degs)) != len(degs) or any(k < 0 or k > MAX_DEGREE for k in degs)
            or any(isinstance(k, bool) for k in degrees)):
        raise ParameterError("degrees", degrees,
                             f"a non-empty list of distinct integers in [0, {MAX_DEGREE}]")
    return degs


def _unit_points(X: ArrayLike) -> FloatArray:
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < 1:
        raise ParameterError("X", f"array of shape {arr.shape}", "an array (n, d) of unit rows, d >= 2")
    if not np.all(np.abs(np.linalg.norm(arr, axis=1) - 1.0) < 1e-8):
        raise ParameterError("X", "rows", "unit vectors (rows of norm 1)")
    return arr


def _gegenbauer(kmax: int, d: int, t: FloatArray) -> list[FloatArray]:
    r""":math:`P_0^{(d)}(t)..P_{kmax}^{(d)}(t)` by the three-term recurrence (SPEC §1 normalisation)."""
    from .spectrum.gegenbauer import iter_gegenbauer_numpy

    return list(iter_gegenbauer_numpy(kmax, d, t))


def _multiplicity(d: int, k: int) -> int:
    from .spectrum.gegenbauer import multiplicity

    return multiplicity(d, k)


def _population_eigenvalues(K, d: int, kmax: int) -> FloatArray:
    """:math:`\\mu_0..\\mu_{kmax}` in float64 (angle quadrature of :mod:`symkernel.spectrum`)."""
    from .spectrum import eigenvalues

    return np.asarray(eigenvalues(K, dim=d, kmax=kmax).eigenvalues, dtype=np.float64)


# ===================================================================================== data, targets
def sample_sphere(n: int, dim: int, seed: Seed = None) -> FloatArray:
    r"""n points uniform on :math:`S^{d-1}` (normalised Gaussian vectors), shape ``(n, dim)``.

    Examples
    --------
    >>> X = sample_sphere(5, 3, seed=0)
    >>> X.shape, bool(np.allclose(np.linalg.norm(X, axis=1), 1))
    ((5, 3), True)
    """
    n = check_int("n", n, 1, MAX_N)
    dim = check_int("dim", dim, 2, MAX_DIM)
    X = _rng(seed).standard_normal((n, dim))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@dataclass
class ZonalTarget:
    r"""A target :math:`y(x) = \sum_k c_k P_k^{(d)}(\langle\xi, x\rangle)` sampled on points.

    Attributes
    ----------
    degrees : tuple of int
        The degrees k of the components.
    coefficients : numpy array
        :math:`c_k` (one per degree).
    xi : numpy array, shape (d,)
        The unit direction ξ.
    components : numpy array, shape (len(degrees), n)
        :math:`v_k = P_k(\langle\xi, x_i\rangle)` (without the coefficient).
    values : numpy array, shape (n,)
        :math:`y_i = \sum_k c_k v_{k,i}`.

    Notes
    -----
    :math:`\|P_k(\langle\xi,\cdot\rangle)\|^2_{L^2(\sigma)} = 1/N(d,k)` and components of different degrees
    are orthogonal in :math:`L^2(\sigma)`; on n samples they are orthogonal up to :math:`O(n^{-1/2})`.
    """

    degrees: tuple[int, ...]
    coefficients: FloatArray
    xi: FloatArray
    components: FloatArray
    values: FloatArray


def zonal_target(X: ArrayLike, degrees: Sequence[int] = (1, 2, 4), xi: ArrayLike | None = None,
                 coefficients: Sequence[float] | None = None, seed: Seed = None) -> ZonalTarget:
    r"""Target :math:`y = \sum_k c_k P_k^{(d)}(\langle\xi, x\rangle)` on the rows of X (Cao et al. 2019, §5).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Unit vectors.
    degrees : sequence of int
        Degrees k (default 1, 2, 4, the experiment of Cao et al. on :math:`S^9`).
    xi : array_like, shape (d,), optional
        Unit direction; default a random direction drawn from ``seed``.
    coefficients : sequence of float, optional
        :math:`c_k`, default all 1.
    seed : int or Generator, optional
        Randomness for ξ.

    Examples
    --------
    >>> X = sample_sphere(4, 3, seed=1)
    >>> tgt = zonal_target(X, degrees=(1,), xi=[0.0, 0.0, 1.0])
    >>> bool(np.allclose(tgt.values, X[:, 2]))
    True
    """
    X = _unit_points(X)
    d = X.shape[1]
    degs = _check_degrees(degrees)
    if xi is None:
        xi = sample_sphere(1, d, seed)[0]
    xi = np.asarray(xi, dtype=np.float64)
    if xi.shape != (d,) or abs(np.linalg.norm(xi) - 1) > 1e-8:
        raise ParameterError("xi", xi, f"a unit vector of dimension {d}")
    if coefficients is None:
        coef = np.ones(len(degs))
    else:
        coef = np.asarray(coefficients, dtype=np.float64)
        if coef.shape != (len(degs),) or not np.all(np.isfinite(coef)) or np.any(coef == 0):
            raise ParameterError("coefficients", coefficients,
                                 f"{len(degs)} finite non-zero numbers (one per degree)")
    s = np.clip(X @ xi, -1.0, 1.0)
    polys = _gegenbauer(max(degs), d, s)
    comps = np.array([polys[k] for k in degs])
    return ZonalTarget(degs, coef, xi, comps, coef @ comps)


# ================================================================================ kernel dynamics
def kernel_gram(K, X: ArrayLike) -> FloatArray:
    r"""Gram matrix :math:`G_{ij} = K(\langle x_i, x_j\rangle)` in float64 (dot products clipped to
    [-1, 1])."""
    X = _unit_points(X)
    T = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(T, 1.0)
    return np.asarray(K.numpy(t=T), dtype=np.float64)


def _steps_array(steps: Any, name: str = "steps") -> NDArray[np.int64]:
    arr = np.atleast_1d(np.asarray(steps))
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ParameterError(name, steps, "a non-empty list of integers >= 0")
    return arr.astype(np.int64)


def kernel_gd(G: ArrayLike, r0: ArrayLike, eta: float, steps: Sequence[int] | int,
              eig: tuple[FloatArray, FloatArray] | None = None) -> FloatArray:
    r"""Closed-form kernel gradient descent: :math:`r_t = (I - \frac{\eta}{n}G)^t r_0` at the given steps.

    Parameters
    ----------
    G : array_like, shape (n, n)
        Symmetric Gram matrix of the kernel.
    r0 : array_like, shape (n,)
        Initial residual :math:`f_0(X) - y` (:math:`-y` for :math:`f_0 = 0`).
    eta : float
        Step size η of the loss :math:`\frac1{2n}\|f(X) - y\|^2`.
    steps : int or sequence of int
        The times t.
    eig : (eigenvalues, eigenvectors) of G/n, optional
        Reuse an eigendecomposition.

    Returns
    -------
    numpy array, shape (len(steps), n)

    Notes
    -----
    With :math:`G/n = V\Lambda V^\top`, :math:`r_t = V (I - \eta\Lambda)^t V^\top r_0`: one symmetric
    eigendecomposition, then every t costs :math:`O(n^2)`.

    Examples
    --------
    >>> G = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> kernel_gd(G, [1.0, 0.0], 0.5, [0, 1]).round(3).tolist()
    [[1.0, 0.0], [0.5, -0.25]]
    """
    G = np.asarray(G, dtype=np.float64)
    r0 = np.asarray(r0, dtype=np.float64)
    n = r0.shape[0]
    if G.shape != (n, n):
        raise ParameterError("G", f"shape {G.shape}", f"a ({n}, {n}) matrix")
    eta = _check_positive("eta", eta)
    ts = _steps_array(steps)
    lam, V = eig if eig is not None else np.linalg.eigh(G / n)
    factors = (1.0 - eta * lam)[None, :] ** ts[:, None].astype(np.float64)
    return (factors * (V.T @ r0)[None, :]) @ V.T


def kernel_gd_iterate(G: ArrayLike, r0: ArrayLike, eta: float, n_steps: int) -> FloatArray:
    r"""Kernel gradient descent by iteration: :math:`r_{t+1} = r_t - \frac{\eta}{n} G r_t`, t = 0..n_steps.

    The independent twin of :func:`kernel_gd` (returns shape ``(n_steps + 1, n)``).
    """
    G = np.asarray(G, dtype=np.float64)
    r = np.asarray(r0, dtype=np.float64).copy()
    n_steps = check_int("n_steps", n_steps, 0)
    n = r.shape[0]
    out = np.empty((n_steps + 1, n))
    out[0] = r
    for t in range(n_steps):
        r = r - (eta / n) * (G @ r)
        out[t + 1] = r
    return out


def target_coefficients(R: ArrayLike, target: ZonalTarget, order: Sequence[int] | None = None) -> FloatArray:
    r"""Relative residual per degree along the target: :math:`\rho_k = -\langle r, u_k\rangle/(c_k\langle v_k,
    u_k\rangle)`.

    Parameters
    ----------
    R : array_like, shape (n,) or (T, n)
        Residuals :math:`f(X) - y` (one per time).
    target : ZonalTarget
    order : sequence of int, optional
        The target's degrees in the order in which they are learned (decreasing :math:`\mu_k`).  Each
        :math:`u_k` is then :math:`v_k` made orthogonal, on the sample, to the components of the degrees
        before it (Gram–Schmidt); without ``order``, :math:`u_k = v_k`.

    Returns
    -------
    numpy array, shape (len(degrees),) or (T, len(degrees))
        1 at :math:`f = 0`; the kernel theory predicts :math:`(1-\eta\mu_k)^t`.  This is the "projection
        length" of Cao et al. (2019, §5).

    Notes
    -----
    On n samples :math:`\langle v_j, v_k\rangle_n/\langle v_k, v_k\rangle_n` is of order
    :math:`\sqrt{N(d,k)/(N(d,j)\,n)}`: the large low-degree components leak into the coefficient of a
    small high-degree one (0.26 for k = 4, j = 1 on :math:`S^9` with n = 1000) while they are being
    learned.  Orthogonalising in the learning order removes that leak (for the last degree, this is the
    joint least-squares coefficient); the leak of slow, small components into fast, large ones is of the
    reciprocal, small order.
    """
    R = np.asarray(R, dtype=np.float64)
    comps = target.components
    U = comps.copy()
    if order is not None:
        idx = [target.degrees.index(k) for k in order]
        if sorted(idx) != list(range(len(target.degrees))):
            raise ParameterError("order", order, f"a permutation of the degrees {target.degrees}")
        basis: list[FloatArray] = []
        for j in idx:
            u = comps[j].copy()
            for b in basis:
                u -= (u @ b) * b
            U[j] = u
            basis.append(u / np.linalg.norm(u))
    denom = np.einsum("kn,kn->k", comps, U) * target.coefficients
    return -(R @ U.T) / denom


def harmonic_norms(R: ArrayLike, X: ArrayLike, degrees: Sequence[int]) -> FloatArray:
    r"""Estimated :math:`\|\Pi_k r\|_{L^2(\sigma)}` of the residual on all degree-k harmonics, per degree.

    .. math::  \|\Pi_k r\|^2 \approx \frac{N(d,k)}{n(n-1)}\sum_{i\ne j} r_i r_j P_k^{(d)}(\langle x_i,
               x_j\rangle)

    (the reproducing kernel of the degree-k harmonics is :math:`N(d,k)P_k^{(d)}(\langle x, y\rangle)`);
    the U-statistic is unbiased, negative estimates are clipped to 0.  Noise about
    :math:`\sqrt{N(d,k)}\|r\|^2/n`: meaningful only for :math:`N(d,k) \ll n`.

    Returns
    -------
    numpy array, shape (len(degrees),) or (T, len(degrees))
    """
    X = _unit_points(X)
    R = np.asarray(R, dtype=np.float64)
    single = R.ndim == 1
    R2 = R[None] if single else R
    n, d = X.shape
    degs = _check_degrees(degrees)
    T = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(T, 0.0)  # P_k(0) on the diagonal is removed below
    out = np.empty((R2.shape[0], len(degs)))
    wanted = {k: j for j, k in enumerate(degs)}
    for k, Pk in enumerate(_gegenbauer(max(degs), d, T)):
        if k not in wanted:
            continue
        np.fill_diagonal(Pk, 0.0)
        q = np.einsum("ti,ti->t", R2 @ Pk, R2) * _multiplicity(d, k) / (n * max(n - 1, 1))
        out[:, wanted[k]] = np.sqrt(np.maximum(q, 0.0))
    return out[0] if single else out


def gram_degree_eigenvalues(gram_eigenvalues: ArrayLike, dim: int, mu: ArrayLike,
                            degrees: Sequence[int]) -> FloatArray:
    r"""Sampled counterpart :math:`\hat\mu_k` of :math:`\mu_k`: the mean of degree k's block of :math:`G/n`.

    The eigenvalues of :math:`G/n` are sorted in decreasing order and cut into consecutive blocks of
    sizes :math:`N(d,j)`, the degrees j taken in decreasing order of :math:`\mu_j` (``mu`` = population
    eigenvalues :math:`\mu_0..\mu_{k_{max}}`; ties by degree).  :math:`\hat\mu_k` is the mean of its block,
    NaN when the block does not fit in the n eigenvalues (or k > k_max).
    """
    lam = np.sort(np.asarray(gram_eigenvalues, dtype=np.float64))[::-1]
    mu = np.asarray(mu, dtype=np.float64)
    order = sorted(range(len(mu)), key=lambda j: (-mu[j], j))
    start, pos = {}, 0
    for j in order:
        size = _multiplicity(dim, j)
        start[j] = (pos, size)
        pos += size
    out = np.full(len(degrees), np.nan)
    for i, k in enumerate(degrees):
        if k in start:
            a, size = start[k]
            if a + size <= lam.size:
                out[i] = lam[a:a + size].mean()
    return out


def measure_rate(steps: ArrayLike, rho: ArrayLike, eta: float, floor: float = 0.05) -> float:
    r"""Effective eigenvalue :math:`\lambda` with :math:`\rho(t) \approx (1 - \eta\lambda)^t`, fitted.

    Least-squares line :math:`\log\rho(t) \approx a + s\,t` over the recorded t ≥ 0 up to the first time
    where :math:`\rho < ` ``floor`` (the sampled cross-talk and the finite width put a floor under ρ).  The
    free intercept a absorbs the small leak of the other components into :math:`\rho(0)`; with fewer than
    three points the line goes through :math:`\log\rho(0) = 0` instead (and the first point below the floor
    is kept when it is the only one).  Returns :math:`(1 - e^{s})/\eta`.

    Examples
    --------
    >>> t = np.arange(0, 50, 5)
    >>> round(measure_rate(t, 0.97 * (1 - 0.5 * 0.02) ** t, eta=0.5), 12)
    0.02
    """
    t = np.asarray(steps, dtype=np.float64)
    r = np.asarray(rho, dtype=np.float64)
    keep: list[tuple[float, float]] = []
    for ti, ri in zip(t, r):
        if ri >= floor and ri > 0:
            keep.append((ti, ri))
            continue
        if ti > 0 and not any(k[0] > 0 for k in keep) and ri > 0:
            keep.append((ti, ri))
        break
    tt = np.array([k[0] for k in keep])
    lr = np.log([k[1] for k in keep]) if keep else np.array([])
    if np.count_nonzero(tt > 0) == 0:
        return float("nan")
    if len(keep) >= 3:
        slope = _fit_line(tt, lr)[0]
    else:
        slope = float(tt @ lr / (tt @ tt))
    return float(-math.expm1(slope) / eta)


def default_record(steps: int, count: int = 60) -> NDArray[np.int64]:
    """Recording times: 0 and about ``count`` geometrically spaced steps up to ``steps``."""
    steps = check_int("steps", steps, 1)
    geo = np.unique(np.round(np.geomspace(1, steps, count)).astype(np.int64))
    return np.concatenate([[0], geo])


# ============================================================================== finite-width network
def network_spec(K) -> tuple[int, FloatArray]:
    """``(depth, layer_weights)`` of the network whose NTK is the kernel K (``sk.fc(L, "ntk", ...)``).

    Raises :class:`~symkernel.errors.ParameterError` for kernels that are not the NTK of a bias-free fully
    connected network (the only networks trained here).
    """
    import sympy as sp

    info = getattr(K, "info", None) or {}
    if info.get("arch") != "fc":
        raise ParameterError("arch", info.get("arch"), "fc (the networks trained here are fully connected)")
    if info.get("kind") != "ntk":
        raise ParameterError("kind", info.get("kind"), "ntk (gradient descent follows the NTK)")
    if any(sp.sympify(b) != 0 for b in info.get("bias", [])):
        raise ParameterError("bias", info.get("bias"), "0 (the trained networks are bias-free)")
    if info.get("normalized"):
        raise ParameterError("normalize", True, "False for the dynamics (train the unnormalised NTK)")
    depth = int(info["depth"])
    if depth > MAX_NET_DEPTH:
        raise ParameterError("depth", depth, f"an integer in [1, {MAX_NET_DEPTH}] for a trained network")
    weights = np.array([float(sp.sympify(w)) for w in info["layer_weights"]])
    return depth, weights


class ReLUNetwork:
    r"""A bias-free fully connected ReLU network in the NTK parameterisation, with hand-written backprop.

    .. math::
        z_1 = W_1 x, \qquad z_l = \sqrt{2/m}\; W_l\,\mathrm{relu}(z_{l-1})\ (2 \le l \le L), \qquad
        f(x) = \sqrt{2/m}\; v\cdot\mathrm{relu}(z_L),

    all entries of :math:`W_1 \in \mathbb R^{m\times d}`, :math:`W_l \in \mathbb R^{m\times m}` and
    :math:`v \in \mathbb R^m` standard normal: neural-tangents'
    ``stax.serial(Dense(W_std=1), *[Relu(), Dense(W_std=√2)] * L)`` on the input :math:`\sqrt d\,x`, the
    network of :func:`symkernel.networks.fc_network_kernels` with β = 0.  Its tangent kernel tends to
    ``sk.fc(L, "ntk", layer_weights=w)`` as m → ∞ (Jacot et al. 2018), where :math:`w_l` weights the
    parameters of Dense layer l (layer L + 1 is the readout v): in training, :math:`w_l` multiplies the
    learning rate of layer l (0 freezes it).

    Parameters
    ----------
    dim : int
        Input dimension d.
    width : int
        m, units per hidden layer.
    depth : int
        L ≥ 1 hidden layers.
    layer_weights : sequence of L + 1 floats, optional
        :math:`w_1..w_{L+1}`; default all 1.  Cao et al. (2019): ``(1/2, 1)`` with L = 1.
    seed : int or Generator
        Initialisation.

    Examples
    --------
    >>> net = ReLUNetwork(dim=3, width=4000, depth=1, seed=0)
    >>> X = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    >>> Theta = net.ntk(X)        # analytic: K(1) = 2, K(0) = 1/pi
    >>> bool(abs(Theta[0, 0] - 2) < 0.15 and abs(Theta[0, 1] - 1 / np.pi) < 0.1)
    True
    """

    def __init__(self, dim: int, width: int, depth: int = 1, layer_weights: Sequence[float] | None = None,
                 seed: Seed = 0):
        self.dim = check_int("dim", dim, 1, MAX_DIM)
        self.width = check_int("width", width, 1, 10**7)
        self.depth = check_int("depth", depth, 1, MAX_NET_DEPTH)
        if layer_weights is None:
            w = np.ones(self.depth + 1)
        else:
            w = np.asarray(layer_weights, dtype=np.float64)
            if w.shape != (self.depth + 1,) or not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ParameterError("layer_weights", layer_weights,
                                     f"{self.depth + 1} non-negative numbers (one per Dense layer)")
        self.layer_weights = w
        rng = _rng(seed)
        m = self.width
        self.W = [rng.standard_normal((m, self.dim))]
        self.W += [rng.standard_normal((m, m)) for _ in range(self.depth - 1)]
        self.v = rng.standard_normal(m)
        self.c = math.sqrt(2.0 / m)

    def _forward(self, X: FloatArray) -> tuple[list[FloatArray], FloatArray]:
        """Pre-activations z_1..z_L (each (n, m)) and the output f (n,)."""
        zs = [X @ self.W[0].T]
        for W in self.W[1:]:
            zs.append(self.c * (np.maximum(zs[-1], 0.0) @ W.T))
        f = self.c * (np.maximum(zs[-1], 0.0) @ self.v)
        return zs, f

    def __call__(self, X: ArrayLike) -> FloatArray:
        """Network output f(x) on the rows of X."""
        return self._forward(np.asarray(X, dtype=np.float64))[1]

    def ntk(self, X: ArrayLike) -> FloatArray:
        r"""Empirical tangent kernel :math:`\sum_l w_l\langle\nabla_{W_l} f(x_i), \nabla_{W_l} f(x_j)\rangle`.

        Notes
        -----
        With :math:`D_l = \partial f/\partial z_l` (:math:`D_L = \sqrt{2/m}\,v\odot\mathrm{step}(z_L)`,
        :math:`D_{l-1} = \sqrt{2/m}\,(D_l W_l)\odot\mathrm{step}(z_{l-1})`) and the layer inputs
        :math:`a_0 = x`, :math:`a_l = \sqrt{2/m}\,\mathrm{relu}(z_l)`:
        :math:`\Theta = w_{L+1} a_L a_L^\top + \sum_{l\le L} w_l (D_l D_l^\top)\odot(a_{l-1}a_{l-1}^\top)`.
        """
        X = np.asarray(X, dtype=np.float64)
        zs, _ = self._forward(X)
        a_last = self.c * np.maximum(zs[-1], 0.0)
        theta = self.layer_weights[-1] * (a_last @ a_last.T)
        D = self.c * self.v[None, :] * (zs[-1] > 0)
        for layer in range(self.depth - 1, -1, -1):  # Dense layer index `layer` (0-based), input a_{layer}
            a = X if layer == 0 else self.c * np.maximum(zs[layer - 1], 0.0)
            if self.layer_weights[layer] != 0:
                theta += self.layer_weights[layer] * (D @ D.T) * (a @ a.T)
            if layer > 0:
                D = self.c * (D @ self.W[layer]) * (zs[layer - 1] > 0)
        return theta

    def gradient_step(self, X: FloatArray, g: FloatArray, zs: list[FloatArray], eta: float) -> None:
        r"""One step :math:`\theta_l \leftarrow \theta_l - \eta w_l \nabla_{\theta_l}` for the loss whose
        derivative with respect to the outputs is ``g`` (:math:`g = r/n` for :math:`\frac1{2n}\|r\|^2`)."""
        w = self.layer_weights
        hL = np.maximum(zs[-1], 0.0)
        delta = (self.c * g)[:, None] * self.v[None, :] * (zs[-1] > 0)  # dL/dz_L, before v moves
        if w[-1] != 0:
            self.v -= eta * w[-1] * self.c * (hL.T @ g)
        for layer in range(self.depth - 1, -1, -1):
            a = X if layer == 0 else self.c * np.maximum(zs[layer - 1], 0.0)
            next_delta = None
            if layer > 0:
                next_delta = self.c * (delta @ self.W[layer]) * (zs[layer - 1] > 0)
            if w[layer] != 0:
                self.W[layer] -= eta * w[layer] * (delta.T @ a)
            delta = next_delta

    def train(self, X: ArrayLike, y: ArrayLike, eta: float, steps: int,
              record: Sequence[int] | None = None,
              progress: Progress = None) -> tuple[NDArray[np.int64], FloatArray]:
        r"""Full-batch gradient descent on :math:`\frac1{2n}\sum_i (f_W(x_i) - f_{W_0}(x_i) - y_i)^2`.

        Returns ``(record, R)``: the recorded times and the residuals :math:`r_t = f_{W_t}(X) -
        f_{W_0}(X) - y` at them, shape ``(len(record), n)``.  ``progress(done, steps)`` is called as the
        training advances.
        """
        X = _unit_points(X)
        y = np.asarray(y, dtype=np.float64)
        n = X.shape[0]
        if y.shape != (n,):
            raise ParameterError("y", f"shape {y.shape}", f"a vector of {n} values")
        eta = _check_positive("eta", eta)
        steps = check_int("steps", steps, 0)
        rec = default_record(max(steps, 1)) if record is None else _steps_array(record, "record")
        rec = np.unique(rec[rec <= steps])
        wanted = set(rec.tolist())
        out = np.empty((rec.size, n))
        f0 = None
        j = 0
        for t in range(steps + 1):
            zs, f = self._forward(X)
            if f0 is None:
                f0 = f.copy()
            r = f - f0 - y
            if t in wanted:
                out[j] = r
                j += 1
            if not np.all(np.isfinite(r)):
                raise ParameterError("eta", eta, f"a smaller step size (training diverged at step {t})")
            if t == steps:
                break
            self.gradient_step(X, r / n, zs, eta)
            if progress is not None:
                progress(t + 1, steps)
        return rec, out


# ====================================================================================== experiments
@dataclass
class DynamicsRun:
    """Residual per degree over time for one model (the kernel, or a trained network).

    Attributes
    ----------
    label : str
    steps : numpy int array, shape (T,)
    rho : numpy array, shape (T, D)
        :func:`target_coefficients` of the residual (1 at t = 0).
    harmonic : numpy array, shape (T, D)
        :func:`harmonic_norms` divided by their population value at t = 0, :math:`|c_k|/\\sqrt{N(d,k)}`.
    rates : numpy array, shape (D,)
        :func:`measure_rate` of each column of ``rho``.
    seconds : float
        Wall time.
    """

    label: str
    steps: NDArray[np.int64]
    rho: FloatArray
    harmonic: FloatArray
    rates: FloatArray
    seconds: float = 0.0


def _harmonic_relative(R: FloatArray, X: FloatArray, target: ZonalTarget) -> FloatArray:
    d = X.shape[1]
    norms = harmonic_norms(R, X, target.degrees)
    pop = np.array([abs(c) / math.sqrt(_multiplicity(d, k)) for k, c in zip(target.degrees,
                                                                            target.coefficients)])
    return norms / pop


def kernel_dynamics(G: FloatArray, X: FloatArray, target: ZonalTarget, eta: float, steps: ArrayLike,
                    eig: tuple[FloatArray, FloatArray] | None = None, order: Sequence[int] | None = None,
                    floor: float = 0.05, label: str = "kernel") -> DynamicsRun:
    """Closed-form kernel gradient descent from :math:`f_0 = 0` with the residual per degree.

    ``order``: the degrees in learning order, for :func:`target_coefficients`.
    """
    t0 = time.perf_counter()
    ts = _steps_array(steps)
    R = kernel_gd(G, -target.values, eta, ts, eig=eig)
    rho = target_coefficients(R, target, order)
    harm = _harmonic_relative(R, X, target)
    rates = np.array([measure_rate(ts, rho[:, j], eta, floor) for j in range(rho.shape[1])])
    return DynamicsRun(label, ts, rho, harm, rates, time.perf_counter() - t0)


def network_dynamics(K, X: ArrayLike, target: ZonalTarget, width: int, eta: float, steps: int,
                     record: ArrayLike | None = None, seed: Seed = 0, order: Sequence[int] | None = None,
                     floor: float = 0.05, progress: Progress = None) -> DynamicsRun:
    """Train the centred :class:`ReLUNetwork` whose NTK is K on the target; residual per degree.

    ``order``: the degrees in learning order, for :func:`target_coefficients`.
    """
    X = _unit_points(X)
    depth, weights = network_spec(K)
    width = check_int("width", width, 1, 10**6)
    steps = check_int("steps", steps, 1, 10**7)
    t0 = time.perf_counter()
    net = ReLUNetwork(X.shape[1], width, depth, weights, seed)
    ts, R = net.train(X, target.values, eta, steps, record=record, progress=progress)
    rho = target_coefficients(R, target, order)
    harm = _harmonic_relative(R, X, target)
    rates = np.array([measure_rate(ts, rho[:, j], eta, floor) for j in range(rho.shape[1])])
    label = f"network (depth {depth}, width {width})"
    return DynamicsRun(label, ts, rho, harm, rates, time.perf_counter() - t0)


@dataclass
class NTKConvergence:
    r"""Relative error of the empirical NTK at initialisation against the analytic kernel, per width.

    ``errors[i]`` is :math:`\big(\mathrm{mean}_{seeds}\|\hat\Theta - \Theta\|_F^2\big)^{1/2}/\|\Theta\|_F` on
    the Gram matrix of ``n_points`` random points; ``slope``/``intercept`` fit
    :math:`\log_{10}\mathrm{error} = \mathrm{intercept} + \mathrm{slope}\,\log_{10} m` (expected slope
    -1/2), ``slope_se`` the standard error of the fitted slope, ``residual`` the rms residual in
    :math:`\log_{10}`.
    """

    widths: NDArray[np.int64]
    errors: FloatArray
    slope: float
    intercept: float
    slope_se: float
    residual: float
    n_points: int
    n_seeds: int
    seconds: float = 0.0


def _fit_line(x: FloatArray, y: FloatArray) -> tuple[float, float, float, float]:
    A = np.vstack([np.ones_like(x), x]).T
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = y - A @ coef
    dof = max(len(x) - 2, 1)
    s2 = float(res @ res) / dof
    cov = s2 * np.linalg.inv(A.T @ A)
    return float(coef[1]), float(coef[0]), float(math.sqrt(cov[1, 1])), float(math.sqrt(np.mean(res**2)))


def empirical_ntk_convergence(K, dim: int, widths: Sequence[int] = (64, 128, 256, 512, 1024, 2048),
                              n_points: int = 24, n_seeds: int = 4, seed: Seed = 0,
                              progress: Progress = None) -> NTKConvergence:
    r"""Empirical NTK of :class:`ReLUNetwork` at initialisation against the analytic K, as the width grows.

    Parameters
    ----------
    K : Kernel
        ``sk.fc(L, "ntk", layer_weights=...)`` (bias-free).
    dim : int
        Points on :math:`S^{dim-1}`.
    widths : sequence of int
        Widths m (at least two distinct).
    n_points : int
        Size of the Gram matrix compared.
    n_seeds : int
        Initialisations per width (the error is the root mean square over them).
    seed : int or Generator
    progress : callable(done, total), optional

    Returns
    -------
    NTKConvergence
        Errors and the fitted log–log slope, which should be close to -1/2 (the empirical NTK is an
        average over m units: Jacot et al. 2018, Theorem 1; Lee et al. 2019).
    """
    depth, weights = network_spec(K)
    dim = check_int("dim", dim, 2, MAX_DIM)
    ws = np.array(sorted({check_int("widths", int(w), 1, 10**6) for w in widths}), dtype=np.int64)
    if ws.size < 2:
        raise ParameterError("widths", widths, "at least two distinct widths")
    n_points = check_int("n_points", n_points, 2, 2000)
    n_seeds = check_int("n_seeds", n_seeds, 1, 1000)
    t0 = time.perf_counter()
    rng = _rng(seed)
    X = sample_sphere(n_points, dim, rng)
    exact = kernel_gram(K, X)
    ref = np.linalg.norm(exact)
    errors = []
    total, done = ws.size * n_seeds, 0
    for m in ws:
        sq = []
        for _ in range(n_seeds):
            net = ReLUNetwork(dim, int(m), depth, weights, rng)
            sq.append(np.sum((net.ntk(X) - exact) ** 2))
            done += 1
            if progress is not None:
                progress(done, total)
        errors.append(math.sqrt(float(np.mean(sq))) / ref)
    errors = np.array(errors)
    slope, intercept, se, res = _fit_line(np.log10(ws.astype(float)), np.log10(errors))
    return NTKConvergence(ws, errors, slope, intercept, se, res, n_points, n_seeds,
                          time.perf_counter() - t0)


@dataclass
class SpectralBiasResult:
    r"""Kernel dynamics, network dynamics and the empirical NTK for one kernel and one target.

    Attributes
    ----------
    kernel : str
        Name of the kernel (``sk.fc(L, "ntk", ...)``).
    depth : int
        L, number of hidden ReLU layers.
    dim, n, width, eta : problem size and step size (η = 1/λ_max(G/n) unless given)
    degrees : tuple of int
    multiplicities : list of int
        :math:`N(d,k)` per degree.
    mu : numpy array
        Population eigenvalues :math:`\mu_k` (Funk–Hecke, :mod:`symkernel.spectrum`) per degree.
    mu_gram : numpy array
        Sampled counterparts :math:`\hat\mu_k` (:func:`gram_degree_eigenvalues`; NaN if unresolved).
    kernel_run, network_run : DynamicsRun (network_run None when width = 0)
    ntk : NTKConvergence or None
    seconds : dict of wall times
    layer_weights : list of str
        Weights :math:`w_l` of the Dense layers in the NTK (= relative learning rates of the network).
    """

    kernel: str
    depth: int
    dim: int
    n: int
    width: int
    eta: float
    degrees: tuple[int, ...]
    multiplicities: list[int]
    mu: FloatArray
    mu_gram: FloatArray
    kernel_run: DynamicsRun
    network_run: DynamicsRun | None
    ntk: NTKConvergence | None
    seconds: dict = field(default_factory=dict)
    layer_weights: list[str] = field(default_factory=list)

    def predicted(self, steps: ArrayLike, sampled: bool = False) -> FloatArray:
        r""":math:`(1 - \eta\mu_k)^t` (or with :math:`\hat\mu_k`), shape (len(steps), len(degrees))."""
        mu = self.mu_gram if sampled else self.mu
        t = np.asarray(steps, dtype=np.float64)[:, None]
        return (1.0 - self.eta * mu)[None, :] ** t

    def order(self, values: ArrayLike) -> list[int]:
        """The degrees sorted by decreasing value (fastest learned first)."""
        vals = np.asarray(values, dtype=np.float64)
        return [self.degrees[j] for j in sorted(range(len(vals)), key=lambda j: (-vals[j], j))]

    def orders_agree(self) -> dict[str, bool]:
        """Whether the kernel's (and the network's) measured order of the degrees is the order of μ_k."""
        want = self.order(self.mu)
        out = {"kernel": self.order(self.kernel_run.rates) == want}
        if self.network_run is not None:
            out["network"] = self.order(self.network_run.rates) == want
        return out

    def table(self) -> list[list[str]]:
        """Rows (header first): degree, N(d,k), μ_k, sampled μ̂_k, measured rates of kernel and network."""
        head = ["k", "N(d,k)", "mu_k", "mu_k(Gram)", "kernel", "network"]
        rows = [head]
        for j, k in enumerate(self.degrees):
            net = self.network_run.rates[j] if self.network_run is not None else float("nan")
            rows.append([str(k), str(self.multiplicities[j]), _fmt(self.mu[j]), _fmt(self.mu_gram[j]),
                         _fmt(self.kernel_run.rates[j]), _fmt(net)])
        return rows

    def to_dict(self) -> dict:
        """JSON-ready dictionary (numbers as decimal strings, ``"nan"`` where undefined)."""
        def strs(a):
            return [_num(x) for x in np.asarray(a, dtype=np.float64)]

        out: dict[str, Any] = {
            "kernel": self.kernel,
            "depth": self.depth,
            "depth_convention": "depth = number of hidden ReLU layers L (L + 1 Dense layers)",
            "layer_weights": list(self.layer_weights),
            "dim": self.dim,
            "sphere": f"S^{self.dim - 1}",
            "n": self.n,
            "width": self.width,
            "eta": _num(self.eta),
            "degrees": list(self.degrees),
            "multiplicities": list(self.multiplicities),
            "mu": strs(self.mu),
            "mu_gram": strs(self.mu_gram),
            "rate_kernel": strs(self.kernel_run.rates),
            "rate_network": strs(self.network_run.rates) if self.network_run is not None else None,
            "order_mu": self.order(self.mu),
            "order_kernel": self.order(self.kernel_run.rates),
            "order_network": (self.order(self.network_run.rates) if self.network_run is not None
                              else None),
            "rate_definition": "lambda with rho_k(t) ~ (1 - eta lambda)^t, rho_k = residual along the "
                               "target's degree-k component relative to t = 0",
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }
        if self.ntk is not None:
            out["ntk"] = {"widths": [int(w) for w in self.ntk.widths], "errors": strs(self.ntk.errors),
                          "slope": _num(self.ntk.slope), "slope_se": _num(self.ntk.slope_se),
                          "expected_slope": "-0.5", "n_points": self.ntk.n_points,
                          "n_seeds": self.ntk.n_seeds}
        return out


def _fmt(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.4g}"


def _num(x: float) -> str:
    return "nan" if not np.isfinite(x) else repr(float(x))


def _kmax_for(d: int, n: int, degrees: Sequence[int]) -> int:
    """Largest degree whose eigenvalue is needed to place the blocks of the Gram spectrum."""
    kmax, total = 0, 1
    while total < n and kmax < MAX_DEGREE:
        kmax += 1
        total += _multiplicity(d, kmax)
    return min(MAX_DEGREE, max(kmax, max(degrees) + 2))


def spectral_bias(K, dim: int = 10, n: int = 1000, width: int = 2000, steps: int = 3000,
                  degrees: Sequence[int] = (1, 2, 4), eta: float | None = None, seed: int = 0,
                  ntk_widths: Sequence[int] | None = (64, 128, 256, 512, 1024, 2048),
                  ntk_points: int = 24, ntk_seeds: int = 4, record: ArrayLike | None = None,
                  floor: float = 0.05, progress: Progress = None) -> SpectralBiasResult:
    r"""The spectral-bias experiment of Cao et al. (2019): kernel, network and theory on one target.

    Parameters
    ----------
    K : Kernel
        NTK of a bias-free FC network, ``sk.fc(L, "ntk", layer_weights=...)``; Cao et al.'s two-layer
        kernel is ``sk.fc(1, "ntk", layer_weights=(1/2, 1))``.
    dim : int
        d; the data are n points uniform on :math:`S^{d-1}`.
    n : int
        Sample size.
    width : int
        Hidden width m of the trained network (0: kernel only).
    steps : int
        Gradient-descent steps.
    degrees : sequence of int
        Target :math:`\sum_k P_k^{(d)}(\langle\xi, x\rangle)` (default :math:`P_1 + P_2 + P_4`).
    eta : float, optional
        Step size; default :math:`1/\lambda_{max}(G/n)` (stable for the kernel:
        :math:`\eta\hat\lambda \le 1`).
    seed : int
        Seeds the sample, ξ and the initialisations.
    ntk_widths : sequence of int or None
        Widths of the empirical-NTK comparison (None: skipped).
    ntk_points, ntk_seeds : int
        Gram size and initialisations per width of that comparison.
    record : sequence of int, optional
        Times at which the residual is recorded (default :func:`default_record`).
    floor : float
        Fit window of :func:`measure_rate`.
    progress : callable(done, total), optional
        Called as the network trains (and the NTK comparison runs).

    Returns
    -------
    SpectralBiasResult

    Notes
    -----
    Prediction: the degree-k part of the residual decays like :math:`(1 - \eta\mu_k)^t`, with
    :math:`\mu_k = c_d\int_{-1}^1 K(t) P_k^{(d)}(t)(1-t^2)^{(d-3)/2}dt` (SPEC §1), and on the sample like
    :math:`(1-\eta\hat\mu_k)^t`.  The measured rate λ of each model is fitted by :func:`measure_rate`.
    """
    dim = check_int("dim", dim, 2, MAX_DIM)
    n = check_int("n", n, 2, MAX_N)
    width = check_int("width", width, 0, 10**6)
    steps = check_int("steps", steps, 1, 10**7)
    degs = _check_degrees(degrees)
    depth, weights = network_spec(K)
    if width:
        work = steps * n * width * (3 * dim + 3 * width * (depth - 1) + 4)
        if work > MAX_WORK:
            raise ParameterError("width", width, f"a smaller problem: training would take about {work:.1e} "
                                 f"multiply-adds (limit {MAX_WORK:.0e}); reduce width, n, steps or depth")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    X = sample_sphere(n, dim, rng)
    target = zonal_target(X, degs, seed=rng)
    G = kernel_gram(K, X)
    lam, V = np.linalg.eigh(G / n)
    kmax = _kmax_for(dim, n, degs)
    mu_all = _population_eigenvalues(K, dim, kmax)
    mu = mu_all[list(degs)]
    mu_gram = gram_degree_eigenvalues(lam, dim, mu_all, degs)
    if eta is None:
        eta = 1.0 / float(lam[-1])
    eta = _check_positive("eta", eta)
    ts = default_record(steps) if record is None else _steps_array(record, "record")
    seconds["setup"] = time.perf_counter() - t0
    order = [degs[j] for j in sorted(range(len(degs)), key=lambda j: (-mu[j], j))]
    krun = kernel_dynamics(G, X, target, eta, ts, eig=(lam, V), order=order, floor=floor)
    seconds["kernel"] = krun.seconds
    nrun = None
    if width:
        nrun = network_dynamics(K, X, target, width, eta, steps, record=ts, seed=rng, order=order,
                                floor=floor, progress=progress)
        seconds["network"] = nrun.seconds
    ntk = None
    if ntk_widths:
        ntk = empirical_ntk_convergence(K, dim, ntk_widths, ntk_points, ntk_seeds, seed=rng)
        seconds["ntk"] = ntk.seconds
    seconds["total"] = time.perf_counter() - t0
    mults = [_multiplicity(dim, k) for k in degs]
    return SpectralBiasResult(K.name, depth, dim, n, width, eta, degs, mults, mu, mu_gram, krun, nrun, ntk,
                              seconds, [str(w) for w in K.info["layer_weights"]])
