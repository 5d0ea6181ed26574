r"""Eigenvalues of dot-product kernels on the sphere :math:`S^{d-1}`: three independent routes.

By the Funk–Hecke formula (SPEC §1) the integral operator of :math:`K(\langle x,y\rangle)` on
:math:`L^2(S^{d-1}, \sigma)`, :math:`\sigma` the *normalised* uniform measure, has the spherical
harmonics of degree k as eigenfunctions, with multiplicity :math:`N(d,k)` and eigenvalue

.. math::  \mu_k = c_d\int_{-1}^{1} K(t)\,P_k^{(d)}(t)\,(1-t^2)^{(d-3)/2}\,dt
               = c_d\int_0^\pi K(\cos\theta)\,P_k^{(d)}(\cos\theta)\,(\sin\theta)^{d-2}\,d\theta,
           \qquad c_d = \frac{\Gamma(d/2)}{\sqrt\pi\,\Gamma(\frac{d-1}{2})}.

Routes (SPEC §7), which share nothing but :mod:`.gegenbauer`:

``"quadrature"`` (a)
    Gauss–Legendre in the angle θ on :math:`[0, \pi]`.  The kernels of the library are analytic in
    θ on the closed interval (the square-root singularities at :math:`t = \pm1` live only in the
    variable t: :math:`\sqrt{1-t} = \sqrt2\sin(\theta/2)`, SPEC §2), so the rule converges
    exponentially; all :math:`k \le k_{max}` come from one set of nodes through the three-term
    recurrence, folded over the symmetry :math:`\theta \mapsto \pi - \theta`
    (:math:`P_k(-t) = (-1)^k P_k(t)`).

    *float64* (``dps=None``, bulk mode; accuracy **absolute**, of order
    :math:`(k + d)\,10^{-16}\sum_i w_i|K|`).  The Chebyshev coefficients :math:`a_i` of
    :math:`f(x) = K(\cos\theta)`, :math:`\theta = \pi(1+x)/2`, are computed first (DCT on 65 up to
    4097 points) and bounded by an envelope :math:`C\rho^{-i}`.  :math:`q_k(x) = P_k(\cos\theta)
    \sin^{d-2}\theta` is a trigonometric polynomial in θ with coefficients of absolute sum ≤ 1,
    all but :math:`2e^{-M^2/(2(d-2))}` of them (Hoeffding) at frequencies ≤ k + M, and the
    Chebyshev coefficients of :math:`e^{im\theta}` in x are :math:`2|J_j(m\pi/2)|` (Jacobi–Anger),
    bounded by Kapteyn's inequality.  A rule with n nodes is exact to degree 2n - 1, so

    .. math::  |E_n[\mu_k]| \le \tfrac{\pi}{2}c_d\Bigl(8\sum_i C\rho^{-i}
               \sum_{j \ge 2n-i}|J_j(\tfrac{\pi}{2}(k+M))| + 8\max|f|\,e^{-M^2/(2(d-2))}\Bigr),

    and n (≈ :math:`\frac{\pi}{4}(k_{max} + M)` plus a few dozen) is the smallest multiple of 32
    that puts this below :math:`10^{-19}\max|f|`: one rule, no second rule for an error estimate.
    The weights :math:`c_d w_i \sin^{d-2}\theta_i` and :math:`t_i` are formed in ``longdouble``
    from the exact float64 nodes; nodes whose weight is below :math:`10^{-22}` of the largest are
    dropped (large d: most of them).  The recurrence runs on :math:`u_k = P_k/F_k` (three in-place
    array operations per degree, rescaled by powers of 2).  The error estimate adds the bound,
    the rounding of the recurrence (:math:`4\epsilon(k+2)\sum_i w_i|f|`), of the weights and of
    the kernel values (noise level read off the Chebyshev coefficients).  A kernel that is *not*
    analytic in θ (e.g. :math:`\kappa_0(\kappa_0(t)) \sim \sqrt\theta`) is detected by the
    Chebyshev coefficients and falls back to two rules (n and n/2 nodes, their difference as the
    estimate).

    *dps digits*: the kernel is evaluated at every node in a private mpmath context and the
    recurrence runs over all nodes at once in fixed-point integers (numpy object arrays).  The
    number of nodes grows with :math:`k_{max} + d` and with the digits; the error estimate is the
    difference to a rule with about 15 % fewer nodes plus a bound on the rounding of the
    recurrence.  For large d the integral cancels massively (:math:`\mu_k` may be
    :math:`10^{-700}` while the integrand is of order :math:`N(d,k)^{-1/2}`): the working precision
    is raised until every :math:`\mu_k` has its requested *relative* accuracy.
``"series"`` (b)
    :math:`\mu_k = \sum_n b_n\,\mu_k(t^n)` with the Maclaurin coefficients :math:`b_n \ge 0` (all
    terms are positive: no cancellation for any d).  The tail :math:`n \ge N` is summed from the
    singular expansions at :math:`t = \pm1` (SPEC §8): with the exact constants of
    :math:`K(1-s) = P_+(s) + \sum_j c^+_j s^{\alpha_j}` and :math:`K(-1+s) = P_-(s) + \sum_j c^-_j
    s^{\alpha_j}` (:mod:`symkernel.interpret.singular`, any ramification; evaluated by
    :func:`symkernel.asymptotics.singular_constants`), the Darboux expansion (Flajolet & Odlyzko
    1990, Thm 2) of the coefficients of each parity class of n is

    .. math::  b_n = \tilde b_n + r_n,\qquad \tilde b_n = \sum_{\alpha_j \le O-1}
               (c^+_j + (-1)^n c^-_j)\,[t^n](1-t)^{\alpha_j},\qquad
               [t^n](1-t)^a = \frac{\Gamma(n-a)}{\Gamma(-a)\,\Gamma(n+1)},

    and, since :math:`\sum_n [t^n](1\mp t)^a\,\mu_k(t^n) = \mu_k[(1\mp t)^a]` exactly
    (:math:`a > 0`; the exact Gamma ratios of :func:`.gegenbauer.singular_power_eigenvalues`,
    :math:`\mu_k[(1+t)^a] = (-1)^k\mu_k[(1-t)^a]`),

    .. math::  \mu_k = \sum_{n<N} r_n\,\mu_k(t^n) + \sum_{\alpha_j \le O-1}(c^+_j + (-1)^k c^-_j)\,
                       \mu_k[(1-t)^{\alpha_j}] + \sum_{n\ge N} r_n\,\mu_k(t^n).

    The last sum is the error: the first omitted terms (:math:`O - 1 < \alpha_j \le O`) estimate
    :math:`r_n`, N is chosen a priori so that twice them stay below :math:`10^{-dps}/8` of
    :math:`|\tilde b_n|` for every n ≥ N (geometric grid up to :math:`10^{12}`, model of one sign),
    and the computed :math:`b_n` must obey :math:`|r_n| \le 1.5\times` (omitted terms) on
    :math:`N/2 \le n < N` (else N is doubled, twice, then :class:`PrecisionError`).  Then
    :math:`|\sum_{n \ge N} r_n\mu_k(t^n)| \le \frac{\rho}{1-\rho}\,(|\mu_k| + \text{head terms of
    the other sign})`.  The orders :math:`O_\pm` grow with the digits (16 at 30 digits: N ≈ 550
    for the depth-3 NTK, where a fitted tail needed 2700 coefficients).  This keeps every digit
    for small d, where :math:`\mu_k(t^n)` decays only like :math:`n^{-(d-1)/2}` and the terms peak
    near :math:`n \approx k^2/d`, far beyond any computed coefficient.  Kernels the singular
    interpreter cannot expand, and deep kernels at high precision whose expansions converge too
    slowly (N above 8000), fall back to a least-squares fit of :math:`A_j [t^n](1-t)^{\nu+j}` on
    :math:`N/3 \le n < 5N/6`, checked on :math:`5N/6 \le n < N` (``info["tail"]`` says which).
``"reference"`` (c)
    ``mpmath.quad`` (tanh–sinh) in t, per eigenvalue: slow, for tests only.  The two halves of
    :math:`[-1, 1]` are folded (:math:`P_k(-t) = (-1)^k P_k(t)`) and integrated in
    :math:`v \in [0, 1]`, :math:`|t| = 1 - v^2`, split into :math:`\lfloor k/4\rfloor + 1` pieces:
    the weight :math:`(1-t^2)^{(d-3)/2}dt = 2v^{d-2}(2-v^2)^{(d-3)/2}dv` is regular at the endpoint
    even for d = 2 (the kernel is evaluated at t, as a function of t).

``"auto"`` uses the series route at ``dps`` digits (falling back to quadrature if the series cannot
certify the digits) and quadrature in float64 mode (``dps=None``).

Coefficients that vanish *identically* (:mod:`symkernel.interpret.support`) make the eigenvalues of
the same parity vanish identically: :math:`\mu_k = 0` exactly for odd :math:`k \ge 3` of the
bias-free two-layer kernels (Bietti & Mairal 2019, Cao et al. 2019).  All routes return exact zeros
there unless ``structural_zeros=False``.

References
----------
Funk–Hecke: C. Müller, *Spherical Harmonics* (1966); K. Atkinson and W. Han, *Spherical Harmonics
and Approximations on the Unit Sphere* (2012), Thm 2.22.  A. Bietti and J. Mairal, "On the
inductive bias of neural tangent kernels", NeurIPS 2019.  Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou and
Q. Gu, "Towards understanding the spectral bias of deep learning", 2019.  P. Flajolet and A.
Odlyzko, "Singularity analysis of generating functions", SIAM J. Discrete Math. 3 (1990).
Gauss–Legendre error for analytic integrands and Chebyshev coefficients: L. N. Trefethen,
*Approximation Theory and Approximation Practice* (2013), Thms 8.1 and 19.3.  Kapteyn's inequality
and Jacobi–Anger: NIST DLMF 10.14.5 and §10.12.  Hoeffding's inequality: W. Hoeffding, JASA 58
(1963).
"""

from __future__ import annotations

import math
import time
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
        if self.dps is None:  # N(d, k) overflows float64 for large d and k
            ctx = mp_context(80)
            return float(ctx.fsum(ctx.mpf(n) * float(v) for n, v in zip(self.multiplicities,
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
        (numpy arrays; the accuracy is *absolute*, of order :math:`(k + d)\,10^{-16}` times
        :math:`c_d\int|K(\cos\theta)|\sin^{d-2}\theta\,d\theta \le K(1)`, and
        ``error_estimate`` bounds it).
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

    With python-flint (the ``fast`` extra) the nodes and weights are Arb's certified roots (64-bit
    balls) rounded to float64 (relative weight error ~1.1e-16; ~0.05 s for n = 2000, cached per
    process).  Otherwise ``scipy.special.roots_legendre``, whose weights are only accurate to ~1e-10
    relative for n in the hundreds (measured against Arb); :func:`gl_weight_error` records which, and
    the float64 quadrature route adds it to its error estimate.
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
    flint.ctx.prec = 64  # balls of radius ~1e-19 relative: rounding to float64 dominates
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


# ================================================================================================
# route (a): Gauss–Legendre in θ
# ================================================================================================
def _nodes_for(kmax: int, d: int, digits: float) -> int:
    """A priori node count: the integrand is a trigonometric polynomial of degree k + d - 2 in θ times
    the (analytic in θ) kernel; GL on [0, π] resolves it past n ≈ (π/4)(k + d), then converges
    exponentially (≈ 0.8 nodes per extra digit, measured on the deep NTK)."""
    return int(math.ceil(1.0 * (kmax + d) + 0.8 * digits + 30))


# ------------------------------------------------------------------------------------------------
# float64 bulk mode: one Gauss–Legendre rule with an a priori error bound
# ------------------------------------------------------------------------------------------------
#: target of the a priori quadrature bound, relative to max |K(cos θ)| (far below float64 rounding)
_F64_QUAD_TARGET = 1e-19
#: nodes whose weight c_d w (sin θ)^{d-2} is below this fraction of the largest weight are dropped
_F64_DROP = 1e-22
#: relative size of the Chebyshev coefficients of K(cos θ) that counts as "resolved"
_F64_RESOLVED = 1e-13
_LD_PI = np.longdouble("3.14159265358979323846264338327950288")
_LD_EPS = float(np.finfo(np.longdouble).eps)


@dataclass(frozen=True)
class _AngleProfile:
    r"""Chebyshev profile of :math:`f(x) = K(\cos\theta)`, :math:`\theta = \pi(1+x)/2`, on [-1, 1].

    The Chebyshev coefficients are taken to obey :math:`|a_i| \le \max(C\rho^{-i}, C_2 i^{-p})`:
    both envelopes lie above every computed coefficient up to ``degree`` (the first i with
    :math:`\max_{j\ge i}|a_j| \le 10^{-13}\max|a|`), ρ and p are the geometric and the algebraic
    decay rates read off :math:`[degree/2, degree]`, and beyond ``degree`` the larger envelope is the
    extrapolation (the algebraic one guards against a singularity of high order, whose coefficients
    fall like a power of i and would be underestimated by a geometric law).  ``fmax``: max |f| on the
    samples; ``noise``: estimated absolute rounding error of one float64 value of f."""

    C: float
    rho: float
    C2: float
    p: float
    fmax: float
    noise: float
    degree: int
    samples: int

    def envelope(self, i: np.ndarray) -> np.ndarray:
        i = np.asarray(i, dtype=float)
        return np.maximum(self.C * np.exp(-math.log(self.rho) * i),
                          self.C2 * np.maximum(i, 1.0) ** (-self.p))


def _angle_profile(K) -> _AngleProfile | None:
    return _angle_profile_cached(K.node, K.inputs[0] if K.inputs else "t")


@lru_cache(maxsize=64)
def _angle_profile_cached(node, name: str) -> _AngleProfile | None:
    """Chebyshev coefficients of K(cos θ) in θ ∈ [0, π] (DCT-I on Chebyshev–Lobatto points, 65 up to
    4097 points); resolved when they fall below 1e-13 of the largest within the first quarter (the
    second half is then rounding noise); ``None`` when they never do, or decay slower than
    :math:`i^{-3}` (K(cos θ) not analytic in θ on [0, π], e.g. κ_0(κ_0(t)) ~ √θ)."""
    from scipy.fft import dct

    N = 64
    while N <= 4096:
        x = np.cos(np.pi * np.arange(N + 1) / N)
        f = np.asarray(_numeric.evaluate_numpy(node, angles={name: np.pi * (1 + x) / 2}), dtype=float)
        if not np.all(np.isfinite(f)):
            return None
        a = dct(f, type=1) / N
        a[0] /= 2
        a[-1] /= 2
        a = np.abs(a)
        C = float(a.max())
        fmax = float(np.abs(f).max())
        if C == 0.0:
            return _AngleProfile(0.0, 1e4, 0.0, 50.0, 0.0, 0.0, 0, N)
        env = np.maximum.accumulate(a[::-1])[::-1]  # env[i] = max_{j >= i} |a_j|
        below = np.nonzero(env <= _F64_RESOLVED * C)[0]
        if len(below) and below[0] <= N // 4:
            m = max(2, int(below[0]))
            h = m // 2
            lo_env = max(float(env[m]), 1e-300 * C)
            drop = math.log(float(env[h]) / lo_env)
            # geometric rate over [m/2, m] (the asymptotic rate of a function analytic in a Bernstein
            # ellipse; conservative when the decay accelerates), slowed by 10 %; algebraic exponent
            # over the same range; constants that put both envelopes above every coefficient up to m
            rate = min(max(0.9 * drop / (m - h), 1e-3), 9.0)
            p = min(0.9 * drop / math.log(m / h), 50.0)
            if p <= 3.0:
                return None
            i = np.arange(m + 1)
            C1 = float(np.max(env[:m + 1] * np.exp(rate * i)))
            C2 = float(np.max(env[1:m + 1] * i[1:] ** p))
            # the coefficients beyond N/2 are rounding noise of f: DCT-I of N+1 values with
            # independent errors of size s has coefficients of size ~ s sqrt(2/N)
            plateau = float(a[N // 2:].max())
            noise = max(plateau * math.sqrt(N), 4 * np.finfo(float).eps * fmax)
            return _AngleProfile(C1, math.exp(rate), C2, p, fmax, noise, m, N)
        N *= 4
    return None


def _kapteyn_tail(J: np.ndarray, z: float) -> np.ndarray:
    r""":math:`T(J, z) \ge \sum_{j \ge J} |J_j(z)|` for integer arrays J (any sign; j < 0 counted as 0).

    Kapteyn's inequality (DLMF 10.14.5) :math:`|J_j(j u)| \le \bigl(u e^{\sqrt{1-u^2}} /
    (1 + \sqrt{1-u^2})\bigr)^j` for :math:`0 < u \le 1`, and :math:`|J_j| \le 1`.  The terms decrease
    with a decreasing ratio beyond j = z, so the sum past the last term kept is bounded by a geometric
    series."""
    J = np.asarray(J, dtype=np.int64)
    if z <= 0.0:  # J_j(0) = [j == 0]
        return np.where(J <= 0, 1.0 - J, 0.0)
    j0 = max(0, int(J.min()))
    top = max(int(J.max()), int(math.ceil(z))) + 1
    L = 64
    while True:
        j = np.arange(j0, top + L, dtype=float)
        u = np.minimum(1.0, z / np.maximum(j, 1.0))
        r = np.sqrt(1.0 - u * u)
        with np.errstate(divide="ignore"):
            logk = j * (np.log(u) + r - np.log1p(r))
        vals = np.exp(np.minimum(logk, 0.0))
        if vals[-1] < 1e-300 or vals[-1] < 1e-60 * vals.max():
            break
        L *= 2
    ratio = vals[-1] / vals[-2] if len(vals) > 1 and vals[-2] > 0 else 0.0
    tail = vals[-1] * ratio / (1 - ratio) if ratio < 1 else math.inf
    cum = np.cumsum(vals[::-1])[::-1] + tail
    idx = np.clip(J - j0, 0, len(j) - 1)
    out = cum[idx]
    return np.where(J < j0, out + (j0 - J), out)  # j < j0: at most 1 each (j0 = 0 here)


def _quadrature_bound(n: int, k: int, d: int, M: int, prof: _AngleProfile) -> float:
    r"""A priori bound on the Gauss–Legendre error of :math:`\mu_k` with n nodes in θ (float64 route).

    With :math:`x = 2\theta/\pi - 1`, :math:`\mu_k = \frac{\pi}{2}c_d\int_{-1}^{1} f(x)\,q_k(x)\,dx`,
    :math:`q_k = P_k(\cos\theta)\sin^{d-2}\theta`.  :math:`q_k` is a trigonometric polynomial in θ
    whose coefficients have absolute sum ≤ 1 (those of :math:`P_k(\cos\theta)` are ≥ 0 and sum to
    :math:`P_k(1) = 1`, DLMF 18.5.11; those of :math:`\sin^{d-2}\theta` are binomial/2^{d-2}), with all
    but a mass :math:`2e^{-M^2/(2(d-2))}` (Hoeffding) at frequencies ≤ k + M.  By Jacobi–Anger the
    Chebyshev coefficients (in x) of :math:`e^{im\theta}` are :math:`2|J_j(m\pi/2)|`.  The rule is
    exact for degree 2n - 1 and :math:`|E_n[g]| \le 4\|g\|_\infty`, so with f's Chebyshev coefficients
    :math:`|a_i| \le A_i` (:meth:`_AngleProfile.envelope`)

    .. math::  |E_n[f q_k]| \le \tfrac{\pi}{2} c_d\,\Bigl(8\sum_i A_i\,T(2n-i, (k+M)\tfrac{\pi}{2})
               + 4\max|f|\cdot 2e^{-M^2/(2(d-2))}\Bigr),

    :math:`T(J, z) \ge \sum_{j\ge J}|J_j(z)|` (:func:`_kapteyn_tail`); the sum over i is bounded in
    closed form on both sides of a split point (below).
    """
    z = (k + M) * math.pi / 2
    cd = math.exp(log_sphere_constant(d))
    if prof.C == 0.0:
        return 0.0
    r, C, C2, p = 1 / prof.rho, prof.C, prof.C2, prof.p

    def tail(a, power):  # bound on sum_{i >= a} A_i i^power (power 0 or 1), a >= 1
        a = np.asarray(a, dtype=float)
        if power == 0:
            return C * r ** a / (1 - r) + C2 * (a ** -p + a ** (1 - p) / (p - 1))
        return (C * r ** a * (a / (1 - r) + r / (1 - r) ** 2)
                + C2 * (a ** (1 - p) + a ** (2 - p) / (p - 2)))

    # split at i* = 2n - J*: T is decreasing, so sum_{i <= i*} A_i T(2n - i) <= T(J*) sum_i A_i, and
    # for i > i*, T(2n - i) <= z + 100 + max(0, i - 2n) (|J_j| <= 1 below z, the Kapteyn tail above);
    # the best of 65 splits
    Js = np.unique(np.linspace(min(2 * n, math.floor(z)), 2 * n, 65).astype(np.int64))
    total = max(C, C2) + float(tail(1, 0))
    main = float(np.min(_kapteyn_tail(Js, z) * total + (z + 100) * tail(2 * n - Js + 1, 0)
                        + tail(2 * n + 1, 1)))
    high = 0.0 if M >= d - 2 else 2 * math.exp(-M * M / (2.0 * (d - 2)))
    return (math.pi / 2) * cd * (8 * main + 4 * prof.fmax * high)


def _frequency_cut(d: int) -> int:
    """M: the frequencies of (sin θ)^{d-2} above M carry a mass ≤ 1e-19 / (2π c_d) (Hoeffding)."""
    if d <= 2:
        return 0
    cd = math.exp(log_sphere_constant(d))
    M = math.ceil(math.sqrt(2.0 * (d - 2) * math.log(2 * 2 * math.pi * cd * 1e19)))
    return min(d - 2, M)


@lru_cache(maxsize=256)
def _nodes_float(kmax: int, d: int, prof: _AngleProfile) -> tuple[int, float]:
    """Smallest even n (rounded up to a multiple of 32, which shares cached rules between requests)
    whose a priori bound at k = kmax is below 1e-19 max|f|; returns (n, bound)."""
    M = _frequency_cut(d)
    target = _F64_QUAD_TARGET * max(prof.fmax, 1e-300)
    z = (kmax + M) * math.pi / 2
    lo = max(2, int(math.ceil((z + prof.degree) / 2)))
    step = 8
    n = lo
    while _quadrature_bound(n, kmax, d, M, prof) > target:
        n += step
        step *= 2
    hi = n
    lo = max(lo, n - step // 2)
    while hi - lo > 4:  # bisection on the monotone bound
        mid = (lo + hi) // 2
        if _quadrature_bound(mid, kmax, d, M, prof) > target:
            lo = mid
        else:
            hi = mid
    n = 32 * math.ceil(hi / 32)
    return n, _quadrature_bound(n, kmax, d, M, prof)


def _gl_float_sums(K, d: int, kmax: int, n: int):
    r"""One Gauss–Legendre pass in θ with n (even) nodes, folded over θ ↦ π - θ.

    Returns ``(mu, S, W_sum, dropped)``: the sums :math:`\mu_0..\mu_{k_{max}}`, :math:`S = \sum_i
    W_i(|f(\theta_i)| + |f(\pi-\theta_i)|)` over the nodes kept (the scale of the rounding errors),
    :math:`\sum_i W_i`, and a bound on the contribution of the nodes dropped (weight below
    1e-22 of the largest: :math:`|P_k| \le 1`).

    Weights :math:`W_i = \frac{\pi}{2} c_d w_i \sin^{d-2}\theta_i`, :math:`\sin\theta_i` and
    :math:`t_i = \cos\theta_i` are formed in ``numpy.longdouble`` from the exact float64 node
    :math:`x_i` (:math:`\sin\theta = \sin(\pi(1-x)/2)`, :math:`t = \sin(\pi x/2)`), so the power
    :math:`d - 2` amplifies the extended-precision rounding only.

    The recurrence runs on :math:`u_k = P_k / F_k` with :math:`F_{k+1} = \alpha_k F_k`,
    :math:`\alpha_k = (2k+d-2)/(k+d-2)`: :math:`u_{k+1} = t\,u_k - \beta_k/(\alpha_k\alpha_{k-1})\,
    u_{k-1}`, three in-place array operations per degree; every 32 degrees u is rescaled by a power of
    2 (exact) to stay near 1, the scale kept as a float times an integer power of 2."""
    x, w = gauss_legendre_numpy(n)
    pos = x > 0
    xl = x[pos].astype(np.longdouble)
    wl = w[pos].astype(np.longdouble)
    half_pi = _LD_PI / 2
    phi = half_pi * (1 - xl)  # θ ∈ (0, π/2); the mirror node is π - θ
    s = np.sin(phi)
    cd = np.longdouble(mpmath.nstr(sphere_constant_mp(d, mp_context(80)), 25))
    W = half_pi * cd * wl * s ** (d - 2)
    Wmax = W.max() if len(W) else np.longdouble(0)
    keep = W >= _F64_DROP * Wmax
    dropped_w = float(np.sum(W[~keep]))
    W = W[keep].astype(float)
    t = np.sin(half_pi * xl[keep]).astype(float)
    th_lo = phi[keep]
    th = np.concatenate([th_lo.astype(float), (_LD_PI - th_lo).astype(float)])
    fv = np.asarray(K.numpy(theta=th), dtype=float)
    m = len(t)
    f_lo, f_hi = fv[:m], fv[m:]  # t > 0 and its mirror -t
    even = W * (f_lo + f_hi)
    odd = W * (f_lo - f_hi)
    S = float(np.sum(W * (np.abs(f_lo) + np.abs(f_hi))))
    fmax = float(np.abs(fv).max()) if len(fv) else 0.0
    return _gegenbauer_sums(t, even, odd, d, kmax), S, float(np.sum(W)), 2 * dropped_w * fmax


def _gegenbauer_sums(t: np.ndarray, even: np.ndarray, odd: np.ndarray, d: int, kmax: int) -> np.ndarray:
    r""":math:`\sum_i w^{(k)}_i P_k^{(d)}(t_i)` for k = 0..kmax, :math:`w^{(k)}` = ``even`` for even k
    and ``odd`` for odd k (scaled three-term recurrence, see :func:`_gl_float_sums`)."""
    out = np.empty(kmax + 1)
    out[0] = float(np.sum(even))
    if kmax == 0:
        return out
    out[1] = float(odd @ t)
    if kmax == 1:
        return out
    dots = np.empty(kmax + 1)
    fac = np.ones(kmax + 1)
    exps = np.zeros(kmax + 1, dtype=np.int64)
    wts = (even, odd)
    u0 = np.ones_like(t)
    u1 = t.copy()
    buf = np.empty_like(t)
    mul, sub, dot = np.multiply, np.subtract, np.dot
    F, E, al_prev = 1.0, 0, 1.0
    dm2 = d - 2
    for k in range(1, kmax):
        al = (2 * k + dm2) / (k + dm2)
        bp = k / (k + dm2) / (al * al_prev)
        mul(t, u1, out=buf)
        u0 *= bp
        sub(buf, u0, out=u0)
        u0, u1 = u1, u0
        F *= al
        dots[k + 1] = dot(wts[(k + 1) & 1], u1)
        fac[k + 1] = F
        exps[k + 1] = E
        al_prev = al
        if k & 31 == 0:
            big = max(float(np.max(np.abs(u1))), float(np.max(np.abs(u0))))
            if big > 0.0:
                e = math.frexp(big)[1]
                if abs(e) > 64:
                    u0 *= 2.0 ** -e
                    u1 *= 2.0 ** -e
                    E += e
            F, e2 = math.frexp(F)
            E += e2
    out[2:] = np.ldexp(dots[2:] * fac[2:], exps[2:])
    return out


def _quadrature_float(K, d: int, kmax: int, zeros):
    """Float64 bulk route: one Gauss–Legendre rule in θ with an a priori error bound (module
    docstring); kernels whose K(cos θ) is not resolved by Chebyshev interpolation in θ fall back to
    the difference of two rules."""
    prof = _angle_profile(K)
    k = np.arange(kmax + 1)
    eps = float(np.finfo(float).eps)
    if prof is not None:
        n, qbound = _nodes_float(kmax, d, prof)
        mu, S, Wsum, dropped = _gl_float_sums(K, d, kmax, n)
        quad = np.full(kmax + 1, qbound)
        info = {"nodes": n, "precision": "float64", "quadrature_bound": qbound,
                "kernel_chebyshev_degree": prof.degree}
        noise = prof.noise
    else:  # not analytic in θ: compare with a rule of half the nodes (no a priori bound; the
        # difference bounds the error of the finer rule when that error decays like n^-p, p >= 1)
        n = _nodes_for(kmax, d, 17)
        n += n % 2
        n_low = max(2, n // 2)
        n_low += n_low % 2
        mu, S, Wsum, dropped = _gl_float_sums(K, d, kmax, n)
        lo = _gl_float_sums(K, d, kmax, n_low)[0]
        quad = np.abs(mu - lo)
        info = {"nodes": n, "check_nodes": n_low, "precision": "float64"}
        noise = 4 * eps * float(np.max(np.abs(K.numpy(theta=np.linspace(0, np.pi, 65)))))
    # rounding: recurrence (~(k+2) units per P_k, |P_k| <= 1), GL weights, (sin θ)^{d-2} formed in
    # long double, t rounded to float64; kernel values: estimated noise per value, on each of the
    # two values of a node pair
    rnd = (4 * eps * (k + 2) + 4 * gl_weight_error(n) + 4 * (d + 2) * _LD_EPS + 4 * eps) * S
    err = quad + rnd + 2 * noise * Wsum + dropped
    z = np.asarray(zeros, dtype=bool)
    return np.where(z, 0.0, mu), np.where(z, 0.0, err), info


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
# route (b): the power series with a singular tail
# ================================================================================================
#: orders (powers of s) of the singular expansions tried for the Darboux tail, by increasing cost
_DARBOUX_ORDERS = (8, 12, 16, 20, 24)
#: a larger order is tried when the Darboux tail asks for more coefficients than this, and beyond
#: the largest order affordable the fitted tail is used instead
_DARBOUX_SOFT_N = 8_000
#: an expansion that took longer than this (seconds) is not followed by one of higher order
_DARBOUX_ESCALATE_SECONDS = 2.0
#: measured cost of the singular expansions, per (node, endpoint, order)
_DARBOUX_COST: dict = {}


class _DarbouxTooLong(Exception):
    """The Darboux tail would need more coefficients than :data:`_DARBOUX_SOFT_N`."""


def _g_coefficients(a, N: int, ctx) -> list:
    """[t^n](1-t)^a for n < N by g_{n+1} = g_n (n - a)/(n + 1)."""
    g = [ctx.mpf(1)]
    for n in range(N - 1):
        g.append(g[-1] * (n - a) / (n + 1))
    return g


def _g_at(a, n: int, ctx):
    return ctx.exp(ctx.loggamma(n - a) - ctx.loggamma(n + 1)) / ctx.gamma(-a)


@dataclass
class _TailModel:
    r"""Model of the coefficients of each singular parity class p (n ≡ p mod 2):
    :math:`b_n \approx \tilde b_n = \sum_{(a, A) \in \text{model}[p]} A\,[t^n](1-t)^a`, with
    :math:`|b_n - \tilde b_n| \le` ``rel[p]`` :math:`|\tilde b_n|` for every n ≥ N; ``sign[p]`` is the
    constant sign of :math:`\tilde b_n` for n ≥ N (0: not used).  ``omitted[p]``: the first terms
    left out of a Darboux model (they estimate its remainder)."""

    kind: str
    model: dict
    omitted: dict
    rel: dict
    sign: dict
    N: int
    info: dict


def _darboux_profile(terms, grid) -> np.ndarray:
    r""":math:`\sum_{(a, c)} c\,g_a(n)` over the values n of ``grid`` in float64,
    :math:`g_a(n) = [t^n](1-t)^a = \Gamma(n-a)/(\Gamma(-a)\Gamma(n+1))` through log-gamma; with
    ``abs`` of each term when ``terms`` is given as ``(a, c, True)``."""
    n = np.asarray(grid, dtype=float)
    out = np.zeros_like(n)
    for a, c, absolute in terms:
        if c == 0.0:
            continue
        g = c * np.exp(lgamma_np(n - a) - lgamma_np(n + 1)) / math.gamma(-a)
        out += np.abs(g) if absolute else g
    return out


def _darboux_terms(plus, minus, Op, Om, p):
    """Model and omitted terms of parity class p from the singular terms ``plus`` (at t = 1, up to
    s^Op) and ``minus`` (at t = -1, up to s^Om): the model keeps the exponents ≤ O - 1 of each end,
    (-1)^p times the coefficients at t = -1 ([t^n](1+t)^a = (-1)^n [t^n](1-t)^a)."""
    model: dict = {}
    omitted = []
    for e, c in plus:
        if e <= Op - 1:
            model[e] = model.get(e, 0) + c
        else:
            omitted.append((e, c))
    for e, c in minus:
        c = c if p == 0 else -c
        if e <= Om - 1:
            model[e] = model.get(e, 0) + c
        else:
            omitted.append((e, c))
    return sorted(model.items()), omitted


def _darboux_ratio(plus, minus, Op, Om, p, gp):
    """(model, 2 × omitted terms at t = 1, 2 × omitted terms at t = -1) over the grid ``gp``."""
    model, _ = _darboux_terms(plus, minus, Op, Om, p)
    lead = _darboux_profile([(float(e), float(c), False) for e, c in model], gp)
    om_p = _darboux_profile([(float(e), float(c), True) for e, c in plus if e > Op - 1], gp)
    om_m = _darboux_profile([(float(e), float(c), True) for e, c in minus if e > Om - 1], gp)
    return lead, 2 * om_p, 2 * om_m


def _darboux_model(K, dps: int, parities, dps_c: int, ctx) -> _TailModel:
    r"""Tail of the series route from the exact singular constants (SPEC §8; module docstring).

    For orders :math:`O_\pm` of the singular expansions at t = ±1
    (:func:`symkernel.asymptotics.singular_constants`), the terms with exponent
    :math:`\alpha \le O_\pm - 1` form the model and those with :math:`O_\pm - 1 < \alpha \le O_\pm`
    estimate its remainder: N is the smallest n (on a geometric grid up to :math:`10^{12}`) beyond
    which twice the omitted terms stay below :math:`10^{-dps}/8` of the model, and the model keeps one
    sign.  :math:`O_+` starts at an order suited to the digits (8 up to 12 digits, 12 up to 22, 16 up
    to 38, else 20) and grows through :data:`_DARBOUX_ORDERS` while N would exceed
    :data:`_DARBOUX_SOFT_N`; :math:`O_-` starts at 8 and grows only while the omitted terms at t = -1
    dominate (the expansion at t = -1 of a deep kernel is the expensive one, and its constants are
    small).  An order is not raised after an expansion that took more than
    :data:`_DARBOUX_ESCALATE_SECONDS` (deep kernels: the next one would take minutes), so which
    orders are used may depend on the machine, never the digits delivered.  Raises
    :class:`_DarbouxTooLong` when N stays above :data:`_DARBOUX_SOFT_N` (deep kernels at high
    precision, whose expansions at ±1 converge slowly); errors of the singular interpreter pass
    through."""
    from ..asymptotics import singular_constants

    def constants(at, order):
        key = (K.node, at, order)
        t0 = time.perf_counter()
        out = singular_constants(K.node, at, order, dps_c)
        _DARBOUX_COST.setdefault(key, time.perf_counter() - t0)
        return out, _DARBOUX_COST[key]

    target = 10.0 ** (-dps) / 8
    grid = np.unique(np.round(np.geomspace(64, 1e12, 600)).astype(np.int64))
    first = 8 if dps <= 12 else 12 if dps <= 22 else 16 if dps <= 38 else 20
    best = None
    for Op in [o for o in _DARBOUX_ORDERS if o >= first]:
        plus, cost_p = constants(1, Op)
        for Om in [o for o in _DARBOUX_ORDERS if o <= Op]:
            minus, cost_m = constants(-1, Om)
            N, minus_rules = 0, False
            for p in parities:
                gp = grid + (grid - p) % 2
                lead, om_p, om_m = _darboux_ratio(plus, minus, Op, Om, p, gp)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(lead != 0, (om_p + om_m) / np.abs(lead), np.inf)
                rho = np.maximum.accumulate(ratio[::-1])[::-1]  # max over n' >= n
                sg = np.sign(lead)
                same = np.flip(np.logical_and.accumulate(np.flip(sg == sg[-1])))
                ok = np.nonzero((rho <= target) & same & (sg[-1] != 0))[0]
                i = int(ok[0]) if len(ok) else len(gp) - 1
                minus_rules = minus_rules or bool(om_m[i] > om_p[i])
                N = max(N, int(gp[i])) if len(ok) and N is not None else None
            if N is not None:
                N = max(128, N + N % 2)
                if best is None or N < best[0]:
                    best = (N, Op, Om, plus, minus)
            if not minus_rules or cost_m > _DARBOUX_ESCALATE_SECONDS:
                break
        if (best is not None and best[0] <= _DARBOUX_SOFT_N) or cost_p > _DARBOUX_ESCALATE_SECONDS:
            break
    if best is None or best[0] > _DARBOUX_SOFT_N:
        need = "no N up to 1e12" if best is None else f"N = {best[0]}"
        raise _DarbouxTooLong(f"the singular (Darboux) tail would need {need} coefficients for "
                              f"{dps} digits (more than {_DARBOUX_SOFT_N})")
    N, Op, Om, plus, minus = best
    model, omitted = {}, {}
    for p in parities:
        m, om = _darboux_terms(plus, minus, Op, Om, p)
        model[p] = [(ctx.mpf(e.p) / e.q, ctx.convert(c)) for e, c in m]
        omitted[p] = [(ctx.mpf(e.p) / e.q, ctx.convert(c)) for e, c in om]
    info = {"model": "darboux (exact singular constants)", "order": {"+1": Op, "-1": Om},
            "model_exponents": [str(e) for e, _ in _darboux_terms(plus, minus, Op, Om, 0)[0]],
            "remainder_exponents": sorted({str(e) for e, _ in _darboux_terms(plus, minus, Op, Om, 0)[1]})}
    return _darboux_at(_TailModel("darboux", model, omitted, {}, {}, N, info), N, ctx)


def _darboux_at(model: _TailModel, N: int, ctx) -> _TailModel:
    """The same Darboux model used from N on: relative remainder and sign recomputed (geometric grid
    of n ≥ N, float64)."""
    grid = np.unique(np.round(np.geomspace(64, 1e12, 600)).astype(np.int64))
    rel, sign = {}, {}
    for p in model.model:
        gp = grid[grid > N]
        gp = np.concatenate([[N + (N - p) % 2], gp + (gp - p) % 2])
        lead = _darboux_profile([(float(a), float(c), False) for a, c in model.model[p]], gp)
        omit = _darboux_profile([(float(a), float(c), True) for a, c in model.omitted[p]], gp)
        if np.any(lead == 0) or np.any(np.sign(lead) != np.sign(lead[0])):
            raise PrecisionError("the singular (Darboux) model of the coefficients changes sign")
        rel[p] = ctx.mpf(float(np.max(2 * omit / np.abs(lead))))
        sign[p] = int(np.sign(lead[0]))
    info = dict(model.info)
    info["relative_remainder"] = {p: mpmath.nstr(r, 3) for p, r in rel.items()}
    return _TailModel(model.kind, model.model, model.omitted, rel, sign, N, info)


def _darboux_holds(model: _TailModel, b: list, ctx, dps_b: int) -> bool:
    """The Darboux model must already hold on N/2 ≤ n < N (b_n computed):
    |b_n - model_n| ≤ 1.5 × (omitted terms) + rounding."""
    N = model.N
    tiny = ctx.mpf(10) ** (-dps_b + 3)
    for p in model.model:
        ns = [n for n in range(N // 2, N) if n % 2 == p]
        for n in ns[:: max(1, len(ns) // 48)]:
            val = absval = omitted = ctx.mpf(0)
            for a, c in model.model[p]:
                g = c * ctx.gammaprod([n - a], [-a, n + 1])
                val += g
                absval += abs(g)
            for a, c in model.omitted[p]:
                omitted += abs(c * ctx.gammaprod([n - a], [-a, n + 1]))
            if abs(b[n] - val) > ctx.mpf(1.5) * omitted + tiny * (abs(b[n]) + absval):
                return False
    return True


def _fit_model(b: list, N: int, parities, nu0, ctx, want: float) -> _TailModel:
    """Fallback tail, for kernels the singular interpreter cannot expand or whose Darboux tail would
    need too many coefficients: the least-squares fit of :func:`_fit_tail`, its relative error taken
    as 10 × the hold-out error."""
    model, rel, info = {}, {}, {"model": "least-squares fit"}
    for p in parities:
        fit = _fit_tail(b, p, N, nu0, ctx, want)
        if fit is None:
            raise PrecisionError("could not fit the asymptotic form of the coefficients")
        coef, exps, err = fit
        model[p] = list(zip(exps, coef))
        rel[p] = 10 * ctx.mpf(err)
        info[p] = {"order": len(coef), "exponents": [str(a) for a in exps],
                   "holdout_relative_error": mpmath.nstr(err, 3)}
    return _TailModel("fit", model, {p: [] for p in parities}, rel, {p: 0 for p in parities}, N,
                      info)


def _fit_tail(b: list, parity: int, N: int, nu0, ctx, want: float):
    """Least-squares fit of b_n (n ≡ parity) by Σ_j A_j [t^n](1-t)^{nu0+j} on N/3 ≤ n < 5N/6.

    Returns (A, exponents, holdout relative error) for the best order J found.  Only used when the
    singular interpreter cannot expand the kernel (:func:`_fit_model`); the fit is checked on the
    hold-out range 5N/6 ≤ n < N."""
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
    from ..errors import SymkernelError

    guard = 12
    dps_b = dps + guard + 8
    ctx = mp_context(dps_to_bits(2 * dps_b + 20))
    singular = [sup[p] == FULL for p in (0, 1)]
    parities = [p for p in (0, 1) if singular[p]]
    entire = (K.info or {}).get("arch") == "gaussian" or not any(singular)
    model: _TailModel | None = None
    fallback = None
    if entire:
        bounds = [sup[p] for p in (0, 1) if sup[p] not in (ZERO, FULL)]
        N = max([kmax + 2 * dps + 80, 64] + [m + 2 for m in bounds])
    else:
        try:
            model = _darboux_model(K, dps, parities, dps_b + 10, ctx)
            N = model.N
        except PrecisionError:
            raise
        except (_DarbouxTooLong, SymkernelError, ArithmeticError, ValueError, NotImplementedError
                ) as exc:
            fallback = f"{type(exc).__name__}: {exc}"
            N = 1500 + 40 * dps
    for attempt in range(3):
        b = [ctx.convert(v) for v in K.coefficients(N, dps=dps_b)]
        if model is None or _darboux_holds(model, b, ctx, dps_b):
            break
        if attempt == 2:
            raise PrecisionError(f"series route: the singular (Darboux) expansion of the coefficients "
                                 f"is not yet accurate at n = {N // 2}..{N}")
        N *= 2
        model = _darboux_at(model, N, ctx)
    if entire and any(singular):
        last = max(abs(b[-1]), abs(b[-2]))
        if last > ctx.mpf(10) ** (-dps_b) * max(abs(v) for v in b):
            raise PrecisionError("the coefficients of this kernel do not decay fast enough for "
                                 "the series route without a singular tail")
    if not entire and model is None:
        model = _fit_model(b, N, parities, ctx.mpf(_nu_of(K)), ctx, 10.0 ** (-(dps + guard)))
        model.info["reason"] = fallback
    # ---- the model b~_n (n < N) and its size, per parity class
    r = list(b)
    cabs = ctx.mpf(0)  # max_n sum_j |A_j g_j(n)|: scale of the rounding of the constants
    wrong = [ctx.mpf(0), ctx.mpf(0)]  # largest head coefficient of the wrong sign (Darboux)
    if model is not None:
        for p in parities:
            acc = [ctx.mpf(0)] * N
            acc_abs = [ctx.mpf(0)] * N
            for a, c in model.model[p]:
                g = _g_coefficients(a, N, ctx)
                for n in range(p, N, 2):
                    acc[n] += c * g[n]
                    acc_abs[n] += abs(c * g[n])
            for n in range(p, N, 2):
                r[n] = b[n] - acc[n]
                if model.sign[p] * b[n] < 0:
                    wrong[p] = max(wrong[p], abs(b[n]))
            cabs = max([cabs] + acc_abs[p::2])
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
    # ---- closed-form part Σ_j A_j μ_k[(1-t)^{a_j}] (exact Gamma ratios)
    closed = [ctx.mpf(0)] * K1
    closed_abs = [ctx.mpf(0)] * K1
    mu_of: dict = {}
    for p in parities if model is not None else ():
        for a, c in model.model[p]:
            if a not in mu_of:
                mu_of[a] = singular_power_eigenvalues(a, kmax, d, ctx)
            mu_a = mu_of[a]
            for k in range(p, K1, 2):
                closed[k] += c * mu_a[k]
                closed_abs[k] += abs(c * mu_a[k])
    vals, errs = [], []
    tail_unfit = ctx.mpf(0)
    if entire:
        tail_unfit = 4 * max(abs(b[-1]), abs(b[-2]))
    digits_b = ctx.mpf(10) ** (-dps_b + 2)
    digits_c = ctx.mpf(10) ** (-dps_b - 8)
    for k in range(K1):
        v = head[k] + closed[k]
        e = (ctx.ldexp(sum_mono[k], -Pb + 2)  # rounding of r_n to Pb bits
             + ctx.ldexp(abs(head[k]), -WM + 2 * N.bit_length() + 2)  # monomial eigenvalues
             + abs(v) * digits_b  # the b_n have dps_b digits
             + (closed_abs[k] + cabs * sum_mono[k]) * digits_c)  # constants to dps_b + 10 digits
        if model is not None and k % 2 in model.rel:
            # terms n >= N: |b_n - b~_n| <= rel |b~_n| and b~_n has one sign, so their sum is at most
            # rel/(1 - rel) (|mu_k| + sum of the head terms of the other sign)
            rel = model.rel[k % 2]
            e += rel / (1 - rel) * (abs(v) + wrong[k % 2] * sum_mono[k])
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
            "tail": model.info if model is not None else "none (entire kernel)",
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

        def f(v, k=k):
            # t = ±(1 - v^2), folded with P_k(-t) = (-1)^k P_k(t); dt = 2v dv and
            # 1 - t^2 = v^2 (2 - v^2), so the weight is 2 v^(2e+1) (2 - v^2)^e, e = (d-3)/2:
            # regular at v = 0 even for d = 2 (tanh-sinh keeps only half the digits of an endpoint
            # singularity like (1 - t)^(-1/2), its nodes being rounded next to the endpoint)
            if v <= 0 or v > 1:
                return ctx.mpf(0)
            t = 1 - v * v
            pair = kern(t) + (-1) ** k * kern(-t)
            return (pair * gegenbauer_mp(k, d, t, ctx)[k] * 2 * v ** (2 * expo + 1)
                    * (2 - v * v) ** expo)

        pts = ctx.linspace(0, 1, k // 4 + 2)
        v, e = ctx.quad(f, pts, error=True, maxdegree=10)
        vals.append(cd * v)
        errs.append(cd * e)
        if progress is not None:
            progress(k + 1, kmax + 1)
    return vals, errs, {"quad": "mpmath tanh-sinh in v, t = ±(1 - v^2)", "working_dps": dps + 15}
