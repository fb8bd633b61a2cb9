"""Give notebooks, as their first code cell, the cell that installs nncourse where it is missing.

A reader who downloads a chapter's notebook from the book, or opens it in Colab, has no nncourse.
This cell installs the package's wheel from the book's site, with the `book` extra (the libraries
the chapters use), when `nncourse` cannot be imported; where it can, the cell does nothing and
prints nothing, so its committed output is empty. The `remove-cell` tag leaves it out of the HTML
pages. The committed cell holds no address: the book's build writes the wheel's address, derived
from `html.baseurl`, into the copies readers download (`book/_ext/nncourse_wheel.py`).

Idempotent: a notebook whose first code cell is already the current install cell is not touched.
An install cell elsewhere, or an older version of it, is replaced. `scripts/refresh_outputs.py`
calls this before it executes a notebook, so `make outputs` keeps every notebook's cell current.

Usage: python scripts/install_cell.py book/chapter.ipynb [...]
"""

import sys
from pathlib import Path

import nbformat

TAG = "install-nncourse"
TAGS = ["remove-cell", TAG]
SOURCE = (
    "# Installs nncourse, with the libraries the chapters use, where it is missing: on Colab or\n"
    "# in a notebook downloaded from the book. Where nncourse is installed, it does nothing.\n"
    "import importlib.util\n"
    "\n"
    'if importlib.util.find_spec("nncourse") is None:\n'
    '    %pip install --quiet "nncourse[book] @ WHEEL_URL"'  # the book's build fills in WHEEL_URL
)


def is_install_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def first_code_cell(notebook: nbformat.NotebookNode) -> int:
    """Index of the first code cell, or the number of cells if there is none."""
    return next(
        (i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"),
        len(notebook.cells),
    )


def new_install_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(SOURCE, metadata={"tags": list(TAGS)})
    if (notebook.nbformat, notebook.nbformat_minor) < (4, 5):
        del cell["id"]  # cell ids arrived with nbformat 4.5
    return cell


def ensure_install_cell(notebook: nbformat.NotebookNode) -> bool:
    """Make the install cell the notebook's first code cell, in place; True if anything changed."""
    first = first_code_cell(notebook)
    installs = [i for i, cell in enumerate(notebook.cells) if is_install_cell(cell)]
    if installs == [first]:
        cell = notebook.cells[first]
        if cell.source == SOURCE and cell.metadata.get("tags") == TAGS:
            return False
        cell.source = SOURCE
        cell.metadata["tags"] = list(TAGS)
        cell.outputs = []
        cell.execution_count = None
        return True
    notebook.cells = [cell for cell in notebook.cells if not is_install_cell(cell)]
    notebook.cells.insert(first_code_cell(notebook), new_install_cell(notebook))
    return True


def main(paths: list[str]) -> None:
    for argument in paths:
        path = Path(argument)
        notebook = nbformat.read(path, as_version=4)
        if ensure_install_cell(notebook):
            nbformat.write(notebook, path)
            print(f"{path}: install cell written; run `make outputs` to execute it")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
