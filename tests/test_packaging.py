"""The nncourse wheel: built offline, with every module of the source tree and the book's extra.

The wheel is built as `make book` builds the one it puts in the site (`book/_ext/nncourse_wheel.py`:
`python -m build --wheel --no-isolation`, from the pinned environment, on a copy of the sources).
"""

import ast
import importlib.metadata
import importlib.util
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import tomllib
from helpers import load_module
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import nncourse

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if "_build" not in p.parts)
# Pages that render files of the repository, so that a downloaded copy cannot run anyway
RENDER_REPOSITORY_FILES = {"book/problem-sets/errata.ipynb"}  # errata.yml and _toc.yml


wheel_extension = load_module(ROOT / "book" / "_ext" / "nncourse_wheel.py")


def test_wheel_holds_every_module_of_the_source_tree(tmp_path):
    wheel = wheel_extension.build_wheel(ROOT, tmp_path)
    version = nncourse.__version__
    assert wheel.name == f"nncourse-{version}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "nncourse").rglob("*.py")}
    assert "nncourse/__init__.py" in modules
    missing = sorted(modules - names)
    assert not missing, f"the wheel lacks modules of the source tree: {missing}"
    metadata = zipfile.ZipFile(wheel).read(f"nncourse-{version}.dist-info/METADATA").decode()
    assert "Provides-Extra: book" in metadata


def test_pyproject_finds_every_subpackage():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert "packages" not in setuptools or "find" in setuptools["packages"], (
        "a fixed list of packages silently leaves a new subpackage out of the wheel"
    )
    assert setuptools["packages"]["find"]["include"] == ["nncourse*"]


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a code cell imports (IPython magics left out)."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def with_dependencies(names: set[str]) -> set[str]:
    """The distributions `names` and everything they require, as installed here."""
    found, queue = set(), list(names)
    while queue:
        name = canonicalize_name(queue.pop())
        if name in found:
            continue
        found.add(name)
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for requirement in map(Requirement, requirements):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                queue.append(requirement.name)
    return found


def test_book_extra_brings_what_the_notebooks_import():
    """A downloaded notebook installs `nncourse[book]`: that must bring every library it imports."""
    project = PYPROJECT["project"]
    required = project["dependencies"] + project["optional-dependencies"]["book"]
    installed = with_dependencies({Requirement(text).name for text in required})
    provided_by_jupyter = {"IPython", "ipywidgets"}
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for path in NOTEBOOKS:
        if path.relative_to(ROOT).as_posix() in RENDER_REPOSITORY_FILES:
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                imported |= imported_modules(cell.source)
    third_party = imported - set(sys.stdlib_module_names) - provided_by_jupyter - {"nncourse"}
    missing = sorted(
        module
        for module in third_party
        if not {canonicalize_name(d) for d in distributions.get(module, [module])} & installed
    )
    assert not missing, f"add to the `book` extra in pyproject.toml what provides: {missing}"


def test_requirements_pin_what_builds_the_wheel_offline():
    assert PYPROJECT["build-system"]["requires"] == ["setuptools>=77"]
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M)
    )
    assert Version(pins["setuptools"]) >= Version("77"), "license = 'MIT' needs setuptools 77"
    assert "build" in pins
    makefile = (ROOT / "Makefile").read_text()
    assert "python -m build --no-isolation" in makefile, "make dist builds offline, as make book"
