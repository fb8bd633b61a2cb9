"""List every external link of the built book in one report, without fetching any of them.

CI machines are offline, so external links are only listed (with the pages that use them) for a
person to review; internal links and anchors are checked by the browser tests. On a machine
with a network, `--fetch` also asks each address for its status and fails if any is broken.

Usage: python scripts/linkcheck_report.py [HTML_DIR] [REPORT] [--fetch]
       (defaults: _build/html and _build/linkcheck/external-links.md)
"""

import argparse
import html.parser
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL_SCHEMES = ("http://", "https://", "ftp://")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"a", "area"}:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def html_pages(root: Path) -> list[Path]:
    """The book's pages: every HTML file outside `_static/`, `_sources/` and hidden folders."""
    return sorted(
        path
        for path in root.rglob("*.html")
        if not any(part.startswith(("_", ".")) for part in path.relative_to(root).parts[:-1])
    )


def published_at() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return (config.get("html") or {}).get("baseurl") or ""


def external_links(root: Path, own_site: str = "") -> dict[str, list[str]]:
    """Each external address, with the pages (site-relative) that link to it."""
    pages_of: dict[str, set[str]] = defaultdict(set)
    for path in html_pages(root):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        for href in parser.hrefs:
            if href.startswith(EXTERNAL_SCHEMES) and not (own_site and href.startswith(own_site)):
                pages_of[href].add(path.relative_to(root).as_posix())
    return {url: sorted(pages) for url, pages in sorted(pages_of.items())}


def status_of(url: str) -> str:
    request = urllib.request.Request(
        url, method="HEAD", headers={"User-Agent": "nncourse-linkcheck"}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        if error.code == 405:  # some servers refuse HEAD: ask again with GET
            with urllib.request.urlopen(url, timeout=20) as response:
                return str(response.status)
        return str(error.code)
    except (urllib.error.URLError, TimeoutError) as error:
        return f"unreachable ({error})"


def report(links: dict[str, list[str]], statuses: dict[str, str] | None) -> str:
    lines = [
        "# External links of the book",
        "",
        f"{len(links)} external addresses, listed without being fetched"
        + (" (then fetched with --fetch)." if statuses else "; `--fetch` checks them online."),
        "",
        "| address | pages" + (" | status |" if statuses else " |"),
        "| --- | ---" + (" | --- |" if statuses else " |"),
    ]
    for url, pages in links.items():
        row = f"| <{url}> | {', '.join(pages)}"
        lines.append(row + (f" | {statuses[url]} |" if statuses else " |"))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument(
        "report", nargs="?", type=Path, default=ROOT / "_build" / "linkcheck" / "external-links.md"
    )
    parser.add_argument("--fetch", action="store_true", help="also fetch each address (online)")
    arguments = parser.parse_args()
    if not (arguments.html / "index.html").is_file():
        sys.exit(f"{arguments.html} holds no built book: run `make book` first")
    links = external_links(arguments.html, published_at())
    statuses = {url: status_of(url) for url in links} if arguments.fetch else None
    arguments.report.parent.mkdir(parents=True, exist_ok=True)
    arguments.report.write_text(report(links, statuses), encoding="utf-8")
    print(f"{len(links)} external links listed in {arguments.report}")
    broken = [url for url, status in (statuses or {}).items() if not status.startswith(("2", "3"))]
    for url in broken:
        print(f"broken: {url} ({statuses[url]})", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
