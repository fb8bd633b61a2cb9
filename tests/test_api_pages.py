"""The API reference: one page per public module of nncourse, each generated from its `__all__`.

The built pages are checked in `tests/browser/test_api_reference.py` (every name has its entry);
here, without a build: every module has its page, in `_toc.yml` and linked from `book/api.md`,
and the generator groups, orders and names what it documents as a reader expects.
"""

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import pytest
import yaml

import nncourse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import nncourse_api  # noqa: E402

# every public module of the package, whether or not `import nncourse` imports it
MODULES = sorted(
    module.name for module in pkgutil.iter_modules(nncourse.__path__) if module.name[0] != "_"
)


def toc_files() -> list[str]:
    files = []

    def walk(node) -> None:
        if isinstance(node, dict):
            files.extend(node[key] for key in ("root", "file") if key in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return files


def test_the_api_pages_cover_every_public_module():
    assert {"nn", "optim", "activations", "data"} <= set(MODULES)
    pages = {path.stem for path in (ROOT / "book" / "api").glob("*.md")}
    assert pages == set(MODULES), "one page book/api/<module>.md per module of nncourse.__all__"


@pytest.mark.parametrize("module", MODULES)
def test_each_module_page_is_generated_listed_and_linked(module):
    page = (ROOT / "book" / "api" / f"{module}.md").read_text()
    assert f"(api-{module})=" in page.splitlines()[0]
    assert f"```{{nncourse-api}} nncourse.{module}\n" in page
    assert f"book/api/{module}" in toc_files()
    index = (ROOT / "book" / "api.md").read_text()
    assert f"<api/{module}>`" in index, f"book/api.md has no paragraph linking to {module}"


@pytest.mark.parametrize("module", MODULES)
def test_the_generator_documents_exactly_the_names_of_all(module):
    name = f"nncourse.{module}"
    groups = nncourse_api.grouped_names(name, [])
    documented = [entry for _, names in groups for entry in names]
    assert sorted(documented) == sorted(importlib.import_module(name).__all__)
    assert len(documented) == len(set(documented))


def test_a_package_is_grouped_by_submodule_in_the_order_asked_then_by_source():
    groups = dict(nncourse_api.grouped_names("nncourse.nn", ["module", "linear"]))
    homes = list(groups)
    assert homes[:2] == ["nncourse.nn.module", "nncourse.nn.linear"]
    for home, names in groups.items():
        lines = [inspect.getsourcelines(getattr(nncourse.nn, name))[1] for name in names]
        assert lines == sorted(lines), (home, names)


def test_private_base_classes_are_shown_by_their_public_ancestors():
    class _Hidden(nncourse.nn.Module):
        pass

    class Shown(_Hidden):
        pass

    bases = [_Hidden]
    nncourse_api.public_bases(None, "Shown", Shown, {}, bases)
    # nncourse.nn exports Module from its submodule: it is named as the package exports it
    assert bases == [":py:class:`~nncourse.nn.Module`"]

    bases = [nncourse.tlu.TLU]  # a class of a single-file module keeps its own path
    nncourse_api.public_bases(None, "X", object, {}, bases)
    assert bases == [nncourse.tlu.TLU]


def test_the_type_aliases_of_the_docstrings_point_at_documented_public_paths():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    aliases = config["sphinx"]["config"]["napoleon_type_aliases"]
    for alias, target in aliases.items():
        module, _, name = target.rpartition(".")
        assert name in importlib.import_module(module).__all__, (alias, target)
