#!/usr/bin/python3
"""Times torch.mm on this machine, the side-by-side baseline for jtorch's CPU GEMM.

usage: /usr/bin/python3 bench/gemm_torch.py --m M --k K --n N --threads T [--iters I] [--op mm|onednn]
Prints one line: torch_mm m=.. k=.. n=.. threads=.. gflops=..  (best run; median beside it).

Debian's torch 1.13 sends torch.mm to whatever libblas.so.3 points at; on a machine with only
the reference (netlib) BLAS that is a scalar loop of about 7 GFLOPS. `--op onednn` times the same
product through oneDNN instead (a 1x1 convolution: input [1, K, N, 1], weight [M, K, 1, 1]),
the fastest GEMM this torch build has, and prints torch_onednn_conv1x1 ... in the same format.
"""
import argparse
import statistics
import time

import torch


def main():
    parser = argparse.ArgumentParser(description="time torch.mm (float32) on the CPU")
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--op", choices=["mm", "onednn"], default="mm")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    product, name = make_product(args.op, args.m, args.k, args.n)
    flops = 2.0 * args.m * args.n * args.k

    for _ in range(3):  # warm-up: first calls allocate and pick kernels
        product()
    times = []
    for _ in range(args.iters):
        start = time.perf_counter()
        product()
        times.append(time.perf_counter() - start)

    best = flops / min(times) / 1e9
    median = flops / statistics.median(times) / 1e9
    print(f"{name} m={args.m} k={args.k} n={args.n} threads={args.threads} "
          f"gflops={best:.2f} median_gflops={median:.2f} "
          f"torch={torch.__version__} blas={blas_name()}")


def make_product(op, m, k, n):
    """The timed call and the name printed for it."""
    if op == "mm":
        a = torch.randn(m, k)
        b = torch.randn(k, n)
        out = torch.empty(m, n)
        return (lambda: torch.mm(a, b, out=out)), "torch_mm"
    # torch.nn.functional.conv2d skips oneDNN for one thread; call it directly.
    x = torch.randn(1, k, n, 1)
    w = torch.randn(m, k, 1, 1)
    return (lambda: torch.mkldnn_convolution(x, w, None, [0, 0], [1, 1], [1, 1], 1)), "torch_onednn_conv1x1"


def blas_name():
    """The BLAS torch.mm ends in; Debian's torch calls whatever libblas.so.3 points to."""
    config = torch.__config__.show()
    for part in config.split(","):
        if "BLAS_INFO" in part:
            return part.split("=")[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
