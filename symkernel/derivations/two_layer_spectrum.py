r"""The two-layer NTK and NNGP on the sphere: Gamma-form eigenvalues, decay k^{-d} / k^{-d-2}, exact zeros.

Claim (Bietti & Mairal 2019, Prop. 5 and Appendix; Cao et al. 2019, Thm 4.3).  On :math:`S^{d-1}` with the
normalised uniform measure, the eigenvalues of the bias-free two-layer kernels

.. math::  K_w(t) = \kappa_1(t) + w\,t\,\kappa_0(t)\qquad
           (w = 1: \text{NTK, both layers trained};\ w = \tfrac12: \text{Cao et al.};\
           w = 0: \text{NNGP } \kappa_1)

satisfy :math:`\mu_k = 0` exactly for odd :math:`k \ge 3`, and for even k

.. math::  \mu_k \sim w\,\frac{2^{d-1}\Gamma(d/2)^2}{\pi^2}\,k^{-d}\ (w > 0),\qquad
           \mu_k[\kappa_1] \sim \frac{2^{d}\,\Gamma(d/2)\,\Gamma(d/2+1)}{\pi^2}\,k^{-d-2}.

Derivation (SymPy, here).  (i) The Maclaurin coefficients from :math:`\kappa_0(t) = \frac12 +
\frac{\arcsin t}{\pi}` and :math:`\kappa_1' = \kappa_0`, :math:`\kappa_1(0) = 1/\pi`:
:math:`b_0 = 1/\pi`, :math:`b_1 = (1+w)/2`,

.. math::  b_{2i+2} = \frac{\binom{2i}{i}}{\pi\,4^i\,(2i+1)}\Bigl(\frac{1}{2i+2} + w\Bigr),\qquad
           b_{2i+3} = 0\quad(i \ge 0),

checked against the library's exact series.  (ii) With the monomial eigenvalue of SPEC §1,
:math:`\mu_k(t^n) = n!\,\Gamma(\frac d2)\Gamma(\frac{n-k+1}{2}) / ((n-k)!\,2^k\sqrt\pi\,
\Gamma(\frac{n+k+d}{2}))` for :math:`n \ge k`, :math:`n \equiv k`, and 0 otherwise, every odd
:math:`k \ge 3` only meets odd :math:`n \ge 3`, whose :math:`b_n` vanish: :math:`\mu_k = 0` exactly.
For :math:`k = 2l` the series :math:`\sum_m b_{2l+2m}\,\mu_{2l}(t^{2l+2m})` is hypergeometric at 1 and SymPy
sums it (Gauss) for symbolic l and d:

.. math::  \mu_{2l} = \frac{\Gamma(\frac d2)\Gamma(\frac d2+1)\Gamma(l-\frac12)^2}{4\pi^2\,
           \Gamma(\frac d2+l+\frac12)^2}
           + w\,\frac{\Gamma(\frac d2)^2\,\bigl(d\,l\,\Gamma(l-\frac12)^2 + 2\Gamma(l+\frac12)^2\bigr)}
           {4\pi^2\,\Gamma(\frac d2+l+\frac12)^2}\qquad (l \ge 1).

(iii) The constants: :math:`\Gamma(l+a)/(l^a\Gamma(l)) \to 1` (the Stirling coefficient :math:`e_0 = 0` of
:func:`symkernel.asymptotics.gamma_ratio_expansion`) turns each term into a power of l, and the limit of
:math:`k^p\mu_k` is read off exactly.

Checks.  (a) The closed-form coefficients equal the library's exact ones; (b) the Gamma forms equal the
numerically summed series and Gauss–Legendre quadrature in the angle θ (an independent route, float64) for
k ≤ kmax; (c) the odd eigenvalues k ≥ 3 vanish under quadrature; (d) the constants equal those of the
singularity analysis (:func:`symkernel.asymptotics.asymptotics`: :math:`(c_+ + c_-)C(d, \nu)`), a different
derivation; (e) the fitted log–log slope of the even eigenvalues at large k is :math:`-d` (:math:`-d-2`);
(f) when :mod:`symkernel.spectrum.closed_forms` is installed, its independent Gamma forms agree exactly.

Sizes: ``quick=True``: d ∈ {2, 3, 5}, quadrature k ≤ 40, slopes at k ≤ 4000; ``quick=False``: d ∈ {2, 3, 4, 5,
8, 10}, quadrature k ≤ 80.

References
----------
A. Bietti and J. Mairal, "On the inductive bias of neural tangent kernels", NeurIPS 2019.
Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou and Q. Gu, "Towards understanding the spectral bias of deep learning",
IJCAI 2021 (arXiv:1912.01198, 2019).
Y. Cho and L. K. Saul, "Kernel methods for deep learning", NeurIPS 2009.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from ..report import Report

NAME = "two-layer-spectrum"
CLAIM = (
    "The eigenvalues of the bias-free two-layer NTK kappa_1(t) + t kappa_0(t), of Cao et al.'s variant "
    "kappa_1 + t kappa_0/2 and of the NNGP kappa_1 on S^{d-1} vanish exactly for odd k >= 3 and decay like "
    "k^{-d} (NTK, Cao) and k^{-d-2} (NNGP) over even k, with exact Gamma-function eigenvalues and constants "
    "derived from the Maclaurin coefficients and the monomial eigenvalues (SPEC 1)."
)
SOURCE = (
    "Bietti & Mairal (2019), 'On the inductive bias of neural tangent kernels', Prop. 5 and App. C; "
    "Cao, Fang, Wu, Zhou & Gu (2019), 'Towards understanding the spectral bias of deep learning', Thm 4.3"
)

#: the kernels K_w = kappa_1 + w t kappa_0 and their library constructors (layer weights of sk.fc(1, ...))
KERNELS = (("NTK", sp.Integer(1)), ("Cao", sp.Rational(1, 2)), ("NNGP", sp.Integer(0)))

i_, j_, l_, m_ = sp.symbols("i j l m", integer=True, nonnegative=True)
d_ = sp.Symbol("d", positive=True)
w_ = sp.Symbol("w", nonnegative=True)


def library_kernel(w):
    """``sk.fc(1, ...)`` for the weight w (1: NTK, 1/2: Cao et al., 0: NNGP)."""
    from ..architectures import fc

    if w == 0:
        return fc(1, "nngp")
    if w == 1:
        return fc(1, "ntk")
    return fc(1, "ntk", layer_weights=(w, 1))


# ------------------------------------------------------------------------------------------------
# (i) Maclaurin coefficients
# ------------------------------------------------------------------------------------------------
def kappa0_odd_coefficient(i=i_):
    r""":math:`[t^{2i+1}]\kappa_0 = \binom{2i}{i} / (\pi\,4^i(2i+1))` (the arcsine series over π)."""
    return sp.binomial(2 * i, i) / (sp.pi * 4**i * (2 * i + 1))


def even_coefficient(w=w_, i=i_):
    r""":math:`b_{2i+2}` of :math:`K_w`: :math:`[t^{2i+2}]\kappa_1 = [t^{2i+1}]\kappa_0 / (2i+2)` plus
    w times :math:`[t^{2i+1}]\kappa_0` (from :math:`t\kappa_0`)."""
    return kappa0_odd_coefficient(i) * (sp.Integer(1) / (2 * i + 2) + w)


def coefficients_closed_form(w, N: int) -> list[sp.Expr]:
    """:math:`b_0..b_{N-1}` of :math:`K_w` from the closed forms."""
    out = [1 / sp.pi, (1 + sp.sympify(w)) / 2]
    for n in range(2, N):
        out.append(even_coefficient(w, (n - 2) // 2) if n % 2 == 0 else sp.Integer(0))
    return out[:N]


def derive_arcsine_coefficients(N: int = 12) -> bool:
    """Check (i) itself: the closed forms against SymPy's series of :math:`\\frac12 + \\arcsin(t)/\\pi`
    and its integral."""
    t = sp.Symbol("t")
    k0 = sp.series(sp.Rational(1, 2) + sp.asin(t) / sp.pi, t, 0, N + 1).removeO()
    k1 = 1 / sp.pi + sp.integrate(k0, t)
    ok = all(sp.simplify(k0.coeff(t, 2 * i + 1) - kappa0_odd_coefficient(i)) == 0 for i in range(N // 2))
    ok &= all(sp.simplify(k1.coeff(t, 2 * i + 2) - even_coefficient(0, i)) == 0 for i in range(N // 2 - 1))
    return bool(ok and k1.coeff(t, 1) == sp.Rational(1, 2) and k1.coeff(t, 0) == 1 / sp.pi)


# ------------------------------------------------------------------------------------------------
# (ii) eigenvalues: hypergeometric sums
# ------------------------------------------------------------------------------------------------
def monomial_eigenvalue(n, k, d=d_):
    r""":math:`\mu_k(t^n)` on :math:`S^{d-1}` (SPEC §1), for :math:`n \ge k`, :math:`n - k` even."""
    from ..spectrum.gegenbauer import monomial_eigenvalue_exact

    return monomial_eigenvalue_exact(k, n, d)


def _sum_even(coefficient) -> sp.Expr:
    """:math:`\\sum_{m\\ge0} c(j)\\,\\mu_{2l}(t^{2j+2})`, j = l + m - 1, summed by SymPy (symbolic l ≥ 1,
    d)."""
    jj = l_ + m_ - 1
    term = coefficient(jj) * monomial_eigenvalue(2 * jj + 2, 2 * l_)
    term = sp.combsimp(sp.gammasimp(term.rewrite(sp.gamma)))
    total = sp.summation(term, (m_, 0, sp.oo))
    return sp.simplify(sp.unpolarify(sp.hyperexpand(total)))


@cache
def eigenvalue_parts() -> tuple[sp.Expr, sp.Expr]:
    r"""``(A, B)`` with :math:`\mu_{2l}[K_w] = A(l, d) + w\,B(l, d)` for l ≥ 1 (derived, see the module
    docstring): A from :math:`\kappa_1`, B from :math:`t\kappa_0`."""
    A = _sum_even(lambda j: kappa0_odd_coefficient(j) / (2 * j + 2))
    B = _sum_even(kappa0_odd_coefficient)
    return A, B


@cache
def mu0_parts() -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\mu_0[K_w] = A_0(d) + w B_0(d)`: :math:`b_0 + \sum_{j\ge0} b_{2j+2}\mu_0(t^{2j+2})`."""
    parts = []
    for coefficient, const in ((lambda j: kappa0_odd_coefficient(j) / (2 * j + 2), 1 / sp.pi),
                               (kappa0_odd_coefficient, sp.Integer(0))):
        term = sp.combsimp(sp.gammasimp((coefficient(j_) * monomial_eigenvalue(2 * j_ + 2, 0))
                                        .rewrite(sp.gamma)))
        total = sp.unpolarify(sp.hyperexpand(sp.summation(term, (j_, 0, sp.oo))))
        parts.append(sp.simplify(const + total))
    return parts[0], parts[1]


def eigenvalue_closed_form(w, k: int, d: int) -> sp.Expr:
    """Exact :math:`\\mu_k[K_w]` on :math:`S^{d-1}` from the derived forms."""
    w = sp.sympify(w)
    if k == 0:
        A0, B0 = mu0_parts()
        return sp.simplify((A0 + w * B0).subs(d_, d))
    if k == 1:
        return (1 + w) / 2 / d  # b_1 mu_1(t) = b_1 / d; odd n >= 3 do not contribute
    if k % 2:
        return sp.Integer(0)
    A, B = eigenvalue_parts()
    return sp.simplify(sp.gammasimp((A + w * B).subs({l_: k // 2, d_: d})))


# ------------------------------------------------------------------------------------------------
# (iii) leading constants
# ------------------------------------------------------------------------------------------------
def leading_terms(expr: sp.Expr, var: sp.Symbol, scale) -> dict:
    r"""Asymptotic powers of ``scale * expr`` as ``var`` → ∞: ``{exponent: coefficient}``.

    Every :math:`\Gamma(var + a)` is replaced by :math:`var^a\,\Gamma(var)` (exact to leading order, since
    :math:`\log\Gamma(x+a) - \log\Gamma(x+b) - (a-b)\log x \to e_0 = 0`,
    :func:`symkernel.asymptotics.gamma_ratio_expansion`); the :math:`\Gamma(var)` factors must cancel."""
    from ..asymptotics import gamma_ratio_expansion

    assert gamma_ratio_expansion()[0] == 0
    G = sp.Symbol("G_var", positive=True)

    def is_shift(x):
        return (isinstance(x, sp.gamma) and var in x.args[0].free_symbols
                and var not in sp.expand(x.args[0] - var).free_symbols)

    e = expr.replace(is_shift, lambda x: var ** sp.expand(x.args[0] - var) * G)
    e = sp.expand(e * scale)
    out: dict = {}
    for term in sp.Add.make_args(e):
        term = sp.powsimp(term, force=True)
        coeff, power = term.as_independent(var, as_Add=False)
        rest, g = coeff.as_independent(G, as_Add=False)
        if g != 1:
            raise ValueError(f"Gamma factors do not cancel in {term}")
        power = sp.powsimp(power, force=True)
        base, exponent = (var, sp.Integer(0)) if power == 1 else power.as_base_exp()
        if base != var:
            raise ValueError(f"not a power of {var}: {power}")
        exponent = sp.simplify(exponent)
        out[exponent] = sp.simplify(out.get(exponent, 0) + rest)
    return out


def limit_constant(expr: sp.Expr, var: sp.Symbol, scale) -> sp.Expr:
    """:math:`\\lim_{var\\to\\infty} scale\\cdot expr`, which must be finite and non-zero (checked)."""
    terms = leading_terms(expr, var, scale)
    if 0 not in terms:
        raise ValueError(f"no constant term in {terms}")
    for e in terms:
        if e != 0 and not (sp.sympify(e).is_number and e < 0):
            raise ValueError(f"growing term {var}^{e}")
    return sp.simplify(terms[0])


@cache
def decay_constants() -> tuple[sp.Expr, sp.Expr]:
    r"""``(C_kappa1, C_tkappa0)``: :math:`\lim_{k\to\infty,\,k\ \rm even} k^{d+2}\mu_k[\kappa_1]` and
    :math:`\lim k^{d}\mu_k[t\kappa_0]` as expressions in d (k = 2l)."""
    A, B = eigenvalue_parts()
    lp = sp.Symbol("l", positive=True)
    A, B = A.subs(l_, lp), B.subs(l_, lp)
    return (limit_constant(A, lp, (2 * lp) ** (d_ + 2)), limit_constant(B, lp, (2 * lp) ** d_))


# ------------------------------------------------------------------------------------------------
# the independent numerical route: Gauss–Legendre in the angle
# ------------------------------------------------------------------------------------------------
def angle_quadrature(K, dim: int, kmax: int, nodes: int | None = None) -> np.ndarray:
    r"""Float64 :math:`\mu_0..\mu_{k_{max}}` by Gauss–Legendre in θ (Funk–Hecke, SPEC §1):

    .. math::  \mu_k = c_d\int_0^\pi K(\cos\theta)\,P_k^{(d)}(\cos\theta)\,(\sin\theta)^{d-2}\,d\theta,

    with the normalised Gegenbauer recurrence :math:`(k+d-2)P_{k+1} = (2k+d-2)\,t P_k - k P_{k-1}`.  The
    integrand is analytic in θ (SPEC §2), so the rule converges exponentially.  Independent of the closed
    forms derived here; it shares the Gauss–Legendre nodes and the Gegenbauer recurrence with
    :mod:`symkernel.spectrum` (so the derivation checks the algebra, not those basics)."""
    from ..spectrum.gegenbauer import iter_gegenbauer_numpy
    from ..spectrum.sphere import gauss_legendre_numpy

    n = nodes or 2 * (kmax + dim) + 120
    x, wts = gauss_legendre_numpy(n)
    theta = (x + 1) * (math.pi / 2)
    wts = wts * (math.pi / 2)
    t = np.cos(theta)
    cd = math.exp(math.lgamma(dim / 2) - math.lgamma((dim - 1) / 2)) / math.sqrt(math.pi)
    weight = cd * wts * np.sin(theta) ** (dim - 2) * np.asarray(K.numpy(theta=theta), dtype=float)
    return np.array([(weight * p).sum() for p in iter_gegenbauer_numpy(kmax, dim, t)])


def _mp_values(expr_l: sp.Expr, d: int, ks) -> list:
    """Values of μ_{2l} at even k = 2l in mpmath (no float overflow at large k)."""
    import mpmath

    f = sp.lambdify(l_, expr_l.subs(d_, d), modules="mpmath")
    return [mpmath.mpf(f(mpmath.mpf(int(k) // 2))) for k in ks]


# ------------------------------------------------------------------------------------------------
# LaTeX
# ------------------------------------------------------------------------------------------------
def latex_builder():
    """The derivation as a :class:`~symkernel.latex.LatexBuilder` (every formula parses back)."""
    from ..latex import LatexBuilder

    A, B = eigenvalue_parts()
    A0, B0 = mu0_parts()
    Ck1, Ctk0 = decay_constants()
    b = LatexBuilder()
    b.text(r"Kernels $K_w(t) = \kappa_1(t) + w\,t\,\kappa_0(t)$ on $S^{d-1}$ (normalised measure, "
           r"$P_k(1) = 1$): $w = 1$ is the two-layer NTK with both layers trained (sk.fc(1, 'ntk')), "
           r"$w = 1/2$ the kernel of Cao et al., $w = 0$ the NNGP $\kappa_1$. No biases; depth $L = 1$ "
           "hidden layer.")
    b.text("Maclaurin coefficients:")
    b.formula("b_{0}", 1 / sp.pi)
    b.formula("b_{1}", (1 + w_) / 2)
    b.formula("b_{2i+2}", even_coefficient(w_, i_))
    b.formula("b_{2i+3}", 0, note="$i \\ge 0$")
    b.text(r"Monomial eigenvalues ($n \ge k$, $n - k$ even; 0 otherwise):")
    n_, k_ = sp.symbols("n k", integer=True, nonnegative=True)
    b.formula(r"\mu_k\left(t^n\right)", monomial_eigenvalue(n_, k_))
    b.text(r"Odd $k \ge 3$ only meet odd $n \ge 3$, where $b_n = 0$; the even sums are hypergeometric at 1 "
           "and SymPy sums them (Gauss):")
    b.formula(r"\mu_{2l+1}", 0, note="$l \\ge 1$")
    b.formula(r"\mu_{1}", (1 + w_) / (2 * d_))
    b.formula(r"\mu_{0}", A0 + w_ * B0)
    b.formula(r"\mu_{2l}", A + w_ * B, note="$l \\ge 1$")
    b.text("Leading behaviour of the even eigenvalues ($k = 2l$):")
    b.formula(r"\lim_{k \to \infty} k^{d+2} \mu_k\left[\kappa_1\right]", Ck1)
    b.formula(r"\lim_{k \to \infty} k^{d} \mu_k\left[K_w\right]", w_ * Ctk0, note="$w > 0$")
    return b


# ------------------------------------------------------------------------------------------------
# run
# ------------------------------------------------------------------------------------------------
def run(quick: bool = True, outdir: str | None = None) -> Report:
    """Run the derivation (module docstring); the figure goes to ``outdir`` when given."""
    import mpmath

    from ..asymptotics import asymptotics

    report = Report(NAME, CLAIM, SOURCE)
    dims = (2, 3, 5) if quick else (2, 3, 4, 5, 8, 10)
    kq = 40 if quick else 80
    k_slope = 4000
    A, B = eigenvalue_parts()
    Ck1, Ctk0 = decay_constants()

    # (a) coefficients
    report.check("closed-form kappa_0, kappa_1 coefficients = SymPy series of 1/2 + arcsin(t)/pi and its "
                 "integral", derive_arcsine_coefficients(14), "n < 14")
    N = 24
    for name, w in KERNELS:
        K = library_kernel(w)
        exact = K.exact_coefficients(N)
        mine = coefficients_closed_form(w, N)
        bad = [n for n in range(N) if sp.simplify(exact[n] - mine[n]) != 0]
        report.check(f"{name}: b_n closed form = library exact series, n < {N}", not bad,
                     f"mismatch at n = {bad}" if bad else "b_n = 0 for odd n >= 3")

    try:
        from ..spectrum import closed_forms as cfm
    except ImportError:  # pragma: no cover - the spectrum module is optional here
        cfm = None

    report.table.append(["kernel", "d", "p", "C (hypergeometric)", "C (singularity analysis)", "mu_2",
                         f"max rel. err. vs quadrature (k<={kq})", "max |mu_odd k>=3|",
                         f"slope k in [{k_slope // 2}, {k_slope}]", f"k^p mu_k / C at k={k_slope}"])
    fig_data = []
    for name, w in KERNELS:
        K = library_kernel(w)
        expr = A + w * B
        for d in dims:
            p = d + 2 if w == 0 else d
            C = sp.simplify((Ck1 if w == 0 else w * Ctk0).subs(d_, d))
            a = asymptotics(K, d)
            same = abs(sp.N(a.constant_even - C, 50)) < sp.Float(10) ** -40 and a.exponent == p
            report.check(f"{name}, d={d}: constant and exponent = singularity analysis "
                         "(c_+ + c_-) C(d, nu)", bool(same),
                         f"C = {C} = {sp.N(C, 12)}, p = {p}; asymptotics: {sp.N(a.constant_even, 12)}, "
                         f"p = {a.exponent}")
            exact = [eigenvalue_closed_form(w, k, d) for k in range(kq + 1)]
            quad = angle_quadrature(K, d, kq)
            quad2 = angle_quadrature(K, d, kq, nodes=2 * (kq + d) + 200)
            scale = float(sp.N(K.diagonal))
            qerr = float(np.max(np.abs(quad - quad2)))
            floor = max(1e-15 * scale, 10 * qerr)  # float64: absolute accuracy of the rule
            err = 0.0  # |quad - exact| in units of the tolerance 1e-9 |mu_k| + floor
            rel = 0.0
            for k in range(kq + 1):
                v = float(sp.N(exact[k], 20))
                err = max(err, abs(quad[k] - v) / (1e-9 * abs(v) + floor))
                if v != 0:
                    rel = max(rel, abs(quad[k] - v) / abs(v))
            odd = max(abs(quad[k]) for k in range(3, kq + 1, 2))
            report.check(f"{name}, d={d}: Gamma forms = quadrature in theta (k <= {kq})", err <= 1,
                         f"|quad - exact| <= {err:.2f} (1e-9 |mu_k| + {floor:.0e}); max relative {rel:.1e}; "
                         f"quadrature self-error {qerr:.1e}")
            report.check(f"{name}, d={d}: mu_k = 0 for odd k >= 3 (quadrature)", odd < 1e-14 * scale,
                         f"max |mu_k| = {odd:.1e}")
            if cfm is not None:
                cname = cfm.closed_form_name(K)
                if cname is not None:
                    other = cfm.exact_eigenvalues(cname, d, 12)
                    bad = [k for k in range(13)
                           if abs(sp.N(other[k] - exact[k], 40)) > sp.Float(10) ** -35]
                    report.check(f"{name}, d={d}: = symkernel.spectrum.closed_forms (k <= 12)", not bad,
                                 f"differ at k = {bad}" if bad else "exact agreement")
            ks = list(range(k_slope // 2, k_slope + 1, 2))
            vals = _mp_values(expr, d, ks)
            logs = np.array([float(mpmath.log(v)) for v in vals])
            slope = float(np.polyfit(np.log(ks), logs, 1)[0])
            ratio = float(vals[-1] * mpmath.mpf(k_slope) ** p / mpmath.mpf(str(sp.N(C, 30))))
            report.check(f"{name}, d={d}: fitted slope of log mu_k (even k) = -{p}",
                         abs(slope + p) < 0.02 + 2.0 * p * p / k_slope, f"{slope:.5f}")
            c_sing = mpmath.nstr(mpmath.mpf(str(sp.N(a.constant_even, 20))), 10)
            report.table.append([name, str(d), str(p), str(C), c_sing, str(exact[2]), f"{rel:.1e}",
                                 f"{odd:.1e}", f"{slope:.4f}", f"{ratio:.5f}"])
            if d == 3:
                fig_data.append((name, p, float(sp.N(C)), quad, expr))
    report.notes.append("depth L = 1 hidden ReLU layer (Bietti & Bach count 2 layers); no biases; "
                        "normalised uniform measure on S^{d-1}, P_k(1) = 1.")
    report.notes.append("Cao et al.'s kernel kappa_1 + t kappa_0/2 is sk.fc(1, 'ntk', layer_weights=(1/2, "
                        "1)); the NTK constant is w times that of t kappa_0; the kappa_1 part decays faster.")
    report.latex = latex_builder().render()
    report.figure(outdir, "two_layer_spectrum.png", _draw, fig_data, figsize=(6.5, 4.5))
    return report


def _draw(ax, data) -> None:
    for i, (name, p, C, quad, expr) in enumerate(data):
        ks = np.arange(2, len(quad), 2)
        ax.loglog(ks, quad[ks], "o", ms=3, color=f"C{i}", label=f"{name}: quadrature, even k")
        kk = np.array(list(range(2, 402, 2)))
        vals = [float(v) for v in _mp_values(expr, 3, kk)]
        ax.loglog(kk, vals, "-", lw=1, color=f"C{i}", label=f"{name}: Gamma form")
        ax.loglog(kk, C * kk.astype(float) ** (-p), ":", lw=1, color=f"C{i}", label=f"{C:.3g} k^-{p}")
    ax.set_xlabel("k")
    ax.set_ylabel(r"$\mu_k$ on $S^2$")
    ax.set_title("Two-layer kernels on $S^2$ (odd $k \\geq 3$: exactly 0)")
    ax.legend(fontsize=7)
