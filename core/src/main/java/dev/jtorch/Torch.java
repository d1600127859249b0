package dev.jtorch;

import dev.jtorch.autograd.GradMode;
import dev.jtorch.backend.Backends;
import dev.jtorch.cpu.Parallel;
import dev.jtorch.ops.Creation;
import dev.jtorch.ops.Joining;
import dev.jtorch.ops.LinearAlgebra;
import dev.jtorch.ops.Pointwise;

import java.util.List;

/**
 * The {@code torch.*} namespace: factories, joining, the no-grad scope, seeding and threads.
 * Factories make float32 (or int64 for integer data) on the CPU unless told otherwise, as PyTorch's
 * defaults do.
 */
public final class Torch {
    private Torch() {}

    // ---- from data -------------------------------------------------------------------------

    public static Tensor tensor(float[] data, int... shape) {
        return Creation.fromArray(data.clone(), DType.FLOAT32, shapeOr(shape, data.length), Device.CPU);
    }

    public static Tensor tensor(double[] data, int... shape) {
        return Creation.fromArray(data.clone(), DType.FLOAT64, shapeOr(shape, data.length), Device.CPU);
    }

    public static Tensor tensor(long[] data, int... shape) {
        return Creation.fromArray(data.clone(), DType.INT64, shapeOr(shape, data.length), Device.CPU);
    }

    public static Tensor tensor(int[] data, int... shape) {
        return Creation.fromArray(data.clone(), DType.INT32, shapeOr(shape, data.length), Device.CPU);
    }

    public static Tensor tensor(boolean[] data, int... shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) bytes[i] = (byte) (data[i] ? 1 : 0);
        return Creation.fromArray(bytes, DType.BOOL, shapeOr(shape, data.length), Device.CPU);
    }

    /** A 0-dim float32 tensor. */
    public static Tensor scalarTensor(double value) { return Creation.scalar(value, DType.FLOAT32, Device.CPU); }

    public static Tensor scalarTensor(double value, DType dtype) { return Creation.scalar(value, dtype, Device.CPU); }

    /** No shape given means a 1-D tensor of all the data. */
    private static int[] shapeOr(int[] shape, int length) {
        return shape.length == 0 ? new int[]{length} : shape;
    }

    // ---- filled ----------------------------------------------------------------------------

    public static Tensor zeros(int... shape) { return Creation.zeros(shape, DType.FLOAT32, Device.CPU); }
    public static Tensor zeros(DType dtype, int... shape) { return Creation.zeros(shape, dtype, Device.CPU); }
    public static Tensor ones(int... shape) { return full(1, shape); }
    public static Tensor ones(DType dtype, int... shape) { return full(1, dtype, shape); }
    public static Tensor full(double value, int... shape) { return Creation.full(shape, value, DType.FLOAT32, Device.CPU); }
    public static Tensor full(double value, DType dtype, int... shape) { return Creation.full(shape, value, dtype, Device.CPU); }
    public static Tensor empty(int... shape) { return zeros(shape); }
    public static Tensor zerosLike(Tensor t) { return Creation.zerosLike(t); }
    public static Tensor onesLike(Tensor t) { return Creation.onesLike(t); }
    public static Tensor fullLike(Tensor t, double value) { return Creation.full(t.shape(), value, t.dtype(), t.device()); }

    /** 0, 1, ..., end-1 as int64. */
    public static Tensor arange(long end) { return arange(0, end, 1); }

    /** Integer arguments give int64, as in PyTorch. */
    public static Tensor arange(long start, long end, long step) {
        return Creation.arange(start, end, step, DType.INT64, Device.CPU);
    }

    public static Tensor arange(double start, double end, double step) {
        return Creation.arange(start, end, step, DType.FLOAT32, Device.CPU);
    }

    public static Tensor eye(int n) { return Creation.eye(n, n, DType.FLOAT32, Device.CPU); }
    public static Tensor eye(int n, int m) { return Creation.eye(n, m, DType.FLOAT32, Device.CPU); }

    // ---- random ----------------------------------------------------------------------------

    public static Tensor rand(int... shape) { return Creation.rand(shape, DType.FLOAT32, Device.CPU, Creation.DEFAULT_GENERATOR); }
    public static Tensor rand(DType dtype, int... shape) { return Creation.rand(shape, dtype, Device.CPU, Creation.DEFAULT_GENERATOR); }
    public static Tensor randn(int... shape) { return Creation.randn(shape, DType.FLOAT32, Device.CPU, Creation.DEFAULT_GENERATOR); }
    public static Tensor randn(DType dtype, int... shape) { return Creation.randn(shape, dtype, Device.CPU, Creation.DEFAULT_GENERATOR); }
    public static Tensor randn(Generator g, int... shape) { return Creation.randn(shape, DType.FLOAT32, Device.CPU, g); }

    /** Integers uniform in [low, high), int64. */
    public static Tensor randint(long low, long high, int... shape) {
        return Creation.randint(low, high, shape, DType.INT64, Device.CPU, Creation.DEFAULT_GENERATOR);
    }

    /** A random permutation of 0 .. n-1 as int64. */
    public static Tensor randperm(int n) { return Creation.randperm(n, Device.CPU, Creation.DEFAULT_GENERATOR); }

    public static Tensor bernoulli(Tensor p) { return Creation.bernoulli(p, Creation.DEFAULT_GENERATOR); }

    /** Seeds the global generator ({@code torch.manual_seed}). */
    public static Generator manualSeed(long seed) { return Creation.DEFAULT_GENERATOR.manualSeed(seed); }

    public static Generator defaultGenerator() { return Creation.DEFAULT_GENERATOR; }

    // ---- combining -------------------------------------------------------------------------

    public static Tensor cat(List<Tensor> tensors, int dim) { return Joining.cat(tensors, dim); }
    public static Tensor cat(List<Tensor> tensors) { return Joining.cat(tensors, 0); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Joining.stack(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors) { return Joining.stack(tensors, 0); }
    public static Tensor where(Tensor condition, Tensor a, Tensor b) { return Pointwise.where(condition, a, b); }
    public static Tensor matmul(Tensor a, Tensor b) { return LinearAlgebra.matmul(a, b); }
    public static Tensor mm(Tensor a, Tensor b) { return LinearAlgebra.mm(a, b); }
    public static Tensor bmm(Tensor a, Tensor b) { return LinearAlgebra.bmm(a, b); }
    public static Tensor addmm(Tensor input, Tensor m1, Tensor m2) { return LinearAlgebra.addmm(input, m1, m2, 1, 1); }
    public static Tensor addmm(Tensor input, Tensor m1, Tensor m2, double beta, double alpha) {
        return LinearAlgebra.addmm(input, m1, m2, beta, alpha);
    }

    // ---- modes -----------------------------------------------------------------------------

    /**
     * {@code with torch.no_grad():} for this thread.
     * {@snippet :
     * try (var g = Torch.noGrad()) {
     *     Tensor y = model.forward(x); // records no history
     * }
     * }
     */
    public static GradMode.Scope noGrad() { return GradMode.set(false); }

    /** {@code with torch.enable_grad():} */
    public static GradMode.Scope enableGrad() { return GradMode.set(true); }

    public static boolean isGradEnabled() { return GradMode.isEnabled(); }

    /** Threads used inside one op ({@code torch.set_num_threads}); default is the number of cores. */
    public static void setNumThreads(int n) { Parallel.setNumThreads(n); }

    public static int getNumThreads() { return Parallel.numThreads(); }

    public static boolean cudaIsAvailable() { return Backends.isAvailable("cuda"); }
}
