"""Mixed precision through TrainingArguments: bf16 autocast trains (on the CPU with use_cpu=True, as on a GPU)."""
import math

import torch

from focus_finetune.splits import load_domain
from focus_finetune.tokenization import tokenize_dataset
from focus_finetune.filtered_distill import AdaSPECTrainer
from focus_finetune.losses import DistillConfig
from focus_finetune.models import make_student, tiny_llama, tiny_tokenizer
from focus_finetune.reference_kd import distill, supervised_finetune


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


def test_bf16_fused_head_matches_fp32(tmp_path):
    "The fused head under bf16 autocast: the first step's loss within 3 % of float32's, and training moves the weights"
    tok = tiny_tokenizer()
    data = tokenize_dataset(load_domain("medical", max_train=8, max_eval=4), tok, max_length=128)
    teacher = tiny_llama(len(tok), n_layers=4, seed=1)
    supervised_finetune(teacher, tok, data["train"], output_dir=str(tmp_path / "sft"), max_steps=20, learning_rate=3e-3,
                        disable_tqdm=True)  # a teacher with something to teach: a KL far from 0, so that 3 % means something
    reference = tiny_llama(len(tok), n_layers=2, seed=2)
    first_loss = {}
    for bf16 in (False, True):
        student = tiny_llama(len(tok), n_layers=2, seed=3)  # not carved from the teacher: far from it
        before = [p.detach().clone() for p in student.parameters()]
        tr = distill(teacher, student, tok, data["train"], output_dir=str(tmp_path / str(bf16)), max_steps=2, logging_steps=1,
                     bf16=bf16, use_cpu=not torch.cuda.is_available(), disable_tqdm=True, learning_rate=1e-3,
                     distillation=DistillConfig(fused_head=True), trainer_class=AdaSPECTrainer,
                     trainer_kwargs=dict(reference_model=reference, k=0.4))
        first_loss[bf16] = tr.state.log_history[0]["loss"]
        assert any(not torch.equal(a, b) for a, b in zip(before, student.parameters()))
    assert math.isfinite(first_loss[True]) and first_loss[False] > 0.1
    assert abs(first_loss[True] - first_loss[False]) <= 0.03 * first_loss[False], first_loss
