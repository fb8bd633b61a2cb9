"""The nncourse wheel in the published book, for the notebooks readers download.

A reader who downloads a chapter's notebook (the download button serves the copy that Sphinx keeps
in `_sources/`) or opens it in Colab has no `nncourse`. Each notebook's first code cell installs it
when it is missing (`scripts/install_cell.py` writes that cell, tagged `remove-cell` so that the
HTML page leaves it out). The committed cell holds no address; after an HTML build, this extension

- builds the package's wheel offline, from the build's own environment
  (`python -m build --wheel --no-isolation`, on a copy of the package's sources in a temporary
  folder, so that the source tree gets no `build/` or `*.egg-info`), and puts it in the site at
  `_static/wheels/nncourse-<version>-py3-none-any.whl`;
- writes the wheel's absolute address into the install cell of every downloadable notebook,
  `_sources/**/*.ipynb`. The address is derived from `html_baseurl` (`html.baseurl` in
  `_config.yml`, the one place that says where the book is published), or from
  `nncourse_wheel_baseurl` when that is set: the student edition sets it to its own address,
  `nncourse_student_baseurl` (see `scripts/build_student_edition.py`).
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

WHEEL_FOLDER = "_static/wheels"
INSTALL_TAG = "install-nncourse"  # the install cell's tag, besides `remove-cell`
# What a wheel is built from: the files pyproject.toml names, and the package.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "nncourse")
# The requirement in the install cell: `nncourse[book] @ <address>`; the address is rewritten.
REQUIREMENT = re.compile(r"(nncourse\[book\] @ )[^\"'\s]+")


def build_wheel(project: Path, outdir: Path) -> Path:
    """Build the wheel of the package at `project` into `outdir`, offline; return its path."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nncourse-wheel-") as scratch:
        copy = Path(scratch) / "src"
        copy.mkdir()
        for name in PACKAGE_SOURCES:
            source = project / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(source, copy / name, ignore=ignore)
            else:
                shutil.copy2(source, copy / name)
        command = [sys.executable, "-m", "build", "--wheel", "--no-isolation"]
        result = subprocess.run(
            [*command, "--outdir", str(outdir), str(copy)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise ExtensionError(f"the nncourse wheel does not build:\n{result.stdout}{result.stderr}")
    wheels = sorted(outdir.glob("nncourse-*-py3-none-any.whl"))
    if len(wheels) != 1:
        raise ExtensionError(f"expected one nncourse wheel in {outdir}, found {len(wheels)}")
    return wheels[0]


def wheel_address(baseurl: str, wheel_name: str) -> str:
    """The wheel's absolute address on a site published at `baseurl`."""
    if not baseurl:
        raise ExtensionError("html.baseurl in _config.yml is empty: the wheel needs an address")
    folder = baseurl if baseurl.endswith("/") else baseurl + "/"
    return urljoin(folder, f"{WHEEL_FOLDER}/{wheel_name}")


def write_address(notebook: nbformat.NotebookNode, address: str) -> bool:
    """Put `address` into the notebook's install cell; False if it has no install cell."""
    found = False
    for cell in notebook.cells:
        if cell.cell_type == "code" and INSTALL_TAG in cell.metadata.get("tags", []):
            source, count = REQUIREMENT.subn(lambda match: match[1] + address, cell.source)
            if count != 1:
                raise ExtensionError(f"an install cell without `nncourse[book] @ `:\n{cell.source}")
            cell.source = source
            found = True
    return found


def rewrite_downloads(site: Path, address: str) -> int:
    """Write `address` into every downloadable notebook of the site; return how many hold it."""
    rewritten = 0
    for path in sorted((site / "_sources").rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if write_address(notebook, address):
            nbformat.write(notebook, path)
            rewritten += 1
    return rewritten


def publish_wheel(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / WHEEL_FOLDER
    if folder.exists():
        shutil.rmtree(folder)  # a wheel of an older version must not stay behind
    wheel = build_wheel(Path(app.srcdir), folder)
    baseurl = app.config.nncourse_wheel_baseurl or app.config.html_baseurl
    address = wheel_address(baseurl, wheel.name)
    count = rewrite_downloads(Path(app.outdir), address)
    logger.info(f"nncourse wheel: {WHEEL_FOLDER}/{wheel.name}, installed by {count} notebooks")


def setup(app: Sphinx) -> dict:
    # The address downloaded notebooks install the wheel from; empty means html_baseurl.
    app.add_config_value("nncourse_wheel_baseurl", "", "html", types=[str])
    # Where the student edition is published (absolute, or relative to html_baseurl);
    # scripts/build_student_edition.py passes it on as nncourse_wheel_baseurl.
    app.add_config_value("nncourse_student_baseurl", "", "html", types=[str])
    app.connect("build-finished", publish_wheel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
