package dev.jtorch.models;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.F;
import dev.jtorch.ops.Convolution;
import dev.jtorch.ops.Creation;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Gets the JIT to compile the convolution, GEMM, BatchNorm, pooling and pointwise kernels while
 * the caller is still busy reading a checkpoint, so that the first real forward pass runs
 * compiled code.
 *
 * <p>Why: the kernels use the Vector API, which only C2 turns into SIMD instructions; run by the
 * interpreter or C1, each vector operation allocates and loops lane by lane, hundreds of times
 * slower. A fresh JVM's first ResNet-18 forward at 224x224 took 1.0-2.5 s (a warm one: 50 ms),
 * most of it in the first convolution before C2 had compiled the micro-kernel, and again each
 * time C2 dropped code compiled from a profile that had not yet seen a branch. Running a small
 * network of the same layer types from a background thread, on a core the checkpoint reader
 * leaves idle, gets those methods compiled, with profiles that have seen the edge tiles, before
 * the real pass needs them. JDK 25's AOT cache keeps classes and profiles but no compiled code,
 * so it cannot do this by itself.
 *
 * <p>{@code jtorch run} starts it first thing, and {@link Models#create(String, ModelOptions,
 * java.nio.file.Path)} while it reads the weights. It draws from a generator of its own (the
 * global one is not touched), builds no modules, runs without autograd, and runs at most once
 * per JVM; {@code -Djtorch.warmup=false} turns it off. A program that wants its first forward
 * pass fast can call {@link #start} at its own start and {@link #stop} before that pass.
 */
public final class KernelWarmup {
    private KernelWarmup() {}

    /** Enough passes for the hot kernels to reach C2; each one is a few milliseconds once compiled. */
    private static final int PASSES = 40;

    private static final AtomicBoolean started = new AtomicBoolean();
    private static volatile boolean stopRequested;

    /**
     * Starts the warm-up in a daemon thread, unless it ran already in this JVM or is turned off,
     * and returns that thread (null if none was started). Call {@link #stop} when the real work
     * begins, so that it gets both cores.
     */
    public static Thread start() {
        if (!Boolean.parseBoolean(System.getProperty("jtorch.warmup", "true"))) return null;
        if (!started.compareAndSet(false, true)) return null;
        stopRequested = false;
        Thread t = new Thread(KernelWarmup::run, "jtorch-warmup");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Ends a running warm-up after the operation it is in; compilations it queued still complete. */
    public static void stop() { stopRequested = true; }

    private static void run() {
        try {
            warm(PASSES, () -> stopRequested);
        } catch (RuntimeException e) {
            // Only ever a speed-up: a failure here must not reach the caller, whose own pass
            // would meet the same problem and report it properly.
        }
    }

    /** Runs up to {@code passes} passes of the warm-up network in the calling thread, until {@code stop}. */
    static void warm(int passes, BooleanSupplier stop) {
        try (var g = Torch.noGrad()) {
            Net net = new Net(new Generator(0x3a11));
            for (int i = 0; i < passes && !stop.getAsBoolean(); i++) net.forward(stop);
        }
    }

    /**
     * A ResNet-like stack at a small size: a 7x7 stride-2 stem, BatchNorm, in-place ReLU, a 3x3
     * convolution on a 16x16 plane (the shifted-rows route of stride-1 convolutions), 3x3
     * max-pool, a residual pair of 3x3 convolutions, a strided block with a 1x1 projection,
     * average pools and a linear head; most convolutions in the folded form (scale, shift,
     * residual and ReLU in the epilogue) that eval-mode models run. The shapes matter more than the sizes: 3x3 convolutions
     * over 32 channels make k = 288, longer than one GEMM depth block, so the micro-kernel also
     * accumulates into C (when only the stem's k = 147 was warmed, C2 compiled the kernel
     * without that branch and had to throw the code away in ResNet's first block); the 4x4
     * planes and the batch-1 head give partial tiles.
     */
    private static final class Net {
        private final Generator g;
        private final Tensor x, stem, c0, c1, c2, c3, down3, down1, fc, fcBias;
        private final Tensor[] bn16, bn32, bn64;

        Net(Generator g) {
            this.g = g;
            x = rand(1, 3, 32, 32);
            stem = rand(16, 3, 7, 7);
            c0 = rand(16, 16, 3, 3);
            c1 = rand(32, 16, 3, 3);
            c2 = rand(32, 32, 3, 3);
            c3 = rand(32, 32, 3, 3);
            down3 = rand(64, 32, 3, 3);
            down1 = rand(64, 32, 1, 1);
            fc = rand(10, 64);
            fcBias = rand(10);
            bn16 = batchNormState(16);
            bn32 = batchNormState(32);
            bn64 = batchNormState(64);
        }

        private Tensor rand(int... shape) { return Creation.rand(shape, DType.FLOAT32, Device.CPU, g).sub(0.5); }

        /** Running mean, running var (positive), weight, bias. */
        private Tensor[] batchNormState(int c) {
            return new Tensor[]{rand(c), rand(c).add(1), rand(c).add(1), rand(c)};
        }

        private static Tensor bn(Tensor t, Tensor[] s) { return F.batchNorm(t, s[0], s[1], s[2], s[3], false, 0.1, 1e-5); }

        private static Tensor conv(Tensor t, Tensor w, int stride, int padding) {
            return F.conv2d(t, w, null, new int[]{stride}, new int[]{padding}, new int[]{1}, 1);
        }

        /**
         * A convolution with its batch norm folded, as a model in eval mode without gradients
         * runs it ({@code ConvBnFolding}): the norm's weight and bias stand in for its scale and shift.
         */
        private static Tensor folded(Tensor t, Tensor w, int stride, int padding, Tensor[] s, Tensor residual) {
            return Convolution.conv2dInference(t, w, s[2], s[3], residual, true, new int[]{stride}, new int[]{padding},
                    new int[]{1}, 1);
        }

        void forward(BooleanSupplier stop) {
            Tensor y = bn(conv(x, stem, 2, 3), bn16).relu_();                       // 16 x 16x16 (phase split)
            y = folded(y, c0, 1, 1, bn16, null); // shifted rows on the first pass, Winograd (16 tiles) once c0 is reused
            y = F.maxPool2d(y, new int[]{3}, new int[]{2}, new int[]{1}, new int[]{1}, false); // 16 x 8x8
            y = folded(y, c1, 1, 1, bn32, null);                                     // 32 x 8x8, shifted rows
            if (stop.getAsBoolean()) return;
            Tensor r = bn(conv(folded(y, c2, 1, 1, bn32, null), c3, 1, 1), bn32);
            y = r.add_(y).relu_();
            y = folded(y, c3, 1, 1, bn32, y);                                        // with a residual
            if (stop.getAsBoolean()) return;
            Tensor d = folded(y, down3, 2, 1, bn64, bn(conv(y, down1, 2, 0), bn64)); // 64 x 4x4
            Torch.cat(List.of(F.avgPool2d(d, 2), F.maxPool2d(d, 2)), 1).sum();
            F.linear(F.adaptiveAvgPool2d(d, 1).flatten(1), fc, fcBias);
        }
    }
}
