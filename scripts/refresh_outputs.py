"""Re-execute notebooks in place so their committed outputs match the package.

Deterministic by design: no timing metadata is recorded, execution counts restart at 1, and
every cell must finish within 120 s. A cell that raises stops the run with its traceback.
Before executing, it makes the cell that installs nncourse in a downloaded copy the notebook's
first code cell (`scripts/install_cell.py`), so that no notebook can be left without it.

Usage: python scripts/refresh_outputs.py book/chapter.ipynb [...]
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from install_cell import ensure_install_cell

CELL_TIMEOUT_SECONDS = 120


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    ensure_install_cell(notebook)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # run where the notebook lives
        record_timing=False,  # timestamps would change the file on every run
        allow_errors=False,
    )
    client.execute()
    nbformat.write(notebook, path)
    print(f"refreshed {path}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for argument in sys.argv[1:]:
        refresh(Path(argument))
