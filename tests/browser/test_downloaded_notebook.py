"""A chapter notebook downloaded from the published book runs where nncourse is not installed.

The book is built with a local base URL and served on 127.0.0.1; the test downloads a chapter's
notebook as the download button serves it (`_sources/`) and executes it in a fresh virtual
environment. That environment reuses the toolchain's third-party packages (a `.pth` file points
at a copy of the toolchain's site-packages without nncourse), so the test stays offline, but
nncourse itself can only come from the wheel the site serves: the notebook's install cell gets it
with pip, `--no-index`. It takes about a minute (a full build of the book), so it runs with the
browser tests, in `make test-browser`.
"""

import json
import os
import site
import subprocess
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest
from static_site import StaticSite

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = "book/checking-derivatives.ipynb"
KERNEL = "nncourse-fresh"

# Build the book as `jupyter-book build` does, with html_baseurl set to the local address.
BUILD = """
import sys
from pathlib import Path
from jupyter_book.sphinx import build_sphinx

root, out, baseurl = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
overrides = {
    "html_baseurl": baseurl,
    "external_toc_path": (root / "_toc.yml").as_posix(),
    "latex_individualpages": False,
}
status = build_sphinx(
    root, out / "html", noconfig=True, path_config=str(root / "_config.yml"),
    confoverrides=overrides, doctreedir=out / "doctrees", quiet=True,
)
sys.exit(status)
"""

# Run inside the fresh environment: execute the notebook, then report where nncourse came from.
EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

path, kernel = sys.argv[1], sys.argv[2]
notebook = nbformat.read(path, as_version=4)
notebook.cells.append(nbformat.v4.new_code_cell(
    "import sys, nncourse\\nprint(nncourse.__file__)\\nprint(sys.prefix)"
))
NotebookClient(notebook, timeout=300, kernel_name=kernel, allow_errors=False).execute()
nbformat.write(notebook, path)
"""


def fresh_environment(folder: Path) -> Path:
    """A virtual environment without nncourse that sees the toolchain's other packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    toolchain = folder / "toolchain"  # the toolchain's site-packages, nncourse left out
    toolchain.mkdir()
    for packages in map(Path, site.getsitepackages()):
        for entry in packages.iterdir():
            if "nncourse" not in entry.name and not (toolchain / entry.name).exists():
                (toolchain / entry.name).symlink_to(entry)
    (Path(purelib) / "toolchain.pth").write_text(f"{toolchain}\n")
    kernelspec = folder / "share" / "jupyter" / "kernels" / KERNEL
    kernelspec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "fresh", "language": "python"}
    (kernelspec / "kernel.json").write_text(json.dumps(spec))
    return python


def test_downloaded_chapter_installs_nncourse_from_the_served_wheel(tmp_path):
    site_root = tmp_path / "site"
    with StaticSite(site_root / "html") as host:
        built = subprocess.run(
            [sys.executable, "-c", BUILD, str(ROOT), str(site_root), host.base_url],
            capture_output=True,
            text=True,
            check=False,
        )
        assert built.returncode == 0, f"the book does not build:\n{built.stdout}{built.stderr}"
        with urllib.request.urlopen(host.url(f"_sources/{CHAPTER}")) as response:
            download = response.read()
        wheels = list((site_root / "html" / "_static" / "wheels").glob("nncourse-*.whl"))
        assert len(wheels) == 1, wheels
        wheel_url = host.url(f"_static/wheels/{wheels[0].name}")
        cells = nbformat.reads(download.decode(), as_version=4).cells
        install = next(cell.source for cell in cells if cell.cell_type == "code")
        assert f'"nncourse[book] @ {wheel_url}"' in install, "no wheel address in the download"

        work = tmp_path / "download"
        work.mkdir()
        notebook = work / Path(CHAPTER).name
        notebook.write_bytes(download)
        venv = tmp_path / "fresh"
        python = fresh_environment(venv)
        environment = {
            **os.environ,
            "PIP_NO_INDEX": "1",  # offline: pip may fetch nothing but the wheel's own address
            "PIP_NO_CACHE_DIR": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "IPYTHONDIR": str(tmp_path / "ipython"),
            "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        }
        environment.pop("PYTHONPATH", None)
        before = subprocess.run(
            [python, "-c", "import nncourse"], cwd=work, env=environment, capture_output=True
        )
        assert before.returncode != 0, "the fresh environment must not see nncourse beforehand"
        assert b"No module named 'nncourse'" in before.stderr
        ran = subprocess.run(
            [python, "-c", EXECUTE, str(notebook), KERNEL],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    assert ran.returncode == 0, f"the downloaded notebook fails:\n{ran.stdout}{ran.stderr}"

    executed = nbformat.read(notebook, as_version=4)
    where = "".join(output.get("text", "") for output in executed.cells[-1].outputs).split()
    assert len(where) == 2, executed.cells[-1].outputs
    module_file, prefix = map(Path, where)
    assert prefix.resolve() == venv.resolve()
    assert venv.resolve() in module_file.resolve().parents, module_file
    installed = (
        "import importlib.metadata\n"
        "print(importlib.metadata.distribution('nncourse').read_text('direct_url.json'))"
    )
    direct_url = subprocess.run(
        [python, "-c", installed], cwd=work, env=environment, capture_output=True, text=True
    )
    assert json.loads(direct_url.stdout)["url"] == wheel_url
