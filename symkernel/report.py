"""Reports of derivations: the claim, its source, a table, the checks with their numbers, LaTeX and figures.

Every module of :mod:`symkernel.derivations` returns a :class:`Report` from ``run(...)``; ``symkernel verify``
prints them and exits non-zero when a check fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Check", "Report"]


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
