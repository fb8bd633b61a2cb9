"""Every notebook starts with the cell that installs nncourse in a downloaded copy.

`scripts/install_cell.py` writes the cell (and `scripts/refresh_outputs.py`, behind `make outputs`,
calls it); `book/_ext/nncourse_wheel.py` writes the wheel's address into the copies the book's
download button serves. See `tests/browser/test_downloaded_notebook.py` for a downloaded notebook
run in a fresh environment.
"""

from pathlib import Path

import nbformat
import pytest
from helpers import load_module

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if "_build" not in p.parts)


install_cell = load_module(ROOT / "scripts" / "install_cell.py")
wheel_extension = load_module(ROOT / "book" / "_ext" / "nncourse_wheel.py")
WHEEL = "https://book.example.org/_static/wheels/nncourse-1.2.3-py3-none-any.whl"


def chapter(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    title = nbformat.v4.new_markdown_cell("(ch-x)=\n# X")
    return nbformat.v4.new_notebook(cells=[title, *cells])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_notebook_starts_with_the_install_cell(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    fix = (
        "run `make outputs`, or `python scripts/install_cell.py` then `scripts/refresh_outputs.py` "
        f"on {path.relative_to(ROOT)}"
    )
    assert code and install_cell.is_install_cell(code[0]), (
        f"{path.name}: the first code cell must install nncourse in a downloaded copy; {fix}"
    )
    first = code[0]
    assert first.source == install_cell.SOURCE, f"{path.name}: an outdated install cell; {fix}"
    assert first.metadata["tags"] == ["remove-cell", install_cell.TAG]
    assert first.outputs == [], f"{path.name}: where nncourse is installed, the cell prints nothing"
    assert sum(map(install_cell.is_install_cell, code)) == 1


def test_install_cell_goes_before_the_first_code_cell_once():
    imports = nbformat.v4.new_code_cell("import numpy as np")
    notebook = chapter(nbformat.v4.new_markdown_cell("Goals"), imports)
    assert install_cell.ensure_install_cell(notebook)
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "markdown", "code", "code"]
    assert install_cell.is_install_cell(notebook.cells[2])
    assert notebook.cells[3] is imports
    nbformat.validate(notebook)
    before = nbformat.writes(notebook)
    assert not install_cell.ensure_install_cell(notebook), "a second run must change nothing"
    assert nbformat.writes(notebook) == before


def test_outdated_or_misplaced_install_cells_are_replaced():
    old = nbformat.v4.new_code_cell("%pip install nncourse", metadata={"tags": [install_cell.TAG]})
    old.execution_count = 1
    notebook = chapter(old, nbformat.v4.new_code_cell("x = 1"))
    assert install_cell.ensure_install_cell(notebook)
    assert notebook.cells[1] is old  # updated in place, id kept
    assert old.source == install_cell.SOURCE and old.execution_count is None

    misplaced = nbformat.v4.new_code_cell(
        install_cell.SOURCE, metadata={"tags": [install_cell.TAG]}
    )
    notebook = chapter(nbformat.v4.new_code_cell("x = 1"), misplaced)
    assert install_cell.ensure_install_cell(notebook)
    sources = [cell.source for cell in notebook.cells[1:]]
    assert sources == [install_cell.SOURCE, "x = 1"]


def test_committed_cell_holds_no_address_and_the_download_gets_the_wheel():
    assert "http" not in install_cell.SOURCE
    notebook = chapter(nbformat.v4.new_code_cell("import numpy as np"))
    install_cell.ensure_install_cell(notebook)
    assert wheel_extension.write_address(notebook, WHEEL)
    assert f'%pip install --quiet "nncourse[book] @ {WHEEL}"' in notebook.cells[1].source
    again = WHEEL.replace("1.2.3", "1.2.4")  # a later build rewrites the copy it left
    assert wheel_extension.write_address(notebook, again)
    assert again in notebook.cells[1].source and WHEEL not in notebook.cells[1].source
    assert not wheel_extension.write_address(chapter(), WHEEL)


def test_every_downloadable_copy_is_rewritten(tmp_path):
    notebook = chapter(nbformat.v4.new_code_cell("import numpy as np"))
    install_cell.ensure_install_cell(notebook)
    for page in ("book/a.ipynb", "book/problem-sets/b.ipynb"):
        (tmp_path / "_sources" / page).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, tmp_path / "_sources" / page)
    nbformat.write(chapter(), tmp_path / "_sources" / "book" / "no-code.ipynb")
    assert wheel_extension.rewrite_downloads(tmp_path, WHEEL) == 2
    copy = nbformat.read(tmp_path / "_sources" / "book/problem-sets/b.ipynb", as_version=4)
    assert WHEEL in copy.cells[1].source


@pytest.mark.parametrize(
    ("baseurl", "address"),
    [
        ("https://nncourse.example.org/", "https://nncourse.example.org/_static/wheels/w.whl"),
        ("https://example.github.io/nncourse", "https://example.github.io/nncourse/_static/wheels/w.whl"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/_static/wheels/w.whl"),
    ],
)  # fmt: skip
def test_wheel_address_follows_the_base_url(baseurl, address):
    assert wheel_extension.wheel_address(baseurl, "w.whl") == address


def test_student_edition_installs_from_its_own_address():
    student = load_module(ROOT / "scripts" / "build_student_edition.py")
    main = {"html": {"baseurl": "https://example.github.io/nncourse"}}
    for setting, address in [
        ("student/", "https://example.github.io/nncourse/student/"),
        ("https://students.example.org/", "https://students.example.org/"),
    ]:
        config = {**main, "sphinx": {"config": {"nncourse_student_baseurl": setting}}}
        assert student.student_baseurl(config) == address
