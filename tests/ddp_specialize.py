"""The specialize pipeline in several processes: `torchrun --nproc_per_node 2 tests/ddp_specialize.py TEACHER_DIR OUT_DIR BATCH`.

Builds a tiny draft of the teacher (`build_draft`, on two domains' text) and runs every stage of a medical specialist from it, with BATCH
sequences per process and step; `python tests/ddp_specialize.py TEACHER_DIR OUT_DIR BATCH` is the same in one process.
Each process writes what it saw to OUT_DIR/rank{N}.json; tests/test_multiprocess.py compares the two.
"""
import functools, json, sys
from pathlib import Path

import focus_finetune.draft
from focus_finetune.draft import DraftConfig, build_draft, draft_corpus
from focus_finetune.models import end_processes, process_state
from focus_finetune.specialist_config import SpecialistConfig
from focus_finetune.specialists import FocusFineTune

teacher, out, batch = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
# the draft's corpus from two quick domains only (coding and legal take a minute to build in each process)
focus_finetune.draft.draft_corpus = functools.partial(draft_corpus, domains=("medical", "science"))
draft = build_draft(teacher, DraftConfig(n_layers=1, max_steps=4, eval_steps=2, batch_size=batch, train_per_domain=8, eval_per_domain=2,
                                         max_length=128, learning_rate=3e-3), out=out/"draft", progress=False)
config = SpecialistConfig(student_layers=1, reference_steps=4, student_steps=4, batch_size=batch, learning_rate=3e-3, max_length=128,
                          max_train=24, max_eval=4, eval_examples=4, analysis_examples=4, spec_prompts=2, spec_new_tokens=8,
                          timing_prompts=0, task_problems=2, task_new_tokens=8, off_domain_examples=0,
                          eval_strategy="steps", eval_steps=2, eval_sequences=4)
result = FocusFineTune(config, progress=False).create_medical_specialist(teacher, f"draft:{draft}", run_dir=out/"run")
state = process_state()
(out/f"rank{state.process_index}.json").write_text(json.dumps(dict(
    processes=state.num_processes, stages=result.stages, models=sorted(result.metrics.index)), default=str))
end_processes()
