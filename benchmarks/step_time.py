"""Time of one training step: filtered distillation with cached reference losses vs the AdaSPEC paper's recipe
(three forward passes: student, teacher, reference) vs a plain forward-KL distillation step, on the same batch.

    python benchmarks/step_time.py [--teacher smollm2-135m-instruct] [--layers 8] [--batch 4] [--seq 256] [--repeats 5]

The teacher is the bundled SmolLM2-135M-Instruct, student and reference are `make_student(teacher, n_layers)`.
Each step is forward + loss + backward + AdamW update; the median of `--repeats` steps after one warm-up step
is reported for each recipe, interleaved so that all three see the same machine state, and the ratios are printed
(targets: ours / paper <= 0.8, ours / plain FKL <= 1.1).
"""
import argparse, statistics, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loss_memory import paper_recipe  # noqa: E402

from focus_finetune.data import load_domain, make_collator, tokenize_dataset
from focus_finetune.losses import adaspec_loss, distill_loss, token_divergence
from focus_finetune.models import load_model, load_tokenizer, make_student


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", default="smollm2-135m-instruct"); ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--batch", type=int, default=4); ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    dev = torch.device(a.device)
    teacher = load_model(a.teacher).to(dev).eval(); tok = load_tokenizer(a.teacher)
    reference = make_student(teacher, a.layers).to(dev).eval()
    student = make_student(teacher, a.layers).to(dev).train()
    for m in (teacher, reference): m.requires_grad_(False)
    data = tokenize_dataset(load_domain("coding", max_train=64, max_eval=8)["train"], tok, max_length=a.seq)
    batch = make_collator(tok)([data[i] for i in range(a.batch)])
    batch = {k: v.to(dev) for k, v in batch.items()}
    inputs = dict(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False)
    with torch.no_grad(): ref_losses = token_divergence(reference(**inputs).logits, teacher(**inputs).logits)  # the cache
    opt = torch.optim.AdamW(student.parameters(), lr=1e-6)

    def step(recipe):
        if dev.type == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter()
        logits = student(**inputs).logits
        with torch.no_grad():
            t_logits = teacher(**inputs).logits
            r_logits = reference(**inputs).logits if recipe == "paper" else None
        if recipe == "paper": loss = paper_recipe(logits, t_logits, r_logits, batch["labels"], 0.4)
        elif recipe == "ours": loss = adaspec_loss(logits, t_logits, labels=batch["labels"], ref_losses=ref_losses, k=0.4)
        else: loss = distill_loss(logits, t_logits, batch["labels"], "fkl")
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        if dev.type == "cuda": torch.cuda.synchronize()
        return time.perf_counter() - t0

    recipes = ("paper", "ours", "plain")
    for r in recipes: step(r)  # warm-up
    times = {r: [] for r in recipes}
    for _ in range(a.repeats):
        for r in recipes: times[r].append(step(r))
    med = {r: statistics.median(v) for r, v in times.items()}
    print(f"teacher {a.teacher} ({teacher.config.num_hidden_layers} layers), student/reference {a.layers} layers, "
          f"batch {a.batch}x{batch['input_ids'].shape[1]}, device {a.device}, median of {a.repeats} steps")
    for r, label in zip(recipes, ("paper recipe (3 forwards)", "ours, cached ref losses", "plain FKL")):
        print(f"  {label:26s} {med[r]:.3f} s/step")
    print(f"ratio ours / paper: {med['ours'] / med['paper']:.3f}   (target <= 0.8)")
    print(f"ratio ours / plain: {med['ours'] / med['plain']:.3f}   (target <= 1.1)")


if __name__ == "__main__":
    main()
