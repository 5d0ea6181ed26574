r"""The FC NTK and the Laplace kernel on the sphere: the same decay k^{-d}, and the matching sharpness c.

Claim (Geifman et al. 2020, Thm 1 and Sec. 4; Chen & Xu 2021, Thm 1).  On :math:`S^{d-1}` the eigenvalues of
the fully connected ReLU NTK of any depth L and of the Laplace kernel :math:`e^{-c\sqrt{1-t}}`
(:math:`= e^{-(c/\sqrt2)\|x - x'\|}`) both decay like :math:`k^{-d}`, so their RKHSs coincide as sets when
neither has a vanishing parity class.  Here the comparison is made exact: with the Laplace sharpness chosen so
that the leading singular terms at :math:`t = 1` agree, the ratio of the eigenvalues converges, in each parity
class, to an explicit constant.

Derivation (SymPy, here).  (i) :math:`e^{-c\sqrt s} = 1 - c\,s^{1/2} + \frac{c^2}{2}s - \dots` gives
:math:`c_+^{\rm Lap} = -c`, :math:`\nu = \frac12`, while :math:`e^{-c\sqrt{2 - s}}` is analytic at
:math:`s = 0`: :math:`c_-^{\rm Lap} = 0`.  (ii) For the NTK normalised to :math:`\tilde K(1) = 1`, the
singular interpreter gives :math:`c_\pm/K(1)` (bias-free: :math:`c_+ = -L(L+1)/(\sqrt2\pi)`,
:math:`K(1) = L + 1`).  Matching :math:`c_+^{\rm Lap} = c_+/K(1)` gives

.. math::  c_L = -\frac{c_+}{K(1)} = \frac{L}{\sqrt2\,\pi}\quad\text{(bias-free)},\qquad
           \text{i.e. } e^{-\frac{L}{2\pi}\|x - x'\|}.

(iii) Both spectra follow from the same transfer :math:`\mu_k \sim (c_+ + (-1)^k c_-)\,\mu_k[(1-t)^{1/2}]`
(Flajolet & Odlyzko 1990; SPEC §8), so

.. math::  \frac{\mu_k[K/K(1)]}{\mu_k[e^{-c_L\sqrt{1-t}}]} \longrightarrow 1 + (-1)^k\,\frac{c_-}{c_+}
           \qquad (k \to \infty),

with a relative error :math:`O(k^{-2})` (the next singular terms are :math:`s^{3/2}` and the Gamma factor is
common).  For L = 1 without bias :math:`c_- = c_+`: the limits are 2 (even) and 0 (odd; the NTK's odd
eigenvalues vanish exactly, so its RKHS is strictly smaller).  For L ≥ 2 the limits are
:math:`1 \pm 2\Pi_L/(L(L+1))`, both positive and tending to 1 as L grows; with a bias the correlation at
:math:`t = -1` is interior, :math:`c_- = 0` and both limits are 1.

Checks.  The singular interpreter on the Laplace kernel (:math:`c_+ = -c`, analytic at -1); the matched
:math:`c_L` against the closed form :math:`L/(\sqrt2\pi)`; :math:`c_\pm` of both kernels against their
values near :math:`\pm1`; the fitted log–log slopes of both spectra (Gauss–Legendre in θ) equal to
:math:`-d`; the eigenvalue ratios at :math:`k_{max}` against the predicted limits, and their errors shrinking
at least like :math:`k^{-1}` between :math:`k_{max}/4` and :math:`k_{max}` (observed :math:`k^{-2}`).

Sizes: ``quick=True``: L ∈ {1, 2, 3, 4} and the two-layer NTK with bias 1, d ∈ {2, 3}, k ≤ 400;
``quick=False``: L ≤ 6, d ∈ {2, 3, 4}, k ≤ 1000.

References
----------
A. Geifman, A. Yadav, Y. Kasten, M. Galun, D. Jacobs and R. Basri, "On the similarity between the Laplace
and neural tangent kernels", NeurIPS 2020.
L. Chen and S. Xu, "Deep neural tangent kernel and Laplace kernel have the same RKHS", ICLR 2021.
P. Flajolet and A. Odlyzko, "Singularity analysis of generating functions", SIAM J. Discrete Math. 3 (1990).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..plots import parity_slopes
from ..report import EXACT_ZERO, UNDEFINED, Report, cell

NAME = "ntk-vs-laplace"
CLAIM = (
    "The FC NTK of any depth L and the Laplace kernel exp(-c sqrt(1-t)) have eigenvalues decaying like "
    "k^{-d} on S^{d-1}; matching the leading singular terms at t = 1 gives c_L = -c_+/K(1) = L/(sqrt2 pi) "
    "(bias-free), and then mu_k[NTK/K(1)] / mu_k[Laplace] -> 1 + (-1)^k c_-/c_+ in each parity class "
    "(2 and 0 for L = 1, 1 +- 2 Pi_L/(L(L+1)) for L >= 2, 1 with a bias)."
)
SOURCE = (
    "Geifman et al. (2020), 'On the similarity between the Laplace and neural tangent kernels', Thm 1; "
    "Chen & Xu (2021), 'Deep neural tangent kernel and Laplace kernel have the same RKHS', Thm 1; "
    "constants derived here by singularity analysis (SPEC 8)"
)

c_, s_ = sp.symbols("c s", positive=True)
L_ = sp.Symbol("L", positive=True, integer=True)


def laplace_expansion(order: int = 3) -> sp.Expr:
    r""":math:`e^{-c\sqrt s}` as a series in :math:`\sqrt s` up to :math:`s^{order/2}` (SymPy)."""
    x = sp.Symbol("x", positive=True)
    ser = sp.series(sp.exp(-c_ * x), x, 0, order + 1).removeO()
    return sp.expand(ser.subs(x, sp.sqrt(s_)))


def laplace_analytic_at_minus_one() -> bool:
    r""":math:`e^{-c\sqrt{2-s}}` has a Taylor series at s = 0 (no half-integer powers)."""
    ser = sp.series(sp.exp(-c_ * sp.sqrt(2 - s_)), s_, 0, 4).removeO()
    return all(term.as_coeff_exponent(s_)[1].is_integer for term in sp.Add.make_args(sp.expand(ser)))


def matched_sharpness(K) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """``(c_L, c_plus, c_minus)``: the Laplace sharpness whose leading term at t = 1 equals that of
    :math:`K/K(1)`, and the kernel's exact :math:`c_\\pm` (singular interpreter)."""
    from ..interpret.singular import leading_singular_term

    cp, nup = leading_singular_term(K, 1)
    cm, num = leading_singular_term(K, -1)
    if nup != sp.Rational(1, 2):
        raise ValueError(f"{K.name}: leading exponent at t = 1 is {nup}, not 1/2")
    if num is not None and num < nup:
        raise ValueError(f"{K.name}: the singularity at t = -1 is stronger")
    if num != nup:
        cm = sp.Integer(0)
    sol = sp.solve(sp.Eq(-c_, cp / K.diagonal), c_)
    if len(sol) != 1:
        raise ValueError(f"no unique matching c for {K.name}: {sol}")
    return sp.radsimp(sol[0]), cp, cm


def kernels(quick: bool):
    from ..architectures import fc

    depths = (1, 2, 3, 4) if quick else (1, 2, 3, 4, 5, 6)
    out = [(f"NTK L={L}", fc(L, "ntk"), L) for L in depths]
    out.append(("NTK L=1, bias 1", fc(1, "ntk", bias=1), None))
    return out


def latex_builder():
    """The derivation as a :class:`~symkernel.latex.LatexBuilder` (every formula parses back)."""
    from ..latex import LatexBuilder

    b = LatexBuilder()
    b.text(r"Laplace kernel $e^{-c\sqrt{1-t}} = e^{-(c/\sqrt2)\|x-x'\|}$ on $S^{d-1}$; with $s = 1 - t$:")
    b.formula(r"e^{-c\sqrt{s}}", laplace_expansion(3), suffix=r"+ O\left(s^{2}\right)")
    b.text(r"so $c_+ = -c$ and $\nu = 1/2$; at $t = -1$ the kernel $e^{-c\sqrt{2-s}}$ is analytic "
           r"($c_- = 0$). The bias-free FC NTK with $L$ hidden layers has $K(1) = L + 1$ and")
    b.formula(r"\frac{c_{+}}{K(1)}", -L_ * (L_ + 1) / (sp.sqrt(2) * sp.pi) / (L_ + 1))
    b.text("Matching the leading terms at $t = 1$:")
    b.formula("c_{L}", L_ / (sp.sqrt(2) * sp.pi), note=r"$e^{-c_L\sqrt{1-t}} = e^{-\frac{L}{2\pi}\|x-x'\|}$")
    b.text(r"and, by the common transfer $\mu_k \sim (c_+ + (-1)^k c_-)\,\mu_k[(1-t)^{1/2}]$ (the factor "
           r"$\mu_k[(1-t)^{1/2}] \propto k^{-d}$ is shared), with $r = c_-/c_+$:")
    r = sp.Symbol("r", real=True)
    b.formula(r"\lim_{k \to \infty} \frac{\mu_k\left[K / K(1)\right]}{\mu_k\left[e^{-c_L \sqrt{1-t}}\right]}",
              1 + r, note="$k$ even")
    b.formula(r"\lim_{k \to \infty} \frac{\mu_k\left[K / K(1)\right]}{\mu_k\left[e^{-c_L \sqrt{1-t}}\right]}",
              1 - r, note="$k$ odd")
    return b


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); the figure goes to ``outdir`` when given."""
    import mpmath

    from ..architectures import laplace
    from ..interpret.singular import leading_singular_term
    from .two_layer_spectrum import angle_quadrature

    report = Report(NAME, CLAIM, SOURCE)
    dims = (2, 3) if quick else (2, 3, 4)
    kmax = 400 if quick else 1000

    # (i) the Laplace kernel
    ser = laplace_expansion(3)
    report.check("e^{-c sqrt s} = 1 - c s^{1/2} + ...: c_+ = -c, nu = 1/2; analytic at t = -1",
                 sp.simplify(ser.coeff(sp.sqrt(s_)) + c_) == 0 and laplace_analytic_at_minus_one(),
                 f"e^(-c sqrt s) = {ser} + O(s^2)")
    for cval in (sp.Rational(1, 2), sp.Integer(2)):
        Kl = laplace(cval)
        cp, nup = leading_singular_term(Kl, 1)
        cm, num = leading_singular_term(Kl, -1)
        report.check(f"singular interpreter on the Laplace kernel, c = {cval}",
                     cp == -cval and nup == sp.Rational(1, 2) and num is None,
                     f"c_+ = {cp}, nu = {nup}; at t = -1: {'analytic' if num is None else num}")

    report.table.append(["kernel", "d", "c (in sqrt(1-t))", "c' (in |x-x'|)", "limit even", "limit odd",
                         f"ratio k={kmax}", f"ratio k={kmax - 1}", "err(k/4)/err(k)", "slope NTK",
                         "slope Laplace"])
    fig = []
    for label, K, L in kernels(quick):
        c, cp, cm = matched_sharpness(K)
        if L is not None:
            report.check(f"{label}: matched c = L/(sqrt2 pi)", sp.simplify(c - sp.Integer(L) / (sp.sqrt(2)
                         * sp.pi)) == 0, f"c = {c} = {sp.N(c, 12)}")
        # c_+ of both kernels against their values near t = 1
        ctx_s = sp.Rational(1, 10**30)
        val = K(1 - ctx_s, dps=40)
        est = (mpmath.mpf(str(sp.N(K.diagonal, 40))) - val) / mpmath.sqrt(mpmath.mpf(str(sp.N(ctx_s, 40))))
        ref = -mpmath.mpf(str(sp.N(cp, 40)))
        report.check(f"{label}: c_+ against K(1 - s) at s = 1e-30", abs(est / ref - 1) < 1e-10,
                     f"(K(1) - K(1-s))/sqrt(s) = {mpmath.nstr(est, 12)}, -c_+ = {mpmath.nstr(ref, 12)}")
        lim_e = sp.simplify(1 + cm / cp)
        lim_o = sp.simplify(1 - cm / cp)
        le, lo = float(sp.N(lim_e)), float(sp.N(lim_o))
        Kl = laplace(c)
        diag = float(sp.N(K.diagonal))
        for d in dims:
            mu_n = angle_quadrature(K, d, kmax) / diag
            mu_l = angle_quadrature(Kl, d, kmax)
            ratio = mu_n / mu_l
            # a class that vanishes exactly (limit 0) has no slope
            slopes = [parity_slopes(mu_n, kmax // 2, kmax, vanishing=[p for p in (0, 1) if (le, lo)[p] == 0]),
                      parity_slopes(mu_l, kmax // 2, kmax)]
            ok_slope = all(abs(x + d) < 0.05 for per in slopes for x in per if x is not None)
            report.check(f"{label}, d={d}: fitted slopes of both spectra = -{d}", ok_slope,
                         f"NTK {', '.join(cell(x, '.4f') for x in slopes[0])}; Laplace "
                         f"{', '.join(cell(x, '.4f') for x in slopes[1])}")
            ke, ko = (kmax, kmax - 1) if kmax % 2 == 0 else (kmax - 1, kmax)
            errs = []
            shrink = []
            ok = True
            for k, lim in ((ke, le), (ko, lo)):
                if lim == 0:  # the NTK's class vanishes exactly: its eigenvalues are float noise
                    noise = float(np.max(np.abs(mu_n[k % 2 + 2::2])) / mu_n[0])
                    ok &= noise < 1e-13
                    errs.append(noise)
                    shrink.append(None)
                    report.legend(UNDEFINED, "no error decay to measure: the bias-free L = 1 NTK's odd "
                                  "eigenvalues (k >= 3) are exactly 0, like its limit, and have no slope; "
                                  "the check bounds their computed values (rounding noise) instead")
                    report.legend(EXACT_ZERO, "the odd eigenvalues of the bias-free L = 1 NTK vanish "
                                  "identically (c_- = c_+), so its odd limit and ratio are 0")
                    continue
                e_far = abs(ratio[k] - lim)
                e_near = abs(ratio[k // 4 + (k // 4 - k) % 2] - lim)
                errs.append(e_far)
                shrink.append(e_near / e_far if e_far > 0 else float("inf"))
                ok &= e_far < 0.02 and (shrink[-1] > 3.0 or e_far < 1e-6)
            zero = (le == 0, lo == 0)  # a class of the NTK that vanishes identically (L = 1, no bias)
            report.check(f"{label}, d={d}: mu_k[NTK/K(1)] / mu_k[Laplace c] -> {le:.6f} (even), "
                         f"{lo:.6f} (odd)", ok,
                         f"|ratio - limit| = {errs[0]:.1e}, {errs[1]:.1e} at k = {ke}, {ko}; shrinks by "
                         f"{cell(shrink[0], '.1f')}, {cell(shrink[1], '.1f')} from k/4 (k^-1 gives 4, k^-2 "
                         "gives 16)")
            report.table.append([label, str(d), str(c), str(sp.radsimp(c / sp.sqrt(2))),
                                 cell(le, ".6f", zero[0]), cell(lo, ".6f", zero[1]),
                                 cell(ratio[ke], ".6f", zero[0]), cell(ratio[ko], ".6f", zero[1]),
                                 " / ".join(cell(x, ".1f") for x in shrink),
                                 ", ".join(cell(x, ".3f") for x in slopes[0]),
                                 ", ".join(cell(x, ".3f") for x in slopes[1])])
            if d == 3:
                fig.append((label, ratio, le, lo, mu_n, mu_l))
    report.notes.append("depth L = number of hidden ReLU layers (Bietti & Bach count L + 1); the NTK is "
                        "divided by K(1) = L + 1 (bias-free) so that both kernels equal 1 at t = 1.")
    report.notes.append("Laplace sharpness: exp(-c sqrt(1-t)) = exp(-c' |x - x'|) with c' = c/sqrt2 on the "
                        "unit sphere; the matched c' = L/(2 pi) for the bias-free NTK.")
    report.notes.append("eigenvalues: float64 Gauss-Legendre in the angle (two_layer_spectrum."
                        "angle_quadrature: its own assembly of the Funk-Hecke sum on the shared nodes and "
                        "Gegenbauer recurrence), independent of the singular-expansion constants it checks.")
    report.latex = latex_builder().render()
    report.figure(outdir, "ntk_vs_laplace.png", _draw, fig, kmax, ncols=2, figsize=(11, 4.5))
    return report


def _draw(axes, data, kmax: int) -> None:
    ax1, ax2 = axes
    ks = np.arange(2, kmax + 1)
    for i, (label, ratio, le, lo, mu_n, mu_l) in enumerate(data):
        col = f"C{i}"
        ev, od = ks[ks % 2 == 0], ks[ks % 2 == 1]
        ax1.semilogx(ev, ratio[ev], "-", color=col, lw=1, label=f"{label} (even)")
        ax1.semilogx(od, ratio[od], "--", color=col, lw=1, label=f"{label} (odd)")
        ax1.axhline(le, color=col, lw=0.5, ls=":")
        ax1.axhline(lo, color=col, lw=0.5, ls=":")
        if i == 1:
            ax2.loglog(ks, np.abs(mu_n[ks]), ".", ms=2, color="C0", label=f"{label} / K(1)")
            ax2.loglog(ks, mu_l[ks], "-", lw=1, color="C3", label="matched Laplace")
    ax1.set_xlabel("k")
    ax1.set_ylabel(r"$\mu_k[K/K(1)]\,/\,\mu_k[e^{-c\sqrt{1-t}}]$ on $S^2$")
    ax1.set_title("eigenvalue ratios -> 1 + (-1)^k c_-/c_+ (dotted)")
    ax1.set_ylim(-0.1, 2.2)
    ax1.legend(fontsize=6, ncol=2)
    ax2.set_xlabel("k")
    ax2.set_ylabel(r"$\mu_k$ on $S^2$")
    ax2.set_title("same decay $k^{-3}$")
    ax2.legend(fontsize=7)
