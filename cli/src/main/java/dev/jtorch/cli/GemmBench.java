package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code jtorch bench gemm}: float32 matrix product throughput through {@code Tensor.mm}, after a
 * warm-up (the JIT needs a few calls), as the median of timed runs.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true, description = "GFLOPS of float32 mm (C[m,n] = A[m,k] B[k,n]).")
final class GemmBench implements Runnable {
    @Option(names = "--size", description = "Square size: sets m, k and n.") Integer size;
    @Option(names = "--m", defaultValue = "1024") int m;
    @Option(names = "--k", defaultValue = "1024") int k;
    @Option(names = "--n", defaultValue = "1024") int n;
    @Option(names = "--threads", description = "Intra-op threads (default: all cores).") Integer threads;
    @Option(names = "--iters", defaultValue = "0", description = "Timed runs (default: enough for ~2 s).") int iters;

    @Override
    public void run() {
        if (size != null) m = k = n = size;
        if (threads != null) Torch.setNumThreads(threads);
        Torch.manualSeed(0);
        Tensor a = Torch.randn(m, k), b = Torch.randn(k, n);
        double flops = 2.0 * m * k * n;
        long warmStart = System.nanoTime();
        for (int i = 0; i < 8 || System.nanoTime() - warmStart < 500_000_000L; i++) a.mm(b);
        int runs = iters > 0 ? iters : (int) Math.max(5, Math.min(200, 2e9 / Math.max(1, timeOnce(a, b))));
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) seconds[i] = timeOnce(a, b) / 1e9;
        Arrays.sort(seconds);
        double median = seconds[runs / 2];
        System.out.printf(Locale.ROOT, "jtorch_mm m=%d k=%d n=%d threads=%d gflops=%.2f ms=%.3f%n",
                m, k, n, Torch.getNumThreads(), flops / median / 1e9, median * 1e3);
    }

    private static long timeOnce(Tensor a, Tensor b) {
        long t0 = System.nanoTime();
        a.mm(b);
        return System.nanoTime() - t0;
    }
}
