"""What a reader's browser sees on one page, and the checks run on it.

`visit` loads a page in Chromium once and records everything the checks need in a `PageReport`;
each `*_problems` function turns one aspect of the report into messages that start with the page's
path, so a failure names the page it is on. `tests/browser/test_page_checks.py` proves on small
synthetic pages that each check fails when it should.
"""

import functools
import html.parser
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from static_site import StaticSite

# Console messages that cannot be fixed in the book, by exact text, with the reason. Every other
# console error fails the page: fix its cause instead of adding it here.
UNFIXABLE_CONSOLE_MESSAGES: dict[str, str] = {}

# Visible prose must show no TeX: MathJax turns every math span into an <mjx-container>, so any
# of these left in the text (outside code) is math that was never rendered. Prose includes the
# Markdown and HTML a code cell displays (a table of computed values): only printed text is code.
RAW_TEX = re.compile(r"\$|\\frac|\\begin\{|\\end\{|\\\(|\\\[")

# A line of prose that starts and ends with `|` and holds two cells or more, or a `| --- |`
# separator, is a Markdown table that was never rendered (a table of computed values displayed
# without `"mystnb": {"markdown_format": "myst"}`, or with a line missing from its header).
RAW_TABLE_ROW = re.compile(r"(^|\n)[ \t]*\|([^|\n]*\|){2,}[ \t]*(?=\n|$)|\|[ \t]*:?-{3,}:?[ \t]*\|")

# Text of code and of printed output may legitimately hold `$` or TeX; so may rendered math.
NOT_PROSE = ", ".join(
    [
        "script", "style", "noscript", "template", "textarea", "pre", "code", "kbd", "samp",
        ".highlight", ".cell_input", ".output.text_plain", ".output.stream", ".output.traceback",
        ".sig", ".pre",  # API signatures: default values are code
        "mjx-container", "mjx-assistive-mml",
    ]
)  # fmt: skip

# What must never be cut off: display equations, code blocks and API signatures. Each either fits
# its column or scrolls inside a box of its own (an element with `overflow-x: auto`).
WIDE_CONTENT = ", ".join(['mjx-container[display="true"]', "div.math", "pre", "dt.sig", "table"])

# The widths at which every page is laid out and measured: a laptop and a phone.
LAYOUT_WIDTHS = (1280, 390)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium keeps calling home, and an offline machine logs every refusal
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_COLLECT = """
async ({notProse, rawTex, rawTable}) => {
  // never wait forever: what has not happened after 20 s is reported as not rendered or loaded
  const atMost20s = (promise) => Promise.race([promise, new Promise((r) => setTimeout(r, 20000))]);
  if (document.querySelector('.math')) {
    const started = () => window.MathJax && MathJax.startup && MathJax.startup.promise;
    for (let i = 0; i < 200 && !started(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (started()) await atMost20s(MathJax.startup.promise);
  }
  await atMost20s(Promise.all([...document.images].map((img) => {
    img.loading = 'eager';
    return img.complete ? null : new Promise((resolve) => { img.onload = img.onerror = resolve; });
  })));

  const rawTexPattern = new RegExp(rawTex);
  const rawTablePattern = new RegExp(rawTable);
  const rawTexFound = [];
  const rawTableFound = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(notProse)) continue;
    const text = node.textContent;
    const match = rawTexPattern.exec(text);  // one report per text node: the first match in context
    if (match) {
      const start = Math.max(0, match.index - 30);
      rawTexFound.push(text.slice(start, match.index + 40).replace(/\\s+/g, ' ').trim());
    }
    const row = rawTablePattern.exec(text);
    if (row) {
      const start = Math.max(0, row.index);
      rawTableFound.push(text.slice(start, row.index + 60).replace(/\\s+/g, ' ').trim());
    }
  }
  const mathElements = [...document.querySelectorAll('.math')];
  const describe = (el) => (el.id ? '#' + el.id + ' ' : '') + el.textContent.trim().slice(0, 60);
  const links = [...document.querySelectorAll('a[href], area[href], link[href]')]
    .filter((el) => el.tagName !== 'LINK' || /\\b(next|prev|index|search)\\b/.test(el.rel))
    .map((el) => ({
      href: el.href, raw: el.getAttribute('href'), text: el.textContent.trim().slice(0, 40),
    }));
  return {
    finalUrl: location.href,
    lang: document.documentElement.getAttribute('lang') || '',
    rawTex: rawTexFound,
    rawTable: rawTableFound,
    mathElements: mathElements.length,
    unrenderedMath: mathElements.filter((el) => !el.querySelector('mjx-container')).map(describe),
    renderedMath: document.querySelectorAll('mjx-container').length,
    mathErrors: [...document.querySelectorAll('mjx-merror')]
      .map((el) => el.getAttribute('data-mjx-error') || el.textContent),
    images: [...document.images].map((img) => ({
      src: img.getAttribute('src') || '',
      alt: img.getAttribute('alt'),
      naturalWidth: img.naturalWidth,
    })),
    links: links,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => ({
      level: Number(h.tagName[1]), text: h.textContent.replace('#', '').trim().slice(0, 60),
    })),
    anchors: [...document.querySelectorAll('[id], a[name]')]
      .map((el) => el.id || el.getAttribute('name')),
    solutions: document.querySelectorAll('.solution').length,
  };
}
"""


_MEASURE_OVERFLOW = """
(wideContent) => {
  const overflowX = (el) => getComputedStyle(el).overflowX;
  const scrolls = (el) => ['auto', 'scroll'].includes(overflowX(el));
  const clips = (el) => ['hidden', 'clip'].includes(overflowX(el));
  const column = document.querySelector('.bd-article-container, main, [role="main"]')
    || document.body;
  const visibleRight = (el) => {
    const box = el.getBoundingClientRect();
    return box.left + el.clientLeft + el.clientWidth;
  };
  const describe = (el) => {
    const math = el.closest('div.math, mjx-container');
    if (math) {
      const item = window.MathJax?.startup?.document?.getMathItemsWithin?.(math)?.[0];
      const label = el.closest('div.math')?.id;
      const tex = (item ? item.math : math.textContent).replace(/\\s+/g, ' ').trim();
      return `display equation ${label ? '#' + label + ' ' : ''}“${tex.slice(0, 70)}”`;
    }
    const kind = el.matches('dt.sig') ? 'API signature'
      : el.matches('table') ? 'table' : 'code block';
    const id = el.id || el.closest('[id]')?.id;
    const text = el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 70);
    return `${kind}${id ? ' near #' + id : ''} “${text}”`;
  };
  const clipped = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(wideContent)) {
    if (!el.checkVisibility() || !el.getBoundingClientRect().width) continue;  // closed dropdowns
    if (clips(el) && el.scrollWidth > el.clientWidth + 1) {  // it hides the end of its content
      const what = describe(el);
      if (!seen.has(what)) clipped.push(`${what} hides ${el.scrollWidth - el.clientWidth} px`);
      seen.add(what);
      continue;
    }
    // how far right the element's content reaches: its own box if it scrolls, else its content
    const reach = scrolls(el)
      ? el.getBoundingClientRect().right
      : el.getBoundingClientRect().left + el.clientLeft + el.scrollWidth;
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (scrolls(box)) break;  // the reader can scroll it into view
      if (clips(box) || box === column || box === document.body) {
        const beyond = Math.round(reach - visibleRight(box));
        const what = describe(el);
        if (beyond > 1 && !seen.has(what)) {
          seen.add(what);
          const edge = clips(box) ? 'the box that clips it' : 'the text column';
          clipped.push(`${what} reaches ${beyond} px past ${edge}`);
        }
        break;
      }
    }
  }
  return {
    pageOverflow: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)
      - document.documentElement.clientWidth,
    clipped: clipped,
  };
}
"""


@dataclass
class PageReport:
    """What one visit of one page recorded."""

    page: str
    final_url: str = ""
    lang: str = ""
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    raw_tables: list[str] = field(default_factory=list)
    math_elements: int = 0
    unrendered_math: list[str] = field(default_factory=list)
    rendered_math: int = 0
    math_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    headings: list[dict] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    solutions: list[dict] = field(default_factory=list)
    # at each of LAYOUT_WIDTHS: how far the page is wider than the window, and what is cut off
    layout: dict[int, dict] = field(default_factory=dict)


def launch_chromium(playwright, executable_path: str) -> Browser:
    return playwright.chromium.launch(executable_path=executable_path, args=CHROMIUM_ARGS)


def visit(
    browser: Browser, url: str, page_name: str, origin: str, expect_status: int = 200
) -> PageReport:
    """Load `url` as a reader would, wait for MathJax and images, record what the checks need.

    `origin` (scheme, host and port of the local server) tells local requests from external
    ones; the site must not load anything from elsewhere. Solution toggles are clicked last,
    because clicking changes the page.
    """
    report = PageReport(page=page_name)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def on_console(message) -> None:
        expected_not_found = expect_status == 404 and message.location.get("url") == url
        if message.type == "error" and not expected_not_found:
            report.console_errors.append(message.text)

    def on_response(response) -> None:
        is_main_document = response.url == url and expect_status != 200
        if response.status >= 400 and response.url.startswith(origin) and not is_main_document:
            report.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def on_request(request) -> None:
        if not request.url.startswith((origin, "data:", "blob:", "about:")):
            report.external_requests.append(request.url)

    def on_request_failed(request) -> None:
        if request.url.startswith(origin):
            report.failed_requests.append(f"{request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: report.console_errors.append(f"uncaught {error}"))
    page.on("response", on_response)
    page.on("request", on_request)
    page.on("requestfailed", on_request_failed)
    try:
        response = page.goto(url, wait_until="load", timeout=30_000)
        if response is not None and response.status != expect_status:
            report.failed_requests.append(f"{url} (HTTP {response.status})")
        redirect = _meta_refresh_target(_fetch_text(url))
        if redirect is not None:  # Jupyter Book's index.html sends the reader to the first page
            target = urllib.parse.urljoin(url, redirect)
            report.links.append({"href": target, "raw": redirect, "text": "meta refresh"})
            page.wait_for_url(target, wait_until="load", timeout=30_000)
        page.wait_for_load_state("networkidle", timeout=15_000)  # fonts and other late requests
        collected = page.evaluate(
            _COLLECT,
            {"notProse": NOT_PROSE, "rawTex": RAW_TEX.pattern, "rawTable": RAW_TABLE_ROW.pattern},
        )
        report.final_url = collected["finalUrl"]
        report.lang = collected["lang"]
        report.raw_tex = collected["rawTex"]
        report.raw_tables = collected["rawTable"]
        report.math_elements = collected["mathElements"]
        report.unrendered_math = collected["unrenderedMath"]
        report.rendered_math = collected["renderedMath"]
        report.math_errors = collected["mathErrors"]
        report.images = collected["images"]
        report.links += collected["links"]
        report.headings = collected["headings"]
        report.anchors = collected["anchors"]
        if collected["solutions"]:
            report.solutions = _open_solutions(page)
        report.layout = measure_layout(page)  # with the solutions open: they are measured too
    finally:
        context.close()
    return report


def visits(browser: Browser, site: StaticSite) -> Callable[[str], PageReport]:
    """`visit` of a page of `site` by name, at most once: every check of a page reads one report."""

    @functools.cache
    def report_of(page_name: str) -> PageReport:
        return visit(browser, site.url(page_name), page_name, site.origin)

    return report_of


def measure_layout(page: Page) -> dict[int, dict]:
    """At each of LAYOUT_WIDTHS, how far the page is wider than the window and what is cut off."""
    layout = {}
    for width in LAYOUT_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(
            "() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)))"
        )
        layout[width] = page.evaluate(_MEASURE_OVERFLOW, WIDE_CONTENT)
    return layout


def _fetch_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8", errors="replace")


def _meta_refresh_target(document: str) -> str | None:
    tag = re.search(r"<meta[^>]+http-equiv=[\"']?refresh[^>]*>", document, flags=re.IGNORECASE)
    target = tag and re.search(r"url=([^\"'>\s]+)", tag.group(0), flags=re.IGNORECASE)
    return target.group(1) if target else None


def _open_solutions(page: Page) -> list[dict]:
    """Click each solution's toggle; record whether its text was hidden before and shown after."""
    results = []
    solutions = page.locator(".solution")
    for index in range(solutions.count()):
        solution = solutions.nth(index)
        body = solution.locator(":scope > :not(.admonition-title)").first
        toggle = solution.locator("button.toggle-button, :scope > summary").first
        result = {
            "label": solution.get_attribute("id") or f"solution {index + 1}",
            "has_body": body.count() > 0,
            "has_toggle": toggle.count() > 0,
        }
        if result["has_body"]:
            result["hidden_before"] = not body.is_visible()
        if result["has_body"] and result["has_toggle"]:
            try:
                toggle.click(timeout=5_000)
                body.wait_for(state="visible", timeout=3_000)
            except PlaywrightError as error:  # recorded: the check below reports it
                result["click_error"] = error.message.splitlines()[0]
            result["visible_after"] = body.is_visible()
        results.append(result)
    return results


def console_problems(report: PageReport) -> list[str]:
    page = report.page
    problems = [
        f"{page}: console error: {text}"
        for text in report.console_errors
        if text not in UNFIXABLE_CONSOLE_MESSAGES
    ]
    problems += [
        f"{page}: failed request for a local resource: {item}" for item in report.failed_requests
    ]
    problems += [
        f"{page}: loads a resource from outside the site (the book must be self-contained): {url}"
        for url in report.external_requests
    ]
    return problems


def math_problems(report: PageReport) -> list[str]:
    page = report.page
    problems = [
        f"{page}: raw TeX in the visible prose (MathJax did not render it): “{snippet}”"
        for snippet in report.raw_tex
    ]
    problems += [
        f"{page}: math element not typeset by MathJax: “{text}”" for text in report.unrendered_math
    ]
    problems += [f"{page}: MathJax error: “{text}”" for text in report.math_errors]
    if report.math_elements and not report.rendered_math:
        problems.append(
            f"{page}: has {report.math_elements} math elements but no rendered math (mjx-container)"
        )
    return problems


def markdown_problems(report: PageReport) -> list[str]:
    return [
        f"{report.page}: a Markdown table row left as text (the table was not rendered): "
        f"“{snippet}”"
        for snippet in report.raw_tables
    ]


def layout_problems(report: PageReport) -> list[str]:
    """The page wider than the window, or an equation, code block or signature cut off."""
    problems = []
    for width, layout in report.layout.items():
        if layout["pageOverflow"] > 0:
            problems.append(
                f"{report.page}: at {width} px the page is {layout['pageOverflow']} px wider than "
                "the window (it scrolls sideways)"
            )
        problems += [
            f"{report.page}: at {width} px, {what}, and cannot be scrolled"
            for what in layout["clipped"]
        ]
    return problems


def image_problems(report: PageReport) -> list[str]:
    problems = []
    for image in report.images:
        if not image["naturalWidth"]:
            problems.append(f"{report.page}: image did not load (naturalWidth 0): {image['src']}")
        if not (image["alt"] or "").strip():
            problems.append(f"{report.page}: image without alt text: {image['src']}")
    return problems


def solution_problems(report: PageReport) -> list[str]:
    problems = []
    for solution in report.solutions:
        where = f"{report.page}: {solution['label']}"
        if not solution["has_body"]:
            problems.append(f"{where}: the solution has no content")
        elif not solution["has_toggle"]:
            problems.append(f"{where}: the solution has no toggle (give it `:class: dropdown`)")
        elif not solution["hidden_before"]:
            problems.append(f"{where}: the solution is shown before its toggle is clicked")
        elif not solution["visible_after"]:
            reason = solution.get("click_error", "it stays hidden")
            problems.append(f"{where}: clicking the solution's toggle does not reveal it: {reason}")
    return problems


def accessibility_problems(report: PageReport) -> list[str]:
    page = report.page
    problems = (
        [] if report.lang.strip() else [f"{page}: <html> declares no language (lang attribute)"]
    )
    levels = [heading["level"] for heading in report.headings]
    if 1 not in levels:
        problems.append(f"{page}: no <h1> heading")
    previous = 0
    for heading in report.headings:
        level, text = heading["level"], heading["text"]
        if level > previous + 1:
            problems.append(f"{page}: heading level skipped, h{previous} -> h{level} at {text!r}")
        previous = heading["level"]
    return problems


class _Anchors(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.anchors.add(value)


class LinkResolver:
    """Fetch local link targets over HTTP once each and remember the anchors they define."""

    def __init__(self, origin: str):
        self.origin = origin
        self._targets: dict[str, tuple[int, set[str] | None]] = {}

    def target(self, address: str) -> tuple[int, set[str] | None]:
        """HTTP status and anchor ids of a page (None for anchors when it is not HTML)."""
        if address not in self._targets:
            try:
                with urllib.request.urlopen(address, timeout=30) as response:
                    status, kind = response.status, response.headers.get_content_type()
                    body = response.read()
            except urllib.error.HTTPError as error:
                status, kind, body = error.code, "", b""
            anchors = None
            if kind == "text/html":
                parser = _Anchors()
                parser.feed(body.decode("utf-8", errors="replace"))
                anchors = parser.anchors
            self._targets[address] = (status, anchors)
        return self._targets[address]


def link_problems(report: PageReport, resolver: LinkResolver) -> list[str]:
    problems = []
    for link in report.links:
        parts = urllib.parse.urlsplit(link["href"])
        if (
            parts.scheme not in {"http", "https"}
            or f"{parts.scheme}://{parts.netloc}" != resolver.origin
        ):
            continue  # external (listed by `make linkcheck-report`), mailto:, javascript:
        address = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        if address == report.final_url.split("#")[0]:
            status, anchors = 200, set(report.anchors)  # the page itself, as the browser built it
        else:
            status, anchors = resolver.target(address)
        shown = f"{link['raw']!r} ({link['text']!r})" if link["text"] else repr(link["raw"])
        if status != 200:
            problems.append(f"{report.page}: link to a missing page (HTTP {status}): {shown}")
            continue
        fragment = urllib.parse.unquote(parts.fragment)
        if fragment and anchors is not None and fragment not in anchors:
            problems.append(f"{report.page}: link to a missing anchor #{fragment}: {shown}")
    return problems


# Every check of a page that needs only its report; `link_problems` also needs a `LinkResolver`.
REPORT_CHECKS: tuple[Callable[[PageReport], list[str]], ...] = (
    console_problems,
    math_problems,
    markdown_problems,
    layout_problems,
    image_problems,
    solution_problems,
    accessibility_problems,
)


def all_problems(report: PageReport, resolver: LinkResolver) -> list[str]:
    """What every check finds on one page."""
    problems = [problem for check in REPORT_CHECKS for problem in check(report)]
    return problems + link_problems(report, resolver)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
