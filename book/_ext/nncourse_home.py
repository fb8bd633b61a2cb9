"""The book's home page (`index.html`) and the contents of its 404 page, generated at build time.

The home page is a page of the site like the others (the theme, the table of contents in the
sidebar, one search box), rendered from `book/_templates/nncourse-home.html`. What would go
stale if it were written by hand is generated:

- the pitch is the first paragraph of the root page (`root:` in `_toc.yml`, the introduction);
- the parts and chapters come from `_toc.yml`, each with the first sentence of the page's first
  paragraph, so a chapter that is rewritten is described by its new opening, and a new chapter
  appears as soon as it is in `_toc.yml`.

The 404 page (sphinx-notfound-page) gets the same list of parts and chapters, without the
descriptions, with absolute links, and a search box: a reader who followed a stale link finds
the page by title or by search.
"""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).resolve().parent.parent / "_templates"
HOME_TEMPLATE = "nncourse-home.html"

# The end of a sentence: a full stop, question or exclamation mark followed by a space and a
# capital letter or an opening bracket, and not the end of "e.g." or "i.e.".
SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bcf)[.!?](?=\s+[A-Z(“\"]|\s*$)")


@dataclass
class Chapter:
    docname: str
    title: str
    href: str
    description: str = ""  # HTML: the first sentence of the page's first paragraph
    sections: list["Chapter"] = field(default_factory=list)  # its pages, as in `_toc.yml`


@dataclass
class Part:
    caption: str
    chapters: list[Chapter] = field(default_factory=list)


def toc_parts(app: Sphinx) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The parts of `_toc.yml`: each caption with its chapters, each chapter's docname with the
    docnames of its sections."""
    toc = yaml.safe_load((Path(app.srcdir) / app.config.external_toc_path).read_text())

    def docname(entry: dict) -> str:
        name = entry["file"]
        for suffix in app.config.source_suffix:
            name = name.removesuffix(suffix)
        return name

    return [
        (
            part.get("caption", ""),
            [
                (docname(chapter), [docname(s) for s in chapter.get("sections", []) if "file" in s])
                for chapter in part.get("chapters", [])
                if "file" in chapter
            ],
        )
        for part in toc.get("parts", [])
    ]


def root_docname(app: Sphinx) -> str:
    return app.config.root_doc


class _InlineHTML:
    """Inline HTML of a paragraph's nodes: text, emphasis, code and math (for MathJax), with
    links reduced to their text. With `first_sentence`, stops after the first sentence."""

    def __init__(self, first_sentence: bool):
        self.first_sentence = first_sentence
        self.done = False
        self.has_math = False

    def convert(self, node: nodes.Node) -> str:
        if self.done:
            return ""
        if isinstance(node, nodes.Text):
            text = node.astext().replace("\n", " ")
            match = SENTENCE_END.search(text) if self.first_sentence else None
            if match:
                self.done = True
                text = text[: match.end()]
            return html.escape(text)
        if isinstance(node, nodes.math):
            self.has_math = True
            tex = html.escape(node.astext())
            return f'<span class="math notranslate nohighlight">\\({tex}\\)</span>'
        if isinstance(node, nodes.literal):
            return f'<code class="docutils literal notranslate">{html.escape(node.astext())}</code>'
        if isinstance(node, nodes.footnote_reference | nodes.citation_reference):
            return ""
        if isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "cite":
            return ""
        inner = "".join(self.convert(child) for child in node.children)
        if isinstance(node, nodes.emphasis):
            return f"<em>{inner}</em>"
        if isinstance(node, nodes.strong):
            return f"<strong>{inner}</strong>"
        return inner


def first_paragraph(doctree: nodes.document) -> nodes.paragraph | None:
    """The page's first paragraph of prose: under its title, not in an admonition or a cell."""
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return None
    for child in section.children:
        if isinstance(child, nodes.paragraph):
            return child
    for paragraph in section.findall(nodes.paragraph):
        parent = paragraph.parent
        inside = False
        while parent is not None and parent is not section:
            if isinstance(parent, nodes.Admonition | nodes.container | nodes.table):
                inside = True
                break
            parent = parent.parent
        if not inside:
            return paragraph
    return None


def describe(app: Sphinx, docname: str, first_sentence: bool) -> tuple[str, bool]:
    """The first paragraph (or its first sentence) of a page as inline HTML, and whether it
    holds math."""
    doctree = app.env.get_and_resolve_doctree(docname, app.builder)
    paragraph = first_paragraph(doctree)
    if paragraph is None:
        return "", False
    converter = _InlineHTML(first_sentence)
    text = "".join(converter.convert(child) for child in paragraph.children).strip()
    return text, converter.has_math


def contents(app: Sphinx, with_descriptions: bool) -> tuple[list[Part], bool]:
    """Parts and chapters of the book, in the order of `_toc.yml`; whether any text has math."""

    def entry(docname: str) -> Chapter:
        title = app.env.titles[docname].astext() if docname in app.env.titles else docname
        return Chapter(docname, title, app.builder.get_target_uri(docname))

    parts, has_math = [], False
    for caption, chapters in toc_parts(app):
        part = Part(caption=caption)
        for docname, sections in chapters:
            if docname not in app.env.found_docs:
                continue
            chapter = entry(docname)
            chapter.sections = [entry(name) for name in sections if name in app.env.found_docs]
            if with_descriptions:
                chapter.description, math = describe(app, docname, first_sentence=True)
                has_math = has_math or math
            part.chapters.append(chapter)
        if part.chapters:
            parts.append(part)
    return parts, has_math


def add_templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def home_page(app: Sphinx):
    """The page `index` (the site's `index.html`), unless the book's root page is called so."""
    if app.builder.format != "html" or root_docname(app) == "index":
        return []
    parts, has_math = contents(app, with_descriptions=True)
    pitch, pitch_math = describe(app, root_docname(app), first_sentence=False)
    if has_math or pitch_math:  # MathJax is loaded only on pages the math domain knows have math
        app.env.get_domain("math").data["has_equations"]["index"] = True
    title = app.config.html_title or app.config.project
    context = {
        "title": title,
        "pagetitle": title,  # the theme's print-only heading
        "pitch": pitch,
        "parts": parts,
        "start_here": app.builder.get_target_uri(root_docname(app)),
        "start_title": app.env.titles[root_docname(app)].astext(),
        "student_edition": "student edition" in title.lower(),
    }
    return [("index", context, HOME_TEMPLATE)]


def not_found_contents(app: Sphinx):
    """The 404 page's body: what happened, a search box and the table of contents."""
    if app.builder.format != "html":
        return []
    prefix = app.config.notfound_urls_prefix or "/"
    parts, _ = contents(app, with_descriptions=False)
    lines = [
        "<h1>Page not found</h1>",
        "<p>No page of the book is at this address: it may have moved, or the link that led "
        "here has a typing error. Search the book, or pick a chapter from its contents.</p>",
        f'<form class="nncourse-search" action="{prefix}search.html" method="get" role="search">',
        '  <input type="search" name="q" aria-label="Search the book" placeholder="Search the '
        'book">',
        '  <button type="submit" class="btn btn-primary">Search</button>',
        "</form>",
        "<h2>Contents</h2>",
        f'<p><a href="{prefix}{app.builder.get_target_uri(root_docname(app))}">'
        f"{html.escape(app.env.titles[root_docname(app)].astext())}</a></p>",
    ]
    for part in parts:
        lines.append(f'<p class="caption"><strong>{html.escape(part.caption)}</strong></p>')
        lines.append('<ul class="nncourse-contents">')
        for chapter in part.chapters:
            lines.append(f'  <li><a href="{prefix}{chapter.href}">{html.escape(chapter.title)}</a>')
            if chapter.sections:
                lines.append("    <ul>")
                lines += [
                    f'      <li><a href="{prefix}{section.href}">{html.escape(section.title)}</a>'
                    "</li>"
                    for section in chapter.sections
                ]
                lines.append("    </ul>")
            lines.append("  </li>")
        lines.append("</ul>")
    app.config.notfound_context = {"title": "Page not found", "body": "\n".join(lines)}
    return []


def link_logo_to_home(app: Sphinx, pagename, templatename, context: dict, doctree) -> None:
    """The logo leads to the home page, not to the introduction."""
    if root_docname(app) != "index" and "pathto" in context:
        context["theme_logo_link"] = context["pathto"]("index.html", 1)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    app.connect("html-collect-pages", home_page)
    # before sphinx-notfound-page (priority 500) renders the 404 page from its context
    app.connect("html-collect-pages", not_found_contents, priority=400)
    app.connect("html-page-context", link_logo_to_home)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
