package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.F;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.SGD;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jtorch bench model MODEL --batch B --size H W --threads T [--train]}: milliseconds per
 * iteration, the median of timed runs after a warm-up, and peak memory. An iteration is one
 * forward in eval mode without autograd, or with {@code --train} one training step: zero_grad,
 * forward, loss (cross-entropy on random labels for [B, classes] outputs, else the mean square of
 * the output), backward, SGD step (lr 0.01, momentum 0.9). {@code bench/model_torch.py} runs the
 * same workload in PyTorch.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Time a model's forward (or training step with --train); ms per iteration and peak memory.")
final class ModelBench implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A zoo name or a whole pickled model file.")
    String model;

    @Option(names = "--batch", defaultValue = "1") int batch;

    @Option(names = "--size", arity = "2", paramLabel = "H W", description = "Input height and width (default 224 224).")
    int[] size = {224, 224};

    @Option(names = "--threads", description = "Intra-op threads (default: all cores).") Integer threads;

    @Option(names = "--train", description = "Time a training step instead of an inference forward.") boolean train;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed iterations first (at least).") int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "2", description = "... and at least this long (the JIT needs it).")
    double warmupSeconds;

    @Option(names = "--iters", defaultValue = "0", description = "Timed iterations (default: enough for ~10 s, 5 to 50).") int iters;

    @Option(names = "--profile", description = "Also print where the time goes: per layer type for a forward"
            + " (in eval mode), and with --train per phase (forward, backward, step).")
    boolean profile;

    @Mixin
    ModelSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (batch <= 0 || size[0] <= 0 || size[1] <= 0) throw new IllegalArgumentException("--batch and --size must be positive");
        if (threads != null && threads <= 0) throw new IllegalArgumentException("--threads must be positive, got " + threads);
        int previousThreads = Torch.getNumThreads();
        if (threads != null) Torch.setNumThreads(threads);
        try {
            return bench(out);
        } finally {
            Torch.setNumThreads(previousThreads); // the setting is process-wide; callers in the same JVM keep theirs
        }
    }

    private int bench(PrintWriter out) throws Exception {
        Torch.manualSeed(0);
        var loaded = source.load(model);
        Module net = loaded.pickled() == null ? loaded.module() : loaded.pickled().runnableModule();
        Tensor x = Torch.randn(batch, ModelSource.inputChannels(net), size[0], size[1]);
        Runnable step = train ? trainingStep(net, x) : inference(net, x);

        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - warmStart < warmupSeconds * 1e9; i++) step.run();
        Arrays.fill(phases, 0);
        long once = time(step);
        int runs = iters > 0 ? iters : (int) Math.max(5, Math.min(50, 10e9 / Math.max(1, once)));
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) ms[i] = time(step) / 1e6;
        Arrays.sort(ms);
        out.printf(Locale.ROOT, "jtorch_model model=%s batch=%d size=%dx%d threads=%d mode=%s ms=%.2f min_ms=%.2f iters=%d"
                        + " heap_peak_mb=%.1f rss_peak_mb=%.1f%n",
                modelName(), batch, size[0], size[1], Torch.getNumThreads(), train ? "train" : "eval", ms[runs / 2], ms[0], runs,
                heapPeakBytes() / 1048576.0, rssPeakBytes() / 1048576.0);
        if (profile && train) {
            out.printf(Locale.ROOT, "profile: per training step (mean of %d): forward+loss %.2f ms, backward %.2f ms, SGD step %.2f ms%n",
                    phases[3], phases[0] / 1e6 / phases[3], phases[1] / 1e6 / phases[3], phases[2] / 1e6 / phases[3]);
            net.eval();
            LayerProfile.print(net, x, out);
        } else if (profile) {
            LayerProfile.print(net, x, out);
        }
        out.flush();
        return 0;
    }

    private String modelName() { return ModelSource.isFile(model) ? Path.of(model).getFileName().toString() : model; }

    private static long time(Runnable step) {
        long t0 = System.nanoTime();
        step.run();
        return System.nanoTime() - t0;
    }

    private static Runnable inference(Module net, Tensor x) {
        net.eval();
        return () -> {
            try (var g = Torch.noGrad()) {
                net.forward(x);
            }
        };
    }

    /** Nanoseconds spent in forward (with the loss), backward and the optimizer step, summed over training steps. */
    private final long[] phases = new long[4];

    private Runnable trainingStep(Module net, Tensor x) {
        net.train();
        var opt = SGD.builder(net.parameters()).lr(0.01).momentum(0.9).build();
        Tensor[] labels = {null};
        return () -> {
            long t0 = System.nanoTime();
            opt.zeroGrad();
            Tensor y = net.forward(x);
            Tensor loss;
            if (y.dim() == 2) {
                if (labels[0] == null) labels[0] = Torch.randint(0, y.size(1), y.size(0));
                loss = F.crossEntropy(y, labels[0]);
            } else {
                loss = y.square().mean();
            }
            long t1 = System.nanoTime();
            loss.backward();
            long t2 = System.nanoTime();
            opt.step();
            long t3 = System.nanoTime();
            phases[0] += t1 - t0;
            phases[1] += t2 - t1;
            phases[2] += t3 - t2;
            phases[3]++;
        };
    }

    /**
     * The high-water mark of heap use: the sum of the heap pools' peaks (the JVM tracks them per
     * pool, so this is an upper bound: the pools need not have peaked at the same moment).
     */
    static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** VmHWM from /proc/self/status (peak resident set), or 0 where there is none. */
    static long rssPeakBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
