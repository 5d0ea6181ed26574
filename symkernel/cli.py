"""The ``symkernel`` command line (thin: parse, call the library, print).

Subcommands: ``kernel`` (expression or value), ``coeffs`` (power-series coefficients) and the others
registered by their modules.  ``--json`` prints one JSON object on stdout with numbers as decimal strings
carrying all requested digits.  Bad input exits with status 2 and one line on stderr naming the parameter.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import mpmath
import sympy as sp

from .errors import ParameterError, PrecisionError, SymkernelError, check_dps, check_int
from .progress import ProgressBar

ARCHS = ("fc", "resnet", "conv", "arccos", "laplace", "gaussian")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"symkernel: error: {message}\n")
        raise SystemExit(2)


def decimal_string(x: Any, dps: int) -> str:
    """A number as a decimal string with ``dps`` significant digits (exact zeros as ``"0"``)."""
    x = mpmath.mpmathify(x) if not hasattr(x, "_mpf_") else x
    if not x:
        return "0"
    return mpmath.nstr(x, dps, strip_zeros=False, min_fixed=-6, max_fixed=8)


def _common(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("kernel")
    g.add_argument("--arch", default="fc", choices=ARCHS, help="architecture (default fc)")
    g.add_argument("--kind", default="ntk", choices=("nngp", "ntk"), help="kernel kind (default ntk)")
    g.add_argument("--depth", default="2", help="number of hidden ReLU layers L >= 1 (default 2)")
    g.add_argument("--bias", default="0", help="bias standard deviation beta >= 0 (fc)")
    g.add_argument("--layer-weights", default=None,
                   help="comma-separated weights of the L+1 Dense layers in the NTK (fc)")
    g.add_argument("--normalize", action="store_true", help="normalise to K(1) = 1")
    g.add_argument("--order", default="1", help="order n of the arc-cosine kernel (arch arccos)")
    g.add_argument("--c", default="1", help="sharpness c > 0 of the Laplace/Gaussian kernel")
    g.add_argument("--alpha", default=None, help="residual branch weight alpha > 0 (resnet)")
    g.add_argument("--gamma", default=None, help="alpha = depth^(-gamma) (resnet)")
    g.add_argument("--head", default="eq", choices=("eq", "tr", "gap"), help="readout head (conv)")
    g.add_argument("--filter", default="3", help="odd filter size q (conv)")
    g.add_argument("--pixels", default="8", help="number of pixels p (conv)")
    g.add_argument("--channels", default="3", help="number of input channels zeta (conv)")
    o = parser.add_argument_group("output")
    o.add_argument("--dps", default="30", help="decimal digits (default 30)")
    o.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    o.add_argument("--quiet", action="store_true", help="no progress bar")


def _int_arg(name: str, text: str, lo: int, hi: int | None = None) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise ParameterError(name, text, f"an integer in [{lo}, {hi if hi is not None else 'inf'}]") \
            from None
    return check_int(name, value, lo, hi)


def _number_arg(name: str, text: str) -> sp.Expr:
    """Parse a user number without eval: decimals, fractions p/q, or a restricted SymPy expression."""
    from .parsing import parse_number

    return parse_number(name, text)


def build_kernel(args: argparse.Namespace):
    """The kernel named by the common options."""
    from . import architectures as arch

    if args.arch == "fc":
        depth = _int_arg("depth", args.depth, 1, 1000)
        weights = None
        if args.layer_weights is not None:
            weights = [_number_arg("layer-weights", w) for w in args.layer_weights.split(",")]
        bias = _number_arg("bias", args.bias)
        if bias < 0:
            raise ParameterError("bias", args.bias, "a real number >= 0")
        return arch.fc(depth, args.kind, bias=bias, layer_weights=weights, normalize=args.normalize)
    if args.arch in ("resnet", "conv"):
        import importlib

        try:
            module = importlib.import_module(f"symkernel.architectures.{args.arch}")
        except ImportError:
            raise ParameterError("arch", args.arch, "an architecture of this version: fc, arccos, "
                                 "laplace, gaussian") from None
        return module.from_cli(args)
    if args.arch == "arccos":
        return arch.arccos_kernel(_int_arg("order", args.order, 0, 20))
    if args.arch == "laplace":
        return arch.laplace(_number_arg("c", args.c))
    if args.arch == "gaussian":
        return arch.gaussian(_number_arg("c", args.c))
    raise ParameterError("arch", args.arch, f"one of {', '.join(ARCHS)}")  # pragma: no cover


def _emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    if args.json:
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def _conventions(K) -> str:
    info = K.info
    lines = [f"# {K.name}"]
    if "depth_convention" in info:
        lines.append(f"# {info['depth_convention']}")
    return "\n".join(lines)


def cmd_kernel(args: argparse.Namespace) -> None:
    K = build_kernel(args)
    dps = check_dps(_int_arg("dps", args.dps, 5, 100_000))
    if args.at is not None or args.theta is not None:
        if args.theta is not None:
            theta = _number_arg("theta", args.theta)
            if not (0 <= theta <= sp.pi):
                raise ParameterError("theta", args.theta, "an angle in [0, pi]")
            value = K(theta=theta, dps=dps)
            where = {"theta": args.theta}
        else:
            t = _number_arg("at", args.at)
            if not (-1 <= t <= 1):
                raise ParameterError("at", args.at, "a value of t in [-1, 1]")
            value = K(t, dps=dps)
            where = {"t": args.at}
        s = decimal_string(value, dps)
        _emit(args, {"value": s, **where, "kernel": K.name, "dps": dps},
              f"{_conventions(K)}\nK({args.at if args.at is not None else 'theta=' + args.theta}) = {s}")
        return
    expr = K.expr_compact
    payload = {"kernel": K.name, "expression": sp.sstr(expr), "latex": sp.latex(expr),
               "diagonal": sp.sstr(K.diagonal), "info": K.info}
    _emit(args, payload, f"{_conventions(K)}\nK(t) = {sp.sstr(expr)}\n"
                         f"K(1) = {K.diagonal}")


def cmd_coeffs(args: argparse.Namespace) -> None:
    K = build_kernel(args)
    dps = check_dps(_int_arg("dps", args.dps, 5, 100_000))
    if len(K.inputs) > 1:
        _multivariate_coeffs(args, K, dps)
        return
    n = _int_arg("n", args.n, 1, 200_000)
    if args.exact:
        if n > 40:
            raise ParameterError("n", n, "at most 40 coefficients with --exact (use numeric coeffs)")
        # a straight-line program: the nested constants of deep kernels are named once each
        coeffs, definitions = K.exact_coefficients(n, keep_constants=True)
        strings = [sp.sstr(c) for c in coeffs]
        defs = [[str(sym), sp.sstr(value)] for sym, value in definitions]
        payload = {"coefficients": strings, "exact": True, "kernel": K.name}
        text = _conventions(K) + "\n" + "\n".join(f"b_{i} = {s}" for i, s in enumerate(strings))
        if defs:
            payload["definitions"] = defs
            text += "\nwhere\n" + "\n".join(f"  {name} = {value}" for name, value in defs)
        _emit(args, payload, text)
        return
    with ProgressBar("coefficients", quiet=args.quiet or n < 500) as bar:
        coeffs = K.coefficients(n, dps, progress=bar, backend=args.backend)
    strings = [decimal_string(c, dps) for c in coeffs]
    _emit(args, {"coefficients": strings, "dps": dps, "kernel": K.name},
          _conventions(K) + "\n" + "\n".join(f"b_{i} = {s}" for i, s in enumerate(strings)))


def _multivariate_coeffs(args: argparse.Namespace, K, dps: int) -> None:
    """Coefficients b_n over multi-indices n of the receptive field (total degree <= --degree)."""
    from .interpret.multiseries import multivariate_coefficients

    degree = _int_arg("degree", args.degree, 0, 200)
    mode = "exact" if args.exact else "mpmath"
    ser = multivariate_coefficients(K, degree, mode=mode, dps=dps)
    items = ser.as_dict()
    fmt = (lambda c: sp.sstr(c)) if args.exact else (lambda c: decimal_string(c, dps))
    rows = [{"n": list(e), "b": fmt(c)} for e, c in items.items() if c != 0]
    _emit(args, {"variables": list(ser.variables), "degree": degree, "coefficients": rows,
                 "kernel": K.name, "exact": bool(args.exact)},
          _conventions(K) + f"\n# variables {', '.join(ser.variables)}; total degree <= {degree}\n"
          + "\n".join(f"b{tuple(r['n'])} = {r['b']}" for r in rows))


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symkernel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    p = sub.add_parser("kernel", help="the kernel as an exact expression, or its value at t")
    _common(p)
    p.add_argument("--at", default=None, help="evaluate at t in [-1, 1] (decimal or p/q)")
    p.add_argument("--theta", default=None, help="evaluate at the angle theta in [0, pi]")
    p.set_defaults(func=cmd_kernel)
    p = sub.add_parser("coeffs", help="power-series coefficients b_0..b_{n-1}")
    _common(p)
    p.add_argument("--n", default="20", help="number of coefficients (default 20)")
    p.add_argument("--exact", action="store_true", help="exact SymPy coefficients")
    p.add_argument("--degree", default="4", help="total degree of the multivariate series (conv; default 4)")
    p.add_argument("--backend", default="fixed", choices=("fixed", "flint"),
                   help="fixed-point (default) or python-flint Arb balls (rigorous)")
    p.set_defaults(func=cmd_coeffs)
    for register in _extensions():
        register(sub, _common)
    return parser


def _extensions():
    """Subcommands contributed by other modules (each a ``register(subparsers, common)`` function)."""
    found = []
    for module, attr in (("symkernel.cli_eigen", "register"), ("symkernel.cli_decay", "register"),
                         ("symkernel.cli_dynamics", "register"), ("symkernel.cli_latex", "register"),
                         ("symkernel.cli_verify", "register")):
        try:
            mod = __import__(module, fromlist=[attr])
        except ImportError:
            continue
        if hasattr(mod, attr):
            found.append(getattr(mod, attr))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except ParameterError as exc:
        sys.stderr.write(f"symkernel: error: {exc}\n")
        return 2
    except PrecisionError as exc:
        sys.stderr.write(f"symkernel: error: dps: {exc}\n")
        return 2
    except SymkernelError as exc:
        sys.stderr.write(f"symkernel: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # the reader of stdout went away (`symkernel verify | head`): stop quietly, as Unix tools do; point
        # stdout at /dev/null so that the interpreter's final flush does not raise again
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
            pass
        return 141
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
