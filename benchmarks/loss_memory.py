"""Peak memory of forward + backward: focus_finetune's `adaspec_loss` vs the AdaSPEC paper's recipe.

    python benchmarks/loss_memory.py [--batch 8] [--seq 512] [--vocab 49152] [--device cpu|cuda]

Each recipe runs in a fresh process on the same random logits (student, teacher, reference; a quarter of each row
masked as prompt). The figure is the memory added on top of the inputs: peak RSS on the CPU, peak allocated
memory on CUDA. The script prints both figures and their ratio (target: ours / paper <= 0.5).
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


def measure(recipe, batch, seq, vocab, device):
    from focus_finetune.losses import adaspec_loss
    torch.manual_seed(0)
    student = torch.randn(batch, seq, vocab, device=device, requires_grad=True)
    teacher, ref = torch.randn(batch, seq, vocab, device=device), torch.randn(batch, seq, vocab, device=device)
    labels = torch.randint(0, vocab, (batch, seq), device=device); labels[:, : seq // 4] = -100
    if device == "cuda":
        torch.cuda.synchronize(); base = torch.cuda.memory_allocated() / 2**20; torch.cuda.reset_peak_memory_stats()
    else: base = _rss_mb()
    loss = (adaspec_loss(student, teacher, ref, labels, k=0.4) if recipe == "ours" else paper_recipe(student, teacher, ref, labels, 0.4))
    loss.backward()
    if device == "cuda": torch.cuda.synchronize(); peak = torch.cuda.max_memory_allocated() / 2**20
    else: peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(recipe=recipe, extra_mb=peak - base, loss=loss.item())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--vocab", type=int, default=49152)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--recipe", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.recipe:
        print(json.dumps(measure(a.recipe, a.batch, a.seq, a.vocab, a.device))); return
    res = {}
    for recipe in ("paper", "ours"):
        out = subprocess.run([sys.executable, __file__, "--recipe", recipe, "--batch", str(a.batch), "--seq", str(a.seq),
                              "--vocab", str(a.vocab), "--device", a.device], capture_output=True, text=True, check=True)
        res[recipe] = json.loads(out.stdout.strip().splitlines()[-1])
    inputs_mb = 3 * a.batch * a.seq * a.vocab * 4 / 2**20
    print(f"batch {a.batch}x{a.seq}, vocab {a.vocab}, device {a.device}; the three logit tensors themselves: {inputs_mb:.0f} MB")
    for r in ("paper", "ours"):
        print(f"  {r:5s}: peak memory above the inputs {res[r]['extra_mb']:8.0f} MB   (loss {res[r]['loss']:.6f})")
    print(f"ratio ours / paper: {res['ours']['extra_mb'] / res['paper']['extra_mb']:.3f}   (target <= 0.5)")


if __name__ == "__main__":
    main()
