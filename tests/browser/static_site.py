"""A static web host for the built book: files under one URL prefix, `404.html` for anything else.

It behaves as the hosts the README names (GitHub Pages, Netlify, any web server): the book is
published under the path of `html.baseurl` in `_config.yml`, and a missing address gets the 404
page with status 404. It listens on 127.0.0.1 on a free port, in a thread.
"""

import functools
import http.server
import posixpath
import threading
import urllib.parse
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    mount = "/"

    def send_head(self):
        if not urllib.parse.urlsplit(self.path).path.startswith(self.mount):
            self.send_error(404, "outside the published site")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        address = urllib.parse.urlsplit(path).path
        return super().translate_path("/" + address[len(self.mount) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found_page = Path(self.directory) / "404.html"
        if code != 404 or not not_found_page.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser navigated away before a response was sent: nothing to report

    def log_message(self, format: str, *args) -> None:
        pass  # the tests report failures themselves; a log line per request would drown them


class StaticSite:
    """Serve `root` at `http://127.0.0.1:<port><mount>` until `close()`."""

    def __init__(self, root: Path, mount: str = "/"):
        if not mount.startswith("/") or not mount.endswith("/"):
            raise ValueError(f"mount must start and end with '/'; got {mount!r}")
        self.root = Path(root)
        handler = type("Handler", (_Handler,), {"mount": mount})
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(self.root))
        )
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_port}{mount}"
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, page: str) -> str:
        """Address of `page`, a path relative to the site root such as `book/intro.html`."""
        return urllib.parse.urljoin(self.base_url, page)

    def page_of(self, url: str) -> str:
        """The inverse of `url`: the site-relative path of a local address, without fragment."""
        path = urllib.parse.urlsplit(url).path
        mount = urllib.parse.urlsplit(self.base_url).path
        return posixpath.normpath(path[len(mount) :]) if path.startswith(mount) else path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "StaticSite":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def html_pages(root: Path) -> list[str]:
    """Every HTML page of a built book, as site-relative paths (theme templates left out)."""
    pages = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root)
        if any(part.startswith(("_", ".")) for part in relative.parts[:-1]):
            continue  # _static/ (theme templates), _sources/, _images/, stray hidden folders
        pages.append(relative.as_posix())
    return pages
