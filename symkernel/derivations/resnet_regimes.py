r"""Depth regimes of the ResNTK for :math:`\alpha = L^{-\gamma}`.

Claim (Belfer et al. 2021; Huang et al. 2020 for γ = 1).  For the normalised ResNTK
:math:`\tilde\Theta_L` of SPEC §4 with :math:`\alpha = L^{-\gamma}`, as the number of blocks L grows:

* γ > 1/2: :math:`\tilde\Theta_L \to \tilde\Theta_{FC2} = (\kappa_1(t) + t\kappa_0(t))/2`, the two-layer
  FC-NTK;
* γ = 1/2: :math:`\tilde\Theta_L` tends to a stable, non-trivial limit :math:`\tilde\Theta_\infty`, at
  distance O(1/L);
* γ < 1/2: the kernel becomes spiky: the effective Laplace sharpness :math:`c_{\rm eff} = -\tilde c_+`
  (the c of the Laplace kernel :math:`e^{-c\sqrt{1-u}}` with the same constant at t = 1) grows like
  :math:`L^{1-2\gamma}`.

Derivation.  Write :math:`\beta = \alpha^2/(1+\alpha^2)`,
:math:`f(\rho) = \kappa_1(\rho) + \rho\kappa_0(\rho)`, :math:`g(\rho) = 1 - \beta(1 - \kappa_0(\rho))`; then
:math:`\rho_l = \rho_{l-1} + \beta(\kappa_1(\rho_{l-1}) - \rho_{l-1})`, :math:`\rho_0 = t`, and
:math:`\tilde\Theta_L = \frac1{2L}\sum_{l=1}^L
\big[\prod_{j=l}^{L-1} g(\rho_j)\big] f(\rho_{l-1})`.

* γ > 1/2 (:math:`L\beta \to 0`).  To first order in β, :math:`\rho_{l} \approx t + l\beta(\kappa_1 - t)`,
  :math:`\prod_{j\ge l} g \approx 1 - (L-l)\beta(1-\kappa_0)`, and summing over l

  .. math::  \tilde\Theta_L(t) = \tilde\Theta_{FC2}(t) + (L-1)\beta\,D(t) + O((L\beta)^2),\qquad
             D = \tfrac14\big[(\kappa_1(t) - t) f'(t) - (1 - \kappa_0(t)) f(t)\big],

  :math:`f' = 2\kappa_0 + t/(\pi\sqrt{1-t^2})`: the distance is :math:`O(L^{1-2\gamma})` on every
  :math:`[-1+\delta, 1]`.  At t = -1, :math:`f' \to -\infty`: a boundary layer.  There
  :math:`\rho_l(-1) \approx -1 + l\beta` and :math:`f(\rho) \approx -\frac{\sqrt2}{\pi}\sqrt{1+\rho}`, so

  .. math::  \tilde\Theta_L(-1) \approx -\frac{1}{2L}\sum_{l<L}\frac{\sqrt2}{\pi}\sqrt{l\beta}
             \approx -\frac{\sqrt2}{3\pi}\sqrt{L\beta},

  and the uniform distance decays only like :math:`\sqrt{L\beta} \sim L^{(1-2\gamma)/2}`, attained at t = -1.
* γ = 1/2 (:math:`\beta = 1/(L+1)`).  The recursion is an Euler step in :math:`\tau = l/L`:
  :math:`\rho' = \kappa_1(\rho) - \rho`, and :math:`\prod_{j\ge l} g \to e^{E(1) - E(\tau)}` with
  :math:`E' = \kappa_0(\rho) - 1`; so :math:`\tilde\Theta_\infty(t) = \tfrac12 e^{E(1)} I(1)` with
  :math:`I' = e^{-E} f(\rho)`, :math:`\rho(0) = t`, :math:`E(0) = I(0) = 0` (NNGP: :math:`\rho(1)`).  Its
  constant at t = 1 is :math:`\tilde c_+ = -\lim (1+L\alpha^2)/(\sqrt2\pi(1+\alpha^2)) = -\sqrt2/\pi`
  (finite), and :math:`\tilde c_- = O(1/L) \to 0`: the limit kernel's two parity classes share the leading
  constant.  The ODE is solved by classical RK4 in :math:`u = \sqrt\tau` (smooth even at t = -1, where
  :math:`\rho \approx -1 + \tau`), vectorised over the grid, with step halving as error estimate, and
  cross-checked at a few points against :func:`mpmath.odefun` (Taylor method) through
  :func:`symkernel.resnet_theory.resnet_limit_gamma_half`.
* γ < 1/2.  Exactly, :math:`c_{\rm eff}(L) = \frac{1 + L\alpha^2}{\sqrt2\pi(1+\alpha^2)} =
  \frac{L^{2\gamma} + L}{\sqrt2\pi(L^{2\gamma} + 1)} \sim \frac{L^{1-2\gamma}}{\sqrt2\pi}`; for γ = 1/4 it is
  exactly :math:`\sqrt L/(\sqrt2\pi)`.  Away from t = 1 the kernel flattens to a plateau.

Checks.  γ > 1/2: the first-order formula, the boundary-layer constant, the fitted exponents of the uniform
and of the interior distance.  γ = 1/2: the RK4 limit against mpmath.odefun, the NTK and NNGP distances
shrinking like 1/L (fitted exponent), L times the distance converging.  γ < 1/2: :math:`c_+` from the singular
interpreter against the closed form, and against finite differences of the kernel in the angle; the fitted
exponent of :math:`c_{\rm eff}` over the L range and the local exponent of the closed form at large L.

Sizes: ``quick=True`` L ∈ {16, 64, 256} (γ ≥ 1/2) and {4, 16, 64, 256} (γ < 1/2), about 15 s;
``quick=False`` up to L = 1024 and 4096.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ..report import Report

NAME = "resnet-regimes"
CLAIM = ("ResNTK with alpha = L^-gamma, normalised, as the number of blocks L grows: gamma > 1/2 tends to "
         "the two-layer FC-NTK (kappa_1(t) + t kappa_0(t))/2 (distance O(L^(1-2gamma)) away from t = -1, "
         "O(L^((1-2gamma)/2)) uniformly, from a boundary layer at t = -1); gamma = 1/2 tends to the solution "
         "of an ODE in tau = l/L at distance O(1/L); gamma < 1/2 becomes spiky, with effective Laplace "
         "sharpness -c_+ = (L^{2gamma} + L)/(sqrt2 pi (L^{2gamma} + 1)) ~ L^(1-2gamma)/(sqrt2 pi).")
SOURCE = ("Belfer, Geifman, Galun & Basri (2021), Section 4 (the alpha = L^-gamma regimes); Huang, Wang, Tao "
          "& Zhao (2020) (gamma = 1); limits and rates derived here (SPEC §4)")

_HALF = sp.Rational(1, 2)


# ------------------------------------------------------------------------------ closed forms (numpy)
def _k0(u):
    return 1 - np.arccos(np.clip(u, -1, 1)) / np.pi


def _k1(u):
    u = np.clip(u, -1, 1)
    return (np.sqrt(np.maximum(1 - u * u, 0)) + (np.pi - np.arccos(u)) * u) / np.pi


def _first_order_D(t):
    r""":math:`D(t) = \frac14[(\kappa_1 - t) f' - (1-\kappa_0) f]`, :math:`f = \kappa_1 + t\kappa_0`."""
    k0, k1 = _k0(t), _k1(t)
    f = k1 + t * k0
    fp = 2 * k0 + t / (np.pi * np.sqrt(np.maximum(1 - t * t, 1e-300)))
    return ((k1 - t) * fp - (1 - k0) * f) / 4


def ode_limit(t, steps: int = 1000):
    r"""γ = 1/2 limit kernels at ``t`` (array) by classical RK4 in :math:`u = \sqrt\tau`.

    System :math:`\rho' = \kappa_1(\rho) - \rho`, :math:`E' = \kappa_0(\rho) - 1`,
    :math:`I' = e^{-E}(\kappa_1(\rho) + \rho\kappa_0(\rho))` in :math:`\tau \in [0, 1]`, written as
    :math:`dY/du = 2u\,F(Y)`.  Returns ``(ntk, nngp)`` = :math:`(\tfrac12 e^{E(1)}I(1),\ \rho(1))`.
    """
    t = np.asarray(t, dtype=float)
    Y = np.array([t, np.zeros_like(t), np.zeros_like(t)])

    def G(u, Y):
        r, e, _ = Y
        k0, k1 = _k0(r), _k1(r)
        return 2 * u * np.array([k1 - r, k0 - 1, np.exp(-e) * (k1 + r * k0)])

    h = 1.0 / steps
    for n in range(steps):
        u = n * h
        a = G(u, Y)
        b = G(u + h / 2, Y + h / 2 * a)
        c = G(u + h / 2, Y + h / 2 * b)
        d = G(u + h, Y + h * c)
        Y = Y + h / 6 * (a + 2 * b + 2 * c + d)
    r, e, i = Y
    return np.exp(e) * i / 2, r


def _fit(xs, ys) -> float:
    return float(np.polyfit(np.log(np.asarray(xs, float)), np.log(np.asarray(ys, float)), 1)[0])


# ------------------------------------------------------------------------------------------ parts
def _gamma_above(report: Report, quick: bool, grid: np.ndarray, store: dict) -> None:
    from ..architectures import fc
    from ..architectures.resnet import resnet

    ref = fc(1, "ntk", normalize=True).numpy(theta=grid)
    t = np.cos(grid)
    inner = t >= -0.5
    D = _first_order_D(t[inner])
    Ls = (16, 64, 256) if quick else (16, 64, 256, 1024)
    for gamma in (sp.Integer(1), sp.Rational(3, 4)):
        full, inside, first, layer = [], [], [], []
        for L in Ls:
            K = resnet(L, gamma=gamma)
            v = K.numpy(theta=grid)
            if L == 256:
                store.setdefault("shapes", []).append((f"gamma={gamma}", v))
            diff = np.abs(v - ref)
            a = float(sp.N(sp.Integer(L) ** (-2 * gamma)))
            beta = a / (1 + a)
            full.append(float(diff.max()))
            inside.append(float(diff[inner].max()))
            pred_in = (L - 1) * beta * D
            first.append(float(np.max(np.abs((v[inner] - ref[inner]) - pred_in)) / np.max(np.abs(pred_in))))
            layer.append(float(diff[-1] / (math.sqrt(2) / (3 * math.pi) * math.sqrt(L * beta))))
            report.table.append([f"gamma={gamma}", str(L), f"{full[-1]:.3e}", f"{inside[-1]:.3e}",
                                 f"{(L - 1) * beta * np.max(np.abs(D)):.3e}", f"{layer[-1]:.4f}",
                                 f"{np.degrees(grid[int(diff.argmax())]):.1f} deg"])
            store.setdefault(f"above {gamma}", []).append((L, full[-1], inside[-1]))
        g = float(gamma)
        sf, si = _fit(Ls[-3:], full[-3:]), _fit(Ls[-3:], inside[-3:])
        shrinking = all(full[i] > full[i + 1] for i in range(len(Ls) - 1)) if g >= 1 else full[-2] > full[-1]
        report.check(f"gamma={gamma}: uniform distance to the two-layer FC-NTK shrinks", shrinking,
                     ", ".join(f"{x:.3e}" for x in full))
        report.check(f"gamma={gamma}: interior (t >= -1/2) distance exponent = 1 - 2 gamma = {1 - 2 * g}",
                     abs(si - (1 - 2 * g)) < 0.1, f"fitted {si:.3f}")
        report.check(f"gamma={gamma}: first-order formula (L-1) beta D(t) on t >= -1/2 (relative error "
                     "-> 0)", first[-1] < 0.2 and first[-1] < first[0], ", ".join(f"{x:.3f}" for x in first))
        report.check(f"gamma={gamma}: boundary layer Theta_L(-1) ~ -(sqrt2/3pi) sqrt(L beta)",
                     abs(layer[-1] - 1) < (0.05 if g >= 1 else 0.3), ", ".join(f"{x:.4f}" for x in layer))
        report.notes.append(f"gamma={gamma}: fitted exponents: uniform {sf:.3f} (predicted "
                            f"{(1 - 2 * g) / 2}, reached slowly), interior {si:.3f} (predicted {1 - 2 * g})")
        store[f"fit above {gamma}"] = (sf, si)


def _gamma_half(report: Report, quick: bool, grid: np.ndarray, store: dict) -> None:
    from ..architectures.resnet import resnet
    from ..resnet_theory import resnet_limit_gamma_half, resnet_singular_constants

    t = np.cos(grid)
    lim, lim_g = ode_limit(t, 1000)
    lim2, lim_g2 = ode_limit(t, 2000)
    rk_err = float(max(np.max(np.abs(lim - lim2)), np.max(np.abs(lim_g - lim_g2))))
    report.check("gamma=1/2: RK4 limit converged (step halving)", rk_err < 1e-9, f"{rk_err:.1e}")
    pts = (-0.5, 0.0, 0.5) if quick else (-0.9, -0.5, 0.0, 0.5, 0.9)
    dev = 0.0
    for p in pts:
        ntk = float(resnet_limit_gamma_half(sp.Rational(str(p)), dps=20))
        nngp = float(resnet_limit_gamma_half(sp.Rational(str(p)), dps=20, kind="nngp"))
        a, b = ode_limit(np.array([p]), 2000)
        dev = max(dev, abs(ntk - a[0]), abs(nngp - b[0]))
    report.check("gamma=1/2: RK4 limit = mpmath.odefun (Taylor) limit", dev < 1e-9,
                 f"max deviation {dev:.1e} at t in {pts}")
    Ls = (16, 64, 256) if quick else (16, 64, 256, 1024)
    dn, dg = [], []
    for L in Ls:
        vn = resnet(L, gamma=_HALF).numpy(theta=grid)
        vg = resnet(L, gamma=_HALF, kind="nngp").numpy(theta=grid)
        dn.append(float(np.max(np.abs(vn - lim2))))
        dg.append(float(np.max(np.abs(vg - lim_g2))))
        store.setdefault("half", []).append((L, vn))
        report.table.append(["gamma=1/2", str(L), f"{dn[-1]:.3e}", f"{dg[-1]:.3e} (NNGP)",
                             f"L*dist = {L * dn[-1]:.4f}", "", ""])
    store["half_limit"] = lim2
    store.setdefault("shapes", []).append(("gamma=1/2", store["half"][-1][1]))
    sn, sg = _fit(Ls, dn), _fit(Ls, dg)
    report.check("gamma=1/2: sup-distance to the ODE limit ~ 1/L (NTK and NNGP)",
                 abs(sn + 1) < 0.1 and abs(sg + 1) < 0.1, f"fitted exponents {sn:.3f}, {sg:.3f}")
    LD = [L * x for L, x in zip(Ls, dn, strict=True)]
    report.check("gamma=1/2: L * distance converges", abs(LD[-1] - LD[-2]) < 0.1 * LD[-1],
                 ", ".join(f"{x:.4f}" for x in LD))
    c = [resnet_singular_constants(L, gamma=_HALF) for L in Ls]
    cplus = [float(x["c_plus_value"]) for x in c]
    cminus = [float(x["c_minus_value"]) for x in c]
    report.check("gamma=1/2: sharpness stays finite: c_+ -> -sqrt2/pi, c_- = O(1/L)",
                 abs(cplus[-1] + math.sqrt(2) / math.pi) < 2 / Ls[-1] and abs(cminus[-1] * Ls[-1]) < 1
                 and abs(cminus[-1]) < abs(cminus[0]),
                 f"c_+ = {', '.join(f'{x:.5f}' for x in cplus)}; L c_- = "
                 + ", ".join(f"{L * x:.4f}" for L, x in zip(Ls, cminus, strict=True)))
    store["fit half"] = (sn, sg)


def _gamma_below(report: Report, quick: bool, grid: np.ndarray, store: dict) -> None:
    from ..architectures.resnet import resnet
    from ..interpret.singular import leading_singular_term

    Ls = (4, 16, 64, 256) if quick else (4, 16, 64, 256, 1024, 4096)
    theta0 = 1e-6
    s0 = 2 * math.sin(theta0 / 2) ** 2
    plateau_t = np.linspace(-1, 0.5, 61)
    for gamma in (sp.Integer(0), sp.Rational(1, 4), sp.Rational(3, 8)):
        ceff, spread = [], []
        for L in Ls:
            K = resnet(L, gamma=gamma)
            a = sp.Integer(L) ** (-2 * gamma)
            closed = (1 + L * a) / (sp.sqrt(2) * sp.pi * (1 + a))
            if L <= 256:
                cp, nu = leading_singular_term(K, 1)
                ok = sp.simplify(cp + closed) == 0 and nu == _HALF
            else:
                ok = True  # the interpreter's cost grows with L; the closed form is checked below
            # finite differences in the angle (the numeric interpreter keeps 1 - K exact in relative terms)
            defect = float(K.numpy(theta=np.array([theta0]), defect=True)[1][0])
            fd = defect / math.sqrt(s0)
            cf = float(sp.N(closed))
            report.check(f"gamma={gamma}, L={L}: c_eff = (1 + L a^2)/(sqrt2 pi (1 + a^2)) (interpreter, "
                         "finite difference)", ok and abs(fd / cf - 1) < 1e-4 * max(1.0, cf),
                         f"closed {cf:.6f}, finite difference {fd:.6f}")
            ceff.append(cf)
            if L <= 1024:
                spread.append(float(np.ptp(K.numpy(plateau_t))))
            if L == 256 and gamma in (0, sp.Rational(1, 4)):
                store.setdefault("shapes", []).append((f"gamma={gamma}", K.numpy(theta=grid)))
            report.table.append([f"gamma={gamma}", str(L), f"c_eff = {cf:.5f}", str(sp.simplify(closed)),
                                 f"plateau spread {spread[-1]:.4f}" if L <= 1024 else "", "", ""])
        g = float(gamma)
        slope = _fit(Ls, ceff)
        # the exponent of the closed form, derived: lim log c_eff / log L (SymPy)
        x = sp.Symbol("L", positive=True)
        expo = sp.limit(sp.log((x ** (2 * gamma) + x) / (x ** (2 * gamma) + 1)) / sp.log(x), x, sp.oo)
        report.check(f"gamma={gamma}: effective sharpness grows like L^(1-2gamma), 1-2gamma = {1 - 2 * g}",
                     abs(slope - (1 - 2 * g)) < 0.1 and sp.simplify(expo - (1 - 2 * gamma)) == 0,
                     f"fitted over L in {Ls}: {slope:.4f}; lim log c_eff/log L = {expo} (SymPy)")
        report.check(f"gamma={gamma}: the kernel flattens away from t = 1 (plateau spread on [-1, 1/2] "
                     "shrinks for large L)", spread[-1] < spread[-2],
                     ", ".join(f"{x:.4f}" for x in spread))
        store[f"below {gamma}"] = (Ls, ceff, slope)
    report.check("gamma=1/4: c_eff = sqrt(L)/(sqrt2 pi) exactly",
                 all(sp.simplify((1 + L * sp.Integer(L) ** sp.Rational(-1, 2))
                                 / (1 + sp.Integer(L) ** sp.Rational(-1, 2)) - sp.sqrt(L)) == 0 for L in Ls),
                 "(L^(1/2) + L)/(L^(1/2) + 1) = sqrt(L)")


def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); figures go to ``outdir`` when given."""
    report = Report(NAME, CLAIM, SOURCE)
    report.table.append(["regime", "L", "uniform dist / c_eff", "interior dist", "first-order / closed",
                         "boundary layer ratio", "argmax"])
    grid = np.linspace(0, np.pi, 241 if quick else 721)
    store: dict = {}
    _gamma_above(report, quick, grid, store)
    _gamma_half(report, quick, grid, store)
    _gamma_below(report, quick, grid, store)
    report.latex = _latex(store)
    report.figure(outdir, "resnet_regimes.png", _draw, store, grid, ncols=4, figsize=(20, 4.8), dpi=110)
    return report


def _latex(store: dict) -> str:
    from ..latex import gather

    rows = [
        r"\gamma > \tfrac12:\ \tilde\Theta_L = \tfrac12(\kappa_1 + t\kappa_0) + (L-1)\beta\,D(t)"
        r" + O((L\beta)^2),\ D = \tfrac14[(\kappa_1 - t)f' - (1-\kappa_0)f],\ "
        r"\tilde\Theta_L(-1) \approx -\tfrac{\sqrt2}{3\pi}\sqrt{L\beta},",
        r"\gamma = \tfrac12:\ \rho' = \kappa_1(\rho) - \rho,\ E' = \kappa_0(\rho) - 1,\ "
        r"I' = e^{-E}(\kappa_1(\rho) + \rho\kappa_0(\rho)),\ "
        r"\tilde\Theta_\infty = \tfrac12 e^{E(1)} I(1),\ \tilde K_\infty = \rho(1),",
        r"\gamma < \tfrac12:\ c_{\rm eff} = -\tilde c_+ = "
        r"\frac{L^{2\gamma} + L}{\sqrt2\,\pi\,(L^{2\gamma}+1)} \sim \frac{L^{1-2\gamma}}{\sqrt2\,\pi}",
    ]
    fits = []
    for key, val in store.items():
        if key.startswith("below"):
            fits.append(rf"\gamma = {key.split()[1]}:\ \hat p = {val[2]:.3f}")
    if fits:
        rows[-1] += ","
        rows.append(r",\quad ".join(fits))
    return gather(*rows)


def _draw(axes, store: dict, grid: np.ndarray) -> None:
    from ..architectures import fc

    ax = axes[0]
    for i, key in enumerate(k for k in store if k.startswith("above ")):
        rows = np.array(store[key])
        ax.loglog(rows[:, 0], rows[:, 1], "o-", color=f"C{i}", label=f"gamma = {key[6:]}: uniform")
        ax.loglog(rows[:, 0], rows[:, 2], "s--", color=f"C{i}", label=f"gamma = {key[6:]}: t >= -1/2")
    ax.set_xlabel("L")
    ax.set_ylabel(r"$\sup|\tilde\Theta_L - \tilde\Theta_{FC2}|$")
    ax.set_title(r"$\gamma > 1/2$: distance to the two-layer FC-NTK")
    ax.minorticks_off()
    ax.legend(fontsize=7)
    ax = axes[1]
    for label, v in store.get("shapes", []):
        ax.plot(grid, v, lw=1, label=f"L = 256, {label}")
    ax.plot(grid, fc(1, "ntk", normalize=True).numpy(theta=grid), "k:", lw=1.2, label="two-layer FC-NTK")
    ax.plot(grid, store["half_limit"], "k--", lw=1, label=r"$\gamma = 1/2$ ODE limit")
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\tilde\Theta_L(\cos\theta)$")
    ax.set_title("the three regimes")
    ax.legend(fontsize=7)
    ax = axes[2]
    for L, v in store.get("half", []):
        ax.plot(grid, L * (v - store["half_limit"]), lw=1, label=f"L = {L}")
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$L\,(\tilde\Theta_L - \tilde\Theta_\infty)$")
    ax.set_title(r"$\gamma = 1/2$: O(1/L) convergence")
    ax.legend(fontsize=7)
    ax = axes[3]
    for i, key in enumerate(k for k in store if k.startswith("below ")):
        Ls, ceff, slope = store[key]
        ax.loglog(Ls, ceff, "o-", color=f"C{i}", label=f"gamma = {key[6:]}: fitted exponent {slope:.3f}")
    ax.set_xlabel("L")
    ax.set_ylabel(r"$c_{\rm eff} = -\tilde c_+$")
    ax.set_title(r"$\gamma < 1/2$: spiky")
    ax.minorticks_off()
    ax.legend(fontsize=7)
