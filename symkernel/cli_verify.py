"""``symkernel verify``: run the derivations of the reference papers' claims and print their checks."""

from __future__ import annotations

import argparse
import json
import sys

from .progress import ProgressBar


def register(sub, common) -> None:
    p = sub.add_parser("verify", help="run the derivations (all, or the named ones) and their checks")
    p.add_argument("names", nargs="*", help="derivation names (default: all)")
    p.add_argument("--all", action="store_true", help="run every derivation (the default)")
    p.add_argument("--list", action="store_true", help="list the derivations and exit")
    p.add_argument("--full", action="store_true", help="full-size runs instead of the quick ones")
    p.add_argument("--outdir", default=None, help="directory for figures and LaTeX")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> None:
    from . import derivations

    reg = derivations.registry()
    if args.list:
        for name, mod in reg.items():
            sys.stdout.write(f"{name:28s} {mod.CLAIM.splitlines()[0]}\n")
        return
    names = args.names or list(reg)
    mods = [derivations.get(n) for n in names]
    reports = []
    with ProgressBar("verify", quiet=args.quiet) as bar:
        for i, mod in enumerate(mods):
            reports.append(mod.run(quick=not args.full, outdir=args.outdir))
            bar(i + 1, len(mods))
    ok = all(r.passed for r in reports)
    if args.json:
        sys.stdout.write(json.dumps({"passed": ok, "reports": [r.as_dict() for r in reports]}) + "\n")
    else:
        for r in reports:
            sys.stdout.write(r.text() + "\n\n")
        sys.stdout.write(f"{sum(r.passed for r in reports)} passed, {sum(not r.passed for r in reports)}"
                         f" failed\n")
    if not ok:
        raise SystemExit(1)
