"""Sphinx fixes for the published book, loaded through `local_extensions` in `_config.yml`.

- Inline scripts that extensions add after the builder starts (sphinx-thebe's `THEBE_JS_URL`,
  sphinx-togglebutton's selector) are written twice by Sphinx 7.4, and the second
  `const THEBE_JS_URL` is a JavaScript error on every page. Sphinx 8.2 fixes this (its pull request
  13402), but Jupyter Book 1 requires Sphinx 7, so each page's script list is de-duplicated here.
- The 404 page (sphinx-notfound-page) needs absolute links, because a web host serves it at any
  missing address. Its URL prefix is derived from `html_baseurl`, so that `html.baseurl` in
  `_config.yml` stays the one place that says where the book is published.
- An empty `.nojekyll` file in the output tells GitHub Pages to serve folders whose names start
  with an underscore (`_static/`, `_sources/`) as they are.
"""

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


def set_notfound_prefix(app: Sphinx, config: Config) -> None:
    path = urlparse(config.html_baseurl).path if config.html_baseurl else "/"
    config.notfound_urls_prefix = path if path.endswith("/") else path + "/"


def write_nojekyll(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / ".nojekyll").touch()


def setup(app: Sphinx) -> dict:
    app.setup_extension("notfound.extension")
    app.connect("config-inited", set_notfound_prefix)
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("build-finished", write_nojekyll)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
