"""One epoch of distillation from the cached teacher targets (chapter 04b) against one with the live teacher, and how
far the top-k loss is from the live forward KL.

    python benchmarks/teacher_cache.py [--teacher smollm2-135m-instruct] [--layers 4] [--width 128] [--top-k 64]
                                       [--domain medical] [--sequences 64] [--batch 4] [--seq 256] [--out DIR]

The student is `make_student(teacher, layers, hidden_size=width)` (width 0: the carved student). In one run, on the
same sequences and with the same optimiser settings: the time to fill the cache (one teacher pass), one epoch of
`DistillTrainer` with the live teacher, one epoch from the cache, their ratio, the number of epochs after which the
cache has paid for its fill, and the cache's size. Then, on 16 held-out sequences, the trained student's per-token
forward KL to the live teacher and its top-k loss (`targets_fkl`, a lower bound): their means and the mean gap.
Prints one table and writes it as CSV to `--out` (default benchmarks/results/teacher_cache.csv).
"""
import argparse, os, platform, tempfile, time
from pathlib import Path

import pandas as pd
import torch

from focus_finetune.splits import load_domain
from focus_finetune.tokenization import make_collator, tokenize_dataset
from focus_finetune.losses import next_token_mask, targets_fkl, teacher_targets, token_divergence
from focus_finetune.models import load_model, load_tokenizer, make_student, non_embedding_parameters
from focus_finetune.reference_kd import distill, quiet_trainer_logs
from focus_finetune.teacher_cache import open_teacher_cache
from focus_finetune.token_difficulty import model_logits


def epoch(teacher, cache, student, tok, data, a, work):
    "Seconds of one epoch of forward-KL distillation, live (`cache` None) or from the cache"
    t0 = time.perf_counter()
    distill(teacher if cache is None else None, student, tok, data, output_dir=str(work), num_train_epochs=1, max_steps=-1,
            per_device_train_batch_size=a.batch, learning_rate=3e-4, logging_steps=10**6, disable_tqdm=True, seed=0,
            trainer_kwargs=dict(teacher_cache=cache) if cache is not None else None)
    return time.perf_counter() - t0


@torch.no_grad()
def loss_gap(teacher, student, tok, held_out, top_k):
    "Per-token live forward KL and top-k loss of `student` on `held_out`, their means over learned tokens"
    collate, live, coarse = make_collator(tok), [], []
    for i in range(0, len(held_out), 4):
        batch = collate([held_out[j] for j in range(i, min(i + 4, len(held_out)))])
        t, s = model_logits(teacher, batch), model_logits(student, batch)
        valid = next_token_mask(batch["labels"])
        live.append(token_divergence(s, t)[valid]); coarse.append(targets_fkl(s, teacher_targets(t, top_k))[valid])
    live, coarse = torch.cat(live), torch.cat(coarse)
    return dict(tokens=len(live), live_kl=live.mean().item(), topk_loss=coarse.mean().item(), gap=(live - coarse).mean().item(),
                gap_share=((live - coarse).sum() / live.sum()).item())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", default="smollm2-135m-instruct"); ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--width", type=int, default=128); ap.add_argument("--top-k", type=int, default=64)
    ap.add_argument("--domain", default="medical"); ap.add_argument("--sequences", type=int, default=64)
    ap.add_argument("--batch", type=int, default=4); ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent/"results"/"teacher_cache.csv"))
    a = ap.parse_args()
    quiet_trainer_logs()
    teacher, tok = load_model(a.teacher).eval(), load_tokenizer(a.teacher)
    splits = load_domain(a.domain, max_train=a.sequences, max_eval=16, seed=0)
    data = tokenize_dataset(splits["train"], tok, a.seq)
    held_out = tokenize_dataset(splits["validation"], tok, a.seq)
    student = lambda: make_student(teacher, a.layers, hidden_size=a.width or None)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        os.environ["FOCUS_FINETUNE_CACHE"] = str(work/"cache")  # a fresh cache: the fill is timed from nothing
        t0 = time.perf_counter()
        cache = open_teacher_cache(teacher, tok, a.top_k, a.seq, datasets=(data,), progress=False)
        fill = time.perf_counter() - t0
        live = epoch(teacher, None, student(), tok, data, a, work/"live")
        trained = student()
        cached = epoch(None, cache, trained, tok, data, a, work/"cached")
        gap = loss_gap(teacher, trained.eval(), tok, held_out, a.top_k)
        size = cache.size_bytes
    row = dict(teacher=a.teacher, student=f"{a.layers} layers, width {a.width or teacher.config.hidden_size}",
               gap_x=round(non_embedding_parameters(teacher) / non_embedding_parameters(trained), 1), top_k=a.top_k,
               sequences=len(data), fill_s=round(fill, 1), live_epoch_s=round(live, 1), cached_epoch_s=round(cached, 1),
               live_over_cached=round(live / cached, 2), break_even_epochs=round(fill / max(live - cached, 1e-9), 2),
               cache_mb=round(size / 2**20, 1), mb_per_sequence=round(size / 2**20 / len(data), 2),
               **{f"heldout_{k}": round(v, 4) for k, v in gap.items()}, threads=torch.get_num_threads(), machine=platform.machine())
    df = pd.DataFrame([row])
    print(df.T.to_string(header=False))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, mode="a", header=not Path(a.out).exists(), index=False)


if __name__ == "__main__":
    main()
