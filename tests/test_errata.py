"""The errata register of the problem sets matches the notebooks that demonstrate its entries.

`book/problem-sets/errata.yml` holds one entry per mistake (its format is described at the top
of that file). Each entry names the code cell that demonstrates it by the tag `erratum-<id>`; the
cell sits in a problem's gated solution, right after a Markdown cell holding only the label
`(erratum-<id>)=`, and asserts that the mistaken and the correct value differ. The rules are
checked on the real register and notebooks, and each rule is shown to fail on a small broken
example.
"""

import ast
import copy
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROBLEM_SETS = ROOT / "book" / "problem-sets"
REGISTER = PROBLEM_SETS / "errata.yml"
ERRATA_PAGE = PROBLEM_SETS / "errata.ipynb"
_spec = importlib.util.spec_from_file_location(
    "build_student_edition", ROOT / "scripts" / "build_student_edition.py"
)
student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student)

FIELDS = ("id", "problem_set", "problem", "severity", "mistake", "correction", "cell")
SEVERITIES = ("major", "minor")
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # Sphinx normalises labels: nothing else survives
TAG = re.compile(r"erratum-(?P<id>.+)")
ANCHOR = re.compile(r"\(erratum-(?P<id>[^)]*)\)=")


def load_register(path: Path = REGISTER) -> list:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [] if entries is None else entries


def problem_set_notebooks(folder: Path = PROBLEM_SETS) -> dict[str, nbformat.NotebookNode]:
    """Every notebook of the problem sets, by stem."""
    return {path.stem: nbformat.read(path, as_version=4) for path in sorted(folder.glob("*.ipynb"))}


def erratum_tags(cell: nbformat.NotebookNode) -> list[str]:
    return [tag for tag in cell.metadata.get("tags", []) if TAG.fullmatch(tag)]


def has_assert(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))


def entry_problems(entries: list) -> list[str]:
    """The register on its own: a list of entries with exactly the fields, valid and unique."""
    if not isinstance(entries, list):
        return ["errata.yml: the register must be a YAML list of entries"]
    problems, seen = [], set()
    for index, entry in enumerate(entries):
        where = f"errata.yml: entry {index + 1}"
        if not isinstance(entry, dict):
            problems.append(f"{where} is not a mapping")
            continue
        where += f" ({entry.get('id')!r})"
        missing = [name for name in FIELDS if name not in entry]
        unknown = sorted(set(entry) - set(FIELDS))
        problems += [f"{where}: missing field {name!r}" for name in missing]
        problems += [f"{where}: unknown field {name!r}" for name in unknown]
        empty = [name for name in FIELDS if name in entry and not str(entry[name] or "").strip()]
        problems += [f"{where}: field {name!r} is empty" for name in empty]
        erratum_id = entry.get("id")
        if not (isinstance(erratum_id, str) and ID.fullmatch(erratum_id)):
            problems.append(f"{where}: id must use only [a-z0-9-] (e.g. ps1-bce-sign)")
        elif erratum_id in seen:
            problems.append(f"{where}: id {erratum_id!r} is used twice")
        seen.add(erratum_id)
        if entry.get("severity") not in SEVERITIES:
            problems.append(f"{where}: severity must be one of {SEVERITIES}")
        if isinstance(erratum_id, str) and entry.get("cell") != f"erratum-{erratum_id}":
            problems.append(f"{where}: cell must be 'erratum-{erratum_id}'")
        problems += [
            f"{where}: field {name!r} holds '|', which would split the errata table's row"
            for name in ("problem", "mistake", "correction")
            if "|" in str(entry.get(name, ""))
        ]
    return problems


def cell_problems(entries: list, notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    """Entries against notebooks: each entry's demonstrating cell exists, and each tag's entry."""
    problems = []
    registered = {entry["id"]: entry for entry in entries if isinstance(entry, dict)}
    tagged: dict[str, list[str]] = {}
    for stem, book in notebooks.items():
        cells = book.cells
        for index, cell in enumerate(cells):
            where = f"{stem}.ipynb: cell {index + 1}"
            if cell.cell_type == "markdown":
                for match in ANCHOR.finditer(cell.source):
                    if match["id"] not in registered:
                        problems.append(f"{where}: anchor erratum-{match['id']} has no entry")
            for tag in erratum_tags(cell):
                erratum_id = TAG.fullmatch(tag)["id"]
                tagged.setdefault(erratum_id, []).append(stem)
                if erratum_id not in registered:
                    problems.append(f"{where}: tag {tag!r} has no entry in errata.yml")
                elif registered[erratum_id].get("problem_set") != stem:
                    problems.append(
                        f"{where}: tag {tag!r} is in {stem}, but its entry says problem_set "
                        f"{registered[erratum_id].get('problem_set')!r}"
                    )
                if cell.cell_type != "code":
                    problems.append(f"{where}: tag {tag!r} is on a {cell.cell_type} cell")
                    continue
                before = cells[index - 1] if index else None
                if not (
                    before is not None
                    and before.cell_type == "markdown"
                    and before.source.strip() == f"({tag})="
                ):
                    problems.append(
                        f"{where}: the cell tagged {tag!r} must directly follow a markdown cell "
                        f"holding only '({tag})='"
                    )
                if not has_assert(cell.source):
                    problems.append(
                        f"{where}: the cell tagged {tag!r} has no assert (it must assert that "
                        "the mistaken and the correct value differ)"
                    )
    for erratum_id, entry in registered.items():
        stems = tagged.get(erratum_id, [])
        if not stems:
            problems.append(
                f"errata.yml: entry {erratum_id!r} has no demonstrating cell (a code cell "
                f"tagged 'erratum-{erratum_id}' in {entry.get('problem_set')}.ipynb)"
            )
        elif len(stems) > 1:
            problems.append(
                f"errata.yml: entry {erratum_id!r} is demonstrated by {len(stems)} cells"
            )
    for stem in {entry.get("problem_set") for entry in registered.values()} - set(notebooks):
        problems.append(f"errata.yml: problem_set {stem!r} is no notebook of book/problem-sets/")
    return problems


def outside_solution_problems(notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    """Erratum cells and anchors left by the student edition's cut: they belong in a solution."""
    problems = []
    for stem, book in notebooks.items():
        cut = copy.deepcopy(book)
        student.cut_notebook(cut, f"{stem}.ipynb")
        for cell in cut.cells:
            problems += [
                f"{stem}.ipynb: the cell tagged {tag!r} is outside a gated solution"
                for tag in erratum_tags(cell)
            ]
            if cell.cell_type == "markdown":
                problems += [
                    f"{stem}.ipynb: anchor erratum-{match['id']} is outside a gated solution"
                    for match in ANCHOR.finditer(cell.source)
                ]
    return problems


def register_problems(entries: list, notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    problems = entry_problems(entries)
    if isinstance(entries, list):
        problems += cell_problems(entries, notebooks)
    return problems + outside_solution_problems(notebooks)


# ---- the real register ---------------------------------------------------------------------------


def test_register_matches_the_notebooks():
    problems = register_problems(load_register(), problem_set_notebooks())
    assert not problems, "\n".join(problems)


def test_errata_page_lists_every_entry():
    """The page's committed output is the table of the register as it is now."""
    page = nbformat.read(ERRATA_PAGE, as_version=4)
    shown = "\n".join(
        output.get("data", {}).get("text/markdown", "")
        for cell in page.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    missing = [entry["id"] for entry in load_register() if f"<erratum-{entry['id']}>`" not in shown]
    assert not missing, (
        f"the errata page does not list {missing}: run "
        "`.venv/bin/python scripts/refresh_outputs.py book/problem-sets/errata.ipynb`"
    )


# ---- each rule fails on a small broken example ---------------------------------------------------

DEMONSTRATION = "mistaken, correct = -np.log2(0.01), -np.log2(0.1)\nassert mistaken != correct"


def example_entry(**changes) -> dict:
    entry = {
        "id": "ps9-log-slip",
        "problem_set": "example-set",
        "problem": "1(c)",
        "severity": "minor",
        "mistake": "The loss is $-\\log_2 0.01$.",
        "correction": "The loss is $-\\log_2 0.1$.",
        "cell": "erratum-ps9-log-slip",
    }
    entry.update(changes)
    return entry


def example_notebook(
    anchor: str = "(erratum-ps9-log-slip)=",
    source: str = DEMONSTRATION,
    tag: str = "erratum-ps9-log-slip",
    gated: bool = True,
) -> nbformat.NotebookNode:
    demonstration = nbformat.v4.new_code_cell(source, metadata={"tags": [tag]})
    cells = [
        nbformat.v4.new_markdown_cell("```{exercise}\n:label: ps9-log\nCompute the loss.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ps9-log\n:class: dropdown\n```"),
        nbformat.v4.new_markdown_cell(
            ":::{admonition} Common pitfall\n:class: warning\nA slip.\n:::"
        ),
        nbformat.v4.new_markdown_cell(anchor),
        demonstration,
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ]
    if not gated:
        del cells[1]
        del cells[-1]
    return nbformat.v4.new_notebook(cells=cells)


def test_a_complete_example_passes():
    assert register_problems([example_entry()], {"example-set": example_notebook()}) == []


def test_an_empty_register_with_no_tagged_cell_passes():
    assert register_problems([], {"example-set": nbformat.v4.new_notebook()}) == []


@pytest.mark.parametrize(
    ("entries", "notebook", "message"),
    [
        pytest.param([example_entry()], example_notebook(tag="other"), "has no demonstrating cell",
                     id="entry-without-cell"),
        pytest.param([], example_notebook(anchor="Text."), "has no entry in errata.yml",
                     id="tag-without-entry"),
        pytest.param([example_entry(id="ps9-other", cell="erratum-ps9-other")], example_notebook(),
                     "anchor erratum-ps9-log-slip has no entry", id="anchor-without-entry"),
        pytest.param([example_entry(), example_entry()], example_notebook(), "is used twice",
                     id="duplicate-id"),
        pytest.param([example_entry(id="PS9_log.slip", cell="erratum-PS9_log.slip")],
                     example_notebook(), "only [a-z0-9-]", id="malformed-id"),
        pytest.param([example_entry(severity="serious")], example_notebook(), "severity must be",
                     id="bad-severity"),
        pytest.param([example_entry(cell="erratum-ps9-other")], example_notebook(),
                     "cell must be 'erratum-ps9-log-slip'", id="cell-not-the-id"),
        pytest.param([{k: v for k, v in example_entry().items() if k != "correction"}],
                     example_notebook(), "missing field 'correction'", id="missing-field"),
        pytest.param([example_entry(author="x")], example_notebook(), "unknown field 'author'",
                     id="unknown-field"),
        pytest.param([example_entry(mistake="")], example_notebook(), "'mistake' is empty",
                     id="empty-field"),
        pytest.param([example_entry(mistake="$|x|$")], example_notebook(), "holds '|'",
                     id="pipe-in-text"),
        pytest.param([example_entry(problem_set="missing-set")], example_notebook(),
                     "but its entry says problem_set 'missing-set'", id="wrong-problem-set"),
        pytest.param([example_entry()], example_notebook(anchor="(erratum-ps9-log-slip)=\nMore."),
                     "must directly follow a markdown cell", id="anchor-not-alone"),
        pytest.param([example_entry()], example_notebook(source="print(-np.log2(0.1))"),
                     "has no assert", id="no-assert"),
        pytest.param([example_entry()], example_notebook(gated=False),
                     "is outside a gated solution", id="outside-solution"),
        pytest.param({"ps9-log-slip": example_entry()}, example_notebook(), "a YAML list",
                     id="not-a-list"),
    ],
)  # fmt: skip
def test_each_rule_fails_on_a_broken_example(entries, notebook, message):
    problems = register_problems(entries, {"example-set": notebook})
    assert any(message in problem for problem in problems), problems


def test_anchor_must_be_directly_before_the_cell():
    notebook = example_notebook()
    notebook.cells.insert(4, nbformat.v4.new_markdown_cell("A sentence between."))
    problems = register_problems([example_entry()], {"example-set": notebook})
    assert any("must directly follow a markdown cell" in problem for problem in problems)


def test_tag_on_a_markdown_cell_fails():
    notebook = example_notebook()
    notebook.cells[4] = nbformat.v4.new_markdown_cell(
        "Text.", metadata={"tags": ["erratum-ps9-log-slip"]}
    )
    problems = register_problems([example_entry()], {"example-set": notebook})
    assert any("is on a markdown cell" in problem for problem in problems)
