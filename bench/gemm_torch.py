#!/usr/bin/python3
"""Times torch.mm on this machine, the side-by-side baseline for jtorch's CPU GEMM.

usage: /usr/bin/python3 bench/gemm_torch.py --m M --k K --n N --threads T [--iters I]
Prints one line: torch_mm m=.. k=.. n=.. threads=.. gflops=..  (best run; median beside it).
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
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    a = torch.randn(args.m, args.k)
    b = torch.randn(args.k, args.n)
    out = torch.empty(args.m, args.n)
    flops = 2.0 * args.m * args.n * args.k

    for _ in range(3):  # warm-up: first calls allocate and pick kernels
        torch.mm(a, b, out=out)
    times = []
    for _ in range(args.iters):
        start = time.perf_counter()
        torch.mm(a, b, out=out)
        times.append(time.perf_counter() - start)

    best = flops / min(times) / 1e9
    median = flops / statistics.median(times) / 1e9
    print(f"torch_mm m={args.m} k={args.k} n={args.n} threads={args.threads} "
          f"gflops={best:.2f} median_gflops={median:.2f} "
          f"torch={torch.__version__} blas={blas_name()}")


def blas_name():
    """The BLAS torch.mm ends in; Debian's torch calls whatever libblas.so.3 points to."""
    config = torch.__config__.show()
    for part in config.split(","):
        if "BLAS_INFO" in part:
            return part.split("=")[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
