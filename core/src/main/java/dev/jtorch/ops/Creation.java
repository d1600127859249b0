package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/** Making tensors: empty, filled, from host arrays, random. */
public final class Creation {
    private Creation() {}

    /** The generator behind {@code Torch.manualSeed} and every random factory without an explicit one. */
    public static final Generator DEFAULT_GENERATOR = new Generator(0x5eed_1234L);

    public static Tensor zeros(int[] shape, DType dtype, Device device) {
        checkShape(shape);
        Backend b = Backends.of(device);
        return TensorInternals.of(b.allocate(dtype, Layout.numel(shape)), Layout.contiguous(shape));
    }

    /** A new contiguous tensor with the same shape, dtype and device (zero-filled). */
    public static Tensor emptyLike(Tensor t) { return zeros(layout(t).shape(), t.dtype(), t.device()); }

    public static Tensor full(int[] shape, double value, DType dtype, Device device) {
        Tensor t = zeros(shape, dtype, device);
        if (value != 0) backend(t).fill(storage(t), layout(t), value);
        return t;
    }

    public static Tensor onesLike(Tensor t) { return full(layout(t).shape(), 1, t.dtype(), t.device()); }

    public static Tensor zerosLike(Tensor t) { return emptyLike(t); }

    /** A 0-dim tensor holding {@code value}. */
    public static Tensor scalar(double value, DType dtype, Device device) { return full(new int[0], value, dtype, device); }

    /** Wraps a host array (typed as {@link Backend#fromArray} wants) as a tensor of {@code shape}. */
    public static Tensor fromArray(Object array, DType dtype, int[] shape, Device device) {
        checkShape(shape);
        int n = java.lang.reflect.Array.getLength(array);
        if (n != Layout.numel(shape)) {
            throw new IllegalArgumentException("shape '" + java.util.Arrays.toString(shape) + "' is invalid for input of size " + n);
        }
        return TensorInternals.of(Backends.of(device).fromArray(dtype, array), Layout.contiguous(shape));
    }

    /** The elements of {@code t} in row-major order as a host array of {@code dtype}'s array type. */
    public static Object hostCopy(Tensor t, DType dtype) {
        Tensor c = t.dtype() == dtype && t.isContiguous() && t.storageOffset() == 0 && storage(t).size() == t.numel()
                ? t : Pointwise.copyInto(zeros(layout(t).shape(), dtype, t.device()), t);
        return backend(c).toArray(storage(c));
    }

    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        if (step == 0) throw new IllegalArgumentException("step must be nonzero");
        double count = Math.ceil((end - start) / step);
        if (!(count >= 0) || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign");
        }
        int n = (int) count;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = start + i * step;
        return Pointwise.toDType(fromArray(values, DType.FLOAT64, new int[]{n}, device), dtype);
    }

    public static Tensor eye(int n, int m, DType dtype, Device device) {
        double[] values = new double[Layout.numel(new int[]{n, m})];
        for (int i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
        return Pointwise.toDType(fromArray(values, DType.FLOAT64, new int[]{n, m}, device), dtype);
    }

    public static Tensor randn(int[] shape, DType dtype, Device device, Generator g) {
        checkShape(shape);
        double[] values = new double[Layout.numel(shape)];
        g.fillNormal(values);
        return Pointwise.toDType(fromArray(values, DType.FLOAT64, shape, device), dtype);
    }

    public static Tensor rand(int[] shape, DType dtype, Device device, Generator g) {
        checkShape(shape);
        double[] values = new double[Layout.numel(shape)];
        g.fillUniform(values);
        return Pointwise.toDType(fromArray(values, DType.FLOAT64, shape, device), dtype);
    }

    public static Tensor randint(long low, long high, int[] shape, DType dtype, Device device, Generator g) {
        if (low >= high) {
            throw new IllegalArgumentException("random_ expects 'from' to be less than 'to', but got from=" + low + " >= to=" + high);
        }
        checkShape(shape);
        long[] values = new long[Layout.numel(shape)];
        for (int i = 0; i < values.length; i++) values[i] = g.nextLong(low, high);
        return Pointwise.toDType(fromArray(values, DType.INT64, shape, device), dtype);
    }

    /** A random permutation of 0 .. n-1 (int64), by Fisher-Yates. */
    public static Tensor randperm(int n, Device device, Generator g) {
        if (n < 0) throw new IllegalArgumentException("n must be non-negative, got" + n);
        long[] values = new long[n];
        for (int i = 0; i < n; i++) values[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) g.nextLong(0, i + 1);
            long t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
        return fromArray(values, DType.INT64, new int[]{n}, device);
    }

    public static Tensor randnLike(Tensor t) { return randn(layout(t).shape(), t.dtype(), t.device(), DEFAULT_GENERATOR); }

    public static Tensor randLike(Tensor t) { return rand(layout(t).shape(), t.dtype(), t.device(), DEFAULT_GENERATOR); }

    /** Samples 1 with probability p (elementwise), in p's dtype. */
    public static Tensor bernoulli(Tensor p, Generator g) {
        double[] probs = p.toDoubleArray();
        double[] values = new double[probs.length];
        for (int i = 0; i < probs.length; i++) {
            if (!(probs[i] >= 0 && probs[i] <= 1)) {
                throw new IllegalArgumentException("bernoulli_ expects p to be in [0, 1], but got p=" + probs[i]);
            }
            values[i] = g.nextDouble() < probs[i] ? 1 : 0;
        }
        return Pointwise.toDType(fromArray(values, DType.FLOAT64, layout(p).shape(), p.device()), p.dtype());
    }

    static void checkShape(int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Trying to create tensor with negative dimension " + d + ": "
                        + java.util.Arrays.toString(shape));
            }
        }
        Layout.numel(shape); // throws ArithmeticException past 2^31 elements
    }
}
