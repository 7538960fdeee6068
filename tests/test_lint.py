"The exported package passes ruff (settings in `ruff.toml`), except on the lines nbdev writes itself"
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def nbdev_written(path: str, row: int) -> bool:
    "Whether line `row` of `path` is nbdev's own: the module docstring (a chapter's description) or `__all__`'s first line"
    line = Path(path).read_text(encoding="utf-8").splitlines()[row - 1]
    return (row <= 2 and line.startswith('"""')) or line.startswith("__all__ = [")


def lint(*paths: str) -> list[str]:
    "ruff's findings on `paths` (relative to the repository), one line each, nbdev's own long lines left out"
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--config", "ruff.toml", "--output-format", "json", *paths],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    return [f"{os.path.relpath(f['filename'], ROOT)}:{f['location']['row']}: {f['code']} {f['message']}"
            for f in json.loads(out.stdout)
            if not (f["code"] == "E501" and nbdev_written(f["filename"], f["location"]["row"]))]


def test_package_passes_ruff():
    found = lint("focus_finetune")
    assert not found, "ruff (fix the chapter, then nbdev_export):\n" + "\n".join(found)


def test_lint_finds_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = '" + "a" * 130 + "'\ny = undefined_name\n")
    found = lint(str(bad))
    assert {line.split(": ")[1].split()[0] for line in found} == {"F401", "E501", "F821"}, found
