"""The documentation site (`mkdocs build`, mkdocs.yml): every chapter a page, every public name on the API page, and
the index and API pages rendered in a real headless browser (Debian's Chromium), their screenshots kept in
`site/screenshots/`."""
import importlib, os, shutil, subprocess, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/"docs"))
from hooks import chapters  # noqa: E402


@pytest.fixture(scope="module")
def site():
    out = ROOT/"site"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=ROOT, env=env, check=True)
    return out


def test_every_chapter_is_a_page(site):
    for stem, title, _ in chapters():
        page = site/("index.html" if stem == "index" else f"{stem}/index.html")
        assert page.exists(), stem
        assert title in page.read_text(), (stem, title)


def test_every_public_name_is_on_the_api_page(site):
    api = (site/"api"/"index.html").read_text()
    missing = []
    for _, _, module in chapters():
        if module in (None, "__init__"): continue
        names = importlib.import_module(f"focus_finetune.{module}").__all__
        missing += [f"{module}.{n}" for n in names if f'id="focus_finetune.{module}.{n}"' not in api]
    assert not missing, f"not on the API page: {missing}"


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Debian's chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("page, expect", [("index.html", "Selective knowledge distillation"),
                                          ("api/index.html", "make_student")])
def test_pages_render_in_a_headless_browser(site, page, expect):
    shots = site/"screenshots"; shots.mkdir(exist_ok=True)
    shot = shots/(page.replace("/", "_").replace(".html", ".png"))
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"]
    url = (site/page).as_uri()
    dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert expect in dom and "md-nav" in dom, page  # rendered by the theme, with its navigation
    subprocess.run(flags + [f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 20_000, shot  # a page, not a blank image
    print(f"screenshot: {shot}")
