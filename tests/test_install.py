"""The installed package: console script, version, settings."""
import configparser, os, subprocess, sys
from pathlib import Path

import focus_finetune

ROOT = Path(__file__).resolve().parents[1]


def test_version_matches_settings():
    cfg = configparser.ConfigParser(delimiters=["="]); cfg.read(ROOT / "settings.ini")
    assert focus_finetune.__version__ == cfg["DEFAULT"]["version"]


def test_console_script_help_lists_subcommands():
    exe = Path(sys.executable).parent / "focus-finetune"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    for sub in ("specialize", "analyze", "evaluate", "demo", "prepare"): assert sub in out


def test_console_script_rejects_bad_k_in_one_line():
    exe = Path(sys.executable).parent / "focus-finetune"
    res = subprocess.run([str(exe), "specialize", "--k", "0"], capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0 and "must be in (0, 1]" in res.stderr


def test_console_script_reports_bad_domain_in_one_line(tmp_path):
    exe = Path(sys.executable).parent / "focus-finetune"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    res = subprocess.run([str(exe), "prepare", "--domain", "astrology", "--model", str(tmp_path / "none")],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "Model path not found" in res.stderr
