"""Filtered distillation in two processes: run with `torchrun --nproc_per_node 2 tests/ddp_filtered_distill.py OUT_DIR`.

Each rank trains the same tiny student with AdaSPECTrainer (DDP over gloo on the CPU) and writes the world size
and a digest of its final weights to OUT_DIR/rank{N}.txt; tests/test_multiprocess.py checks them.
"""
import hashlib, os, sys

import torch

from focus_finetune.splits import load_domain
from focus_finetune.tokenization import make_collator, tokenize_dataset
from focus_finetune.filtered_distill import AdaSPECTrainer
from focus_finetune.models import end_processes, make_student, tiny_llama, tiny_tokenizer
from focus_finetune.reference_kd import training_args

out = sys.argv[1]
tok = tiny_tokenizer()
data = tokenize_dataset(load_domain("medical", max_train=16, max_eval=4)["train"], tok, max_length=128)
teacher = tiny_llama(len(tok), n_layers=4, seed=1)
student, reference = make_student(teacher, layers=[0, 3]), make_student(teacher, layers=[1, 2])
args = training_args(out, max_steps=4, per_device_train_batch_size=2, learning_rate=3e-3, disable_tqdm=True)  # gloo on a CPU
trainer = AdaSPECTrainer(model=student, args=args, train_dataset=data, data_collator=make_collator(tok),
                         teacher_model=teacher, reference_model=reference, k=0.4)
trainer.train()
weights = torch.cat([p.detach().flatten().cpu() for p in student.parameters()])
digest = hashlib.sha256(weights.numpy().tobytes()).hexdigest()
moved = (weights - torch.cat([p.detach().flatten() for p in make_student(teacher, layers=[0, 3]).parameters()])).abs().max().item()
with open(os.path.join(out, f"rank{trainer.args.process_index}.txt"), "w") as f:
    f.write(f"{trainer.args.world_size} {digest} {moved}\n")
end_processes()
