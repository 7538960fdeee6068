"""Speculative decoding speed: focus_finetune's `speculative_generate` vs transformers' assisted generation, and
both vs decoding with the target alone. Greedy, batch 1, same prompts, same draft, one run, in two settings:
a fixed draft length (gamma tokens every round) and early stopping of the draft when it gives its own token a
probability below 0.4 (transformers' default `assistant_confidence_threshold`).

    python benchmarks/speculative.py [--draft DIR | --draft spaf:DIR] [--train-steps 60] [--gamma 4] [--prompts 5]
        [--new-tokens 64]

Target: the bundled SmolLM2-135M-Instruct. Draft: `--draft` (a model directory) if given; else a real distilled
draft: an 8-layer `make_student` of the target, distilled from it with forward KL for `--train-steps` steps of
4 coding sequences of at most 256 tokens (about 5 minutes on 2 CPU cores), trained once and cached in
`$FOCUS_FINETUNE_CACHE/drafts/` (`~/.cache/focus_finetune` by default) under a name that holds its settings.
transformers' draft length is fixed to gamma (`num_assistant_tokens_schedule="constant"`) and its confidence
threshold set to ours, so that both do the same work. Outputs are checked to be identical.

`--draft spaf:DIR` measures SpAF (chapter 06c) instead: DIR holds the components `focus-finetune spaf train` wrote for
the bundled base, which drafts for itself from its own lower layers (`spaf_generate`, γ = --gamma drafts a round).
transformers has no assisted generation that reuses the target's own layers, so its column is left out. Prints the draft's
per-token acceptance α (chapter 06a: mean Σ_v min(p_target, p_draft) over the target's sampled continuations of the
same prompts) and greedy agreement, then for a fixed draft length and for draft early stopping: tokens/s of each,
the ratio ours / transformers (target >= 1.0) and the speed-up over target-only decoding.
"""
import argparse, tempfile, time

import torch

from focus_finetune.data import cache_dir
from focus_finetune.splits import load_domain
from focus_finetune.tokenization import tokenize_dataset
from focus_finetune.models import load_model, load_tokenizer, make_student
from focus_finetune.reference_kd import distill
from focus_finetune.generation import chat_prompt_ids, greedy_generate
from focus_finetune.speculative import draft_acceptance, speculative_generate
from focus_finetune.spaf import SpAFModel, spaf_generate


def cached_draft(target, tok, steps: int, layers: int = 8):
    "The benchmark's distilled draft: trained once (forward KL on coding data), then loaded from the cache"
    path = cache_dir("drafts") / f"smollm2-135m-instruct-coding-fkl-{layers}layers-{steps}steps"
    if not (path / "config.json").exists():
        print(f"training the draft ({steps} steps; cached in {path}) ...", flush=True)
        data = tokenize_dataset(load_domain("coding", max_train=4 * steps, max_eval=8), tok, max_length=256)
        draft = make_student(target, n_layers=layers)
        with tempfile.TemporaryDirectory() as d, torch.enable_grad():  # callers may have switched gradients off
            distill(target, draft, tok, data["train"], output_dir=d, max_steps=steps, learning_rate=2e-4, logging_steps=max(1, steps // 5),
                    disable_tqdm=False).save_model(str(path))
    return load_model(path).eval(), str(path)


def load_draft(spec: str | None, target, tok, steps: int):
    "The draft `--draft` names (a model directory, or `spaf:DIR` for SpAF components on `target`), else the cached one"
    if spec and spec.startswith("spaf:"):
        return SpAFModel(target).load_spaf_components(spec[len("spaf:"):]).eval(), spec
    return (load_model(spec).eval(), spec) if spec else cached_draft(target, tok, steps)


def spaf_speed(spaf: SpAFModel, ids_list, bases, gamma: int, new_tokens: int, target_tps: float):
    "SpAF's tokens/s and block acceptance with a fixed draft length and with draft early stopping below 0.4"
    spaf_generate(spaf, ids_list[0], 2, gamma)  # warm-up
    for threshold in (0.0, 0.4):
        spaf.spaf_config.draft_threshold = threshold
        tokens, secs, accepted, drafted = 0, 0.0, 0, 0
        for ids, base in zip(ids_list, bases):
            out = spaf_generate(spaf, ids, new_tokens, gamma)
            assert out.sequences.tolist() == base.tolist(), "SpAF output differs from target-only greedy decoding"
            tokens += out.stats.new_tokens; secs += out.stats.wall_time
            accepted += out.stats.accepted; drafted += out.stats.drafted
        mode = "fixed draft length" if threshold == 0 else f"draft early stop below {threshold}"
        print(f"{mode}: block acceptance (accepted / drafted) {accepted / max(drafted, 1):.3f}")
        print(f"  SpAF {tokens / secs:.1f} tokens/s; speed-up over the target alone {tokens / secs / target_tps:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draft"); ap.add_argument("--train-steps", type=int, default=60); ap.add_argument("--gamma", type=int, default=4)
    ap.add_argument("--prompts", type=int, default=5); ap.add_argument("--new-tokens", type=int, default=64)
    a = ap.parse_args()
    target, tok = load_model("smollm2-135m-instruct").eval(), load_tokenizer("smollm2-135m-instruct")
    draft, name = load_draft(a.draft, target, tok, a.train_steps)
    torch.set_grad_enabled(False)
    prompts = load_domain("coding", max_eval=50)["test"]["prompt"][: a.prompts]
    ids_list = [chat_prompt_ids(tok, p) for p in prompts]
    acc = draft_acceptance(target, {"draft": draft}, tok, list(prompts), a.gamma, a.new_tokens, progress=False)
    target_tokens, target_secs, bases = 0, 0.0, []
    for ids in ids_list:
        base, secs = greedy_generate(target, ids, a.new_tokens)
        target_tokens += base.shape[1] - ids.shape[1]; target_secs += secs; bases.append(base)
    print(f"target SmolLM2-135M-Instruct, draft {name}; {len(prompts)} coding prompts, {a.new_tokens} new tokens, "
          f"gamma {a.gamma}, greedy, device {next(target.parameters()).device}")
    print(f"  per-token acceptance alpha {acc.alpha_sum.sum() / acc.sampled_tokens.sum():.3f} "
          f"(on the target's sampled continuations, {int(acc.sampled_tokens.sum())} tokens); "
          f"greedy agreement {acc.agreed.sum() / acc.greedy_tokens.sum():.3f}")
    print(f"  target alone: {target_tokens / target_secs:.1f} tokens/s")
    if isinstance(draft, SpAFModel):
        return spaf_speed(draft, ids_list, bases, a.gamma, a.new_tokens, target_tokens / target_secs)
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
        mode = "fixed draft length" if threshold == 0 else f"draft early stop below {threshold}"
        print(f"{mode}: block acceptance (accepted / drafted) {accepted / drafted:.3f}")
        print(f"  ours {tps_ours:.1f} tokens/s, transformers assisted {tps_theirs:.1f} tokens/s")
        print(f"  ratio ours / transformers assisted: {tps_ours / tps_theirs:.3f}   (target >= 1.0)")
        print(f"  speed-up over the target alone: ours {tps_ours / (target_tokens / target_secs):.3f}, "
              f"transformers {tps_theirs / (target_tokens / target_secs):.3f}")

if __name__ == "__main__":
    main()
