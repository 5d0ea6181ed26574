r"""``symkernel decay --arch conv``: single-pixel eigenvalue decay of the CGPK/CNTK (SPEC §5, §8, §9).

Contract::

    symkernel decay --arch conv --head eq --depth L --filter q --pixels p --channels zeta --kind ntk
                    [--pixel j] [--kmax K] [--plot FILE.png] [--json] [--quiet]

The check compares with the quadrature at k = 40 (``--plot``: up to ``--kmax``, at most 400).

For each pixel j of the receptive field (or the one given by ``--pixel``; one shift-averaged row for ``tr``
and ``gap``): :math:`\lambda_{k e_j} \sim C(\zeta,\nu)(A_j^+ + (-1)^k A_j^-)k^{-p}`, p = ζ − 1 + 2ν, with
the exact ν, p, :math:`c_n^\pm`, :math:`C(\zeta,\nu)` and the quadrature :math:`A_j^\pm` (see
:mod:`symkernel.conv_asymptotics`), the number of paths from the output to j, and the ratio of the computed
eigenvalue at k = ``--kmax`` (and ``--kmax − 1``) to the asymptotic form.  ``--json`` prints
:meth:`~symkernel.conv_asymptotics.ConvAsymptotics.as_dict`: ``exponent``, ``nu``, ``c_plus``, ``c_minus``
(of the first row: the output pixel), ``constant_even``, ``constant_odd`` and ``pixels``.  Numbers carry
the digits their quadrature error estimate supports, never more than ``--dps``.  The mathematics lives in
:mod:`symkernel.conv_asymptotics`.
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ParameterError

__all__ = ["cmd_decay_conv", "conv_decay_text", "conv_decay_plot"]


def conv_decay_text(payload: dict) -> str:
    """The text report of ``decay --arch conv`` from the JSON payload."""
    lines = [f"# {payload['kernel']}: single-pixel frequencies k e_j on MS(zeta, p), {payload['measure']}",
             f"nu        = {payload['nu']}      (first-layer feature kappa_{payload['feature_order']}; "
             f"kappa_n(1-s) = ... + c_n^+ s^nu, c_n^+ = {payload['c_n_plus_exact']}, "
             f"c_n^- = {payload['c_n_minus_exact']})",
             f"exponent  = {payload['exponent']}            (lambda_(k e_j) ~ C_j k^-p, p = zeta - 1 + 2 nu: "
             "the fully connected rate on S^(zeta-1), independent of p and q)",
             f"C(zeta, nu) = {payload['constant']} = {payload['constant_value']}",
             "A_j^± = c_n^± E[dK/dkappa_n(t_j) at t_j = ±1] (coefficients of s^nu in the marginal "
             "g_j(±(1-s)); weighted path counts)"]
    head = ["pixel", "offset", "paths", "A+", "A-", "C_even", "C_odd", "error(A)"]
    rows = payload["pixels"]
    have_check = any(r["check"] for r in rows)
    if have_check:
        k_e = next(r["check"].get("k_even") for r in rows if r["check"])
        k_o = next(r["check"].get("k_odd") for r in rows if r["check"])
        head += [f"lambda/asym k={k_e}", f"k={k_o}"]
    table = [head]
    for r in rows:
        line = [str(r["pixel"]), ",".join(str(o) for o in r["offset"]), str(r["paths"]), r["A_plus"],
                r["A_minus"], r["constant_even"], r["constant_odd"], r["error"]]
        if have_check:
            line += [str(r["check"].get("ratio_even", "-")), str(r["check"].get("ratio_odd", "-"))]
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    if payload["head"] != "eq":
        lines.append(f"{payload['head']}: A^± = (1/p) sum over the receptive field of the eq A_j^± (the same "
                     "for every pixel" + ("; gap: on the shift-invariant combination)" if payload["head"] ==
                                           "gap" else ")"))
    lines.append("frequencies spread over several pixels decay faster: `symkernel verify conv-hierarchy`")
    if payload.get("note"):
        lines.append(f"note: {payload['note']}")
    return "\n".join(lines)


def conv_decay_plot(kernel, asym, path: str) -> str:
    r"""Figure of :math:`k^p\lambda_{k e_j}` against k for each reported pixel (dots: the tensor quadrature
    of the check in ``asym.spectra``; lines: the limits :math:`C(\zeta,\nu)(A_j^+ \pm A_j^-)`), written to
    ``path`` (:func:`symkernel.plots.save_figure`)."""
    import numpy as np

    from .plots import save_figure

    if not asym.spectra:
        raise ParameterError("plot", path, "a receptive field of at most 5 pixels (tensor quadrature)")
    p = float(asym.exponent)

    def draw(ax):
        for i, row in enumerate(asym.pixels):
            vals = asym.spectra[row.pixel][0]
            ks = np.arange(2, len(vals))
            colour = f"C{i % 10}"
            for par, marker, const in ((0, "o", row.constant_even), (1, "s", row.constant_odd)):
                kk = ks[ks % 2 == par]
                ax.plot(kk, vals[kk] * kk.astype(float) ** p, marker, ms=2.5, color=colour,
                        label=f"pixel {row.pixel} ({row.paths} paths), {'even' if par == 0 else 'odd'} k")
                ax.axhline(const, color=colour, lw=0.8, ls="-" if par == 0 else "--")
        ax.set_xscale("log")
        ax.set_xlabel("k")
        ax.set_ylabel(f"$k^{{{asym.exponent}}}\\,\\lambda_{{k e_j}}$")
        ax.set_title(f"{kernel.name}: single-pixel eigenvalues -> constants", fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=6)

    try:
        return save_figure(path, draw)
    except (OSError, ValueError) as exc:
        raise ParameterError("plot", path, f"a writable image path ({exc})") from None


def cmd_decay_conv(args: argparse.Namespace, kernel, dps: int, kmax: int) -> None:
    """Run ``decay`` for a convolutional kernel (called by :func:`symkernel.cli_decay.cmd_decay`)."""
    from .cli import _int_arg
    from .conv_asymptotics import conv_asymptotics

    pixel = getattr(args, "pixel", None)
    if pixel is not None:
        if kernel.head != "eq":
            raise ParameterError("pixel", pixel, "only with --head eq (tr and gap average over the pixels)")
        pixel = _int_arg("pixel", pixel, 0, kernel.grid.size - 1)
    # the quadrature check at k = 40 (or up to --kmax for the plot, at most 400)
    check_k = min(kmax, 400) if args.plot else min(kmax, 40)
    asym = conv_asymptotics(kernel, pixels=pixel, check_kmax=check_k)
    payload = asym.as_dict(min(dps, 15))
    if dps > 15:
        payload["note"] = ((payload["note"] + "; ") if payload["note"] else "") + (
            f"--dps {dps}: the constants A_j come from float64 quadrature, printed with the digits their "
            "error estimate supports (at most 15)")
    if kernel.info.get("depth_convention"):
        payload["depth_convention"] = kernel.info["depth_convention"]
    if args.plot:
        payload["plot"] = conv_decay_plot(kernel, asym, args.plot)
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        text = conv_decay_text(payload)
        if args.plot:
            text += f"\n# plot written to {args.plot}"
        sys.stdout.write(text + "\n")
