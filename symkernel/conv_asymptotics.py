r"""Decay of the single-pixel eigenvalues of convolutional kernels on the multisphere (SPEC §5, §8).

For an ``eq`` kernel K on :math:`MS(\zeta, p)` and a pixel j of its receptive field, the eigenvalue of the
frequency vector :math:`k\,e_j` (frequency k at pixel j, 0 elsewhere) is the Funk–Hecke eigenvalue on
:math:`S^{\zeta-1}` of the marginal :math:`g_j(t_j) = \mathbb E_{t_{-j}}K(t)`.  Near :math:`t_j = \pm1`,
:math:`g_j` is non-analytic only through the first-layer features :math:`\kappa_n(t_j)` (n = 0 for the
CNTK, n = 1 for the CGPK, :math:`\nu = n + \tfrac12`):

.. math::  g_j(\pm(1-s)) = \text{analytic} + A_j^\pm s^\nu + o(s^\nu),\qquad
           A_j^\pm = c_n^\pm\,E_j^\pm,\quad
           E_j^\pm = \mathbb E_{t_{-j}}\Big[\frac{\partial K}{\partial\kappa_n(t_j)}\Big|_{t_j=\pm1}\Big],

with the exact Puiseux coefficients :math:`c_n^\pm` of :math:`\kappa_n(\pm(1-s))`
(:func:`symkernel.arccos.kappa_singular_coefficient`), and the transfer of SPEC §8 gives

.. math::  \lambda_{k e_j} \sim C(\zeta,\nu)\,\big(A_j^+ + (-1)^k A_j^-\big)\,k^{-(\zeta-1+2\nu)},\qquad
           C(\zeta,\nu) = \frac{\Gamma(\zeta/2)\,2^{\nu+\zeta-2}\,\Gamma(\nu+\frac{\zeta-1}{2})}
           {\sqrt\pi\,\Gamma(-\nu)}

(:func:`symkernel.asymptotics.eigenvalue_constant`).  The exponent :math:`\zeta - 1 + 2\nu` is the fully
connected one on :math:`S^{\zeta-1}`: it involves neither the image size p nor the filter size q (Geifman,
Galun, Jacobs & Basri 2022).  By the chain rule :math:`E_j^\pm` is a sum over the paths from the output to
pixel j, each weighted by the expected product of the interior derivatives along it (a weighted path count;
the plain path counts are reported beside it).

For the ``tr`` and ``gap`` heads, :math:`\lambda^{tr}_{k e_j} = \frac1p\sum_m\lambda^{eq}_{s^m(k e_j)}
= \frac1p\sum_{i\in RF}\lambda^{eq}_{k e_i}`, so :math:`A^{tr,\pm} = \frac1p\sum_{i\in RF}A_i^\pm`, the same
for every pixel; ``gap`` has this eigenvalue on the shift-invariant combination (SPEC §5).

Precision: :math:`\nu`, the exponent, :math:`c_n^\pm` and :math:`C(\zeta,\nu)` are exact; :math:`E_j^\pm`
is a float64 tensor Gauss quadrature over the other pixels of the receptive field, computed twice (n and
n + 6 nodes per pixel, within a budget of evaluations) and its error estimated by the difference; for
receptive fields too large for that (7 pixels and more), a Smolyak sparse grid over the other pixels at two
successive levels, with 4 times their difference as the error estimate (the convention of
:func:`~symkernel.spectrum.multisphere.sparse_spectrum`; an estimate, not a bound).  The
numbers are therefore good to the digits that estimate allows (at most about 15), never to ``dps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from .errors import ParameterError

__all__ = ["PixelDecay", "ConvAsymptotics", "conv_asymptotics", "check_nodes", "QUADRATURE_BUDGET"]

#: kernel evaluations of one tensor rule over the other pixels of the receptive field
QUADRATURE_BUDGET = 2_000_000
#: kernel evaluations of the Smolyak sparse grid used instead when the tensor rule does not fit
SPARSE_BUDGET = 300_000


@dataclass
class PixelDecay:
    r"""Single-pixel decay :math:`\lambda_{k e_j} \sim C(\zeta,\nu)(A^+ + (-1)^k A^-)k^{-p}` of one pixel."""

    pixel: int
    offset: tuple[int, ...]
    paths: int
    E_plus: float
    E_minus: float
    A_plus: float
    A_minus: float
    constant_even: float
    constant_odd: float
    error: float  #: absolute error estimate of A_plus, A_minus (difference of two quadratures)
    check: dict = field(default_factory=dict)


@dataclass
class ConvAsymptotics:
    r"""Single-pixel eigenvalue asymptotics of a convolutional kernel (module docstring).

    Attributes
    ----------
    nu, exponent : sympy.Rational
        :math:`\nu` and :math:`p = \zeta - 1 + 2\nu` of :math:`\lambda_{k e_j} \sim C_j k^{-p}`.
    c_n_plus, c_n_minus : sympy.Expr
        Exact coefficients of :math:`s^\nu` in :math:`\kappa_n(1-s)` and :math:`\kappa_n(-1+s)`.
    constant : sympy.Expr
        Exact :math:`C(\zeta,\nu)`.
    pixels : list of PixelDecay
        One entry per pixel of the receptive field (``eq``), or one entry for the shift-averaged heads.
    """

    name: str
    head: str
    channels: int
    order: int
    nu: sp.Rational
    exponent: sp.Rational
    c_n_plus: sp.Expr
    c_n_minus: sp.Expr
    constant: sp.Expr
    pixels: list[PixelDecay]
    quadrature: str
    note: str = ""
    #: pixel -> (lambda_(k e_j) for k = 0..check_kmax, error estimates) of the quadrature check
    spectra: dict = field(default_factory=dict, repr=False)

    def pixel(self, j: int) -> PixelDecay:
        for row in self.pixels:
            if row.pixel == j:
                return row
        raise ParameterError("pixel", j, f"one of {[r.pixel for r in self.pixels]}")

    @staticmethod
    def digits(value: float, error: float) -> int:
        """Significant digits that an absolute error estimate supports (1..15)."""
        if value == 0 or not math.isfinite(value):
            return 15
        if error <= 0:
            return 15
        return int(max(1, min(15, math.floor(-math.log10(error / abs(value))))))

    def as_dict(self, dps: int = 15) -> dict:
        """JSON-ready: exact constants as strings, numbers as decimal strings with the digits their error
        estimate supports (``dps`` at most)."""

        def num(x: float, err: float) -> str:
            return f"{x:.{min(dps, self.digits(x, err))}g}"

        centre = self.pixels[0]
        rows = []
        for r in self.pixels:
            rows.append({"pixel": r.pixel, "offset": list(r.offset), "paths": r.paths,
                         "A_plus": num(r.A_plus, r.error), "A_minus": num(r.A_minus, r.error),
                         "E_plus": num(r.E_plus, r.error / max(abs(float(self.c_n_plus)), 1e-300)),
                         "E_minus": num(r.E_minus, r.error / max(abs(float(self.c_n_minus)), 1e-300)),
                         "constant_even": num(r.constant_even, abs(float(self.constant)) * 2 * r.error),
                         "constant_odd": num(r.constant_odd, abs(float(self.constant)) * 2 * r.error),
                         "error": f"{r.error:.2g}", "check": {k: (f"{v:.6g}" if isinstance(v, float) else v)
                                                             for k, v in r.check.items()}})
        return {
            "kernel": self.name, "head": self.head, "sphere": f"S^{self.channels - 1} per pixel",
            "exponent": str(self.exponent), "nu": str(self.nu),
            "c_plus": num(centre.A_plus, centre.error), "c_minus": num(centre.A_minus, centre.error),
            "pixel": centre.pixel,
            "constant": str(self.constant), "constant_value": f"{float(self.constant):.15g}",
            "constant_even": rows[0]["constant_even"], "constant_odd": rows[0]["constant_odd"],
            "feature_order": self.order,
            "c_n_plus_exact": str(self.c_n_plus), "c_n_minus_exact": str(self.c_n_minus),
            "pixels": rows, "quadrature": self.quadrature,
            "measure": "normalised uniform measure on each sphere S^(zeta-1)",
            "note": self.note,
        }


def _offset(grid, output_pixel: int, pixel: int) -> tuple[int, ...]:
    a, b = grid.coords(pixel), grid.coords(output_pixel)
    out = []
    for x, y, n in zip(a, b, grid.shape):
        d = (x - y) % n
        out.append(d - n if d > n // 2 else d)
    return tuple(out)


def _nodes_for(P: int, nodes: int | None) -> int | None:
    """Tensor Gauss nodes per other pixel, or None when the tensor rule does not fit (sparse grid)."""
    if nodes is not None:
        return int(nodes)
    if P <= 1:
        return 24
    fit = int(QUADRATURE_BUDGET ** (1 / (P - 1))) - 6
    return min(24, fit) if fit >= 12 else None


def _sparse_level(d: int, zeta: int) -> int:
    """Largest Smolyak level whose rule over d pixels costs at most :data:`SPARSE_BUDGET` evaluations."""
    from .spectrum.smolyak import SmolyakRule

    rule, level = SmolyakRule(d, zeta), 2
    while level < 40 and rule.points(level + 1) <= SPARSE_BUDGET:
        level += 1
    return level


def check_nodes(P: int, zeta: int, kmax: int) -> int:
    """Gauss nodes per other pixel for :func:`~symkernel.spectrum.multisphere.single_pixel_spectrum` up to
    ``kmax`` on a receptive field of P pixels (the refined grid stays within its 40M-point limit)."""
    want = 24 if zeta == 2 else (16 if P == 3 else 10)
    fit = int((30e6 / (kmax + 46)) ** (1 / max(P - 1, 1))) - 6
    return max(6, min(want, fit))


def conv_asymptotics(K: Any, pixels: Any = None, nodes: int | None = None,
                     check_kmax: int | None = 40) -> ConvAsymptotics:
    r"""Exponent and constants of the single-pixel eigenvalues :math:`\lambda_{k e_j}` of a convolutional
    kernel (module docstring for the formulas).

    Parameters
    ----------
    K : ConvKernel
        From :func:`symkernel.conv` (any head, 1-D ring or 2-D torus).
    pixels : sequence of int, optional
        Pixels j (flat indices) to report; default every pixel of the receptive field of the ``eq``
        kernel, the output pixel first.  Ignored for ``tr``/``gap`` (one shift-averaged row).
    nodes : int, optional
        Gauss nodes per other pixel of the quadrature of :math:`E_j^\pm` (default: 24 within
        :data:`QUADRATURE_BUDGET` evaluations); the error estimate compares ``nodes`` with ``nodes + 6``.
    check_kmax : int or None
        Compare :math:`\lambda_{k e_j}` computed by tensor quadrature at k = ``check_kmax`` and
        ``check_kmax - 1`` with the asymptotic form (ratio -> 1); for receptive fields of more than 5 pixels
        only the output pixel of ``eq``, by the sparse-grid / randomised-QMC route of
        :func:`~symkernel.spectrum.multisphere.multisphere_eigenvalue` (``tr``/``gap``: skipped); None
        skips the check.

    Examples
    --------
    >>> import symkernel as sk
    >>> a = conv_asymptotics(sk.conv("eq", depth=2, filter=3, pixels=5, channels=3, kind="ntk"),
    ...                      check_kmax=None)
    >>> a.exponent, a.nu
    (3, 1/2)
    """
    from .asymptotics import eigenvalue_constant
    from .spectrum.gegenbauer import singular_power_eigenvalues
    from .spectrum.multisphere import eq_kernel_of, single_pixel_spectrum, singular_coefficients

    info = getattr(K, "info", None) or {}
    if info.get("arch") != "conv":
        raise ParameterError("kernel", getattr(K, "name", K), "a convolutional kernel from symkernel.conv")
    if check_kmax is not None:
        check_kmax = int(check_kmax)
        if check_kmax < 4:
            raise ParameterError("check_kmax", check_kmax, "an integer >= 4 (or None to skip the check)")
    head = info["head"]
    Keq = K if head == "eq" else eq_kernel_of(K)
    grid, out_pix = Keq.grid, info["output_pixel"] if head == "eq" else 0
    rf = list(Keq.receptive_field)
    counts = Keq.info["path_counts"]
    if head == "eq" and pixels is not None:
        chosen = [int(j) for j in (pixels if isinstance(pixels, (list, tuple)) else [pixels])]
        for j in chosen:
            if j not in rf:
                raise ParameterError("pixel", j, f"a pixel of the receptive field {rf}")
    else:
        chosen = sorted(rf, key=lambda j: (sum(abs(o) for o in _offset(grid, out_pix, j)), j))
    zeta = int(info["channels"])
    P = len(rf)
    n1 = _nodes_for(P, nodes)
    if n1 is not None and (n1 + 6) ** (P - 1) > 20 * QUADRATURE_BUDGET:
        most = int((20 * QUADRATURE_BUDGET) ** (1 / max(P - 1, 1))) - 6
        raise ParameterError("nodes", n1, f"at most {most} per pixel for a receptive field of {P} pixels")
    raw: dict[int, dict] = {}
    if n1 is not None:
        quadrature = f"tensor Gauss rule over the other {P - 1} pixels, {n1} and {n1 + 6} nodes per pixel"
        for j in (rf if head != "eq" else chosen):
            a = singular_coefficients(Keq, j, nodes_other=n1)
            b = singular_coefficients(Keq, j, nodes_other=n1 + 6)
            raw[j] = {"E_plus": b["E_plus"], "E_minus": b["E_minus"], "order": b["order"],
                      "c": (b["c_plus_exact"], b["c_minus_exact"]),
                      "err": max(abs(b["E_plus"] - a["E_plus"]), abs(b["E_minus"] - a["E_minus"]))}
    else:
        # sparse grid: algebraic convergence; 4 x the last level difference, as in sparse_spectrum
        lv = _sparse_level(P - 1, zeta)
        quadrature = (f"Smolyak sparse grid over the other {P - 1} pixels, levels {lv - 1} and {lv} "
                      "(error 4 x their difference, an estimate)")
        for j in (rf if head != "eq" else chosen):
            b = singular_coefficients(Keq, j, level=lv)
            raw[j] = {"E_plus": b["E_plus"], "E_minus": b["E_minus"], "order": b["order"],
                      "c": (b["c_plus_exact"], b["c_minus_exact"]),
                      "err": 4 * max(abs(b["E_plus"] - b["E_plus_coarse"]),
                                     abs(b["E_minus"] - b["E_minus_coarse"]))}
    orders = {v["order"] for v in raw.values()}
    if len(orders) != 1:  # pragma: no cover - every pixel enters through the same first layer
        raise ParameterError("kernel", K.name, "one first-layer feature order for all pixels")
    n = orders.pop()
    nu = sp.Rational(2 * n + 1, 2)
    cp, cm = next(iter(raw.values()))["c"]
    C = eigenvalue_constant(zeta, nu)
    cpf, cmf, Cf = float(cp), float(cm), float(C)
    exponent = zeta - 1 + 2 * nu

    def row(j: int, Ep: float, Em: float, err: float, paths: int, offset: tuple[int, ...]) -> PixelDecay:
        Ap, Am = cpf * Ep, cmf * Em
        return PixelDecay(j, offset, paths, Ep, Em, Ap, Am, Cf * (Ap + Am), Cf * (Ap - Am),
                          max(abs(cpf), abs(cmf)) * err)

    rows: list[PixelDecay] = []
    if head == "eq":
        for j in chosen:
            r = raw[j]
            rows.append(row(j, r["E_plus"], r["E_minus"], r["err"], counts.get(j, 0),
                            _offset(grid, out_pix, j)))
    else:
        p = grid.size
        Ep = sum(r["E_plus"] for r in raw.values()) / p
        Em = sum(r["E_minus"] for r in raw.values()) / p
        err = sum(r["err"] for r in raw.values()) / p
        rows.append(row(0, Ep, Em, err, sum(counts.values()), (0,) * grid.ndim))
    note = ""
    if check_kmax is not None and P <= 5:
        mu = np.array([float(v) for v in singular_power_eigenvalues(float(nu), check_kmax, zeta)])
        no = check_nodes(P, zeta, check_kmax)
        spectra: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        def spectrum(j: int) -> tuple[np.ndarray, np.ndarray]:
            if j not in spectra:
                spectra[j] = single_pixel_spectrum(Keq, j, check_kmax, nodes_other=no)
            return spectra[j]

        for r in rows:
            if head == "eq":
                vals, errs = spectrum(r.pixel)
            else:
                vals = sum(spectrum(j)[0] for j in rf) / grid.size
                errs = sum(spectrum(j)[1] for j in rf) / grid.size
                spectra[r.pixel] = (vals, errs)
            for k in (check_kmax - 1, check_kmax):
                asym = (r.A_plus + (-1) ** k * r.A_minus) * mu[k]
                label = "even" if k % 2 == 0 else "odd"
                r.check[f"lambda_{label}"] = float(vals[k])
                r.check[f"lambda_{label}_error"] = float(errs[k])
                r.check[f"k_{label}"] = k
                r.check[f"ratio_{label}"] = float(vals[k] / asym) if asym != 0 else math.nan
    elif check_kmax is not None and head != "eq":
        note = (f"receptive field of {P} pixels: no check of the ratio to the asymptotic form for the "
                f"{head} head (it averages {P} eq eigenvalues; run --head eq for the check)")
    elif check_kmax is not None:
        # large receptive field: the output pixel's row only, by the sparse-grid / randomised QMC route
        from .spectrum.multisphere import multisphere_eigenvalue

        mu = np.array([float(v) for v in singular_power_eigenvalues(float(nu), check_kmax, zeta)])
        r = rows[0]
        for k in (check_kmax - 1, check_kmax):
            ev = multisphere_eigenvalue(K, {r.pixel: k})
            asym = (r.A_plus + (-1) ** k * r.A_minus) * mu[k]
            label = "even" if k % 2 == 0 else "odd"
            r.check.update({f"lambda_{label}": float(ev.value), f"lambda_{label}_error": float(ev.error),
                            f"k_{label}": k, f"ratio_{label}": float(ev.value / asym) if asym else math.nan,
                            "route": ev.method})
        note = (f"receptive field of {P} pixels: the ratio to the asymptotic form is checked for pixel "
                f"{r.pixel} only (eigenvalues by the {r.check['route']} route)")
    out = ConvAsymptotics(K.name, head, zeta, n, nu, exponent, cp, cm, C, rows, quadrature, note)
    if check_kmax is not None and P <= 5:
        out.spectra = {r.pixel: spectra[r.pixel] for r in rows}
    return out
