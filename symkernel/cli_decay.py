"""The ``symkernel decay`` subcommand (SPEC §8, §9): exponent, exact constants, parity and certified bounds.

Contract::

    symkernel decay --arch fc --kind ntk --depth 3 --dim 3 [--dps D] [--json] [--plot FILE.png] [--kmax K]
                    [--k0 K0] [--bound-order M] [--no-bounds]

``--json`` prints one JSON object::

    {"exponent": p, "nu": nu, "c_plus": ..., "c_minus": ..., "constant_even": ..., "constant_odd": ...,
     "bounds": {"even": {"A": ..., "B": ..., "k0": ..., ...}, "odd": {...}, ...},
     "latex": {...}, ...}

where :math:`\\mu_k \\sim C k^{-p}`, :math:`p = d - 1 + 2\\nu`, and :math:`c_\\pm` are the coefficients of
:math:`s^\\nu` in :math:`K(1-s)` and :math:`K(-1+s)`; numbers are decimal strings with ``--dps`` significant
digits (A rounded down, B up).  ``--plot`` writes :math:`k^p\\mu_k` against k for each parity class with the
limit constants and the certified band.  Bad input: exit status 2 and one line on stderr naming the parameter
(raised as :class:`~symkernel.errors.ParameterError`).  The mathematics lives in
:mod:`symkernel.asymptotics` and :mod:`symkernel.bounds`.
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ParameterError

__all__ = ["register", "decay_payload", "decay_plot"]


def register(sub, common) -> None:
    """Register ``symkernel decay`` on the main CLI (shared kernel options from ``common``)."""
    p = sub.add_parser(
        "decay", help="eigenvalue decay on S^{d-1}: exponent, exact constants, parity, certified bounds"
    )
    common(p)
    p.add_argument("--dim", default="3", help="ambient dimension d >= 2 (sphere S^{d-1}; default 3)")
    p.add_argument("--kmax", default="200", help="largest degree in the --plot figure (default 200)")
    p.add_argument(
        "--plot",
        metavar="FILE",
        default=None,
        help="write k^p mu_k against k with the limit constants and the certified band (png/pdf/svg)",
    )
    p.add_argument("--k0", default=None, help="first degree of the certified bounds (default: automatic)")
    p.add_argument(
        "--bound-order",
        dest="bound_order",
        default=None,
        help="order m of the remainder in the certified bounds (default nu + 7/2)",
    )
    p.add_argument("--no-bounds", action="store_true", help="skip the certified bounds")
    p.add_argument("--pixel", default=None,
                   help="conv, eq head: the pixel j of the single-pixel frequencies k e_j (default: all)")
    p.set_defaults(func=cmd_decay)


def decay_payload(
    kernel, dim: int, dps: int, bounds: bool = True, k0: int | None = None, order: int | None = None
) -> tuple[dict, object, object]:
    """``(payload, asymptotics, certified bounds or None)`` for one kernel (decimal strings at ``dps``)."""
    from .asymptotics import asymptotics
    from .bounds import NotCertified, certified_bounds

    asym = asymptotics(kernel, dim)
    payload = asym.as_dict(dps)
    payload["kernel"] = getattr(kernel, "name", None)
    payload["sphere"] = f"S^{dim - 1}"
    payload["measure"] = "normalised uniform measure on the sphere (total mass 1)"
    payload["latex"] = dict(asym.latex)
    info = getattr(kernel, "info", None) or {}
    if "depth_convention" in info:
        payload["depth_convention"] = info["depth_convention"]
    cert = None
    if not bounds:
        payload["bounds"] = {"status": "skipped"}
    elif asym.nu is None:
        payload["bounds"] = {"status": "not applicable", "reason": "analytic kernel: no power-law decay"}
    else:
        try:
            cert = certified_bounds(kernel, dim, k0=k0, order=order)
        except NotCertified as exc:
            payload["bounds"] = {"status": "not certified", "reason": str(exc)}
        else:
            payload["bounds"] = {"status": "certified", **cert.as_dict(dps)}
            payload["latex"]["bounds"] = cert.latex()
    return payload, asym, cert


def _text(payload: dict, asym, cert) -> str:
    lines = [f"# {payload.get('kernel')} on {payload['sphere']} (d = {asym.dim}), normalised uniform measure"]
    if "depth_convention" in payload:
        lines.append(f"# {payload['depth_convention']}")
    if asym.nu is None:
        lines.append("K is analytic at t = ±1: the eigenvalues decay faster than any power of k")
        return "\n".join(lines)
    lines += [
        f"nu        = {asym.nu}      (K(1-s) = P+(s) + c_+ s^nu + ..., K(-1+s) = P-(s) + c_- s^nu + ...)",
        f"exponent  = {asym.exponent}            (mu_k ~ C k^-p, p = d - 1 + 2 nu)",
        f"c_plus    = {payload['c_plus_exact']} = {payload['c_plus']}",
        f"c_minus   = {payload['c_minus_exact']} = {payload['c_minus']}",
        f"C(d, nu)  = {asym.constant} = {payload['constant']}",
        f"even k:  mu_k ~ {payload['constant_even']} k^-{asym.exponent}",
        f"odd k:   mu_k ~ {payload['constant_odd']} k^-{asym.exponent}",
    ]
    if asym.note:
        lines.append(f"note: {asym.note}")
    b = payload.get("bounds", {})
    if cert is not None:
        lines.append(f"certified bounds (order m = {cert.order}, E_m <= {b['E_m']}):")
        for par in ("even", "odd"):
            pb = b[par]
            if pb["status"] == "bounded":
                lines.append(
                    f"  {par:4s} k >= {pb['k0']}:  {pb['A']} k^-{pb['exponent']} <= mu_k <= "
                    f"{pb['B']} k^-{pb['exponent']}"
                )
            elif pb["status"] == "zero":
                lines.append(f"  {par:4s} k >= {pb['k0']}:  mu_k = 0 exactly")
            else:
                lines.append(f"  {par:4s}: not certified ({pb['note']})")
    elif b:
        lines.append(f"certified bounds: {b.get('status')}" + (f" ({b['reason']})" if "reason" in b else ""))
    return "\n".join(lines)


def decay_plot(kernel, asym, cert, kmax: int, path: str) -> str:
    r"""Figure of :math:`k^p\mu_k` against k per parity class, converging to the limit constants, with the
    certified band :math:`[A, B]` for :math:`k \ge k_0`; written to ``path`` (matplotlib, Agg)."""
    import mpmath
    import sympy as sp

    from .spectrum import eigenvalues

    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover
        raise ParameterError("plot", path, "matplotlib installed (pip install symkernel[plot])") from exc
    d = asym.dim
    res = eigenvalues(kernel, d, kmax, dps=None if d <= 4 else 15)
    p = mpmath.mpf(str(asym.exponent))
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for parity, colour, label, const in (
        (0, "C0", "even", asym.constant_even),
        (1, "C1", "odd", asym.constant_odd),
    ):
        ks = [k for k in range(max(parity, 2), kmax + 1, 1) if k % 2 == parity and res.eigenvalues[k] != 0]
        if not ks:
            continue
        ys = [float(mpmath.mpf(res.eigenvalues[k]) * mpmath.mpf(k) ** p) for k in ks]
        ax.plot(ks, ys, "o" if parity == 0 else "s", ms=2.5, color=colour, label=f"$k^p\\mu_k$, {label} k")
        c = float(sp.N(const, 20))
        ax.axhline(c, color=colour, lw=1, ls="-" if parity == 0 else "--", label=f"limit ({label}) = {c:.6g}")
        if cert is not None:
            pb = cert.parity(parity)
            if pb.status == "bounded" and pb.k0 <= kmax:
                ax.fill_between(
                    [pb.k0, kmax],
                    float(pb.A),
                    float(pb.B),
                    color=colour,
                    alpha=0.12,
                    label=f"certified band ({label}, k >= {pb.k0})",
                )
    ax.set_xscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel(f"$k^{{{asym.exponent}}}\\,\\mu_k$")
    ax.set_title(
        f"{getattr(kernel, 'name', 'kernel')} on $S^{{{d - 1}}}$: $k^p\\mu_k$ -> constants", fontsize=9
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as exc:
        raise ParameterError("plot", path, f"a writable image path ({exc})") from None
    finally:
        plt.close(fig)
    return path


def cmd_decay(args: argparse.Namespace) -> None:
    from .cli import _int_arg, build_kernel
    from .errors import check_dps

    dim = _int_arg("dim", args.dim, 2, 100_000)
    dps = check_dps(_int_arg("dps", args.dps, 5, 1000))
    kmax = _int_arg("kmax", args.kmax, 4, 100_000)
    k0 = _int_arg("k0", args.k0, 2, 10**7) if args.k0 is not None else None
    order = _int_arg("bound-order", args.bound_order, 2, 12) if args.bound_order is not None else None
    kernel = build_kernel(args)
    if args.arch == "conv":
        from .cli_decay_conv import cmd_decay_conv

        cmd_decay_conv(args, kernel, dps, kmax)
        return
    if len(getattr(kernel, "inputs", ("t",))) > 1:
        raise ParameterError(
            "arch", args.arch, "a dot-product kernel (fc, resnet, arccos, laplace, gaussian)"
        )
    payload, asym, cert = decay_payload(kernel, dim, dps, bounds=not args.no_bounds, k0=k0, order=order)
    if args.plot:
        if asym.nu is None:
            raise ParameterError("plot", args.plot, "a kernel with a power-law decay (this one is analytic)")
        payload["plot"] = decay_plot(kernel, asym, cert, kmax, args.plot)
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        text = _text(payload, asym, cert)
        if args.plot:
            text += f"\n# plot written to {args.plot}"
        sys.stdout.write(text + "\n")
