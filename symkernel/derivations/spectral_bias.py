r"""Spectral bias: the degree-k part of the target is learned at the rate set by the NTK eigenvalue μ_k.

Derivation.  Gradient descent with step η on :math:`L = \frac1{2n}\sum_i (f(x_i) - y_i)^2` moves a wide
network like its linearisation (Jacot et al. 2018), so the residual on the sample obeys
:math:`r_{t+1} = (I - \frac\eta n G) r_t` with the NTK Gram matrix G.  As n → ∞, :math:`G/n` tends to the
integral operator of the kernel on :math:`L^2(S^{d-1}, \sigma)`, diagonal on the spherical harmonics
(Funk–Hecke, SPEC §1), so the component of the residual on the degree-k harmonics solves the scalar
recurrence :math:`a_{t+1} = (1 - \eta\mu_k) a_t`, i.e. :math:`a_t = (1-\eta\mu_k)^t a_0` (SymPy ``rsolve``
below).  For Cao et al.'s two-layer kernel :math:`\kappa_1(t) + \frac12 t\kappa_0(t)` the eigenvalues are
exact (:mod:`symkernel.spectrum.closed_forms`): on :math:`S^9`, :math:`\mu_1 = 3/40`,
:math:`\mu_2 = 671744/(12006225\pi^2)`, :math:`\mu_3 = 0`, :math:`\mu_4 = 376832/(676350675\pi^2)`, decreasing
in k, so low degrees are learned first.

Checks (independent routes): the closed-form kernel dynamics against the iterated recursion; the order of
the measured rates of the kernel and of trained numpy ReLU networks (two-layer with both layers trained,
and depth 2) against the order of μ_k; the measured rates against μ_k (degrees with :math:`N(d,k) \ll n`)
and against their sampled counterparts; the network against the kernel; the empirical NTK at
initialisation against the analytic kernel, error :math:`\propto m^{-1/2}` (fitted slope).

Sizes.  ``quick=True``: two-layer on :math:`S^9` (n = 800, width 1000, 1000 steps), depth 2 on
:math:`S^4` (n = 300, width 256, 800 steps), about 15 s on one core.  ``quick=False``: the experiment of
Cao et al. (:math:`P_1 + P_2 + P_4` on :math:`S^9`, n = 1000, width 4000, 6000 steps) and depth 2 on
:math:`S^9` (n = 1000, width 512, 2000 steps): minutes.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
import sympy as sp

from ..report import Report

NAME = "spectral-bias"
CLAIM = ("Gradient descent on a wide ReLU network (or on its NTK) learns the component of the target on the "
         "degree-k spherical harmonics at the rate (1 - eta mu_k)^t set by the NTK eigenvalue mu_k, so low "
         "degrees are learned first; the empirical NTK tends to the analytic one like width^(-1/2).")
SOURCE = ("Cao, Fang, Wu, Zhou & Gu (2019), 'Towards understanding the spectral bias of deep learning', "
          "Theorem 4.2 and Section 5 (P1 + P2 + P4 on S^9); Jacot, Gabriel & Hongler (2018), NTK, Theorem 1")

#: relative tolerances of the checks
RESOLVED_TOL = 0.10  # kernel rate vs mu_k for degrees with N(d, k) <= n / 10
#: network rate vs kernel rate: within NET_TOL_FACTOR times the empirical NTK's relative error at the width
NET_TOL_FACTOR = 3.0
NET_TOL_MIN = 0.10
SLOPE_TOL = 0.12      # |fitted slope + 1/2| of the empirical-NTK error


def _configs(quick: bool) -> list[dict]:
    import symkernel as sk

    cao = sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1))
    deep = sk.fc(2, "ntk")
    if quick:
        return [
            dict(label="two-layer (Cao)", K=cao, dim=10, n=800, width=1000, steps=1000,
                 ntk_widths=(64, 128, 256, 512, 1024, 2048), ntk_seeds=4),
            dict(label="depth 2", K=deep, dim=5, n=300, width=256, steps=800,
                 ntk_widths=(64, 128, 256, 512, 1024), ntk_seeds=4),
        ]
    return [
        dict(label="two-layer (Cao)", K=cao, dim=10, n=1000, width=4000, steps=6000,
             ntk_widths=(64, 128, 256, 512, 1024, 2048, 4096, 8192), ntk_seeds=8),
        dict(label="depth 2", K=deep, dim=10, n=1000, width=512, steps=2000,
             ntk_widths=(64, 128, 256, 512, 1024, 2048), ntk_seeds=6),
    ]


def _symbolic(report: Report) -> str:
    """The scalar recurrence and the exact eigenvalues of Cao et al.'s kernel on S^9."""
    from ..spectrum.closed_forms import exact_eigenvalues

    t = sp.Symbol("t", integer=True, nonnegative=True)
    eta, mu, a0 = sp.symbols("eta mu_k a_0", positive=True)
    a = sp.Function("a")
    sol = sp.rsolve(a(t + 1) - (1 - eta * mu) * a(t), a(t), {a(0): a0})
    report.check("linearised dynamics: a_{t+1} = (1 - eta mu_k) a_t  =>  a_t = a_0 (1 - eta mu_k)^t (rsolve)",
                 sp.simplify(sol - a0 * (1 - eta * mu) ** t) == 0, f"rsolve: a_t = {sol}")
    exact = exact_eigenvalues("cao", 10, 4)
    report.notes.append("exact mu_k of kappa1(t) + t kappa0(t)/2 on S^9, k = 0..4: "
                        + ", ".join(sp.sstr(e) for e in exact))
    mus = ", ".join(rf"\mu_{k} = {sp.latex(e)}" for k, e in enumerate(exact))
    return (r"\begin{gather*}" "\n"
            r"r_{t+1} = \Bigl(I - \frac{\eta}{n}G\Bigr) r_t,\qquad G_{ij} = K(\langle x_i, x_j\rangle)"
            r"\;\xrightarrow[n\to\infty]{}\; a_{k,t+1} = (1 - \eta\mu_k)\,a_{k,t}"
            r"\;\Rightarrow\; " + sp.latex(sp.Eq(a(t), sol)) + r"\\" "\n"
            r"\mu_k = c_d\int_{-1}^1 K(t)P_k^{(d)}(t)(1-t^2)^{\frac{d-3}{2}}\,dt,\qquad "
            r"K = \kappa_1(t) + \tfrac12 t\kappa_0(t),\ d = 10:\quad " + mus + "\n"
            r"\end{gather*}")


def _closed_form_check(report: Report) -> None:
    import symkernel as sk

    from ..dynamics import kernel_gd, kernel_gd_iterate, kernel_gram, sample_sphere, zonal_target

    X = sample_sphere(120, 6, seed=3)
    tgt = zonal_target(X, (1, 2, 4), seed=4)
    G = kernel_gram(sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1)), X)
    eta = 1.5 / float(np.linalg.eigvalsh(G / 120)[-1])
    it = kernel_gd_iterate(G, -tgt.values, eta, 200)
    cf = kernel_gd(G, -tgt.values, eta, np.arange(201))
    err = float(np.max(np.abs(it - cf)))
    report.check("kernel GD: closed form V (I - eta Lambda)^t V^T r_0 equals the iterated recursion",
                 err < 1e-10,
                 f"max |difference| over 200 steps = {err:.1e} (n = 120, S^5, eta lambda_max = 1.5)")


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation and its checks (module docstring); figures go to ``outdir`` when given."""
    from ..dynamics import spectral_bias

    t_start = time.perf_counter()
    report = Report(NAME, CLAIM, SOURCE)
    latex = _symbolic(report)
    _closed_form_check(report)
    report.table.append(["model", "S^{d-1}", "k", "N(d,k)", "mu_k", "mu_k(Gram)", "kernel", "network",
                         "kernel/mu_k", "network/kernel"])
    for cfg in _configs(quick):
        label, K, n = cfg["label"], cfg["K"], cfg["n"]
        res = spectral_bias(K, dim=cfg["dim"], n=n, width=cfg["width"], steps=cfg["steps"], seed=0,
                            ntk_widths=cfg["ntk_widths"], ntk_seeds=cfg["ntk_seeds"])
        kr, nr = res.kernel_run.rates, res.network_run.rates
        for j, k in enumerate(res.degrees):
            report.table.append([label, f"S^{res.dim - 1}", str(k), str(res.multiplicities[j]),
                                 f"{res.mu[j]:.4g}", _f(res.mu_gram[j]), f"{kr[j]:.4g}", f"{nr[j]:.4g}",
                                 f"{kr[j] / res.mu[j]:.3f}", f"{nr[j] / kr[j]:.3f}"])
        want = res.order(res.mu)
        setting = (f"{label}, n = {n} on S^{res.dim - 1}, width {res.width}, {cfg['steps']} steps, "
                   f"eta = {res.eta:.4g}")
        report.check(f"{label}: kernel learns the degrees in the order of mu_k",
                     res.order(kr) == want, f"order by mu_k {want}, measured {res.order(kr)}; {setting}")
        report.check(f"{label}: network learns the degrees in the order of mu_k",
                     res.order(nr) == want, f"measured {res.order(nr)}")
        resolved = [j for j, N in enumerate(res.multiplicities) if N <= n / 10]
        dev = {res.degrees[j]: abs(kr[j] / res.mu[j] - 1) for j in resolved}
        report.check(f"{label}: kernel rate = mu_k for the degrees resolved by the sample (N(d,k) <= n/10)",
                     bool(resolved) and max(dev.values()) < RESOLVED_TOL,
                     "relative deviation " + ", ".join(f"k={k}: {v:.3f}" for k, v in dev.items())
                     + f" (tolerance {RESOLVED_TOL})")
        unresolved = [j for j, N in enumerate(res.multiplicities)
                      if N > n / 10 and np.isfinite(res.mu_gram[j])]
        if unresolved:
            closer = {res.degrees[j]: (abs(math.log(kr[j] / res.mu_gram[j])),
                                       abs(math.log(kr[j] / res.mu[j]))) for j in unresolved}
            report.check(f"{label}: for degrees with N(d,k) comparable to n the sampled Gram eigenvalue "
                         "predicts the kernel rate better than mu_k",
                         all(a < b for a, b in closer.values()),
                         "; ".join(f"k={k}: |log(rate/mu_Gram)| = {a:.2f} < |log(rate/mu_k)| = {b:.2f}"
                                   for k, (a, b) in closer.items()))
        c = res.ntk
        ntk_err = 10 ** (c.intercept + c.slope * math.log10(res.width))
        tol = max(NET_TOL_MIN, NET_TOL_FACTOR * ntk_err)
        ratio = {k: nr[j] / kr[j] for j, k in enumerate(res.degrees)}
        report.check(f"{label}: trained network rate = kernel rate (width {res.width})",
                     max(abs(r - 1) for r in ratio.values()) < tol,
                     "network/kernel " + ", ".join(f"k={k}: {r:.3f}" for k, r in ratio.items())
                     + f" (tolerance {tol:.3f} = {NET_TOL_FACTOR:g} x the empirical NTK's relative error "
                       f"{ntk_err:.3f} at this width)")
        report.check(f"{label}: empirical NTK error ~ width^(-1/2)",
                     abs(c.slope + 0.5) < SLOPE_TOL,
                     f"fitted slope {c.slope:.3f} +- {c.slope_se:.3f} over widths {list(map(int, c.widths))}"
                     f" (relative errors {', '.join(f'{e:.3g}' for e in c.errors)}); tolerance {SLOPE_TOL}")
        report.notes.append(f"{label}: times " + ", ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items()))
        if outdir:
            from ..plots_dynamics import spectral_bias_plot

            os.makedirs(outdir, exist_ok=True)
            path = os.path.join(outdir, f"spectral_bias_depth{res.depth}.png")
            report.figures.append(spectral_bias_plot(res, path))
    report.notes.append("rates: lambda with rho_k(t) ~ (1 - eta lambda)^t, rho_k = residual along the "
                        "target's degree-k component P_k(<xi, x>) on the sample relative to t = 0, fitted "
                        "while rho_k >= 0.05; depth = number of hidden ReLU layers")
    report.notes.append(f"{'quick' if quick else 'full'} run: {time.perf_counter() - t_start:.1f} s")
    report.latex = latex
    return report


def _f(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.4g}"
