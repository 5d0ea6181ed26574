r"""``symkernel latex``: the LaTeX of a kernel's derivation (or of a derivation report), optionally compiled.

Examples::

    symkernel latex --arch fc --kind ntk --depth 2                 # amsmath snippet on stdout
    symkernel latex --depth 3 --dim 3 --document -o ntk3.tex        # complete document
    symkernel latex --depth 3 --dim 3 --pdf -o ntk3.pdf             # compiled with pdflatex
    symkernel latex --derivation two-layer-spectrum --document      # a derivation's report

The document states the conventions (depth = number of hidden ReLU layers, normalisation, trained layers),
the recursion, the exact series coefficients, the spectrum on :math:`S^{d-1}` (with ``--dim``), the
asymptotics, certified bounds and the numerical checks (:func:`symkernel.latex.to_latex`).  Bad input exits
with status 2 and one line on stderr; failed numerical checks exit with status 1 (the output is written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import ParameterError


def register(sub, common) -> None:
    p = sub.add_parser("latex", help="LaTeX of the kernel's derivation (snippet, --document or --pdf)")
    common(p)
    g = p.add_argument_group("latex")
    g.add_argument("--dim", default=None, help="sphere S^{d-1}: include the spectrum and eigenvalue "
                                               "asymptotics for this d >= 2")
    g.add_argument("--coefficients", default="8", help="number of series coefficients and eigenvalues "
                                                       "shown (1..40, default 8)")
    g.add_argument("--sections", default=None, help="comma-separated subset of kernel,recursion,series,"
                                                    "spectrum,asymptotics,bounds,checks (default all)")
    g.add_argument("--document", action="store_true", help="a complete document (amsmath) for pdflatex")
    g.add_argument("--pdf", action="store_true", help="compile the document with pdflatex (needs -o)")
    g.add_argument("-o", "--output", default=None, help="write to FILE (.tex; .pdf with --pdf)")
    g.add_argument("--derivation", default=None, help="the report of a derivation (symkernel verify --list) "
                                                      "instead of a kernel")
    g.add_argument("--full", action="store_true", help="with --derivation: the full-size run")
    p.set_defaults(func=cmd_latex)


def _tex(args: argparse.Namespace) -> tuple[str, list, str]:
    """(latex, checks, name) of the request."""
    from . import latex as lx
    from .cli import _int_arg, build_kernel

    document = args.document or args.pdf
    if args.derivation is not None:
        from . import derivations

        try:
            module = derivations.get(args.derivation)
        except ParameterError as exc:
            raise ParameterError("derivation", args.derivation, exc.allowed) from None
        report = module.run(quick=not args.full, outdir=None)
        return lx.report_to_latex(report, document=document), report.checks, report.name
    K = build_kernel(args)
    dim = _int_arg("dim", args.dim, 2, 10_000) if args.dim is not None else None
    n = _int_arg("coefficients", args.coefficients, 1, 40)
    sections = lx.SECTIONS if args.sections is None else args.sections
    ex = lx.export(K, dim=dim, coefficients=n, sections=sections)
    return (ex.document() if document else ex.snippet()), ex.checks, K.name


def cmd_latex(args: argparse.Namespace) -> None:
    from . import latex as lx

    out = Path(args.output) if args.output else None
    if args.pdf and out is None:
        raise ParameterError("output", None, "a file name with --pdf (-o FILE.pdf or -o FILE.tex)")
    if args.pdf and not lx.pdflatex_available():
        raise lx.LatexError("pdflatex not found on PATH: install a TeX distribution (Debian/Ubuntu: "
                            "apt-get install texlive-latex-base), or drop --pdf")
    if out is not None and out.suffix.lower() not in (".tex", ".pdf", ""):
        raise ParameterError("output", str(out), "a .tex (or, with --pdf, .pdf) file name")
    if out is not None and out.suffix.lower() == ".pdf" and not args.pdf:
        raise ParameterError("output", str(out), "a .tex file (add --pdf to write a PDF)")
    if out is not None and not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise ParameterError("output", str(out), "a file in an existing directory")
    tex, checks, name = _tex(args)
    pdf = None
    written = None
    if out is not None:
        tex_path = out.with_suffix(".tex")
        tex_path.write_text(tex, encoding="utf-8")
        written = str(tex_path)
        if args.pdf:
            pdf = str(lx.compile_pdf(tex_path, outdir=tex_path.parent))
    failed = [c for c in checks if not c.passed]
    if args.json:
        sys.stdout.write(json.dumps({
            "kernel": name, "latex": tex, "file": written, "pdf": pdf,
            "passed": not failed, "checks": [c.__dict__ for c in checks]}) + "\n")
    elif out is None:
        sys.stdout.write(tex if tex.endswith("\n") else tex + "\n")
    else:
        sys.stdout.write(f"wrote {written}" + (f" and {pdf}" if pdf else "") + "\n")
    if failed:
        sys.stderr.write(f"symkernel: {len(failed)} numerical check(s) failed: "
                         + "; ".join(c.name for c in failed) + "\n")
        raise SystemExit(1)
