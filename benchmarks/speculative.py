"""Speculative decoding speed: focus_finetune's `speculative_generate` vs transformers' assisted generation, and
both vs decoding with the target alone. Greedy, batch 1, same prompts, same draft, one run.

    python benchmarks/speculative.py [--draft runs/reference-coding/final] [--gamma 4] [--prompts 5] [--new-tokens 64]

Target: the bundled SmolLM2-135M-Instruct. Draft: `--draft` (a model directory) if given and present, else
`nbs/runs/reference-coding/final` (the distilled draft the notebooks train) if present, else an untrained
8-layer `make_student`. transformers' draft length is fixed to γ (`num_assistant_tokens_schedule="constant"`)
so that both do the same work. Outputs are checked to be identical. Prints tokens/s of each, the ratio
ours / transformers (target >= 1.0) and our speed-up over target-only decoding.
"""
import argparse, time
from pathlib import Path

import torch

from focus_finetune.data import load_domain
from focus_finetune.models import load_model, load_tokenizer, make_student
from focus_finetune.speculative import chat_prompt_ids, greedy_generate, speculative_generate

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draft"); ap.add_argument("--gamma", type=int, default=4)
    ap.add_argument("--prompts", type=int, default=5); ap.add_argument("--new-tokens", type=int, default=64)
    a = ap.parse_args()
    torch.set_grad_enabled(False)
    target, tok = load_model("smollm2-135m-instruct").eval(), load_tokenizer("smollm2-135m-instruct")
    default = ROOT / "nbs/runs/reference-coding/final"
    path = Path(a.draft) if a.draft else default
    draft = load_model(path).eval() if (path / "config.json").exists() else make_student(target, n_layers=8).eval()
    name = str(path) if (path / "config.json").exists() else "untrained make_student(n_layers=8)"
    draft.generation_config.num_assistant_tokens = a.gamma
    draft.generation_config.num_assistant_tokens_schedule = "constant"
    prompts = load_domain("coding", max_eval=50)["test"]["prompt"][: a.prompts]
    totals = dict(ours=[0, 0.0], transformers=[0, 0.0], target=[0, 0.0], accepted=0, drafted=0)
    for p in prompts:
        ids = chat_prompt_ids(tok, p)
        base, secs = greedy_generate(target, ids, a.new_tokens)
        totals["target"][0] += base.shape[1] - ids.shape[1]; totals["target"][1] += secs
        out = speculative_generate(target, draft, ids, gamma=a.gamma, max_new_tokens=a.new_tokens)
        totals["ours"][0] += out.stats.new_tokens; totals["ours"][1] += out.stats.wall_time
        totals["accepted"] += out.stats.accepted; totals["drafted"] += out.stats.drafted
        t0 = time.perf_counter()
        theirs = target.generate(ids, assistant_model=draft, do_sample=False, max_new_tokens=a.new_tokens,
                                 pad_token_id=tok.pad_token_id)
        totals["transformers"][1] += time.perf_counter() - t0; totals["transformers"][0] += theirs.shape[1] - ids.shape[1]
        assert out.sequences.tolist() == base.tolist(), "speculative output differs from target-only greedy decoding"
        assert theirs[0].tolist() == base[0].tolist(), "transformers' assisted output differs from target-only greedy decoding"
    tps = {k: v[0] / v[1] for k, v in totals.items() if isinstance(v, list)}
    print(f"target SmolLM2-135M-Instruct, draft {name}; {len(prompts)} coding prompts, {a.new_tokens} new tokens, "
          f"gamma {a.gamma}, greedy, device {next(target.parameters()).device}")
    print(f"  acceptance rate of our run: {totals['accepted'] / totals['drafted']:.3f}")
    for k in ("target", "ours", "transformers"): print(f"  {k:13s} {tps[k]:7.1f} tokens/s")
    print(f"ratio ours / transformers assisted: {tps['ours'] / tps['transformers']:.3f}   (target >= 1.0)")
    print(f"speed-up ours / target alone:       {tps['ours'] / tps['target']:.3f}")
    print(f"speed-up transformers / target:     {tps['transformers'] / tps['target']:.3f}")


if __name__ == "__main__":
    main()
