"""Mixed precision through TrainingArguments: bf16 autocast trains (on the CPU with use_cpu=True, as on a GPU)."""
import math

import torch

from focus_finetune.data import load_domain, tokenize_dataset
from focus_finetune.filtered_distill import AdaSPECTrainer
from focus_finetune.models import make_student, tiny_llama, tiny_tokenizer
from focus_finetune.reference_kd import distill


def test_bf16_distillation_trains(tmp_path):
    tok = tiny_tokenizer()
    data = tokenize_dataset(load_domain("medical", max_train=8, max_eval=4), tok, max_length=128)
    teacher = tiny_llama(len(tok), n_layers=4, seed=1)
    student, reference = make_student(teacher, layers=[0, 3]), make_student(teacher, layers=[1, 2])
    before = [p.detach().clone() for p in student.parameters()]
    tr = distill(teacher, student, tok, data["train"], output_dir=str(tmp_path), max_steps=3, bf16=True,
                 use_cpu=not torch.cuda.is_available(), disable_tqdm=True, learning_rate=1e-3,
                 trainer_class=AdaSPECTrainer, trainer_kwargs=dict(reference_model=reference, k=0.4))
    assert tr.args.bf16
    assert math.isfinite(tr.state.log_history[-1]["train_loss"])
    assert any(not torch.equal(a, b) for a, b in zip(before, student.parameters()))
