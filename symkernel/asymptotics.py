r"""Transfer theorems: from the singular expansions at t = ±1 to the decay of b_n and μ_k (SPEC §8).

If a dot-product kernel has the expansions (:mod:`symkernel.interpret.singular`)

.. math::  K(1 - s) = P_+(s) + c_+ s^\nu + o(s^\nu), \qquad
           K(-1 + s) = P_-(s) + c_- s^\nu + o(s^\nu)

with polynomials :math:`P_\pm` and a non-integer :math:`\nu > 0` (the smaller of the two leading
singular exponents; the constant of an endpoint whose singularity is weaker is 0), then

* **Maclaurin coefficients** (Flajolet & Odlyzko 1990, Theorem 1 and Corollary 2, applied at both
  singularities :math:`t = \pm1` of the unit circle):

  .. math::  b_n \sim \frac{c_+ + (-1)^n c_-}{\Gamma(-\nu)}\, n^{-\nu-1},

  since :math:`[t^n](1-t)^\nu = \Gamma(n-\nu)/(\Gamma(-\nu)\Gamma(n+1))` and
  :math:`[t^n](1+t)^\nu = (-1)^n [t^n](1-t)^\nu`;
* **eigenvalues on** :math:`S^{d-1}` (Bietti & Bach 2021, Theorem 1; Geifman et al. 2020), from the
  exact eigenvalue of :math:`(1-t)^\nu` (SPEC §8, normalised measure, :math:`P_k(1) = 1`)

  .. math::  \mu_k[(1-t)^\nu] = \frac{\Gamma(d/2)\, 2^{\nu+d-2}\, \Gamma(\nu+\frac{d-1}{2})\,
             \Gamma(k-\nu)}{\sqrt\pi\,\Gamma(-\nu)\,\Gamma(k+\nu+d-1)}, \qquad
             \mu_k[(1+t)^\nu] = (-1)^k \mu_k[(1-t)^\nu],

  .. math::  \mu_k \sim (c_+ + (-1)^k c_-)\, C(d,\nu)\, k^{-(d-1+2\nu)}, \qquad
             C(d,\nu) = \lim_{k\to\infty} k^{d-1+2\nu}\mu_k[(1-t)^\nu].

:math:`C(d,\nu)` is *derived* here with SymPy (Stirling series of
:math:`\log\Gamma(k+a) - \log\Gamma(k+b)`), not copied: published constants have been printed wrong.
The tests verify the eigenvalue formula itself by quadrature in the angle.

When :math:`c_+ = \pm c_-` one parity class vanishes at leading order (the two-layer NTK and NNGP:
:math:`c_+ = c_-`, and :math:`\mu_k = 0` exactly for odd :math:`k \ge 3` because
:math:`K(t) - K(-t)` is a polynomial); :class:`Asymptotics` says so in its ``note``.

Depth convention: the fully connected kernels of :mod:`symkernel.architectures` count L = number
of hidden ReLU layers (Bietti & Bach count L + 1 layers).  For them (derived by the singular
interpreter and checked in the tests)

.. math::  c_+^{\rm NTK} = -\frac{L(L+1)}{\sqrt2\,\pi},\quad
           c_-^{\rm NTK} = -\frac{\sqrt2}{\pi}\prod_{l=1}^{L-1}
           \kappa_0(\kappa_1^{\circ(l-1)}(0)),\quad
           \nu = \tfrac12;\qquad
           c_+^{\rm NNGP} = \frac{2\sqrt2\,L}{3\pi},\quad
           c_-^{\rm NNGP} = \frac{2\sqrt2}{3\pi}\prod_{l=1}^{L-1}\kappa_0(\kappa_1^{\circ(l-1)}(0)),
           \quad \nu = \tfrac32.

The regime :math:`d \gg k` of SPEC §8 (fixed k, growing d) is in :mod:`symkernel.regimes`.

References
----------
P. Flajolet and A. Odlyzko, "Singularity analysis of generating functions", SIAM J. Discrete Math. 3
(1990) 216-240.
A. Bietti and F. Bach, "Deep equals shallow for ReLU networks in kernel regimes", ICLR 2021.
A. Geifman, A. Yadav, Y. Kasten, M. Galun, D. Jacobs and R. Basri, "On the similarity between the
Laplace and neural tangent kernels", NeurIPS 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import mpmath
import sympy as sp

from .algebra import Node, inputs_of
from .algebra import as_description as _as_node
from .errors import ParameterError, check_dps, check_int
from .interpret.arb_constants import arb_number, excludes_zero
from .interpret.numeric import dps_to_bits, mp_context
from .interpret.singular import _check_order, leading_singular_term, singular_terms
from .interpret.support import FULL, ZERO, support
from .interpret.symbolic import ArcCosKernel

__all__ = [
    "Asymptotics",
    "asymptotics",
    "power_eigenvalue",
    "power_coefficient",
    "eigenvalue_constant",
    "eigenvalue_constant_formula",
    "coefficient_constant",
    "gamma_ratio_expansion",
    "coefficient_expansion",
    "eigenvalue_expansion",
    "darboux_constants",
    "singular_constants",
]

_d = sp.Symbol("d", positive=True)
_nu = sp.Symbol("nu", positive=True)
_k = sp.Symbol("k", positive=True)
_a = sp.Symbol("a", real=True)
_b = sp.Symbol("b", real=True)

#: largest sphere dimension accepted
MAX_DIM = 10**6


# ------------------------------------------------------------------------------------------------
# exact eigenvalues and coefficients of the model singularities
# ------------------------------------------------------------------------------------------------
def _check_dim(dim: Any) -> int:
    return check_int("dim", dim, 2, MAX_DIM)


def _check_nu(nu: Any) -> sp.Rational:
    try:
        v = sp.Rational(str(nu)) if isinstance(nu, float) else sp.nsimplify(nu, rational=True)
    except (TypeError, ValueError, sp.SympifyError) as exc:
        raise ParameterError("nu", nu, "a positive non-integer rational exponent") from exc
    if not v.is_Rational or v <= -sp.Rational(1, 2) or v.is_integer:
        raise ParameterError("nu", nu, "a non-integer rational exponent > -1/2")
    return v


def power_eigenvalue(dim: int, nu: Any, k: Any) -> sp.Expr:
    r"""Exact eigenvalue of :math:`(1-t)^\nu` on :math:`S^{d-1}` (SPEC §8; normalised measure,
    :math:`P_k(1) = 1`):

    .. math::  \mu_k[(1-t)^\nu] = \frac{\Gamma(d/2)\, 2^{\nu+d-2}\, \Gamma(\nu+\frac{d-1}{2})\,
               \Gamma(k-\nu)}{\sqrt\pi\,\Gamma(-\nu)\,\Gamma(k+\nu+d-1)}.

    ``k`` may be an integer or a SymPy symbol.  The tests check this formula against
    ``mpmath.quad`` in the angle (Funk–Hecke, SPEC §1); the eigenvalue of :math:`(1+t)^\nu` is
    :math:`(-1)^k` times it.

    Examples
    --------
    >>> power_eigenvalue(3, sp.Rational(1, 2), 0)
    2*sqrt(2)/3
    """
    d = _check_dim(dim)
    nu = _check_nu(nu)
    if not isinstance(k, sp.Basic):
        k = sp.Integer(check_int("k", k, 0))
    expr = (sp.gamma(sp.Rational(d, 2)) * 2 ** (nu + d - 2) * sp.gamma(nu + sp.Rational(d - 1, 2))
            * sp.gamma(k - nu) / (sp.sqrt(sp.pi) * sp.gamma(-nu) * sp.gamma(k + nu + d - 1)))
    return sp.gammasimp(expr) if k.is_Integer else expr


def power_coefficient(nu: Any, n: Any) -> sp.Expr:
    r""":math:`[t^n](1-t)^\nu = \Gamma(n-\nu) / (\Gamma(-\nu)\,\Gamma(n+1))` (exact)."""
    nu = _check_nu(nu)
    if not isinstance(n, sp.Basic):
        n = sp.Integer(check_int("n", n, 0))
    return sp.gamma(n - nu) / (sp.gamma(-nu) * sp.gamma(n + 1))


@cache
def gamma_ratio_expansion(terms: int = 3) -> tuple[sp.Expr, ...]:
    r"""Coefficients :math:`e_j(a, b)` of the Stirling expansion, derived with SymPy:

    .. math::  \log\Gamma(k+a) - \log\Gamma(k+b) - (a-b)\log k = \sum_{j\ge0} e_j(a,b)\,k^{-j},

    so that :math:`\Gamma(k+a)/\Gamma(k+b) = k^{a-b}\,e^{e_0}\,(1 + e_1/k + O(k^{-2}))`.
    :math:`e_0 = 0` and :math:`e_1 = (a-b)(a+b-1)/2`.
    """
    x = sp.Symbol("x", positive=True)  # x = 1/k
    expr = sp.loggamma(1 / x + _a) - sp.loggamma(1 / x + _b) + (_b - _a) * sp.log(1 / x)
    ser = sp.series(expr, x, 0, terms).removeO()
    return tuple(sp.factor(sp.simplify(sp.expand_log(ser.coeff(x, j), force=True)))
                 for j in range(terms))


@cache
def eigenvalue_constant_formula() -> sp.Expr:
    r""":math:`C(d,\nu) = \lim_{k\to\infty} k^{d-1+2\nu}\mu_k[(1-t)^\nu]` as a SymPy expression
    in the symbols ``d``, ``nu``, derived from :func:`power_eigenvalue` and
    :func:`gamma_ratio_expansion` (:math:`a = -\nu`, :math:`b = \nu+d-1`, so
    :math:`\Gamma(k-\nu)/\Gamma(k+\nu+d-1) \sim k^{-(d-1+2\nu)} e^{e_0}`)."""
    prefactor = (sp.gamma(_d / 2) * 2 ** (_nu + _d - 2) * sp.gamma(_nu + (_d - 1) / 2)
                 / (sp.sqrt(sp.pi) * sp.gamma(-_nu)))
    e0 = gamma_ratio_expansion()[0].subs({_a: -_nu, _b: _nu + _d - 1})
    # the exponent of k must be -(d - 1 + 2 nu): check the derivation rather than assume it
    assert sp.simplify((-_nu) - (_nu + _d - 1) + (_d - 1 + 2 * _nu)) == 0
    return prefactor * sp.exp(e0)


def eigenvalue_constant(dim: int, nu: Any) -> sp.Expr:
    r"""The exact :math:`C(d,\nu)` of :math:`\mu_k[(1-t)^\nu] \sim C(d,\nu)\,k^{-(d-1+2\nu)}`.

    Derived (see :func:`eigenvalue_constant_formula`):

    .. math::  C(d,\nu) = \frac{\Gamma(d/2)\,2^{\nu+d-2}\,\Gamma(\nu+\frac{d-1}{2})}
               {\sqrt\pi\,\Gamma(-\nu)}.

    Examples
    --------
    >>> eigenvalue_constant(3, sp.Rational(1, 2))
    -sqrt(2)/4
    """
    d = _check_dim(dim)
    nu = _check_nu(nu)
    return sp.radsimp(sp.gammasimp(eigenvalue_constant_formula().subs({_d: d, _nu: nu})))


def coefficient_constant(nu: Any) -> sp.Expr:
    r"""The constant :math:`1/\Gamma(-\nu)` of :math:`[t^n](1-t)^\nu \sim n^{-\nu-1}/\Gamma(-\nu)`,
    derived from :func:`power_coefficient` and :func:`gamma_ratio_expansion` (a = -ν, b = 1)."""
    nu = _check_nu(nu)
    e0 = gamma_ratio_expansion()[0].subs({_a: -nu, _b: 1})
    return sp.gammasimp(sp.exp(e0) / sp.gamma(-nu))


# ------------------------------------------------------------------------------------------------
# the kernel's asymptotics
# ------------------------------------------------------------------------------------------------
def _num(expr: sp.Expr, dps: int):
    """An mpf (``dps`` digits, private context) of an exact SymPy number, with guard digits."""
    ctx = mp_context(dps_to_bits(dps))
    v = arb_number(expr, dps + 15)  # Arb, memoised: fast on the nested constants of deep kernels
    if v is not None:
        return +ctx.convert(v)
    return +ctx.convert(sp.Float(sp.N(expr, dps + 15), dps + 15))


def _is_zero(expr: sp.Expr) -> bool:
    """Exact zero test; an expression that vanishes to 60 digits but resists ``simplify`` (nested
    arc-cosine constants) is taken as 0."""
    if expr == 0:
        return True
    if excludes_zero(expr):  # a certified ball (python-flint), fast on deep nested constants
        return False
    return bool(abs(sp.N(expr, 60)) < sp.Float(10) ** -50)


#: exact constants whose expression tree has more nodes than this are shown as a straight-line program
DISPLAY_NODES = 400


def _tree_size(expr: sp.Basic, memo: dict) -> int:
    n = memo.get(expr)
    if n is None:
        n = memo[expr] = 1 + sum(_tree_size(a, memo) for a in expr.args)
    return n


@cache
def _program(expr: sp.Expr) -> tuple[tuple, sp.Expr] | None:
    """``(definitions, reduced)`` by common-subexpression elimination when the printed tree of ``expr`` is
    larger than :data:`DISPLAY_NODES` (nested constants of deep kernels: the value of layer l appears in
    every later layer, so the tree grows like 2^L while the DAG grows linearly), else None."""
    if _tree_size(expr, {}) <= DISPLAY_NODES:
        return None
    # a walk over the DAG naming every arc-cosine value and every root of a non-number; sums and products
    # are rebuilt unevaluated (SymPy's cse queries assumptions, which evaluates nested constants numerically
    # again and again: minutes at depth 16)
    defs: list[tuple[sp.Symbol, sp.Expr]] = []
    memo: dict = {}

    def walk(e: sp.Basic) -> sp.Basic:
        r = memo.get(e)
        if r is not None:
            return r
        if not e.args:
            r = e
        else:
            args = [walk(a) for a in e.args]
            if isinstance(e, ArcCosKernel) or (e.is_Pow and not e.exp.is_Integer and not e.base.is_Number):
                r = sp.Symbol(f"x{len(defs)}", real=True)
                defs.append((r, e.func(*args, evaluate=False) if e.is_Pow else e.func(*args)))
            elif e.is_Add or e.is_Mul or e.is_Pow:
                r = e.func(*args, evaluate=False)
            else:
                r = e.func(*args)
        memo[e] = r
        return r

    reduced = walk(expr)
    return tuple(defs), reduced


def display_text(expr: sp.Expr) -> str:
    """Text of an exact constant; a large one as ``reduced  where  x0 = ..., x1 = ...`` (exactly equal)."""
    prog = _program(sp.sympify(expr))
    if prog is None:
        return str(expr)
    defs, reduced = prog
    return f"{reduced}  where  " + ", ".join(f"{a} = {b}" for a, b in defs)


def display_latex(expr: sp.Expr) -> str:
    r"""LaTeX of an exact constant; a large one as ``reduced, \quad x_0 = ..., \dots`` (exactly equal)."""
    prog = _program(sp.sympify(expr))
    if prog is None:
        return sp.latex(expr)
    defs, reduced = prog
    return sp.latex(reduced, order="none") + r",\quad \text{where } " + r",\ ".join(
        f"{sp.latex(a)} = {sp.latex(b, order='none')}" for a, b in defs)


def tidy_constant(expr: sp.Expr) -> sp.Expr:
    """Expanded when the constant is a closed form in pi and sqrt(2) (readable); left as a product
    otherwise (expanding nested arc-cosine constants of deep kernels multiplies their size)."""
    return sp.expand(expr) if not expr.has(ArcCosKernel) else expr


@dataclass(frozen=True)
class Asymptotics:
    r"""Leading-order asymptotics of a dot-product kernel on :math:`S^{d-1}` (SPEC §8).

    :math:`K(1-s) = P_+(s) + c_+ s^\nu + \dots`, :math:`K(-1+s) = P_-(s) + c_- s^\nu + \dots`;
    :math:`b_n \sim (c_+ + (-1)^n c_-) n^{-\nu-1}/\Gamma(-\nu)` (Flajolet & Odlyzko 1990);
    :math:`\mu_k \sim (c_+ + (-1)^k c_-)\,C(d,\nu)\,k^{-p}`, :math:`p = d - 1 + 2\nu`
    (Bietti & Bach 2021).  All constants are exact SymPy expressions.

    Attributes
    ----------
    dim : int
        d (the sphere is :math:`S^{d-1} \subset \mathbb{R}^d`, normalised measure).
    nu : sympy.Rational or None
        Leading singular exponent (None if the kernel is analytic at both ends).
    exponent : sympy expression
        :math:`p = d - 1 + 2\nu` (``oo`` if analytic at both ends).
    c_plus, c_minus : sympy expressions
        Coefficients of :math:`s^\nu` in :math:`K(1-s)` and :math:`K(-1+s)`.
    nu_plus, nu_minus : sympy.Rational or None
        Leading singular exponent at each end separately.
    constant : sympy expression
        :math:`C(d,\nu)`.
    constant_even, constant_odd : sympy expressions
        :math:`(c_+ \pm c_-)\,C(d,\nu)`: :math:`\mu_k \sim` constant :math:`\cdot k^{-p}`
        for even/odd k.
    coefficient_even, coefficient_odd : sympy expressions
        :math:`(c_+ \pm c_-)/\Gamma(-\nu)`: :math:`b_n \sim` constant :math:`\cdot n^{-\nu-1}`.
    vanishing_parity : {"even", "odd", None}
        The parity class whose leading term vanishes (:math:`c_+ = \mp c_-`).
    exact_zero_beyond : int or None
        If the eigenvalues of the vanishing class are *exactly* 0 for k above this degree
        (the odd part of K is a polynomial), that degree.
    note : str
        Human-readable remarks (parity effects, unequal exponents at ±1, conventions).
    latex : dict
        LaTeX strings: ``"expansion_plus"``, ``"expansion_minus"``, ``"coefficients"``,
        ``"eigenvalues"``, ``"constant"``.
    """

    dim: int
    nu: sp.Rational | None
    exponent: sp.Expr
    c_plus: sp.Expr
    c_minus: sp.Expr
    nu_plus: sp.Rational | None
    nu_minus: sp.Rational | None
    constant: sp.Expr
    constant_even: sp.Expr
    constant_odd: sp.Expr
    coefficient_even: sp.Expr
    coefficient_odd: sp.Expr
    vanishing_parity: str | None
    exact_zero_beyond: int | None
    note: str
    latex: dict = field(compare=False)
    kernel_name: str | None = None
    info: dict = field(default_factory=dict, compare=False)

    def eigenvalue(self, k: int, dps: int = 30):
        r"""Leading-order prediction :math:`(c_+ + (-1)^k c_-)\,C(d,\nu)\,k^{-p}` (mpmath)."""
        k = check_int("k", k, 1)
        dps = check_dps(dps)
        if self.nu is None:
            return mp_context(dps_to_bits(dps)).mpf(0)
        c = self.constant_even if k % 2 == 0 else self.constant_odd
        ctx = mp_context(dps_to_bits(dps + 10))
        val = _num(c, dps + 10) * ctx.power(k, -_num(self.exponent, dps + 10))
        return +mp_context(dps_to_bits(dps)).convert(val)

    def coefficient(self, n: int, dps: int = 30):
        r"""Leading-order prediction :math:`(c_+ + (-1)^n c_-)\,n^{-\nu-1}/\Gamma(-\nu)`."""
        n = check_int("n", n, 1)
        dps = check_dps(dps)
        if self.nu is None:
            return mp_context(dps_to_bits(dps)).mpf(0)
        c = self.coefficient_even if n % 2 == 0 else self.coefficient_odd
        ctx = mp_context(dps_to_bits(dps + 10))
        val = _num(c, dps + 10) * ctx.power(n, -_num(self.nu + 1, dps + 10))
        return +mp_context(dps_to_bits(dps)).convert(val)

    def as_dict(self, dps: int = 30) -> dict:
        """JSON-ready summary: numbers as decimal strings with ``dps`` significant digits (exact
        forms as strings under ``*_exact``)."""
        dps = check_dps(dps)

        def dec(e):
            if e is None:
                return None
            if e == sp.oo:
                return "inf"
            return mpmath.nstr(_num(e, dps), dps, strip_zeros=False) if e != 0 else "0"

        return {
            "dim": self.dim,
            "exponent": dec(self.exponent),
            "exponent_exact": str(self.exponent),
            "nu": dec(self.nu),
            "nu_exact": str(self.nu),
            "c_plus": dec(self.c_plus),
            "c_minus": dec(self.c_minus),
            "c_plus_exact": display_text(self.c_plus),
            "c_minus_exact": display_text(self.c_minus),
            "constant": dec(self.constant),
            "constant_even": dec(self.constant_even),
            "constant_odd": dec(self.constant_odd),
            "coefficient_even": dec(self.coefficient_even),
            "coefficient_odd": dec(self.coefficient_odd),
            "vanishing_parity": self.vanishing_parity,
            "exact_zero_beyond": self.exact_zero_beyond,
            "note": self.note,
        }

    def __str__(self) -> str:
        if self.nu is None:
            return (f"analytic at t = ±1: eigenvalues on S^{self.dim - 1} decay faster than any "
                    "power")
        return (f"mu_k ~ ({self.c_plus} + (-1)^k ({self.c_minus})) * C * k^(-{self.exponent}), "
                f"C = C({self.dim}, {self.nu}) = {self.constant}")


def _expansion_latex(lhs: str, poly: str, name: str, lnu: str, value: sp.Expr) -> str:
    return (f"{lhs} = {poly}(s) + {name} s^{{{lnu}}} + o(s^{{{lnu}}}),\\quad "
            f"{name} = {display_latex(value)}")


def _factor_latex(c: sp.Expr) -> str:
    """LaTeX of a constant used as a factor: parenthesised when it is a sum."""
    if _program(sp.sympify(c)) is not None:
        return rf"\left({display_latex(c)}\right)"
    s = sp.latex(c)
    return rf"\left({s}\right)" if isinstance(c, sp.Add) else s


def _cases(var: str, even: sp.Expr, odd: sp.Expr, power: sp.Expr) -> str:
    lp = sp.latex(power)
    return (r"\begin{cases} " + f"{_factor_latex(even)}\\, {var}^{{-{lp}}}" + r" & " + var
            + r" \text{ even} \\ " + f"{_factor_latex(odd)}\\, {var}^{{-{lp}}}" + r" & " + var
            + r" \text{ odd} \end{cases}")


def asymptotics(kernel: Any, dim: int | None = None) -> Asymptotics:
    r"""Exponent, exact constants and parity effects of the eigenvalue decay on :math:`S^{d-1}`.

    For a convolutional kernel (:func:`symkernel.conv`) this returns the single-pixel asymptotics on the
    multisphere, :func:`symkernel.conv_asymptotics.conv_asymptotics` (``dim`` is then the number of channels
    ζ, or None).

    Parameters
    ----------
    kernel : Node or Kernel
        A univariate kernel description, or an object with a ``node`` attribute
        (:class:`symkernel.Kernel`).
    dim : int
        d ≥ 2: the sphere :math:`S^{d-1} \subset \mathbb{R}^d` (normalised measure).

    Returns
    -------
    Asymptotics (ConvAsymptotics for a convolutional kernel)

    Notes
    -----
    :math:`c_\pm, \nu` come from :func:`symkernel.interpret.singular.leading_singular_term`; if the
    exponents at +1 and -1 differ, the smaller one wins and the other end contributes 0 at leading
    order.  The transfer is

    .. math::  b_n \sim \frac{c_+ + (-1)^n c_-}{\Gamma(-\nu)} n^{-\nu-1}, \qquad
               \mu_k \sim (c_+ + (-1)^k c_-)\,C(d,\nu)\,k^{-(d-1+2\nu)},

    with :math:`C(d,\nu)` derived in :func:`eigenvalue_constant` (Flajolet & Odlyzko 1990;
    Bietti & Bach 2021; Geifman et al. 2020).

    Examples
    --------
    >>> from symkernel.algebra import Input, kappa0, kappa1
    >>> t = Input("t")
    >>> a = asymptotics(kappa1(t) + t * kappa0(t), dim=3)
    >>> a.exponent, a.c_plus, a.constant_even, a.vanishing_parity
    (3, -sqrt(2)/pi, 1/pi, 'odd')
    """
    info = getattr(kernel, "info", None) or {}
    if info.get("arch") == "conv":
        from .conv_asymptotics import conv_asymptotics

        if dim is not None and dim != info["channels"]:
            raise ParameterError("dim", dim, f"None or the number of channels zeta = {info['channels']} "
                                 "(each pixel lies on S^(zeta-1))")
        return conv_asymptotics(kernel)
    if dim is None:
        raise ParameterError("dim", dim, "an integer d >= 2 (the sphere S^(d-1))")
    node = _as_node(kernel)
    d = _check_dim(dim)
    names = inputs_of(node)
    if len(names) > 1:
        raise ParameterError("kernel", names, "a dot-product kernel with one input")
    cp, nup = leading_singular_term(node, 1)
    cm, num = leading_singular_term(node, -1)
    notes = []
    name = getattr(kernel, "name", None)
    info = dict(getattr(kernel, "info", {}) or {})
    if nup is None and num is None:
        zero = sp.Integer(0)
        return Asymptotics(
            d, None, sp.oo, zero, zero, None, None, zero, zero, zero, zero, zero, None, None,
            "K is analytic at t = ±1: no power-law decay (eigenvalues decay faster than any power "
            "of k).", {"eigenvalues": r"\mu_k = o(k^{-p})\ \text{for every } p"}, name, info)
    candidates = [v for v in (nup, num) if v is not None]
    nu = min(candidates)
    c_plus = cp if nup == nu else sp.Integer(0)
    c_minus = cm if num == nu else sp.Integer(0)
    if nup != num:
        weak = "+1" if nup != nu else "-1"
        other = nup if nup != nu else num
        notes.append(
            f"the singularity at t = {weak} is weaker (s^{other}" + (")" if other is not None else
                                                                        ": analytic)")
            + f"; it does not contribute at leading order (c at {weak} taken as 0)")
    C = eigenvalue_constant(d, nu)
    g = coefficient_constant(nu)
    p = sp.Integer(d - 1) + 2 * nu
    s_even = tidy_constant(c_plus + c_minus)
    s_odd = tidy_constant(c_plus - c_minus)
    even_zero = _is_zero(s_even)
    odd_zero = _is_zero(s_odd)
    vanishing = None
    exact_beyond = None
    if odd_zero or even_zero:
        vanishing = "odd" if odd_zero else "even"
        sup = support(node, names[0] if names else "t")
        part = sup[1] if vanishing == "odd" else sup[0]
        if part != FULL:
            exact_beyond = -1 if part == ZERO else int(part)
        sign = "c_+ = c_-" if odd_zero else "c_+ = -c_-"
        msg = (f"{sign}: the {vanishing}-k eigenvalues (and {vanishing}-n coefficients) vanish at "
               f"leading order")
        if exact_beyond is not None:
            msg += (f"; they are exactly 0 for {vanishing} k > {max(exact_beyond, 0)} (the "
                    f"{vanishing} part of K is a polynomial of degree {exact_beyond})"
                    if exact_beyond >= 0 else f"; the {vanishing} part of K is identically 0")
        else:
            msg += "; their decay is set by the next singular term"
        notes.append(msg)
    if name:
        notes.append(f"kernel: {name}")
    if info.get("depth") is not None and info.get("arch", "fc") == "fc":
        notes.append("depth = number of hidden ReLU layers (Bietti & Bach count depth + 1 layers)")
    constant_even = tidy_constant(s_even * C)
    constant_odd = tidy_constant(s_odd * C)
    lnu = sp.latex(nu)
    latex = {
        "expansion_plus": _expansion_latex("K(1-s)", "P_+", "c_+", lnu, c_plus),
        "expansion_minus": _expansion_latex("K(-1+s)", "P_-", "c_-", lnu, c_minus),
        "coefficients": r"b_n \sim \frac{c_+ + (-1)^n c_-}{\Gamma(-\nu)}\, n^{-\nu-1} = "
        + _cases("n", tidy_constant(s_even * g), tidy_constant(s_odd * g), nu + 1),
        "eigenvalues": r"\mu_k \sim (c_+ + (-1)^k c_-)\, C(d,\nu)\, k^{-(d-1+2\nu)} = "
        + _cases("k", constant_even, constant_odd, p),
        "constant": r"C(d,\nu) = \frac{\Gamma(d/2)\, 2^{\nu+d-2}\, \Gamma(\nu+\frac{d-1}{2})}"
        r"{\sqrt{\pi}\, \Gamma(-\nu)},\quad " + f"C({d}, {lnu}) = {sp.latex(C)}",
    }
    return Asymptotics(
        d, nu, p, c_plus, c_minus, nup, num, C, constant_even, constant_odd,
        tidy_constant(s_even * g), tidy_constant(s_odd * g), vanishing, exact_beyond, "; ".join(notes),
        latex, name, info)


# ------------------------------------------------------------------------------------------------
# higher-order (Darboux) expansions, for tails and tests
# ------------------------------------------------------------------------------------------------
#: exact singular terms per (node, endpoint): (order reached, [(exponent, exact coefficient)])
_TERMS: dict = {}
_TERMS_MAX = 64


def _exact_singular_terms(node: Node, at: int, order: sp.Rational) -> list:
    """``singular_terms`` (exact part), memoised: a request of a lower order reuses a higher one."""
    hit = _TERMS.get((node, at))
    if hit is not None and hit[0] >= order:
        return [(e, c) for e, c in hit[1] if e <= order]
    terms = [(e, c) for e, c, _ in singular_terms(node, at, order)]
    if len(_TERMS) >= _TERMS_MAX:
        _TERMS.pop(next(iter(_TERMS)))
    _TERMS[(node, at)] = (order, terms)
    return terms


def _constant_mpf(expr: sp.Expr, dps: int, memo: dict):
    """An mpf with ``dps`` correct digits of an exact constant: the midpoint of a python-flint ball
    (:func:`symkernel.interpret.arb_constants.arb_constant`, memoised sub-expressions) when the ball
    is that narrow, else SymPy's ``evalf`` (:func:`_num`)."""
    if expr == 0:
        return mp_context(dps_to_bits(dps)).mpf(0)
    try:
        import flint

        from .interpret.arb_constants import arb_constant
    except ImportError:
        return _num(expr, dps)
    bits = dps_to_bits(dps) + 20
    old = flint.ctx.prec
    flint.ctx.prec = bits + 40
    try:
        ball = arb_constant(expr, memo)
        ok = ball.is_finite() and not ball.contains(0) and bool(
            ball.rad() <= abs(ball.mid()) * flint.arb(2) ** (-bits))
        if ok:
            man, exp = ball.mid().man_exp()
    finally:
        flint.ctx.prec = old
    if not ok:
        return _num(expr, dps)
    ctx = mp_context(dps_to_bits(dps))
    return +ctx.ldexp(ctx.mpf(int(man)), int(exp))


def singular_constants(kernel: Any, at: int = 1, order: Any = 3, dps: int = 30
                       ) -> list[tuple[sp.Rational, Any]]:
    r"""The singular terms :math:`c_j s^{\alpha_j}` of :math:`K(1-s)` (``at=1``) or
    :math:`K(-1+s)` (``at=-1``) up to :math:`s^{order}` as ``[(alpha_j, c_j), ...]``, the
    :math:`c_j` mpf with ``dps`` digits.  The exact constants come from
    :func:`symkernel.interpret.singular.singular_terms` (memoised per kernel and endpoint) and are
    evaluated in ball arithmetic when python-flint is installed."""
    node = _as_node(kernel)
    dps = check_dps(dps)
    if isinstance(at, bool) or at not in (1, -1):
        raise ParameterError("at", at, "+1 or -1")
    memo: dict = {}
    return [(e, _constant_mpf(c, dps, memo))
            for e, c in _exact_singular_terms(node, int(at), _check_order(order))]


def darboux_constants(kernel: Any, order: Any = 3, dps: int = 30) -> list[tuple[sp.Rational, Any, Any]]:
    r"""The singular terms of both endpoints up to :math:`s^{order}`, as numbers:
    ``[(alpha_j, c_plus_j, c_minus_j), ...]`` (increasing :math:`\alpha_j`, mpf with ``dps`` digits),
    where :math:`K(1-s) = P_+(s) + \sum_j c^+_j s^{\alpha_j} + O(s^{order+1/q})` and
    :math:`K(-1+s) = P_-(s) + \sum_j c^-_j s^{\alpha_j} + \dots` (:math:`P_\pm` polynomials, q the
    ramification; a term absent at one end has coefficient 0).  These are the constants of the
    Darboux expansion of :func:`coefficient_expansion` (see :func:`singular_constants`)."""
    plus = dict(singular_constants(kernel, 1, order, dps))
    minus = dict(singular_constants(kernel, -1, order, dps))
    zero = mp_context(dps_to_bits(dps)).mpf(0)
    return [(e, plus.get(e, zero), minus.get(e, zero)) for e in sorted(set(plus) | set(minus))]


def _singular_pairs(node: Node, order: Any, dps: int):
    return darboux_constants(node, order, dps)


def coefficient_expansion(kernel: Any, n: int, order: Any = 3, dps: int = 30):
    r"""Darboux expansion of :math:`b_n` from every singular term up to :math:`s^{order}`:

    .. math::  b_n = \sum_j (c^+_j + (-1)^n c^-_j)\,\frac{\Gamma(n-\alpha_j)}{\Gamma(-\alpha_j)\,
               \Gamma(n+1)} + O(n^{-order-1/q-1}),

    where :math:`c^\pm_j s^{\alpha_j}` are the non-integer-power terms of :math:`K(\pm(1-s))`
    (Flajolet & Odlyzko 1990, Theorem 2).  Returns an mpmath number (``dps`` digits)."""
    node = _as_node(kernel)
    n = check_int("n", n, 1)
    dps = check_dps(dps)
    ctx = mp_context(dps_to_bits(dps + 10))
    total = ctx.mpf(0)
    for e, cp, cm in _singular_pairs(node, order, dps + 10):
        a = ctx.convert(_num(e, dps + 10))
        c = cp + (-1) ** n * cm
        if c:
            total += c * ctx.gammaprod([n - a], [-a, n + 1])
    return +mp_context(dps_to_bits(dps)).convert(total)


def eigenvalue_expansion(kernel: Any, dim: int, k: int, order: Any = 3, dps: int = 30):
    r"""Asymptotic expansion of :math:`\mu_k` on :math:`S^{d-1}` from every singular term up to
    :math:`s^{order}`:

    .. math::  \mu_k = \sum_j (c^+_j + (-1)^k c^-_j)\,\mu_k[(1-t)^{\alpha_j}]
               + O(k^{-(d-1+2\alpha_{\rm next})}),

    with the exact :func:`power_eigenvalue` (the polynomial parts of the expansions do not
    contribute for k above their degree).  Returns an mpmath number (``dps`` digits)."""
    node = _as_node(kernel)
    d = _check_dim(dim)
    k = check_int("k", k, 0)
    dps = check_dps(dps)
    ctx = mp_context(dps_to_bits(dps + 10))
    total = ctx.mpf(0)
    for e, cp, cm in _singular_pairs(node, order, dps + 10):
        c = cp + (-1) ** k * cm
        if c:
            a = ctx.convert(_num(e, dps + 10))
            pre = (ctx.gamma(ctx.mpf(d) / 2) * ctx.power(2, a + d - 2)
                   * ctx.gamma(a + ctx.mpf(d - 1) / 2) / ctx.sqrt(ctx.pi))
            total += c * pre * ctx.gammaprod([k - a], [-a, k + a + d - 1])
    return +mp_context(dps_to_bits(dps)).convert(total)
