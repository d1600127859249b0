#!/usr/bin/python3
"""Exports a model to ONNX for the ONNX Runtime peer of bench/peer_compare.sh, plus a check pair.

usage: /usr/bin/python3 bench/peer/export_onnx.py MODEL OUT.onnx --batch B --size H W
                                                  [--num-classes N] [--in-channels C] [--bilinear true|false]
Writes OUT.onnx (fixed input shape [B, C, H, W], opset 13, eval mode, constant folding on) and,
beside it, OUT.input.f32 / OUT.output.f32: a randn input and PyTorch's eval output for it, raw
little-endian float32 in row-major order. OrtBench --check reads that pair to confirm the exported
graph computes the same function before it times anything.

The model is built by bench/model_torch.py's own build() under torch.manual_seed(0), so the
weights are the ones PyTorch's side of the benchmark times (the timing does not depend on them,
but the check pair does). torch 1.13's exporter does not need the `onnx` Python package.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from model_torch import build  # noqa: E402  (one definition of "the model", shared with the timing side)

OPSET = 13  # well supported by torch 1.13's exporter and by every ONNX Runtime release since 1.6


def main():
    p = argparse.ArgumentParser(description="export a model to ONNX with a PyTorch reference input/output")
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, nargs=2, default=[224, 224])
    p.add_argument("--num-classes", type=int)
    p.add_argument("--in-channels", type=int)
    p.add_argument("--bilinear", choices=["true", "false"], default="false")
    args = p.parse_args()

    torch.manual_seed(0)
    model = build(args).eval()
    channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    x = torch.randn(args.batch, channels, *args.size)
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, x, args.out, opset_version=OPSET, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL, input_names=["input"], output_names=["output"])
    stem = args.out[:-len(".onnx")] if args.out.endswith(".onnx") else args.out
    # '<f4' pins the byte order: the Java side reads these with a little-endian ByteBuffer.
    x.numpy().astype('<f4').tofile(stem + ".input.f32")
    y.numpy().astype('<f4').tofile(stem + ".output.f32")
    print(f"exported {args.model} [{args.batch}, {channels}, {args.size[0]}, {args.size[1]}] -> {args.out} "
          f"(output {list(y.shape)}, torch={torch.__version__})")


if __name__ == "__main__":
    main()
