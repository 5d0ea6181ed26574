"""The ResNet derivations (resnet-decay, resnet-laplace, resnet-regimes) run and their checks hold."""

from __future__ import annotations

import importlib
import os

import pytest

MODULES = ("resnet_decay", "resnet_laplace", "resnet_regimes")
NAMES = {m: m.replace("_", "-") for m in MODULES}


def _module(name):
    return importlib.import_module(f"symkernel.derivations.{name}")


@pytest.mark.parametrize("name", MODULES)
def test_quick_run_passes(name, tmp_path):
    mod = _module(name)
    assert mod.NAME == NAMES[name] and mod.CLAIM and mod.SOURCE
    report = mod.run(quick=True, outdir=str(tmp_path))
    failed = [f"{c.name}: {c.detail}" for c in report.checks if not c.passed]
    assert report.passed, failed
    assert len(report.checks) >= 5
    assert len(report.table) > 2 and all(len(row) == len(report.table[0]) for row in report.table)
    assert report.latex.startswith(r"\begin{gather*}") and report.latex.rstrip().endswith(r"\end{gather*}")
    assert report.figures and all(os.path.getsize(f) > 10_000 for f in report.figures)
    assert report.name in report.text()


def test_registered():
    from symkernel.derivations import registry

    reg = registry()
    for name in MODULES:
        assert NAMES[name] in reg


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_full_run_passes(name, tmp_path):
    report = _module(name).run(quick=False, outdir=str(tmp_path))
    assert report.passed, [f"{c.name}: {c.detail}" for c in report.checks if not c.passed]
