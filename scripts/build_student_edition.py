"""Build the student edition: the book with every exercise solution left out.

The sources are copied to OUT/src and every solution is cut from the copy: gated solutions
(the `{solution-start}` ... `{solution-end}` markdown and every cell between them, code cells
included) and `{solution}` directives; the pages of LEFT_OUT_PAGES (the errata of the problem
sets, whose links point into solutions) are deleted and dropped from the copy's `_toc.yml`.
Sphinx then builds OUT/html from the copy:

    jupyter-book config sphinx OUT/src
    sphinx-build -W --keep-going -b html OUT/src OUT/html

Cutting the sources, rather than setting sphinx-exercise's `hide_solutions`, is what keeps the
solutions out of everything the book publishes: `hide_solutions` fails on gated solutions
(sphinx-exercise 1.2.1), and Sphinx copies each page's source into `_sources/` for the
download button, so the copy must not hold a solution in the first place.

The student edition is published at its own address, `nncourse_student_baseurl` under
`sphinx: config:` in `_config.yml` (absolute, or relative to `html.baseurl`): its downloadable
notebooks install the nncourse wheel from there (`book/_ext/nncourse_wheel.py`).

Usage: python scripts/build_student_edition.py [OUT]   (OUT defaults to _build/student)
"""

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "_build", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis", ".ipynb_checkpoints", ".jupyter_cache",
)  # fmt: skip

# Pages the student edition leaves out: the errata page links into the worked solutions
LEFT_OUT_PAGES = ("book/problem-sets/errata",)

# The opening fence of a MyST directive, with backticks or colons (colon_fence), e.g. ```{solution}
DIRECTIVE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")


class SolutionMarkupError(ValueError):
    """A solution whose markup does not close, or closes what was never opened."""


@dataclass
class Solution:
    """One solution cut from a page: where it was and the text it held."""

    page: str
    label: str
    lines: list[str] = field(default_factory=list)
    code_cells: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines) + "\n".join(self.code_cells)


def _closes(line: str, fence: str) -> bool:
    """Whether `line` closes a directive opened with `fence` (same character, at least as long)."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


class _SolutionCutter:
    """Reads a page's Markdown line by line and its code cells in order; keeps all but solutions.

    States: outside a solution; inside the `{solution-start}` directive's own fence (its
    options); inside a gated solution; inside the `{solution-end}` directive's fence; inside a
    `{solution}` directive.
    """

    def __init__(self, page: str):
        self.page = page
        self.state = "outside"
        self.fence = ""
        self.solutions: list[Solution] = []

    @property
    def inside(self) -> bool:
        return self.state != "outside"

    def markdown(self, text: str) -> str:
        kept = []
        for line in text.splitlines(keepends=True):
            if self._cut(line):
                self.solutions[-1].lines.append(line)
            else:
                kept.append(line)
        return "".join(kept)

    def code(self, source: str) -> bool:
        """Whether a code cell is kept; a cell inside a gated solution is part of the solution."""
        if self.inside:
            self.solutions[-1].code_cells.append(source)
            return False
        return True

    def finish(self) -> list[Solution]:
        if self.inside:
            label = self.solutions[-1].label
            raise SolutionMarkupError(f"{self.page}: solution {label!r} is never closed")
        return self.solutions

    def _cut(self, line: str) -> bool:
        directive = DIRECTIVE.match(line)
        name = directive["name"] if directive else None
        if self.state == "outside":
            if name == "solution-end":
                raise SolutionMarkupError(
                    f"{self.page}: {{solution-end}} without {{solution-start}}"
                )
            if name in {"solution-start", "solution"}:
                label = directive["argument"].strip()
                self.solutions.append(Solution(page=self.page, label=label))
                self.state = "start-fence" if name == "solution-start" else "plain"
                self.fence = directive["fence"]
                return True
            return False
        if self.state == "plain":
            if _closes(line, self.fence):
                self.state = "outside"
            return True
        if self.state == "start-fence":
            if _closes(line, self.fence):
                self.state = "gated"
            return True
        if self.state == "gated":
            if name in {"solution-start", "solution"}:
                raise SolutionMarkupError(
                    f"{self.page}: a solution opens inside solution {self.solutions[-1].label!r}"
                )
            if name == "solution-end":
                self.state, self.fence = "end-fence", directive["fence"]
            return True
        if _closes(line, self.fence):  # state "end-fence"
            self.state = "outside"
        return True


def cut_markdown(text: str, page: str) -> tuple[str, list[Solution]]:
    """A Markdown page (MyST) without its solutions, and the solutions cut from it."""
    cutter = _SolutionCutter(page)
    kept = cutter.markdown(text)
    return kept, cutter.finish()


def cut_notebook(notebook: nbformat.NotebookNode, page: str) -> list[Solution]:
    """Remove every solution from `notebook` in place; return the solutions removed."""
    cutter = _SolutionCutter(page)
    kept_cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = cutter.markdown(cell.source)
            if cell.source.strip():
                kept_cells.append(cell)
        elif cutter.code(cell.source):
            kept_cells.append(cell)
    notebook.cells = kept_cells
    return cutter.finish()


def cut_page(path: Path, page: str) -> list[Solution]:
    """Cut the solutions out of one source file in place."""
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        solutions = cut_notebook(notebook, page)
        if solutions:
            nbformat.write(notebook, path)
        return solutions
    text, solutions = cut_markdown(path.read_text(encoding="utf-8"), page)
    if solutions:
        path.write_text(text, encoding="utf-8")
    return solutions


def book_pages(source: Path) -> list[Path]:
    """Every page under `source`: its Markdown and notebook files."""
    return sorted(
        path
        for pattern in ("*.md", "*.ipynb")
        for path in source.rglob(pattern)
        if not any(part.startswith((".", "_build")) for part in path.relative_to(source).parts)
        and path.name not in {"README.md", "CHANGELOG.md"}
    )


def leave_out_pages(source: Path, pages: tuple[str, ...]) -> None:
    """Drop `pages` (paths without suffix) from the copy's `_toc.yml` and delete their files."""
    toc_path = source / "_toc.yml"

    def kept(node):
        if isinstance(node, list):
            return [
                kept(item)
                for item in node
                if not (isinstance(item, dict) and item.get("file") in pages)
            ]
        if isinstance(node, dict):
            return {key: kept(value) for key, value in node.items()}
        return node

    toc = kept(yaml.safe_load(toc_path.read_text(encoding="utf-8")))
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    for page in pages:
        for path in source.glob(f"{page}.*"):
            path.unlink()


def prepare_sources(out: Path) -> tuple[Path, list[Solution]]:
    """Copy the book's sources to OUT/src and cut every solution from the copy."""
    source = out / "src"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    solutions = []
    for path in book_pages(source / "book"):
        solutions += cut_page(path, path.relative_to(source).as_posix())
    leave_out_pages(source, LEFT_OUT_PAGES)
    return source, solutions


def write_sphinx_config(source: Path) -> None:
    """conf.py from `_config.yml`, as Jupyter Book would use it, plus the paths it leaves out."""
    subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "config", "sphinx", str(source)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = yaml.safe_load((source / "_config.yml").read_text())
    local = (config.get("sphinx") or {}).get("local_extensions") or {}
    if local:  # `jupyter-book config sphinx` lists local extensions but not where they live
        lines = ["", "import sys  # noqa: E402", "from pathlib import Path  # noqa: E402", ""]
        lines += [
            f"sys.path.insert(0, str(Path(__file__).parent / {path!r}))"
            for path in dict.fromkeys(local.values())
        ]
        with (source / "conf.py").open("a", encoding="utf-8") as conf:
            conf.write("\n".join(lines) + "\n")


def student_baseurl(config: dict) -> str:
    """The student edition's address, from `_config.yml`: the wheel's address is derived from it."""
    baseurl = (config.get("html") or {}).get("baseurl") or ""
    settings = (config.get("sphinx") or {}).get("config") or {}
    folder = baseurl if baseurl.endswith("/") else baseurl + "/"
    return urljoin(folder, settings.get("nncourse_student_baseurl") or "")


def build(out: Path, strict: bool = True) -> list[Solution]:
    """Build OUT/html from a cut copy of the sources in OUT/src; return the solutions cut.

    `strict=False` drops `-W`, to look at a build while someone else's warnings are being fixed.
    """
    out = out.resolve()
    source, solutions = prepare_sources(out)
    write_sphinx_config(source)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)  # a page removed from the book must not survive in the tree
    config = yaml.safe_load((source / "_config.yml").read_text())
    title = config.get("title", "")
    subprocess.run(
        [
            sys.executable, "-m", "sphinx", *(["-W"] * strict), "--keep-going", "-b", "html",
            "-d", str(out / "doctrees"),
            "-D", f"html_title={title} (student edition)",
            "-D", f"nncourse_wheel_baseurl={student_baseurl(config)}",
            str(source), str(html),
        ],
        check=True,
    )  # fmt: skip
    return solutions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=ROOT / "_build" / "student", type=Path)
    arguments = parser.parse_args()
    solutions = build(arguments.out)
    pages = sorted({solution.page for solution in solutions})
    print(f"student edition: solutions left out: {len(solutions)}, from pages: {len(pages)}")
    print(f"student edition: {arguments.out.resolve() / 'html' / 'index.html'}")


if __name__ == "__main__":
    main()
