package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.backend.Layout;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.layout;

/** NumPy/PyTorch broadcasting: the shape rule, the stride-0 expansion, and its adjoint (sum back). */
public final class Broadcast {
    private Broadcast() {}

    public static int[] shapes(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("The size of tensor a (" + da + ") must match the size of tensor b ("
                        + db + ") at non-singleton dimension " + i);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The layout of {@code l} broadcast to {@code shape}: new and size-1 dimensions get stride 0. */
    public static Layout expand(Layout l, int[] shape) {
        int[] src = l.shape();
        if (Arrays.equals(src, shape)) return l;
        int extra = shape.length - src.length;
        if (extra < 0) {
            throw new IllegalArgumentException("the number of sizes provided (" + shape.length
                    + ") must be greater or equal to the number of dimensions in the tensor (" + src.length + ")");
        }
        int[] strides = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (i < extra) continue;
            int d = src[i - extra];
            if (d == shape[i]) strides[i] = l.strides()[i - extra];
            else if (d != 1) {
                throw new IllegalArgumentException("The expanded size of the tensor (" + shape[i]
                        + ") must match the existing size (" + d + ") at non-singleton dimension " + i
                        + ".  Target sizes: " + Arrays.toString(shape) + ".  Tensor sizes: " + Arrays.toString(src));
            }
        }
        return new Layout(shape.clone(), strides, l.offset());
    }

    /** Sums a broadcast gradient back to the shape of the operand it came from. */
    public static Tensor sumTo(Tensor grad, int[] shape) {
        int[] g = layout(grad).shape();
        if (Arrays.equals(g, shape)) return grad;
        int extra = g.length - shape.length;
        int[] dims = new int[g.length];
        int n = 0;
        for (int i = 0; i < g.length; i++) {
            if (i < extra || (shape[i - extra] == 1 && g[i] != 1)) dims[n++] = i;
        }
        Tensor summed = n == 0 ? grad : Reductions.sum(grad, Arrays.copyOf(dims, n), true);
        return Views.reshape(summed, shape);
    }
}
