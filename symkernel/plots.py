r"""Matplotlib figures (Agg backend, written to files): eigenvalue decay on a log–log scale.

The fitted slope is the least-squares slope of :math:`\log\mu_k` against :math:`\log k` over the
upper part of
the k range (SPEC §8, "empirical check"), for each parity class separately when the classes differ
(deep
kernels: :math:`\mu_k \sim (c_+ + (-1)^k c_-)\,C\,k^{-(d-1+2\nu)}`) and with the exact zeros left
out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ParameterError

__all__ = ["PowerLawFit", "fit_power_law", "fit_decay", "eigenvalue_decay_plot"]


@dataclass(frozen=True)
class PowerLawFit:
    r"""Least-squares fit :math:`\log\mu_k \approx \log C - p\log k` on ``kmin ≤ k ≤ kmax``.

    ``slope`` is :math:`-p`; ``residual`` the root-mean-square residual in :math:`\log_{10}`."""

    slope: float
    intercept: float
    residual: float
    kmin: int
    kmax: int
    count: int

    @property
    def exponent(self) -> float:
        """p in :math:`\\mu_k \\sim C k^{-p}`."""
        return -self.slope


def fit_power_law(ks: Sequence[int], values: Sequence, kmin: int | None = None) -> PowerLawFit | None:
    """Fit a power law to the non-zero values with k ≥ kmin (default: the upper half of the k range)."""
    pairs = [(int(k), lv) for k, lv in zip(ks, _log10_values(values)) if lv > -math.inf]
    return _fit_logs([k for k, _ in pairs], [lv for _, lv in pairs], kmin)


def _log10_values(values) -> list[float]:
    """log10 |v| (−inf for exact zeros), through mpmath so that values below the float range work."""
    import mpmath

    return [-math.inf if v == 0 else float(mpmath.log10(abs(mpmath.mpf(v)))) for v in values]


def fit_decay(result, kmin: int | None = None) -> dict:
    """Power-law fits of an :class:`~symkernel.spectrum.EigenResult`: all k, even k and odd k.

    Works on :math:`\\log_{10}\\mu_k` computed in mpmath, so eigenvalues below the float range
    (large d)
    are fitted too.  Returns a dict ``{"all": PowerLawFit, "even": …, "odd": …}`` (None where
    empty).
    """
    logs = _log10_values(result.eigenvalues)
    ks = list(range(len(logs)))
    fits = {}
    for label, keep in (("all", lambda k: True), ("even", lambda k: k % 2 == 0),
                        ("odd", lambda k: k % 2 == 1)):
        sel = [(k, lv) for k, lv in zip(ks, logs) if keep(k) and lv > -math.inf]
        fits[label] = _fit_logs([k for k, _ in sel], [lv for _, lv in sel], kmin) if sel else None
    return fits


def _fit_logs(ks, logs, kmin):
    pairs = [(k, lv) for k, lv in zip(ks, logs) if k > 0]
    if len(pairs) < 2:
        return None
    kmax = pairs[-1][0]
    lo = max(1, kmax // 2) if kmin is None else kmin
    sel = [(k, lv) for k, lv in pairs if k >= lo]
    if len(sel) < 2:
        sel = pairs[-2:]
    x = np.log10([k for k, _ in sel])
    y = np.array([lv for _, lv in sel])
    A = np.vstack([x, np.ones_like(x)]).T
    (slope, intercept), *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = float(np.sqrt(np.mean((A @ np.array([slope, intercept]) - y) ** 2)))
    return PowerLawFit(float(slope), float(intercept), resid, int(sel[0][0]), int(sel[-1][0]),
                       len(sel))


def eigenvalue_decay_plot(result, path: str, kmin: int | None = None, title: str | None = None):
    """Log–log plot of :math:`\\mu_k` against k with the fitted slope(s), saved to ``path``.

    Parameters
    ----------
    result : EigenResult
    path : str
        Output file; the format follows the extension (``.png``, ``.pdf``, ``.svg``).
    kmin : int, optional
        Smallest k of the slope fit (default: upper half of the range).
    title : str, optional

    Returns
    -------
    dict
        The fits (see :func:`fit_decay`).
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover
        raise ParameterError("plot", path, "matplotlib installed (pip install symkernel[plot])") from exc
    logs = _log10_values(result.eigenvalues)
    fits = fit_decay(result, kmin)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for parity, marker, colour in ((0, "o", "C0"), (1, "s", "C1")):
        ks = [k for k in range(len(logs)) if k % 2 == parity and k > 0 and logs[k] > -math.inf]
        if ks:
            ax.plot(np.log10(ks), [logs[k] for k in ks], marker, ms=3, color=colour,
                    label=f"{'even' if parity == 0 else 'odd'} k")
    for label, colour in (("even", "C0"), ("odd", "C1")):
        f = fits.get(label)
        if f is None:
            continue
        xs = np.log10([f.kmin, f.kmax])
        ax.plot(xs, f.slope * xs + f.intercept, "-", color=colour, lw=1,
                label=f"fit {label}: slope {f.slope:.3f}")
    zeros = [k for k in range(len(logs)) if logs[k] == -math.inf]
    ax.set_xlabel("log10 k")
    ax.set_ylabel("log10 mu_k")
    default = f"{result.kernel} on S^{result.dim - 1}"
    if zeros:
        default += f" ({len(zeros)} exact zeros not shown)"
    ax.set_title(title or default, fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return fits
