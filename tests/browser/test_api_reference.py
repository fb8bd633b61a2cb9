"""The API reference as a reader uses it: one page per module, every public name on its page
(in the table at the top and as a full entry), and the search box finds each module's names."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from page_checks import LinkResolver, PageReport, link_problems
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from static_site import StaticSite

import nncourse

pytestmark = pytest.mark.browser

# every public module of the package, whether or not `import nncourse` imports it
MODULES = sorted(
    module.name for module in pkgutil.iter_modules(nncourse.__path__) if module.name[0] != "_"
)


def public_names(module: str) -> list[str]:
    return list(importlib.import_module(f"nncourse.{module}").__all__)


def anchor(module: str, name: str) -> str:
    """The id of a name's entry: a submodule exported by name is a module target."""
    obj = getattr(importlib.import_module(f"nncourse.{module}"), name)
    prefix = "module-" if inspect.ismodule(obj) else ""
    return f"{prefix}nncourse.{module}.{name}"


@pytest.mark.parametrize("module", MODULES)
def test_every_name_of_all_is_on_its_api_page(site_root: Path, module: str):
    page = site_root / "book" / "api" / f"{module}.html"
    assert page.is_file(), f"no API page for nncourse.{module}: {page}"
    html = page.read_text()
    summary = html[html.find('class="autosummary') :]
    missing_entry = [
        name for name in public_names(module) if f'id="{anchor(module, name)}"' not in html
    ]
    missing_row = [
        name for name in public_names(module) if f'href="#{anchor(module, name)}"' not in summary
    ]
    assert not missing_entry, f"book/api/{module}.html: no entry for {missing_entry}"
    assert not missing_row, f"book/api/{module}.html: not in the table at the top: {missing_row}"


@pytest.mark.parametrize("module", MODULES)
def test_search_finds_the_names_of_each_module(
    browser, book_site: StaticSite, resolver: LinkResolver, module: str
):
    name = public_names(module)[-1]
    page = browser.new_page()
    try:
        page.goto(book_site.url(f"search.html?q={name}"), wait_until="load")
        results = page.locator("#search-results ul.search li a")
        try:
            results.first.wait_for(timeout=20_000)
        except PlaywrightTimeoutError as error:
            raise AssertionError(f"search.html: no result for {name!r}") from error
        links = page.eval_on_selector_all(
            "#search-results ul.search li a",
            "links => links.map((a) => ({href: a.href, raw: a.getAttribute('href'), text: ''}))",
        )
    finally:
        page.close()
    wanted = f"book/api/{module}.html#{anchor(module, name)}"
    assert any(link["href"].endswith(wanted) for link in links), (
        f"search.html?q={name}: no result leads to {wanted}: {[link['raw'] for link in links][:8]}"
    )
    problems = link_problems(PageReport(page=f"search.html?q={name}", links=links), resolver)
    assert not problems, "\n".join(problems)
