"""One page of the API reference per module of `nncourse`, generated from the module itself.

A page `book/api/<module>.md` holds its own introduction and one directive:

    ```{nncourse-api} nncourse.nn
    :order: module linear conv
    :exclude-members: function, gradient
    ```

which writes, from the module's `__all__`:

1. the module's docstring (`automodule` without members: the target of ``:mod:`nncourse.nn` ``);
2. a table of every public name with the first line of its docstring (`autosummary`), so a reader
   sees the whole module on one screen before the full entries;
3. the full entries, each documented by its public path (`autoclass:: nncourse.nn.Linear`), in
   the order of the source. Names defined in a submodule of a package (`nncourse/nn/linear.py`)
   are grouped in a section per submodule, with the submodule's docstring; `:order:` lists the
   submodules that come first. Documenting by public path, not by `__module__`, keeps every
   target (`nncourse.nn.Linear`, the `napoleon_type_aliases`) the same whether a module is a
   single file or a package.

Base classes shown by `show-inheritance` are given by their public path too: a private base
(`_Loss`) is replaced by its own public bases, and a class exported by a package is named as the
package exports it (`nncourse.nn.Module`, not `nncourse.nn.module.Module`).
"""

import importlib
import inspect
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.utils import new_document
from myst_parser.mocking import MockRSTParser
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective


def public_names(module_name: str) -> list[str]:
    """The names a module exports, from its `__all__`."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        raise ValueError(f"{module_name} has no __all__: the API page lists what it exports")
    return list(names)


def defining_module(module_name: str, name: str) -> str:
    """Where `module_name.name` is defined: the module itself, or one of its submodules."""
    obj = getattr(importlib.import_module(module_name), name)
    home = getattr(obj, "__module__", None) if inspect.isclass(obj) or callable(obj) else None
    return home if home and home.startswith(module_name + ".") else module_name


def _source_position(module_name: str, name: str) -> tuple:
    """A sort key that puts a name where its definition is in the source."""
    obj = getattr(importlib.import_module(module_name), name)
    home = defining_module(module_name, name)
    defined_as = getattr(obj, "__name__", name) if home != module_name else name
    try:
        analyzer = ModuleAnalyzer.for_module(home)
        analyzer.analyze()
        order = analyzer.tagorder
    except Exception:  # no source to analyse: keep the order of __all__
        order = {}
    return (order.get(defined_as, len(order)),)


def grouped_names(module_name: str, first: list[str]) -> list[tuple[str, list[str]]]:
    """Public names grouped by the (sub)module that defines them, each group in source order.

    The module's own names come first, then the submodules named in `first`, then the others.
    """
    groups: dict[str, list[str]] = {}
    for name in public_names(module_name):
        groups.setdefault(defining_module(module_name, name), []).append(name)
    wanted = [module_name] + [f"{module_name}.{short}" for short in first]
    order = [home for home in wanted if home in groups]
    order += sorted(home for home in groups if home not in order)
    return [
        (home, sorted(groups[home], key=lambda name: _source_position(module_name, name)))
        for home in order
    ]


def _autodoc_directive(module_name: str, name: str) -> str:
    obj = getattr(importlib.import_module(module_name), name)
    if inspect.ismodule(obj):
        return "automodule"
    if inspect.isclass(obj):
        return "autoclass"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "autofunction"
    return "autodata"


def _first_line(module_name: str) -> str:
    doc = inspect.getdoc(importlib.import_module(module_name)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


class ApiModule(SphinxDirective):
    """The generated part of a module's API page (see the module docstring)."""

    required_arguments = 1
    option_spec: ClassVar[dict] = {
        "order": directives.unchanged,
        "exclude-members": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        module_name = self.arguments[0]
        first = (self.options.get("order") or "").split()
        excluded = self.options.get("exclude-members", "")
        groups = grouped_names(module_name, first)

        lines = [f".. automodule:: {module_name}", "   :no-members:", ""]
        lines += [".. rubric:: In this module", "", ".. autosummary::", "   :nosignatures:", ""]
        lines += [f"   {name}" for _, names in groups for name in names]  # in the current module
        lines += ["", f".. py:currentmodule:: {module_name}", ""]
        for home, names in groups:
            if home != module_name:
                # a submodule of a package: a section with a target for :mod: references and
                # its docstring's first line; its entries keep their public path
                title = f"``{home}``"
                lines += [title, "-" * len(title), "", f".. py:module:: {home}", ""]
                lines += [f".. py:currentmodule:: {module_name}", "", _first_line(home), ""]
            for name in names:
                directive = _autodoc_directive(module_name, name)
                lines += [f".. {directive}:: {module_name}.{name}"]
                if directive == "autoclass":
                    lines += ["   :members:", "   :show-inheritance:"]
                    if excluded:
                        lines += [f"   :exclude-members: {excluded}"]
                if directive == "automodule":  # a submodule the module exports by name
                    lines += ["   :no-members:", "", f".. py:currentmodule:: {module_name}"]
                lines += [""]
        return self._parse_rst("\n".join(lines))

    def _parse_rst(self, text: str) -> list[nodes.Node]:
        """Parse generated reStructuredText, as MyST's `{eval-rst}` does, into this page."""
        document = self.state.document
        _, line = self.get_source_info()
        generated = new_document(document["source"], document.settings)
        generated.reporter = document.reporter
        MockRSTParser().parse("\n" * max(line - 1, 0) + text, generated)
        for node in generated:
            if node["names"]:
                document.note_explicit_target(node, node)
        return generated.children


def public_bases(app: Sphinx, name: str, obj, options, bases: list) -> None:
    """Show base classes by their public path, replacing private ones by their public bases."""
    public = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if base.__name__.startswith("_"):
            pending[:0] = [b for b in base.__bases__ if b is not object]
            continue
        # a class of a package's submodule (nncourse.nn.module.Module) that the package exports
        package = base.__module__.rpartition(".")[0]
        exported = None
        if package.startswith("nncourse."):
            module = importlib.import_module(package)
            if base.__name__ in getattr(module, "__all__", ()):
                exported = getattr(module, base.__name__)
        if exported is base:
            public.append(f":py:class:`~{package}.{base.__name__}`")
        elif base not in public:
            public.append(base)
    bases[:] = public


def no_borrowed_docstring(app: Sphinx, what: str, name: str, obj, options, lines: list) -> None:
    """A constant without a `#:` comment of its own shows no docstring, not that of its type
    (a dict's "dict() -> new empty dictionary ..."), in its entry and in the summary table."""
    borrowed = inspect.getdoc(type(obj)) if what in {"data", "attribute"} else None
    if borrowed and lines and lines[0].strip() == borrowed.splitlines()[0].strip():
        lines[:] = []


def setup(app: Sphinx) -> dict:
    app.add_directive("nncourse-api", ApiModule)
    app.connect("autodoc-process-bases", public_bases)
    app.connect("autodoc-process-docstring", no_borrowed_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
