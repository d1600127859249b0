#!/usr/bin/env bash
# Spark's overhead, measured: 2,000 generated 224x224 images through resnet18 with
# `./jtorch spark-predict --master local[1]` and `local[2]`, beside `./jtorch predict` in one JVM
# on the same machine and the same files, and PyTorch's rate on them. Prints images/s (whole command, launch to exit) and
# each Spark rate as a ratio to the single-JVM one. Needs /usr/bin/python3 with PIL and torch
# (Debian's python3-torch, python3-pil) to draw the images and write the weights.
# Usage: bench/spark_compare.sh [IMAGES]   (about 4 minutes on 2 cores for 2,000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-2000}"
work="$(mktemp -d /tmp/jtorch-spark-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work" "$count" <<'PY'
import sys, random, torch, torchvision
from PIL import Image, ImageDraw
work, count = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
torch.save(torchvision.models.resnet18().state_dict(), f"{work}/resnet18.pth")
rng = random.Random(0)
import os
os.makedirs(f"{work}/images")
for i in range(count):
    img = Image.new("RGB", (224, 224), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(224), rng.randrange(224)
        d.ellipse([x, y, x + rng.randrange(10, 80), y + rng.randrange(10, 80)], fill=tuple(rng.randrange(256) for _ in range(3)))
    img.save(f"{work}/images/img{i:05d}.png")
PY

cd "$root"
./jtorch predict --help > /dev/null          # builds the CLI if needed, outside the timing
./jtorch spark-predict --help > /dev/null    # and the spark module
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$count / ($2 - $1):.1f}')"; }

t0=$(now)
./jtorch predict --model resnet18 --weights "$work/resnet18.pth" --batch 32 "$work"/images/*.png > "$work/predict.txt"
t1=$(now)
single=$(rate "$t0" "$t1")
# PyTorch on the same files and weights: PIL decode, torchvision's transform, batches of 32,
# softmax and top-5, torch.set_num_threads(2), launch to exit as above.
t0=$(now)
/usr/bin/python3 - "$work" <<'PY'
import glob, sys, torch, torchvision
from PIL import Image
torch.set_num_threads(2)
work = sys.argv[1]
model = torchvision.models.resnet18()
model.load_state_dict(torch.load(f"{work}/resnet18.pth"))
model.eval()
transform = torchvision.models.ResNet18_Weights.DEFAULT.transforms()
files = sorted(glob.glob(f"{work}/images/*.png"))
with torch.no_grad():
    for i in range(0, len(files), 32):
        x = torch.stack([transform(Image.open(f).convert("RGB")) for f in files[i:i + 32]])
        model(x).softmax(1).topk(5)
PY
t1=$(now)
torch_rate=$(rate "$t0" "$t1")
declare -A spark_rate
for master in "local[1]" "local[2]"; do
  t0=$(now)
  ./jtorch spark-predict --model resnet18 --weights "$work/resnet18.pth" --input "$work/images" \
    --output "$work/out-${master//[^0-9]/}.parquet" --master "$master" --batch 32 2> "$work/spark.log" | tail -1
  t1=$(now)
  spark_rate[$master]=$(rate "$t0" "$t1")
done
echo
echo "resnet18, $count images of 224x224, $(nproc) cores; images/s from launch to exit"
printf '%-44s %8s %8s\n' "run" "img/s" "ratio"
printf '%-44s %8s %8s\n' "./jtorch predict (one JVM, batch 32, 2 threads)" "$single" "1.00"
printf '%-44s %8s %8s\n' "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') (same files, batch 32, 2 threads)" \
  "$torch_rate" "$(python3 -c "print(f'{$torch_rate / $single:.2f}')")"
for master in "local[1]" "local[2]"; do
  printf '%-44s %8s %8s\n' "./jtorch spark-predict --master $master" "${spark_rate[$master]}" \
    "$(python3 -c "print(f'{${spark_rate[$master]} / $single:.2f}')")"
done
