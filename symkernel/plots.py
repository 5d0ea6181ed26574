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
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = ["PowerLawFit", "fit_power_law", "fit_decay", "parity_slopes", "eigenvalue_decay_plot",
           "save_figure"]


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


def parity_slopes(mu: Sequence, kmin: int, kmax: int | None = None,
                  vanishing: Sequence[int] = ()) -> list[float | None]:
    r"""Least-squares slopes of :math:`\log\mu_k` against :math:`\log k` on ``kmin ≤ k ≤ kmax``, for even
    and for odd k: ``[even, odd]``.

    A parity listed in ``vanishing`` (0 even, 1 odd: a class that is identically zero, such as the odd
    eigenvalues of the bias-free two-layer kernels) has no power law and gives None, as does a class with
    fewer than two positive values.  ``mu`` is indexed by k (float64); ``kmax`` defaults to its last index.

    Examples
    --------
    >>> [round(s, 6) for s in parity_slopes([0.0] + [k ** -3.0 for k in range(1, 41)], 20)]
    [-3.0, -3.0]
    >>> even, odd = parity_slopes([0.0] + [k ** -2.0 if k % 2 == 0 else 0.0 for k in range(1, 41)], 20,
    ...                           vanishing=(1,))
    >>> round(even, 6), odd
    (-2.0, None)
    """
    mu = np.asarray(mu, dtype=float)
    ks = np.arange(kmin, (len(mu) - 1 if kmax is None else kmax) + 1)
    out: list[float | None] = []
    for parity in (0, 1):
        sel = ks[(ks % 2 == parity) & (mu[ks] > 0)]
        out.append(None if parity in vanishing or len(sel) < 2 else
                   float(np.polyfit(np.log(sel), np.log(mu[sel]), 1)[0]))
    return out


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


def _figure_class(path: str):
    """matplotlib's :class:`~matplotlib.figure.Figure` (object interface: no pyplot state, no backend
    switch), or a :class:`ParameterError` naming the extra to install."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover
        raise ParameterError("plot", path, "matplotlib installed (pip install symkernel[plot])") from exc
    return Figure


def save_figure(path: str, draw: Callable[..., Any], *args: Any, ncols: int = 1,
                figsize: tuple[float, float] = (6.4, 4.6), dpi: int = 120) -> str:
    """Draw ``ncols`` panels side by side with ``draw(axes, *args)`` and write the figure to ``path``.

    ``axes`` is one :class:`~matplotlib.axes.Axes` when ``ncols == 1``, else an array of them.  The folder
    of ``path`` is created; the format follows the extension.  The figure is built with matplotlib's
    object interface, so the caller's pyplot state and backend (a notebook's inline backend) are left alone.

    Returns
    -------
    str
        ``path``.
    """
    fig = _figure_class(path)(figsize=figsize)
    axes = fig.subplots(1, ncols)
    draw(axes, *args)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    return path


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
    logs = _log10_values(result.eigenvalues)
    fits = fit_decay(result, kmin)
    fig = _figure_class(path)(figsize=(6.4, 4.6))
    ax = fig.subplots()
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
    return fits
