r"""LaTeX export of a kernel's derivation: kernel, recursion, series, spectrum, asymptotics, bounds, checks.

:func:`to_latex` writes an amsmath snippet (or, with ``document=True``, a complete document that compiles
with ``pdflatex``) for one kernel: its definition and conventions, the recursion it comes from, the exact
Maclaurin coefficients, the eigenvalues on :math:`S^{d-1}` (closed forms where they exist), the singular
expansions at :math:`t = \pm1` with the decay exponent and constants, certified bounds (when
:mod:`symkernel.bounds` is installed) and the numerical checks that were run to support them.
:func:`report_to_latex` does the same for a derivation :class:`~symkernel.report.Report`, and
:func:`compile_pdf` runs ``pdflatex``.

Every displayed formula is a :class:`Formula`: the LaTeX of its right-hand side is printed from a SymPy
expression (kept in ``Formula.expr``) by a printer whose output SymPy's own LaTeX parser reads back
(``\arccos`` rather than ``\operatorname{acos}``, :math:`(\Gamma(x))^2` rather than :math:`\Gamma^2(x)`).
:func:`round_trip` parses a formula back and compares it numerically with the expression it was printed
from; the test suite runs it on every formula of the export.

Conventions (SPEC §1, §3): :math:`t = \langle x, x'\rangle` for unit vectors; ``depth`` L counts the hidden
ReLU layers (Bietti & Bach 2021 count L + 1 layers); He initialisation (weight variance 2/fan-in) in the
NTK parameterisation; the sphere :math:`S^{d-1} \subset \mathbb{R}^d` carries the normalised uniform
measure and :math:`P_k^{(d)}(1) = 1`.

References
----------
Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009 (arc-cosine kernels).
A. Jacot, F. Gabriel and C. Hongler, "Neural tangent kernel", NeurIPS 2018 (the NTK recursion).
A. Bietti and J. Mairal, "On the inductive bias of neural tangent kernels", NeurIPS 2019.
A. Bietti and F. Bach, "Deep equals shallow for ReLU networks in kernel regimes", ICLR 2021.
P. Flajolet and A. Odlyzko, "Singularity analysis of generating functions", SIAM J. Discrete Math. 3 (1990).

Examples
--------
>>> import symkernel as sk
>>> snippet = to_latex(sk.fc(1, "ntk"), sections=("kernel",))
>>> r"\kappa_{1}\left(t\right)" in snippet
True
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter

from .errors import ParameterError, SymkernelError, check_int
from .interpret.symbolic import ArcCosKernel, symbolic
from .report import Check

__all__ = [
    "SECTIONS",
    "Formula",
    "LatexExport",
    "LatexBuilder",
    "LatexError",
    "latex_expr",
    "export",
    "to_latex",
    "report_to_latex",
    "latex_document",
    "compile_pdf",
    "round_trip",
    "tex_escape",
    "gather",
]

#: the sections of :func:`to_latex`, in order
SECTIONS = ("kernel", "recursion", "series", "spectrum", "asymptotics", "bounds", "checks")
_TITLES = {
    "kernel": "Kernel and conventions",
    "recursion": "Recursion",
    "series": "Power series",
    "spectrum": "Spectrum on the sphere",
    "asymptotics": "Asymptotics",
    "bounds": "Certified bounds",
    "checks": "Numerical checks",
}
#: right-hand sides longer than this (characters of LaTeX) are replaced by a decimal value
MAX_FORMULA_CHARS = 1500
#: an exact expression of the whole kernel longer than this is not displayed (the recursion is)
MAX_KERNEL_CHARS = 6000
#: digits of the decimal values written into the document
DIGITS = 20


class LatexError(SymkernelError):
    """pdflatex is missing, or the document did not compile (the message quotes the log)."""


# ------------------------------------------------------------------------------------------------
# printing and parsing back
# ------------------------------------------------------------------------------------------------
class _RoundTripPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer, restricted to forms that :func:`sympy.parsing.latex.parse_latex` reads back.

    * inverse trigonometric functions as ``\arccos`` (``inv_trig_style="full"``);
    * a power of a function application as ``\left(f(x)\right)^{n}``: SymPy prints ``\Gamma^{2}(x)``,
      which its parser reads as :math:`\Gamma^2\cdot x`;
    * the symbol d as ``{d}`` (``d l`` would be read as the differential dl).
    """

    def __init__(self, settings: dict | None = None):
        opts = {"inv_trig_style": "full"}
        opts.update(settings or {})
        super().__init__(opts)

    def _print_Symbol(self, expr, style="plain"):  # noqa: N802
        m = re.fullmatch(r"([A-Za-z]+)_\{(.+)\}", expr.name)
        if m:  # Sigma_{l-1} -> \Sigma_{l-1}
            return self._print(sp.Symbol(m.group(1))) + "_{" + m.group(2) + "}"
        out = super()._print_Symbol(expr, style)
        # the parser reads "d l" or "d \cdot" as a differential: a braced {d} is the symbol
        return "{d}" if out == "d" else out

    def _print_Pow(self, expr):  # noqa: N802 (SymPy's printer naming)
        b, e = expr.base, expr.exp
        if (b.is_Function or isinstance(b, ArcCosKernel)) and not e.is_negative and not (
                e.is_Rational and e.q == 2):
            return r"\left(" + self._print(b) + r"\right)^{" + self._print(e) + "}"
        return super()._print_Pow(expr)


def latex_expr(expr: Any) -> str:
    r"""LaTeX of a SymPy expression in the form that SymPy's LaTeX parser reads back.

    Examples
    --------
    >>> latex_expr(sp.gamma(sp.Symbol("k")) ** 2)
    '\\left(\\Gamma\\left(k\\right)\\right)^{2}'
    >>> latex_expr(sp.acos(sp.Symbol("t")))
    '\\arccos{\\left(t \\right)}'
    """
    tex = _RoundTripPrinter().doprint(sp.sympify(expr))
    # "u \left(...\right)" would be read back as the function u applied to (...): make products explicit
    return _IMPLICIT_CALL.sub(r" \\cdot \\left(", tex)


_IMPLICIT_CALL = re.compile(r"(?<=[\w}!.)\]])\s+\\left\(")


@dataclass(frozen=True)
class Formula:
    r"""One displayed formula ``lhs relation rhs suffix (note)``.

    Attributes
    ----------
    lhs : str
        LaTeX of the left-hand side (a name: :math:`K(t)`, :math:`b_{3}`, :math:`\mu_k` ...).
    rhs : str
        LaTeX of the value, printed from ``expr`` by :func:`latex_expr`; :func:`round_trip` parses it.
    expr : sympy expression or None
        What ``rhs`` was printed from (None for a purely structural statement, which is only required to
        parse).
    relation : str
        ``=``, ``\approx``, ``\sim``, ``\le`` ...
    suffix : str
        LaTeX appended to the right-hand side and not parsed (an error term :math:`+ O(s^2)`).
    note : str
        Plain text shown after the formula (a condition such as "k even").
    """

    lhs: str
    rhs: str
    expr: Any = None
    relation: str = "="
    suffix: str = ""
    note: str = ""

    def latex(self, align: bool = False) -> str:
        """The formula as LaTeX (with an ``&`` before the relation when ``align``)."""
        rel = ("&" if align else "") + self.relation
        s = f"{self.lhs} {rel} {self.rhs}"
        if self.suffix:
            s += " " + self.suffix
        if self.note:
            s += r" \qquad \text{(" + tex_mixed(self.note) + ")}"
        return s


def formula(lhs: str, value: Any, relation: str = "=", suffix: str = "", note: str = "",
            digits: int = DIGITS) -> Formula:
    """A :class:`Formula` whose right-hand side is printed from ``value`` (SymPy expression or number).

    mpmath numbers and floats are written as decimals with ``digits`` significant digits; a SymPy
    expression whose LaTeX is longer than :data:`MAX_FORMULA_CHARS` is replaced by its decimal value
    (relation ``\\approx``).
    """
    expr = _as_expr(value, digits)
    rhs = latex_expr(expr)
    if len(rhs) > MAX_FORMULA_CHARS and expr.is_number:
        expr = sp.Float(sp.N(expr, digits + 5), digits)
        rhs = latex_expr(expr)
        relation = r"\approx" if relation == "=" else relation
    return Formula(lhs, rhs, expr, relation, suffix, note)


def _as_expr(value: Any, digits: int = DIGITS) -> sp.Expr:
    if isinstance(value, sp.Basic):
        return value
    if hasattr(value, "_mpf_") or isinstance(value, float):
        if not value:
            return sp.Integer(0)
        return sp.Float(mpmath.nstr(value, digits, strip_zeros=False, min_fixed=-3, max_fixed=4), digits)
    return sp.sympify(value)


_SYMBOL_CLEAN = re.compile(r"[\s{}\\]")


def _clean(name: str) -> str:
    return _SYMBOL_CLEAN.sub("", name)


def _normalize_parsed(expr: sp.Expr) -> sp.Expr:
    """Map the parser's undefined names back to SymPy objects: pi, e, Gamma, kappa_n."""
    from sympy.core.function import AppliedUndef

    repl = {}
    for s in expr.free_symbols:
        if s.name == "pi":
            repl[s] = sp.pi
        elif s.name == "e":
            repl[s] = sp.E
    expr = expr.xreplace(repl)

    def fix(f):
        name = _clean(f.func.__name__)
        m = re.fullmatch(r"kappa_(\d+)", name)
        if m and len(f.args) == 1:
            return ArcCosKernel(int(m.group(1)), f.args[0])
        if name == "Gamma" and len(f.args) == 1:
            return sp.gamma(f.args[0])
        return f

    return expr.replace(lambda x: isinstance(x, AppliedUndef), fix)


def _sample_value(name: str, rng: random.Random) -> sp.Rational:
    """A test value for a free symbol: correlations in (0.1, 0.9), s in (1.1, 1.9), degrees and dimensions
    in (3.1, 7.9)."""
    first = _clean(name)[:1]
    if first == "s":  # s = 1 - t, and diagonals s_l >= 1
        return sp.Rational(rng.randint(110, 190), 100)
    if first in ("t", "u", "x", "y", "g", "S", "T", "q", "r", "c", "a", "b", "w", "v", "z", "A", "B"):
        return sp.Rational(rng.randint(10, 90), 100)
    return sp.Rational(rng.randint(310, 790), 100)


def round_trip(f: Formula, tol: float = 1e-10, points: int = 3) -> tuple[bool, str]:
    r"""Parse ``f.rhs`` back with SymPy's LaTeX parser and compare it with ``f.expr``.

    The parsed expression's names are mapped back (``\pi``, ``e``, ``\Gamma``, :math:`\kappa_n`); free
    symbols are matched by name (ignoring braces and spaces) and both sides are evaluated at ``points``
    random points (correlations in (0.1, 0.9), s in (1.1, 1.9), degrees and dimensions in (3.1, 7.9)) to
    30 digits; points where an argument leaves its domain are skipped.

    Returns
    -------
    (ok, detail) : (bool, str)

    Raises
    ------
    ImportError
        If SymPy's LaTeX parser is unusable (it needs ``antlr4-python3-runtime`` 4.11).
    """
    from sympy.parsing.latex import parse_latex
    from sympy.parsing.latex.errors import LaTeXParsingError

    try:
        parsed = parse_latex(f.rhs)
    except (LaTeXParsingError, TypeError, ValueError) as exc:
        return False, f"does not parse: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    if f.expr is None:
        return True, "parses (structural formula)"
    parsed = _normalize_parsed(parsed)
    ref = sp.sympify(f.expr)
    names = {}
    for s in ref.free_symbols | parsed.free_symbols:
        names.setdefault(_clean(s.name), []).append(s)
    missing = {_clean(s.name) for s in parsed.free_symbols} - {_clean(s.name) for s in ref.free_symbols}
    if missing:
        return False, f"parsed formula has unknown symbols {sorted(missing)}"
    rng = random.Random(zlib.crc32(f.rhs.encode()))
    worst, done, last = 0.0, 0, ""
    wanted = points if names else 1
    for _ in range(10 * wanted):  # points where an argument leaves the domain (|u| > 1) are skipped
        vals = {key: _sample_value(key, rng) for key in names}
        sub = {s: vals[key] for key, syms in names.items() for s in syms}
        try:
            a = complex(sp.N(parsed.xreplace(sub), 30))
            b = complex(sp.N(ref.xreplace(sub), 30))
        except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
            last = f"{type(exc).__name__}: {exc}"
            continue
        if not (math.isfinite(abs(a)) and math.isfinite(abs(b))) or abs(b.imag) > 1e-20:
            last = f"non-finite or complex values {a} vs {b}"
            continue
        worst = max(worst, abs(a - b) / max(1.0, abs(b)))
        done += 1
        if done == wanted:
            break
    if done == 0:
        return False, f"cannot evaluate: {last}"
    return worst <= tol, f"max relative difference {worst:.2e}"


# ------------------------------------------------------------------------------------------------
# text
# ------------------------------------------------------------------------------------------------
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_UNICODE_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "ζ": r"\zeta",
    "η": r"\eta", "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi",
    "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\varphi", "χ": r"\chi",
    "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda",
    "Σ": r"\Sigma", "Φ": r"\Phi", "Ω": r"\Omega", "≥": r"\geq", "≤": r"\leq", "≈": r"\approx",
    "≠": r"\neq", "→": r"\to", "∞": r"\infty", "√": r"\surd", "·": r"\cdot", "×": r"\times",
    "±": r"\pm", "∓": r"\mp", "∈": r"\in", "⟨": r"\langle", "⟩": r"\rangle", "∑": r"\sum",
    "∫": r"\int", "∼": r"\sim", "≪": r"\ll", "≫": r"\gg", "∘": r"\circ", "′": r"'", "⊂": r"\subset",
    "ℓ": r"\ell", "∝": r"\propto", "∀": r"\forall", "⇒": r"\Rightarrow", "∂": r"\partial",
    "½": r"\tfrac12", "¼": r"\tfrac14", "⅓": r"\tfrac13", "²": r"^{2}", "³": r"^{3}", "¹": r"^{1}",
    "⁰": r"^{0}", "⁴": r"^{4}", "⁻": r"^{-}", "₀": r"_{0}", "₁": r"_{1}", "₂": r"_{2}", "₃": r"_{3}",
    "₊": r"_{+}", "₋": r"_{-}", "ₖ": r"_{k}", "ₙ": r"_{n}", "ₗ": r"_{l}",
}
_UNICODE_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\dots{}",
                 "−": "-", "é": r"\'e", "è": r"\`e", "ü": r"\"u", "ö": r"\"o", "ä": r"\"a", "ß": r"\ss{}",
                 "\u00a0": "~", "✓": r"$\checkmark$", "✗": r"$\times$"}


def tex_escape(text: Any) -> str:
    r"""Plain text (possibly with Greek letters and mathematical symbols) as LaTeX text for pdflatex.

    LaTeX's special characters are escaped; Greek letters and common symbols become inline math
    (κ → ``$\kappa$``); other non-ASCII characters are transliterated or dropped, so that the output
    compiles with a plain ``pdflatex`` and no unicode packages.

    Examples
    --------
    >>> tex_escape("μ_k ≥ 0 & 50%")
    '$\\mu$\\_k $\\geq$ 0 \\& 50\\%'
    """
    out = []
    for ch in str(text):
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE_MATH:
            out.append("$" + _UNICODE_MATH[ch] + "$")
        elif ch in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[ch])
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append("".join(_TEX_SPECIAL.get(c, c) for c in folded))
    return "".join(out)


def tex_mixed(text: str) -> str:
    r"""Plain text with inline math: the segments between ``$`` signs are kept as LaTeX, the rest goes
    through :func:`tex_escape` (an unbalanced ``$`` makes the whole text plain).

    Examples
    --------
    >>> tex_mixed("b_n for $n \\ge 2$")
    'b\\_n for $n \\ge 2$'
    """
    parts = str(text).split("$")
    if len(parts) % 2 == 0:
        return tex_escape(text)
    return "".join(tex_escape(p) if i % 2 == 0 else "$" + p + "$" for i, p in enumerate(parts))


# ------------------------------------------------------------------------------------------------
# a small document model
# ------------------------------------------------------------------------------------------------
@dataclass
class LatexBuilder:
    """Accumulates sections of text, formulas and tables, and renders them as amsmath LaTeX.

    Consecutive formulas are set in one ``align*`` environment.  Used by :func:`to_latex` and by the
    derivation modules (:mod:`symkernel.derivations`), so that their formulas can be parsed back too.
    """

    blocks: list = field(default_factory=list)

    def section(self, title: str, level: str = "subsection") -> None:
        self.blocks.append(("section", level, title))

    def text(self, text: str, raw: bool = False) -> None:
        """A paragraph: plain text with ``$...$`` inline math (:func:`tex_mixed`), or LaTeX when ``raw``."""
        self.blocks.append(("text", text if raw else tex_mixed(text)))

    def formula(self, lhs: str, value: Any = None, relation: str = "=", suffix: str = "", note: str = "",
                rhs: str | None = None) -> Formula:
        """Add a formula; its right-hand side is printed from ``value`` unless ``rhs`` is given."""
        f = formula(lhs, value, relation, suffix, note) if rhs is None else Formula(
            lhs, rhs, None if value is None else sp.sympify(value), relation, suffix, note)
        self.blocks.append(("formula", f))
        return f

    def add(self, f: Formula) -> Formula:
        self.blocks.append(("formula", f))
        return f

    def table(self, rows: Sequence[Sequence[Any]], caption: str = "") -> None:
        """A table of plain-text cells (the first row is the header); ``longtable`` beyond
        :data:`LONG_TABLE_ROWS` rows so that it breaks across pages."""
        if not rows:
            return
        ncol = max(len(r) for r in rows)
        width = sum(max(len(str(r[i])) if i < len(r) else 0 for r in rows) for i in range(ncol))
        size = r"\normalsize" if width <= 60 else r"\small" if width <= 80 else r"\scriptsize" \
            if width <= 120 else r"\tiny"
        body = [" & ".join([tex_escape(c) for c in row] + [""] * (ncol - len(row))) for row in rows]
        self.blocks.append(("text", _tabular("l" * ncol, ncol, body, size, caption)))

    def checks_table(self, checks: Sequence[Check]) -> None:
        """The checks: name, pass/FAIL and the numbers behind each."""
        rows = [["check", "result", "numbers"]]
        rows += [[c.name, "pass" if c.passed else "FAIL", c.detail] for c in checks]
        body = [r"\raggedright " + tex_escape(a) + " & " + tex_escape(b) + r" & \raggedright " + tex_escape(c)
                for a, b, c in rows]
        self.blocks.append(("text", _tabular(r"p{0.40\linewidth}lp{0.44\linewidth}", 3, body, r"\small")))

    def formulas(self) -> list[Formula]:
        return [b[1] for b in self.blocks if b[0] == "formula"]

    def render(self) -> str:
        out: list[str] = []
        group: list[Formula] = []

        def flush():
            if not group:
                return
            if len(group) == 1:
                out.append(r"\begin{equation*}" + "\n" + group[0].latex() + "\n" + r"\end{equation*}")
            else:
                out.append(r"\begin{align*}" + "\n" + " \\\\\n".join(f.latex(align=True) for f in group)
                           + "\n" + r"\end{align*}")
            group.clear()

        for b in self.blocks:
            if b[0] == "formula":
                group.append(b[1])
                continue
            flush()
            if b[0] == "section":
                out.append("\\" + b[1] + "*{" + tex_escape(b[2]) + "}")
            else:
                out.append(b[1])
        flush()
        return "\n\n".join(out) + "\n"


#: tables with more rows than this are set with ``longtable`` (they break across pages)
LONG_TABLE_ROWS = 25


def _tabular(spec: str, ncol: int, rows: list[str], size: str, caption: str = "") -> str:
    """A table from LaTeX rows (first = header); ``longtable`` when long.  Rows end with
    ``\\tabularnewline`` (safe after ``\\raggedright``)."""
    long = len(rows) > LONG_TABLE_ROWS
    out = ["{" + size, r"\setlength{\tabcolsep}{3pt}"]
    out.append((r"\begin{longtable}{" if long else "\\begin{center}\n\\begin{tabular}{") + spec + "}")
    out += [r"\hline", rows[0] + r" \tabularnewline", r"\hline"]
    if long:
        out += [r"\endhead"]
    out += [r + r" \tabularnewline" for r in rows[1:]]
    out.append(r"\hline")
    if long:
        if caption:
            out.append(r"\multicolumn{" + str(ncol) + "}{l}{" + tex_escape(caption) + r"} \tabularnewline")
        out.append(r"\end{longtable}")
    else:
        out.append(r"\end{tabular}")
        if caption:
            out.append(r"\\[2pt] {\small " + tex_escape(caption) + "}")
        out.append(r"\end{center}")
    out.append("}")
    return "\n".join(out)


def gather(*rows: str) -> str:
    r"""Rows of display math set in one ``gather*`` environment (one row per argument, separated by ``\\``).

    For the hand-written summaries of the derivation reports; formulas that should parse back go through
    :class:`LatexBuilder` instead.

    Examples
    --------
    >>> print(gather("a = b", "c = d"))
    \begin{gather*}
    a = b \\
    c = d
    \end{gather*}
    """
    return "\\begin{gather*}\n" + " \\\\\n".join(rows) + "\n\\end{gather*}"


def latex_document(body: str, title: str = "symkernel", author: str = "") -> str:
    r"""Wrap a snippet in a complete document (``article``, amsmath, amssymb, graphicx, longtable) for
    pdflatex.

    ``title`` is plain text with optional ``$...$`` inline math (:func:`tex_mixed`).
    """
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage{amssymb}",
        r"\usepackage{graphicx}",
        r"\usepackage{longtable}",
        r"\allowdisplaybreaks",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{4pt}",
        r"\title{" + tex_mixed(title) + "}",
        r"\author{" + tex_mixed(author) + "}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        body.rstrip("\n"),
        r"\end{document}",
        "",
    ])


# ------------------------------------------------------------------------------------------------
# the export of a kernel
# ------------------------------------------------------------------------------------------------
@dataclass
class LatexExport:
    """The result of :func:`export`: the document model, the checks that were run, and renderers."""

    kernel_name: str
    builder: LatexBuilder
    checks: list[Check]
    dim: int | None

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def formulas(self) -> list[Formula]:
        """Every displayed formula (for :func:`round_trip`)."""
        return self.builder.formulas()

    def snippet(self) -> str:
        return self.builder.render()

    def document(self) -> str:
        title = f"symkernel: {self.kernel_name}"
        if self.dim is not None:
            title += f" on $S^{{{self.dim - 1}}}$"
        return latex_document(self.snippet(), title=title)


def _check_sections(sections: Any) -> tuple[str, ...]:
    if isinstance(sections, str):
        sections = [s.strip() for s in sections.split(",") if s.strip()]
    sections = tuple(sections)
    bad = [s for s in sections if s not in SECTIONS]
    if bad or not sections:
        raise ParameterError("sections", ",".join(bad) if bad else "", f"a non-empty subset of "
                             f"{', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in sections)


def export(K, dim: int | None = None, coefficients: int = 8, sections: Sequence[str] = SECTIONS
           ) -> LatexExport:
    """Build the LaTeX export of a kernel (see :func:`to_latex`) and return it with its checks."""
    from .kernel import Kernel

    if not isinstance(K, Kernel):
        raise ParameterError("kernel", K, "a symkernel Kernel (e.g. sk.fc(2, 'ntk'))")
    if dim is not None:
        dim = check_int("dim", dim, 2, 10_000)
    coefficients = check_int("coefficients", coefficients, 1, 40)
    sections = _check_sections(sections)
    run_checks = "checks" in sections
    b = LatexBuilder()
    checks: list[Check] = []
    univariate = len(K.inputs) <= 1
    noted = False
    for key in sections:
        if key == "checks" or (not univariate and key not in ("kernel", "recursion") and noted):
            continue
        own = univariate or key in ("kernel", "recursion")
        b.section(_TITLES[key] if own else "Series, spectrum, asymptotics")
        if key == "kernel":
            _kernel_section(b, K)
        elif key == "recursion":
            _recursion_section(b, K)
        elif not univariate:
            noted = True
            b.text(f"{K.name} is a multi-dot-product kernel of the inputs {', '.join(K.inputs)}: the "
                   "univariate series, spectrum, asymptotics and bounds do not apply (see the multisphere "
                   "spectrum).")
        elif key == "series":
            _series_section(b, K, coefficients, checks if run_checks else None)
        elif key == "spectrum":
            _spectrum_section(b, K, dim, coefficients, checks if run_checks else None)
        elif key == "asymptotics":
            _asymptotics_section(b, K, dim, checks if run_checks else None)
        elif key == "bounds":
            _bounds_section(b, K, dim, checks if run_checks else None)
    if run_checks:
        b.section(_TITLES["checks"])
        if checks:
            b.text(f"{sum(c.passed for c in checks)} of {len(checks)} checks passed. Each compares two "
                   "independent routes (exact against numeric, series against closed form, singular "
                   "expansion against the kernel's values, asymptotic expansion against quadrature).")
            b.checks_table(checks)
        else:
            b.text("No numerical checks apply to the sections requested.")
    return LatexExport(K.name, b, checks, dim)


def to_latex(K, dim: int | None = None, coefficients: int = 8, document: bool = False,
             sections: Sequence[str] = SECTIONS) -> str:
    r"""LaTeX of a kernel's derivation: an amsmath snippet, or a complete document.

    Parameters
    ----------
    K : symkernel.Kernel
        For example ``sk.fc(3, "ntk")``.
    dim : int, optional
        d ≥ 2: the sphere :math:`S^{d-1} \subset \mathbb{R}^d` of the spectrum and eigenvalue asymptotics;
        without it those parts are omitted (the dimension-free parts of the asymptotics are kept).
    coefficients : int
        Number of Maclaurin coefficients :math:`b_0, \dots` to show (1..40); also the number of
        eigenvalues.
    document : bool
        Return a complete document (``\documentclass{article}``, amsmath, amssymb) that compiles with
        pdflatex (:func:`compile_pdf`).
    sections : sequence of str
        A subset of :data:`SECTIONS` = ``("kernel", "recursion", "series", "spectrum", "asymptotics",
        "bounds", "checks")``.  The numerical checks are computed only when ``"checks"`` is included.

    Returns
    -------
    str
        A snippet needs ``amsmath`` and ``amssymb`` (and ``longtable`` for tables of more than
        :data:`LONG_TABLE_ROWS` rows); the document loads them.

    Notes
    -----
    * **kernel**: the definition, :math:`K(t)` with :math:`\kappa_0, \kappa_1` of Cho & Saul (2009), and
      the conventions (depth counting, normalisation, which layers are trained, biases);
    * **recursion**: the layer recursion (SPEC §3; Jacot et al. 2018), obtained by applying the
      architecture's own recursion (:mod:`symkernel.architectures.recursion`) to symbols, so that it is
      the one the kernel is computed from; and the kernel's description as a straight-line program over
      :math:`\kappa_n`;
    * **series**: exact :math:`b_n` (decimal when the exact form involves nested constants too long to
      print);
    * **spectrum**: the Funk–Hecke eigenvalues, closed forms for the two-layer kernels (Bietti & Mairal
      2019; Cao et al. 2019), the first :math:`\mu_k` with multiplicities (needs :mod:`symkernel.spectrum`);
    * **asymptotics**: the Puiseux expansions at :math:`\pm1`, :math:`c_\pm`, :math:`\nu`, the exponent
      :math:`p = d - 1 + 2\nu` and the constants (Flajolet & Odlyzko 1990; Bietti & Bach 2021);
    * **bounds**: :math:`A k^{-p} \le \mu_k \le B k^{-p}` for :math:`k \ge k_0` (needs
      :mod:`symkernel.bounds`);
    * **checks**: series against the closed form at :math:`t = 1/2`, :math:`b_n \ge 0`, exact against
      numeric coefficients, :math:`c_\pm` against the kernel's values near :math:`\pm1`, closed-form
      eigenvalues against quadrature, and :math:`\mu_k` against its asymptotic expansion at k = 200.

    Examples
    --------
    >>> import symkernel as sk
    >>> tex = to_latex(sk.fc(1, "ntk"), sections=("kernel", "series"), coefficients=4)
    >>> r"b_{2} &= \frac{3}{2 \pi}" in tex
    True
    """
    ex = export(K, dim=dim, coefficients=coefficients, sections=sections)
    return ex.document() if document else ex.snippet()


# ------------------------------------------------------------------------------------------------
# sections
# ------------------------------------------------------------------------------------------------
_t = sp.Symbol("t", real=True)
_u = sp.Symbol("u", real=True)
_k = sp.Symbol("k", integer=True, nonnegative=True)
_n = sp.Symbol("n", integer=True, nonnegative=True)
_d = sp.Symbol("d", integer=True, positive=True)
_s = sp.Symbol("s", positive=True)


def _kappa_orders(K) -> list[int]:
    from .algebra import postorder

    return sorted({node.data for node in postorder(K.node) if node.op == "kappa"})


def _info_text(K) -> list[str]:
    info = K.info or {}
    arch = info.get("arch")
    lines = []
    if arch == "fc":
        L = info.get("depth")
        kind = info.get("kind", "ntk")
        kind_text = "neural tangent kernel (NTK)" if kind == "ntk" else "Gaussian-process kernel (NNGP)"
        lines.append(
            f"{K.name}: the {kind_text} of an infinitely wide fully connected ReLU network with $L = {L}$ "
            "hidden layers, He initialisation (weight variance 2/fan-in) in the NTK parameterisation, "
            r"inputs $x, x'$ on the unit sphere and $t = \langle x, x'\rangle$.")
        lines.append("Depth convention: depth $= L =$ number of hidden ReLU layers (the network has $L + 1$ "
                     "Dense layers; Bietti & Bach 2021 count $L + 1$ layers).")
        bias = info.get("bias") or []
        if any(sp.sympify(x) != 0 for x in bias):
            lines.append(r"Bias standard deviations $\beta_1, \dots, \beta_{L+1}$ of the Dense layers "
                         "(neural-tangents b_std): " + ", ".join(bias) + ".")
        else:
            lines.append("No biases.")
        if kind == "ntk":
            w = info.get("layer_weights") or []
            if all(sp.sympify(x) == 1 for x in w):
                lines.append("Training: every layer is trained (all $L + 1$ Dense layers contribute to the "
                             "NTK with weight 1).")
            else:
                lines.append(r"Training: the $L + 1$ Dense layers contribute to the NTK with weights "
                             r"$w_1, \dots, w_{L+1}$ = " + ", ".join(w) + " (0 = not trained).")
        lines.append("Normalisation: " + ("divided by $K(1)$, so that $K(1) = 1$." if info.get("normalized")
                                          else "none ($K(1)$ as given below)."))
    elif arch == "laplace":
        lines.append(f"{K.name}: the Laplace kernel $e^{{-c\\sqrt{{1-t}}}} = e^{{-(c/\\sqrt2)\\|x - x'\\|}}$"
                     r" on the unit sphere, $t = \langle x, x'\rangle$, for comparison "
                     "(Geifman et al. 2020).")
    elif arch == "gaussian":
        lines.append(f"{K.name}: the Gaussian kernel $e^{{-c(1-t)}}$ on the unit sphere, "
                     r"$t = \langle x, x'\rangle$.")
    elif arch == "arccos":
        lines.append(f"{K.name}: the arc-cosine kernel of Cho & Saul (2009), normalised to 1 at $t = 1$.")
    else:
        lines.append(f"{K.name}.")
        skip = {"arch"}
        items = [f"{k} = {v}" for k, v in info.items() if k not in skip and not isinstance(v, dict)]
        if items:
            lines.append("Conventions: " + "; ".join(items) + ".")
    return lines


def _kernel_section(b: LatexBuilder, K) -> None:
    for line in _info_text(K):
        b.text(line)
    orders = _kappa_orders(K)
    if orders:
        b.text(r"Arc-cosine kernels (Cho & Saul 2009), for $u \in [-1, 1]$, with $\kappa_n(1) = 1$:")
        from .arccos import kappa_expr

        for n in orders:
            e = _kappa_explicit(n) if n <= 1 else kappa_expr(n)
            b.formula(r"\kappa_{" + str(n) + r"}\left(u\right)", e.subs({x: _u for x in e.free_symbols}))
    expr = K.expr_compact
    lhs = "K(t)" if len(K.inputs) <= 1 else "K(" + ", ".join(K.inputs) + ")"
    tex = latex_expr(expr)
    if len(tex) <= MAX_KERNEL_CHARS:
        b.add(Formula(lhs, tex, expr))
    else:
        b.text(f"The exact expression of $K$ has {len(tex)} characters of LaTeX; it is given by the "
               "recursion below.")
    b.formula(lhs.replace("t", "1") if len(K.inputs) <= 1 else "K(1, \\dots, 1)", K.diagonal)


def _kappa_explicit(n: int) -> sp.Expr:
    if n == 0:
        return (sp.pi - sp.acos(_u)) / sp.pi
    return (sp.sqrt(1 - _u**2) + (sp.pi - sp.acos(_u)) * _u) / sp.pi


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _recursion_section(b: LatexBuilder, K) -> None:
    from .architectures.recursion import recursion_of

    rec = recursion_of(K)
    if rec is not None:
        _display_recursion(b, rec)
    _program(b, K)


def _indexed(base: str, index: Any) -> sp.Symbol:
    """The symbol ``base_{index}`` (printed as :math:`\\Sigma_{l-1}`, :math:`\\beta_{1}` ...)."""
    return _sym(f"{base}_{{{index}}}")


def _layer_index(offset: int, layer: str = "l") -> str:
    """``l``, ``l-1``, ``l+1`` (or with ``L``)."""
    return layer if offset == 0 else f"{layer}{offset:+d}"


@dataclass(frozen=True)
class RecursionEquations:
    r"""The displayed form of a :class:`~symkernel.architectures.recursion.Recursion`.

    Obtained by applying the recursion's own assignments to SymPy symbols (nothing is retyped): the
    initial state, one layer from the index ``l - 1`` to ``l`` (or ``l`` to ``l + 1``), the output, and
    the parameters that are displayed by their symbols (with their values per layer, or their one value when
    it is the same in every layer; such a symbol carries no layer index).  A parameter equal to its default
    in every layer is replaced by that value, and a state variable that a layer leaves unchanged (the
    diagonal :math:`s_l` without biases) by its initial value.
    """

    initial: tuple[tuple[sp.Symbol, sp.Expr], ...]
    layer: tuple[tuple[sp.Symbol, sp.Expr], ...]
    output: sp.Expr
    params: tuple[tuple[str, list], ...]


def recursion_equations(rec) -> RecursionEquations:
    """The equations of a layer recursion, as SymPy relations (see :class:`RecursionEquations`)."""
    names = list(rec.params[0])
    shown = [n for n in names if n not in rec.defaults or any(p[n] != rec.defaults[n] for p in rec.params)]
    uniform = {n for n in shown if all(p[n] == rec.params[0][n] for p in rec.params)}

    def params_at(index):  # a parameter that is the same in every layer carries no index
        return {n: (_sym(rec.symbols[n]) if n in uniform else _indexed(rec.symbols[n], index)) if n in shown
                else rec.defaults[n] for n in names}

    init = rec.assign(rec.initial, {"t": _t}, params_at(rec.param_offset), ArcCosKernel)
    old = {var: _indexed(rec.symbols[var], _layer_index(rec.first - 1)) for var, _ in rec.layer}
    new = {var: _indexed(rec.symbols[var], _layer_index(rec.first)) for var, _ in rec.layer}
    p = params_at(_layer_index(rec.param_offset))
    step = {var: f(old, new, p, ArcCosKernel) for var, f in rec.layer}
    last = {"t": _t, **{var: _indexed(rec.symbols[var], rec.first + rec.depth) for var, _ in rec.layer}}
    output = rec.output(last) if callable(rec.output) else last[rec.output]
    for var in [v for v in step if v != rec.output and step[v] == old[v]]:  # constant: its initial value
        value = init.pop(var)
        del step[var]
        step = {v: e.subs({old[var]: value, new[var]: value}) for v, e in step.items()}
        output = output.subs(last[var], value)
    return RecursionEquations(
        initial=tuple((_indexed(rec.symbols[v], rec.first), e) for v, e in init.items()),
        layer=tuple((new[v], e) for v, e in step.items()), output=output,
        params=tuple((n, [rec.params[0][n]] if n in uniform else [q[n] for q in rec.params]) for n in shown))


def _display_recursion(b: LatexBuilder, rec) -> None:
    eq = recursion_equations(rec)
    b.text((rec.description or "Layer recursion") + r", for $l = 1, \dots, L$:")
    for lhs, rhs in eq.initial + eq.layer:
        b.formula(latex_expr(lhs), rhs)
    for name, values in eq.params:
        sym = rec.symbols[name]
        label = f": the {rec.labels[name]}" if name in rec.labels else ""
        if len(values) == 1:  # the same in every layer
            b.text(f"with ${latex_expr(_sym(sym))} = {latex_expr(values[0])}${label}.")
            continue
        lo, hi = _indexed(sym, rec.param_offset), _indexed(sym, _layer_index(rec.param_offset, "L"))
        b.text(f"with ${latex_expr(lo)}, \\dots, {latex_expr(hi)}$ = {', '.join(map(str, values))}{label}.")
    b.text(f"The kernel is the output after the last layer ($l = L = {rec.depth}$)"
           + (", divided by its value at $t = 1$:" if rec.normalized else ":"))
    b.formula("K(t)", eq.output)


def _program(b: LatexBuilder, K, max_steps: int = 40) -> None:
    """The description as a straight-line program: one assignment per arc-cosine node."""
    from .algebra import postorder

    nodes = postorder(K.node)
    kap = [n for n in nodes if n.op == "kappa"]
    if not kap:
        return
    if len(kap) > max_steps:
        b.text(f"The description has {len(kap)} arc-cosine nodes (shared sub-expressions stored once); "
               "the straight-line program is not displayed.")
        return
    b.text("The description, as evaluated by every interpreter (shared sub-expressions computed once; "
           "$g_j$ are the arc-cosine nodes):")
    counter = [0]

    def name_kappa(node, expr):
        counter[0] += 1
        g = _sym(f"g_{{{counter[0]}}}")
        b.formula(f"g_{{{counter[0]}}}", expr)
        return g

    b.formula("K", symbolic(K.node, compact=True, kappa_hook=name_kappa))


def _ctx(dps: int = 50):
    from .interpret.numeric import dps_to_bits, mp_context

    return mp_context(dps_to_bits(dps))


def _rel_diff(exact: sp.Expr, value: Any) -> float:
    """|exact - value| / max(|exact|, 1e-30), in 50-digit arithmetic."""
    ctx = _ctx()
    ref = ctx.convert(str(sp.N(exact, 50))) if exact != 0 else ctx.mpf(0)
    return float(abs(ref - ctx.convert(value)) / max(abs(ref), ctx.mpf(10) ** -30))


def _coefficient_values(K, N: int, checks: list | None):
    """Exact coefficients where printable, numeric ones (30 digits) always."""
    num = K.coefficients(max(N, 120 if checks is not None else N), dps=30)
    exact, defs = K.exact_coefficients(N, keep_constants=True)
    if defs:
        if len(defs) <= 16:  # substitution stays cheap (depth 2: 10 definitions, 0.1 s)
            # later definitions refer to earlier symbols: substitute from the last one back
            for sym, val in reversed(defs):
                exact = [c.subs(sym, val) if sym in c.free_symbols else c for c in exact]
        else:
            exact = [c if not c.free_symbols else None for c in exact]
    return exact, num


def _series_section(b: LatexBuilder, K, N: int, checks: list | None) -> None:
    b.text(f"Maclaurin coefficients of $K(t) = \\sum_n b_n t^n$, $n = 0, \\dots, {N - 1}$: exact where the "
           "exact form is short; otherwise decimal (30-digit arithmetic, 20 digits shown; exact forms with "
           "nested arc-cosine constants from K.exact_coefficients).")
    exact, num = _coefficient_values(K, N, checks)
    mismatch = 0.0
    for n in range(N):
        e = exact[n]
        if e is not None and not e.free_symbols and len(latex_expr(e)) <= 400:
            b.formula(f"b_{{{n}}}", e)
            if checks is not None:
                mismatch = max(mismatch, _rel_diff(e, num[n]))
        else:
            b.formula(f"b_{{{n}}}", num[n], relation=r"\approx")
    if checks is None:
        return
    checks.append(Check("exact b_n = numeric b_n", mismatch < 1e-25,
                        f"max relative difference {mismatch:.1e} over n < {N}"))
    M = len(num)
    neg = [n for n, c in enumerate(num) if c < 0]
    checks.append(Check(f"b_n >= 0 for n < {M} (Schoenberg)", not neg,
                        "all non-negative" if not neg else f"negative at n = {neg[:5]}"))
    ctx = _ctx()
    half = ctx.mpf(1) / 2
    partial = ctx.fsum(ctx.convert(c) * half**n for n, c in enumerate(num))
    value = ctx.convert(K(sp.Rational(1, 2), dps=30))
    diag = float(sp.N(K.diagonal))
    gap = float(value - partial)
    bound = diag * 2.0 ** (-M) + 1e-25
    ok = -1e-25 <= gap <= bound
    checks.append(Check("series at t = 1/2 = K(1/2)", ok,
                        f"K(1/2) - sum_(n<{M}) b_n 2^-n = {gap:.2e}, tail bound K(1) 2^-{M} = {bound:.1e}"))


def _spectrum_section(b: LatexBuilder, K, dim: int | None, N: int, checks: list | None) -> None:
    b.text(r"Funk--Hecke formula: on $S^{d-1}$ with the normalised uniform measure the spherical "
           r"harmonics of degree $k$ are eigenfunctions, with multiplicity $N(d, k)$ and eigenvalue "
           r"$\mu_k = c_d \int_{-1}^{1} K(t) P_k(t) (1 - t^2)^{(d-3)/2}\,dt$, $P_k(1) = 1$, "
           r"$c_d = \Gamma(d/2) / (\sqrt{\pi}\,\Gamma((d-1)/2))$. For the monomial $t^n$ "
           r"($n \ge k$, $n - k$ even; 0 otherwise):")
    mono = (sp.factorial(_n) * sp.gamma(_d / 2) * sp.gamma((_n - _k + 1) / 2)
            / (sp.factorial(_n - _k) * 2**_k * sp.sqrt(sp.pi) * sp.gamma((_n + _k + _d) / 2)))
    b.formula(r"\mu_k\left(t^n\right)", mono)
    b.text(r"so that $\mu_k = \sum_n b_n \mu_k(t^n)$, and $\sum_k N(d, k)\, \mu_k = K(1)$.")
    if dim is None:
        b.text("No dimension was given: the eigenvalues are not computed.")
        return
    try:
        from .spectrum import eigenvalues
    except ImportError:
        b.text("symkernel.spectrum is not available in this installation: eigenvalues omitted.")
        return
    from .spectrum.gegenbauer import multiplicities

    kmax = max(N - 1, 1)
    cf_values = None
    try:
        from .spectrum import closed_forms as cfm
    except ImportError:
        cfm = None
    name = cfm.closed_form_name(K) if cfm is not None else None
    if name is not None:
        cf = cfm.closed_form(name)
        b.text(f"Closed form ({cf.description}; Bietti & Mairal 2019, Cao et al. 2019), for every $d$:")
        if cf.even != 0:
            b.formula(r"\mu_k", cf.even, note="$k$ even" + (r", $k \ge 2$" if 0 in cf.special else ""))
        else:
            b.formula(r"\mu_k", 0, note=r"$k$ even, $k \ge 2$")
        if cf.odd != 0:
            b.formula(r"\mu_k", cf.odd, note="$k$ odd" + (r", $k \ge 3$" if 1 in cf.special else ""))
        else:
            b.formula(r"\mu_k", 0, note=r"$k$ odd, $k \ge 3$")
        for kk, v in sorted(cf.special.items()):
            b.formula(f"\\mu_{{{kk}}}", v)
        cf_values = cf.values(dim, kmax)
    res = eigenvalues(K, dim, kmax, dps=30)
    mult = multiplicities(dim, kmax)
    b.text(f"The first eigenvalues on $S^{{{dim - 1}}}$ ($d = {dim}$), with their multiplicities "
           "$N(d, k)$:")
    for kk in range(kmax + 1):
        v = cf_values[kk] if cf_values is not None else res.eigenvalues[kk]
        b.formula(f"\\mu_{{{kk}}}", v, relation="=" if cf_values is not None else r"\approx",
                  note=f"$N = {mult[kk]}$")
    if checks is None:
        return
    if cf_values is not None:
        worst = 0.0
        for kk in range(kmax + 1):
            worst = max(worst, _rel_diff(cf_values[kk], res.eigenvalues[kk]))
        checks.append(Check(f"closed-form mu_k = computed mu_k ({res.method}), k <= {kmax}", worst < 1e-25,
                            f"max relative difference {worst:.1e}"))
    negs = [kk for kk, v in enumerate(res.eigenvalues) if v < 0]
    checks.append(Check(f"mu_k >= 0, k <= {kmax}", not negs,
                        "all non-negative" if not negs else f"negative at k = {negs}"))


def _asymptotics_section(b: LatexBuilder, K, dim: int | None, checks: list | None) -> None:
    from .asymptotics import asymptotics, eigenvalue_constant_formula
    from .interpret.singular import puiseux

    b.text("Singular expansions at $t = 1$ and $t = -1$ (Puiseux series in $s$, derived through the "
           "composition; exact constants):")
    exps = {}
    for at in (1, -1):
        p = puiseux(K, at=at, order=sp.Rational(3, 2))
        exps[at] = p
        lhs = "K(1 - s)" if at == 1 else "K(-1 + s)"
        tail = latex_expr(_s ** (p.order + sp.Rational(1, p.ramification)))
        value, rel = p.expr(), "="
        if len(latex_expr(value)) > 700:  # nested constants: show the coefficients as decimals
            value = sp.Add(*[sp.Float(sp.N(c, 15), 12) * _s**e for e, c in p.terms()])
            rel = r"\approx"
        b.formula(lhs, value, relation=rel, suffix=r"+ O\left(" + tail + r"\right)")
    a = asymptotics(K, dim if dim is not None else 2)
    if a.nu is None:
        b.text("$K$ is analytic at $t = 1$ and $t = -1$: its coefficients and eigenvalues decay faster "
               "than any power.")
        return
    nu_sym = sp.Symbol("nu", positive=True)
    b.text(r"Leading singular terms, $K(1 - s) = P_+(s) + c_+ s^\nu + o(s^\nu)$ and "
           r"$K(-1 + s) = P_-(s) + c_- s^\nu + o(s^\nu)$, with polynomials $P_\pm$:")
    b.formula(r"\nu", a.nu)
    b.formula("c_{+}", a.c_plus)
    b.formula("c_{-}", a.c_minus)
    b.text(r"Transfer to the coefficients (Flajolet & Odlyzko 1990): $b_n \sim (c_+ + (-1)^n c_-)\, "
           r"n^{-\nu-1} / \Gamma(-\nu)$, that is:")
    for parity, c in (("even", a.coefficient_even), ("odd", a.coefficient_odd)):
        if c == 0:
            sign = "+" if parity == "even" else "-"
            b.formula(r"\frac{c_{+} " + sign + r" c_{-}}{\Gamma\left(-\nu\right)}", 0,
                      note=f"$n$ {parity}: the leading term vanishes")
        else:
            b.formula(r"\lim_{n \to \infty} n^{" + latex_expr(a.nu + 1) + "} b_n", c, note=f"$n$ {parity}")
    if a.note:
        b.text("Note: " + a.note + ".")
    if dim is None:
        b.text("No dimension was given: the eigenvalue asymptotics on $S^{d-1}$ are omitted.")
        return
    b.text(f"Transfer to the eigenvalues on $S^{{{dim - 1}}}$ (Bietti & Bach 2021): "
           r"$\mu_k \sim (c_+ + (-1)^k c_-)\, C(d, \nu)\, k^{-p}$, $p = d - 1 + 2\nu$, with $C(d, \nu)$ "
           r"derived from the exact eigenvalue of $(1 - t)^\nu$:")
    b.formula(r"C\left(d, \nu\right)", eigenvalue_constant_formula().subs(
        {sp.Symbol("nu", positive=True): nu_sym}))
    b.formula(r"C\left(" + f"{dim}, {latex_expr(a.nu)}" + r"\right)", a.constant)
    b.formula("p", a.exponent)
    for parity, c in (("even", a.constant_even), ("odd", a.constant_odd)):
        if c == 0:
            extra = ""
            if a.exact_zero_beyond is not None:
                extra = f"; $\\mu_k = 0$ exactly for {parity} $k > {max(a.exact_zero_beyond, 0)}$"
            sign = "+" if parity == "even" else "-"
            b.formula(r"\left(c_{+} " + sign + r" c_{-}\right) C\left(d, \nu\right)", 0,
                      note=f"$k$ {parity}: the leading term vanishes{extra}")
        else:
            b.formula(r"\lim_{k \to \infty} k^{" + latex_expr(a.exponent) + r"} \mu_k", c,
                      note=f"$k$ {parity}")
    if checks is None:
        return
    _singular_checks(K, a, exps, checks)
    _eigen_asymptotic_checks(b, K, a, dim, checks)


def _singular_checks(K, a, exps, checks: list) -> None:
    """c_± against the kernel's values near ±1: (K(±(1-s)) - other terms)/s^ν at s = 10^-24."""
    from .interpret.numeric import dps_to_bits, mp_context

    ctx = mp_context(dps_to_bits(80))
    s = ctx.mpf(10) ** -24
    for at, c in ((1, a.c_plus), (-1, a.c_minus)):
        p = exps[at]
        if c == 0 or a.nu is None:
            continue
        rest = 0
        for e, coef in p.terms():
            if e == a.nu:
                continue
            rest += ctx.convert(str(sp.N(coef, 60))) * ctx.power(s, ctx.convert(str(sp.N(e, 60))))
        t_exact = at * (1 - sp.Rational(1, 10**24))
        val = ctx.convert(K(t_exact, dps=70))
        est = (val - rest) / ctx.power(s, ctx.convert(str(sp.N(a.nu, 60))))
        ref = ctx.convert(str(sp.N(c, 60)))
        err = float(abs(est - ref) / abs(ref))
        checks.append(Check(f"c_{'+' if at == 1 else '-'} against K near t = {at:+d}", err < 1e-8,
                            f"(K - other terms)/s^nu at s = 1e-24: {mpmath.nstr(est, 12)} vs "
                            f"{mpmath.nstr(ref, 12)} (rel. diff. {err:.1e})"))


def _eigen_asymptotic_checks(b: LatexBuilder, K, a, dim: int, checks: list) -> None:
    try:
        from .spectrum import eigenvalues
    except ImportError:
        return
    from .asymptotics import eigenvalue_expansion

    kc = 200
    res = eigenvalues(K, dim, kc + 1, dps=20, method="quadrature")
    rows = [["k", "mu_k (quadrature)", "leading term", "ratio", "expansion to s^3", "rel. diff."]]
    worst = 0.0
    zero_ok = True
    for kk in (kc // 4, kc // 4 + 1, kc, kc + 1):
        mu = res.eigenvalues[kk]
        lead = a.eigenvalue(kk, dps=20)
        full = eigenvalue_expansion(K, dim, kk, order=3, dps=20)
        if lead == 0:
            if a.exact_zero_beyond is not None and kk > a.exact_zero_beyond:
                zero_ok &= mu == 0
            rows.append([str(kk), mpmath.nstr(mu, 8), "0", "-", mpmath.nstr(full, 8), "-"])
            continue
        diff = float(abs(mu / full - 1)) if full else float("inf")
        if kk >= kc:
            worst = max(worst, diff)
        rows.append([str(kk), mpmath.nstr(mu, 10), mpmath.nstr(lead, 10), mpmath.nstr(mu / lead, 6),
                     mpmath.nstr(full, 10), f"{diff:.1e}"])
    b.text(f"Computed eigenvalues (Gauss--Legendre in the angle, 20 digits) against the leading term and "
           f"against the asymptotic expansion from every singular term up to $s^3$ (exact Gamma ratios), on "
           f"$S^{{{dim - 1}}}$:")
    b.table(rows)
    checks.append(Check(f"mu_k = asymptotic expansion at k = {kc}, {kc + 1} (d = {dim})", worst < 1e-6,
                        f"max relative difference {worst:.1e}"))
    if a.exact_zero_beyond is not None:
        checks.append(Check(f"exact zeros of the {a.vanishing_parity} class (quadrature)", zero_ok,
                            f"mu_k = 0 for {a.vanishing_parity} k > {max(a.exact_zero_beyond, 0)}"))


def _bounds_section(b: LatexBuilder, K, dim: int | None, checks: list | None) -> None:
    try:
        from .bounds import certified_bounds
    except ImportError:
        b.text("Certified bounds: symkernel.bounds is not available in this installation.")
        return
    if dim is None:
        b.text("No dimension was given: certified bounds are omitted.")
        return
    from .asymptotics import asymptotics

    if asymptotics(K, dim).nu is None:
        b.text("$K$ is analytic at $t = 1$ and $t = -1$: no power-law bounds apply.")
        return
    cb = certified_bounds(K, dim)
    info = cb.as_dict(dps=8)  # A rounded down, B rounded up
    b.text(f"Certified bounds on $S^{{{dim - 1}}}$, proved in ball arithmetic from an explicit bound of the "
           f"remainder after the singular terms (order $m = {cb.order}$; symkernel.bounds): for every "
           r"$k \ge k_0$ of the parity class, $A k^{-p} \le \mu_k \le B k^{-p}$ ($A$ rounded down, $B$ up).")
    rows = [["parity", "status", "p", "k_0", "A", "B", "limit of k^p mu_k"]]
    for pb in (cb.even, cb.odd):
        d = info[pb.parity]
        rows.append([pb.parity, pb.status, d["exponent"] if pb.status == "bounded" else "-",
                     str(pb.k0) if pb.k0 is not None else "-", d["A"] or "-", d["B"] or "-",
                     d["limit"] or "-"])
        if pb.status == "bounded":
            kp = _k ** pb.exponent
            b.add(Formula(latex_expr(sp.Float(d["A"], 8) / kp), latex_expr(sp.Symbol("mu_k")), None,
                          r"\le", suffix=r"\le " + latex_expr(sp.Float(d["B"], 8) / kp),
                          note=f"$k$ {pb.parity}, $k \\ge {pb.k0}$"))
        elif pb.status == "zero":
            b.formula(r"\mu_k", 0, note=f"$k$ {pb.parity}, $k \\ge {pb.k0}$")
        else:
            b.text(f"{pb.parity} $k$: not certified ({pb.note}).")
    b.table(rows)
    if checks is None:
        return
    try:
        from .spectrum import eigenvalues
    except ImportError:
        return
    kmax = 201
    res = eigenvalues(K, dim, kmax, dps=20, method="quadrature")
    bad = cb.check(res.eigenvalues)
    covered = [k for k in range(kmax + 1) if cb.parity(k).k0 is not None and k >= cb.parity(k).k0]
    detail = f"{len(covered)} eigenvalues inside the bounds" if not bad else f"violated at k = {bad[:5]}"
    checks.append(Check(f"certified bounds hold for the computed mu_k, k <= {kmax}",
                        not bad and bool(covered), detail))


# ------------------------------------------------------------------------------------------------
# reports and pdflatex
# ------------------------------------------------------------------------------------------------
def report_to_latex(report, document: bool = False, include_figures: bool = True) -> str:
    r"""LaTeX of a derivation :class:`~symkernel.report.Report`: claim, source, status, table, the
    derivation's own LaTeX, the checks with their numbers, notes and figures.

    Parameters
    ----------
    report : symkernel.report.Report
    document : bool
        A complete document (:func:`latex_document`) rather than a snippet.
    include_figures : bool
        ``\includegraphics`` the report's PNG/PDF/JPG figures that exist (needs graphicx, loaded by
        :func:`latex_document`).
    """
    b = LatexBuilder()
    status = "all checks pass" if report.passed else "SOME CHECKS FAIL"
    b.section(f"{report.name}: {status}", level="section")
    b.text(r"\textbf{Claim.} " + tex_escape(report.claim), raw=True)
    b.text(r"\textbf{Source.} " + tex_escape(report.source), raw=True)
    if report.latex:
        b.section("Derivation")
        b.text(report.latex, raw=True)
    if report.table:
        b.section("Table")
        b.table(report.table)
    b.section("Checks")
    if report.checks:
        b.checks_table(report.checks)
    else:
        b.text("No checks were recorded.")
    for note in report.notes:
        b.text(r"\textit{Note.} " + tex_escape(note), raw=True)
    if include_figures:
        for fig in report.figures:
            path = Path(fig)
            if path.suffix.lower() in (".png", ".pdf", ".jpg", ".jpeg") and path.exists():
                b.text("\\begin{center}\n\\includegraphics[width=0.8\\linewidth]{"
                       + path.resolve().as_posix() + "}\n\\end{center}", raw=True)
    body = b.render()
    return latex_document(body, title=f"symkernel verify {report.name}") if document else body


def pdflatex_available() -> bool:
    """Whether ``pdflatex`` is on PATH."""
    return shutil.which("pdflatex") is not None


def compile_pdf(tex_path: str | os.PathLike, outdir: str | os.PathLike | None = None,
                timeout: float = 120) -> Path:
    """Compile a LaTeX document with ``pdflatex`` and return the path of the PDF.

    Parameters
    ----------
    tex_path : path
        A complete document (``to_latex(..., document=True)`` written to a file).
    outdir : path, optional
        Where the PDF goes (default: next to ``tex_path``); auxiliary files are written to a temporary
        directory.
    timeout : float
        Seconds before pdflatex is stopped.

    Raises
    ------
    LatexError
        If pdflatex is not on PATH (Debian: ``apt-get install texlive-latex-base``), or the document does
        not compile (the message quotes the first error of the log).
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise LatexError("pdflatex not found on PATH: install a TeX distribution (Debian/Ubuntu: apt-get "
                         "install texlive-latex-base) or compile the .tex file elsewhere")
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise ParameterError("tex_path", str(tex_path), "an existing .tex file")
    out = Path(outdir).resolve() if outdir is not None else tex_path.parent
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="symkernel-tex-") as tmp:
        cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               f"-output-directory={tmp}", str(tex_path)]
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise LatexError(f"pdflatex did not finish within {timeout:g} s") from None
        pdf = Path(tmp) / (tex_path.stem + ".pdf")
        if proc.returncode != 0 or not pdf.exists():
            log = (Path(tmp) / (tex_path.stem + ".log"))
            text = log.read_text(errors="replace") if log.exists() else proc.stdout
            lines = text.splitlines()
            first = next((i for i, line in enumerate(lines) if line.startswith("!")), None)
            msg = " | ".join(lines[first:first + 3]) if first is not None else (lines[-1] if lines else "")
            raise LatexError(f"pdflatex failed on {tex_path.name}: {msg.strip()}")
        target = out / pdf.name
        shutil.copyfile(pdf, target)
    return target
