r"""ResNTK eigenvalues on the sphere decay as :math:`k^{-d}`, with an exact constant per parity.

Claim (Belfer et al. 2021, Theorem 1 for the exponent).  For the ResNTK of SPEC §4 (L residual blocks,
branch weight α, residual blocks trained, normalised :math:`\tilde\Theta(1) = 1`) on :math:`S^{d-1}`:

.. math::  \mu_k = A_{\pm}(L, \alpha, d)\,k^{-d}\,\big(1 + O(1/k)\big),\qquad
           A_\pm = \frac{2^{d-3}\,\Gamma(d/2)^2}{\pi^2}\Big[\frac{1+L\alpha^2}{1+\alpha^2}
           \pm \frac1L\prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2}\Big]

(+ for even k, - for odd k), where :math:`r_0 = -1`, :math:`r_j = (r_{j-1} + \alpha^2\kappa_1(r_{j-1}))
/(1+\alpha^2)` are the layer correlations at t = -1.

Derivation.  (i) Singular expansions (:mod:`symkernel.architectures.resnet`): near t = 1 every layer
correlation is :math:`1 - s + O(s^{3/2})` and the backward factors are
:math:`B_l = (1+a)^{L-l}(1 - (L-l)\frac{a}{1+a}\frac{\sqrt2}{\pi}s^{1/2})`, which gives
:math:`\tilde c_+ = -\frac{1+L\alpha^2}{\sqrt2\pi(1+\alpha^2)}`; near t = -1 only the first block sees the
endpoint (:math:`t\kappa_0(t) = -\frac{\sqrt2}{\pi}s^{1/2} + \dots`), weighted by :math:`B_1(-1)`, which
gives :math:`\tilde c_-`.  (ii) Transfer (SPEC §8): :math:`\mu_k \sim (c_+ + (-1)^k c_-)C(d,\tfrac12)
k^{-d}` with :math:`C(d,\tfrac12) = -2^{d-5/2}\Gamma(d/2)^2/\pi` (derived in
:func:`symkernel.asymptotics.eigenvalue_constant`).  Both :math:`c_\pm < 0` and :math:`|\tilde c_-| \le
|\tilde c_+|` with equality only for L = 1 (the two-layer NTK, whose odd eigenvalues vanish exactly).  The
relative correction is :math:`-d(d-2)/(2k)` from the Gamma ratio of :math:`\mu_k[(1-t)^{1/2}]` (plus
:math:`O(k^{-2})` from the :math:`s^{3/2}` terms).

Checks.  The closed forms against the singular interpreter (exact, small L) and against finite differences
of the kernel at the angles :math:`\theta \to 0, \pi` (all L; 40 digits); the eigenvalues computed by
Gauss–Legendre quadrature in θ (:func:`symkernel.spectrum.eigenvalues`) against
:math:`(c_+ \pm c_-)\mu_k[(1-t)^{1/2}]` (relative error :math:`O(k^{-2})`) and the fitted log–log slope of
each parity class against -d.

Sizes: ``quick=True`` 5 kernels × d ∈ {3, 5}, k ≤ 200 (a few seconds); ``quick=False`` 7 kernels ×
d ∈ {2, 3, 4, 5}, k ≤ 800.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..latex import gather
from ..plots import parity_slopes
from ..report import EXACT_ZERO, UNDEFINED, Report, cell

NAME = "resnet-decay"
CLAIM = ("The eigenvalues of the ResNTK (L residual blocks, branch weight alpha, normalised) on S^{d-1} "
         "decay as mu_k ~ A_pm k^{-d} (the FC-NTK exponent, nu = 1/2) with the exact constant per parity "
         "A_pm = 2^{d-3} Gamma(d/2)^2/pi^2 [(1+L alpha^2)/(1+alpha^2) pm (1/L) prod_j "
         "(1+alpha^2 kappa_0(r_j))/(1+alpha^2)], r_j the layer correlations at t = -1; depth = number of "
         "residual blocks.")
SOURCE = ("Belfer, Geifman, Galun & Basri (2021), 'Spectral analysis of the neural tangent kernel for deep "
          "residual networks', Theorem 1 (exponent); constants derived here (SPEC §4, §8); model of Huang et "
          "al. (2020)")

_HALF = sp.Rational(1, 2)


def _cases(quick: bool):
    """(label, depth, alpha or None, gamma or None)."""
    cases = [("L=1, a=1", 1, 1, None), ("L=2, a=1", 2, 1, None), ("L=4, a=1/2", 4, _HALF, None),
             ("L=8, g=1/2", 8, None, _HALF), ("L=16, g=1/4", 16, None, sp.Rational(1, 4))]
    if not quick:
        cases += [("L=3, a=2", 3, 2, None), ("L=64, g=1", 64, None, 1)]
    return cases


def _finite_difference_constants(K, dps: int = 40):
    r"""c_± from kernel values at tiny angles: :math:`(1 - K(\cos\epsilon))/\sqrt{s}` with
    :math:`s = 1 - \cos\epsilon`, and :math:`(K(\cos(\pi-\epsilon)) - K(-1))/\sqrt{s}`; error O(√s)."""
    from ..interpret.numeric import dps_to_bits, mp_context

    ctx = mp_context(dps_to_bits(dps + 10))  # private context: the global mpmath state is not touched
    eps = sp.Float("1e-16", dps + 10)
    root = ctx.convert(sp.N(sp.sqrt(2 * sp.sin(eps / 2) ** 2), dps + 10))
    plus = -(1 - ctx.convert(K(theta=eps, dps=dps))) / root
    minus = (ctx.convert(K(theta=sp.pi - eps, dps=dps)) - ctx.convert(K(-1, dps=dps))) / root
    return plus, minus


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); figures go to ``outdir`` when given."""
    from ..architectures.resnet import resnet
    from ..asymptotics import asymptotics, power_eigenvalue
    from ..resnet_theory import resnet_singular_constants
    from ..spectrum import eigenvalues

    report = Report(NAME, CLAIM, SOURCE)
    kmax = 200 if quick else 800
    dims = (3, 5) if quick else (2, 3, 4, 5)
    report.table.append(["kernel", "d", "c+", "c-", "A_even", "A_odd", "mu_k k^d/A (even)",
                         "mu_k k^d/A (odd)", "rel.err (c±)mu_k[(1-t)^1/2]", "slope even", "slope odd"])
    plots = []
    for label, depth, alpha, gamma in _cases(quick):
        K = resnet(depth, alpha=alpha, gamma=gamma)
        c = resnet_singular_constants(depth, alpha=alpha, gamma=gamma, dps=40)
        cp, cm = c["c_plus_value"], c["c_minus_value"]
        # closed form vs the singular interpreter (exact; a few seconds up to L = 8)
        if depth <= 8:
            A = asymptotics(K, 3)
            ok_p = sp.simplify(A.c_plus - c["c_plus"]) == 0
            ok_m = abs(sp.N(A.c_minus - c["c_minus_nested"], 50)) < sp.Float(10) ** -40
            report.check(f"{label}: closed-form c_+, c_- = singular interpreter (exact)", ok_p and ok_m,
                         f"c_+ = {c['c_plus']}, c_- = {sp.N(A.c_minus, 20)}")
        fp, fm = _finite_difference_constants(K)
        err = max(abs(fp - cp), abs(fm - cm))
        report.check(f"{label}: c_± = finite differences of K at θ = 1e-16, π - 1e-16", err < 1e-12,
                     f"max deviation {mpmath.nstr(err, 3)}")
        for d in dims:
            cd = resnet_singular_constants(depth, alpha=alpha, gamma=gamma, dim=d, dps=30)
            Ae, Ao = float(cd["constant_even_value"]), float(cd["constant_odd_value"])
            mu = np.asarray(eigenvalues(K, d, kmax).eigenvalues, dtype=float)
            ke, ko = (kmax, kmax - 1) if kmax % 2 == 0 else (kmax - 1, kmax)
            odd_zero = depth == 1  # one block: the two-layer NTK, whose odd eigenvalues k >= 3 vanish
            lead_e = mu[ke] * ke**d / Ae
            lead_o = None if odd_zero else mu[ko] * ko**d / Ao
            rel = []
            for k in (ke, ko):
                if depth == 1 and k % 2:
                    continue
                pred = float((cp + (-1) ** k * cm) * mpmath.mpf(str(sp.N(power_eigenvalue(d, _HALF, k), 30))))
                rel.append(abs(mu[k] / pred - 1))
            rel_err = max(rel)
            slopes = parity_slopes(mu, kmax // 2, kmax, vanishing=(1,) if odd_zero else ())
            tol_slope = 0.03 + d * (d - 2) / kmax  # the 1 - d(d-2)/(2k) correction bends the fit
            report.check(f"{label}, d={d}: mu_k/[(c_+ ± c_-) mu_k((1-t)^(1/2))] - 1 = O(k^-2)",
                         rel_err < 40 * d**2 / kmax**2, f"{rel_err:.2e} at k = {kmax - 1}, {kmax}")
            report.check(f"{label}, d={d}: fitted log-log slope = -d per parity",
                         all(abs(s + d) < tol_slope for s in slopes if s is not None),
                         ", ".join(cell(s, ".4f") for s in slopes))
            if odd_zero:
                report.legend(EXACT_ZERO, "one residual block is the two-layer FC NTK (kappa_1(t) + t "
                              "kappa_0(t))/2, whose odd eigenvalues k >= 3 vanish identically: A_odd = 0")
                report.legend(UNDEFINED, "not defined for the one-block ResNTK: its odd class is identically "
                              "0 (no ratio to A_odd = 0, no slope); the check bounds the computed odd "
                              "eigenvalues (rounding noise) instead")
                report.check(f"{label}, d={d}: two-layer NTK: odd eigenvalues (k >= 3) vanish",
                             float(np.max(np.abs(mu[3::2]))) < 1e-15, f"max {np.max(np.abs(mu[3::2])):.1e}")
            else:
                report.check(f"{label}, d={d}: both parity classes present, A_even > A_odd > 0",
                             Ae > Ao > 0, f"A_even = {Ae:.6g}, A_odd = {Ao:.6g}")
            report.table.append([label, str(d), mpmath.nstr(cp, 8), mpmath.nstr(cm, 8), f"{Ae:.6g}",
                                 cell(Ao, ".6g", odd_zero), f"{lead_e:.5f}", cell(lead_o, ".5f"),
                                 f"{rel_err:.1e}", cell(slopes[0], ".4f"), cell(slopes[1], ".4f")])
            if d == 3:
                plots.append((label, mu, Ae, Ao, d))
    report.notes.append("mu_k k^d/A tends to 1 like 1 - d(d-2)/(2k) (the Gamma ratio of mu_k[(1-t)^(1/2)]); "
                        "the relative error against (c_+ ± c_-) mu_k[(1-t)^(1/2)] is O(k^-2).")
    report.notes.append("The singular interpreter's exact c_- (nested interior constants, flattened into a "
                        "straight-line program) is compared with the closed form up to L = 8; beyond, c_- is "
                        "checked by finite differences only (the exact expansion takes minutes at L = 16).")
    report.notes.append("float64 angle quadrature (error estimate ~1e-13 absolute, far below mu_kmax).")
    report.latex = gather(
        r"\tilde c_+ = -\frac{1+L\alpha^2}{\sqrt2\,\pi\,(1+\alpha^2)},\qquad"
        r"\tilde c_- = -\frac{1}{\sqrt2\,\pi\,L}\prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2},"
        r"\quad r_0 = -1,\ r_j = \frac{r_{j-1} + \alpha^2\kappa_1(r_{j-1})}{1+\alpha^2},",
        r"\mu_k \sim (\tilde c_+ + (-1)^k\tilde c_-)\,C(d,\tfrac12)\,k^{-d},\qquad "
        r"C(d,\tfrac12) = -\frac{2^{d-5/2}\,\Gamma(d/2)^2}{\pi},",
        r"\mu_k \sim \frac{2^{d-3}\Gamma(d/2)^2}{\pi^2}\Big[\frac{1+L\alpha^2}{1+\alpha^2} \pm \frac1L"
        r"\prod_{j=1}^{L-1}\frac{1+\alpha^2\kappa_0(r_j)}{1+\alpha^2}\Big]\,k^{-d}"
        r"\quad(\pm:\ k \text{ even/odd})",
    )
    report.figure(outdir, "resnet_decay.png", _draw, plots, kmax, ncols=2, figsize=(12, 5), dpi=110)
    return report


def _draw(axes, plots, kmax: int) -> None:
    ax, bx = axes
    ks = np.arange(1, kmax + 1)
    for i, (label, mu, Ae, Ao, d) in enumerate(plots):
        color = f"C{i}"
        for parity, A, marker in ((0, Ae, "o"), (1, Ao, "s")):
            sel = ks[(ks % 2 == parity) & (np.abs(mu[1:]) > 1e-200)]
            if len(sel) < 2 or A <= 0:
                continue
            tag = "even" if parity == 0 else "odd"
            ax.loglog(sel, mu[sel], marker, ms=2, color=color, alpha=0.6, label=f"{label} ({tag})")
            ax.loglog(sel, A * sel.astype(float) ** (-d), "-" if parity == 0 else "--", color=color, lw=0.8)
            bx.semilogx(sel, mu[sel] * sel.astype(float) ** d, marker, ms=2, color=color, alpha=0.6)
            bx.axhline(A, color=color, ls="-" if parity == 0 else "--", lw=0.8)
    ax.set_xlabel("k")
    ax.set_ylabel(r"$\mu_k$ on $S^2$")
    ax.set_title(r"ResNTK eigenvalues (d = 3) and $A_\pm k^{-d}$")
    ax.legend(fontsize=6, ncol=2)
    bx.set_xlabel("k")
    bx.set_ylabel(r"$k^d \mu_k$")
    bx.set_title(r"$k^d\mu_k \to A_{even}$ (solid), $A_{odd}$ (dashed)")
