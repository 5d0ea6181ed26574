"""Reports of derivations: the claim, its source, a table, the checks with their numbers, LaTeX and figures.

Every module of :mod:`symkernel.derivations` returns a :class:`Report` from ``run(...)``; ``symkernel verify``
prints them and exits non-zero when a check fails.

The pieces every derivation shares live here: table entries that never read ``nan`` (:func:`cell`, with
:data:`EXACT_ZERO` for a parity class that vanishes identically and :data:`UNDEFINED` for a quantity that has
no value in a row, explained once in the notes by :meth:`Report.legend`), and figures written to a folder
(:meth:`Report.figure`, drawn by :func:`symkernel.plots.save_figure`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "Report", "cell", "EXACT_ZERO", "UNDEFINED"]

#: table entry of a quantity that vanishes identically (a parity class of eigenvalues that is exactly 0 by
#: the theory, the computed values being checked to be rounding noise)
EXACT_ZERO = "0 (exact)"
#: table entry of a quantity that has no value in this row (a ratio to a vanishing constant, the slope of a
#: class that is identically 0): :meth:`Report.legend` says why in the notes
UNDEFINED = "—"


def cell(value: Any, spec: str = "", zero: bool = False) -> str:
    """One table entry: ``format(value, spec)``, :data:`EXACT_ZERO` when the quantity vanishes identically
    (``zero``), :data:`UNDEFINED` when ``value`` is None or not a finite number (never ``nan``).

    Examples
    --------
    >>> cell(0.123456, ".3f"), cell(float("nan"), ".3f"), cell(1e-17, ".1e", zero=True)
    ('0.123', '—', '0 (exact)')
    """
    if zero:
        return EXACT_ZERO
    if value is None:
        return UNDEFINED
    try:
        finite = math.isfinite(value)
    except TypeError:  # exact or multiprecision numbers: finite unless they say otherwise
        finite = str(value).lower() not in ("nan", "inf", "-inf", "+inf", "zoo", "oo", "-oo")
    return format(value, spec) if finite else UNDEFINED


@dataclass
class Check:
    """One numerical check: what was compared, whether it held, and the numbers behind it."""

    name: str
    passed: bool
    detail: str = ""


@dataclass
class Report:
    """The result of a derivation.

    Attributes
    ----------
    name : registry name (``symkernel verify NAME``)
    claim : the statement, in words, with its conventions
    source : paper and equation/theorem it comes from
    table : rows of strings, the first row being the header
    checks : the independent numerical checks
    latex : LaTeX of the derivation (a snippet, amsmath)
    figures : paths of figures written
    """

    name: str
    claim: str
    source: str
    table: list[list[str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    latex: str = ""
    figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        """Record a check and return whether it passed."""
        self.checks.append(Check(name, bool(passed), detail))
        return bool(passed)

    def legend(self, entry: str, meaning: str) -> None:
        """Say once, in the notes, what a table entry such as :data:`UNDEFINED` means in this report."""
        note = f"table entry '{entry}': {meaning}"
        if note not in self.notes:
            self.notes.append(note)

    def figure(self, outdir: str | None, name: str, draw: Callable[..., Any], *args: Any, ncols: int = 1,
               figsize: tuple[float, float] = (6.4, 4.6), dpi: int = 120) -> str | None:
        """Draw a figure with ``draw(axes, *args)`` and write it to ``outdir/name`` (nothing without
        ``outdir``); the path is recorded in :attr:`figures` and returned.  See
        :func:`symkernel.plots.save_figure`."""
        if not outdir:
            return None
        from .plots import save_figure

        path = save_figure(os.path.join(outdir, name), draw, *args, ncols=ncols, figsize=figsize, dpi=dpi)
        self.figures.append(path)
        return path

    def text(self) -> str:
        """Plain-text rendering: claim, table, checks."""
        lines = [f"== {self.name}: {'PASS' if self.passed else 'FAIL'}", f"claim:  {self.claim}",
                 f"source: {self.source}"]
        if self.table:
            widths = [max(len(str(r[i])) for r in self.table if i < len(r))
                      for i in range(len(self.table[0]))]
            for j, row in enumerate(self.table):
                lines.append("  " + "  ".join(str(c).rjust(w) for c, w in zip(row, widths)))
                if j == 0:
                    lines.append("  " + "  ".join("-" * w for w in widths))
        for c in self.checks:
            mark = "ok" if c.passed else "FAIL"
            lines.append(f"  [{mark}] {c.name}" + (f": {c.detail}" if c.detail else ""))
        for n in self.notes:
            lines.append(f"  note: {n}")
        for f in self.figures:
            lines.append(f"  figure: {f}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "claim": self.claim, "source": self.source,
                "table": self.table, "checks": [c.__dict__ for c in self.checks], "latex": self.latex,
                "figures": self.figures, "notes": self.notes}
