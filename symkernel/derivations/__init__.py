"""Derivations: one module per claim of the reference papers, registered for ``symkernel verify``.

Each module defines ``NAME`` (the registry name), ``CLAIM``, ``SOURCE`` and
``run(quick: bool = True, outdir: str | None = None) -> symkernel.report.Report``: it states the claim,
derives it (SymPy), checks it numerically by an independent route, and returns the report (table, checks,
LaTeX, figures written to ``outdir`` when given).  ``quick=True`` is the size used by the test suite and by
``symkernel verify``; ``quick=False`` runs the full-size version.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["registry", "get", "run"]


def registry() -> dict[str, ModuleType]:
    """All derivation modules of this package, by ``NAME``."""
    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "run") and hasattr(mod, "NAME"):
            found[mod.NAME] = mod
    return dict(sorted(found.items()))


def get(name: str) -> ModuleType:
    from ..errors import ParameterError

    reg = registry()
    if name not in reg:
        raise ParameterError("name", name, f"one of: {', '.join(reg) or '(none)'}")
    return reg[name]


def run(name: str, quick: bool = True, outdir: str | None = None):
    """Run one derivation and return its report."""
    return get(name).run(quick=quick, outdir=outdir)
