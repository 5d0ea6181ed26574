"""The derivations two-layer-spectrum and ntk-vs-laplace: they pass, checks can fail, they are listed."""

from __future__ import annotations

import pytest
import sympy as sp

from symkernel import derivations
from symkernel.cli import main
from symkernel.derivations import ntk_vs_laplace, two_layer_spectrum
from symkernel.latex import report_to_latex


@pytest.fixture(scope="module")
def two_layer_report(tmp_path_factory):
    return two_layer_spectrum.run(quick=True, outdir=str(tmp_path_factory.mktemp("tls")))


def test_two_layer_spectrum_passes(two_layer_report):
    r = two_layer_report
    assert r.passed, "\n".join(f"{c.name}: {c.detail}" for c in r.checks if not c.passed)
    assert r.name == "two-layer-spectrum" and len(r.checks) >= 20
    assert len(r.table) > 1 and r.latex and r.figures
    header = r.table[0]
    rows = {(row[0], row[1]): dict(zip(header, row)) for row in r.table[1:]}
    assert rows[("NTK", "3")]["C (hypergeometric)"] == "1/pi"
    assert rows[("NNGP", "3")]["C (hypergeometric)"] == "3/pi"
    assert rows[("NTK", "3")]["mu_2"] == "5/64"


def test_two_layer_closed_forms():
    A, B = two_layer_spectrum.eigenvalue_parts()
    assert two_layer_spectrum.eigenvalue_closed_form(1, 2, 3) == sp.Rational(5, 64)
    assert two_layer_spectrum.eigenvalue_closed_form(sp.Rational(1, 2), 2, 3) == sp.Rational(13, 256)
    assert two_layer_spectrum.eigenvalue_closed_form(0, 2, 3) == sp.Rational(3, 128)
    assert two_layer_spectrum.eigenvalue_closed_form(0, 0, 3) == sp.Rational(3, 8)
    assert two_layer_spectrum.eigenvalue_closed_form(1, 0, 3) == sp.Rational(1, 2)
    assert two_layer_spectrum.eigenvalue_closed_form(0, 1, 3) == sp.Rational(1, 6)
    assert two_layer_spectrum.eigenvalue_closed_form(1, 5, 7) == 0
    Ck1, Ctk0 = two_layer_spectrum.decay_constants()
    d = two_layer_spectrum.d_
    assert sp.simplify(Ctk0 - 2 ** (d - 1) * sp.gamma(d / 2) ** 2 / sp.pi**2) == 0
    assert sp.simplify(Ck1 - 2**d * sp.gamma(d / 2) * sp.gamma(d / 2 + 1) / sp.pi**2) == 0
    # the leading-term extraction rejects a growing expression
    lp = sp.Symbol("l", positive=True)
    with pytest.raises(ValueError):
        two_layer_spectrum.limit_constant(sp.gamma(lp + 2) / sp.gamma(lp), lp, 1)


def test_two_layer_quadrature_is_independent():
    import numpy as np

    from symkernel.architectures import fc

    K = fc(1, "ntk")
    q = two_layer_spectrum.angle_quadrature(K, 3, 6)
    assert np.allclose(q[:5], [0.5, 1 / 3, 5 / 64, 0, 1 / 192], atol=1e-14)


def test_ntk_vs_laplace_passes(tmp_path):
    r = ntk_vs_laplace.run(quick=True, outdir=str(tmp_path))
    assert r.passed, "\n".join(f"{c.name}: {c.detail}" for c in r.checks if not c.passed)
    assert r.name == "ntk-vs-laplace" and r.figures and r.latex
    c, cp, cm = ntk_vs_laplace.matched_sharpness(ntk_vs_laplace.kernels(True)[1][1])
    assert sp.simplify(c - sp.sqrt(2) / sp.pi) == 0  # L = 2: c_L = L/(sqrt2 pi)
    assert cm != 0 and cp < 0


def test_ntk_vs_laplace_check_can_fail(monkeypatch):
    """With a Laplace sharpness 10% off, the ratios converge elsewhere and the report fails."""
    original = ntk_vs_laplace.matched_sharpness

    def off(K):
        c, cp, cm = original(K)
        return c * sp.Rational(11, 10), cp, cm

    monkeypatch.setattr(ntk_vs_laplace, "matched_sharpness", off)
    r = ntk_vs_laplace.run(quick=True)
    assert not r.passed
    assert any("mu_k[NTK/K(1)]" in c.name and not c.passed for c in r.checks)


def test_report_latex(two_layer_report):
    tex = report_to_latex(two_layer_report, document=True)
    assert tex.startswith(r"\documentclass") and r"\section*{two-layer-spectrum: all checks pass}" in tex
    assert r"\includegraphics" in tex and "Bietti" in tex


def test_registered_and_listed(capsys):
    reg = derivations.registry()
    assert reg["two-layer-spectrum"] is two_layer_spectrum
    assert reg["ntk-vs-laplace"] is ntk_vs_laplace
    assert main(["verify", "--list"]) == 0
    out = capsys.readouterr().out
    assert "two-layer-spectrum" in out and "ntk-vs-laplace" in out


def test_verify_command(capsys):
    assert main(["verify", "ntk-vs-laplace", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "== ntk-vs-laplace: PASS" in out and "1 passed, 0 failed" in out
