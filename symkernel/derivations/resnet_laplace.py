r"""The ResNTK, the FC-NTK and the Laplace kernel :math:`e^{-c\sqrt{1-u}}` have the same RKHS on the sphere.

Claim (Belfer et al. 2021; Geifman et al. 2020 for the FC-NTK and Laplace; Chen & Xu 2021).  On
:math:`S^{d-1}` the eigenvalues of the normalised ResNTK (L blocks, weight α), of the FC-NTK of any depth
and of the Laplace kernel all decay as :math:`k^{-d}`, so their RKHSs coincide as sets with equivalent
norms.  The Laplace kernel that matches the ResNTK's constant at t = 1 has

.. math::  c = -\tilde c_+^{\rm Res} = \frac{1 + L\alpha^2}{\sqrt2\,\pi\,(1 + \alpha^2)},

and the FC-NTK with the same :math:`c_+` has "effective depth"
:math:`L_{\rm eff} = (1 + L\alpha^2)/(1+\alpha^2)` (normalised FC-NTK: :math:`\tilde c_+ = -L/(\sqrt2\pi)`).

Derivation.  Laplace: :math:`e^{-c\sqrt s} = 1 - c\,s^{1/2} + \frac{c^2}2 s + \dots` at u = 1 - s, and
:math:`\sqrt{1-u}` is analytic at u = -1, so :math:`c_+ = -c`, :math:`c_- = 0`.  ResNTK:
:math:`\tilde c_\pm` from :func:`symkernel.resnet_theory.resnet_singular_constants`.  By the transfer
theorem (SPEC §8) with the same :math:`C(d, \tfrac12)`,

.. math::  \frac{\mu_k^{\rm Res}}{\mu_k^{\rm Lap}} \to \frac{\tilde c_+ + (-1)^k\tilde c_-}{\tilde c_+}
           = 1 \pm \frac{\tilde c_-}{\tilde c_+}\quad(k \text{ even/odd}),

so the matched Laplace kernel agrees with the ResNTK on average over the two parities, and the ratio is
bounded above and below for all k ≥ 1 (norm equivalence; both kernels are positive definite on every sphere).

Checks.  The interpreter's :math:`c_\pm, \nu` of the three kernels (exact); equal exponents d; the eigenvalue
ratios at large k against :math:`1 \pm \tilde c_-/\tilde c_+`; the ratio bounds over :math:`1 \le k \le
k_{max}`; the FC-NTK of depth :math:`L_{\rm eff}` (when it is an integer) has exactly the ResNTK's
:math:`\tilde c_+`.

Sizes: ``quick=True`` 4 ResNTKs, d = 3, k ≤ 200; ``quick=False`` 6 ResNTKs, d ∈ {3, 4}, k ≤ 600.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..latex import gather
from ..report import Report

NAME = "resnet-laplace"
CLAIM = ("On S^{d-1} the normalised ResNTK, the FC-NTK and the Laplace kernel exp(-c sqrt(1-u)) have "
         "eigenvalues decaying with the same exponent k^{-d} (same RKHS); the Laplace kernel with "
         "c = (1 + L alpha^2)/(sqrt(2) pi (1 + alpha^2)) has the ResNTK's constant at t = 1, so the "
         "eigenvalue ratio tends to 1 +- c_-/c_+ (k even/odd); the FC-NTK of depth "
         "(1 + L alpha^2)/(1 + alpha^2) has the same c_+.")
SOURCE = ("Belfer, Geifman, Galun & Basri (2021), Theorem 2 (ResNTK vs Laplace RKHS); Geifman et al. (2020) "
          "and Chen & Xu (2021) (FC-NTK vs Laplace); constants derived here (SPEC §4, §8)")

_HALF = sp.Rational(1, 2)


def _cases(quick: bool):
    """(label, depth, alpha, gamma): L_eff = (1 + L a^2)/(1 + a^2) is an integer for the first three."""
    cases = [("L=3, a=1", 3, 1, None), ("L=5, a=1", 5, 1, None), ("L=7, a=1/2", 7, _HALF, None),
             ("L=16, g=1/2", 16, None, _HALF)]
    if not quick:
        cases += [("L=2, a=3", 2, 3, None), ("L=64, g=1/4", 64, None, sp.Rational(1, 4))]
    return cases


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); figures go to ``outdir`` when given."""
    from ..architectures import fc, laplace
    from ..architectures.resnet import resnet
    from ..asymptotics import asymptotics
    from ..interpret.singular import leading_singular_term
    from ..resnet_theory import resnet_singular_constants
    from ..spectrum import eigenvalues

    report = Report(NAME, CLAIM, SOURCE)
    kmax = 200 if quick else 600
    dims = (3,) if quick else (3, 4)
    report.table.append(["ResNTK", "d", "c+ (Res)", "matched c (exact)", "L_eff", "c-/c+", "ratio even",
                         "1 + c-/c+", "ratio odd", "1 - c-/c+", "min ratio", "max ratio", "exponents"])
    figs = []
    # the Laplace kernel's constants, derived once symbolically
    c_sym = sp.Symbol("c", positive=True)
    s = sp.Symbol("s", positive=True)
    lap_plus = sp.series(sp.exp(-c_sym * sp.sqrt(s)), s, 0, 1).removeO().coeff(sp.sqrt(s))
    report.check("Laplace: coefficient of s^(1/2) in exp(-c sqrt(s)) is -c (SymPy series)",
                 sp.simplify(lap_plus + c_sym) == 0, f"{lap_plus}")
    for label, depth, alpha, gamma in _cases(quick):
        K = resnet(depth, alpha=alpha, gamma=gamma)
        con = resnet_singular_constants(depth, alpha=alpha, gamma=gamma, dps=30)
        cp_exact = con["c_plus"]
        c_match = sp.radsimp(-cp_exact)
        a2 = sp.sympify(K.info["a"])
        closed = (1 + depth * a2) / (sp.sqrt(2) * sp.pi * (1 + a2))
        cp_int, nu_int = leading_singular_term(K, 1)
        report.check(f"{label}: c_+ (interpreter) = -(1 + L a^2)/(sqrt2 pi (1 + a^2))",
                     sp.simplify(cp_int + closed) == 0 and nu_int == _HALF, f"c_+ = {cp_int}")
        Lap = laplace(c_match)
        Alap_p, nlap_p = leading_singular_term(Lap, 1)
        Alap_m, nlap_m = leading_singular_term(Lap, -1)
        report.check(f"{label}: Laplace(c) has c_+ = -c, nu = 1/2 and no singularity at -1 (interpreter)",
                     sp.simplify(Alap_p + c_match) == 0 and nlap_p == _HALF and nlap_m is None,
                     f"c = {c_match}")
        L_eff = sp.nsimplify((1 + depth * a2) / (1 + a2))
        if L_eff.is_Integer:
            Fc = fc(int(L_eff), "ntk", normalize=True)
            cf, nf = leading_singular_term(Fc, 1)
            report.check(f"{label}: FC-NTK of depth L_eff = {L_eff} has the same c_+",
                         sp.simplify(cf - cp_int) == 0 and nf == _HALF, f"{cf}")
        ratio_m = float(con["c_minus_value"] / con["c_plus_value"])
        for d in dims:
            # ResNTK: nu from the +1 end (interpreter); at -1 the closed-form c_- != 0 has the same nu = 1/2
            # (the interpreter's -1 expansion is exponential in L for the ResNTK; see resnet-decay)
            expo = {"Res": sp.Integer(d) - 1 + 2 * nu_int, "Lap": asymptotics(Lap, d).exponent,
                    "FC": asymptotics(fc(3, "ntk"), d).exponent}
            report.check(f"{label}, d={d}: equal exponents (ResNTK, Laplace, FC-NTK) = d",
                         expo["Res"] == expo["Lap"] == expo["FC"] == d, str(expo))
            mu_r = np.asarray(eigenvalues(K, d, kmax).eigenvalues, dtype=float)
            mu_l = np.asarray(eigenvalues(Lap, d, kmax).eigenvalues, dtype=float)
            ratio = mu_r[1:] / mu_l[1:]
            ke, ko = (kmax, kmax - 1) if kmax % 2 == 0 else (kmax - 1, kmax)
            re, ro = mu_r[ke] / mu_l[ke], mu_r[ko] / mu_l[ko]
            tol = 40.0 / kmax**2  # O(k^-2): the s^{3/2} terms of both kernels
            report.check(f"{label}, d={d}: mu_Res/mu_Lap -> 1 +- c_-/c_+ per parity",
                         abs(re - (1 + ratio_m)) < tol and abs(ro - (1 - ratio_m)) < tol,
                         f"{re:.5f} vs {1 + ratio_m:.5f}, {ro:.5f} vs {1 - ratio_m:.5f} (k = {ko}, {ke})")
            report.check(f"{label}, d={d}: ratio bounded above and below for 1 <= k <= {kmax} (norm "
                         "equivalence)", 0.1 < ratio.min() and ratio.max() < 10,
                         f"[{ratio.min():.4f}, {ratio.max():.4f}]")
            report.table.append([label, str(d), f"{float(cp_int):.8f}", str(c_match), str(L_eff),
                                 f"{ratio_m:.6f}", f"{re:.5f}", f"{1 + ratio_m:.5f}", f"{ro:.5f}",
                                 f"{1 - ratio_m:.5f}", f"{ratio.min():.4f}", f"{ratio.max():.4f}",
                                 f"{expo['Res']}/{expo['Lap']}/{expo['FC']}"])
            if d == 3:
                mu_f = None
                if L_eff.is_Integer:
                    mu_f = np.asarray(eigenvalues(fc(int(L_eff), "ntk", normalize=True), d, kmax).eigenvalues,
                                      dtype=float)
                figs.append((label, K, Lap, mu_r, mu_l, mu_f, str(c_match), L_eff))
    report.notes.append("exponents: Res/Laplace/FC = d - 1 + 2 nu; the matched Laplace kernel has the "
                        "ResNTK's c_+ exactly, c_- = 0, so the ratio oscillates between the parities around "
                        "1; the 1 - d(d-2)/(2k) corrections cancel in the ratio, what is left is O(k^-2).")
    report.latex = gather(
        r"e^{-c\sqrt{s}} = 1 - c\,s^{1/2} + O(s),\qquad "
        r"\tilde\Theta_{\rm Res}(1-s) = 1 - \frac{1+L\alpha^2}{\sqrt2\,\pi\,(1+\alpha^2)}\,s^{1/2}"
        r" + O(s),",
        r"c = \frac{1+L\alpha^2}{\sqrt2\,\pi\,(1+\alpha^2)},\qquad "
        r"L_{\rm eff} = \frac{1+L\alpha^2}{1+\alpha^2}\ \ (\tilde\Theta_{\rm FC}^{(L)}:\ "
        r"\tilde c_+ = -\tfrac{L}{\sqrt2\,\pi}),",
        r"\frac{\mu_k^{\rm Res}}{\mu_k^{\rm Lap}} \to 1 \pm \frac{\tilde c_-}{\tilde c_+},\qquad "
        r"\mu_k^{\rm Res},\ \mu_k^{\rm Lap},\ \mu_k^{\rm FC} \asymp k^{-d}",
    )
    report.figure(outdir, "resnet_laplace.png", _draw, figs, kmax, ncols=3, figsize=(16, 4.8), dpi=110)
    return report


def _draw(axes, figs, kmax: int) -> None:
    ks = np.arange(1, kmax + 1)
    th = np.linspace(0, np.pi, 400)
    for i, (label, K, Lap, mu_r, mu_l, mu_f, c, L_eff) in enumerate(figs):
        color = f"C{i}"
        with np.errstate(invalid="ignore", divide="ignore"):  # sqrt(1-u) at θ = 0 (value 1 is right)
            lap_vals = Lap.numpy(theta=th)
        axes[0].plot(th, K.numpy(theta=th), color=color, label=f"ResNTK {label}")
        axes[0].plot(th, lap_vals, "--", color=color, label=f"Laplace c={c}")
        axes[1].loglog(ks, mu_r[1:], ".", ms=2, color=color, label=f"ResNTK {label}")
        axes[1].loglog(ks, mu_l[1:], "-", lw=0.8, color=color)
        axes[2].semilogx(ks, mu_r[1:] / mu_l[1:], ".", ms=2, color=color, label=f"Res/Laplace {label}")
        if mu_f is not None:
            axes[2].semilogx(ks[1::2], mu_r[2::2] / mu_f[2::2], "x", ms=2, color=color, alpha=0.5,
                             label=f"Res/FC-NTK(L={L_eff}) even k")
    axes[0].set_xlabel(r"$\theta$")
    axes[0].set_ylabel("normalised kernel")
    axes[0].legend(fontsize=6)
    axes[1].set_xlabel("k")
    axes[1].set_ylabel(r"$\mu_k$ (d = 3)")
    axes[1].set_title("dots: ResNTK, lines: matched Laplace")
    axes[2].set_xlabel("k")
    axes[2].set_ylabel("eigenvalue ratio")
    axes[2].axhline(1, color="k", lw=0.5)
    axes[2].legend(fontsize=6)
