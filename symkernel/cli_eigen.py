"""The ``symkernel eigen`` subcommand (SPEC §9): parse, call :func:`symkernel.spectrum.eigenvalues`, print.

Contract::

    symkernel eigen --arch fc --kind ntk --depth 3 --dim 3 --kmax 100 --dps 30 [--json] [--plot
    F.png]
                    [--method auto|series|quadrature|reference] [--quiet]

``--json`` prints one JSON object ``{"eigenvalues": [decimal strings with all requested digits],
"multiplicities": [ints], "error_estimate": [...], "kernel": ..., "dim": ..., "method": ...,
"decay": {...}}``.
Without ``--dps`` the eigenvalues are computed in float64 (bulk mode).  Bad input raises
:class:`~symkernel.errors.ParameterError`; the main CLI turns it into exit status 2 and one line on
stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable

from .errors import ParameterError

__all__ = ["add_eigen_parser", "run_eigen", "register"]


def _has_option(parser: argparse.ArgumentParser | None, option: str) -> bool:
    return parser is not None and option in getattr(parser, "_option_string_actions", {})


def add_eigen_parser(subparsers, common_parent: argparse.ArgumentParser | None = None):
    """Add the ``eigen`` subcommand to ``subparsers``; options already in ``common_parent`` are reused."""
    parents = [common_parent] if common_parent is not None else []
    p = subparsers.add_parser(
        "eigen", parents=parents,
        help="eigenvalues mu_k of the kernel on the sphere S^{d-1} with their multiplicities",
        description="Eigenvalues mu_0..mu_kmax of the kernel's integral operator for the normalised "
                    "uniform measure on S^{d-1} (Funk-Hecke), with multiplicities N(d, k).")
    if not _has_option(common_parent, "--dim"):
        p.add_argument("--dim", type=int, default=3, help="ambient dimension d (sphere S^{d-1})")
    if not _has_option(common_parent, "--dps"):
        p.add_argument("--dps", type=int, default=None,
                       help="significant digits (default: float64 bulk mode)")
    if not _has_option(common_parent, "--json"):
        p.add_argument("--json", action="store_true", help="print one JSON object")
    if not _has_option(common_parent, "--quiet"):
        p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--kmax", type=int, default=100, help="largest degree k (default 100)")
    p.add_argument("--method", default="auto",
                   choices=["auto", "series", "quadrature", "reference"],
                   help="route: series with asymptotic tail, Gauss-Legendre in the angle, or "
                        "mpmath.quad reference (slow)")
    p.add_argument("--plot", metavar="FILE", default=None,
                   help="write a log-log decay plot with the fitted slope (png/pdf/svg)")
    return p


def run_eigen(args: argparse.Namespace, kernel, progress: Callable[[int, int], None] | None = None,
              stdout=None) -> int:
    """Run ``symkernel eigen`` for an already-built kernel; returns the exit status (0)."""
    from .plots import eigenvalue_decay_plot, fit_decay
    from .spectrum import eigenvalues

    out = stdout if stdout is not None else sys.stdout
    dim = getattr(args, "dim", None)
    if dim is None:
        raise ParameterError("dim", dim, "an integer >= 2 (the sphere is S^{dim-1}); give --dim")
    if len(kernel.inputs) > 1:
        raise ParameterError("arch", (kernel.info or {}).get("arch"),
                             "a dot-product kernel for eigen --dim (conv kernels take --freq)")
    kmax = getattr(args, "kmax", 100)
    dps = getattr(args, "dps", None)
    if getattr(args, "quiet", False):
        progress = None
    result = eigenvalues(kernel, dim=dim, kmax=kmax, dps=dps,
                         method=getattr(args, "method", "auto"), progress=progress)
    fits = None
    plot = getattr(args, "plot", None)
    if plot:
        fits = eigenvalue_decay_plot(result, plot)
    elif kmax >= 4:
        fits = fit_decay(result)
    decay = {}
    for label, f in (fits or {}).items():
        if f is not None:
            decay[label] = {"exponent": f.exponent, "kmin": f.kmin, "kmax": f.kmax,
                            "rms_residual_log10": f.residual}
    info = kernel.info or {}
    if getattr(args, "json", False):
        payload = result.to_dict()
        payload["decay_fit"] = decay
        if "depth_convention" in info:
            payload["depth_convention"] = info["depth_convention"]
        if plot:
            payload["plot"] = plot
        out.write(json.dumps(payload) + "\n")
        return 0
    digits = "float64" if dps is None else f"{dps} digits"
    out.write(f"# {result.kernel} on S^{dim - 1} (d = {dim}), normalised uniform measure; "
              f"method {result.method}, {digits}\n")
    if "depth_convention" in info:
        out.write(f"# {info['depth_convention']}\n")
    out.write(f"{'k':>6}  {'N(d,k)':>12}  mu_k\n")
    for k, (m, s) in enumerate(zip(result.multiplicities, result.strings(), strict=True)):
        mult = str(m) if m < 10**12 else f"{float(m):.4e}"
        out.write(f"{k:>6}  {mult:>12}  {s}\n")
    for label, f in decay.items():
        out.write(f"# fitted decay ({label} k, k in [{f['kmin']}, {f['kmax']}]): "
                  f"mu_k ~ C k^-{f['exponent']:.4f}  (rms log10 residual {f['rms_residual_log10']:.2e})\n")
    if plot:
        out.write(f"# plot written to {plot}\n")
    return 0


def register(sub, common) -> None:
    """Register ``symkernel eigen`` on the main CLI (shared kernel options from ``common``)."""
    p = sub.add_parser("eigen", help="eigenvalues mu_k on the sphere S^{d-1} with multiplicities")
    common(p)
    p.add_argument("--dim", default="3", help="ambient dimension d >= 2 (sphere S^{d-1}; default 3)")
    p.add_argument("--kmax", default="100", help="largest degree k (default 100)")
    p.add_argument("--method", default="auto", choices=["auto", "series", "quadrature", "reference"],
                   help="route: series with asymptotic tail, Gauss-Legendre in the angle, mpmath.quad")
    p.add_argument("--plot", metavar="FILE", default=None, help="log-log decay plot with the fitted slope")
    p.add_argument("--float64", action="store_true", help="bulk float64 mode (ignores --dps)")
    p.add_argument("--freq", default=None,
                   help="conv kernels: frequency vector k_1,k_2,... (one entry per pixel)")
    p.add_argument("--route", default="quadrature",
                   choices=["quadrature", "sparse", "rqmc", "series", "both", "fft"],
                   help="conv kernels: eigenvalue route (default quadrature: tensor Gauss-Legendre, or the "
                        "sparse grid when the receptive field is too large for a tensor grid)")
    p.set_defaults(func=_cmd_eigen)


def _cmd_eigen(args: argparse.Namespace) -> None:
    from .cli import _int_arg, build_kernel
    from .errors import check_dps
    from .progress import ProgressBar

    kernel = build_kernel(args)
    if len(kernel.inputs) > 1 or args.freq is not None:
        _conv_eigen(args, kernel)
        return
    args.dim = _int_arg("dim", args.dim, 2, 100_000)
    args.kmax = _int_arg("kmax", args.kmax, 0, 1_000_000)
    args.dps = None if args.float64 else check_dps(_int_arg("dps", args.dps, 5, 100_000))
    # the table is written after the bar has ended its line (stdout and stderr often share a terminal)
    table = io.StringIO()
    with ProgressBar("eigenvalues", quiet=args.quiet) as bar:
        run_eigen(args, kernel, bar, stdout=table)
    sys.stdout.write(table.getvalue())


def _conv_eigen(args: argparse.Namespace, kernel) -> None:
    """``eigen --freq k1,k2,...`` for convolutional kernels: one eigenvalue and its multiplicity."""
    from .spectrum.multisphere import multisphere_eigenvalue

    if (kernel.info or {}).get("arch") != "conv":
        raise ParameterError("freq", args.freq, "only for --arch conv (dot-product kernels take --dim)")
    if args.freq is None:
        raise ParameterError("freq", None, "a frequency vector k_1,...,k_p for --arch conv")
    try:
        freq = [int(x) for x in args.freq.split(",")]
    except ValueError:
        raise ParameterError("freq", args.freq, "comma-separated non-negative integers") from None
    if any(k < 0 for k in freq):
        raise ParameterError("freq", args.freq, "non-negative integers k_i >= 0")
    res = multisphere_eigenvalue(kernel, freq, method=args.route)
    if args.json:
        payload = res.as_dict()
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    # gap: the multiplicity is that of the whole shift orbit of freq (its shift-invariant functions)
    sys.stdout.write(f"# {kernel.name}\n# freq {freq}: eigenvalue {res.value!r} (error {res.error!r}), "
                     f"multiplicity {res.multiplicity}, orbit size {res.orbit_size}, method {res.method}\n")
