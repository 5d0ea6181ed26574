"""The convolutional derivations (issue 6) run in their quick size and every check passes."""

from __future__ import annotations

import pytest

from symkernel.derivations import get, registry


@pytest.mark.parametrize("name", ["conv-eigenfunctions", "conv-decay", "conv-hierarchy"])
def test_conv_derivation_quick(name, tmp_path):
    assert name in registry()
    report = get(name).run(quick=True, outdir=str(tmp_path))
    failed = [c for c in report.checks if not c.passed]
    assert report.passed, "\n".join(f"{c.name}: {c.detail}" for c in failed)
    assert report.table and report.latex.startswith("\\begin{gather*}")
    assert report.figures and all((tmp_path / p.split("/")[-1]).exists() for p in report.figures)
    assert name in report.text()
