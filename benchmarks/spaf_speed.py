"""Decoding speed, side by side in one run: the base alone, SpAF (chapter 06c), SpAF with a reduced draft
vocabulary, a separate distilled draft through our `speculative_generate`, transformers' assisted generation with
that draft, and transformers' prompt-lookup decoding. Batch 1, the same held-out prompts of two domains, greedy and
sampled (temperature 1). SpAF's inference settings (drafts per round, serial/parallel split, draft threshold) are
swept and every setting is printed; the fastest is named.

    python benchmarks/spaf_speed.py --components DIR [DIR ...] [--draft DIR] [--domains medical coding] [--prompts 4]
        [--new-tokens 48] [--gammas 3 5] [--thresholds 0] [--out benchmarks/results/spaf_speed.csv]

--components: directories `focus-finetune spaf train` (or `spaf compare`) wrote for the bundled SmolLM2-135M-Instruct.
Several directories trained at different cutoff layers (`--cutoff-layer`) make a cutoff sweep: every SpAF row names
its cutoff k, and the fastest setting is reported per cutoff.
--draft: a separate draft model directory; default: the 8-layer draft of benchmarks/speculative.py (trained once,
about 5 minutes on 2 CPU cores, then cached). Greedy outputs are checked to be the base's own, token for token.

Beside each measured speed-up: α (per-token acceptance, chapter 06a, on the base's sampled continuations of the
same prompts), τ (tokens per verification), c (one draft step's time over one base step's) and Leviathan's
predicted speed-up τ(α, γ) / (γc + 1), and for SpAF the share of layer × token passes that reusing the lower
layers' cache saves over recomputing them in verification; where a method is below the 1.3x target, the α that
Leviathan's bound needs at the measured c and γ (empty where no α reaches 1.3x: the bound tops out at
(γ + 1) / (γc + 1)). (For SpAF the draft's lower layers are reused by verification, so the bound is
pessimistic for it.)
"""
import argparse, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from speculative import cached_draft  # noqa: E402  the benchmark draft, shared with benchmarks/speculative.py

from focus_finetune.splits import load_domain  # noqa: E402
from focus_finetune.tokenization import tokenize_dataset  # noqa: E402
from focus_finetune.generation import chat_prompt_ids, greedy_generate  # noqa: E402
from focus_finetune.models import load_model, load_tokenizer  # noqa: E402
from focus_finetune.spaf import (LayerCache, SpAFModel, draft_vocab_ids, run_layers, set_draft_vocab,  # noqa: E402
                                 spaf_generate)
from focus_finetune.speculative import (cost_ratio, draft_acceptance, speculative_generate,  # noqa: E402
                                        theoretical_speedup)

TARGET = 1.3


def alpha_needed(gamma: int, c: float, target: float = TARGET) -> float:
    "Smallest α for which Leviathan's predicted speed-up reaches `target` (nan if no α does)"
    if theoretical_speedup(1.0, gamma, c) < target: return float("nan")
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if theoretical_speedup(mid, gamma, c) < target else (lo, mid)
    return hi


def step_times(spaf: SpAFModel, ids: torch.Tensor, steps: int = 12) -> tuple[float, float]:
    "Seconds of one cached SpAF draft step (lower layers + exit) and of one base step (all layers + head)"
    base, k, L = spaf.base, spaf.spaf_config.cutoff_layer, spaf.base.config.num_hidden_layers
    emb = base.get_input_embeddings()
    def timed(stop, head):
        cache = LayerCache(); run_layers(base, emb(ids), 0, stop, cache)
        t0 = time.perf_counter()
        for _ in range(steps):
            h = run_layers(base, emb(ids[:, -1:]), 0, stop, cache)
            head(h[0, -1])
        return (time.perf_counter() - t0) / steps
    full_head = lambda h: spaf.head(base.model.norm(h))
    timed(k, spaf.draft_logits); timed(L, full_head)  # warm-up
    return timed(k, spaf.draft_logits), timed(L, full_head)


def run_rows(name, decode, prompts, bases, greedy):
    "Tokens/s, τ and acceptance of `decode(ids) -> (sequences, stats or None)` over the prompts"
    tokens, secs, drafted, accepted, calls, saving = 0, 0.0, 0, 0, 0, []
    for ids, base in zip(prompts, bases):
        t0 = time.perf_counter()
        seq, st = decode(ids)
        secs += time.perf_counter() - t0; tokens += seq.shape[1] - ids.shape[1]
        if greedy: assert seq[0].tolist() == base[0].tolist(), f"{name}: greedy output differs from the base's"
        if st is not None: drafted += st.drafted; accepted += st.accepted; calls += st.target_calls
        if hasattr(st, "layer_token_saving"): saving.append(st.layer_token_saving)
    return dict(method=name, tokens_per_s=tokens / secs, tau=tokens / calls if calls else float("nan"),
                block_acceptance=accepted / drafted if drafted else float("nan"),
                kv_reuse_saving=sum(saving) / len(saving) if saving else float("nan"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", required=True, nargs="+"); ap.add_argument("--draft")
    ap.add_argument("--domains", nargs="+", default=["medical", "coding"]); ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--new-tokens", type=int, default=48); ap.add_argument("--draft-vocab", type=int, default=8192)
    ap.add_argument("--gammas", type=int, nargs="+", default=[3, 5]); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.0], help="SpAF draft thresholds to sweep")
    ap.add_argument("--out", default="benchmarks/results/spaf_speed.csv", help="where the table goes (default: %(default)s)")
    a = ap.parse_args()
    import pandas as pd
    from transformers.utils import logging as hf_logging
    from focus_finetune.models import library_progress_bars
    hf_logging.set_verbosity_error()
    torch.set_grad_enabled(False)
    base, tok = load_model("smollm2-135m-instruct").eval(), load_tokenizer("smollm2-135m-instruct")
    spafs = [SpAFModel(base).load_spaf_components(c) for c in a.components]  # one per cutoff: they share the base
    draft, draft_name = (load_model(a.draft).eval(), a.draft) if a.draft else cached_draft(base, tok, 60)
    cutoffs = ", ".join(f"{c} (cutoff {s.spaf_config.cutoff_layer})" for c, s in zip(a.components, spafs))
    print(f"base SmolLM2-135M-Instruct ({base.config.num_hidden_layers} layers); SpAF components {cutoffs}; "
          f"draft {draft_name}; {a.prompts} prompts per domain, {a.new_tokens} new tokens, batch 1, {torch.get_num_threads()} threads")
    rows = []
    for domain in a.domains:
        with library_progress_bars(False):
            raw = load_domain(domain, max_train=800, seed=a.seed)
            vocab = draft_vocab_ids(tokenize_dataset(raw, tok, max_length=256)["train"], a.draft_vocab, (tok.eos_token_id,))
        prompts = [p for p in raw["test"]["prompt"] if p][: a.prompts]
        ids_list = [chat_prompt_ids(tok, p) for p in prompts]
        frames = [draft_acceptance(base, {"draft": draft}, tok, list(prompts), 4, a.new_tokens, progress=False, batch_size=2)]
        cost = {"draft": cost_ratio(draft, base, ids_list[0])}
        for spaf in spafs:
            k = spaf.spaf_config.cutoff_layer
            for kind, v in ((f"spaf k={k}", None), (f"spaf-vocab k={k}", vocab)):
                set_draft_vocab(spaf, v)
                frames.append(draft_acceptance(base, {kind: spaf}, tok, list(prompts), 4, a.new_tokens, progress=False,
                                               batch_size=2))
                cost[kind] = (lambda d, b: d / b)(*step_times(spaf, ids_list[0]))
            set_draft_vocab(spaf, None)
        alpha = {m: g.alpha_sum.sum() / g.sampled_tokens.sum() for m, g in pd.concat(frames).groupby("model")}
        for mode in ("greedy", "sampled"):
            greedy = mode == "greedy"
            T = 0.0 if greedy else 1.0
            g = torch.Generator().manual_seed(a.seed)
            bases = [greedy_generate(base, ids, a.new_tokens)[0] for ids in ids_list]
            sample_kw = dict(do_sample=not greedy, pad_token_id=tok.pad_token_id, max_new_tokens=a.new_tokens)
            if not greedy: sample_kw.update(temperature=1.0, top_k=0, top_p=1.0)
            def timed_rows(name, decode, **extra):
                r = run_rows(name, decode, ids_list, bases, greedy); r.update(domain=domain, mode=mode, **extra); rows.append(r); return r
            ref = timed_rows("base alone (transformers generate)", lambda ids: (base.generate(ids, **sample_kw), None))
            for spaf in spafs:
                k = spaf.spaf_config.cutoff_layer
                for gamma in a.gammas:
                    for serial in sorted({1, gamma}):
                        for threshold in a.thresholds:
                            spaf.spaf_config.num_draft_tokens, spaf.spaf_config.serial_parallel_transition = gamma, serial
                            spaf.spaf_config.draft_threshold = threshold
                            for vocab_name, v in ((f"spaf k={k}", None), (f"spaf-vocab k={k}", vocab)):
                                set_draft_vocab(spaf, v)
                                label = (f"SpAF k={k}{' + draft vocab ' + str(a.draft_vocab) if v is not None else ''} "
                                         f"γ={gamma} serial={serial} threshold={threshold}")
                                timed_rows(label, lambda ids: (lambda o: (o.sequences, o.stats))(
                                    spaf_generate(spaf, ids, a.new_tokens, temperature=T, generator=g)),
                                    kind=vocab_name, gamma=gamma, cutoff=k)
                            set_draft_vocab(spaf, None)
            for gamma in a.gammas:
                timed_rows(f"distilled draft, speculative_generate γ={gamma}",
                           lambda ids: (lambda o: (o.sequences, o.stats))(speculative_generate(base, draft, ids, gamma, a.new_tokens, do_sample=not greedy, generator=g)),
                           kind="draft", gamma=gamma)
            draft.generation_config.num_assistant_tokens_schedule = "constant"
            draft.generation_config.num_assistant_tokens = 4
            draft.generation_config.assistant_confidence_threshold = 0.0
            timed_rows("distilled draft, transformers assisted γ=4", lambda ids: (base.generate(ids, assistant_model=draft, **sample_kw), None),
                       kind="draft", gamma=4)
            timed_rows("transformers prompt lookup (10 tokens)", lambda ids: (base.generate(ids, prompt_lookup_num_tokens=10, **sample_kw), None))
            for r in rows:
                if r["domain"] == domain and r["mode"] == mode:
                    r["speedup"] = r["tokens_per_s"] / ref["tokens_per_s"]
                    if r.get("kind"):
                        r.update(alpha=alpha[r["kind"]], c=cost[r["kind"]])
                        r["predicted"] = theoretical_speedup(r["alpha"], r["gamma"], r["c"])
                        r["alpha_for_1.3x"] = alpha_needed(r["gamma"], r["c"])
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 250); pd.set_option("display.max_colwidth", 70)
    cols = ["domain", "mode", "method", "cutoff", "tokens_per_s", "speedup", "tau", "block_acceptance", "alpha", "c", "predicted", "alpha_for_1.3x",
            "kv_reuse_saving"]
    print(df[[c for c in cols if c in df]].round(3).to_string(index=False))
    for (domain, mode, k), g in df[df.method.str.startswith("SpAF")].groupby(["domain", "mode", "cutoff"]):
        best = g.loc[g.speedup.idxmax()]
        print(f"fastest SpAF at cutoff {k:.0f}, {domain} {mode}: {best.method}: {best.speedup:.3f}x the base alone "
              f"(target {TARGET}x)")
    if (df.c.notna() & df["alpha_for_1.3x"].isna()).any():
        print(f"alpha_for_1.3x NaN beside a c: no α reaches {TARGET}x at that γ and c ((γ + 1) / (γc + 1) < {TARGET})")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
