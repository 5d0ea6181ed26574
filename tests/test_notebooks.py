"""Execute every notebook of notebooks/ headless (nbclient) so that they never rot.

The kernel is the running interpreter (a kernelspec pointing at ``sys.executable`` is written to a temporary
Jupyter data directory), so the notebooks see the same symkernel as the tests.  Skipped only when nbclient,
nbformat or ipykernel is not installed (they are in the ``test`` extra).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL_NAME = "symkernel-tests"
#: seconds per cell (each notebook is meant to run in about 30 s)
CELL_TIMEOUT = 300


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernelspec for the running interpreter in a private Jupyter path."""
    data = tmp_path_factory.mktemp("jupyter")
    spec = data / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "symkernel tests", "language": "python"}))
    old = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "MPLBACKEND", "PYDEVD_DISABLE_FILE_VALIDATION")}
    os.environ["JUPYTER_PATH"] = str(data) + (os.pathsep + old["JUPYTER_PATH"] if old["JUPYTER_PATH"] else "")
    os.environ.pop("MPLBACKEND", None)  # the inline backend of the kernel
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    yield KERNEL_NAME
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert {"getting_started.ipynb", "two_layer_spectrum.ipynb", "ntk_vs_laplace.ipynb"} <= names


def test_one_notebook_per_derivation():
    from symkernel import derivations

    missing = [n for n in derivations.registry() if f"{n.replace('-', '_')}.ipynb" not in
               {p.name for p in NOTEBOOKS}]
    assert not missing, f"no notebook for {missing}: run `python notebooks/_build.py`"


def test_notebooks_have_parameters_first():
    for path in NOTEBOOKS:
        nb = nbformat.read(str(path), as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert "parameters" in first.metadata.get("tags", []), path.name
        assert first.source.lstrip().startswith("# parameters"), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_name, tmp_path):
    nb = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"{path.name}: {str(exc)[-3000:]}")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    images = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    if path.stem in ("getting_started", "two_layer_spectrum", "ntk_vs_laplace"):
        assert images >= 1, f"{path.name}: no inline plot"
