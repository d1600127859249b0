#!/usr/bin/env bash
# Side-by-side whole-model timings: jtorch's `bench model` and PyTorch (bench/model_torch.py) on the
# same workloads, same machine, same run. Prints both figures and the ratio jtorch / PyTorch
# (time per iteration, so below 1 means jtorch is faster), plus both peak memory figures.
#
#   ResNet-50, batch 1, 224x224, inference                (2 threads)
#   ResNet-18, batch 16, 112x112, training step           (2 threads)
#   U-Net (bilinear, 2 classes), 1x3x256x256, inference   (2 threads)
#
# PyTorch: Debian's python3-torch 1.13 + python3-torchvision 0.14 via /usr/bin/python3.
# Extra arguments go to both sides (e.g. --threads is fixed at 2; add nothing for the standard run).
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
if ! "$py" -c 'import torch, torchvision' 2>/dev/null; then
  echo "PyTorch/torchvision are not installed for $py (apt-get install -y python3-torch python3-torchvision)" >&2
  exit 1
fi
workloads=(
  "resnet50 --batch 1 --size 224 224 --threads 2"
  "resnet18 --batch 16 --size 112 112 --threads 2 --train"
  "unet --num-classes 2 --bilinear true --batch 1 --size 256 256 --threads 2"
)
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
printf '%-75s %10s %10s %7s %14s %12s\n' workload jtorch_ms torch_ms ratio jtorch_heap/rss torch_rss
for w in "${workloads[@]}"; do
  # shellcheck disable=SC2086
  j=$(./jtorch bench model $w 2>/dev/null)
  # shellcheck disable=SC2086
  t=$("$py" bench/model_torch.py $w)
  jm=$(field ms <<<"$j"); tm=$(field ms <<<"$t")
  printf '%-75s %10s %10s %7s %14s %12s\n' "$w" "$jm" "$tm" "$(awk -v a="$jm" -v b="$tm" 'BEGIN{printf "%.2fx", a/b}')" \
    "$(field heap_peak_mb <<<"$j")/$(field rss_peak_mb <<<"$j")" "$(field rss_peak_mb <<<"$t")"
done
echo "(ms: median per iteration after warm-up; ratio = jtorch / PyTorch time, below 1 means jtorch is faster; memory in MB)"
