"""SpAF components trained in one or two processes: `python tests/ddp_spaf.py BASE OUT PER_DEVICE_BATCH` or the same
under `torchrun --nproc_per_node 2`. Trains the all-token components for 3 steps on a tiny base (saved in BASE),
then filtered ones against them, and writes both to OUT; tests/test_multiprocess.py compares one process with two.
"""
import sys

from focus_finetune.splits import load_domain
from focus_finetune.tokenization import tokenize_dataset
from focus_finetune.models import end_processes, load_model, load_tokenizer
from focus_finetune.spaf import train_spaf

base_dir, out, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
base, tok = load_model(base_dir), load_tokenizer(base_dir)
data = tokenize_dataset(load_domain("medical", max_train=24, max_eval=4)["train"], tok, max_length=96)
kw = dict(spaf_config={"cutoff_layer": 2}, max_steps=3, per_device_train_batch_size=batch, learning_rate=3e-3, progress=False)
train_spaf(base, tok, data, output_dir=f"{out}/all-token", **kw)
train_spaf(base, tok, data, output_dir=f"{out}/focus", k=0.4, reference=f"{out}/all-token", **kw)
end_processes()
