r"""Exact eigenvalues of the arc-cosine and two-layer kernels on :math:`S^{d-1}` (Gamma-function forms).

Derivation
----------
Write n = k + 2m.  With :math:`\Gamma(m+\frac12) = (2m)!\sqrt\pi/(4^m m!)` the monomial eigenvalue
of SPEC §1
becomes :math:`\mu_k(t^{k+2m}) = (k+2m)!\,\Gamma(d/2)/(4^m\,m!\,2^k\,\Gamma(k+m+d/2))`.  The
Maclaurin
coefficients of the arc-cosine kernels (:func:`symkernel.arccos.kappa_maclaurin`) are

.. math::  [t^{2i+1}]\kappa_0 = \frac{\binom{2i}{i}}{\pi\,4^i(2i+1)},\qquad
           [t^{2i+2}]\kappa_1 = \frac{\binom{2i}{i}}{\pi\,4^i(2i+1)(2i+2)},

with :math:`\kappa_0(0) = \tfrac12`, :math:`\kappa_1(0) = 1/\pi`, :math:`[t]\kappa_1 = \tfrac12`.
Using
:math:`(2i)!^2/(4^i i!^2) = 4^i\Gamma(i+\frac12)^2/\pi`, the Funk–Hecke sums
:math:`\mu_k = \sum_m b_{k+2m}\,\mu_k(t^{k+2m})` are Gauss hypergeometric series at 1,

.. math::  \mu_{2l+1}[\kappa_0] = \frac{\Gamma(d/2)}{2\pi^2}\sum_{m\ge0}
              \frac{\Gamma(l+\frac12+m)^2}{m!\,\Gamma(2l+1+\frac d2+m)},\qquad
           \mu_{2l}[\kappa_1] = \frac{\Gamma(d/2)}{4\pi^2}\sum_{m\ge0}
              \frac{\Gamma(l-\frac12+m)^2}{m!\,\Gamma(2l+\frac d2+m)},

(the :math:`\kappa_1` sum at l = 0 includes the constant :math:`1/\pi` as its m = 0 term), summed by
Gauss's theorem :math:`{}_2F_1(a, b; c; 1) = \Gamma(c)\Gamma(c-a-b)/(\Gamma(c-a)\Gamma(c-b))`:

.. math::  \mu_k[\kappa_0] = \frac{\Gamma(\frac d2)^2\,\Gamma(\frac
k2)^2}{2\pi^2\,\Gamma(\frac{k+d}{2})^2}
              \ (k \text{ odd}),\qquad \mu_0[\kappa_0] = \tfrac12,\qquad
              \mu_k[\kappa_0] = 0\ (k \ge 2 \text{ even});

.. math::  \mu_k[\kappa_1] = \frac{\Gamma(\frac d2)\,\Gamma(\frac d2+1)\,\Gamma(\frac{k-1}{2})^2}
              {4\pi^2\,\Gamma(\frac{k+d+1}{2})^2}\ (k \text{ even}),\qquad
           \mu_1[\kappa_1] = \frac{1}{2d},\qquad \mu_k[\kappa_1] = 0\ (k \ge 3 \text{ odd}).

Multiplication by t shifts degrees through :math:`t P_k = \frac{k}{2k+d-2}P_{k-1} +
\frac{k+d-2}{2k+d-2}
P_{k+1}` (:math:`tP_0 = P_1`), so :math:`\mu_k[tf] = \frac{k}{2k+d-2}\mu_{k-1}[f] +
\frac{k+d-2}{2k+d-2}\mu_{k+1}[f]`.  This gives the two-layer NTK :math:`\kappa_1(t) + t\kappa_0(t)`
(bias-free,
both layers trained; ``sk.fc(1, "ntk")``), Cao et al.'s variant :math:`\kappa_1(t) + \frac12
t\kappa_0(t)`
(``sk.fc(1, "ntk", layer_weights=(1/2, 1))``) and the two-layer NNGP :math:`\kappa_1` (``sk.fc(1,
"nngp")``):
even k from the formulas above, :math:`\mu_1 = 1/d` (NTK) and :math:`3/(4d)` (Cao), and
:math:`\mu_k = 0`
exactly for odd :math:`k \ge 3`.

On :math:`S^2` (d = 3), and for every odd d, every eigenvalue is a rational number: the factors
:math:`\pi` cancel (:math:`\Gamma(\frac32)\Gamma(\frac52) \propto \pi` and
:math:`\Gamma(\frac{k-1}{2})^2 \propto \pi` for even k).  For even d (the circle d = 2 included)
they are
rational numbers (:math:`\mu_0[\kappa_0] = \frac12`, :math:`\mu_1`) or rational multiples of
:math:`1/\pi^2`: for example :math:`\mu_0 = 6/\pi^2` for the two-layer NTK on the circle.

The tests check every formula against the numerical routes of :mod:`.sphere` to 30 digits over many
(k, d),
and :func:`verify_gauss_sums` re-derives the two hypergeometric sums with SymPy's ``hyperexpand``.

References
----------
A. Bietti and J. Mairal, "On the inductive bias of neural tangent kernels", NeurIPS 2019 (Appendix:
the
two-layer spectrum and its parity); Y. Cao, Z. Fang, Y. Wu, D.-X. Zhou, Q. Gu, "Towards
understanding the
spectral bias of deep learning", 2019 (Theorem on :math:`\kappa_1 + \frac12 t\kappa_0`); DLMF
15.4.20
(Gauss's sum).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..errors import ParameterError, check_int
from .gegenbauer import check_dim

__all__ = [
    "ClosedForm",
    "CLOSED_FORMS",
    "closed_form",
    "exact_eigenvalue",
    "exact_eigenvalues",
    "closed_form_name",
    "verify_gauss_sums",
]

k = sp.Symbol("k", integer=True, nonnegative=True)
d = sp.Symbol("d", integer=True, positive=True)


def _kappa0_odd(kk, dd):
    kk, dd = sp.sympify(kk), sp.sympify(dd)
    return sp.gamma(dd / 2) ** 2 * sp.gamma(kk / 2) ** 2 / (2 * sp.pi**2 * sp.gamma((kk + dd) / 2) ** 2)


def _kappa1_even(kk, dd):
    kk, dd = sp.sympify(kk), sp.sympify(dd)
    return (sp.gamma(dd / 2) * sp.gamma(dd / 2 + 1) * sp.gamma((kk - 1) / 2) ** 2
            / (4 * sp.pi**2 * sp.gamma((kk + dd + 1) / 2) ** 2))


def _t_kappa0_even(kk, dd):
    """μ_k[t κ_0] for even k ≥ 2 (from μ_{k±1}[κ_0]); at k = 0 it is μ_1[κ_0]."""
    kk, dd = sp.sympify(kk), sp.sympify(dd)
    return (kk / (2 * kk + dd - 2) * _kappa0_odd(kk - 1, dd)
            + (kk + dd - 2) / (2 * kk + dd - 2) * _kappa0_odd(kk + 1, dd))


@dataclass(frozen=True)
class ClosedForm:
    r"""Exact eigenvalues :math:`\mu_k` on :math:`S^{d-1}` of one kernel, as SymPy expressions in k and d.

    Attributes
    ----------
    name : str
    kernel : sympy.Expr
        The kernel as an expression in ``t``.
    even : sympy.Expr
        :math:`\mu_k` for even k (valid for k ≥ 2, and k = 0 unless ``special`` says otherwise).
    odd : sympy.Expr
        :math:`\mu_k` for odd k ≥ 3.
    special : dict int -> sympy.Expr
        Values at small k (in d) that differ from the generic parity formula.
    description : str
    """

    name: str
    kernel: sp.Expr
    even: sp.Expr
    odd: sp.Expr
    special: dict = field(default_factory=dict)
    description: str = ""

    @property
    def k(self) -> sp.Symbol:
        return k

    @property
    def d(self) -> sp.Symbol:
        return d

    def expr(self) -> sp.Piecewise:
        """One Piecewise expression in k and d."""
        pieces = [(v, sp.Eq(k, kk)) for kk, v in sorted(self.special.items())]
        pieces += [(self.even, sp.Eq(sp.Mod(k, 2), 0)), (self.odd, True)]
        return sp.Piecewise(*pieces)

    def value(self, kk: int, dd: int) -> sp.Expr:
        """Exact :math:`\\mu_k` on :math:`S^{d-1}` (a SymPy number, simplified)."""
        kk = check_int("k", kk, 0)
        dd = check_dim(dd)
        if kk in self.special:
            v = self.special[kk].subs(d, dd)
        elif kk % 2 == 0:
            v = self.even.subs({k: kk, d: dd})
        else:
            v = self.odd.subs({k: kk, d: dd})
        return sp.simplify(sp.gammasimp(v))

    def values(self, dd: int, kmax: int) -> list[sp.Expr]:
        """:math:`\\mu_0, \\dots, \\mu_{k_{max}}` exactly."""
        kmax = check_int("kmax", kmax, 0)
        return [self.value(kk, dd) for kk in range(kmax + 1)]


def _build() -> dict[str, ClosedForm]:
    t = sp.Symbol("t", real=True)
    k0 = (sp.pi - sp.acos(t)) / sp.pi
    k1 = (sp.sqrt(1 - t**2) + (sp.pi - sp.acos(t)) * t) / sp.pi
    zero = sp.Integer(0)
    e1 = _kappa1_even(k, d)
    tk0 = _t_kappa0_even(k, d)
    forms = {
        "kappa0": ClosedForm(
            "kappa0", k0, even=zero, odd=_kappa0_odd(k, d),
            special={0: sp.Rational(1, 2), 1: _kappa0_odd(1, d)},
            description="arc-cosine kernel of order 0 (step activation), Cho & Saul 2009"),
        "kappa1": ClosedForm(
            "kappa1", k1, even=e1, odd=zero, special={1: 1 / (2 * d)},
            description="arc-cosine kernel of order 1 (ReLU) = two-layer NNGP, Cho & Saul 2009"),
        "ntk2": ClosedForm(
            "ntk2", k1 + t * k0, even=e1 + tk0, odd=zero,
            special={0: _kappa1_even(0, d) + _kappa0_odd(1, d), 1: 1 / d},
            description="two-layer bias-free NTK kappa1(t) + t kappa0(t) (sk.fc(1, 'ntk'))"),
        "cao": ClosedForm(
            "cao", k1 + t * k0 / 2, even=e1 + tk0 / 2, odd=zero,
            special={0: _kappa1_even(0, d) + _kappa0_odd(1, d) / 2, 1: 3 / (4 * d)},
            description="Cao et al. (2019) two-layer NTK kappa1(t) + t kappa0(t)/2 "
                        "(sk.fc(1, 'ntk', layer_weights=(1/2, 1)))"),
    }
    forms["nngp2"] = ClosedForm("nngp2", forms["kappa1"].kernel, forms["kappa1"].even,
                                forms["kappa1"].odd, dict(forms["kappa1"].special),
                                "two-layer NNGP = kappa1(t) (sk.fc(1, 'nngp'))")
    return forms


CLOSED_FORMS: dict[str, ClosedForm] = _build()


def closed_form(name: str) -> ClosedForm:
    """The closed form named ``kappa0``, ``kappa1``, ``nngp2``, ``ntk2`` or ``cao``.

    Examples
    --------
    >>> cf = closed_form("kappa0")
    >>> cf.value(3, 3)
    1/128
    >>> closed_form("ntk2").value(2, 3)
    5/64
    """
    if name not in CLOSED_FORMS:
        raise ParameterError("name", name, f"one of {', '.join(CLOSED_FORMS)}")
    return CLOSED_FORMS[name]


def exact_eigenvalue(name: str, kk: int, dd: int) -> sp.Expr:
    """Exact :math:`\\mu_k` of the named kernel on :math:`S^{d-1}`."""
    return closed_form(name).value(kk, dd)


def exact_eigenvalues(name: str, dd: int, kmax: int) -> list[sp.Expr]:
    """Exact :math:`\\mu_0..\\mu_{k_{max}}` of the named kernel on :math:`S^{d-1}`."""
    return closed_form(name).values(dd, kmax)


def closed_form_name(K) -> str | None:
    """Name of the closed form that applies to a :class:`~symkernel.Kernel`, or None."""
    info = K.info or {}
    if info.get("arch") == "arccos" and info.get("order") in (0, 1):
        return f"kappa{info['order']}"
    if info.get("arch") != "fc" or info.get("depth") != 1 or info.get("normalized"):
        return None
    if any(sp.sympify(b) != 0 for b in info.get("bias", [])):
        return None
    if info.get("kind") == "nngp":
        return "nngp2"
    weights = [sp.sympify(w) for w in info.get("layer_weights") or []]
    if weights == [1, 1]:
        return "ntk2"
    if weights == [sp.Rational(1, 2), 1]:
        return "cao"
    return None


def verify_gauss_sums() -> bool:
    r"""Re-derive the two hypergeometric sums of the module docstring with SymPy.

    Checks, for symbolic l and d, that the term ratio of each Funk–Hecke sum is that of
    :math:`{}_2F_1(a, a; c; 1)` and that ``hyperexpand`` of it gives the Gamma form used here.
    """
    l_ = sp.Symbol("l", integer=True, nonnegative=True)
    m = sp.Symbol("m", integer=True, nonnegative=True)
    ok = True
    for a, c, pref, target in (
        (l_ + sp.Rational(1, 2), 2 * l_ + 1 + d / 2, sp.gamma(d / 2) / (2 * sp.pi**2),
         _kappa0_odd(2 * l_ + 1, d)),
        (l_ - sp.Rational(1, 2), 2 * l_ + d / 2, sp.gamma(d / 2) / (4 * sp.pi**2),
         _kappa1_even(2 * l_, d)),
    ):
        term = sp.gamma(a + m) ** 2 / (sp.factorial(m) * sp.gamma(c + m))
        ratio = sp.expand_func(term.subs(m, m + 1) / term)
        ok &= sp.simplify(ratio - (a + m) ** 2 / ((m + 1) * (c + m))) == 0
        total = pref * sp.gamma(a) ** 2 / sp.gamma(c) * sp.hyperexpand(sp.hyper([a, a], [c], 1))
        ok &= sp.simplify(sp.gammasimp(total / target) - 1) == 0
    return bool(ok)
