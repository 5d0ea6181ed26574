r"""Eigenfunctions of the CGPK/CNTK on the multisphere: products of spherical harmonics over the pixels.

Derivation.  For the ``eq`` and ``tr`` heads the kernel depends on x, x' only through the per-pixel inner
products :math:`t_i = \langle x_i, x'_i\rangle` (SPEC §5) and has a power series with non-negative
coefficients, :math:`K = \sum_{\mathbf n} b_{\mathbf n}\prod_i t_i^{n_i}`.  Each monomial is a product of
dot-product kernels of single pixels, so the Funk–Hecke formula applied pixel by pixel gives

.. math::  \int \prod_i \langle x_i, x'_i\rangle^{n_i} \prod_i Y_{k_i}(x'_i)\,d\sigma(x')
           = \prod_i \mu^{(\zeta)}_{k_i}(t^{n_i})\,Y_{k_i}(x_i),

and summing over :math:`\mathbf n`: every product of harmonics :math:`\prod_i Y_{k_i}(x_i)` is an
eigenfunction with eigenvalue :math:`\lambda_{\mathbf k} = \sum_{\mathbf n} b_{\mathbf n}\prod_i
\mu_{k_i}(t^{n_i})`; the eigenspace of :math:`\mathbf k` has dimension :math:`\prod_i N(\zeta, k_i)`.
``eq`` depends only on its receptive field, so :math:`\lambda_{\mathbf k} = 0` when :math:`k_i > 0` for a
pixel outside it.  ``tr`` is the shift average of ``eq`` (:math:`\lambda^{tr}_{\mathbf k} = \frac1p\sum_m
\lambda^{eq}_{s^m\mathbf k}`), and ``gap`` = ``tr`` composed with the projector onto shift-invariant
functions: its eigenfunctions are the shift-symmetrised products, with multiplicity the Burnside count of
invariant vectors in :math:`\bigoplus_{\mathbf k'\in\text{orbit}}\bigotimes_i H_{k'_i}`.

Checks (independent routes): the monomial eigenvalue :math:`\mu_k(t^n)` by SymPy integration against the
closed form; Burnside's count against the trace of the averaging projector built as an explicit matrix;
``tr`` eigenvalues by direct tensor quadrature against the shift average of ``eq`` eigenvalues; the
eigenfunction equation :math:`T f = \lambda_{\mathbf k} f` for products of real harmonics at random points,
with T computed by Gauss–Legendre in each pixel's angle and a trapezoidal average over the circle orthogonal
to :math:`x_i` (no Funk–Hecke); Nyström: the leading eigenvalues of the Gram matrices of ``eq`` and
``gap`` on points sampled on :math:`MS(3, 3)` (``tr`` = ``eq`` there) against the predicted list with
multiplicities (the degree-1 cluster has 9 members for eq/tr and 3 for gap); eq eigenvalues outside the
receptive field vanish.

*The kernel is that of the network.*  Everything above is about ``symkernel.conv``; the last check ties
it to the network it stands for.  A finite-width cyclic CNN (:func:`symkernel.networks.conv_network_kernels`:
a 1×1 convolution, L - 1 cyclic convolutions of size q (q × q on a torus) with C channels, NTK
parameterisation, every layer trained) is averaged over initialisations; the empirical CGPK (the readout
part of the NTK, averaged over the readout) and CNTK are compared with ``sk.conv(head, L, q, grid, ζ,
kind).at(x, y)`` on a 1-D ring and a 2-D torus for the three heads, through
:math:`z = (\bar K_{MC} - K)/\mathrm{SE}` at a few pairs (x, y): y = x, a noisy x, x translated by one
pixel, an unrelated point.  Accepted when every :math:`|\bar K_{MC} - K| <` :data:`MC_Z_TOL` SE + the
measured bound of the O(1/C) finite-width bias of L ≥ 2, ``bound * K(1) / C`` (``bound`` = 0.35 on the
ring at L = 3: ``tests/test_networks_fc.py`` measured ≤ 0.34 at L = 4; 0.1 on the torus at L = 2:
``tests/test_conv_networks_2d.py`` measured ≤ 0.07), i.e. :math:`|z| < 4 + a` with the allowance
:math:`a` = bias bound / SE (below 1 in the quick run, so there the test is nearly a plain 4-SE test; the
full run's 800 networks halve the SE and double a).  The same means must reject the kernels of depth
L - 1 and L + 1: some :math:`|z| - a` above 2 :data:`MC_Z_TOL`, so the check can fail.

Sizes: ``quick=True`` n = 600 sample points and 200 networks per head and grid, about 10 s;
``quick=False`` n = 2500 and 800 networks.
"""

from __future__ import annotations

import itertools
import math
import os
import time

import numpy as np
import sympy as sp

from ..report import Report

NAME = "conv-eigenfunctions"
CLAIM = ("For normalised multi-channel input x in MS(zeta, p) the eigenfunctions of the CGPK and CNTK (eq "
         "and tr "
         "heads) under the uniform measure are products of spherical harmonics over the pixels, with "
         "eigenvalue "
         "lambda_k depending only on the frequency vector k and multiplicity prod_i N(zeta, k_i); tr "
         "averages "
         "eq over shifts, gap keeps the shift-symmetrised products (Burnside multiplicity); eq eigenvalues "
         "vanish outside the receptive field.")
SOURCE = ("Geifman, Galun, Jacobs & Basri (2022), 'On the spectral bias of convolutional neural tangent and "
          "Gaussian process kernels', NeurIPS (eigenfunctions on the multisphere); SPEC section 5")


MC_Z_TOL = 4.0
#: (grid, zeta, depth, width, bias bound): a 6-pixel ring at L = 3 (receptive field 5) and a 4 x 4 torus at
#: L = 2; the bound of C |bias| / K(1) is the measured one (module docstring)
MC_CASES = [((6,), 3, 3, 64, 0.35), ((4, 4), 2, 2, 32, 0.1)]


def _mc_points(shape: tuple, zeta: int, seed: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """x and four y: x itself, a noisy x, x translated by one pixel along the first axis, an unrelated
    point (unit rows on the grid ``shape``)."""
    rng = np.random.default_rng(seed)

    def unit(a):
        return a / np.linalg.norm(a, axis=-1, keepdims=True)

    x = unit(rng.standard_normal(shape + (zeta,)))
    ys = np.stack([x, unit(x + 0.5 * rng.standard_normal(x.shape)), np.roll(x, 1, axis=0),
                   unit(rng.standard_normal(x.shape))])
    return x, ys


def network_z_scores(shape: tuple, zeta: int, depth: int, head: str, width: int, n_init: int,
                     seed: int = 11, kernel_depths: tuple | None = None) -> dict:
    r"""Monte-Carlo average of a finite-width cyclic CNN of ``depth`` layers against ``sk.conv``.

    One run of :func:`symkernel.networks.conv_network_kernels` (filter size 3) on the grid ``shape`` at the
    points of :func:`_mc_points`, held against the kernels of each depth in ``kernel_depths`` (default
    ``(depth,)``; other depths are wrong kernels, for the rejection check and the tests).  Returns
    ``{kernel depth: {kind: {"z", "se", "diagonal"}}}`` with z = (mean - kernel) / SE over the points, SE
    the standard error and ``diagonal`` = K(1) of the right kernel, plus ``"seconds"``.
    """
    from ..architectures.conv import conv
    from ..networks import conv_network_kernels

    t0 = time.perf_counter()
    x, ys = _mc_points(shape, zeta)
    grid = shape[0] if len(shape) == 1 else shape
    res = conv_network_kernels(x, ys, depth, 3, head, width, n_init, seed=seed)
    out: dict = {}
    for d in kernel_depths or (depth,):
        out[d] = {}
        for kind in ("nngp", "ntk"):
            se = np.asarray(res[f"{kind}_se"])
            ref = conv(head, d, 3, grid, zeta, kind).at(x, ys)
            out[d][kind] = {"z": (np.asarray(res[f"{kind}_mean"]) - ref) / se, "se": se,
                            "diagonal": float(conv(head, depth, 3, grid, zeta, kind).diagonal)}
    out["seconds"] = time.perf_counter() - t0
    return out


def _excess(res: dict, allowance: dict) -> float:
    """max over the points and kinds of |z| - a (a = bias bound / SE)."""
    return max(float(np.max(np.abs(res[k]["z"]) - allowance[k])) for k in ("nngp", "ntk"))


def _network_check(report: Report, quick: bool) -> None:
    n_init = 200 if quick else 800
    report.table.append([""] * 7)
    report.table.append(["finite-width CNN", "grid, zeta, L, C", "head",
                         f"|z| nngp (n_init = {n_init})", "|z| ntk", "max |z| - a, depth L-1 / L+1",
                         "max allowance a = bias bound / SE"])
    worst, reject, allow, count = 0.0, [], [], 0
    for shape, zeta, depth, width, bound in MC_CASES:
        for head in ("eq", "tr", "gap"):
            r = network_z_scores(shape, zeta, depth, head, width, n_init,
                                 kernel_depths=(depth, depth - 1, depth + 1))
            a = {k: bound * r[depth][k]["diagonal"] / width / r[depth][k]["se"] for k in ("nngp", "ntk")}
            worst = max(worst, _excess(r[depth], a))
            wrong = [_excess(r[depth - 1], a), _excess(r[depth + 1], a)]
            reject.append(min(wrong))
            allow.append(max(float(a[k].max()) for k in a))
            count += sum(r[depth][k]["z"].size for k in ("nngp", "ntk"))
            name = f"ring p={shape[0]}" if len(shape) == 1 else f"torus {shape[0]}x{shape[1]}"
            report.table.append(["", f"{name}, {zeta}, {depth}, {width}", head,
                                 " ".join(f"{abs(v):.2f}" for v in r[depth]["nngp"]["z"]),
                                 " ".join(f"{abs(v):.2f}" for v in r[depth]["ntk"]["z"]),
                                 f"{wrong[0]:.1f} / {wrong[1]:.1f}", f"{allow[-1]:.2f}"])
    report.check("finite-width CNN (1-D ring and 2-D torus; eq, tr, gap; NNGP and NTK): Monte-Carlo mean = "
                 f"sk.conv within {MC_Z_TOL:g} standard errors plus the finite-width bias bound",
                 worst < MC_Z_TOL,
                 f"max |z| - a = {worst:.2f} over {count} values, allowance a <= {max(allow):.2f} (measured "
                 "bound C |bias| / K(1) <= "
                 + ", ".join(f"{c[4]:g} ({'ring' if len(c[0]) == 1 else 'torus'}, L = {c[2]})"
                             for c in MC_CASES)
                 + ")")
    report.check("the same Monte-Carlo means reject the kernels of depth L - 1 and L + 1",
                 min(reject) > 2 * MC_Z_TOL,
                 f"smallest max |z| - a of a wrong depth {min(reject):.1f} (need > {2 * MC_Z_TOL:g})")


def _real_harmonics_s2(k: int, x: np.ndarray) -> np.ndarray:
    """An orthogonal basis of the degree-k harmonics on S^2 (k <= 2), evaluated at rows of x."""
    X, Y, Z = x[..., 0], x[..., 1], x[..., 2]
    if k == 0:
        return np.ones(x.shape[:-1] + (1,))
    if k == 1:
        return np.stack([X, Y, Z], axis=-1)
    if k == 2:
        return np.stack([X * Y, Y * Z, X * Z, X * X - Y * Y, 2 * Z * Z - X * X - Y * Y], axis=-1)
    raise ValueError(k)


def _monomial_check(report: Report) -> str:
    from ..spectrum.gegenbauer import monomial_eigenvalue_exact

    t = sp.Symbol("t")
    zeta = 3
    cz = sp.gamma(sp.Rational(zeta, 2)) / (sp.sqrt(sp.pi) * sp.gamma(sp.Rational(zeta - 1, 2)))
    bad = []
    for n in range(0, 6):
        for k in range(0, n + 1):
            Pk = sp.legendre(k, t)  # P_k^{(3)}
            integral = sp.integrate(cz * t**n * Pk * (1 - t**2) ** sp.Rational(zeta - 3, 2), (t, -1, 1))
            formula = monomial_eigenvalue_exact(k, n, zeta) if (n - k) % 2 == 0 else 0
            if sp.simplify(integral - formula) != 0:
                bad.append((n, k))
    report.check("monomial eigenvalue mu_k(t^n) on S^2: SymPy integral = closed form (n <= 5)", not bad,
                 f"mismatches {bad}" if bad else "21 pairs (n, k) exact")
    return (r"\int_{MS}\prod_i\langle x_i,x'_i\rangle^{n_i}\prod_i Y_{k_i}(x'_i)\,d\sigma(x')"
            r"=\prod_i\mu^{(\zeta)}_{k_i}(t^{n_i})\,Y_{k_i}(x_i),\qquad "
            r"\lambda_{\mathbf k}=\sum_{\mathbf n}b_{\mathbf n}\prod_i\mu^{(\zeta)}_{k_i}(t^{n_i}),"
            r"\qquad \mu_k(t^n)=\frac{n!\,\Gamma(\zeta/2)\,\Gamma(\frac{n-k+1}{2})}"
            r"{(n-k)!\,2^k\sqrt\pi\,\Gamma(\frac{n+k+\zeta}{2})}")


def _burnside_check(report: Report) -> None:
    """Invariant dimension by an explicit projector on the tensor space vs the Burnside formula."""
    from ..architectures.conv import Grid
    from ..spectrum.multisphere import multiplicity, orbit

    cases = [((1, 1, 1), 2), ((1, 0, 0), 3), ((2, 2, 0, 0), 2), ((1, 0, 1, 0), 3), ((1, 1, 0), 2)]
    rows = []
    ok = True
    for k, zeta in cases:
        grid = Grid((len(k),))
        orb, _ = orbit(k, grid)
        # basis: for each k' in the orbit, tuples of harmonic indices (one per pixel)
        basis = []
        for kp in orb:
            from ..spectrum.gegenbauer import multiplicity as N

            for idx in itertools.product(*[range(N(zeta, v)) for v in kp]):
                basis.append((kp, idx))
        pos = {b: i for i, b in enumerate(basis)}
        dim = len(basis)
        A = np.zeros((dim, dim))
        for m in grid.translations():
            perm = grid.permutation(m)
            for (kp, idx), i in pos.items():
                src = range(len(k))
                j = pos[(tuple(kp[perm[a]] for a in src), tuple(idx[perm[a]] for a in src))]
                A[j, i] += 1 / grid.size
        inv = int(round(np.trace(A)))
        formula = multiplicity(k, zeta, "gap", grid)
        ok &= inv == formula
        rows.append(f"k={k}, zeta={zeta}: projector trace {inv}, Burnside {formula}")
    report.check("gap multiplicity: Burnside formula = trace of the shift-averaging projector", ok,
                 "; ".join(rows))


def _sample(rng, n: int, p: int, zeta: int) -> np.ndarray:
    x = rng.standard_normal((n, p, zeta))
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _gram(K, X: np.ndarray) -> np.ndarray:
    """Gram matrix K(X_a, X_b) (float64, vectorised over all pairs)."""
    from ..interpret.numeric import evaluate_numpy

    angles = {}
    for name in K.inputs:
        parts = name.split("_")
        i = int(parts[1])
        j = int(parts[2]) if len(parts) == 3 else i
        d = np.linalg.norm(X[:, None, i, :] - X[None, :, j, :], axis=-1)
        s = np.linalg.norm(X[:, None, i, :] + X[None, :, j, :], axis=-1)
        angles[name] = 2 * np.arctan2(d, s)
    G = evaluate_numpy(K.node, angles=angles)
    return (G + G.T) / 2


def _rotation_average_check(K, zeta: int, box: np.ndarray, rng) -> float:
    """max |(T f)(x) - lambda_k f(x)| over products of real harmonics f and random points x, with T f computed
    by Gauss-Legendre in the angle of every pixel and a trapezoidal average over the circle orthogonal to x_i
    (exact for the harmonics of degree <= 2): an independent route to Funk-Hecke, pixel by pixel."""
    from ..interpret.numeric import evaluate_numpy
    from ..spectrum.multisphere import sphere_rule

    names = list(K.inputs)
    p = len(names)
    nth, M = 40, 12
    th, w = sphere_rule(nth, zeta)
    psi = 2 * np.pi * np.arange(M) / M
    angles = {}
    for i, name in enumerate(names):
        shape = [1] * p
        shape[i] = nth
        angles[name] = th.reshape(shape)
    Kgrid = np.broadcast_to(evaluate_numpy(K.node, angles=angles), (nth,) * p)
    worst = 0.0
    for _ in range(3):
        x = _sample(rng, 1, p, zeta)[0]
        for k in [(1, 0, 0), (0, 2, 0), (1, 1, 0), (2, 0, 1), (1, 2, 1)]:
            comps = [int(rng.integers(0, 2 * ki + 1)) for ki in k]
            f_x = 1.0
            contraction = Kgrid
            for i in range(p - 1, -1, -1):
                e = x[i]
                u1 = np.linalg.svd(e[None, :])[2][1]
                u2 = np.cross(e, u1)
                pts = (np.cos(th)[:, None, None] * e + np.sin(th)[:, None, None]
                       * (np.cos(psi)[None, :, None] * u1 + np.sin(psi)[None, :, None] * u2))
                g = _real_harmonics_s2(k[i], pts)[..., comps[i]].mean(axis=1)  # (nth,)
                contraction = np.tensordot(contraction, w * g, axes=([i], [0]))
                f_x *= _real_harmonics_s2(k[i], x[i][None, :])[0, comps[i]]
            worst = max(worst, abs(float(contraction) - box[k] * f_x))
    return worst


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation and its checks (module docstring); figures go to ``outdir`` when given."""
    from ..architectures.conv import Grid, conv
    from ..spectrum.multisphere import multiplicity, orbit, tensor_spectrum

    t0 = time.perf_counter()
    report = Report(NAME, CLAIM, SOURCE)
    latex = [_monomial_check(report)]
    _burnside_check(report)
    zeta, p, L, q = 3, 3, 2, 3
    grid = Grid((p,))
    n = 600 if quick else 2500
    rng = np.random.default_rng(2022)
    X = _sample(rng, n, p, zeta)
    report.table.append(["kind", "k", "lambda^eq_k", "mult eq", "lambda^tr_k", "orbit", "mult gap"])
    nystrom = {}
    for kind in ("ntk", "nngp"):
        Keq, Ktr, Kgap = (conv(h, L, q, p, zeta, kind) for h in ("eq", "tr", "gap"))
        eqbox = tensor_spectrum(Keq, zeta, [2, 2, 2], [30, 30, 30])
        direct = tensor_spectrum(Ktr, zeta, [2, 2, 2], [30, 30, 30])
        trbox = np.zeros_like(eqbox)
        for k in np.ndindex(3, 3, 3):
            trbox[k] = np.mean([eqbox[tuple(np.roll(k, -m))] for m in range(p)])
        dev = float(np.max(np.abs(direct - trbox)))
        report.check(f"{kind}: lambda^tr_k = (1/p) sum_m lambda^eq_(s^m k) (direct 3-pixel quadrature)",
                     dev < 1e-13, f"max deviation {dev:.2e} over k in {{0,1,2}}^3")
        for K, box in ((Keq, eqbox), (Ktr, trbox)):
            err = _rotation_average_check(K, zeta, box, rng)
            report.check(f"{kind} {K.head}: T(prod_i Y_k_i) = lambda_k prod_i Y_k_i at random points "
                         f"(rotation "
                         "averages, no Funk-Hecke)", err < 1e-10, f"max deviation {err:.1e} (15 cases)")
        if kind == "ntk":
            for k in [(0, 0, 0), (1, 0, 0), (2, 0, 0), (1, 1, 0), (1, 0, 1), (2, 1, 0), (1, 1, 1), (2, 2, 2)]:
                orb, _ = orbit(k, grid)
                report.table.append([kind, str(k), f"{eqbox[k]:.6g}", str(multiplicity(k, zeta, "eq")),
                                     f"{trbox[k]:.6g}", str(len(orb)),
                                     str(multiplicity(k, zeta, "gap", grid))])
        # predicted spectra with multiplicities (frequencies <= 2 per pixel)
        pred: dict[str, list] = {"eq": [], "tr": [], "gap": []}
        seen = set()
        for k in itertools.product(range(3), repeat=p):
            pred["eq"] += [eqbox[k]] * multiplicity(k, zeta, "eq")
            pred["tr"] += [trbox[k]] * multiplicity(k, zeta, "tr")
            orb, _ = orbit(k, grid)
            if min(orb) not in seen:
                seen.add(min(orb))
                pred["gap"] += [trbox[k]] * multiplicity(k, zeta, "gap", grid)
        # (with p = 3 = |RF| the tr kernel equals the eq kernel here: its Nystrom check would repeat eq's)
        for K in (Keq, Kgap):
            ev = np.sort(np.linalg.eigvalsh(_gram(K, X) / n))[::-1]
            pv = np.sort(np.array(pred[K.head]))[::-1]
            m = 10 if K.head != "gap" else 4  # lambda_0 and the single-pixel degree-1 cluster
            tol = 3 / math.sqrt(n)
            d0 = abs(ev[0] / pv[0] - 1)
            d1 = abs(ev[1:m].mean() / pv[1] - 1)
            sep = ev[m - 1] / ev[m]
            report.check(f"{kind} {K.head}: Nystrom (n = {n}): Gram eigenvalues = lambda_0 and a "
                         f"{m - 1}-fold "
                         "cluster at lambda_(1,0,0)", d0 < tol and d1 < tol and sep > 1.8,
                         f"relative deviations {d0:.3f} (lambda_0), {d1:.3f} (cluster mean), tolerance "
                         f"{tol:.3f}; ev[{m - 1}]/ev[{m}] = {sep:.2f} (predicted {pv[m - 1] / pv[m]:.2f}); "
                         f"cluster spread {ev[1:m].min() / pv[1]:.3f}..{ev[1:m].max() / pv[1]:.3f}")
            nystrom[(kind, K.head)] = ev
            nystrom[("pred", kind, K.head)] = pv
    # eq vanishes outside the receptive field
    Keq7 = conv("eq", 2, 3, 7, zeta, "ntk")
    box = tensor_spectrum(Keq7, zeta, [2, 2, 2, 2], [20, 20, 20, 24], variables=["t_0", "t_1", "t_6", "t_3"])
    outside = float(np.max(np.abs(box[..., 1:])))
    report.check("eq: eigenvalues with a frequency outside the receptive field vanish (pixel 3 of 7)",
                 outside < 1e-14, f"max |lambda| = {outside:.1e} vs lambda_0 = {box[0, 0, 0, 0]:.4f}")
    _network_check(report, quick)
    latex.append(r"\lambda^{tr}_{\mathbf k}=\frac1p\sum_{m=0}^{p-1}\lambda^{eq}_{s^m\mathbf k},\qquad "
                 r"\dim E^{gap}_{[\mathbf k]}=\frac{1}{|\mathrm{Stab}\,\mathbf k|}\sum_{m\in\mathrm{Stab}\,"
                 r"\mathbf k}\ \prod_{c\in\mathrm{cycles}(s^m)}N(\zeta,k_c)")
    report.notes.append("SPEC says the gap multiplicity is the eq multiplicity divided by the orbit size; "
                        "that "
                        "is exact for free orbits only: k = (1,1,1) on MS(2,3) has orbit size 1 and eq "
                        "multiplicity 8, but only 4 shift-invariant functions (Burnside)")
    if outdir:
        report.figures.append(_figure(nystrom, outdir))
    report.latex = "\\begin{gather*}\n" + " \\\\\n".join(latex) + "\n\\end{gather*}"
    report.notes.append(f"L = {L}, q = {q}, p = {p}, zeta = {zeta}; {'quick' if quick else 'full'} run "
                        f"{time.perf_counter() - t0:.1f} s")
    return report


def _figure(nystrom: dict, outdir: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(outdir, exist_ok=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, head in zip(axes, ("eq", "gap")):
        ev = nystrom[("ntk", head)][:30]
        ax.semilogy(range(1, len(ev) + 1), ev, "o", label="Gram/n (Nystrom)")
        pred = nystrom.get(("pred", "ntk", head))[:30]
        if pred is not None:
            ax.semilogy(range(1, len(pred) + 1), pred, "x", label="predicted (with multiplicity)")
        ax.set_title(f"CNTK {head}, L=2, q=3, MS(3,3)")
        ax.set_xlabel("index")
        ax.legend(fontsize=7)
    path = os.path.join(outdir, "conv_eigenfunctions.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
