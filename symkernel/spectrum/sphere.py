r"""Eigenvalues of dot-product kernels on the sphere :math:`S^{d-1}`: three independent routes.

By the Funk–Hecke formula (SPEC §1) the integral operator of :math:`K(\langle x,y\rangle)` on
:math:`L^2(S^{d-1}, \sigma)`, :math:`\sigma` the *normalised* uniform measure, has the spherical
harmonics of
degree k as eigenfunctions, with multiplicity :math:`N(d,k)` and eigenvalue

.. math::  \mu_k = c_d\int_{-1}^{1} K(t)\,P_k^{(d)}(t)\,(1-t^2)^{(d-3)/2}\,dt
               = c_d\int_0^\pi K(\cos\theta)\,P_k^{(d)}(\cos\theta)\,(\sin\theta)^{d-2}\,d\theta,
           \qquad c_d = \frac{\Gamma(d/2)}{\sqrt\pi\,\Gamma(\frac{d-1}{2})}.

Routes (SPEC §7), which share nothing but :mod:`.gegenbauer`:

``"quadrature"`` (a)
    Gauss–Legendre in the angle θ on :math:`[0, \pi]`.  Every kernel of the library is analytic in
    θ (the
    square-root singularities at :math:`t = \pm1` live only in the variable t, SPEC §2), so the
    rule converges
    exponentially; all :math:`k \le k_{max}` come from one set of nodes through the three-term
    recurrence,
    folded over the symmetry :math:`\theta \mapsto \pi - \theta` (:math:`P_k(-t) = (-1)^k P_k(t)`).
     In
    float64 the weights :math:`(\sin\theta)^{d-2}` are formed from logarithms; at ``dps`` digits
    the kernel is
    evaluated at every node in a private mpmath context and the recurrence runs over all nodes at
    once in
    fixed-point integers (numpy object arrays).  The number of nodes grows with :math:`k_{max} + d`
    and with
    the digits; the error estimate is the difference to a rule with about 15 % fewer nodes plus a
    bound on the
    rounding of the recurrence.  For large d the integral cancels massively (:math:`\mu_k` may be
    :math:`10^{-700}` while the integrand is of order :math:`N(d,k)^{-1/2}`): the working precision
    is raised
    until every :math:`\mu_k` has its requested *relative* accuracy.
``"series"`` (b)
    :math:`\mu_k = \sum_n b_n\,\mu_k(t^n)` with the Maclaurin coefficients :math:`b_n \ge 0` (all
    terms are
    positive: no cancellation for any d).  The tail :math:`n \ge N` is summed from the asymptotic
    form of
    :math:`b_n` (SPEC §8): near :math:`t = \pm1` the kernels have Puiseux expansions in
    half-integer powers,
    so within each parity class of n

    .. math::  b_n \simeq \sum_{j<J} A_j\,[t^n](1-t)^{\nu_0 + j},\qquad
               [t^n](1-t)^a = \frac{\Gamma(n-a)}{\Gamma(-a)\,\Gamma(n+1)} \sim
               \frac{n^{-a-1}}{\Gamma(-a)}

    (Flajolet & Odlyzko 1990); the :math:`A_j` are fitted by least squares on :math:`b_n`,
    :math:`N/3 \le n < 5N/6`, and checked on :math:`5N/6 \le n < N`.  Then with
    :math:`\tilde b_n = \sum_j A_j [t^n](1-t)^{a_j}` (the parity class of k),

    .. math::  \mu_k = \sum_{n<N} (b_n - \tilde b_n)\,\mu_k(t^n) + \sum_j A_j\,\mu_k[(1-t)^{a_j}]
                       + \sum_{n\ge N} (b_n - \tilde b_n)\,\mu_k(t^n),

    where the :math:`\mu_k[(1-t)^a]` are exact Gamma ratios
    (:func:`.gegenbauer.singular_power_eigenvalues`)
    and the last sum is bounded by the relative fit error times :math:`\mu_k` (positive terms).
    This keeps
    every digit for small d, where :math:`\mu_k(t^n)` decays only like :math:`n^{-(d-1)/2}` and the
    terms peak
    near :math:`n \approx k^2/d`, far beyond any computed coefficient.
``"reference"`` (c)
    ``mpmath.quad`` (tanh–sinh) in t over :math:`[-1, 1]` split into :math:`\lfloor k/2\rfloor + 2`
    pieces,
    per eigenvalue: slow, for tests only.

``"auto"`` uses the series route at ``dps`` digits (falling back to quadrature if the series cannot
certify
the digits) and quadrature in float64 mode (``dps=None``).

Coefficients that vanish *identically* (:mod:`symkernel.interpret.support`) make the eigenvalues of
the same
parity vanish identically: :math:`\mu_k = 0` exactly for odd :math:`k \ge 3` of the bias-free
two-layer
kernels (Bietti & Mairal 2019, Cao et al. 2019).  All routes return exact zeros there unless
``structural_zeros=False``.

References
----------
Funk–Hecke: C. Müller, *Spherical Harmonics* (1966); K. Atkinson and W. Han, *Spherical Harmonics
and
Approximations on the Unit Sphere* (2012), Thm 2.22.  A. Bietti and J. Mairal, "On the inductive
bias of neural
tangent kernels", NeurIPS 2019.  Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou and Q. Gu, "Towards
understanding the
spectral bias of deep learning", 2019.  P. Flajolet and A. Odlyzko, "Singularity analysis of
generating
functions", SIAM J. Discrete Math. 3 (1990).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np

from ..errors import ParameterError, PrecisionError, check_dps, check_int
from ..interpret import numeric as _numeric
from ..interpret.numeric import dps_to_bits, mp_context, output_context
from ..interpret.support import FULL, ZERO, is_structural_zero, support
from .gegenbauer import (
    check_dim,
    lgamma_np,
    log_sphere_constant,
    monomial_diagonal_mp,
    multiplicities,
    multiplicity,
    recurrence_step,
    singular_power_eigenvalues,
    sphere_constant_mp,
)

__all__ = ["EigenResult", "eigenvalues", "multiplicity", "METHODS", "gauss_legendre_mp",
           "gauss_legendre_numpy"]

METHODS = ("auto", "series", "quadrature", "reference")
MAX_KMAX = 100_000
Progress = Callable[[int, int], None] | None


# ================================================================================================
# result object
# ================================================================================================
@dataclass
class EigenResult:
    """Eigenvalues :math:`\\mu_0..\\mu_{k_{max}}` of a dot-product kernel on :math:`S^{d-1}`.

    Attributes
    ----------
    eigenvalues : list of mpf (``dps`` given) or numpy float64 array (``dps=None``)
        :math:`\\mu_k` for the *normalised* uniform measure; each eigenvalue has multiplicity
        :math:`N(d, k)`.
    multiplicities : list of int
        :math:`N(d, k)`, exact.
    error_estimate : list of mpf or numpy array
        Estimated absolute error of each :math:`\\mu_k` (0 for exact zeros).
    dim, kmax, dps, method :
        The request (``method`` is the route actually used).
    kernel : str
        Name of the kernel.
    info : dict
        Route details (nodes, working precision, series length, fit order ...).
    """

    eigenvalues: Any
    multiplicities: list[int]
    error_estimate: Any
    dim: int
    kmax: int
    dps: int | None
    method: str
    kernel: str = "kernel"
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.multiplicities)

    def __getitem__(self, k):
        return self.eigenvalues[k]

    def __iter__(self):
        return iter(self.eigenvalues)

    def relative_error(self) -> list[float]:
        """Estimated relative error of each eigenvalue as floats (0 where the eigenvalue is an exact 0)."""
        out = []
        for v, e in zip(self.eigenvalues, self.error_estimate):
            out.append(0.0 if e == 0 else (math.inf if v == 0 else float(abs(e) / abs(v))))
        return out

    def strings(self) -> list[str]:
        """Decimal strings with all requested digits (``repr`` of the float in float64 mode)."""
        if self.dps is None:
            return [repr(float(v)) for v in self.eigenvalues]
        out = output_context(self.dps)
        return [out.nstr(v, self.dps, min_fixed=-5, max_fixed=5) if v != 0 else "0"
                for v in self.eigenvalues]

    def trace(self):
        r""":math:`\sum_{k \le k_{max}} N(d,k)\,\mu_k` (tends to :math:`K(1)` as :math:`k_{max}\to\infty`)."""
        if self.dps is None:
            return float(sum(float(n) * float(v) for n, v in zip(self.multiplicities,
                                                                self.eigenvalues)))
        ctx = mp_context(dps_to_bits(self.dps + 10))
        return ctx.fsum(ctx.mpf(n) * v for n, v in zip(self.multiplicities, self.eigenvalues))

    def to_dict(self) -> dict:
        """JSON-ready dictionary: decimal strings for the numbers, ints for the multiplicities."""
        errs = ([repr(float(e)) for e in self.error_estimate] if self.dps is None
                else [mpmath.nstr(e, 3) for e in self.error_estimate])
        return {
            "kernel": self.kernel,
            "dim": self.dim,
            "sphere": f"S^{self.dim - 1}",
            "kmax": self.kmax,
            "dps": self.dps,
            "method": self.method,
            "measure": "normalised uniform measure on the sphere (total mass 1)",
            "eigenvalues": self.strings(),
            "multiplicities": list(self.multiplicities),
            "error_estimate": errs,
        }

    def __repr__(self) -> str:
        head = ", ".join(self.strings()[:3])
        return (f"EigenResult({self.kernel!r}, dim={self.dim}, kmax={self.kmax}, dps={self.dps}, "
                f"method={self.method!r}, eigenvalues=[{head}{', ...' if len(self) > 3 else ''}])")


# ================================================================================================
# public entry point
# ================================================================================================
def eigenvalues(K, dim: int, kmax: int, dps: int | None = None, method: str = "auto", *,
                structural_zeros: bool = True, progress: Progress = None) -> EigenResult:
    r"""Eigenvalues :math:`\mu_0, \dots, \mu_{k_{max}}` of a dot-product kernel on :math:`S^{d-1}`.

    Parameters
    ----------
    K : symkernel.Kernel
        A dot-product kernel (one input t), e.g. ``sk.fc(3, "ntk")``.
    dim : int
        d ≥ 2: the sphere is :math:`S^{d-1} \subset R^d`, with the normalised uniform measure.
    kmax : int
        Largest degree k.
    dps : int or None
        Significant digits of every eigenvalue (mpmath numbers); ``None`` for float64 bulk mode
        (numpy
        arrays, absolute accuracy of order :math:`10^{-16} K(1)`).
    method : {"auto", "series", "quadrature", "reference"}
        Route (module docstring); ``"reference"`` is slow and meant for tests.
    structural_zeros : bool
        Return exact zeros where every coefficient of the parity class vanishes identically.
    progress : callable(done, total), optional
        Called as the work advances (the CLI draws a progress bar with it).

    Returns
    -------
    EigenResult
        ``.eigenvalues``, ``.multiplicities`` (:math:`N(d,k)`), ``.error_estimate``.

    Notes
    -----
    Funk–Hecke (SPEC §1): :math:`\mu_k = c_d\int_{-1}^1 K(t) P_k^{(d)}(t)(1-t^2)^{(d-3)/2}dt` with
    :math:`P_k^{(d)}(1) = 1`, so that :math:`\sum_k N(d,k)\mu_k = K(1)`.

    Examples
    --------
    >>> import symkernel as sk
    >>> r = eigenvalues(sk.fc(1, "ntk"), dim=3, kmax=3, dps=20)
    >>> r.strings()
    ['0.5', '0.33333333333333333333', '0.078125', '0']
    >>> r.multiplicities
    [1, 3, 5, 7]
    """
    from ..kernel import Kernel

    if not isinstance(K, Kernel):
        raise ParameterError("kernel", K, "a symkernel Kernel (e.g. sk.fc(3, 'ntk'))")
    if len(K.inputs) > 1:
        raise ParameterError("kernel", K.name, "a dot-product kernel with one input t (for "
                             "multi-pixel kernels use the multisphere spectrum)")
    d = check_dim(dim)
    kmax = check_int("kmax", kmax, 0, MAX_KMAX)
    if dps is not None:
        dps = check_dps(dps)
    if method not in METHODS:
        raise ParameterError("method", method, f"one of {', '.join(METHODS)}")
    var = K.inputs[0] if K.inputs else "t"
    sup = support(K.node, var)
    known = [is_structural_zero(sup, k) for k in range(kmax + 1)]  # μ_k = 0 identically
    zeros = [structural_zeros and z for z in known]
    mults = multiplicities(d, kmax)

    if dps is None:
        if method in ("auto", "quadrature"):
            vals, errs, info = _quadrature_float(K, d, kmax, zeros)
            used = "quadrature"
        else:
            res = eigenvalues(K, d, kmax, 17, method, structural_zeros=structural_zeros,
                              progress=progress)
            vals = np.array([float(v) for v in res.eigenvalues])
            errs = np.array([float(e) for e in res.error_estimate]) + 1e-16 * np.abs(vals)
            info, used = res.info, res.method
        return EigenResult(vals, mults, errs, d, kmax, None, used, K.name, info)

    used = method
    if method in ("auto", "series"):
        try:
            vals, errs, info = _series_route(K, d, kmax, dps, sup, zeros, progress)
            used = "series"
        except PrecisionError:
            if method == "series":
                raise
            used = "quadrature"
    if used == "quadrature":
        # identically vanishing μ_k cannot be resolved to relative accuracy: checked absolutely
        vals, errs, info = _quadrature_mp(K, d, kmax, dps, known, progress)
    elif used == "reference":
        vals, errs, info = _reference(K, d, kmax, dps, zeros, progress)
    out = output_context(dps)
    if not structural_zeros:
        errs = [max(abs(e), abs(v)) if z else e for v, e, z in zip(vals, errs, known, strict=True)]
    vals = [out.mpf(0) if z else +out.convert(v) for v, z in zip(vals, zeros)]
    errs = [out.mpf(0) if z else +out.convert(abs(e)) for e, z in zip(errs, zeros)]
    return EigenResult(vals, mults, errs, d, kmax, dps, used, K.name, info)


# ================================================================================================
# helpers: kernel values at angles, Gauss–Legendre nodes
# ================================================================================================
def _kernel_at_angles_mp(K, thetas: Sequence, prec: int) -> list:
    """K(cos θ_i) at ``prec`` bits through the numeric interpreter's angle (defect) form."""
    return _numeric.evaluate_at_precision(K.node, prec, angles=thetas,
                                          variable=K.inputs[0] if K.inputs else "t")


def gauss_legendre_numpy(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes (ascending) and weights on [-1, 1] in float64.

    With python-flint (the ``fast`` extra) the nodes and weights are Arb's certified roots rounded to
    float64 (relative weight error ~1e-16; 0.03 s for n = 2000).  Otherwise ``scipy.special.roots_legendre``,
    whose weights are only accurate to ~1e-10 relative for n in the hundreds (measured against Arb);
    :data:`GL_WEIGHT_ERROR` records which, and the float64 quadrature route adds it to its error estimate.
    """
    return _gl_numpy_cached(int(n))[:2]


def gl_weight_error(n: int) -> float:
    """Relative accuracy of the weights returned by :func:`gauss_legendre_numpy` for this n."""
    return _gl_numpy_cached(int(n))[2]


@lru_cache(maxsize=16)
def _gl_numpy_cached(n: int):
    try:
        import flint
    except ImportError:
        from scipy.special import roots_legendre

        x, w = roots_legendre(n)
        return np.asarray(x, dtype=float), np.asarray(w, dtype=float), 2e-10
    old = flint.ctx.prec
    flint.ctx.prec = 80
    try:
        half = [flint.arb.legendre_p_root(n, i, weight=True) for i in range((n + 1) // 2)]
    finally:
        flint.ctx.prec = old
    xs = np.array([float(x) for x, _ in half])  # descending, >= 0
    ws = np.array([float(w) for _, w in half])
    if n % 2:
        x = np.concatenate([-xs[:-1], xs[::-1]])  # xs ends with the node 0
        w = np.concatenate([ws[:-1], ws[::-1]])
    else:
        x = np.concatenate([-xs, xs[::-1]])
        w = np.concatenate([ws, ws[::-1]])
    return x, w, 2e-16


def gauss_legendre_mp(n: int, prec: int) -> tuple[list, list]:
    """Gauss–Legendre nodes ≥ 0 (descending) and weights on [-1, 1] at ``prec`` bits.

    Only the non-negative half is returned (the rule is symmetric); when n is odd the node 0 comes
    last.
    python-flint's ``arb.legendre_p_root`` is used when installed, else Newton's iteration on the
    three-term recurrence in fixed-point integers from float64 starting values.
    """
    return _gl_mp_cached(int(n), int(prec))


@lru_cache(maxsize=8)
def _gl_mp_cached(n: int, prec: int):
    ctx = mp_context(prec)
    half = n // 2
    try:
        import flint

        old = flint.ctx.prec
        flint.ctx.prec = prec + 20
        try:
            xs, ws = [], []
            for i in range((n + 1) // 2):
                x, w = flint.arb.legendre_p_root(n, i, weight=True)
                xs.append(_arb_to_mpf(x, ctx))
                ws.append(_arb_to_mpf(w, ctx))
        finally:
            flint.ctx.prec = old
        return xs, ws
    except ImportError:  # pragma: no cover - exercised when python-flint is absent
        pass
    return _gl_newton_fixed(n, prec, ctx, half)


def _arb_to_mpf(x, ctx):
    man, exp = x.mid().man_exp()
    return ctx.ldexp(ctx.mpf(int(man)), int(exp))


def _gl_newton_fixed(n: int, prec: int, ctx, half: int):
    x64, _ = gauss_legendre_numpy(n)
    x64 = np.sort(x64)[::-1][: (n + 1) // 2]  # non-negative nodes, descending
    P = prec + 32
    one = 1 << P
    x = np.array([int(v * 2.0**60) << (P - 60) for v in x64], dtype=object)
    for _ in range(60):
        p0 = np.array([one] * len(x), dtype=object)
        p1 = x.copy()
        for j in range(1, n):
            p0, p1 = p1, ((2 * j + 1) * ((x * p1) >> P) - j * p0) // (j + 1)
        x2 = (x * x) >> P
        dp = (n * (((x * p1) >> P) - p0) << P) // (x2 - one)
        dx = (p1 << P) // dp
        x = x - dx
        if max(abs(int(v)) for v in dx) < 2**40:
            break
    p0 = np.array([one] * len(x), dtype=object)
    p1 = x.copy()
    for j in range(1, n):
        p0, p1 = p1, ((2 * j + 1) * ((x * p1) >> P) - j * p0) // (j + 1)
    xs = [ctx.ldexp(ctx.mpf(int(v)), -P) for v in x]
    ws = []
    for xi, pn1 in zip(xs, p0):
        pnm1 = ctx.ldexp(ctx.mpf(int(pn1)), -P)
        # P_n'(x) (1 - x^2) = n (P_{n-1} - x P_n), with P_n(x) = 0 at a node
        dp = n * pnm1 / (1 - xi * xi)
        ws.append(2 / ((1 - xi * xi) * dp * dp))
    return xs, ws


def _fold(values_pos, values_neg):
    """Even and odd combinations over the symmetric node pairs."""
    return values_pos + values_neg, values_pos - values_neg


# ================================================================================================
# route (a): Gauss–Legendre in θ
# ================================================================================================
def _nodes_for(kmax: int, d: int, digits: float) -> int:
    """A priori node count: the integrand is a trigonometric polynomial of degree k + d - 2 in θ times
    the (analytic in θ) kernel; GL on [0, π] resolves it past n ≈ (π/4)(k + d), then converges
    exponentially (≈ 0.8 nodes per extra digit, measured on the deep NTK)."""
    return int(math.ceil(1.0 * (kmax + d) + 0.8 * digits + 30))


def _quadrature_float(K, d: int, kmax: int, zeros):
    n = _nodes_for(kmax, d, 17)
    n_low = n - max(6, n // 7)
    hi, scale = _gl_float_pass(K, d, kmax, n)
    lo, _ = _gl_float_pass(K, d, kmax, n_low)
    k = np.arange(kmax + 1)
    # quadrature error (two rules) + rounding of the sum + error of the weights, relative to sum |w K|
    err = np.abs(hi - lo) + (8e-16 * (k + 2) + 4 * gl_weight_error(n)) * scale
    z = np.asarray(zeros, dtype=bool)
    hi = np.where(z, 0.0, hi)
    err = np.where(z, 0.0, err)
    return hi, err, {"nodes": n, "check_nodes": n_low, "precision": "float64"}


def _gl_float_pass(K, d: int, kmax: int, n: int):
    x, w = gauss_legendre_numpy(n)
    pos = x > 0
    mid = x == 0
    xp = x[pos]
    wp = w[pos]
    th_p = np.pi * (1 + xp) / 2  # θ in (π/2, π]; its mirror π - θ has t = -cos θ
    th_m = np.pi - th_p
    if d <= 300:
        # direct powers: ~1 ulp each (exp of a large log would amplify rounding by |log|)
        weight = wp * (np.pi / 2) * math.exp(log_sphere_constant(d)) * np.sin(th_p) ** (d - 2)
        amplification = 1.0
    else:  # (sin θ)^{d-2} underflows: log form, whose rounding grows like |base| eps
        base = np.log(wp) + math.log(np.pi / 2) + log_sphere_constant(d) + (d - 2) * np.log(np.sin(th_p))
        weight = np.exp(base)
        amplification = 1.0 + float(np.max(np.abs(base), initial=0.0))
    wk_p = weight * K.numpy(theta=th_p)
    wk_m = weight * K.numpy(theta=th_m)
    t = np.cos(th_m)  # positive t
    even, odd = _fold(wk_m, wk_p)
    if np.any(mid):
        wm = w[mid][0] * np.pi / 2 * math.exp(log_sphere_constant(d)) * float(
            K.numpy(theta=np.array([np.pi / 2]))[0])
        t = np.append(t, 0.0)
        even = np.append(even, wm)
        odd = np.append(odd, 0.0)
    scale = float(np.sum(np.abs(even))) * amplification
    out = np.empty(kmax + 1)
    p0 = np.ones_like(t)
    out[0] = even @ p0
    if kmax >= 1:
        p1 = t.copy()
        out[1] = odd @ p1
        for k in range(1, kmax):
            a, b, c = recurrence_step(k, d)
            p0, p1 = p1, (a * t * p1 - b * p0) / c
            out[k + 1] = (even if (k + 1) % 2 == 0 else odd) @ p1
    return out, scale


def _log_mu_estimate(d: int, kmax: int, nu: float) -> np.ndarray:
    r"""Rough :math:`\log_2 \mu_k` (k = 0..kmax) from :math:`b_n \approx n^{-\nu-1}`: a log-sum over a
    geometric grid of n of :math:`\log(b_n \mu_k(t^n))` (within a few digits; only used to choose
    the
    working precision of the quadrature)."""
    k = np.arange(kmax + 1, dtype=float)[:, None]
    mmax = max(10.0, 50.0 * (kmax + 1) ** 2 / d + 1000)
    m = np.unique(np.concatenate([np.arange(0, 50), np.round(np.geomspace(50, mmax, 300))]))[None, :]
    dm = np.gradient(m[0])[None, :]
    n = k + 2 * m
    logmu = (lgamma_np(n + 1) + math.lgamma(d / 2) - m * math.log(4) - lgamma_np(m + 1)
             - k * math.log(2) - lgamma_np(k + m + d / 2))
    logb = -(nu + 1) * np.log(n + 1) - 1.0
    terms = logmu + logb + np.log(np.maximum(dm, 1.0))
    top = terms.max(axis=1, keepdims=True)
    return ((top + np.log(np.exp(terms - top).sum(axis=1, keepdims=True))) / math.log(2)).ravel()


def _nu_of(K) -> float:
    """Leading singular exponent ν (b_n ~ n^{-ν-1}) from the kernel's metadata; 1/2 by default."""
    info = K.info or {}
    if info.get("arch") == "arccos":
        return int(info.get("order", 0)) + 0.5
    if info.get("kind") == "nngp":
        return 1.5
    return 0.5


def _quadrature_mp(K, d: int, kmax: int, dps: int, zeros, progress: Progress):
    target = dps_to_bits(dps) + 7  # relative accuracy wanted for every μ_k
    est = _log_mu_estimate(d, kmax, _nu_of(K))
    need = np.array([0.0 if z else -e for e, z in zip(est, zeros)])
    extra = int(max(0.0, need.max())) + 16
    vals = errs = None
    n_factor = 1.0
    passes = []
    for _attempt in range(12):
        W = target + extra + 2 * max(1, (kmax + 1).bit_length()) + 20
        digits = W * 0.30103
        n = int(_nodes_for(kmax, d, digits) * n_factor)
        n_low = n - max(6, n // 7)
        hi, rnd_hi = _gl_fixed_pass(K, d, kmax, n, W, progress)
        lo, _ = _gl_fixed_pass(K, d, kmax, n_low, W, None)
        ctx = mp_context(W + 40)
        quad_err = [abs(a - b) for a, b in zip(hi, lo)]
        passes.append({"bits": W, "nodes": n, "check_nodes": n_low})
        bad_round = bad_quad = 0.0
        ok = True
        for k in range(kmax + 1):
            if zeros[k]:
                continue
            v = abs(hi[k])
            tol = v * ctx.ldexp(1, -target + 4)
            if quad_err[k] + rnd_hi[k] <= tol:
                continue
            ok = False
            if quad_err[k] > rnd_hi[k] and quad_err[k] > tol:
                bad_quad = max(bad_quad, 1.0)
            if rnd_hi[k] > tol or v == 0:
                short = (float(ctx.log(rnd_hi[k] / tol, 2)) if v > rnd_hi[k] * 16
                         else extra + 64.0)
                bad_round = max(bad_round, short)
        vals = hi
        errs = [q + r for q, r in zip(quad_err, rnd_hi)]
        if ok:
            return vals, errs, {"passes": passes, "working_bits": W, "nodes": n,
                                "check_nodes": n_low}
        if bad_round:
            extra += int(bad_round) + 24
        if bad_quad:
            n_factor *= 1.3
        if W > 60_000:
            break
    raise PrecisionError(f"quadrature could not certify {dps} digits for all k <= {kmax} on "
                         f"S^{d - 1} (last pass: {passes[-1]}); try method='series'")


def _gl_fixed_pass(K, d: int, kmax: int, n: int, W: int, progress: Progress):
    """One Gauss–Legendre pass at W bits of fixed-point absolute precision.

    Returns the values (mpf) and a rounding-error bound for each k."""
    prec = W + 40
    ctx = mp_context(prec)
    xs, ws = gauss_legendre_mp(n, prec)
    half_pi = ctx.pi / 2
    cd = sphere_constant_mp(d, ctx)
    # node x >= 0 ↔ θ = π(1+x)/2 ∈ [π/2, π] (t = cos θ <= 0); its mirror π - θ has t = -cos θ >= 0
    th_neg = [half_pi * (1 + x) for x in xs]
    th_pos = [ctx.pi - th for th in th_neg]
    mid = (n % 2 == 1)
    kn = _kernel_at_angles_mp(K, th_neg, prec)
    kp = _kernel_at_angles_mp(K, th_pos, prec)
    one = 1 << W
    even, odd, ts = [], [], []
    for i, (x, w) in enumerate(zip(xs, ws)):
        s = ctx.cos(half_pi * x)  # sin θ
        base = cd * half_pi * w * s ** (d - 2)
        if mid and i == len(xs) - 1:
            even.append(int(ctx.nint(ctx.ldexp(base * kp[i], W))))
            odd.append(0)
            ts.append(0)
            continue
        a = base * kp[i]
        b = base * kn[i]
        even.append(int(ctx.nint(ctx.ldexp(a + b, W))))
        odd.append(int(ctx.nint(ctx.ldexp(a - b, W))))
        ts.append(int(ctx.nint(ctx.ldexp(ctx.sin(half_pi * x), W))))  # t = sin(πx/2) = -cos θ
    even = np.array(even, dtype=object)
    odd = np.array(odd, dtype=object)
    t = np.array(ts, dtype=object)
    scale = int(sum(abs(int(v)) for v in even)) + 1
    vals_int = [0] * (kmax + 1)
    p0 = np.array([one] * len(t), dtype=object)
    vals_int[0] = int(np.dot(even, p0))
    if kmax >= 1:
        p1 = t.copy()
        vals_int[1] = int(np.dot(odd, p1))
        for k in range(1, kmax):
            a, b, c = recurrence_step(k, d)
            p0, p1 = p1, (a * ((t * p1) >> W) - b * p0) // c
            vals_int[k + 1] = int(np.dot(even if (k + 1) % 2 == 0 else odd, p1))
            if progress is not None and k % 64 == 0:
                progress(k, kmax)
    if progress is not None:
        progress(kmax, kmax)
    vals = [ctx.ldexp(ctx.mpf(v), -2 * W) for v in vals_int]
    # each P_k carries at most ~2(k+1) units of 2^-W (one rounding per step, stable recurrence), and
    # each weight half a unit
    unit = ctx.ldexp(ctx.mpf(scale), -2 * W)
    rnd = [unit * (4 * (k + 2)) + ctx.ldexp(len(t), -W) for k in range(kmax + 1)]
    return vals, rnd


# ================================================================================================
# route (b): the power series with an asymptotic tail
# ================================================================================================
def _g_coefficients(a, N: int, ctx) -> list:
    """[t^n](1-t)^a for n < N by g_{n+1} = g_n (n - a)/(n + 1)."""
    g = [ctx.mpf(1)]
    for n in range(N - 1):
        g.append(g[-1] * (n - a) / (n + 1))
    return g


def _g_at(a, n: int, ctx):
    return ctx.exp(ctx.loggamma(n - a) - ctx.loggamma(n + 1)) / ctx.gamma(-a)


def _fit_tail(b: list, parity: int, N: int, nu0, ctx, want: float):
    """Least-squares fit of b_n (n ≡ parity) by Σ_j A_j [t^n](1-t)^{nu0+j} on N/3 ≤ n < 5N/6.

    Returns (A, exponents, holdout relative error) for the best order J found.

    TODO: seed the leading A_j with the exact endpoint constants of
    ``symkernel.interpret.singular.singular_terms`` / ``endpoint_coefficients`` (c_+ + (-1)^n c_- for the
    s^{ν+j} terms, SPEC §8) and fit only the remainder; the fit is validated independently today (hold-out
    error, and the quadrature route agrees to 30 digits for d = 3..1000, k ≤ 1000)."""
    fit_n = [n for n in range(N // 3, (5 * N) // 6) if n % 2 == parity and b[n] != 0]
    hold_n = [n for n in range((5 * N) // 6, N) if n % 2 == parity and b[n] != 0]
    hold_n = hold_n[:: max(1, len(hold_n) // 40)]
    best = None
    worse = 0
    J = 4
    while J <= 64:
        exps = [nu0 + j for j in range(J)]
        rows = fit_n[:: max(1, len(fit_n) // (3 * J))]
        if len(rows) < J + 2:
            break
        scale = [ctx.mpf(N) ** (a + 1) for a in exps]
        A = ctx.matrix(len(rows), J)
        y = ctx.matrix(len(rows), 1)
        for i, n in enumerate(rows):
            for j, a in enumerate(exps):
                A[i, j] = _g_at(a, n, ctx) * scale[j] / b[n]
            y[i] = 1
        try:
            x, _res = ctx.qr_solve(A, y)
        except ZeroDivisionError:  # pragma: no cover
            break
        coef = [x[j] * scale[j] for j in range(J)]
        err = max(abs(1 - sum(c * _g_at(a, n, ctx) for c, a in zip(coef, exps)) / b[n])
                  for n in hold_n)
        if best is None or err < best[2]:
            best = (coef, exps, err)
            worse = 0
        else:
            worse += 1
        if best[2] < want or worse >= 2:
            break
        J += 4
    return best


def _series_route(K, d: int, kmax: int, dps: int, sup, zeros, progress: Progress):
    guard = 12
    dps_b = dps + guard + 8
    ctx = mp_context(dps_to_bits(2 * dps_b + 20))
    singular = [sup[p] == FULL for p in (0, 1)]
    entire = (K.info or {}).get("arch") == "gaussian" or not any(singular)
    if entire:
        bounds = [sup[p] for p in (0, 1) if sup[p] not in (ZERO, FULL)]
        N = max([kmax + 2 * dps + 80, 64] + [m + 2 for m in bounds])
    else:
        N = 1500 + 40 * dps
    b = [ctx.convert(v) for v in K.coefficients(N, dps=dps_b)]
    if entire and any(singular):
        last = max(abs(b[-1]), abs(b[-2]))
        if last > ctx.mpf(10) ** (-dps_b) * max(abs(v) for v in b):
            raise PrecisionError("the coefficients of this kernel do not decay fast enough for "
                                 "the series route without a singular tail")
    # ---- tail model per parity class
    want = 10.0 ** (-(dps + guard))
    fits: dict[int, Any] = {}
    fit_err = [ctx.mpf(0), ctx.mpf(0)]
    nu0 = ctx.mpf(_nu_of(K))
    for p in (0, 1):
        if entire or not singular[p]:
            continue
        fit = _fit_tail(b, p, N, nu0, ctx, want)
        if fit is None:
            raise PrecisionError("could not fit the asymptotic form of the coefficients")
        fits[p] = fit
        fit_err[p] = ctx.mpf(fit[2])
    btilde = [[ctx.mpf(0)] * N, [ctx.mpf(0)] * N]
    for p, (coef, exps, _e) in fits.items():
        acc = [ctx.mpf(0)] * N
        for c, a in zip(coef, exps):
            g = _g_coefficients(a, N, ctx)
            for n in range(p, N, 2):
                acc[n] += c * g[n]
        btilde[p] = acc
    r = [b[n] - btilde[n % 2][n] for n in range(N)]
    # ---- fixed-point head sum, vectorised over k
    nonzero = [abs(v) for v in b if v != 0]
    min_b = min(nonzero) if nonzero else ctx.mpf(1)
    Pb = dps_to_bits(dps_b) + max(0, int(-ctx.log(min_b, 2))) + 8
    WM = dps_to_bits(dps_b) + 2 * N.bit_length() + 16
    R = np.array([int(ctx.nint(ctx.ldexp(v, Pb))) for v in r], dtype=object)
    K1 = kmax + 1
    M = np.array([1 << WM] * K1, dtype=object)
    S = np.array([0] * K1, dtype=object)
    SM = np.array([0] * K1, dtype=object)
    ks = np.arange(K1, dtype=np.int64)
    steps = (N + 1) // 2
    for m in range(steps):
        L = min(K1, N - 2 * m)
        if L <= 0:
            break
        n = ks[:L] + 2 * m
        Mv = M[:L]
        S[:L] += R[n] * Mv
        SM[:L] += Mv
        num = ((n + 1) * (n + 2)).astype(object)
        den = ((2 * m + 2) * (2 * ks[:L] + 2 * m + d)).astype(object)
        M[:L] = Mv * num // den
        if progress is not None and m % 32 == 0:
            progress(m, steps)
    if progress is not None:
        progress(steps, steps)
    diag = monomial_diagonal_mp(kmax, d, ctx)
    head = [ctx.ldexp(ctx.mpf(int(S[k])) * diag[k], -WM - Pb) for k in range(K1)]
    sum_mono = [ctx.ldexp(ctx.mpf(int(SM[k])) * diag[k], -WM) for k in range(K1)]
    # ---- closed-form part Σ_j A_j μ_k[(1-t)^{a_j}]
    closed = [ctx.mpf(0)] * K1
    for p, (coef, exps, _e) in fits.items():
        for c, a in zip(coef, exps):
            mu_a = singular_power_eigenvalues(a, kmax, d, ctx)
            for k in range(p, K1, 2):
                closed[k] += c * mu_a[k]
    vals, errs = [], []
    tail_unfit = ctx.mpf(0)
    if entire:
        tail_unfit = 4 * max(abs(b[-1]), abs(b[-2]))
    for k in range(K1):
        v = head[k] + closed[k]
        e = (10 * fit_err[k % 2] * abs(v)
             + ctx.ldexp(sum_mono[k], -Pb + 2)
             + ctx.ldexp(abs(head[k]), -WM + 2 * N.bit_length() + 2)
             + abs(v) * ctx.mpf(10) ** (-dps_b + 2))
        if entire:
            # terms beyond N: b_n decays faster than geometrically; μ_k(t^n) ≤ μ_k(t^{N'}) growth bounded
            e += tail_unfit * ctx.ldexp(ctx.mpf(int(M[k])) * diag[k], -WM)
        vals.append(v)
        errs.append(e)
    for k in range(K1):
        if not zeros[k] and errs[k] > abs(vals[k]) * ctx.mpf(10) ** (-dps) / 2:
            raise PrecisionError(f"series route: mu_{k} not certified to {dps} digits "
                                 f"(estimated relative error {mpmath.nstr(errs[k] / abs(vals[k]), 3)})")
    info = {"series_terms": N, "coefficient_dps": dps_b,
            "tail_fit": {p: {"order": len(f[0]), "exponents": [str(a) for a in f[1]],
                             "holdout_relative_error": mpmath.nstr(f[2], 3)}
                         for p, f in fits.items()},
            "fixed_point_bits": {"coefficients": Pb, "monomials": WM}}
    return vals, errs, info


# ================================================================================================
# route (c): mpmath.quad in t, per eigenvalue (reference, slow)
# ================================================================================================
def _reference(K, d: int, kmax: int, dps: int, zeros, progress: Progress):
    from .gegenbauer import gegenbauer_mp

    prec = dps_to_bits(dps + 15)
    ctx = mp_context(prec)
    name = K.inputs[0] if K.inputs else "t"
    cd = sphere_constant_mp(d, ctx)
    expo = ctx.mpf(d - 3) / 2
    vals, errs = [], []
    cache: dict = {}

    def kern(t):
        key = t
        v = cache.get(key)
        if v is None:
            v = cache[key] = _numeric.evaluate_at_precision(K.node, prec, points=[t], variable=name)[0]
        return v

    for k in range(kmax + 1):
        if zeros[k]:
            vals.append(ctx.mpf(0))
            errs.append(ctx.mpf(0))
            continue

        def f(t, k=k):
            if abs(t) >= 1:
                return ctx.mpf(0)
            return kern(t) * gegenbauer_mp(k, d, t, ctx)[k] * (1 - t * t) ** expo

        pts = ctx.linspace(-1, 1, k // 2 + 2)
        v, e = ctx.quad(f, pts, error=True, maxdegree=10)
        vals.append(cd * v)
        errs.append(cd * e)
        if progress is not None:
            progress(k + 1, kmax + 1)
    return vals, errs, {"quad": "mpmath tanh-sinh in t", "working_dps": dps + 15}
