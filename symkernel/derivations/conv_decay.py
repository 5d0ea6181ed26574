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

*Large receptive fields.*  The checks above use receptive fields of at most 5 pixels, where a tensor
Gauss rule over the pixels is affordable.  For 7, 9 and 13 pixels (L = 4, q = 3; L = 3, q = 5; L = 4,
q = 5) the single-pixel eigenvalue is computed by the sparse-grid route
(:func:`~symkernel.spectrum.multisphere.sparse_spectrum`: Gauss–Legendre on the active pixel, Smolyak's
combination on the others, relative tolerance :data:`LARGE_TOL`), and its local slope over even k is
compared with the slope of the exact :math:`\mu_k[(1-t)^\nu]` over the same k.  For even k both endpoints
contribute :math:`(A_j^+ + A_j^-)\mu_k[(1-t)^\nu]` exactly, so the comparison removes the finite-k drift
of the leading term; what remains is the next singular term of the marginal,
:math:`B_j s^{\nu+1}`, whose eigenvalue is :math:`\mu_k[(1-t)^{\nu+1}] = \mu_k[(1-t)^\nu]\,
c\,k^{-2}(1 + O(1/k))`, so the slope difference is :math:`\Delta(k) = -2c(B/A)k^{-2} + O(k^{-3})`.  It is
not small for deep CNTKs (0.02–0.09 at k = 16..48: the constant B/A grows with depth), so the check
uses two windows of k and the Richardson limit :math:`\Delta_\infty = (\Delta_2k_2^2 - \Delta_1k_1^2)/
(k_2^2 - k_1^2)`, which is 0 exactly when the exponent is :math:`\zeta + 2\nu - 1` (a wrong ν moves it
by about 2).  Tolerance :data:`LARGE_SLOPE_TOL` = 0.01: the reported ratio :math:`\Delta_2/\Delta_1`
agrees with :math:`(k_1/k_2)^2` to a few per cent (0.53 against 0.54 quick, 0.33 against 0.34 full), so the
:math:`O(k^{-3})` remainder is a few per cent of :math:`|\Delta| \le 0.09`, at most about 0.005; and the
quadrature moves the limit by at most :math:`(q_2k_2^2 + q_1k_1^2)/(k_2^2 - k_1^2)` with
:math:`q_w = \sum_i|c_i|\epsilon_i` (a least-squares slope is :math:`\sum_i c_i\log\lambda_i`; relative
errors :math:`\epsilon_i \le 10^{-4}` give :math:`\lesssim 10^{-3}`, reported).  Measured limits: at most
0.003 (quick) and 0.004 (full, eleven fields).

Sizes: ``quick=True`` k ≤ 40 (about 10 s) and four fields of 7 and 9 pixels at k = 16..40 (about 5 s);
``quick=False`` k ≤ 100, more configurations, and eleven fields of 7, 9 and 13 pixels at k = 16..48.
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
#: relative tolerance of the sparse-grid route for the large receptive fields (moves a slope by ~1e-4)
LARGE_TOL = 1e-4
#: tolerance of the Richardson limit of (fitted slope - exact-(1-t)^nu slope) (module docstring)
LARGE_SLOPE_TOL = 0.01
#: two windows of even k each: the slope difference is O(k^-2), and the pair gives its limit
LARGE_WINDOWS_QUICK = ((16, 24, 32), (24, 32, 40))
LARGE_WINDOWS_FULL = ((16, 24, 32), (32, 40, 48))
#: (L, q, zeta, kind, pixel): receptive fields of (L-1)(q-1)+1 = 7, 9, 13 pixels; pixel 0 is the centre
LARGE_FIELDS_QUICK = [(3, 5, 3, "ntk", 0), (3, 5, 2, "nngp", 0), (3, 5, 3, "nngp", 0), (4, 3, 4, "nngp", 0)]
LARGE_FIELDS_FULL = LARGE_FIELDS_QUICK + [(3, 5, 3, "ntk", 4), (3, 5, 4, "ntk", 0), (4, 3, 3, "ntk", 0),
                                          (4, 3, 3, "ntk", 3), (4, 3, 2, "nngp", 0), (4, 5, 3, "ntk", 0),
                                          (4, 5, 3, "nngp", 0)]


def _exact_constants(report: Report) -> list[list[str]]:
    import mpmath

    from ..arccos import kappa_singular_coefficient
    from ..asymptotics import eigenvalue_constant

    rows = []
    for n in (0, 1):
        nu = sp.Rational(2 * n + 1, 2)
        cp, cm = kappa_singular_coefficient(n, 1), kappa_singular_coefficient(n, -1)
        for zeta in (2, 3, 4):
            C = eigenvalue_constant(zeta, nu)
            rows.append([f"kappa_{n}", str(nu), str(cp), str(cm), str(zeta), str(C), f"{float(C):.6g}"])
    # independent route: the closed forms of SPEC §2 at s = 1e-12 (40 digits), minus their analytic part
    # (1, resp. 1 - s at t = 1; 0 at t = -1), divided by s^(n + 1/2): the next term is O(s) relative
    ctx = mpmath.MPContext()
    ctx.dps = 40
    ssmall = ctx.mpf(10) ** -12
    k0 = [lambda u: 1 - ctx.acos(u) / ctx.pi,
          lambda u: (ctx.sqrt(1 - u * u) + (ctx.pi - ctx.acos(u)) * u) / ctx.pi]
    worst = 0.0
    for n in (0, 1):
        for at in (1, -1):
            u = at * (1 - ssmall)
            analytic = (1 - ssmall * n) if at == 1 else 0
            numeric = (k0[n](u) - analytic) / ssmall ** (n + ctx.mpf(1) / 2)
            c = ctx.mpf(sp.N(kappa_singular_coefficient(n, at), 40))
            worst = max(worst, float(abs(numeric / c - 1)))
    report.check("singular coefficients c_n^+- of kappa_0, kappa_1 at t = +-1 (SymPy Puiseux expansion) = "
                 "the closed forms at s = 1e-12", worst < 1e-9, f"max relative difference {worst:.1e}")
    return rows


def _slope(ks, vals):
    return float(np.polyfit(np.log(ks), np.log(np.abs(vals)), 1)[0])


def large_field_slope(depth: int, filter_size: int, zeta: int, kind: str, pixel: int, windows,
                      claimed_kind: str | None = None, tol: float = LARGE_TOL) -> dict:
    r"""Local slopes of :math:`\log\lambda_{k e_j}` for the ``eq`` kernel of a large receptive field (the
    sparse-grid route), each against the slope of the exact :math:`\mu_k[(1-t)^\nu]` over the same k.

    ``windows`` is a pair of tuples of even k (a lower and a higher range).  The difference Δ of the two
    slopes is :math:`O(k^{-2})` (module docstring), so the two windows give the Richardson limit
    :math:`\Delta_\infty = (\Delta_2 k_2^2 - \Delta_1 k_1^2)/(k_2^2 - k_1^2)`, :math:`k_w` the geometric
    mean of a window; it is 0 when the exponent is :math:`\zeta + 2\nu - 1`.  ``claimed_kind`` (default
    ``kind``) sets the ν of the prediction: 1/2 for "ntk", 3/2 for "nngp".  ``quad`` bounds the effect of
    the quadrature errors on :math:`\Delta_\infty` (a slope is :math:`\sum_i c_i\log\lambda_i`, so
    relative errors :math:`\epsilon_i` move it by at most :math:`\sum_i|c_i|\epsilon_i`).
    """
    from ..architectures.conv import conv
    from ..spectrum.gegenbauer import singular_power_eigenvalues
    from ..spectrum.multisphere import sparse_spectrum

    t0 = time.perf_counter()
    rf = (depth - 1) * (filter_size - 1) + 1
    K = conv("eq", depth, filter_size, rf, zeta, kind)
    vals, rel, evals = {}, {}, 0
    for k in sorted({int(k) for w in windows for k in w}):
        freq = [0] * rf
        freq[pixel] = k
        r = sparse_spectrum(K, zeta, freq, tol=tol)
        vals[k], rel[k] = r.value, r.error / abs(r.value)
        evals += r.evaluations
    nu = 0.5 if (claimed_kind or kind) == "ntk" else 1.5
    mu = [float(v) for v in singular_power_eigenvalues(nu, max(vals), zeta)]
    out: dict = {"slopes": [], "refs": [], "devs": [], "kmid": [], "quads": []}
    for w in windows:
        x = np.log(np.asarray(w, dtype=float))
        c = (x - x.mean()) / np.sum((x - x.mean()) ** 2)  # slope = sum_i c_i log(lambda_i)
        slope = float(c @ np.log([abs(vals[k]) for k in w]))
        ref = float(c @ np.log([abs(mu[k]) for k in w]))
        out["slopes"].append(slope)
        out["refs"].append(ref)
        out["devs"].append(slope - ref)
        out["kmid"].append(float(np.exp(x.mean())))
        out["quads"].append(float(np.abs(c) @ np.array([rel[k] for k in w])))
    (d1, d2), (k1, k2) = out["devs"], out["kmid"]
    q1, q2 = out["quads"]
    out.update(limit=(d2 * k2**2 - d1 * k1**2) / (k2**2 - k1**2),
               quad=(q2 * k2**2 + q1 * k1**2) / (k2**2 - k1**2), predicted=-(zeta + 2 * nu - 1),
               rel_err=max(rel.values()), evaluations=evals, pixels=rf, name=list(K.inputs)[pixel],
               values=vals, seconds=time.perf_counter() - t0)
    return out


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation and its checks (module docstring); figures go to ``outdir`` when given."""
    from ..architectures.conv import conv
    from ..conv_asymptotics import check_nodes
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
        # rule in the others (9 or more pixels would need ~10^8 kernel evaluations; the large fields below
        # use the sparse-grid route instead)
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
        no = check_nodes(P, zeta, kmax)  # the refined grid must fit MAX_POINTS
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
    # large receptive fields (7-13 pixels) by the sparse-grid route
    windows = LARGE_WINDOWS_QUICK if quick else LARGE_WINDOWS_FULL
    blank = [""] * 13
    report.table.append(blank)
    report.table.append(["large fields", "L, q, zeta", "kind", "pixels (RF)", "pixel", "predicted exponent",
                         f"fitted slope k={windows[0]}", f"exact-(1-t)^nu slope k={windows[0]}",
                         f"fitted slope k={windows[1]}", f"exact-(1-t)^nu slope k={windows[1]}",
                         "differences D1, D2", "Richardson limit of D", "quadrature effect"])
    large = []
    cases = LARGE_FIELDS_QUICK if quick else LARGE_FIELDS_FULL
    for L, q, zeta, kind, pix in cases:
        r = large_field_slope(L, q, zeta, kind, pix, windows)
        large.append(r)
        report.table.append(["", f"{L}, {q}, {zeta}", kind, str(r["pixels"]),
                             f"{r['name']} ({'centre' if pix == 0 else 'rim'})", f"{-r['predicted']:g}",
                             f"{r['slopes'][0]:.4f}", f"{r['refs'][0]:.4f}", f"{r['slopes'][1]:.4f}",
                             f"{r['refs'][1]:.4f}", f"{r['devs'][0]:+.4f}, {r['devs'][1]:+.4f}",
                             f"{r['limit']:+.4f}", f"{r['quad']:.1e}"])
    worst = max(abs(r["limit"]) + r["quad"] for r in large)
    ratio = [r["devs"][1] / r["devs"][0] for r in large if abs(r["devs"][0]) > 0.01]
    fields = ", ".join(str(n) for n in sorted({r["pixels"] for r in large}))
    report.check(f"large receptive fields ({fields} pixels, "
                 "sparse-grid route): local slope of lambda_(k e_j) - slope of the exact mu_k[(1-t)^nu] "
                 "-> 0 (Richardson in k^-2), i.e. the exponent is zeta+2nu-1", worst < LARGE_SLOPE_TOL,
                 f"max |limit| + quadrature effect = {worst:.4f} over {len(large)} configurations "
                 f"(tolerance {LARGE_SLOPE_TOL}); raw differences up to "
                 f"{max(abs(d) for r in large for d in r['devs']):.3f}, shrinking by D2/D1 = "
                 + ", ".join(f"{x:.2f}" for x in ratio) + " where |D1| > 0.01 ((k1/k2)^2 = "
                 f"{(large[0]['kmid'][0] / large[0]['kmid'][1]) ** 2:.2f})")
    by_zeta: dict = {}
    for c, r in zip(cases, large):
        by_zeta.setdefault((c[2], c[3]), []).append(f"L={c[0]},q={c[1]} {r['name']}: {r['slopes'][1]:.3f}")
    report.notes.append(f"large receptive fields, fitted slopes at k = {windows[1]} by (zeta, kind): "
                        + "; ".join(f"zeta={z} {k}: " + ", ".join(v) for (z, k), v in sorted(by_zeta.items()))
                        + " — the exponent follows zeta and the kind, not the filter size or the depth")
    # path counts, L = 3, q = 3
    report.table.append(blank)
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
