"""Time of one training step: filtered distillation with cached reference losses, from logits (`adaspec_loss`) and
with the fused head and loss (`fused_adaspec_loss`, chapter 02a), vs the AdaSPEC paper's recipe (three forward
passes: student, teacher, reference) vs a plain forward-KL distillation step, on the same batch.

    python benchmarks/step_time.py [--teacher smollm2-135m-instruct] [--layers 8] [--batch 4] [--seq 256] [--repeats 5] [--bf16]

The teacher is the bundled SmolLM2-135M-Instruct, student and reference are `make_student(teacher, n_layers)`.
Each step is forward + loss + backward + AdamW update; the median of `--repeats` steps after one warm-up step
is reported for each recipe, interleaved so that all of them see the same machine state, and the ratios are printed
(targets: fused / plain FKL <= 1.0 on the CPU, fused / paper <= 0.6 on a GPU). `--bf16` runs every step under bf16
autocast.
"""
import argparse, statistics, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loss_memory import paper_recipe  # noqa: E402

from focus_finetune.splits import load_domain
from focus_finetune.tokenization import make_collator, tokenize_dataset
from focus_finetune.fused import fused_adaspec_loss, model_head_input
from focus_finetune.losses import adaspec_loss, distill_loss, token_divergence
from focus_finetune.models import load_model, load_tokenizer, make_student


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teacher", default="smollm2-135m-instruct"); ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--batch", type=int, default=4); ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for every model and loss")
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

    def loss_of(recipe):
        if recipe == "fused":
            with torch.no_grad(): t = model_head_input(teacher, batch)
            return fused_adaspec_loss(model_head_input(student, batch), t, labels=batch["labels"], ref_losses=ref_losses, k=0.4)
        logits = student(**inputs).logits
        with torch.no_grad():
            t_logits = teacher(**inputs).logits
            r_logits = reference(**inputs).logits if recipe == "paper" else None
        if recipe == "paper": return paper_recipe(logits, t_logits, r_logits, batch["labels"], 0.4)
        if recipe == "ours": return adaspec_loss(logits, t_logits, labels=batch["labels"], ref_losses=ref_losses, k=0.4)
        return distill_loss(logits, t_logits, batch["labels"], "fkl")

    def step(recipe):
        if dev.type == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16): loss = loss_of(recipe)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        if dev.type == "cuda": torch.cuda.synchronize()
        return time.perf_counter() - t0

    recipes = ("paper", "ours", "fused", "plain")
    for r in recipes: step(r)  # warm-up
    times = {r: [] for r in recipes}
    for _ in range(a.repeats):
        for r in recipes: times[r].append(step(r))
    med = {r: statistics.median(v) for r, v in times.items()}
    print(f"teacher {a.teacher} ({teacher.config.num_hidden_layers} layers), student/reference {a.layers} layers, "
          f"batch {a.batch}x{batch['input_ids'].shape[1]}, device {a.device}{', bf16 autocast' if a.bf16 else ''}, median of {a.repeats} steps")
    labels = ("paper recipe (3 forwards)", "ours, cached ref losses", "ours fused, cached ref", "plain FKL")
    for r, label in zip(recipes, labels):
        print(f"  {label:26s} {med[r]:.3f} s/step")
    print(f"ratio ours / paper:  {med['ours'] / med['paper']:.3f}")
    print(f"ratio ours / plain:  {med['ours'] / med['plain']:.3f}")
    print(f"ratio fused / paper: {med['fused'] / med['paper']:.3f}   (target on a GPU <= 0.6)")
    print(f"ratio fused / plain: {med['fused'] / med['plain']:.3f}   (target on the CPU <= 1.0)")


if __name__ == "__main__":
    main()
