"""Accessibility basics in the sources: every figure has alt text and a caption.

A figure in a notebook is a code cell with an image output, or one that ends in `plt.show()`
(so a notebook whose outputs are not stored yet is checked too); its cell metadata must carry
`mystnb.figure.caption`, `mystnb.figure.name` and `mystnb.image.alt`. Markdown images and
`{figure}`/`{image}` directives need alt text too, and a figure a caption. The built pages
(headings in order, `<html lang>`) are checked in the browser tests, `tests/browser/`.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    path
    for pattern in ("*.md", "*.ipynb")
    for path in (ROOT / "book").rglob(pattern)
    if not any(part.startswith((".", "_")) for part in path.relative_to(ROOT / "book").parts)
)
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}
SHOWS_A_FIGURE = re.compile(r"^\s*(plt|pyplot|matplotlib\.pyplot)\.show\(\)\s*(#.*)?$")
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
DIRECTIVE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\s*\{(?P<name>figure|image)\}\s*(?P<src>.*)$")


def is_figure_cell(cell: nbformat.NotebookNode) -> bool:
    if cell.cell_type != "code":
        return False
    has_image = any(IMAGE_TYPES & set(output.get("data", {})) for output in cell.get("outputs", []))
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return has_image or bool(lines and SHOWS_A_FIGURE.match(lines[-1]))


def notebook_figure_problems(notebook: nbformat.NotebookNode, page: str) -> list[str]:
    problems = []
    for index, cell in enumerate(notebook.cells):
        if not is_figure_cell(cell):
            continue
        mystnb = cell.metadata.get("mystnb", {})
        figure, image = mystnb.get("figure", {}), mystnb.get("image", {})
        where = f"{page}: cell {index + 1} (a figure)"
        for value, what in (
            (image.get("alt"), "alt text (mystnb.image.alt)"),
            (figure.get("caption"), "a caption (mystnb.figure.caption)"),
            (figure.get("name"), "a name for {numref} (mystnb.figure.name)"),
        ):
            if not (isinstance(value, str) and value.strip()):
                problems.append(f"{where} has no {what}")
    return problems


def markdown_image_problems(text: str, page: str) -> list[str]:
    problems = [
        f"{page}: image {match['src']} has no alt text"
        for match in MARKDOWN_IMAGE.finditer(text)
        if not match["alt"].strip()
    ]
    problems += [
        f"{page}: <img> without alt text: {tag}"
        for tag in HTML_IMAGE.findall(text)
        if not re.search(r"\balt\s*=\s*(\"[^\"]*\S[^\"]*\"|'[^']*\S[^']*')", tag)
    ]
    lines = text.splitlines()
    for index, line in enumerate(lines):
        directive = DIRECTIVE.match(line)
        if not directive:
            continue
        body = []
        for following in lines[index + 1 :]:
            stripped = following.strip()
            if len(stripped) >= len(directive["fence"]) and set(stripped) == {
                directive["fence"][0]
            }:
                break
            body.append(following)
        options = [entry for entry in body if re.match(r"^\s*:[\w-]+:", entry)]
        where = f"{page}: {{{directive['name']}}} {directive['src'].strip()}"
        if not any(re.match(r"^\s*:alt:\s*\S", entry) for entry in options):
            problems.append(f"{where} has no :alt: text")
        caption = [entry for entry in body if entry.strip() and entry not in options]
        if directive["name"] == "figure" and not caption:
            problems.append(f"{where} has no caption")
    return problems


def page_problems(path: Path) -> list[str]:
    page = path.relative_to(ROOT).as_posix()
    if path.suffix == ".md":
        return markdown_image_problems(path.read_text(), page)
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return notebook_figure_problems(notebook, page) + markdown_image_problems(markdown, page)


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_every_figure_has_alt_text_and_a_caption(path):
    problems = page_problems(path)
    assert not problems, "\n".join(problems)


# ---- the checks themselves, on synthetic pages -------------------------------------------------

PNG_OUTPUT = nbformat.v4.new_output(
    "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
)
GOOD_METADATA = {
    "mystnb": {
        "figure": {"caption": "The loss falls.", "name": "fig-loss"},
        "image": {"alt": "A curve falling from 2 to 0.1."},
    }
}


def figure_cell(metadata: dict, outputs: list, source: str = "plt.plot(losses)\nplt.show()"):
    cell = nbformat.v4.new_code_cell(source, metadata=metadata)
    cell.outputs = outputs
    return cell


def test_a_figure_with_alt_text_caption_and_name_passes():
    notebook = nbformat.v4.new_notebook(cells=[figure_cell(GOOD_METADATA, [PNG_OUTPUT])])
    assert notebook_figure_problems(notebook, "good.ipynb") == []


def test_a_figure_without_alt_text_fails_naming_the_page_and_cell():
    metadata = {"mystnb": {"figure": {"caption": "The loss falls.", "name": "fig-loss"}}}
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Title"), figure_cell(metadata, [PNG_OUTPUT])]
    )
    assert notebook_figure_problems(notebook, "book/loss.ipynb") == [
        "book/loss.ipynb: cell 2 (a figure) has no alt text (mystnb.image.alt)"
    ]


def test_a_figure_not_yet_executed_is_found_by_its_plt_show():
    notebook = nbformat.v4.new_notebook(cells=[figure_cell({}, [])])
    problems = notebook_figure_problems(notebook, "new.ipynb")
    assert len(problems) == 3 and all(p.startswith("new.ipynb: cell 1") for p in problems)


def test_an_image_output_without_plt_show_is_a_figure_too():
    notebook = nbformat.v4.new_notebook(cells=[figure_cell({}, [PNG_OUTPUT], source="fig")])
    assert len(notebook_figure_problems(notebook, "old.ipynb")) == 3


def test_markdown_images_and_figure_directives_need_alt_text_and_a_caption():
    text = (
        "![](plot.png)\n\n![A plot.](fine.png)\n\n<img src='x.png'>\n<img src='y.png' alt='Y.'>\n\n"
        "```{figure} diagram.svg\n:name: fig-diagram\n```\n\n"
        ":::{image} logo.svg\n:alt: The logo.\n:::\n"
    )
    problems = markdown_image_problems(text, "page.md")
    assert problems == [
        "page.md: image plot.png has no alt text",
        "page.md: <img> without alt text: <img src='x.png'>",
        "page.md: {figure} diagram.svg has no :alt: text",
        "page.md: {figure} diagram.svg has no caption",
    ]
