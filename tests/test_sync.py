"""The package and the README must be exactly what the notebooks give."""
import filecmp, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


_NOT_SOURCES = shutil.ignore_patterns("runs", "__pycache__", ".ipynb_checkpoints")  # run directories can hold gigabytes of models


def _copy_sources(dst: Path):
    for name in ("settings.ini", "nbs", "focus_finetune"):
        src = ROOT / name
        if src.is_dir(): shutil.copytree(src, dst / name, ignore=_NOT_SOURCES)
        else: shutil.copy(src, dst / name)


def _diff(a: Path, b: Path) -> list:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    out = [f"{a.name}/{n}" for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    return out + [x for d in cmp.common_dirs for x in _diff(a / d, b / d)]


def test_package_is_what_nbdev_export_gives(tmp_path):
    _copy_sources(tmp_path)
    subprocess.run([str(BIN / "nbdev_export")], cwd=tmp_path, check=True, capture_output=True)
    changed = _diff(ROOT / "focus_finetune", tmp_path / "focus_finetune")
    assert not changed, f"nbdev_export would change {changed}: edit the notebooks, run nbdev_export, commit the result"


def test_readme_is_the_index_notebook(tmp_path):
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--config", "nbs/readme_config.py",
                    f"--FilesWriter.build_directory={tmp_path}"], cwd=ROOT, check=True, capture_output=True)
    assert (tmp_path / "README.md").read_text() == (ROOT / "README.md").read_text(), \
        "README.md is stale: run jupyter nbconvert --config nbs/readme_config.py"
