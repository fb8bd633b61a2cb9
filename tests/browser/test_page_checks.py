"""The page checks fail when they should: small synthetic pages, each broken in one way, served
and visited exactly as the book's pages are, must produce a message that names the page."""

import base64
import urllib.error
import urllib.request

import pytest
from page_checks import (
    UNFIXABLE_CONSOLE_MESSAGES,
    LinkResolver,
    accessibility_problems,
    all_problems,
    console_problems,
    horizontal_overflow,
    image_problems,
    layout_problems,
    link_problems,
    markdown_problems,
    math_problems,
    solution_problems,
    visit,
    visits,
)
from static_site import StaticSite

pytestmark = pytest.mark.browser

ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

# A toggle that works the way sphinx-togglebutton's does: the button shows the hidden body.
WORKING_TOGGLE = """
<div class="solution dropdown admonition" id="sol-good">
  <p class="admonition-title">Solution <button type="button" class="toggle-button">show</button></p>
  <section style="display: none"><p>The answer is forty-two.</p></section>
</div>
<script>
  document.querySelector('#sol-good button').addEventListener('click', () => {
    document.querySelector('#sol-good section').style.display = 'block';
  });
</script>
"""


# Forty words of one line: wider than a phone's text column and than a laptop's.
LONG_LINE = " ".join(["gradient"] * 40)


# A display equation laid out as the theme does (a flex row that hides what overflows), with
# MathJax's element for the typeset formula, made wider than the column.
def equation(style: str = "") -> str:
    return (
        "<div class='math' id='equation-eq-long' style='display: flex; overflow: hidden'>"
        f"<mjx-container display='true' style='display: block; {style}'>"
        "<span style='display: inline-block; width: 1500px'>a = b + c + d</span>"
        "</mjx-container></div>"
    )


def document(body: str, lang: str = "en", title: str = "Page") -> str:
    lang_attribute = f' lang="{lang}"' if lang else ""
    return (
        f"<!DOCTYPE html><html{lang_attribute}><head><meta charset='utf-8'>"
        f"<link rel='icon' href='data:,'><title>{title}</title></head>"
        f"<body><h1 id='top'>{title}</h1>{body}</body></html>"
    )


PAGES = {
    "good.html": document(
        "<h2 id='here'>Section</h2>"
        "<p>Prose with a <code>$HOME</code> in code, and math in code blocks:</p>"
        "<pre>$$\\frac{1}{2}$$ and \\begin{align}</pre>"
        "<div class='cell_output'><pre>cost: $5</pre></div>"
        "<p><img src='dot.png' alt='A single dot.'></p>"
        "<p><a href='other.html#there'>other page</a>, <a href='#here'>this page</a>, "
        "<a href='https://example.org/'>an external site</a>, <a href='mailto:a@b.c'>mail</a></p>"
        "<div class='exercise admonition' id='ex-1'><p>Show it.</p></div>"
        + WORKING_TOGGLE
        # wide content that scrolls in its own box, and rendered Markdown output of a cell
        + equation("min-width: 0; overflow-x: auto")
        + f"<pre style='overflow-x: auto'>{LONG_LINE}</pre>"
        + "<div class='cell_output'><table><tr><td>|x|</td><td>0.5</td></tr></table>"
        "<p>The table of |a| and |b| values.</p></div>"
    ),
    "other.html": document("<h2 id='there'>There</h2>", title="Other"),
    "raw-dollar.html": document("<p>The loss is $L = x^2$ for every sample.</p>"),
    "raw-display.html": document("<p>$$\\frac{1}{2} \\lVert w \\rVert^2$$</p>"),
    "raw-environment.html": document("<p>\\begin{cases} 1 &amp; x \\ge 0 \\end{cases}</p>"),
    "unrendered.html": document("<p>Inline <span class='math'>\\(x^2\\)</span> math.</p>"),
    "no-alt.html": document("<p><img src='dot.png'></p><p><img src='dot.png' alt='  '></p>"),
    "broken-image.html": document("<p><img src='missing.png' alt='A plot of the loss.'></p>"),
    "dangling.html": document(
        "<p><a href='nowhere.html'>a missing page</a> <a href='#nothing'>a missing anchor</a> "
        "<a href='other.html#elsewhere'>a missing anchor elsewhere</a></p>"
    ),
    "console.html": document(
        "<script>console.error('boom');</script><script>notDefinedAnywhere();</script>"
    ),
    "missing-script.html": document("<script src='_static/missing.js'></script>"),
    "solution-shown.html": document(
        "<div class='exercise admonition'><p>Show it.</p></div>"
        "<div class='solution admonition' id='sol-open'><p class='admonition-title'>Solution</p>"
        "<section><p>The answer, in plain view.</p></section></div>"
    ),
    "toggle-broken.html": document(
        "<div class='exercise admonition'><p>Show it.</p></div>"
        "<div class='solution dropdown admonition' id='sol-stuck'>"
        "<p class='admonition-title'>Solution"
        " <button type='button' class='toggle-button'>show</button></p>"
        "<section style='display: none'><p>Never shown.</p></section></div>"
    ),
    "skipped-heading.html": document("<h2>Part</h2><h4>Too deep</h4>", lang=""),
    "wide.html": document("<div style='width: 2000px'>A very wide table.</div>"),
    "clipped-equation.html": document("<p>The flex item keeps its width:</p>" + equation()),
    "clipped-code.html": document(
        f"<div style='overflow: hidden'><pre style='overflow: visible'>{LONG_LINE}</pre></div>"
    ),
    "spilling-code.html": document(f"<pre style='overflow: visible'>{LONG_LINE}</pre>"),
    "raw-markdown-output.html": document(
        "<div class='cell_output docutils container'>"
        "<p>| activation | value |\n| --- | --- |\n| sigmoid | 0.5 |</p></div>"
    ),
    "raw-tex-output.html": document(
        "<div class='cell_output docutils container'><div class='output text_html'>"
        "<p>the loss \\frac{1}{2} is $0.125$</p></div></div>"
    ),
}


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic-site")
    for name, text in PAGES.items():
        (root / name).write_text(text)
    (root / "dot.png").write_bytes(ONE_PIXEL_PNG)
    (root / "404.html").write_text(document("<p>No such page.</p>", title="Page not found"))
    with StaticSite(root) as site:
        yield site


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A second host: anything loaded from it is an external resource."""
    root = tmp_path_factory.mktemp("elsewhere")
    (root / "dot.png").write_bytes(ONE_PIXEL_PNG)
    with StaticSite(root) as site:
        yield site


@pytest.fixture(scope="module")
def report_of(browser, synthetic_site):
    return visits(browser, synthetic_site)


@pytest.fixture(scope="module")
def synthetic_resolver(synthetic_site):
    return LinkResolver(synthetic_site.origin)


def assert_named(problems: list[str], page: str, *expected: str) -> None:
    assert problems, f"{page}: the check found nothing"
    assert all(problem.startswith(f"{page}: ") for problem in problems), problems
    for text in expected:
        assert any(text in problem for problem in problems), (text, problems)


def test_a_correct_page_passes_every_check(report_of, synthetic_resolver):
    report = report_of("good.html")
    assert all_problems(report, synthetic_resolver) == []
    assert report.solutions and report.solutions[0]["visible_after"]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("raw-dollar.html", "$L = x^2$"),
        ("raw-display.html", "$$\\frac{1}{2}"),
        ("raw-environment.html", "\\begin{cases}"),
    ],
)
def test_raw_tex_in_prose_fails_naming_the_page(report_of, page, expected):
    assert_named(math_problems(report_of(page)), page, "raw TeX", expected)


def test_raw_tex_in_a_displayed_markdown_output_fails(report_of):
    page = "raw-tex-output.html"
    assert_named(math_problems(report_of(page)), page, "raw TeX", "\\frac{1}{2}")


def test_markdown_table_left_as_text_fails(report_of):
    page = "raw-markdown-output.html"
    assert_named(markdown_problems(report_of(page)), page, "table row", "| activation | value |")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("clipped-equation.html", "display equation #equation-eq-long"),
        ("clipped-code.html", "code block “gradient gradient"),
        ("spilling-code.html", "past the text column"),
    ],
)
def test_wide_content_that_cannot_be_scrolled_fails_at_both_widths(report_of, page, expected):
    problems = layout_problems(report_of(page))
    assert_named(problems, page, expected, "at 1280 px", "at 390 px", "cannot be scrolled")


def test_page_wider_than_the_window_fails(report_of):
    problems = layout_problems(report_of("spilling-code.html"))
    assert_named(problems, "spilling-code.html", "at 390 px the page is", "wider than the window")
    assert not any(
        "page is" in problem for problem in layout_problems(report_of("clipped-code.html"))
    )


def test_math_that_mathjax_never_typeset_fails(report_of):
    problems = math_problems(report_of("unrendered.html"))
    assert_named(problems, "unrendered.html", "not typeset by MathJax", "no rendered math")


def test_image_without_alt_text_fails_naming_the_page(report_of):
    problems = image_problems(report_of("no-alt.html"))
    assert_named(problems, "no-alt.html", "image without alt text: dot.png")
    assert len(problems) == 2  # an alt of spaces is no alt text either


def test_image_that_does_not_load_fails(report_of):
    report = report_of("broken-image.html")
    assert_named(image_problems(report), "broken-image.html", "did not load", "missing.png")
    assert_named(console_problems(report), "broken-image.html", "failed request", "missing.png")


def test_dangling_links_and_anchors_fail_naming_the_page(report_of, synthetic_resolver):
    problems = link_problems(report_of("dangling.html"), synthetic_resolver)
    assert_named(
        problems,
        "dangling.html",
        "missing page (HTTP 404): 'nowhere.html'",
        "#nothing",
        "#elsewhere",
    )
    assert len(problems) == 3


def test_console_errors_fail_unless_listed_as_unfixable(report_of, monkeypatch):
    report = report_of("console.html")
    assert_named(
        console_problems(report), "console.html", "console error: boom", "notDefinedAnywhere"
    )
    monkeypatch.setitem(
        UNFIXABLE_CONSOLE_MESSAGES, "boom", "a synthetic message, listed for this test"
    )
    assert not any("boom" in problem for problem in console_problems(report))


def test_missing_local_script_fails(report_of):
    assert_named(
        console_problems(report_of("missing-script.html")),
        "missing-script.html",
        "_static/missing.js",
    )


def test_external_resource_fails(browser, synthetic_site, elsewhere, tmp_path):
    page = "external.html"
    (synthetic_site.root / page).write_text(
        document(f"<img src='{elsewhere.url('dot.png')}' alt='A dot.'>")
    )
    report = visit(browser, synthetic_site.url(page), page, synthetic_site.origin)
    assert_named(console_problems(report), page, "outside the site", elsewhere.origin)


def test_solution_without_toggle_or_with_a_broken_one_fails(report_of):
    assert_named(
        solution_problems(report_of("solution-shown.html")),
        "solution-shown.html",
        "sol-open",
        "no toggle",
    )
    assert_named(
        solution_problems(report_of("toggle-broken.html")),
        "toggle-broken.html",
        "sol-stuck",
        "does not reveal",
    )


def test_skipped_heading_and_missing_language_fail(report_of):
    problems = accessibility_problems(report_of("skipped-heading.html"))
    assert_named(problems, "skipped-heading.html", "h2 -> h4", "no language")


def test_horizontal_scroll_is_measured(browser, synthetic_site):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(synthetic_site.url("wide.html"))
        wide = horizontal_overflow(page)
        page.goto(synthetic_site.url("good.html"))
        narrow = horizontal_overflow(page)
    finally:
        page.close()
    assert wide > 1000 and narrow <= 0


def test_host_serves_the_404_page_for_a_missing_address(tmp_path):
    (tmp_path / "page.html").write_text(document("<p>Here.</p>"))
    (tmp_path / "404.html").write_text(document("<p>Not here.</p>", title="Page not found"))
    with StaticSite(tmp_path, mount="/course/") as site:
        assert site.url("page.html").endswith("/course/page.html")
        with urllib.request.urlopen(site.url("page.html")) as response:
            assert response.status == 200
        for address in (
            site.url("nowhere.html"),
            f"{site.origin}/page.html",
        ):  # outside the mount too
            with pytest.raises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(address)
            assert raised.value.code == 404
            assert b"Page not found" in raised.value.read()
