"""The ``symkernel dynamics`` subcommand (SPEC §8b): spectral bias of kernel and network gradient descent.

Contract::

    symkernel dynamics --depth 1 [--layer-weights 1/2,1] --dim 10 --n 1000 --width 2000 --steps 3000
                       [--degrees 1,2,4] [--eta E] [--seed S] [--ntk-widths 64,128,...|none]
                       [--plot FILE.png] [--json] [--quiet]

Trains, on n points uniform on S^{dim-1} and the target sum_k P_k(<xi, x>), the kernel (closed-form
gradient descent with the Gram matrix of ``sk.fc(depth, "ntk", layer_weights=...)``) and a bias-free ReLU
network of that depth and width (full-batch gradient descent, per-layer learning rate eta * w_l), and prints
a table of the measured rate of each degree against the Funk-Hecke eigenvalue mu_k and its sampled
counterpart.  ``--width 0`` runs the kernel only.  ``--json`` prints one JSON object (numbers as decimal
strings); the progress bar of the training goes to stderr (``--quiet`` turns it off).  Bad input raises
:class:`~symkernel.errors.ParameterError` (exit status 2, one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ParameterError

__all__ = ["register", "cmd_dynamics"]


def _has_option(parser: argparse.ArgumentParser, option: str) -> bool:
    return option in getattr(parser, "_option_string_actions", {})


def register(sub, common) -> None:
    """Add ``dynamics`` to the subparsers ``sub``; ``common(parser)`` adds the shared kernel options."""
    p = sub.add_parser(
        "dynamics", help="spectral bias: kernel and ReLU-network gradient descent per harmonic degree",
        description="Gradient descent on n points uniform on S^{dim-1} with the target sum_k "
                    "P_k(<xi, x>): the residual of each degree k decays like (1 - eta mu_k)^t "
                    "(Cao et al. 2019). Kernel: sk.fc(depth, 'ntk', layer_weights=...); network: the "
                    "bias-free ReLU network whose NTK it is (depth = number of hidden layers, default 1 "
                    "here; --layer-weights 1/2,1 gives Cao et al.'s kernel).")
    common(p)
    p.set_defaults(depth="1")
    if not _has_option(p, "--dim"):
        p.add_argument("--dim", default="10", help="ambient dimension d, data on S^{d-1} (default 10)")
    p.add_argument("--n", default="1000", help="number of training points (default 1000)")
    p.add_argument("--width", default="2000", help="hidden width of the network; 0 = kernel only "
                                                   "(default 2000)")
    p.add_argument("--steps", default="3000", help="gradient-descent steps (default 3000)")
    p.add_argument("--degrees", default="1,2,4", help="comma-separated degrees k of the target "
                                                      "sum_k P_k(<xi,x>) (default 1,2,4)")
    p.add_argument("--eta", default=None, help="step size (default 1/lambda_max(G/n))")
    p.add_argument("--seed", default="0", help="random seed (sample, xi, initialisation)")
    p.add_argument("--ntk-widths", default="64,128,256,512,1024,2048",
                   help="widths of the empirical-NTK comparison, or 'none'")
    if not _has_option(p, "--plot"):
        p.add_argument("--plot", metavar="FILE", default=None, help="write the figure (png/pdf/svg)")
    p.set_defaults(func=cmd_dynamics)


def _int_list(name: str, text: str, lo: int, hi: int) -> list[int]:
    from .cli import _int_arg

    parts = [s.strip() for s in str(text).split(",") if s.strip()]
    if not parts:
        raise ParameterError(name, text, f"a comma-separated list of integers in [{lo}, {hi}]")
    values = [_int_arg(name, s, lo, hi) for s in parts]
    if len(set(values)) != len(values):
        raise ParameterError(name, text, "distinct values")
    return values


def _eta_arg(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        eta = float(text)
    except ValueError:
        raise ParameterError("eta", text, "a positive real number") from None
    if not (eta > 0 and eta < float("inf")):
        raise ParameterError("eta", text, "a positive real number")
    return eta


def cmd_dynamics(args: argparse.Namespace) -> None:
    """Run the experiment and print the table (or JSON)."""
    from .cli import _int_arg, build_kernel
    from .dynamics import MAX_DEGREE, network_spec, spectral_bias
    from .progress import ProgressBar

    if args.arch != "fc":
        raise ParameterError("arch", args.arch, "fc (the networks trained here are fully connected)")
    if args.kind != "ntk":
        raise ParameterError("kind", args.kind, "ntk (gradient descent follows the NTK)")
    dim = _int_arg("dim", args.dim, 2, 1000)
    n = _int_arg("n", args.n, 10, 10_000)
    width = _int_arg("width", args.width, 0, 100_000)
    steps = _int_arg("steps", args.steps, 1, 1_000_000)
    seed = _int_arg("seed", args.seed, 0, 2**32 - 1)
    degrees = _int_list("degrees", args.degrees, 0, MAX_DEGREE)
    eta = _eta_arg(args.eta)
    if str(args.ntk_widths).strip().lower() in ("none", "0", ""):
        ntk_widths = None
    else:
        ntk_widths = _int_list("ntk-widths", args.ntk_widths, 1, 100_000)
        if len(ntk_widths) < 2:
            raise ParameterError("ntk-widths", args.ntk_widths, "at least two widths, or 'none'")
    K = build_kernel(args)
    depth, _ = network_spec(K)
    if depth > 1 and ntk_widths and max(ntk_widths) > 8192:
        raise ParameterError("ntk-widths", args.ntk_widths, "widths <= 8192 for depth > 1")
    with ProgressBar("training", quiet=args.quiet or width == 0) as bar:
        result = spectral_bias(K, dim=dim, n=n, width=width, steps=steps, degrees=degrees, eta=eta,
                               seed=seed, ntk_widths=ntk_widths, progress=bar)
    figure = None
    if args.plot:
        from .plots_dynamics import spectral_bias_plot

        figure = spectral_bias_plot(result, args.plot)
    if args.json:
        payload = result.to_dict()
        payload["plot"] = figure
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    sys.stdout.write(_text(result, figure) + "\n")


def _text(result, figure: str | None) -> str:
    weights = ", ".join(result.layer_weights)
    lines = [f"# {result.kernel}, layer weights ({weights}); depth = number of hidden ReLU layers L; "
             f"network width {result.width}",
             f"# data: n = {result.n} points uniform on S^{result.dim - 1}; target sum of P_k(<xi, x>), "
             f"k in {list(result.degrees)}; eta = {result.eta:.6g}",
             "# rate lambda: residual along degree k ~ (1 - eta lambda)^t; theory lambda = mu_k "
             "(Funk-Hecke), mu_k(Gram) = mean of the degree-k block of eig(G/n)"]
    rows = result.table()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths)))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    agree = result.orders_agree()
    lines.append(f"order by mu_k: {result.order(result.mu)}; kernel: "
                 f"{result.order(result.kernel_run.rates)}"
                 + (f"; network: {result.order(result.network_run.rates)}" if result.network_run else "")
                 + f"  ({'agree' if all(agree.values()) else 'DISAGREE'})")
    if result.ntk is not None:
        c = result.ntk
        errs = ", ".join(f"{w}: {e:.3g}" for w, e in zip(c.widths, c.errors))
        lines.append(f"empirical NTK relative error by width: {errs}")
        lines.append(f"fitted slope {c.slope:.3f} +- {c.slope_se:.3f} (expected -1/2)")
    lines.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()))
    if figure:
        lines.append(f"figure: {figure}")
    return "\n".join(lines)
