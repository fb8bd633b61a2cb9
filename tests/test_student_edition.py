"""The student edition leaves out every solution and keeps every exercise.

The cutting rules are pinned on small synthetic pages; then the real book is built into a
temporary folder exactly as `make book-student` builds it, and the whole published tree (pages,
`_sources/` for the download button, search index) is searched for the text of every solution.
"""

import ast
import html.parser
import importlib.util
import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_student_edition.py"
_spec = importlib.util.spec_from_file_location("build_student_edition", SCRIPT)
student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student)

PAGES = student.book_pages(ROOT / "book")
OPTION = re.compile(r"^\s*:[\w-]+:")
SHINGLE = 8  # words: long enough to be one solution's own, short enough to survive markup


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])


# ---- the cutting rules, on synthetic pages -------------------------------------------------------

GATED_STATEMENT = """## Exercise

```{exercise}
:label: ex-shift

Show that softmax is unchanged by adding a constant.
```

```{solution-start} ex-shift
:class: dropdown
```

Subtract the constant from every logit; it cancels in the ratio.
"""


def test_gated_solution_is_cut_across_cells_with_its_code():
    book = notebook(
        ("markdown", GATED_STATEMENT),
        ("code", "shifted = softmax(z + 3)\nassert np.allclose(shifted, softmax(z))"),
        ("markdown", "```{solution-end}\n```\n\n## Summary\n\nSoftmax ignores shifts."),
        ("code", "print('after the solution')"),
    )
    solutions = student.cut_notebook(book, "chapter.ipynb")
    assert [solution.label for solution in solutions] == ["ex-shift"]
    assert "it cancels in the ratio" in solutions[0].text
    assert "softmax(z + 3)" in solutions[0].text
    kept = "\n".join(cell.source for cell in book.cells)
    assert "Show that softmax is unchanged" in kept and "## Summary" in kept
    assert "after the solution" in kept
    assert not re.search(r"cancels|softmax\(z \+ 3\)|solution-start|solution-end", kept)
    assert [cell.cell_type for cell in book.cells] == ["markdown", "markdown", "code"]


def test_gated_solution_within_one_markdown_page():
    text = GATED_STATEMENT + "\n```{solution-end}\n```\n\nThe text goes on.\n"
    kept, solutions = student.cut_markdown(text, "page.md")
    assert "cancels" not in kept and "solution-" not in kept
    assert kept.rstrip().endswith("The text goes on.")
    assert "Show that softmax" in kept and len(solutions) == 1


def test_solution_directives_are_cut_with_any_fence():
    text = (
        "Before.\n\n"
        "````{solution} ex-a\n:label: sol-a\n:class: dropdown\n\n"
        "First answer, with code:\n\n```python\nx = 1\n```\n\nStill the first answer.\n````\n\n"
        "Between.\n\n"
        ":::{solution} ex-b\nSecond answer.\n:::\n\n"
        "After.\n"
    )
    kept, solutions = student.cut_markdown(text, "page.md")
    assert kept.split() == ["Before.", "Between.", "After."]
    assert [solution.label for solution in solutions] == ["ex-a", "ex-b"]
    assert "Still the first answer." in solutions[0].text


def test_gated_exercises_and_other_directives_are_kept():
    text = (
        "```{exercise-start}\n:label: ex-c\n```\n\nA statement.\n\n```{exercise-end}\n```\n\n"
        "```{note}\nA note.\n```\n"
    )
    kept, solutions = student.cut_markdown(text, "page.md")
    assert kept == text and solutions == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{solution-start} ex-d\n```\nAnswer, never closed.\n", "never closed"),
        ("Text.\n```{solution-end}\n```\n", "without {solution-start}"),
        ("````{solution} ex-e\nAnswer.\n", "never closed"),
        (
            "```{solution-start} ex-f\n```\n```{solution-start} ex-g\n```\n"
            "```{solution-end}\n```\n",
            "opens inside solution",
        ),
    ],
)
def test_broken_solution_markup_is_an_error(text, message):
    with pytest.raises(student.SolutionMarkupError, match=re.escape(message)):
        student.cut_markdown(text, "broken.md")


# ---- the book's own pages ------------------------------------------------------------------------


def cut(path: Path) -> tuple[list[str], list[str], list]:
    """(kept markdown texts, kept code cells, solutions) of one page, cut in memory."""
    page = path.relative_to(ROOT).as_posix()
    if path.suffix == ".md":
        kept, solutions = student.cut_markdown(path.read_text(), page)
        return [kept], [], solutions
    book = nbformat.read(path, as_version=4)
    solutions = student.cut_notebook(book, page)
    markdown = [cell.source for cell in book.cells if cell.cell_type == "markdown"]
    return markdown, [cell.source for cell in book.cells if cell.cell_type == "code"], solutions


def references_to_solutions(pages: dict[str, tuple[list[str], list]]) -> list[str]:
    """Each place where a page's kept text names the label of a solution (gone when cut)."""
    labels = {
        match[1]: solution.page
        for _, solutions in pages.values()
        for solution in solutions
        for match in re.finditer(r"^\s*:label:\s*(\S+)", "".join(solution.lines), re.MULTILINE)
    }
    return [
        f"{name} refers to {label!r}, the label of a solution on {page}"
        for name, (markdown, _) in pages.items()
        for label, page in labels.items()
        if re.search(rf"`[^`]*<?{re.escape(label)}>?`", "\n".join(markdown))
    ]


def test_a_reference_to_a_solution_label_is_caught():
    text = (
        "````{solution} ex-a\n:label: sol-a\nAnswer.\n````\n\nAs {ref}`the answer <sol-a>` shows.\n"
    )
    kept, solutions = student.cut_markdown(text, "a.md")
    assert references_to_solutions({"a.md": ([kept], solutions)}) == [
        "a.md refers to 'sol-a', the label of a solution on a.md"
    ]


def test_no_page_refers_to_a_solution_label():
    """A solution's label is gone from the student edition: a {ref} to it would break the build."""
    pages = {}
    for path in PAGES:
        markdown, _, solutions = cut(path)
        pages[path.relative_to(ROOT).as_posix()] = (markdown, solutions)
    problems = references_to_solutions(pages)
    assert not problems, "\n".join(problems)


def names_defined(tree: ast.AST) -> set[str]:
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            defined.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return defined


def parse_cell(source: str) -> ast.AST | None:
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def names_only_solutions_define(book: nbformat.NotebookNode, page: str) -> list[str]:
    """Cut the solutions from `book`; report each later use of a name only a solution defined."""
    from_solutions = set()
    for solution in student.cut_notebook(book, page):
        for source in solution.code_cells:
            tree = parse_cell(source)
            from_solutions |= names_defined(tree) if tree else set()
    defined, problems = set(), []
    for index, cell in enumerate(c for c in book.cells if c.cell_type == "code"):
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        used = {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        missing = (used & from_solutions) - defined - names_defined(tree)
        problems += [
            f"{page}: code cell {index + 1} of the student edition uses {name!r}, "
            "which only a solution defines"
            for name in sorted(missing)
        ]
        defined |= names_defined(tree)
    return problems


def test_a_name_defined_only_in_a_solution_is_caught():
    book = notebook(
        ("code", "import numpy as np\nz = np.zeros(3)"),
        ("markdown", "```{solution-start} ex-a\n```"),
        ("code", "answer = z.sum()\nhelper = 2"),
        ("markdown", "```{solution-end}\n```"),
        ("code", "print(answer, z)"),
        ("code", "helper = 3\nprint(helper)"),
    )
    assert names_only_solutions_define(book, "ch.ipynb") == [
        "ch.ipynb: code cell 2 of the student edition uses 'answer', which only a solution defines"
    ]


@pytest.mark.parametrize("path", [p for p in PAGES if p.suffix == ".ipynb"], ids=lambda p: p.name)
def test_no_later_cell_needs_a_name_only_a_solution_defines(path):
    """The student's notebook must run without its solutions."""
    problems = names_only_solutions_define(nbformat.read(path, as_version=4), path.name)
    assert not problems, "\n".join(problems)


# ---- the built student edition -------------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag) -> None:
        self._skip -= tag in {"script", "style"} and self._skip > 0

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def words(text: str) -> str:
    """Text reduced to its words, so that markup (Markdown, HTML, JSON) does not matter."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def readable_text(path: Path) -> str:
    """What a file of the published tree says, as words; empty for binary files."""
    if path.suffix in {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".inv"}:
        return ""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""
    if path.suffix == ".html":
        raw = re.sub(r"\\(?:begin|end)\{split\}", " ", raw)  # Sphinx wraps multi-line math in split
        parser = _Text()
        parser.feed(raw)
        return words(" ".join(parser.parts))
    if path.suffix == ".ipynb":
        cells = json.loads(raw)["cells"]
        sources = ["".join(cell["source"]) for cell in cells]
        outputs = [json.dumps(output) for cell in cells for output in cell.get("outputs", [])]
        return words(" ".join(sources + outputs))
    return words(raw)


def prose_of(solution) -> str:
    """A solution's own text: its lines without directive fences and options, and its code."""
    lines = [
        line
        for line in solution.lines
        if not student.DIRECTIVE.match(line) and not OPTION.match(line) and line.strip()
        and set(line.strip()) - set("`:")
    ]  # fmt: skip
    return "".join(lines) + "\n".join(solution.code_cells)


def shingles(text: str) -> set[str]:
    tokens = words(text).split()
    if len(tokens) < SHINGLE:
        return {" ".join(tokens)} if len(tokens) >= 3 else set()
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def exercise_statements(text: str) -> list[str]:
    """The body of every `{exercise}` directive and of every gated exercise in a page's Markdown."""
    statements, lines, index = [], text.splitlines(keepends=True), 0
    while index < len(lines):
        directive = student.DIRECTIVE.match(lines[index])
        index += 1
        if not directive or directive["name"] not in {"exercise", "exercise-start"}:
            continue
        body = []
        while index < len(lines) and not student._closes(lines[index], directive["fence"]):
            body.append(lines[index])
            index += 1
        index += 1
        if directive["name"] == "exercise-start":  # the statement runs until {exercise-end}
            body = []
            while index < len(lines) and not (
                (match := student.DIRECTIVE.match(lines[index])) and match["name"] == "exercise-end"
            ):
                body.append(lines[index])
                index += 1
        statements.append("".join(line for line in body if not OPTION.match(line)))
    return statements


def statement_pieces(statement: str) -> list[str]:
    """Runs of a statement that the HTML shows word for word (roles and link targets removed)."""
    # list markers are drawn by the HTML list, not written in its text
    markup = r"\{[\w:-]+\}`[^`]*`|\]\([^)]*\)|`|^\s*(?:\d+\.|[-*])\s"
    pieces = re.split(markup, statement, flags=re.MULTILINE)
    return [words(piece).strip() for piece in pieces if len(words(piece).split()) >= 3]


def markdown_of(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text()
    book = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in book.cells if cell.cell_type == "markdown")


@pytest.fixture(scope="module")
def student_edition(tmp_path_factory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("student")
    try:
        solutions = student.build(out)
    except subprocess.CalledProcessError as error:
        pytest.fail(f"the student edition does not build (Sphinx's output is above): {error}")
    return out / "html", solutions


def ngrams(text: str, n: int) -> set[str]:
    """Every run of `n` consecutive words of `text` (text as returned by `words`)."""
    tokens = text.split()
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


class NgramIndex:
    """The word runs of a text, by length, built once: `phrase in index` is `" phrase " in text`."""

    def __init__(self, text: str):
        self.text, self.by_length = text, {}

    def __contains__(self, phrase: str) -> bool:
        n = phrase.count(" ") + 1
        if n not in self.by_length:
            self.by_length[n] = ngrams(self.text, n)
        return phrase in self.by_length[n]


def test_student_edition_has_no_solution_text(student_edition):
    html, solutions = student_edition
    # the API pages and the self-check's table are written from the package, not from a page:
    # a phrase they share with a solution (a signature, a default value) is not a leak
    generated = ("book/api", "_sources/book/api", "book/self-check", "_sources/book/self-check")
    published = {
        path: NgramIndex(readable_text(path))
        for path in html.rglob("*")
        if path.is_file() and not str(path.relative_to(html)).startswith(generated)
    }
    kept = [text for path in PAGES for texts in cut(path)[:2] for text in texts]
    kept_text = NgramIndex(words(" ".join(kept)))  # a phrase said outside solutions proves nothing
    leaks = []
    for solution in solutions:
        own = {phrase for phrase in shingles(prose_of(solution)) if phrase not in kept_text}
        assert own or not prose_of(solution).strip(), f"{solution.page}: {solution.label}: no text"
        for path, text in published.items():
            found = next((phrase for phrase in own if phrase in text), None)
            if found:
                leaks.append(
                    f"{path.relative_to(html)}: text of the solution to {solution.label} "
                    f"({solution.page}): {found!r}"
                )
    assert not leaks, "\n".join(leaks)


def test_student_edition_has_no_solution_markup(student_edition):
    html, _ = student_edition
    found = []
    for path in html.rglob("*"):
        if path.suffix == ".html" and re.search(r'class="[^"]*\bsolution\b', path.read_text()):
            found.append(f"{path.relative_to(html)}: a solution element")
        if path.suffix in {".md", ".ipynb"} and re.search(
            r"\{solution(-start|-end)?\}", path.read_text()
        ):
            found.append(f"{path.relative_to(html)}: solution markup in the page source")
    assert not found, "\n".join(found)


def test_left_out_pages_leave_the_toc_and_the_tree(tmp_path):
    (tmp_path / "book" / "sets").mkdir(parents=True)
    for name in ("one.ipynb", "errata.ipynb", "errata.yml"):
        (tmp_path / "book" / "sets" / name).write_text("{}")
    (tmp_path / "_toc.yml").write_text(
        "root: book/intro\nparts:\n  - caption: Sets\n    chapters:\n"
        "      - file: book/sets/one\n      - file: book/sets/errata\n"
    )
    student.leave_out_pages(tmp_path, ("book/sets/errata",))
    toc = yaml.safe_load((tmp_path / "_toc.yml").read_text())
    assert toc["parts"][0]["chapters"] == [{"file": "book/sets/one"}]
    assert sorted(path.name for path in (tmp_path / "book" / "sets").iterdir()) == ["one.ipynb"]


def test_student_edition_has_no_errata(student_edition):
    """The errata page and the anchors of the cells it links to are gone with the solutions."""
    html, _ = student_edition
    found = []
    for path in html.rglob("*"):
        page = path.relative_to(html).as_posix()
        if any(f"{left_out}." in page for left_out in student.LEFT_OUT_PAGES):  # page or source
            found.append(f"{page}: a page the student edition leaves out")
        if path.is_file() and re.search(
            r"\berratum-[a-z0-9]", path.read_bytes().decode(errors="ignore")
        ):
            found.append(f"{page}: an erratum anchor or link")
    assert not found, "\n".join(found)


def test_student_edition_keeps_every_exercise_statement(student_edition):
    html, _ = student_edition
    problems = []
    for path in PAGES:
        page = html / path.relative_to(ROOT).with_suffix(".html")
        statements = exercise_statements(markdown_of(path))
        if not statements:
            continue
        rendered = re.findall(r'class="exercise\b', page.read_text()) if page.is_file() else []
        if len(rendered) != len(statements):
            problems.append(f"{page.relative_to(html)}: {len(rendered)} exercises shown, "
                            f"{len(statements)} in {path.relative_to(ROOT)}")  # fmt: skip
        shown = readable_text(page) if page.is_file() else ""
        problems += [
            f"{page.relative_to(html)}: exercise text missing: {piece!r}"
            for statement in statements
            for piece in statement_pieces(statement)
            if f" {piece} " not in shown
        ]
    assert not problems, "\n".join(problems)
