"""Sphinx fixes for the published book, loaded through `local_extensions` in `_config.yml`.

- Inline scripts that extensions add after the builder starts (sphinx-thebe's `THEBE_JS_URL`,
  sphinx-togglebutton's selector) are written twice by Sphinx 7.4, and the second
  `const THEBE_JS_URL` is a JavaScript error on every page. Sphinx 8.2 fixes this (its pull request
  13402), but Jupyter Book 1 requires Sphinx 7, so each page's script list is de-duplicated here.
- The 404 page (sphinx-notfound-page) needs absolute links, because a web host serves it at any
  missing address. Its URL prefix is derived from `html_baseurl`, so that `html.baseurl` in
  `_config.yml` stays the one place that says where the book is published.
- Reading aids on every page, from `book/_static`: `nncourse.css` (what is wider than the text
  column scrolls inside its own box; signatures wrap) and `nncourse.js` (the dialogs that hold the
  table of contents and the page contents close when one of their links is followed).
- An empty `.nojekyll` file in the output tells GitHub Pages to serve folders whose names start
  with an underscore (`_static/`, `_sources/`) as they are.
- The site's `index.html` is a small page that sends the reader to the first chapter. The one
  sphinx-external-toc writes is a bare redirect without a language, a title or an icon, so a
  browser asks the host for `/favicon.ico`, which does not exist. This one declares its language
  and title, an inline empty icon (a file would be requested and then cut off by the redirect),
  and a link for readers whose browsers do not follow the refresh.
"""

import html
from pathlib import Path
from urllib.parse import urlparse

from sphinx.application import Sphinx
from sphinx.config import Config


def drop_duplicate_scripts(app: Sphinx, pagename, templatename, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        # Sphinx stores the same inline script once with filename None and once with ""
        key = (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


STATIC = Path(__file__).resolve().parent.parent / "_static"


def add_reading_aids(app: Sphinx, config: Config) -> None:
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))
    app.add_css_file("nncourse.css")
    app.add_js_file("nncourse.js")


def set_notfound_prefix(app: Sphinx, config: Config) -> None:
    path = urlparse(config.html_baseurl).path if config.html_baseurl else "/"
    config.notfound_urls_prefix = path if path.endswith("/") else path + "/"


def write_nojekyll(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / ".nojekyll").touch()


INDEX_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="icon" href="data:,">
  <meta http-equiv="Refresh" content="0; url={target}">
</head>
<body>
  <p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def write_index_redirect(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    page = INDEX_PAGE.format(
        title=html.escape(app.config.html_title or app.config.project),
        target=app.builder.get_target_uri(app.config.root_doc),
    )
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.setup_extension("notfound.extension")
    app.setup_extension("nncourse_api")  # the API reference, one page per module
    app.connect("config-inited", set_notfound_prefix)
    app.connect("config-inited", add_reading_aids)
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("build-finished", write_nojekyll)
    # before sphinx-external-toc (priority 500), which writes a bare redirect if none exists
    app.connect("build-finished", write_index_redirect, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
