r"""Deep equals shallow: deep and two-layer FC NTKs have the same eigenvalue decay (Bietti & Bach 2021).

Claim (Bietti & Bach 2021, Theorem 1 and Corollary 3).  For every depth L ≥ 1 (L hidden ReLU layers; they
count L + 1 layers) the NTK on :math:`S^{d-1}` has :math:`\mu_k \asymp k^{-d}`: the singular exponent at
t = ±1 is :math:`\nu = \frac12` for every L, so the exponent :math:`p = d - 1 + 2\nu = d` does not depend on
the depth, and the RKHS of the deep NTK equals, as a set with an equivalent norm, that of the shallow one.
Depth only changes the constants:

.. math::  \frac{\mu_k^{(L)}}{\mu_k^{(1)}} \to \frac{c_+^{(L)} \pm c_-^{(L)}}{c_+^{(1)} \pm c_-^{(1)}}
           \quad (k \text{ even/odd}),

with :math:`c_\pm` of :mod:`symkernel.derivations.fc_decay`.  The comparison needs a shallow kernel whose
odd eigenvalues do not vanish: the bias-free two-layer NTK :math:`\kappa_1(t) + t\kappa_0(t)` has
:math:`\mu_k = 0` for odd k ≥ 3 (its RKHS misses every odd harmonic of degree ≥ 3), so the shallow reference
here is the two-layer NTK *with bias* β = 1 (both parities :math:`\asymp k^{-d}`, :math:`c_- = 0`: the bias
moves t = -1 inside the domain of analyticity of the first layer), and the bias-free one is compared on even
k only.  The same holds for the NNGP with :math:`\nu = \frac32`.

Certified form.  With the certified bounds :math:`A_L k^{-d} \le \mu_k^{(L)} \le B_L k^{-d}` for
:math:`k \ge k_0` (:mod:`symkernel.bounds`),

.. math::  \frac{A_L}{B_1} \le \frac{\mu_k^{(L)}}{\mu_k^{(1)}} \le \frac{B_L}{A_1}\qquad (k \ge \max k_0),

which, with the finitely many positive :math:`\mu_k` below :math:`k_0` (computed), is the norm equivalence
of the two RKHS.

Sizes: ``quick=True`` L ≤ 4, d = 3, k ≤ 400; ``quick=False`` L ≤ 8, d ∈ {2, 3, 5}, k ≤ 2000.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..latex import gather
from ..plots import parity_slopes
from ..report import EXACT_ZERO, UNDEFINED, Report, cell

NAME = "deep-equals-shallow"
CLAIM = (
    "Deep and shallow fully connected ReLU NTKs (and NNGPs) on S^{d-1} have the same eigenvalue decay "
    "exponent (d for the NTK, d + 2 for the NNGP, for every depth), hence the same RKHS with equivalent "
    "norms; depth changes only the constants (c_+^{(L)} ± c_-^{(L)})/(c_+^{(1)} ± c_-^{(1)}).  The "
    "shallow reference has a bias (the bias-free two-layer kernels lose the odd harmonics k >= 3)."
)
SOURCE = (
    "Bietti & Bach (2021), 'Deep equals shallow for ReLU networks in kernel regimes', ICLR, Theorem 1, "
    "Corollary 3; Bietti & Mairal (2019) for the two-layer parity; certified ratios from symkernel.bounds"
)


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); figures go to ``outdir`` when given."""
    from ..architectures import fc
    from ..asymptotics import asymptotics
    from ..bounds import certified_bounds
    from ..spectrum import eigenvalues

    report = Report(NAME, CLAIM, SOURCE)
    depths = (1, 2, 3, 4) if quick else (1, 2, 3, 4, 6, 8)
    dims = (3,) if quick else (2, 3, 5)
    kmax = 400 if quick else 2000
    report.table.append(
        [
            "kind",
            "d",
            "L",
            "p",
            "C_even",
            "C_odd",
            "ratio even (pred)",
            "ratio even (k=kmax)",
            "ratio odd (pred)",
            "ratio odd (k=kmax)",
            "certified ratio range",
            "slope e/o",
        ]
    )
    fig = []
    for kind in ("ntk", "nngp"):
        shallow = fc(1, kind, bias=1)
        bare = fc(1, kind)
        for d in dims:
            a1 = asymptotics(shallow, d)
            ab = asymptotics(bare, d)
            # float64 quadrature is accurate to ~1e-16 absolute: 15 digits once mu_kmax ~ kmax^-p is tiny
            dps = None if float(kmax) ** int(a1.exponent) < 1e9 else 15

            def spectrum(kernel, dps=dps, d=d):
                return np.array([float(v) for v in eigenvalues(kernel, d, kmax, dps=dps).eigenvalues])

            mu1 = spectrum(shallow)
            mub = spectrum(bare)
            c1 = certified_bounds(shallow, d)
            report.check(
                f"{kind.upper()} d={d}: shallow reference (bias 1) has c_- = 0 and both parities "
                f"~ k^-{a1.exponent}",
                a1.c_minus == 0 and c1.odd.status == "bounded" and c1.even.status == "bounded",
                f"c_+ = {a1.c_plus}",
            )
            report.check(
                f"{kind.upper()} d={d}: bias-free two-layer kernel: odd eigenvalues k >= 3 vanish "
                "(its RKHS misses the odd harmonics)",
                float(np.max(np.abs(mub[3::2]))) < 1e-14 and ab.vanishing_parity == "odd",
                f"max |mu_odd| = {np.max(np.abs(mub[3::2])):.1e}",
            )
            for L in depths:
                K = fc(L, kind)
                a = asymptotics(K, d)
                same = a.exponent == a1.exponent == ab.exponent and a.nu == a1.nu
                report.check(
                    f"{kind.upper()} d={d}, L={L}: exponent p = d - 1 + 2 nu = {a.exponent} (nu = {a.nu}) "
                    "= shallow exponent",
                    same,
                    f"deep {a.exponent}, shallow {a1.exponent}",
                )
                mu = spectrum(K)
                p = int(a.exponent)
                pe = float(sp.N(a.constant_even / a1.constant_even))
                po = float(sp.N(a.constant_odd / a1.constant_odd))
                ke, ko = (kmax, kmax - 1) if kmax % 2 == 0 else (kmax - 1, kmax)
                re, ro = mu[ke] / mu1[ke], mu[ko] / mu1[ko]
                # the ratio converges like 1 + O(1/k^2) (both sides share the Gamma ratio of mu_k[(1-t)^nu])
                err = abs(re / pe - 1) if po == 0 else max(abs(re / pe - 1), abs(ro / po - 1))
                report.check(
                    f"{kind.upper()} d={d}, L={L}: mu_k^(L)/mu_k^(1) -> predicted constant ratio per parity",
                    err < 60 * (d + 2 * L) ** 2 / kmax**2,
                    f"even {re:.6f} vs {pe:.6f}, odd {ro:.6f} vs {po:.6f}",
                )
                if L > 1:
                    pb = float(sp.N(a.constant_even / ab.constant_even))
                    rb = mu[ke] / mub[ke]
                    report.check(
                        f"{kind.upper()} d={d}, L={L}: even k vs the bias-free two-layer kernel",
                        abs(rb / pb - 1) < 60 * (d + 2 * L) ** 2 / kmax**2,
                        f"{rb:.6f} vs {pb:.6f}",
                    )
                cb = certified_bounds(K, d)
                rng = "-"
                if cb.even.status == "bounded" and cb.odd.status == "bounded":
                    k0 = max(cb.even.k0, cb.odd.k0, c1.even.k0, c1.odd.k0)
                    lo = min(cb.even.A / c1.even.B, cb.odd.A / c1.odd.B)
                    hi = max(cb.even.B / c1.even.A, cb.odd.B / c1.odd.A)
                    ks = np.arange(k0, kmax + 1)
                    ratios = mu[ks] / mu1[ks]
                    inside = bool(
                        np.all(ratios >= float(lo) * (1 - 1e-4)) and np.all(ratios <= float(hi) * (1 + 1e-4))
                    )
                    below = mu[1:k0] / mu1[1:k0]
                    positive = bool(np.all(below > 0) and np.all(np.isfinite(below)))
                    rng = f"[{mpmath.nstr(lo, 4)}, {mpmath.nstr(hi, 4)}] for k >= {k0}"
                    report.check(
                        f"{kind.upper()} d={d}, L={L}: certified norm equivalence with the shallow RKHS",
                        lo > 0 and inside and positive,
                        f"mu^(L)/mu^(1) in {rng}; k < {k0}: ratios in "
                        f"[{below.min():.3g}, {below.max():.3g}] (computed)",
                    )
                elif L == 1:
                    rng = "odd class of the bias-free L = 1 is 0"
                odd_zero = a.constant_odd == 0 and a.exact_zero_beyond is not None  # bias-free L = 1
                if odd_zero:
                    report.legend(EXACT_ZERO, "the odd eigenvalues (k >= 3) of the bias-free L = 1 kernel "
                                  "vanish identically, and so does its ratio to the shallow reference")
                    report.legend(UNDEFINED, "no slope: the odd class of the bias-free L = 1 kernel is "
                                  "identically 0 (no power law to fit)")
                slopes = parity_slopes(mu, kmax // 2, kmax, vanishing=(1,) if odd_zero else ())
                report.table.append(
                    [
                        kind,
                        str(d),
                        str(L),
                        str(p),
                        f"{float(sp.N(a.constant_even)):.6g}",
                        cell(float(sp.N(a.constant_odd)), ".6g", odd_zero),
                        f"{pe:.6f}",
                        f"{re:.6f}",
                        cell(po, ".6f", odd_zero),
                        cell(ro, ".6f", odd_zero),
                        rng,
                        "/".join(cell(s, ".3f") for s in slopes),
                    ]
                )
                if d == 3 and kind == "ntk":
                    fig.append((L, mu, mu1))
    report.notes.append(
        "depth L = number of hidden ReLU layers (Bietti & Bach count L + 1 layers); the shallow "
        "reference is the two-layer kernel with bias standard deviation 1 (SPEC §3)."
    )
    report.notes.append(
        "The exponent is the same for every depth because every layer composes kappa_0, kappa_1 "
        "with a correlation that reaches 1 like 1 - s + O(s^(3/2)): the s^(1/2) singularity of "
        "kappa_0 survives, nothing stronger appears (singular interpreter, exact)."
    )
    report.latex = gather(
        r"\nu^{(L)} = \tfrac12\ (\text{NTK}),\quad \tfrac32\ (\text{NNGP})\quad\text{for every } L,"
        r"\qquad \mu_k^{(L)} \asymp k^{-(d-1+2\nu)},",
        r"\frac{\mu_k^{(L)}}{\mu_k^{(1)}} \to "
        r"\frac{c_+^{(L)} + (-1)^k c_-^{(L)}}{c_+^{(1)} + (-1)^k c_-^{(1)}},"
        r"\qquad \frac{A_L}{B_1} \le \frac{\mu_k^{(L)}}{\mu_k^{(1)}} \le \frac{B_L}{A_1}"
        r"\quad (k \ge k_0)",
    )
    report.notes.append(
        "Eigenvalues: float64 Gauss-Legendre in theta when kmax^p < 1e9, else the series route at 15 digits."
    )
    report.figure(outdir, "deep_equals_shallow.png", _draw, fig, kmax, ncols=2, figsize=(11, 4.5))
    return report


def _draw(axes, data, kmax: int) -> None:
    ax, bx = axes
    ks = np.arange(1, kmax + 1)
    for i, (L, mu, mu1) in enumerate(data):
        colour = f"C{i}"
        ax.loglog(ks, np.abs(mu[1:]) + 1e-300, ".", ms=2, color=colour, label=f"deep NTK L={L}")
        for parity, marker in ((0, "o"), (1, "s")):
            sel = ks[ks % 2 == parity]
            bx.semilogx(
                sel,
                mu[sel] / mu1[sel],
                marker,
                ms=1.5,
                color=colour,
                label=f"L={L} ({'even' if parity == 0 else 'odd'})",
            )
    ax.loglog(ks, mu1[1:], "k-", lw=0.8, label="two-layer NTK, bias 1")
    ax.set_ylim(1e-12, 10)
    ax.set_xlabel("k")
    ax.set_ylabel(r"$\mu_k$ on $S^2$")
    ax.legend(fontsize=7)
    bx.set_xlabel("k")
    bx.set_ylabel(r"$\mu_k^{(L)}/\mu_k^{(1)}$")
    bx.set_title("ratios tend to constants: same decay exponent", fontsize=9)
    bx.legend(fontsize=6, ncol=2)
