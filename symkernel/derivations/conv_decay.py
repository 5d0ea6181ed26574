r"""Single-pixel frequencies of the CGPK/CNTK decay at the fully connected rate on :math:`S^{\zeta-1}`.

Derivation.  Fix a pixel j of the receptive field and a frequency vector :math:`k e_j`.  The eigenvalue is
the Funk–Hecke eigenvalue on :math:`S^{\zeta-1}` of the marginal dot-product kernel
:math:`g_j(t_j) = \mathbb E_{t_{-j}} K(t)` (the other pixels integrated against :math:`P_0 = 1`).  While the
other pixels are not all at 1, every average :math:`\Sigma^{(l)}, l \ge 2` stays below 1, so :math:`g_j` is
non-analytic at :math:`t_j = \pm1` only through the first-layer features :math:`\kappa_n(t_j)`; with
:math:`\kappa_n(\pm(1-s)) = \text{analytic} + c_n^\pm s^{n+1/2} + \dots` and the smallest order n present
(n = 0 for the CNTK, whose first layer is trained; n = 1 for the CGPK),

.. math::  g_j(\pm(1-s)) = \text{analytic} + A_j^\pm s^\nu + o(s^\nu),\quad \nu = n + \tfrac12,\qquad
           A_j^\pm = c_n^\pm\,\mathbb E\Big[\frac{\partial K}{\partial \kappa_n(t_j)}\Big|_{t_j = \pm 1}\Big],

and the transfer of SPEC §8 gives

.. math::  \lambda_{k e_j} = A_j^+\,\mu_k[(1-t)^\nu] + A_j^-\,\mu_k[(1+t)^\nu] + o(k^{-(\zeta-1+2\nu)})
           \sim C(\zeta,\nu)\,(A_j^+ + (-1)^k A_j^-)\,k^{-(\zeta - 1 + 2\nu)}:

the exponent :math:`\zeta + 2\nu - 1` is the fully connected one on :math:`S^{\zeta-1}` (ν = 1/2 CNTK,
3/2 CGPK) and involves neither p nor q.  By the chain rule :math:`\partial K/\partial\kappa_n(t_j)` is a sum
over the paths from the output to pixel j, each a product of :math:`1/q` and interior derivatives
:math:`\kappa_0(\Sigma^{(l)})`, :math:`\Theta^{(l)}\kappa_0'(\Sigma^{(l)})`: the factor :math:`A_j` is a
*weighted* path count.  At the expansion point t = 0 every path carries the same weight, so the first-order
coefficients of the hierarchical factorizable expansion are *exactly* proportional to the path counts
(1, 2, 3, 2, 1 for L = 3, q = 3); under the uniform measure the weights differ slightly between paths.

Checks: the exact constants :math:`c_n^\pm` and :math:`C(\zeta,\nu)` (SymPy); the fitted local slope of
:math:`\log\lambda_{k e_j}` against the same slope of the exact :math:`\mu_k[(1-t)^\nu]`; the ratio of the
computed eigenvalues to the asymptotic form at the largest k; the exponent for several ζ, q and depths
(and p: ``eq`` is literally the same description for every p ≥ its receptive field, ``tr`` only divides
by p); the exact path-count proportionality at t = 0; the weighted path factors from the eigenvalues at
large k against :math:`A_j` and against the path counts; the bounds :math:`\mu_k(h^0_j) \le
\lambda_{k e_j} \le \mu_k(h^1_j)` with :math:`h^{0/1}_j` = K with the other pixels at 0 / 1.

Sizes: ``quick=True`` k ≤ 40 (about 15 s); ``quick=False`` k ≤ 100 and more configurations.
"""

from __future__ import annotations

import os
import time

import numpy as np
import sympy as sp

from ..report import Report

NAME = "conv-decay"
CLAIM = ("Eigenvalues of single-pixel frequencies k e_j of the CGPK/CNTK (eq head) decay like "
         "k^-(zeta+2nu-1) "
         "(nu = 1/2 CNTK, 3/2 CGPK): a rate set by the number of channels zeta, not by the image size p or "
         "the "
         "filter size q, with a factor proportional to the number of paths from the output to pixel j "
         "(1,2,3,2,1 for L = 3, q = 3).")
SOURCE = ("Geifman, Galun, Jacobs & Basri (2022), NeurIPS, eigenvalue decay of CGPK/CNTK on the multisphere; "
          "transfer of SPEC section 8 (Flajolet-Odlyzko; Bietti & Bach 2021)")

SLOPE_TOL = 0.05
RATIO_TOL = 0.03


def _exact_constants(report: Report) -> list[list[str]]:
    from ..arccos import endpoint_variable, kappa_endpoint_expansion
    from ..asymptotics import eigenvalue_constant

    s = endpoint_variable()
    rows = []
    for n in (0, 1):
        nu = sp.Rational(2 * n + 1, 2)
        cp = sp.expand(kappa_endpoint_expansion(n, 1, 2 * n + 2)).coeff(s**nu)
        cm = sp.expand(kappa_endpoint_expansion(n, -1, 2 * n + 2)).coeff(s**nu)
        for zeta in (2, 3, 4):
            C = eigenvalue_constant(zeta, nu)
            rows.append([f"kappa_{n}", str(nu), str(cp), str(cm), str(zeta), str(C), f"{float(C):.6g}"])
    ok = (sp.simplify(sp.expand(kappa_endpoint_expansion(0, 1, 2)).coeff(s**sp.Rational(1, 2))
                      + sp.sqrt(2) / sp.pi) == 0)
    report.check("singular coefficient of kappa_0 at t = 1 is -sqrt(2)/pi (SymPy Puiseux expansion)", ok)
    return rows


def _slope(ks, vals):
    return float(np.polyfit(np.log(ks), np.log(np.abs(vals)), 1)[0])


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation and its checks (module docstring); figures go to ``outdir`` when given."""
    from ..architectures.conv import conv
    from ..spectrum.gegenbauer import singular_power_eigenvalues
    from ..spectrum.multisphere import (
        feature_expansion,
        multisphere_eigenvalue,
        single_pixel_spectrum,
        singular_coefficients,
        tensor_spectrum,
    )

    t0 = time.perf_counter()
    report = Report(NAME, CLAIM, SOURCE)
    consts = _exact_constants(report)
    kmax = 40 if quick else 100
    ks_fit = np.arange(kmax // 2, kmax + 1, 2)
    configs = [(2, 3, z, kind) for z in (2, 3, 4) for kind in ("ntk", "nngp")]
    configs += [(2, 5, 3, "ntk"), (3, 3, 3, "nngp")]
    if not quick:
        # receptive fields of at most 5 pixels: the marginal needs a fine rule in one pixel and a tensor
        # rule in the others (9 or more pixels would need ~10^8 kernel evaluations)
        configs += [(2, 5, 2, "nngp"), (3, 3, 2, "ntk"), (3, 3, 4, "ntk"), (2, 5, 4, "nngp")]
    report.table.append(["L", "q", "zeta", "kind", "pixel", "nu", "predicted exponent", "fitted slope "
                                                                                        "(even k)",
                         "exact-(1-t)^nu slope", f"lambda/asymptotic at k={kmax}", f"k={kmax - 1}",
                         "A+", "A-"])
    curves = {}
    slope_dev, ratio_dev = [], []
    for L, q, zeta, kind in configs:
        K = conv("eq", L, q, 2 * (L - 1) * (q - 1) + 1, zeta, kind)
        pix = 0
        P = len(K.inputs)
        want = 24 if zeta == 2 else (16 if P == 3 else 10)
        fit = int((30e6 / (kmax + 46)) ** (1 / (P - 1))) - 6  # the refined grid must fit MAX_POINTS
        no = max(6, min(want, fit))
        vals, errs = single_pixel_spectrum(K, pix, kmax, nodes_other=no)
        sc = singular_coefficients(K, pix, nodes_other=no)
        nu = sc["nu"]
        mu = np.array([float(v) for v in singular_power_eigenvalues(nu, kmax, zeta)])
        kk = np.arange(kmax + 1)
        asym = sc["A_plus"] * mu + sc["A_minus"] * (-1.0) ** kk * mu
        slope = _slope(ks_fit, vals[ks_fit])
        ref = _slope(ks_fit, mu[ks_fit])
        r_even, r_odd = vals[kmax] / asym[kmax], vals[kmax - 1] / asym[kmax - 1]
        slope_dev.append(abs(slope - ref))
        ratio_dev.append(max(abs(r_even - 1), abs(r_odd - 1)))
        report.table.append([str(L), str(q), str(zeta), kind, str(pix), str(nu), f"{zeta + 2 * nu - 1:g}",
                             f"{slope:.3f}", f"{ref:.3f}", f"{r_even:.4f}", f"{r_odd:.4f}",
                             f"{sc['A_plus']:.5g}", f"{sc['A_minus']:.5g}"])
        curves[(L, q, zeta, kind)] = (vals, asym)
    report.check("fitted slope of lambda_(k e_j) = slope of the exact mu_k[(1-t)^nu] (limit -(zeta+2nu-1)) "
                 f"over k in [{kmax // 2}, {kmax}]", max(slope_dev) < SLOPE_TOL,
                 f"max |difference| {max(slope_dev):.3f} over {len(configs)} configurations (tolerance "
                 f"{SLOPE_TOL})")
    report.check(f"lambda_(k e_j) = A+ mu_k[(1-t)^nu] + A- mu_k[(1+t)^nu] at k = {kmax - 1}, {kmax}",
                 max(ratio_dev) < RATIO_TOL, f"max relative deviation {max(ratio_dev):.4f} (tolerance "
                 f"{RATIO_TOL}; the next singular term is O(1/k) relative for odd k)")
    same = {z: [r[7] for r in report.table[1:] if r[2] == str(z) and r[3] == "ntk"] for z in (3,)}
    report.notes.append(f"zeta = 3 CNTK slopes for (L, q) = (2,3), (2,5): {same[3]} — the same exponent for "
                        "different filter sizes")
    # p: eq is the same description for every p >= its receptive field; tr divides by p
    Ka, Kb = conv("eq", 3, 3, 5, 3, "ntk"), conv("eq", 3, 3, 11, 3, "ntk")
    rng = np.random.default_rng(1)
    tv = rng.uniform(-1, 1, (20, 5))  # values at the offsets -2..2
    va = Ka.at_t(np.stack([tv[:, 2], tv[:, 3], tv[:, 4], tv[:, 0], tv[:, 1]], axis=1))
    tb = np.zeros((20, 11))
    tb[:, [9, 10, 0, 1, 2]] = tv
    vb = Kb.at_t(tb)
    report.check("eq: the kernel as a function of the receptive-field offsets is the same for p = 5 and 11",
                 bool(np.all(va == vb)), f"20 random points, max difference {np.max(np.abs(va - vb)):.1e}")
    tr = [multisphere_eigenvalue(conv("tr", 2, 3, p, 3, "ntk"), [7] + [0] * (p - 1)).value * p
          for p in (5, 7)]
    report.check("tr: p * lambda^tr_(k e_0) is independent of p (k = 7; p = 5, 7)",
                 abs(tr[0] / tr[1] - 1) < 1e-12, f"{tr[0]:.12g} vs {tr[1]:.12g}")
    # path counts, L = 3, q = 3
    report.table.append(["", "", "", "", "", "", "", "", "", "", "", "", ""])
    report.table.append(["L=3,q=3", "kind", "pixel offset", "paths", "first-order coef. at t=0",
                         "ratio", "A+ + A- (weighted paths, even k)", "ratio",
                         f"lambda_(k e_j), k={kmax}", "ratio",
                         "mu_k(h0_j) <= . <= mu_k(h1_j)", "", ""])
    path_ok, weighted_dev, bound_ok = True, [], True
    offsets = {0: 0, 1: 1, 2: 2}
    for kind in ("ntk", "nngp"):
        K = conv("eq", 3, 3, 7, 3, kind)
        names = list(K.inputs)
        first, A, Aplus, lam = {}, {}, {}, {}
        for pix in offsets:
            ser, _ = feature_expansion(K, [pix], degree=1)
            first[pix] = float(sum(c for c, e in zip(ser.as_float(), ser.exponents) if e.sum() == 1))
            sc = singular_coefficients(K, pix, nodes_other=10)
            A[pix] = sc["A_plus"] + sc["A_minus"]  # the even-k combination
            Aplus[pix] = sc["A_plus"]
            km = [kmax if n == f"t_{pix}" else 0 for n in names]
            nd = [kmax + 30 if n == f"t_{pix}" else 10 for n in names]
            lam[pix] = float(tensor_spectrum(K, 3, km, nd).reshape(-1)[kmax])
            at = {x: (np.pi / 2, 0.0) for x in names if x != f"t_{pix}"}
            h = [tensor_spectrum(K, 3, [kmax], [kmax + 60], variables=[f"t_{pix}"],
                                 fixed={x: v[i] for x, v in at.items()}) for i in (0, 1)]
            box = tensor_spectrum(K, 3, km, [kmax + 30 if n == f"t_{pix}" else 10 for n in names]).reshape(-1)
            bound_ok &= bool(np.all(h[0] <= box * (1 + 1e-9) + 1e-15)
                             and np.all(box <= h[1] * (1 + 1e-9) + 1e-15))
        paths = {0: 3, 1: 2, 2: 1}
        for pix in offsets:
            report.table.append(["", kind, str(offsets[pix]), str(paths[pix]), f"{first[pix]:.6g}",
                                 f"{first[pix] / first[2]:.4f}", f"{A[pix]:.6g}", f"{A[pix] / A[2]:.4f}",
                                 f"{lam[pix]:.6g}", f"{lam[pix] / lam[2]:.4f}", "ok" if bound_ok else "FAIL",
                                 "", ""])
            path_ok &= abs(first[pix] / first[2] - paths[pix]) < 1e-12
            weighted_dev.append(abs((lam[pix] / lam[2]) / (A[pix] / A[2]) - 1))
        report.notes.append(f"{kind}, zeta = 3: weighted path factors for path counts 1, 2, 3 (offsets 2, "
                            f"1, 0; "
                            "symmetric on the other side): (A+ + A-)_j / rim = "
                            + ", ".join(f"{A[p] / A[2]:.4f}" for p in (2, 1, 0))
                            + " (even k); A+_j / rim = "
                            + ", ".join(f"{Aplus[p] / Aplus[2]:.4f}" for p in (2, 1, 0))
                            + "; exactly 1, 2, 3 at the expansion point t = 0")
    report.check("first-order HFK coefficients at t = 0 are exactly proportional to the path counts 1:2:3",
                 path_ok)
    report.check(f"lambda_(k e_j) ratios at k = {kmax} = weighted path factors A_j (L = 3, q = 3)",
                 max(weighted_dev) < RATIO_TOL, f"max relative deviation {max(weighted_dev):.4f}")
    report.check("mu_k(h0_j) <= lambda_(k e_j) <= mu_k(h1_j) for every k <= kmax (others at 0 / at 1)",
                 bound_ok)
    report.notes.append("the factor is proportional to the number of paths only approximately under the "
                        "uniform "
                        "measure (see the ratios above): each path is weighted by the expected product of "
                        "the "
                        "interior derivatives along it, larger for paths through windows that contain more "
                        "pixels at t = ±1; a statement 'proportional to the number of paths' is exact only "
                        "at "
                        "the expansion point t = 0")
    report.table.append(["", "", "", "", "", "", "", "", "", "", "", "", ""])
    report.table.append(["constants", "n", "nu", "c+", "c-", "zeta", "C(zeta,nu)", "", "", "", "", "", ""])
    for r in consts:
        report.table.append(["", r[0], r[1], r[2], r[3], r[4], f"{r[5]} = {r[6]}", "", "", "", "", "", ""])
    report.latex = (
        "\\begin{gather*}\n"
        r"\lambda_{k e_j}=A_j^+\,\mu_k[(1-t)^\nu]+A_j^-\,\mu_k[(1+t)^\nu]+o(k^{-(\zeta-1+2\nu)})"
        r"\sim C(\zeta,\nu)\,(A_j^++(-1)^kA_j^-)\,k^{-(\zeta-1+2\nu)},\\" "\n"
        r"A_j^\pm=c_n^\pm\,\mathbb E\Big[\frac{\partial K}{\partial\kappa_n(t_j)}\Big|_{t_j=\pm1}\Big]"
        r"=c_n^\pm\sum_{\pi:\,o\to j}\mathbb E\Big[\prod_{l}\frac{1}{q}\,\partial_{\pi,l}\Big],\qquad "
        r"C(\zeta,\nu)=\frac{\Gamma(\zeta/2)\,2^{\nu+\zeta-2}\,\Gamma(\nu+\frac{\zeta-1}{2})}"
        r"{\sqrt\pi\,\Gamma(-\nu)}"
        "\n\\end{gather*}")
    if outdir:
        report.figures.append(_figure(curves, kmax, outdir))
    report.notes.append(f"{'quick' if quick else 'full'} run {time.perf_counter() - t0:.1f} s; depth L "
                        f"counts the "
                        "1x1 convolution")
    return report


def _figure(curves: dict, kmax: int, outdir: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ks = np.arange(1, kmax + 1)
    for (L, q, zeta, kind), (vals, asym) in curves.items():
        line, = ax.loglog(ks, np.abs(vals[1:]), ".", ms=3, label=f"L={L} q={q} zeta={zeta} {kind}")
        ax.loglog(ks, np.abs(asym[1:]), "-", lw=0.7, color=line.get_color())
    ax.set_xlabel("k (single-pixel frequency)")
    ax.set_ylabel("lambda_(k e_0)")
    ax.set_title("single-pixel eigenvalues (dots) and A+ mu[(1-t)^nu] + A- mu[(1+t)^nu] (lines)", fontsize=8)
    ax.legend(fontsize=6)
    path = os.path.join(outdir, "conv_decay.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
