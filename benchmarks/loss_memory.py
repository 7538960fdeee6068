"""Peak memory of the LM heads + AdaSPEC loss, forward + backward: the AdaSPEC paper's recipe vs focus_finetune's
`adaspec_loss` (chapter 02) vs the fused head and loss (`fused_adaspec_loss`, chapter 02a).

    python benchmarks/loss_memory.py [--batch 8] [--seq 512] [--hidden 576] [--vocab 49152] [--device cpu|cuda]

Each recipe runs in a fresh process on the same random inputs: the final hidden states of student, teacher and
reference (`[batch, seq, hidden]`, SmolLM2's hidden size by default) and their LM heads (`[vocab, hidden]`), a
quarter of each row masked as prompt. The paper's recipe and `adaspec_loss` apply the heads (teacher and reference
without gradient, as in training) and compute the loss from the logits; the fused path never makes the logits.
The figure is the memory added on top of those inputs (the head's weight gradient, which every recipe needs,
included): peak RSS on the CPU, peak allocated memory on CUDA. The script prints the figures and their ratios
(targets: ours / paper <= 0.5, fused / paper <= 0.1).
"""
import argparse, json, resource, subprocess, sys

import torch
import torch.nn.functional as F


def paper_recipe(logits, target_logits, ref_logits, labels, k):
    "The AdaSPEC repository's compute_loss, as described there: shifted, masked copies, full-vocab float32 tensors"
    labels = labels[:, 1:]
    V = logits.shape[-1]
    sl, tl, rl = (x[..., :-1, :].contiguous().view(-1, V) for x in (logits, target_logits, ref_logits))
    mask = labels.ne(-100).flatten().unsqueeze(-1)
    sl, tl, rl = (torch.masked_select(x, mask).view(-1, V).float() for x in (sl, tl, rl))
    p = F.softmax(tl, dim=-1)
    kl = torch.nn.KLDivLoss(reduction="none")
    actual = kl(F.log_softmax(sl, dim=-1), p).sum(-1)
    ref = kl(F.log_softmax(rl, dim=-1), p).sum(-1)
    delta = actual - ref
    keep = delta >= torch.quantile(delta, 1 - k, dim=0, keepdim=True)
    return actual[keep].mean()


def _rss_mb():
    with open("/proc/self/statm") as f: return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def measure(recipe, batch, seq, hidden, vocab, device):
    from focus_finetune.fused import HeadInput, fused_adaspec_loss
    from focus_finetune.losses import adaspec_loss
    torch.manual_seed(0)
    heads = [torch.nn.Linear(hidden, vocab, bias=False).to(device) for _ in range(3)]  # student, teacher, reference
    for h in heads[1:]: h.requires_grad_(False)
    states = [torch.randn(batch, seq, hidden, device=device) for _ in range(3)]
    states[0].requires_grad_()
    labels = torch.randint(0, vocab, (batch, seq), device=device); labels[:, : seq // 4] = -100
    if device == "cuda":
        torch.cuda.synchronize(); base = torch.cuda.memory_allocated() / 2**20; torch.cuda.reset_peak_memory_stats()
    else: base = _rss_mb()
    if recipe == "fused":
        loss = fused_adaspec_loss(*(HeadInput(x, h) for x, h in zip(states, heads)), labels=labels, k=0.4)
    else:
        student = heads[0](states[0])
        with torch.no_grad(): teacher, reference = heads[1](states[1]), heads[2](states[2])
        loss = (adaspec_loss(student, teacher, reference, labels, k=0.4) if recipe == "ours"
                else paper_recipe(student, teacher, reference, labels, 0.4))
    loss.backward()
    if device == "cuda": torch.cuda.synchronize(); peak = torch.cuda.max_memory_allocated() / 2**20
    else: peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(recipe=recipe, extra_mb=peak - base, loss=loss.item())


RECIPES = {"paper": "the paper's recipe", "ours": "adaspec_loss (logits)", "fused": "fused head + loss"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--hidden", type=int, default=576); ap.add_argument("--vocab", type=int, default=49152)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--recipe", help=argparse.SUPPRESS)
    a = ap.parse_args()
    sizes = ["--batch", str(a.batch), "--seq", str(a.seq), "--hidden", str(a.hidden), "--vocab", str(a.vocab), "--device", a.device]
    if a.recipe:
        print(json.dumps(measure(a.recipe, a.batch, a.seq, a.hidden, a.vocab, a.device))); return
    res = {}
    for recipe in RECIPES:
        out = subprocess.run([sys.executable, __file__, "--recipe", recipe, *sizes], capture_output=True, text=True, check=True)
        res[recipe] = json.loads(out.stdout.strip().splitlines()[-1])
    logits_mb = a.batch * a.seq * a.vocab * 4 / 2**20
    print(f"batch {a.batch}x{a.seq}, hidden {a.hidden}, vocab {a.vocab}, device {a.device}; one float32 logit tensor: {logits_mb:.0f} MB")
    for r, label in RECIPES.items():
        print(f"  {label:24s} peak memory above the inputs {res[r]['extra_mb']:8.0f} MB   (loss {res[r]['loss']:.6f})")
    print(f"ratio ours / paper:  {res['ours']['extra_mb'] / res['paper']['extra_mb']:.3f}   (target <= 0.5)")
    print(f"ratio fused / paper: {res['fused']['extra_mb'] / res['paper']['extra_mb']:.3f}   (target <= 0.1)")


if __name__ == "__main__":
    main()
