#!/usr/bin/python3
"""Times a whole model in PyTorch on this machine, the side-by-side baseline for `jtorch bench model`.

usage: /usr/bin/python3 bench/model_torch.py MODEL --batch B --size H W --threads T [--train]
                                             [--num-classes N] [--in-channels C] [--bilinear true|false]
                                             [--warmup-seconds S] [--iters N]
Prints one line in the format jtorch prints:
    torch_model model=.. batch=.. size=HxW threads=.. mode=eval|train ms=.. min_ms=.. iters=.. rss_peak_mb=..

The workload is jtorch's exactly: input torch.randn(B, C, H, W); an iteration is one forward in
eval mode under torch.no_grad(), or with --train one training step (zero_grad, forward, loss,
backward, SGD step with lr 0.01 and momentum 0.9; the loss is cross-entropy on random labels for
[B, classes] outputs, else the mean square of the output). Warm-up: at least 3 iterations and
2 seconds; then enough timed iterations for ~10 s (5 to 50); the median is reported.
--warmup-seconds and --iters override those two, as in `jtorch bench model` (for quick smoke runs).
MODEL is a torchvision name, or `unet` (the tutorial U-Net, from tests/fixtures/tutorial_models.py).
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
from tutorial_models import UNet  # noqa: E402  (the tutorial U-Net the fixtures use)


def build(args):
    if args.model == "unet":
        return UNet(args.in_channels or 3, args.num_classes or 1000, args.bilinear == "true")
    kwargs = {"num_classes": args.num_classes} if args.num_classes else {}
    if args.model == "inception_v3":
        kwargs["init_weights"] = True
    return getattr(tvm, args.model)(**kwargs)


def main():
    p = argparse.ArgumentParser(description="time a model in PyTorch (jtorch bench model's baseline)")
    p.add_argument("model")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, nargs=2, default=[224, 224])
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--train", action="store_true")
    p.add_argument("--num-classes", type=int)
    p.add_argument("--in-channels", type=int)
    p.add_argument("--bilinear", choices=["true", "false"], default="false")
    p.add_argument("--warmup-seconds", type=float, default=2.0)
    p.add_argument("--iters", type=int, default=0, help="timed iterations (default: enough for ~10 s, 5 to 50)")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args)
    channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    x = torch.randn(args.batch, channels, *args.size)
    if args.train:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        labels = []

        def step():
            opt.zero_grad()
            y = model(x)
            if isinstance(y, tuple):  # Inception3's training outputs
                y = y[0]
            if y.dim() == 2:
                if not labels:
                    labels.append(torch.randint(0, y.size(1), (y.size(0),)))
                loss = F.cross_entropy(y, labels[0])
            else:
                loss = y.square().mean()
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)

    start = time.perf_counter()
    i = 0
    while i < 3 or time.perf_counter() - start < args.warmup_seconds:
        step()
        i += 1
    once = timed(step)
    runs = args.iters if args.iters > 0 else int(max(5, min(50, 10.0 / max(once, 1e-9))))
    ms = sorted(timed(step) * 1e3 for _ in range(runs))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torch_model model={args.model} batch={args.batch} size={args.size[0]}x{args.size[1]} threads={args.threads} "
          f"mode={'train' if args.train else 'eval'} ms={statistics.median(ms):.2f} min_ms={ms[0]:.2f} iters={runs} "
          f"rss_peak_mb={rss:.1f} torch={torch.__version__}")


def timed(step):
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
