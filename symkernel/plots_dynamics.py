r"""Figures of the spectral-bias experiment (matplotlib, Agg backend, written to files).

:func:`spectral_bias_plot` draws, for a :class:`symkernel.dynamics.SpectralBiasResult`:

1. the kernel dynamics on the sample: the relative residual :math:`\rho_k(t)` of each degree (solid)
   against the prediction :math:`(1-\eta\mu_k)^t` from the Funk–Hecke eigenvalues (dashed) and
   :math:`(1-\eta\hat\mu_k)^t` from the sampled Gram eigenvalues (dotted);
2. the trained network against the kernel and the theory;
3. the relative error of the empirical NTK at initialisation against the width, log–log, with the
   fitted slope and the reference slope -1/2.
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = ["spectral_bias_plot"]

_FLOOR = 1e-3


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a test dependency
        raise ParameterError("plot", "matplotlib", "matplotlib installed (pip install symkernel[plot])") \
            from exc
    return plt


def _curves(ax, steps, values, colors, style, label_fmt, degrees, lw=1.6, alpha=1.0):
    t = np.maximum(np.asarray(steps, dtype=float), 0.5)  # t = 0 drawn at 0.5 on the log axis
    for j, k in enumerate(degrees):
        y = np.clip(np.abs(values[:, j]), _FLOOR, None)
        ax.plot(t, y, style, color=colors[j], lw=lw, alpha=alpha,
                label=label_fmt.format(k=k) if label_fmt else None)


def spectral_bias_plot(result, path: str, title: str | None = None) -> str:
    """Write the spectral-bias figure of ``result`` to ``path`` (png/pdf/svg); returns the path.

    Parameters
    ----------
    result : symkernel.dynamics.SpectralBiasResult
    path : str
        Output file; the format follows the extension.
    title : str, optional
        Figure title (default: kernel, sphere, n, width).
    """
    plt = _pyplot()
    kr, nr = result.kernel_run, result.network_run
    panels = 1 + (nr is not None) + (result.ntk is not None)
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2))
    axes = np.atleast_1d(axes)
    cmap = plt.get_cmap("viridis")
    D = len(result.degrees)
    colors = [cmap(0.1 + 0.8 * j / max(D - 1, 1)) for j in range(D)]
    t_dense = np.unique(np.concatenate([kr.steps, np.round(np.geomspace(1, max(kr.steps.max(), 1), 200))]))
    theory = result.predicted(t_dense)
    sampled = result.predicted(t_dense, sampled=True)

    ax = axes[0]
    _curves(ax, kr.steps, kr.rho, colors, "-", "degree {k}: kernel GD", result.degrees)
    _curves(ax, t_dense, theory, colors, "--", None, result.degrees, lw=1.2)
    _curves(ax, t_dense, sampled, colors, ":", None, result.degrees, lw=1.2)
    ax.plot([], [], "k--", lw=1.2, label=r"$(1-\eta\mu_k)^t$")
    ax.plot([], [], "k:", lw=1.2, label=r"$(1-\eta\hat\mu_k)^t$ (Gram)")
    ax.set_title(f"kernel gradient descent, n = {result.n}")
    i = 1
    if nr is not None:
        ax = axes[i]
        i += 1
        _curves(ax, nr.steps, nr.rho, colors, "-", "degree {k}: network", result.degrees)
        _curves(ax, kr.steps, kr.rho, colors, "-", None, result.degrees, lw=4, alpha=0.25)
        _curves(ax, t_dense, theory, colors, "--", None, result.degrees, lw=1.2)
        ax.plot([], [], "-", color="0.6", lw=4, alpha=0.5, label="kernel GD")
        ax.plot([], [], "k--", lw=1.2, label=r"$(1-\eta\mu_k)^t$")
        ax.set_title(f"ReLU network, depth {result.depth}, width {result.width}")
    for a in axes[:i]:
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_ylim(_FLOOR, 2.0)
        a.set_xlabel("gradient-descent step t")
        a.set_ylabel(r"residual along degree $k$, $\rho_k(t)$")
        a.legend(fontsize=7, loc="lower left")
        a.grid(True, which="both", alpha=0.2)
    if result.ntk is not None:
        ax = axes[i]
        c = result.ntk
        w = c.widths.astype(float)
        ax.loglog(w, c.errors, "o", color="C3", label="empirical NTK at initialisation")
        ax.loglog(w, 10 ** (c.intercept + c.slope * np.log10(w)), "-", color="C3",
                  label=f"fit: slope {c.slope:.3f} ± {c.slope_se:.3f}")
        ref = c.errors[0] * (w / w[0]) ** -0.5
        ax.loglog(w, ref, "k--", lw=1, label="slope -1/2")
        ax.set_xlabel("width m")
        ax.set_ylabel(r"$\|\hat\Theta - \Theta\|_F / \|\Theta\|_F$")
        ax.set_title(f"empirical NTK vs analytic ({c.n_points} points, {c.n_seeds} seeds)")
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.2)
    fig.suptitle(title or f"{result.kernel} on S^{result.dim - 1}: spectral bias (Cao et al. 2019)",
                 fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise ParameterError("plot", path, f"a writable image file path ({exc})") from None
    finally:
        plt.close(fig)
    return path
