"""Speculative decoding speed: focus_finetune's `speculative_generate` vs transformers' assisted generation, and
both vs decoding with the target alone. Greedy, batch 1, same prompts, same draft, one run, in two settings:
a fixed draft length (gamma tokens every round) and early stopping of the draft when it gives its own token a
probability below 0.4 (transformers' default `assistant_confidence_threshold`).

    python benchmarks/speculative.py [--draft runs/reference-coding/final] [--gamma 4] [--prompts 5] [--new-tokens 64]

Target: the bundled SmolLM2-135M-Instruct. Draft: `--draft` (a model directory) if given and present, else
`nbs/runs/reference-coding/final` (the distilled draft the notebooks train) if present, else an untrained
8-layer `make_student`. transformers' draft length is fixed to gamma (`num_assistant_tokens_schedule="constant"`)
and its confidence threshold set to ours, so that both do the same work. Outputs are checked to be identical.
Prints tokens/s of each, the ratio ours / transformers (target >= 1.0) and our speed-up over target-only decoding.
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
    prompts = load_domain("coding", max_eval=50)["test"]["prompt"][: a.prompts]
    ids_list = [chat_prompt_ids(tok, p) for p in prompts]
    target_tokens, target_secs, bases = 0, 0.0, []
    for ids in ids_list:
        base, secs = greedy_generate(target, ids, a.new_tokens)
        target_tokens += base.shape[1] - ids.shape[1]; target_secs += secs; bases.append(base)
    print(f"target SmolLM2-135M-Instruct, draft {name}; {len(prompts)} coding prompts, {a.new_tokens} new tokens, "
          f"gamma {a.gamma}, greedy, device {next(target.parameters()).device}")
    print(f"  target alone: {target_tokens / target_secs:.1f} tokens/s")
    for threshold in (0.0, 0.4):
        draft.generation_config.num_assistant_tokens = a.gamma
        draft.generation_config.num_assistant_tokens_schedule = "constant"
        draft.generation_config.assistant_confidence_threshold = threshold
        ours, theirs, accepted, drafted = [0, 0.0], [0, 0.0], 0, 0
        for ids, base in zip(ids_list, bases):
            out = speculative_generate(target, draft, ids, gamma=a.gamma, max_new_tokens=a.new_tokens, draft_threshold=threshold)
            ours[0] += out.stats.new_tokens; ours[1] += out.stats.wall_time
            accepted += out.stats.accepted; drafted += out.stats.drafted
            t0 = time.perf_counter()
            hf = target.generate(ids, assistant_model=draft, do_sample=False, max_new_tokens=a.new_tokens, pad_token_id=tok.pad_token_id)
            theirs[1] += time.perf_counter() - t0; theirs[0] += hf.shape[1] - ids.shape[1]
            assert out.sequences.tolist() == base.tolist(), "speculative output differs from target-only greedy decoding"
            assert hf[0].tolist() == base[0].tolist(), "transformers' assisted output differs from target-only greedy decoding"
        tps_ours, tps_theirs = ours[0] / ours[1], theirs[0] / theirs[1]
        print(f"draft confidence threshold {threshold}: our acceptance rate {accepted / drafted:.3f}")
        print(f"  ours {tps_ours:.1f} tokens/s, transformers assisted {tps_theirs:.1f} tokens/s")
        print(f"  ratio ours / transformers assisted: {tps_ours / tps_theirs:.3f}   (target >= 1.0)")
        print(f"  speed-up over the target alone: ours {tps_ours / (target_tokens / target_secs):.3f}, "
              f"transformers {tps_theirs / (target_tokens / target_secs):.3f}")

if __name__ == "__main__":
    main()
