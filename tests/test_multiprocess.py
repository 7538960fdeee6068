"""Two CPU processes (torchrun, gloo) run filtered distillation and end with identical weights."""
import os, subprocess, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_two_ranks_finish_with_identical_weights(tmp_path):
    torchrun = Path(sys.executable).parent / "torchrun"
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    res = subprocess.run([str(torchrun), "--nproc_per_node", "2", "--master_port", "29533", str(HERE / "ddp_filtered_distill.py"),
                          str(tmp_path)], capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    ranks = [(tmp_path / f"rank{r}.txt").read_text().split() for r in (0, 1)]
    assert [r[0] for r in ranks] == ["2", "2"], ranks          # a real two-process world
    assert ranks[0][1] == ranks[1][1], ranks                   # same weights on both ranks
    assert float(ranks[0][2]) > 0                              # and training changed them
