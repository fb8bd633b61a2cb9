"""The book as a reader uses it, on a phone (390 px) and on a laptop (1280 px): the table of
contents and the page contents open and lead where they say, equations are numbered per page,
and screenshots of the pages a newcomer sees first go to `_build/screenshots/`.

`make book` first; `make test-browser` does both.
"""

import functools
import posixpath
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from static_site import StaticSite
from test_book import NARROW, ROOT, SCREENSHOTS, WIDE, first_chapter, toc_files

pytestmark = pytest.mark.browser

WIDTHS = [WIDE, NARROW]


def chapters() -> list[str]:
    """The notebook chapters of `_toc.yml`, in reading order, as site-relative pages."""
    return [f"{name}.html" for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]


def open_page(browser, site: StaticSite, page_name: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site.url(page_name), wait_until="load")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }"
    )
    return page


def shown_page(site: StaticSite, page: Page) -> str:
    return site.page_of(page.url)


def in_view(page: Page, element_id: str) -> bool:
    """Whether the element's top edge is inside the window, below any sticky header."""
    return page.evaluate(
        """(id) => {
          const top = document.getElementById(id).getBoundingClientRect().top;
          return top >= 0 && top < window.innerHeight;
        }""",
        element_id,
    )


def wait_until(page: Page, condition: str, failure: str, arg=None) -> None:
    """Wait up to 5 s for a JavaScript condition; fail with `failure` if it never holds."""
    try:
        page.wait_for_function(condition, arg=arg, timeout=5_000)
    except PlaywrightTimeoutError:
        raise AssertionError(failure) from None


def open_table_of_contents(page: Page, width: int):
    """Tap the visible "table of contents" button; return where its links are shown."""
    toggle = page.locator("button.primary-toggle:visible")
    assert toggle.count() == 1, f"{page.url} at {width} px: {toggle.count()} visible TOC buttons"
    sidebar = page.locator("#pst-primary-sidebar")
    if width >= 992:  # the table of contents is shown beside the text; the button hides it
        assert sidebar.is_visible(), (
            f"{page.url} at {width} px: no table of contents beside the text"
        )
        shown = (
            "() => { const box = document.querySelector('#pst-primary-sidebar')"
            ".getBoundingClientRect(); return box.width >= 1 && box.right > 0; }"
        )
        toggle.click()
        wait_until(
            page,
            f"() => !({shown})()",
            f"{page.url} at {width} px: the TOC button does not hide the table of contents",
        )
        toggle.click()
        wait_until(page, shown, f"{page.url} at {width} px: the TOC button does not show it again")
        return sidebar
    dialog = page.locator("#pst-primary-sidebar-modal")
    toggle.click()
    wait_until(
        page,
        "() => document.querySelector('#pst-primary-sidebar-modal').open",
        f"{page.url} at {width} px: the TOC button does not open the table of contents",
    )
    return dialog


@pytest.mark.parametrize("width", WIDTHS)
def test_table_of_contents_opens_and_leads_to_a_chapter(browser, book_site: StaticSite, width):
    """Two taps on a phone, from the home page: the contents button, then a chapter."""
    start, target = "index.html", chapters()[-1]
    page = open_page(browser, book_site, start, width)
    try:
        contents = open_table_of_contents(page, width)
        link = contents.locator(f'a[href$="{posixpath.basename(target)}"]').first
        assert link.is_visible(), f"{start} at {width} px: {target} is not in the open contents"
        link.click()
        page.wait_for_load_state("load")
        arrived = shown_page(book_site, page)
    finally:
        page.close()
    assert arrived == target, f"{start} at {width} px: the contents led to {arrived}, not {target}"


@pytest.mark.parametrize("width", WIDTHS)
def test_page_contents_open_and_lead_to_a_heading(browser, book_site: StaticSite, width):
    chapter = first_chapter()
    page = open_page(browser, book_site, chapter, width)
    try:
        toggle = page.locator("button.secondary-toggle:visible")
        if toggle.count():
            toggle.first.click()
            wait_until(
                page,
                "() => document.querySelector('#pst-secondary-sidebar-modal').open",
                f"{chapter} at {width} px: the page-contents button does not open them",
            )
            contents = page.locator("#pst-secondary-sidebar-modal")
        else:  # wide enough for the page contents to be shown beside the text
            contents = page.locator("#pst-secondary-sidebar")
        links = contents.locator("a.nav-link[href^='#']")
        assert links.count() >= 2, f"{chapter} at {width} px: the page contents list no headings"
        link = links.nth(1)
        anchor = urllib.parse.unquote(link.get_attribute("href")[1:])
        link.click()
        wait_until(
            page,
            "(id) => location.hash === '#' + id",
            f"{chapter} at {width} px: following #{anchor} in the page contents goes nowhere",
            arg=anchor,
        )
        page.wait_for_timeout(300)  # the dialog closes after the click
        dialog_open = page.evaluate(
            "() => !!document.querySelector('#pst-secondary-sidebar-modal')?.open"
        )
        visible = in_view(page, anchor)
        if width == NARROW:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"chapter-heading-{width}.png"))
    finally:
        page.close()
    assert not dialog_open, f"{chapter} at {width} px: the page contents stay open over #{anchor}"
    assert visible, f"{chapter} at {width} px: #{anchor} is not in view after following its link"


def _sources(page_name: str) -> list[str]:
    stem = page_name.removesuffix(".html")
    return [path.read_text() for path in ROOT.glob(f"{stem}.*") if path.suffix in {".md", ".ipynb"}]


def numbered_pages() -> list[str]:
    """Every page of `_toc.yml` whose source has a labelled display equation."""
    pages = []
    for name in toc_files():
        source = next((ROOT / f"{name}{suffix}" for suffix in (".ipynb", ".md")), None)
        if source and source.is_file() and re.search(r"\$\$\s*\(eq-", source.read_text()):
            pages.append(f"{name}.html")
    return pages


_EQUATIONS = """
() => ({
  numbers: [...document.querySelectorAll('div.math[id^="equation-"] .eqno')]
    .map((eqno) => eqno.textContent.replace('#', '').trim()),
  references: [...document.querySelectorAll('a.reference[href*="#equation-"]')]
    .map((a) => ({href: a.href, text: a.textContent.trim()})),
})
"""


@pytest.mark.parametrize("page_name", numbered_pages())
def test_equations_are_numbered_per_page_and_references_say_the_same(
    browser, book_site: StaticSite, page_name: str
):
    page = open_page(browser, book_site, page_name, WIDE)
    try:
        found = page.evaluate(_EQUATIONS)
    finally:
        page.close()
    numbers = found["numbers"]
    if not numbers:  # in the student edition, every labelled equation may be in a solution
        assert "solution-start" in "".join(_sources(page_name)), f"{page_name}: no numbers"
        return
    assert numbers[0] == "(1)", f"{page_name}: the first numbered equation is {numbers[0]}, not (1)"
    expected = [f"({index})" for index in range(1, len(numbers) + 1)]
    assert numbers == expected, f"{page_name}: equation numbers {numbers}"
    for reference in found["references"]:
        target = reference["href"]
        anchor = urllib.parse.unquote(urllib.parse.urlsplit(target).fragment)
        shown = equation_number(target.split("#")[0], anchor)
        assert reference["text"] == shown, (
            f"{page_name}: a reference to #{anchor} reads {reference['text']}, "
            f"but the equation is numbered {shown}"
        )


@functools.cache
def _equation_numbers(address: str) -> dict[str, str]:
    with urllib.request.urlopen(address) as response:
        html = response.read().decode("utf-8")
    pattern = r'<div class="math[^"]*" id="(equation-[^"]+)">\s*<span class="eqno">(\([^)<]*\))'
    return dict(re.findall(pattern, html))


def equation_number(address: str, anchor: str) -> str:
    return _equation_numbers(address).get(anchor, f"no equation #{anchor} at {address}")


def book_title() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["title"]


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_welcomes_a_reader(browser, book_site: StaticSite, site_root: Path, width):
    """The title once, a pitch, "start here", every chapter with a line about it, how to run
    the notebooks, a word for instructors, and one search box."""
    page = open_page(browser, book_site, "index.html", width)
    try:
        arrived = shown_page(book_site, page)
        tab_title = page.title()
        article = page.locator("main article, main .bd-article").first
        text = article.inner_text()
        headings = page.locator("main h1:visible").all_inner_texts()
        chapter_lines = page.eval_on_selector_all(
            "main ul.nncourse-contents > li",
            """items => items.map((li) => ({
                href: new URL(li.querySelector('a').href).pathname,
                description: li.querySelector('.nncourse-description')?.textContent.trim() || '',
            }))""",
        )
        start = page.get_by_role("link", name=re.compile("^Start here"))
        start_href = start.first.get_attribute("href") if start.count() else None
        search_boxes = page.locator(".search-button-field:visible, input[type=search]:visible")
        searches = search_boxes.count()
    finally:
        page.close()
    title = book_title()  # the student edition adds "(student edition)"
    assert arrived == "index.html", f"the home page sends the reader on to {arrived}"
    assert tab_title.count(title) == 1, f"index.html: the tab reads {tab_title!r}"
    assert [heading.strip(" #") for heading in headings] == [tab_title], headings
    assert text.count(title) == 1, f"index.html: the title is shown {text.count(title)} times"
    assert start_href and start_href.endswith(".html"), "index.html: no 'Start here' link"
    described = {urllib.parse.unquote(line["href"]).lstrip("/"): line for line in chapter_lines}
    for name in toc_files()[1:]:
        if (ROOT / f"{name}.ipynb").is_file():
            line = described.get(f"{name}.html")
            assert line, f"index.html: {name} is not in the list of chapters"
            assert line["description"], f"index.html: {name} has no description"
    for words in ("download", "Colab", "make lab", "student edition"):  # in both editions
        assert words in text, f"index.html: nothing about {words!r}"
    assert "pip install nncourse" not in text
    if width == WIDE:
        assert searches == 1, f"index.html at {width} px: {searches} search boxes"


def test_no_tab_title_says_the_same_thing_twice(site_root: Path):
    doubled = []
    for path in sorted(site_root.rglob("*.html")):
        found = re.search(r"<title>(.*?)</title>", path.read_text(errors="replace"), re.S)
        parts = [part.strip() for part in found.group(1).split("&#8212;")] if found else []
        if len(parts) != len(set(parts)):
            doubled.append(f"{path.relative_to(site_root)}: {found.group(1)!r}")
    assert not doubled, "\n".join(doubled)
