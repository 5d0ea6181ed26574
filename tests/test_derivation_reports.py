"""The reports of the derivations (all but the conv ones, quick size): tables without ``nan``, every special
entry explained, figures written by the shared helper; and the helpers themselves."""

from __future__ import annotations

import math
import os
import re

import pytest

from symkernel import derivations
from symkernel.report import EXACT_ZERO, UNDEFINED, Report, cell

NAN = re.compile(r"\bnan\b", re.IGNORECASE)
#: spectral-bias trains networks (a minute even at the quick size); tests/test_dynamics.py runs it by default
SLOW = {"spectral-bias"}
NAMES = [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
         for n in derivations.registry() if not n.startswith("conv")]


@pytest.mark.parametrize("name", NAMES)
def test_report_tables_have_no_nan(name, tmp_path):
    pytest.importorskip("matplotlib")
    report = derivations.run(name, quick=True, outdir=str(tmp_path))
    assert report.passed, [f"{c.name}: {c.detail}" for c in report.checks if not c.passed]
    assert len(report.table) > 1 and all(len(row) == len(report.table[0]) for row in report.table)
    bad = [(i, j, c) for i, row in enumerate(report.table) for j, c in enumerate(row) if NAN.search(str(c))]
    assert not bad, f"nan in the table of {name}: {bad[:5]}"
    details = [c.detail for c in report.checks if NAN.search(c.detail)]
    assert not details, details
    assert not NAN.search(report.text())
    for entry in (EXACT_ZERO, UNDEFINED):
        if any(entry in str(c) for row in report.table[1:] for c in row):
            assert any(n.startswith(f"table entry '{entry}'") for n in report.notes), (
                f"{name}: the table uses {entry!r} without saying why")
    assert report.figures and all(os.path.getsize(f) > 10_000 for f in report.figures)
    assert all(os.path.dirname(f) == str(tmp_path) for f in report.figures)


@pytest.mark.parametrize("name, expected", [
    ("ntk-vs-laplace", {"limit odd": EXACT_ZERO, "err(k/4)/err(k)": " / " + UNDEFINED,
                        "slope NTK": ", " + UNDEFINED}),
    ("resnet-decay", {"A_odd": EXACT_ZERO, "mu_k k^d/A (odd)": UNDEFINED, "slope odd": UNDEFINED}),
])
def test_vanishing_odd_class_entries(name, expected):
    """The first row of these tables is a kernel whose odd class vanishes identically (the bias-free NTK
    with L = 1; the ResNTK with one block): its entries say so instead of printing nan."""
    report = derivations.run(name, quick=True)
    first = dict(zip(report.table[0], report.table[1]))
    for column, end in expected.items():
        assert first[column].endswith(end), (column, first[column])


def test_cell():
    assert cell(0.5, ".3f") == "0.500"
    assert cell(float("nan"), ".3f") == UNDEFINED and cell(None) == UNDEFINED
    assert cell(math.inf, ".1e") == UNDEFINED
    assert cell(1e-17, ".1e", zero=True) == EXACT_ZERO
    import mpmath

    assert cell(mpmath.mpf("0.25"), "") == "0.25" and cell(mpmath.nan, ".2f") == UNDEFINED


def test_report_helpers(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    r = Report("x", "claim", "source")
    r.legend(UNDEFINED, "why")
    r.legend(UNDEFINED, "why")
    assert r.notes == [f"table entry '{UNDEFINED}': why"]
    calls = []
    assert r.figure(None, "x.png", lambda ax: calls.append(ax)) is None and not calls and not r.figures
    backend = matplotlib.get_backend()

    def draw(axes, label):
        axes[0].plot([0, 1], [0, 1], label=label)
        axes[1].plot([0, 1], [1, 0])

    path = r.figure(str(tmp_path / "sub"), "f.png", draw, "line", ncols=2, figsize=(4, 2), dpi=50)
    assert path == str(tmp_path / "sub" / "f.png") and os.path.getsize(path) > 1000 and r.figures == [path]
    assert matplotlib.get_backend() == backend  # the object interface leaves the backend alone
