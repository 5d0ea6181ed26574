"""Generate the notebooks of this folder with nbformat (reproducible; run ``python notebooks/_build.py``).

One notebook per derivation registered in :mod:`symkernel.derivations` (hand-written walk-throughs for
``two-layer-spectrum`` and ``ntk-vs-laplace``, a generic one for the others) plus ``getting_started``.
Parameters are in the first code cell; plots are inline.  The notebooks are stored without outputs;
``tests/test_notebooks.py`` executes every one of them headless (nbclient).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _nb(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str, parameters: bool = False):
    cell = new_code_cell(text.strip("\n"))
    if parameters:
        cell.metadata["tags"] = ["parameters"]
    return cell


#: the first lines of the import cell of the hand-written walk-throughs
WALKTHROUGH_IMPORTS = """
%matplotlib inline
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Image, Math, display
"""


def walkthrough_imports(more: str):
    """The import cell of a walk-through: :data:`WALKTHROUGH_IMPORTS`, then the notebook's own lines."""
    return code(WALKTHROUGH_IMPORTS.strip("\n") + "\n\n" + more.strip("\n"))


def verify_cell(module: str):
    """The cell that runs the derivation imported as ``module`` at the size ``QUICK`` of the parameters
    cell, prints its report, shows its figures and fails unless every check passes."""
    return code(f"""
outdir = tempfile.mkdtemp()
report = {module}.run(quick=QUICK, outdir=outdir)
print(report.text())
for fig in report.figures:
    display(Image(filename=fig))
assert report.passed
""")


def getting_started() -> nbformat.NotebookNode:
    return _nb([
        md("""
# Getting started with symkernel

The kernel of an infinitely wide ReLU network as an exact expression, its power series, its eigenvalues on
the sphere $S^{d-1}$, their asymptotics, and the LaTeX of the whole derivation.

Conventions: `depth` $L$ = number of hidden ReLU layers (Bietti & Bach count $L+1$ layers), He
initialisation, NTK parameterisation, every layer trained, inputs on the unit sphere, $t = \\langle x,
x'\\rangle$; the sphere carries the normalised uniform measure and $P_k(1) = 1$.
"""),
        code("""
# parameters
DEPTH = 3        # hidden ReLU layers
KIND = "ntk"     # "ntk" or "nngp"
DIM = 3          # the sphere S^{DIM-1} in R^DIM
KMAX = 200       # eigenvalues mu_0 .. mu_KMAX
DPS = 30         # decimal digits
""", parameters=True),
        code("""
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

import symkernel as sk

K = sk.fc(DEPTH, KIND)
print(K.name)
print(K.info["depth_convention"])
display(Math("K(t) = " + sp.latex(K.expr_compact)))
print("K(1) =", K.diagonal)
"""),
        md("## Values and power series\n$K(t) = \\sum_n b_n t^n$ with $b_n \\ge 0$ (Schoenberg)."),
        code("""
print("K(0.3) =", K("0.3", dps=DPS))
b = K.coefficients(12, dps=DPS)
for n, bn in enumerate(b[:6]):
    print(f"b_{n} = {bn}")
exact = K.exact_coefficients(3)
display(Math(r"b_0 = " + sp.latex(exact[0])))
"""),
        code("""
N = 400
coeffs = np.array([float(x) for x in K.coefficients(N, dps=20)])
n = np.arange(1, N)
plt.loglog(n, coeffs[1:], ".", ms=2)
plt.xlabel("n")
plt.ylabel("$b_n$")
plt.title(f"{K.name}: Maclaurin coefficients")
plt.show()
"""),
        md("## Eigenvalues on the sphere (Funk–Hecke)"),
        code("""
from symkernel.spectrum import eigenvalues

res = eigenvalues(K, dim=DIM, kmax=KMAX)          # float64, Gauss-Legendre in the angle
mu = np.asarray(res.eigenvalues, dtype=float)
print("mu_0..mu_5 =", mu[:6])
print("multiplicities N(d, k):", res.multiplicities[:6])
print("first eigenvalues to", DPS, "digits:", eigenvalues(K, dim=DIM, kmax=4, dps=DPS).strings())
"""),
        md("## Asymptotics: exponent and exact constants (singularity analysis)"),
        code("""
from symkernel.asymptotics import asymptotics

a = asymptotics(K, dim=DIM)
print(a)
print(a.note)
for key in ("expansion_plus", "expansion_minus", "constant"):
    display(Math(a.latex[key]))
k = np.arange(2, KMAX + 1)
p = float(a.exponent)
for parity, C in ((0, a.constant_even), (1, a.constant_odd)):
    sel = k[k % 2 == parity]
    if float(C) > 0:
        label = "k even" if parity == 0 else "k odd"
        plt.semilogx(sel, mu[sel] * sel.astype(float) ** p, ".", ms=3, label=label)
        plt.axhline(float(C), ls="--", lw=0.8)
plt.xlabel("k")
plt.ylabel(f"$k^{{{p:g}}} \\\\mu_k$")
plt.legend()
plt.title("convergence to the constants")
plt.show()
"""),
        md("## LaTeX of the derivation\n`symkernel latex --depth 3 --dim 3 --document` writes the same as a "
           "complete document; every formula parses back with SymPy's LaTeX parser."),
        code("""
from symkernel.latex import export

ex = export(K, dim=DIM, coefficients=6, sections=("kernel", "recursion", "series", "asymptotics", "checks"))
for f in ex.formulas()[:12]:
    display(Math(f.latex()))
print(f"{sum(c.passed for c in ex.checks)}/{len(ex.checks)} numerical checks passed")
print(ex.snippet()[:600])
"""),
    ])


def two_layer_spectrum() -> nbformat.NotebookNode:
    return _nb([
        md("""
# Two-layer NTK and NNGP: Gamma-function spectrum, parity, decay

Bietti & Mairal (2019), Cao et al. (2019).  For $K_w(t) = \\kappa_1(t) + w\\,t\\,\\kappa_0(t)$ ($w = 1$: NTK,
$w = 1/2$: Cao et al., $w = 0$: NNGP) on $S^{d-1}$: $\\mu_k = 0$ exactly for odd $k \\ge 3$, and
$\\mu_k \\sim C\\,k^{-d}$ (NTK) or $k^{-d-2}$ (NNGP).  Everything below is derived from the exact Maclaurin
coefficients and the monomial eigenvalues $\\mu_k(t^n)$ (SPEC §1), then checked against quadrature.
"""),
        code("""
# parameters
QUICK = True     # size of symkernel verify two-layer-spectrum
DIM = 3          # sphere S^{DIM-1}
KMAX = 60        # eigenvalues shown
W = "1/2"        # weight of t*kappa_0 for the interactive part (1 = NTK, 1/2 = Cao et al., 0 = NNGP)
""", parameters=True),
        walkthrough_imports("""
from symkernel.derivations import two_layer_spectrum as tls
"""),
        md("## The derivation (every formula is a SymPy expression)"),
        code("""
for f in tls.latex_builder().formulas():
    display(Math(f.latex()))
"""),
        md("## Exact eigenvalues against the angle quadrature"),
        code("""
w = sp.Rational(W)
K = tls.library_kernel(w)
exact = [tls.eigenvalue_closed_form(w, k, DIM) for k in range(KMAX + 1)]
quad = tls.angle_quadrature(K, DIM, KMAX)
for k in range(8):
    print(f"mu_{k} = {exact[k]}  ~ {float(exact[k]):.12g}   quadrature {quad[k]:.12g}")
ks = np.arange(2, KMAX + 1, 2)
plt.loglog(ks, [float(exact[k]) for k in ks], "o", ms=3, label="Gamma form (even k)")
plt.loglog(ks, np.abs(quad[ks]), "-", label="quadrature")
plt.loglog(np.arange(3, KMAX + 1, 2), np.abs(quad[3::2]) + 1e-300, "x", ms=3, label="|odd k| (float noise)")
plt.xlabel("k")
plt.ylabel("$\\\\mu_k$")
plt.legend()
plt.title(f"{K.name} on $S^{{{DIM - 1}}}$")
plt.show()
"""),
        md("## The claim, verified"),
        verify_cell("tls"),
    ])


def ntk_vs_laplace() -> nbformat.NotebookNode:
    return _nb([
        md("""
# FC NTK vs the Laplace kernel

Geifman et al. (2020), Chen & Xu (2021): the NTK of any depth and $e^{-c\\sqrt{1-t}}$ both decay like
$k^{-d}$ on $S^{d-1}$.  Matching the leading singular terms at $t = 1$ gives $c_L = L/(\\sqrt2\\,\\pi)$ for
the bias-free NTK divided by $K(1) = L + 1$; the eigenvalue ratio then tends to $1 + (-1)^k c_-/c_+$.
"""),
        code("""
# parameters
QUICK = True     # size of symkernel verify ntk-vs-laplace
DEPTH = 2        # hidden ReLU layers of the NTK explored below
BIAS = 0         # bias standard deviation of every layer
DIM = 3          # sphere S^{DIM-1}
KMAX = 400
""", parameters=True),
        walkthrough_imports("""
import symkernel as sk
from symkernel.derivations import ntk_vs_laplace as nvl
from symkernel.derivations.two_layer_spectrum import angle_quadrature

for f in nvl.latex_builder().formulas():
    display(Math(f.latex()))
"""),
        code("""
K = sk.fc(DEPTH, "ntk", bias=BIAS)
c, cp, cm = nvl.matched_sharpness(K)
display(Math(r"c_+ = " + sp.latex(cp) + r",\\quad c_- = " + sp.latex(cm) + r",\\quad c = " + sp.latex(c)))
lap = sk.laplace(c)
mu_n = angle_quadrature(K, DIM, KMAX) / float(K.diagonal)
mu_l = angle_quadrature(lap, DIM, KMAX)
ks = np.arange(2, KMAX + 1)
ratio = mu_n[ks] / mu_l[ks]
for parity, lim in ((0, 1 + cm / cp), (1, 1 - cm / cp)):
    sel = ks % 2 == parity
    plt.semilogx(ks[sel], ratio[sel], label=f"{'even' if parity == 0 else 'odd'} k")
    plt.axhline(float(lim), ls=":", color="k", lw=0.8)
plt.xlabel("k")
plt.ylabel("$\\\\mu_k[K/K(1)] / \\\\mu_k[\\\\mathrm{Laplace}]$")
plt.legend()
plt.title(f"{K.name} vs Laplace c = {sp.N(c, 6)}")
plt.show()
"""),
        verify_cell("nvl"),
    ])


def generic(name: str, module) -> nbformat.NotebookNode:
    claim = module.CLAIM.replace("\n", " ")
    return _nb([
        md(f"""
# Derivation `{name}`

**Claim.** {claim}

**Source.** {module.SOURCE}

This notebook runs the derivation (`symkernel verify {name}`), shows its table, checks, LaTeX and figures.
"""),
        code(f"""
# parameters
NAME = "{name}"
QUICK = True     # the size used by `symkernel verify`; False for the full-size run
""", parameters=True),
        code("""
%matplotlib inline
import tempfile

from IPython.display import Image, Markdown, display

from symkernel import derivations
from symkernel.latex import report_to_latex

module = derivations.get(NAME)
print(module.__doc__.strip().splitlines()[0])
"""),
        code("""
outdir = tempfile.mkdtemp()
report = module.run(quick=QUICK, outdir=outdir)
print(report.text())
for fig in report.figures:
    if fig.lower().endswith((".png", ".jpg", ".jpeg")):
        display(Image(filename=fig))
"""),
        code("""
display(Markdown("LaTeX of the report (`symkernel latex --derivation " + NAME + " --document`):"))
print(report_to_latex(report)[:2000])
assert report.passed
"""),
    ])


SPECIAL = {"two-layer-spectrum": two_layer_spectrum, "ntk-vs-laplace": ntk_vs_laplace}


def notebook_name(derivation: str) -> str:
    return derivation.replace("-", "_") + ".ipynb"


def build(outdir: Path = HERE) -> list[Path]:
    """Write every notebook; returns their paths."""
    sys.path.insert(0, str(HERE.parent))
    from symkernel import derivations

    books = {"getting_started.ipynb": getting_started()}
    for name, module in derivations.registry().items():
        books[notebook_name(name)] = SPECIAL[name]() if name in SPECIAL else generic(name, module)
    written = []
    for fname, nb in sorted(books.items()):
        for i, cell in enumerate(nb.cells):  # deterministic cell ids: reproducible files
            cell["id"] = f"{fname.removesuffix('.ipynb').replace('_', '-')}-{i}"
        nbformat.validate(nb)
        path = outdir / fname
        nbformat.write(nb, str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
