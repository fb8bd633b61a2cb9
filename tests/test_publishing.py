"""The book publishes as a self-contained static site: one base URL, a 404 page, links listed."""

from pathlib import Path
from types import SimpleNamespace

import yaml
from docutils.core import publish_doctree
from helpers import load_module
from sphinx.builders.html._assets import _JavaScript

ROOT = Path(__file__).resolve().parent.parent


book_extension = load_module(ROOT / "book" / "_ext" / "nncourse_sphinx.py")
linkcheck = load_module(ROOT / "scripts" / "linkcheck_report.py")
home_extension = load_module(ROOT / "book" / "_ext" / "nncourse_home.py")


def test_one_variable_says_where_the_book_is_published():
    text = (ROOT / "_config.yml").read_text()
    config = yaml.safe_load(text)
    assert config["html"]["baseurl"].startswith("https://")
    assert "notfound.extension" in config["sphinx"]["extra_extensions"]
    assert "notfound_urls_prefix" not in text, "the 404 page's prefix comes from html.baseurl"
    assert "html_baseurl" not in text, "set html.baseurl, the one place"


def test_404_page_prefix_follows_the_base_url():
    for baseurl, prefix in [
        ("https://nncourse.example.org/", "/"),
        ("https://example.github.io/nncourse", "/nncourse/"),
        ("https://example.org/courses/nn/", "/courses/nn/"),
        ("", "/"),
    ]:
        config = SimpleNamespace(html_baseurl=baseurl, notfound_urls_prefix=None)
        book_extension.set_notfound_prefix(None, config)
        assert config.notfound_urls_prefix == prefix, baseurl


def test_inline_scripts_written_twice_by_sphinx_are_kept_once():
    thebe = "const THEBE_JS_URL = 'x'"
    scripts = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body=thebe, priority=500),
        _JavaScript("", body=thebe, priority=500),  # Sphinx 7.4 re-adds it with "" for None
        _JavaScript("_static/sphinx-thebe.js", priority=500),
    ]
    context = {"script_files": scripts}
    book_extension.drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert [script.attributes.get("body") for script in context["script_files"]] == [
        None,
        thebe,
        None,
    ]


def test_external_links_are_listed_without_fetching(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="https://arxiv.org/abs/1412.6980">Adam</a> <a href="book/a.html">a</a>'
        '<a href="https://book.example.org/book/a.html">own site</a> <a href="mailto:x@y.z">m</a>'
    )
    (tmp_path / "book" / "a.html").write_text(
        '<a href="https://arxiv.org/abs/1412.6980">Adam</a><a href="http://example.com/x">x</a>'
    )
    (tmp_path / "_static" / "theme.html").write_text('<a href="https://theme.example/">t</a>')
    links = linkcheck.external_links(tmp_path, own_site="https://book.example.org/")
    assert links == {
        "http://example.com/x": ["book/a.html"],
        "https://arxiv.org/abs/1412.6980": ["book/a.html", "index.html"],
    }
    report = linkcheck.report(links, statuses=None)
    assert "2 external addresses, listed without being fetched" in report
    assert "| <https://arxiv.org/abs/1412.6980> | book/a.html, index.html |" in report


def test_build_marks_the_site_for_github_pages(tmp_path):
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    book_extension.write_nojekyll(app, None)
    assert (tmp_path / ".nojekyll").is_file()


def test_the_home_page_describes_each_chapter_by_the_first_sentence_of_its_first_paragraph():
    doctree = publish_doctree(
        "Title\n=====\n\n.. note:: Learning goals come first.\n\n"
        "A sigmoid :math:`\\sigma(x)` squashes, e.g. a logit. Its *slope* is ``s(1 - s)``."
        " And more.",
        settings_overrides={"doctitle_xform": False, "report_level": 5},
    )
    paragraph = home_extension.first_paragraph(doctree)
    assert paragraph.astext().startswith("A sigmoid")  # not the admonition's text
    converter = home_extension._InlineHTML(first_sentence=True)
    text = "".join(converter.convert(child) for child in paragraph.children)
    # math is kept for MathJax, an abbreviation does not end the sentence, the second one is cut
    assert text == (
        'A sigmoid <span class="math notranslate nohighlight">\\(\\sigma(x)\\)</span> squashes, '
        "e.g. a logit."
    )
    assert converter.has_math


def test_a_stub_page_is_described_by_whatever_its_first_paragraph_says():
    doctree = publish_doctree(
        "Title\n=====\n\nThis chapter is being written.\n",
        settings_overrides={"doctitle_xform": False},
    )
    paragraph = home_extension.first_paragraph(doctree)
    converter = home_extension._InlineHTML(first_sentence=True)
    assert "".join(map(converter.convert, paragraph.children)) == "This chapter is being written."


def test_the_parts_and_chapters_come_from_the_table_of_contents():
    app = SimpleNamespace(
        srcdir=str(ROOT), config=SimpleNamespace(external_toc_path="_toc.yml", source_suffix={})
    )
    parts = home_extension.toc_parts(app)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert [caption for caption, _ in parts] == [part["caption"] for part in toc["parts"]]
    chapters = dict(chapter for _, chapters in parts for chapter in chapters)
    assert "book/checking-derivatives" in chapters
    assert "book/api/nn" in chapters["book/api"]  # the API pages are sections of the index


def test_no_page_claims_nncourse_is_on_a_package_index():
    """The package is published as a wheel next to the book's pages, not on PyPI."""
    texts = {
        path: path.read_text()
        for path in [ROOT / "book" / "intro.md", *(ROOT / "book" / "_templates").glob("*.html")]
    }
    for path, text in texts.items():
        assert "pip install nncourse" not in text, path
    home = (ROOT / "book" / "_templates" / "nncourse-home.html").read_text()
    for words in (
        "download button",
        "Colab",
        "Python 3.10",
        "_static/",
        "make lab",
        "make book-student",
    ):
        assert words in home, words
