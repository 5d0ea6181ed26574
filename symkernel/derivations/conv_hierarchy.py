r"""Multi-pixel frequencies of the CGPK/CNTK: hierarchy factors, faster decay, and hierarchical bounds.

Derivation.

*Bounds.*  Every multivariate coefficient :math:`b_{\mathbf n}` of an ``eq`` kernel is non-negative and
:math:`0 \le \mu_k(t^n) \le \mu_0(t^n) \le 1`, :math:`\mu_0(t^0) = 1`.  For a frequency vector with support
S, dropping the monomials that involve a pixel outside S lowers every term of
:math:`\lambda_{\mathbf k} = \sum_{\mathbf n} b_{\mathbf n}\prod_i\mu_{k_i}(t^{n_i})`, and replacing
:math:`\mu_0(t^{n_i})` by 1 outside S raises it:

.. math::  \lambda_{\mathbf k_S}\big(K|_{t_{-S}=0}\big) \;\le\; \lambda_{\mathbf k} \;\le\;
           \lambda_{\mathbf k_S}\big(K|_{t_{-S}=1}\big) \;\le\; \min_{j\in S}\mu_{k_j}(h_j)
           \;\le\; \prod_{j\in S}\mu_{k_j}(h_j)^{1/|S|},

with :math:`h_j = K|_{t_i = 1, i \ne j}` a dot-product kernel on :math:`S^{\zeta-1}`.  Below, the
*hierarchical factorizable kernel*: writing K (others at 0) as a function F of the first-layer features
:math:`y_{i,f} = w_f(t_i) - w_f(0)`, :math:`w_f \in \{t, \kappa_0, \kappa_1\}`, F has non-negative Taylor
coefficients :math:`F_{\mathbf a}` (by the chain rule sums over the paths of the convolutional hierarchy)
and

.. math::  K|_{t_{-S}=0} = \sum_{\mathbf a} F_{\mathbf a}\prod_{i\in S}\prod_f y_{i,f}(t_i)^{a_{i,f}}
           \;\Longrightarrow\; \lambda_{\mathbf k} \ge \sum_{\mathbf a \in A} F_{\mathbf a}
           \prod_{i\in S} \mu_{k_i}\Big(\prod_f y_{i,f}^{a_{i,f}}\Big)

for every finite set A: a sum of products of per-pixel eigenvalues with explicit constants.

*Hierarchy factor.*  The mixed coefficient :math:`F_{1_i 1_j}` (first order in pixels i and j) is a sum
over the units of the hierarchy whose windows contain both pixels; it is large for pixels that share many
windows (nearby, near the centre) and small for pixels that meet only at the top.

*Decay.*  Let :math:`r_S` be the number of pixels in the receptive field of the smallest unit whose window
contains S.  Two mechanisms produce eigenvalues of frequencies spread over S: products of single-pixel
singularities, decaying like :math:`\prod_{i\in S}k_i^{-(\zeta+2\nu-1)}`, and the joint singularity of that
unit at the corner :math:`t = (1, \dots, 1)`, :math:`(1-\Sigma)^\nu` with
:math:`1 - \Sigma \propto \sum_i\theta_i^2`, homogeneous of degree :math:`2\nu` in the
:math:`r_S(\zeta-1)` local coordinates of its pixels; integrating out the pixels outside S leaves a
homogeneous singularity of degree :math:`2\nu + (r_S - |S|)(\zeta-1)` in :math:`|S|(\zeta-1)` coordinates,
whose coefficients decay like :math:`|\mathbf k|^{-(2\nu + r_S(\zeta-1))}`.  Along the diagonal
:math:`k_i = k` (i ∈ S):

.. math::  \lambda_{\mathbf k} \asymp k^{-e_S},\qquad
           e_S = \min\big(|S|(\zeta + 2\nu - 1),\; 2\nu + r_S(\zeta - 1)\big).

This is derived heuristically (transfer for homogeneous singularities) and checked numerically below.
Consequence: whenever :math:`|S|(\zeta + 2\nu - 1) > 2\nu + r_S(\zeta - 1)` — two adjacent pixels of the
CGPK on :math:`\zeta \le 3` channels (L = 2, q = 3), every support that fills a window
(:math:`|S| = r_S \ge 2`, CGPK and CNTK alike) — the decay is *slower* than the product of the
single-pixel rates, so no bound :math:`C\prod_{i\in S}k_i^{-(\zeta+2\nu-1)}` with C
independent of k holds; a product-form upper bound is consistent with the numbers with the per-pixel
exponent :math:`e_S/|S|`, or with the single-pixel exponent and a constant growing like
:math:`k^{|S|(\zeta+2\nu-1) - e_S}` along the diagonal.  The product-form *lower* bound
:math:`c\prod_{i\in S}k_i^{-(\zeta+2\nu-1)}` holds (the HFK lower bound above has this form).  For
pixels that meet only in a large window the product rate is the true one.

Literature. The eigenvalue bounds of Geifman, Galun, Jacobs & Basri (NeurIPS 2022, arXiv 2203.09255) could
not be read in full, so their theorem number, exponent and conditions are *not* quoted. The abstract says:
eigenfunctions are products of spherical harmonics over the pixels; hierarchical factorizable kernels are
used to bound the eigenvalues; the eigenvalues decay polynomially, with a quantified rate, and measures of
the hierarchical composition are derived. Of the follow-ups only the abstracts and introductions were read:
Barzilai, Geifman, Galun & Basri (ICLR 2023, arXiv 2211.14810; abstract: residual CNTK/CGPK eigenvalues
decay polynomially at a rate similar to that without skip connections, with a stronger locality bias) and
Cagnetta, Favero & Wyart (ICML 2023, arXiv 2208.01003; abstract: the spectrum inherits the hierarchical
structure of the network, and the error decay for targets on low-dimensional subsets of adjacent input
variables is controlled by the effective dimensionality of those subsets; a published review summary defines
the "meta-patches" as the inputs sharing a common ancestor node, i.e. its receptive field, each with an
effective dimensionality). Our corner exponent :math:`2\nu + r_S(\zeta-1)` has that structure —
:math:`r_S(\zeta-1)` is the dimension of :math:`MS(\zeta, r_S)`, the receptive field of the lowest unit
whose window contains S — but their formula could not be read, so the agreement is structural, not a checked
equality. The report's notes state which product-form statements the computed numbers confirm and which they
contradict.

Sizes: ``quick=True`` (a few seconds): bounds on :math:`\{0..5\}^3` for L = 2 (CGPK ζ = 2, 3, CNTK ζ = 3),
pair factors for L = 3, decay slopes to k = 24; ``quick=False`` adds L = 3 bounds and longer ranges.
"""

from __future__ import annotations

import itertools
import os
import time

import numpy as np

from ..report import Report

NAME = "conv-hierarchy"
CLAIM = ("Frequencies spread over several pixels decay faster than single-pixel ones, with a factor that "
         "is large "
         "for pixels close to each other and small for pixels far apart; hierarchical factorizable kernels "
         "give "
         "lower and upper bounds of product form with explicit constants, valid for every eigenvalue.")
SOURCE = ("Geifman, Galun, Jacobs & Basri (2022), 'On the spectral bias of convolutional neural tangent and "
          "Gaussian process kernels', NeurIPS 35, arXiv 2203.09255 (hierarchical factorizable kernels, "
          "eigenvalue bounds; the theorem's text was not available here, see the notes); Cagnetta, Favero & "
          "Wyart, 'What can be learnt with wide convolutional neural networks?', ICML 2023, arXiv 2208.01003 "
          "(asymptotics of hierarchical kernels); Barzilai, Geifman, Galun & Basri, 'A kernel perspective "
          "of skip connections in convolutional networks', ICLR 2023, arXiv 2211.14810; SPEC section 5")

SLOPE_TOL = 0.35


def _local_slope(ks, vals):
    return float(np.polyfit(np.log(ks[-3:]), np.log(vals[-3:]), 1)[0])


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation and its checks (module docstring); figures go to ``outdir`` when given."""
    from ..architectures.conv import conv
    from ..spectrum.multisphere import feature_expansion, hierarchical_bounds, tensor_spectrum

    t0 = time.perf_counter()
    report = Report(NAME, CLAIM, SOURCE)
    # ---------------------------------------------------------------- 1. bounds on every eigenvalue
    report.table.append(["bounds", "L", "q", "zeta", "kind", "eigenvalues", "violations",
                         "median lower_hfk/lambda", "median lower_restricted/lambda",
                         "median upper_restricted/lambda", "median upper_min/lambda"])
    cases = [(2, 3, 2, "nngp", 5), (2, 3, 3, "nngp", 5), (2, 3, 3, "ntk", 5)]
    if not quick:
        cases += [(2, 3, 4, "ntk", 6), (3, 3, 3, "nngp", 2), (3, 3, 3, "ntk", 2)]
    scatter = None
    for L, q, zeta, kind, kmax in cases:
        K = conv("eq", L, q, 2 * (L - 1) * (q - 1) + 1, zeta, kind)
        hb = hierarchical_bounds(K, kmax)
        bad = hb.violations()
        v = hb.value
        pos = v > 1e-13 * v.max()
        med = [float(np.median(getattr(hb, n)[pos] / v[pos])) for n in
               ("lower_hfk", "lower_restricted", "upper_restricted", "upper_min")]
        report.table.append(["", str(L), str(q), str(zeta), kind, str(v.size), str(len(bad))]
                            + [f"{m:.4g}" for m in med])
        report.check(f"every computed eigenvalue within the hierarchical bounds (L={L}, q={q}, zeta={zeta}, "
                     f"{kind}, k in {{0..{kmax}}}^{v.ndim})", not bad,
                     f"{v.size} eigenvalues, {len(bad)} violations" + (f": {bad[:3]}" if bad else ""))
        if scatter is None:
            scatter = hb
    # ---------------------------------------------------------------- 2. hierarchy factor of pixel pairs
    report.table.append([""] * 11)
    report.table.append(["pairs L=3 q=3 zeta=3", "kind", "offsets", "distance", "shared first window",
                         "mixed HFK coefficient F_11", "lambda_(e_i+e_j)", "", "", "", ""])
    offs = {"t_0": 0, "t_1": 1, "t_2": 2, "t_5": -2, "t_6": -1}
    for kind in ("nngp", "ntk"):
        K = conv("eq", 3, 3, 7, 3, kind)
        names = list(K.inputs)
        box = tensor_spectrum(K, 3, [1] * 5, [17] * 5)
        rows = []
        for a, b in itertools.combinations(names, 2):
            ser, feats = feature_expansion(K, [int(a[2:]), int(b[2:])], degree=2)
            pix = [feats[v][0] for v in ser.variables]
            mixed = sum(c for c, e in zip(ser.as_float(), ser.exponents)
                        if e.sum() == 2 and sorted(pix[j] for j in np.nonzero(e)[0]) == sorted((int(a[2:]),
                                                                                               int(b[2:]))))
            lam = float(box[tuple(1 if n in (a, b) else 0 for n in names)])
            d = abs(offs[a] - offs[b])
            rows.append((offs[a], offs[b], d, d <= 2, mixed, lam))
        rows.sort(key=lambda r: -r[5])
        for r in rows:
            report.table.append(["", kind, f"({r[0]}, {r[1]})", str(r[2]), "yes" if r[3] else "no",
                                 f"{r[4]:.5g}", f"{r[5]:.5g}", "", "", "", ""])
        by_lam = [r[:2] for r in rows]
        by_mixed = [r[:2] for r in sorted(rows, key=lambda r: -r[4])]
        report.check(f"{kind}: pairs ordered by lambda_(e_i+e_j) = ordered by the mixed HFK coefficient "
                     "(the number and weight of shared windows)", _same_order(rows),
                     f"by lambda {by_lam}; by F_11 {by_mixed}")
        near = min(r[5] for r in rows if r[3])
        far = max(r[5] for r in rows if not r[3])
        report.check(f"{kind}: pixels sharing a first-layer window interact more than pixels meeting only at "
                     "the top", near > far, f"min shared {near:.4g} > max unshared {far:.4g} "
                     f"(ratio {near / far:.2f})")
    # ---------------------------------------------------------------- 3. decay of spread frequencies
    report.table.append([""] * 11)
    report.table.append(["decay along k_i = k", "L", "zeta", "kind", "support", "r_S",
                         "single-pixel exponent", "product |S|(zeta+2nu-1)", "corner 2nu+r_S(zeta-1)",
                         "predicted e_S", "fitted local slope"])
    kmax = 24 if quick else 40
    ks = np.arange(8, kmax + 1, 4)
    slope_dev = []
    fitted: list = []  # (L, zeta, kind, support, |S|, r_S, nu, fitted slope, values along the diagonal)
    drifts: dict = {}
    curves = {}
    for zeta, kind in [(2, "nngp"), (3, "nngp"), (2, "ntk")] + ([] if quick else [(4, "nngp")]):
        nu = 1.5 if kind == "nngp" else 0.5
        K = conv("eq", 2, 3, 5, zeta, kind)
        box = tensor_spectrum(K, zeta, [kmax] * 3, [kmax + 24] * 3)
        for S, vals in (((0,), [box[k, 0, 0] for k in ks]), ((0, 1), [box[k, k, 0] for k in ks]),
                        ((0, 1, 2), [box[k, k, k] for k in ks])):
            vals = np.array(vals)
            e = _predicted(len(S), 3, zeta, nu)
            sl = _local_slope(ks, vals)
            if len(S) == 1:
                drift = drifts[(zeta, kind)] = abs(sl + e)  # finite-k drift of one pixel's local slope
            else:
                slope_dev.append(abs(sl + e) - len(S) * drift)
            curves[(2, zeta, kind, len(S), 3)] = vals
            fitted.append((2, zeta, kind, f"{len(S)} pixel(s) of one window", len(S), 3, nu, sl, vals))
            report.table.append(["", "2", str(zeta), kind, f"{len(S)} pixel(s) of one window", "3",
                                 f"{zeta + 2 * nu - 1:g}", f"{len(S) * (zeta + 2 * nu - 1):g}",
                                 f"{2 * nu + 3 * (zeta - 1):g}", f"{e:g}", f"{sl:.3f}"])
        if zeta == 2 and kind == "nngp":
            pair = np.array([box[k, k, 0] for k in ks])
            growth = (pair[-1] * ks[-1] ** 8) / (pair[0] * ks[0] ** 8)
            report.check("CGPK, zeta = 2, adjacent pixels: lambda_(k,k) k^(2(zeta+2nu-1)) = lambda_(k,k) k^8 "
                         "grows (no product-form bound with the single-pixel exponent)", growth > 4,
                         f"grows by {growth:.2f} from k = {ks[0]} to {ks[-1]} (k^2 would give "
                         f"{(ks[-1] / ks[0]) ** 2:.2f})")
        single = np.array([box[k, 0, 0] for k in ks])
        pair = np.array([box[k, k, 0] for k in ks])
        report.check(f"zeta={zeta} {kind}: spread frequencies decay faster than single-pixel ones "
                     "(lambda_(k,k)/lambda_(k,0) decreasing)", bool(np.all(np.diff(pair / single) < 0)),
                     f"ratio {pair[0] / single[0]:.3g} at k={ks[0]} -> {pair[-1] / single[-1]:.3g} at "
                     f"k={ks[-1]}")
    # far pair: meet only at the top unit (L = 3, r_S = 5): the product rate
    far_cases = [(2, "nngp")] + ([] if quick else [(3, "nngp")])
    kf = 16 if quick else 24
    ksf = np.arange(6, kf + 1, 2)
    for zeta, kind in far_cases:
        nu = 1.5
        K = conv("eq", 3, 3, 7, zeta, kind)
        names = list(K.inputs)
        pair = ("t_5", "t_2")  # offsets -2 and +2
        box = tensor_spectrum(K, zeta, [kf if n in pair else 0 for n in names],
                              [kf + 20 if n in pair else 12 for n in names]).squeeze()
        vals = np.array([box[k, k] for k in ksf])
        e = _predicted(2, 5, zeta, nu)
        sl = _local_slope(ksf, vals)
        slope_dev.append(abs(sl + e) - 2 * drifts.get((zeta, kind), 0.0))
        curves[(3, zeta, kind, 2, 5)] = (ksf, vals)
        fitted.append((3, zeta, kind, "pixels at offsets -2, +2", 2, 5, nu, sl, vals))
        report.table.append(["", "3", str(zeta), kind, "pixels at offsets -2, +2", "5",
                             f"{zeta + 2 * nu - 1:g}", f"{2 * (zeta + 2 * nu - 1):g}",
                             f"{2 * nu + 5 * (zeta - 1):g}", f"{e:g}", f"{sl:.3f}"])
    report.check("diagonal decay exponent of spread frequencies = min(|S|(zeta+2nu-1), 2nu + r_S(zeta-1)) "
                 f"(local slope at k <= {kmax})", max(slope_dev) < SLOPE_TOL,
                 f"max of |slope + e_S| - |S| * (single-pixel drift |slope + zeta + 2nu - 1|) = "
                 f"{max(slope_dev):.3f} (tolerance {SLOPE_TOL}: local slopes still drift towards the limit, "
                 "by about |S| times the single-pixel drift)")
    report.notes.extend(_literature_notes(fitted, ks, ksf, growth))
    report.latex = (
        "\\begin{gather*}\n"
        r"\lambda_{\mathbf k_S}(K|_{t_{-S}=0})\le\lambda_{\mathbf k}\le\lambda_{\mathbf k_S}(K|_{t_{-S}=1})"
        r"\le\min_{j\in S}\mu_{k_j}(h_j)\le\prod_{j\in S}\mu_{k_j}(h_j)^{1/|S|},\\" "\n"
        r"\lambda_{\mathbf k}\ge\sum_{\mathbf a\in A}F_{\mathbf a}\prod_{i\in S}\mu_{k_i}\Big(\prod_f "
        r"y_{i,f}^{a_{i,f}}\Big),\qquad F_{\mathbf a}=\frac{\partial^{\mathbf a}F}{\mathbf a!}(0)\ge0,\\" "\n"
        r"\lambda_{k\mathbf 1_S}\asymp k^{-e_S},\qquad e_S=\min\big(|S|(\zeta+2\nu-1),\ "
        r"2\nu+r_S(\zeta-1)\big)"
        "\n\\end{gather*}")
    if outdir:
        report.figures.append(_figure(curves, ks, scatter, outdir))
    report.notes.append(f"{'quick' if quick else 'full'} run {time.perf_counter() - t0:.1f} s; depth L "
                        f"counts the "
                        "1x1 convolution; eigenvalues by tensor Gauss-Legendre quadrature in the angles")
    return report


def _literature_notes(fitted: list, ks, ksf, growth: float) -> list[str]:
    """Notes comparing the computed diagonal decay with product-form statements (module docstring,
    Literature); every number is taken from this run."""
    slower, product_rate = [], []
    single, e = 2 + 2 * 1.5 - 1, _predicted(2, 3, 2, 1.5)  # the example: zeta = 2 CGPK, adjacent pair, L = 2
    for L, zeta, kind, support, size, r_S, nu, sl, vals in fitted:
        one = zeta + 2 * nu - 1
        e_S = _predicted(size, r_S, zeta, nu)
        k = ks if L == 2 else ksf
        if size > 1 and e_S < size * one:
            # lambda k^(product exponent) along the diagonal, from the first to the last k of the fit
            rise = (vals[-1] * k[-1] ** (size * one)) / (vals[0] * k[0] ** (size * one))
            slower.append(f"L={L} zeta={zeta} {kind}, {support}: fitted slope {sl:.2f}, e_S = {e_S:g} < "
                          f"product {size * one:g} (lambda k^{size * one:g} rises x{rise:.2f} from "
                          f"k = {k[0]} to {k[-1]})")
        elif size > 1:
            product_rate.append(f"L={L} zeta={zeta} {kind}, {support}: fitted slope {sl:.2f}, product "
                                f"exponent {size * one:g} = e_S")
    return [
        "published statement: the eigenvalue-bound theorem of Geifman, Galun, Jacobs & Basri (NeurIPS 2022, "
        "arXiv 2203.09255) could not be read in full: its abstract says that hierarchical factorizable "
        "kernels bound the eigenvalues and that these decay polynomially at a quantified rate; its theorem "
        "number, exponent and conditions are therefore not quoted. The follow-ups (Barzilai et al., arXiv "
        "2211.14810; Cagnetta, Favero & Wyart, arXiv 2208.01003) were read up to their introductions only.",
        "our numbers, decay along the diagonal k_i = k (fitted local slopes of this run): supports decaying "
        "slower than the product of single-pixel rates: " + "; ".join(slower)
        + ". Supports at the product rate: " + "; ".join(product_rate) + ".",
        "what these numbers say about a product-form statement: a lower bound c prod_(i in S) "
        "k_i^-(zeta+2nu-1) is consistent with them (the HFK lower bound has this form); an upper bound "
        "C prod_(i in S) k_i^-(zeta+2nu-1) with C independent of k is contradicted by every support listed "
        f"as slower (for adjacent pixels of the zeta = 2 CGPK, L = 2, lambda_(k,k) k^{2 * single:g} rises "
        f"x{growth:.2f} from k = {ks[0]} to {ks[-1]}; k^{2 * single - e:g} would give "
        f"x{(ks[-1] / ks[0]) ** (2 * single - e):.2f}: the rate is k^-{e:g}); a product-form upper bound is "
        f"consistent if its per-pixel exponent is at most e_S/|S| ({e / 2:g} instead of {single:g} in that "
        "example) or if its constant grows along the diagonal like k^(|S|(zeta+2nu-1) - e_S) "
        f"(k^{2 * single - e:g} there), i.e. depends on k. Whether the published bound has such an exponent "
        "or such a constant could not be checked.",
        "Cagnetta, Favero & Wyart (abstract and a published review summary only): the spectrum inherits the "
        "hierarchical structure of the network and its asymptotics are characterised; the error decay for "
        "targets on low-dimensional subsets of adjacent inputs is controlled by the effective "
        "dimensionality of those subsets; 'meta-patches' are the inputs below a common ancestor node (its "
        "receptive field), each with an effective dimensionality. Our corner exponent 2nu + r_S(zeta-1) "
        "has that structure (r_S(zeta-1) = dim MS(zeta, r_S), r_S the receptive field of the lowest unit "
        "whose window contains S); their exponent could not be read, so this is a structural agreement, "
        "not a checked equality.",
    ]


def _predicted(size: int, r_S: int, zeta: int, nu: float) -> float:
    single = zeta + 2 * nu - 1
    if size == 1:
        return single
    return min(size * single, 2 * nu + r_S * (zeta - 1))


def _same_order(rows) -> bool:
    """Orders by lambda and by the mixed coefficient agree (pairs equal by symmetry tie)."""
    lam = np.array([r[5] for r in rows])
    mix = np.array([r[4] for r in rows])
    for i in range(len(rows)):
        for j in range(len(rows)):
            dl = lam[i] - lam[j]
            dm = mix[i] - mix[j]
            if abs(dl) > 1e-9 * max(lam) and abs(dm) > 1e-9 * max(mix) and dl * dm < 0:
                return False
    return True


def _figure(curves: dict, ks, hb, outdir: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for key, vals in curves.items():
        L, zeta, kind, size, r = key
        if isinstance(vals, tuple):
            x, y = vals
        else:
            x, y = ks, vals
        ax.loglog(x, y, "o-", ms=3, label=f"L={L} zeta={zeta} {kind}, |S|={size}, r_S={r}")
    ax.set_xlabel("k (each frequency of the support)")
    ax.set_ylabel("lambda")
    ax.legend(fontsize=6)
    ax.set_title("spread frequencies along the diagonal", fontsize=9)
    ax = axes[1]
    v = hb.value.reshape(-1)
    pos = v > 1e-14 * v.max()
    for name, mark in (("lower_hfk", "v"), ("lower_restricted", "1"), ("upper_restricted", "2"),
                       ("upper_min", "^")):
        ax.loglog(v[pos], getattr(hb, name).reshape(-1)[pos], mark, ms=4, label=name)
    lo, hi = v[pos].min(), v[pos].max()
    ax.loglog([lo, hi], [lo, hi], "k-", lw=0.8)
    ax.set_xlabel("lambda_k (quadrature)")
    ax.set_ylabel("bound")
    ax.legend(fontsize=7)
    ax.set_title("hierarchical bounds, every eigenvalue of the box", fontsize=9)
    path = os.path.join(outdir, "conv_hierarchy.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
