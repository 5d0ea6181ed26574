"""The derivations ``fc-decay`` and ``deep-equals-shallow`` (quick size): all checks pass, figures written."""

from __future__ import annotations

import os

import pytest
import sympy as sp

from symkernel import derivations
from symkernel.derivations import deep_equals_shallow, fc_decay


@pytest.fixture(scope="module")
def fc_report(tmp_path_factory):
    return fc_decay.run(quick=True, outdir=str(tmp_path_factory.mktemp("fc")))


@pytest.fixture(scope="module")
def des_report(tmp_path_factory):
    return deep_equals_shallow.run(quick=True, outdir=str(tmp_path_factory.mktemp("des")))


def test_registered():
    reg = derivations.registry()
    assert reg["fc-decay"] is fc_decay and reg["deep-equals-shallow"] is deep_equals_shallow


def test_fc_decay_passes(fc_report):
    failed = [(c.name, c.detail) for c in fc_report.checks if not c.passed]
    assert fc_report.passed, failed
    assert len(fc_report.checks) > 40
    assert len(fc_report.table) == 1 + 2 * 4 * 2  # header + (ntk, nngp) x depths 1-4 x d in {2, 3}
    assert fc_report.figures and all(f.endswith(".png") for f in fc_report.figures)
    assert r"\kappa_0" in fc_report.latex and "FAIL" not in fc_report.text()


def test_des_passes(des_report):
    failed = [(c.name, c.detail) for c in des_report.checks if not c.passed]
    assert des_report.passed, failed
    assert any("norm equivalence" in c.name for c in des_report.checks)
    assert des_report.figures


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_closed_form_constants(depth):
    cp, cm, nu = fc_decay.closed_form_constants(depth, "ntk")
    assert nu == sp.Rational(1, 2) and sp.simplify(cp + depth * (depth + 1) / (sp.sqrt(2) * sp.pi)) == 0
    gp, gm, gnu = fc_decay.closed_form_constants(depth, "nngp")
    assert gnu == sp.Rational(3, 2)
    # c_- of NTK and NNGP share the product of kappa_0 at the interior correlations
    assert abs(sp.N(cm / gm + sp.Rational(3, 2), 30)) < 1e-25
    if depth == 1:
        assert cp == cm and gp == gm  # two-layer: c_+ = c_-, odd eigenvalues vanish


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("SYMKERNEL_FULL"), reason="full-size derivation runs (minutes); set SYMKERNEL_FULL=1"
)
@pytest.mark.parametrize("mod", [fc_decay, deep_equals_shallow])
def test_full_size(mod, tmp_path):
    assert mod.run(quick=False, outdir=str(tmp_path)).passed
