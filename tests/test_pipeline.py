"""The book pipeline: configuration that must hold, and strict nbval catching stale outputs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if "_build" not in p.parts)


def load_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_book_renders_committed_outputs_and_fails_on_warnings():
    config = load_config()
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["only_build_toc_files"] is True
    assert config["sphinx"]["recursive_update"] is True
    assert {"amsmath", "dollarmath", "colon_fence"} <= set(
        config["parse"]["myst_enable_extensions"]
    )
    assert "sphinx-mathjax-offline" in config["sphinx"]["extra_extensions"]
    makefile = (ROOT / "Makefile").read_text()
    assert "-W" in makefile and "--keep-going" in makefile
    assert "--nbval-lax" not in makefile


def test_exactly_one_bibliography_directive():
    pages = [p for p in (ROOT / "book").rglob("*") if p.suffix in {".md", ".ipynb"}]
    holders = [p.name for p in pages if "{bibliography}" in p.read_text()]
    assert holders == ["references.md"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_is_committed_with_its_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    unrun = [
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        and "".join(cell["source"]).strip()
        and cell["execution_count"] is None
    ]
    assert not unrun, f"{notebook.name}: cells {unrun} were never executed; run `make outputs`"


def test_strict_nbval_fails_on_a_stale_output(tmp_path):
    """Change one committed output of a scratch copy: nbval must report that the outputs differ."""
    source = ROOT / "book" / "checking-derivatives.ipynb"
    scratch = tmp_path / "stale.ipynb"
    shutil.copy(source, scratch)
    notebook = json.loads(scratch.read_text())
    printed = next(
        output
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output.get("name") == "stdout"
    )
    printed["text"] = ["check passed: False (this output is stale on purpose)\n"]
    scratch.write_text(json.dumps(notebook))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--nbval",
            "--nbval-current-env",
            str(scratch),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "stale on purpose" in run.stdout
