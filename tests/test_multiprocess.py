"""Two CPU processes (torchrun, gloo): filtered distillation ends with identical weights on both, and the specialize
pipeline (draft included) gives what one process gives on the same global batch."""
import json, os, subprocess, sys
from pathlib import Path

import torch
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
ENV = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")


def torchrun(script: str, *args, port: int) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).parent / "torchrun"), "--nproc_per_node", "2", "--master_port", str(port), str(HERE / script), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)


def failure(res: subprocess.CompletedProcess) -> str:
    "What a failed run said: each rank's traceback lines first (torchrun puts the root cause above), then the tail"
    ranks = [line for line in res.stderr.splitlines() if line.startswith("[rank") and "Warning" not in line]
    return "\n".join(ranks[-40:]) + "\n...\n" + res.stderr[-1500:]


def one_process(script: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / script), *map(str, args)], capture_output=True, text=True, env=ENV, timeout=900)


def test_two_ranks_finish_with_identical_weights(tmp_path):
    res = torchrun("ddp_filtered_distill.py", tmp_path, port=29533)
    assert res.returncode == 0, failure(res)
    ranks = [(tmp_path / f"rank{r}.txt").read_text().split() for r in (0, 1)]
    assert [r[0] for r in ranks] == ["2", "2"], ranks          # a real two-process world
    assert ranks[0][1] == ranks[1][1], ranks                   # same weights on both ranks
    assert float(ranks[0][2]) > 0                              # and training changed them


def largest_difference(a: Path, b: Path) -> float:
    x, y = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert x.keys() == y.keys()
    return max((x[k] - y[k]).abs().max().item() for k in x)


def test_specialize_in_two_processes_matches_one(tmp_path):
    from focus_finetune.models import tiny_tokenizer
    from focus_finetune.testing import warm_teacher
    tok = tiny_tokenizer()
    teacher = warm_teacher(tok, "medical")
    teacher.save_pretrained(tmp_path / "teacher"); tok.save_pretrained(tmp_path / "teacher")
    one = one_process("ddp_specialize.py", tmp_path / "teacher", tmp_path / "one", 4)
    assert one.returncode == 0, failure(one)
    two = torchrun("ddp_specialize.py", tmp_path / "teacher", tmp_path / "two", 2, port=29534)
    assert two.returncode == 0, failure(two)
    assert "Could not locate the best model" not in two.stderr            # no process lost its best checkpoint
    seen = [json.loads((tmp_path / "two" / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [s["processes"] for s in seen] == [2, 2]
    assert seen[0] == seen[1]                                              # both processes return the same result
    assert seen[0]["models"] == ["all-token", "focus", "teacher", "untrained"]
    for stage in ("reference", "focus"): assert seen[0]["stages"][stage]["processes"] == 2
    assert json.loads((tmp_path / "two" / "draft" / "draft.json").read_text())["processes"] == 2
    # 2 processes x 2 sequences are one step of 4: the draft and the all-token reference are the one-process models
    assert largest_difference(tmp_path / "one" / "draft", tmp_path / "two" / "draft") < 1e-5
    assert largest_difference(tmp_path / "one" / "run" / "reference" / "model", tmp_path / "two" / "run" / "reference" / "model") < 1e-5
    # the focus student ranks ΔL within each process's share of the batch, so it may differ from one process's; it must have trained
    focus, init = (tmp_path / "two" / "run" / s / "model" for s in ("focus", "init"))
    assert largest_difference(focus, init) > 1e-3


def test_spaf_in_two_processes_matches_one(tmp_path):
    "All-token SpAF components from 2 processes x 2 sequences equal one process's 4 (the loss counts tokens globally)"
    from focus_finetune.models import tiny_tokenizer
    from focus_finetune.testing import warm_teacher
    tok = tiny_tokenizer()
    base = warm_teacher(tok, "medical", n_layers=4)
    base.save_pretrained(tmp_path / "base"); tok.save_pretrained(tmp_path / "base")
    one = one_process("ddp_spaf.py", tmp_path / "base", tmp_path / "one", 4)
    assert one.returncode == 0, failure(one)
    two = torchrun("ddp_spaf.py", tmp_path / "base", tmp_path / "two", 2, port=29535)
    assert two.returncode == 0, failure(two)
    parts = lambda d: load_file(d / "spaf_components.safetensors")
    a, b = parts(tmp_path / "one" / "all-token"), parts(tmp_path / "two" / "all-token")
    assert a.keys() == b.keys()
    assert max((a[k] - b[k]).abs().max().item() for k in a) < 1e-5
    assert a["adapter.up.weight"].abs().max().item() > 1e-4                 # it trained (the up-projection starts at zero)
    focus = parts(tmp_path / "two" / "focus")                                # the filtered arm ran in two processes too
    assert (focus["adapter.up.weight"] - b["adapter.up.weight"]).abs().max().item() > 1e-6
