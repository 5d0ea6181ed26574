"""LaTeX export: expected formulas, every formula parsed back, documents compiled, the ``latex`` command.

Every displayed formula is parsed back with SymPy's LaTeX parser (ANTLR; needs
``antlr4-python3-runtime==4.11.*``, in the ``test`` extra) and compared numerically with the SymPy
expression it was printed from (:func:`symkernel.latex.round_trip`).  When ``pdflatex`` is on PATH the
documents are compiled as well.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
import sympy as sp

import symkernel as sk
from symkernel import latex as lx
from symkernel.cli import main

HAVE_PDFLATEX = shutil.which("pdflatex") is not None


def _parser_ready():
    try:
        from sympy.parsing.latex import parse_latex

        parse_latex("x")
    except ImportError as exc:  # pragma: no cover - a missing test dependency must be loud
        pytest.fail(f"SymPy's LaTeX parser is unusable ({exc}): pip install 'antlr4-python3-runtime==4.11.*' "
                    "(part of symkernel[test])")


def _assert_round_trip(formulas):
    _parser_ready()
    assert formulas
    bad = []
    for f in formulas:
        ok, detail = lx.round_trip(f)
        if not ok:
            bad.append(f"{f.lhs} {f.relation} {f.rhs[:120]}: {detail}")
    assert not bad, "\n".join(bad)


def _balanced(tex: str) -> bool:
    begins = re.findall(r"\\begin\{([^}]*)\}", tex)
    ends = re.findall(r"\\end\{([^}]*)\}", tex)
    depth = 0
    for ch in tex.replace(r"\{", "").replace(r"\}", ""):
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0 and sorted(begins) == sorted(ends) and tex.count("$") % 2 == 0


# ------------------------------------------------------------------------------------------------
# expected formulas
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_fc_ntk_snippet_formulas(depth):
    K = sk.fc(depth, "ntk")
    tex = lx.to_latex(K, dim=3, sections=("kernel", "recursion", "asymptotics"))
    assert _balanced(tex)
    tex = tex.replace("&=", "=")  # aligned or single formulas
    assert r"\Sigma_{l} = \kappa_{1}\left(\Sigma_{l-1}\right)" in tex
    assert r"\Theta_{l} = \Sigma_{l} + \Theta_{l-1} \kappa_{0}\left(\Sigma_{l-1}\right)" in tex
    assert rf"K(t) = \Theta_{{{depth}}}" in tex
    assert rf"K(1) = {depth + 1}" in tex
    cp = -sp.Integer(depth * (depth + 1)) / (sp.sqrt(2) * sp.pi)
    assert "c_{+} = " + lx.latex_expr(cp) in tex
    assert r"\nu = \frac{1}{2}" in tex
    assert "p = 3" in tex
    assert "depth $= L =$ number of hidden ReLU layers" in tex
    assert "Bietti \\& Bach 2021 count $L + 1$ layers" in tex
    assert "every layer is trained" in tex
    if depth == 1:
        assert r"K(t) = t \kappa_{0}\left(t\right) + \kappa_{1}\left(t\right)" in tex
        assert r"\frac{c_{+} - c_{-}}{\Gamma\left(-\nu\right)} = 0" in tex  # odd coefficients vanish


def test_fc_nngp_and_conventions():
    K = sk.fc(2, "nngp", bias=sp.Rational(1, 2), normalize=True)
    tex = lx.to_latex(K, dim=4, sections=("kernel", "recursion", "asymptotics")).replace("&=", "=")
    assert r"\nu = \frac{3}{2}" in tex
    assert "p = 6" in tex
    assert "q_{l+1} = " in tex and r"\kappa_{1}\left(\frac{q_{l}}{s_{l}}\right)" in tex
    assert "1/2, 1/2, 1/2" in tex  # the biases
    assert "so that $K(1) = 1$" in tex
    K = sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1))
    tex = lx.to_latex(K, sections=("kernel", "recursion")).replace("&=", "=")
    assert r"\Theta_{0} = t w_{1}" in tex
    assert "weights $w_1, \\dots, w_{L+1}$ = 1/2, 1" in tex


def test_series_and_spectrum_two_layer():
    tex = lx.to_latex(sk.fc(1, "ntk"), dim=3, coefficients=6, sections=("series", "spectrum"))
    tex = tex.replace("&=", "=")
    for s in (r"b_{0} = \frac{1}{\pi}", r"b_{1} = 1", r"b_{2} = \frac{3}{2 \pi}", r"b_{3} = 0",
              r"b_{4} = \frac{5}{24 \pi}", r"\mu_{2} = \frac{5}{64}", r"\mu_{3} = 0",
              r"\mu_{1} = \frac{1}{3}"):
        assert s in tex, s
    assert r"\mu_k\left(t^n\right) = " in tex


def test_document_structure():
    doc = lx.to_latex(sk.fc(2, "ntk"), dim=3, document=True, coefficients=4)
    assert doc.startswith(r"\documentclass")
    for s in (r"\usepackage{amsmath}", r"\usepackage{amssymb}", r"\begin{document}", r"\end{document}",
              r"\subsection*{Numerical checks}", r"\subsection*{Certified bounds}"):
        assert s in doc
    assert _balanced(doc)
    assert "FAIL" not in doc
    assert not re.search(r"[^\x00-\x7f]", doc), "pdflatex without unicode packages needs ASCII"


def test_sections_validated():
    with pytest.raises(sk.ParameterError, match="sections"):
        lx.to_latex(sk.fc(1), sections=("kernel", "nonsense"))
    with pytest.raises(sk.ParameterError, match="dim"):
        lx.to_latex(sk.fc(1), dim=1)
    with pytest.raises(sk.ParameterError, match="coefficients"):
        lx.to_latex(sk.fc(1), coefficients=0)
    with pytest.raises(sk.ParameterError, match="kernel"):
        lx.to_latex("fc")


def test_tex_escape():
    assert lx.tex_escape("a_b & 50% {x} #1 $") == r"a\_b \& 50\% \{x\} \#1 \$"
    assert lx.tex_escape("κ ≥ ½") == r"$\kappa$ $\geq$ $\tfrac12$"
    assert lx.tex_mixed(r"for $k \ge 2$ & more") == r"for $k \ge 2$ \& more"


# ------------------------------------------------------------------------------------------------
# every formula parses back
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, dim", [
    (lambda: sk.fc(1, "ntk"), 3),
    (lambda: sk.fc(3, "ntk"), 3),
    (lambda: sk.fc(2, "nngp", bias=sp.Rational(1, 2)), 5),
    (lambda: sk.fc(1, "ntk", layer_weights=(sp.Rational(1, 2), 1)), 2),
    (lambda: sk.laplace(2), 3),
], ids=["ntk1", "ntk3", "nngp2-bias", "cao", "laplace"])
def test_every_formula_round_trips_and_checks_pass(make, dim):
    ex = lx.export(make(), dim=dim, coefficients=6)
    _assert_round_trip(ex.formulas())
    assert ex.checks and ex.passed, [c for c in ex.checks if not c.passed]


def test_round_trip_can_fail():
    _parser_ready()
    t = sp.Symbol("t", real=True)
    good = lx.formula("K(t)", t * sp.acos(t) + sp.gamma(t + 2) ** 2 / sp.pi)
    assert lx.round_trip(good)[0]
    wrong = lx.Formula("K(t)", lx.latex_expr(t * sp.acos(t) + sp.gamma(t + 2) ** 2 / sp.pi), t * sp.acos(t))
    ok, detail = lx.round_trip(wrong)
    assert not ok and "difference" in detail
    unparsable = lx.Formula("K", r"\frac{1}{", sp.Integer(1))
    assert not lx.round_trip(unparsable)[0]
    # SymPy's own printer writes Gamma^2(x), which its parser misreads: the export's printer must not
    assert lx.latex_expr(sp.gamma(t) ** 2) == r"\left(\Gamma\left(t\right)\right)^{2}"
    assert not lx.round_trip(lx.Formula("x", sp.latex(sp.gamma(t) ** 2), sp.gamma(t) ** 2))[0]
    # a symbol followed by a parenthesis would be read as a function call
    u = sp.Symbol("u")
    assert lx.round_trip(lx.formula("y", u * (sp.pi - sp.acos(u))))[0]


def test_derivation_formulas_round_trip():
    from symkernel.derivations import ntk_vs_laplace, two_layer_spectrum

    _assert_round_trip(two_layer_spectrum.latex_builder().formulas())
    _assert_round_trip(ntk_vs_laplace.latex_builder().formulas())


# ------------------------------------------------------------------------------------------------
# pdflatex
# ------------------------------------------------------------------------------------------------
@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex not on PATH (CI installs texlive-latex-base)")
def test_documents_compile(tmp_path):
    tex = tmp_path / "ntk2.tex"
    tex.write_text(lx.to_latex(sk.fc(2, "ntk"), dim=3, document=True))
    pdf = lx.compile_pdf(tex)
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    from symkernel.derivations import ntk_vs_laplace

    report = ntk_vs_laplace.run(quick=True, outdir=str(tmp_path / "figs"))
    rtex = tmp_path / "report.tex"
    rtex.write_text(lx.report_to_latex(report, document=True))
    assert r"\includegraphics" in rtex.read_text()
    assert lx.compile_pdf(rtex, outdir=tmp_path / "out").exists()


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex not on PATH")
def test_compile_error_is_reported(tmp_path):
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}$\\frac{1}{$\\end{document}\n")
    with pytest.raises(lx.LatexError, match="pdflatex failed"):
        lx.compile_pdf(bad)


def test_compile_without_pdflatex(tmp_path, monkeypatch):
    monkeypatch.setattr(lx.shutil, "which", lambda name: None)
    tex = tmp_path / "x.tex"
    tex.write_text("\\documentclass{article}\\begin{document}x\\end{document}\n")
    with pytest.raises(lx.LatexError, match="pdflatex not found"):
        lx.compile_pdf(tex)


# ------------------------------------------------------------------------------------------------
# the command line
# ------------------------------------------------------------------------------------------------
def test_cli_snippet_and_json(capsys):
    assert main(["latex", "--depth", "1", "--sections", "kernel,series", "--coefficients", "3"]) == 0
    out = capsys.readouterr().out.replace("&=", "=")
    assert r"K(t) = t \kappa_{0}\left(t\right) + \kappa_{1}\left(t\right)" in out
    assert r"\documentclass" not in out
    assert main(["latex", "--depth", "2", "--sections", "kernel", "--json", "--document"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["latex"].startswith(r"\documentclass") and payload["passed"] is True


def test_cli_writes_file(tmp_path, capsys):
    out = tmp_path / "k.tex"
    assert main(["latex", "--depth", "1", "--sections", "kernel", "--document", "-o", str(out)]) == 0
    assert out.read_text().startswith(r"\documentclass")
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("argv, param", [
    (["--dim", "1"], "dim"),
    (["--dim", "three"], "dim"),
    (["--coefficients", "0"], "coefficients"),
    (["--sections", "kernel,foo"], "sections"),
    (["--depth", "0"], "depth"),
    (["--pdf"], "output"),
    (["-o", "/nonexistent-dir/x.tex"], "output"),
    (["-o", "x.pdf"], "output"),
    (["--derivation", "no-such-claim"], "derivation"),
])
def test_cli_errors_one_line_exit_2(argv, param, capsys):
    assert main(["latex", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and param in err and err.startswith("symkernel: error:")


def test_cli_pdf_without_pdflatex(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(lx.shutil, "which", lambda name: None)
    assert main(["latex", "--depth", "1", "--pdf", "-o", str(tmp_path / "k.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pdflatex not found" in err


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex not on PATH")
def test_cli_pdf(tmp_path, capsys):
    out = tmp_path / "k.pdf"
    assert main(["latex", "--depth", "1", "--dim", "3", "--pdf", "-o", str(out)]) == 0
    assert out.exists() and (tmp_path / "k.tex").exists()


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex not on PATH (CI installs texlive-latex-base)")
@pytest.mark.parametrize("name", sorted(__import__("symkernel.derivations", fromlist=["x"]).registry()))
def test_every_derivation_report_compiles(name, tmp_path):
    """The LaTeX of every derivation's report is accepted by pdflatex (a missing space after a
    control word such as \\qquad, or an unbalanced brace, fails here)."""
    from symkernel import derivations

    report = derivations.run(name, quick=True)
    tex = tmp_path / f"{name}.tex"
    tex.write_text(lx.report_to_latex(report, document=True, include_figures=False))
    assert lx.compile_pdf(tex, outdir=tmp_path).exists()


def test_asymptotic_constants_that_are_sums_are_parenthesised():
    """mu_k ~ (a + b) k^{-p}: a sum used as a factor is printed in parentheses."""
    from symkernel.asymptotics import _cases

    a, b = sp.Symbol("a"), sp.Symbol("b")
    out = _cases("k", a + b, a - b, sp.Integer(3))
    assert r"\left(a + b\right)\, k^{-3}" in out and r"\left(a - b\right)\, k^{-3}" in out
    assert r"2 a\, k^{-3}" in _cases("k", 2 * a, 2 * a, sp.Integer(3))


# ------------------------------------------------------------------------------------------------
# the displayed recursion is the computed one
# ------------------------------------------------------------------------------------------------
def _recursion_formulas(K):
    """The displayed layer equations (parsed back from their LaTeX) up to ``K(t) = ...``: a list of
    (left-hand name, right-hand SymPy expression) with names cleaned as ``Sigma_l-1``."""
    from sympy.parsing.latex import parse_latex

    out = []
    for f in lx.export(K, sections=("recursion",)).formulas():
        lhs = lx._clean(f.lhs)
        rhs = lx._normalize_parsed(parse_latex(f.rhs))
        out.append((lhs, rhs))
        if lhs == "K(t)":
            return out
    raise AssertionError("no 'K(t) = ...' formula in the recursion section")


def _iterate_displayed(K, t):
    """Evaluate the displayed recursion at ``t``: the initial equations, then the layer equations L times
    (previous-layer symbols bound to the previous values, this layer's to the values just computed), the
    parameter symbols bound to the recursion's per-layer values."""
    from symkernel.architectures.recursion import recursion_of

    rec = recursion_of(K)
    formulas = _recursion_formulas(K)
    names = {base: name for name, base in rec.symbols.items()}

    def index_of(name):
        base, _, index = name.partition("_")
        return base, index

    def bind(expr, values):
        return {s: values[lx._clean(s.name)] for s in expr.free_symbols}

    def value(rhs, values):  # exact while exact (all correlations are 1 at t = 1), else 40 digits
        v = rhs.xreplace(bind(rhs, values))
        return v if v.is_Rational else sp.N(v, 40)

    def params(j, index):  # a parameter that is the same in every layer is displayed without an index
        return {key: v for p, v in rec.params[j].items()
                for key in (f"{rec.symbols[p]}_{index}", rec.symbols[p])}

    *eqs, (_, out_sym) = formulas
    init = [(lhs, rhs) for lhs, rhs in eqs if index_of(lhs)[1] == str(rec.first)]
    layer = [(lhs, rhs) for lhs, rhs in eqs if "l" in index_of(lhs)[1]]
    assert len(init) + len(layer) == len(eqs) and layer, formulas
    new_index = index_of(layer[0][0])[1]  # "l" (Sigma_l from Sigma_l-1) or "l+1" (q_l+1 from q_l)
    old_index = "l" if new_index == "l+1" else "l-1"
    state = {}
    for lhs, rhs in init:
        values = {"t": t, **params(0, "1"), **{f"{b}_{rec.first}": v for b, v in state.items()}}
        state[index_of(lhs)[0]] = value(rhs, values)
    for j in range(1, rec.depth + 1):
        new = {}
        for lhs, rhs in layer:
            values = {**params(j, "l+1"), **{f"{b}_{old_index}": v for b, v in state.items()},
                      **{f"{b}_{new_index}": v for b, v in new.items()}}
            new[index_of(lhs)[0]] = value(rhs, values)
        state = new
    base, index = index_of(lx._clean(str(out_sym)))
    assert index == str(rec.first + rec.depth) and names[base] == rec.output
    return state[base]


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("options", [
    {"kind": "ntk"},
    {"kind": "nngp"},
    {"kind": "ntk", "bias": sp.Rational(1, 2)},
    {"kind": "nngp", "bias": 1, "normalize": True},
    {"kind": "ntk", "layer_weights": "cao"},
    {"kind": "ntk", "bias": "ramp", "layer_weights": "ramp", "normalize": True},
], ids=["ntk", "nngp", "ntk-bias", "nngp-bias-normalized", "ntk-weights", "ntk-per-layer"])
def test_displayed_recursion_evaluates_to_the_kernel(depth, options):
    """The recursion section's equations, parsed back from the LaTeX and iterated numerically, give K(t):
    the display is derived from the architecture's recursion, and a display that drifted from the
    description would fail here."""
    _parser_ready()
    opts = dict(options)
    if opts.get("layer_weights") == "cao":
        opts["layer_weights"] = [sp.Rational(1, 2)] + [1] * depth
    if opts.get("layer_weights") == "ramp":
        opts["layer_weights"] = [sp.Rational(j + 1, depth + 1) for j in range(depth + 1)]
    if opts.get("bias") == "ramp":
        opts["bias"] = [sp.Rational(j, 3) for j in range(depth + 1)]
    K = sk.fc(depth, **opts)
    scale = _iterate_displayed(K, sp.Integer(1)) if opts.get("normalize") else 1
    for t in (sp.Rational(-4, 5), sp.Rational(-1, 5), sp.Rational(3, 10), sp.Rational(9, 10)):
        shown = _iterate_displayed(K, t) / scale
        value = sp.Float(str(K(t, dps=30)), 30)
        assert abs(shown - value) < sp.Float(10) ** -25, (t, shown, value)


def test_displayed_recursion_notation():
    """Bias-free kernels in the notation of Jacot et al. (the constant diagonal s_l = 1 is substituted),
    biased ones with q_l, s_l; non-default parameters are listed with their values."""
    tex = lx.to_latex(sk.fc(2, "ntk", bias=[0, 1, 2]), sections=("recursion",)).replace("&=", "=")
    assert r"s_{l+1} = \beta_{l+1}^{2} + s_{l}" in tex
    assert r"\beta_{1}, \dots, \beta_{L+1}$ = 0, 1, 2" in tex and "w_{" not in tex
    tex = lx.to_latex(sk.fc(2, "nngp"), sections=("recursion",)).replace("&=", "=")
    assert r"\Sigma_{l} = \kappa_{1}\left(\Sigma_{l-1}\right)" in tex and "s_{" not in tex
    assert r"K(t) = \Sigma_{2}" in tex and r"\Theta" not in tex.split("The description")[0]
