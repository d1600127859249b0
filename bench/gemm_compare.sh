#!/usr/bin/env bash
# Side-by-side float32 GEMM: jtorch's `bench gemm` and PyTorch on the same shapes, same machine,
# same run. Prints one line per shape and thread count with both GFLOPS figures and the ratio.
#
# PyTorch baselines (Debian's python3-torch 1.13 via /usr/bin/python3):
#   torch_mm              torch.mm, which in Debian's build calls the system libblas.so.3
#   torch_onednn_conv1x1  the same product as a oneDNN 1x1 convolution: the fast kernel
#                         PyTorch itself uses for convolutions, the stronger baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "PyTorch is not installed for $py (apt-get install -y python3-torch); nothing to compare with" >&2
  exit 1
fi
shapes=("1024 1024 1024" "64 147 12544" "512 1152 784")
printf '%-16s %-7s %10s %10s %8s %12s %8s\n' "m x k x n" threads jtorch torch_mm ratio onednn_1x1 ratio
for shape in "${shapes[@]}"; do
  read -r m k n <<<"$shape"
  for t in 1 2; do
    j=$(./jtorch bench gemm --m "$m" --k "$k" --n "$n" --threads "$t" 2>/dev/null | sed -n 's/.*gflops=\([0-9.]*\).*/\1/p')
    tm=$("$py" bench/gemm_torch.py --m "$m" --k "$k" --n "$n" --threads "$t" --op mm | sed -n 's/.* median_gflops=\([0-9.]*\).*/\1/p')
    to=$("$py" bench/gemm_torch.py --m "$m" --k "$k" --n "$n" --threads "$t" --op onednn | sed -n 's/.* median_gflops=\([0-9.]*\).*/\1/p')
    printf '%-16s %-7s %10s %10s %8s %12s %8s\n' "${m}x${k}x${n}" "$t" "$j" "$tm" \
      "$(awk -v a="$j" -v b="$tm" 'BEGIN{printf "%.2fx", a/b}')" "$to" "$(awk -v a="$j" -v b="$to" 'BEGIN{printf "%.2fx", a/b}')"
  done
done
echo "(GFLOPS are medians of timed runs after warm-up; ratio = jtorch / PyTorch, higher is better for jtorch)"
