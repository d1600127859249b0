package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.Node;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/**
 * Autograd history for views whose storage is written in place, as PyTorch keeps it.
 *
 * <p>An in-place op with history on a view {@code v} of {@code base} ({@code x[:, 0].mul_(2)})
 * changes the base's values too, so the base takes a new grad_fn, {@code CopySlices}: its
 * gradient is split between the elements the op wrote, whose gradient goes to the op's own node
 * (which in turn reaches the old values of the view, and so the base's old history), and all
 * the others, whose gradient goes to the base's old history unchanged. Any view of that base
 * then takes its gradient from the new history, through {@code AsStridedBackward0}.
 *
 * <p>Both work on the storage's element positions, so they hold for any view (slices, transposes,
 * selects, expands): a gradient of the base is laid out in a flat buffer by the positions its
 * elements occupy in the storage, and a view's gradient is read from (or added to) the buffer
 * at the view's positions. First-order only: the backward itself records no history.
 */
public final class ViewHistory {
    private ViewHistory() {}

    /** After an in-place op wrote {@code result} into the view {@code view} of {@code base}: base's new grad_fn. */
    public static void rebase(Tensor base, Tensor view, Tensor result) {
        Geometry geo = new Geometry(layout(base), layout(view));
        Node copySlices = Autograd.node("CopySlices", g -> {
            Tensor basePositions = geo.basePositions();
            long[] viewAt = positions(geo.view);
            Tensor flat = geo.spread(g, basePositions);
            Tensor written = geo.gather(flat, int64(viewAt), geo.viewShape);
            // The written elements no longer depend on the base's old values: zero them there, once
            // per storage position (an expanded view, which fill_ may write, repeats positions).
            Tensor distinct = int64(java.util.Arrays.stream(viewAt).distinct().toArray());
            geo.add(flat, distinct, Pointwise.unary(dev.jtorch.backend.UnaryOp.NEG, geo.gather(flat, distinct, null)));
            return new Tensor[]{geo.gather(flat, basePositions, geo.baseShape), written};
        }, base, result);
        TensorInternals.setGradFn(base, copySlices);
    }

    /** The grad_fn of a view (with {@code viewLayout}) of {@code base} after their storage was written in place. */
    public static Node asStrided(Tensor base, Layout viewLayout) {
        Geometry geo = new Geometry(layout(base), viewLayout);
        return Autograd.node("AsStridedBackward0", g -> new Tensor[]{
                geo.gather(geo.spread(g, geo.viewPositions()), geo.basePositions(), geo.baseShape)}, base);
    }

    /**
     * Where the elements of the base and of the view lie in their shared storage. Only the two
     * layouts are kept until backward (as PyTorch keeps sizes, strides and offset): the position
     * tables, 8 bytes an element, are built when the gradient is.
     */
    private static final class Geometry {
        final Layout base, view;
        final int[] baseShape, viewShape;
        final int extent;

        Geometry(Layout base, Layout view) {
            this.base = base;
            this.view = view;
            baseShape = base.shape();
            viewShape = view.shape();
            extent = Math.toIntExact(Math.max(base.extent(), view.extent()));
        }

        Tensor basePositions() { return int64(positions(base)); }

        Tensor viewPositions() { return int64(positions(view)); }

        /** A flat buffer over the storage's extent holding {@code g}'s elements at {@code positions} (summed where they repeat). */
        Tensor spread(Tensor g, Tensor positions) {
            Tensor flat = Creation.zeros(new int[]{extent}, g.dtype(), g.device());
            add(flat, positions, g);
            return flat;
        }

        void add(Tensor flat, Tensor positions, Tensor values) {
            Tensor v = values.contiguous().reshape(positions.numel());
            backend(flat).indexAdd(storage(flat), layout(flat), 0, storage(positions), layout(positions), storage(v),
                    layout(v));
        }

        Tensor gather(Tensor flat, Tensor positions, int[] shape) {
            Tensor out = Creation.zeros(new int[]{positions.numel()}, flat.dtype(), flat.device());
            backend(flat).indexSelect(storage(flat), layout(flat), 0, storage(positions), layout(positions),
                    storage(out), layout(out));
            return shape == null ? out : out.reshape(shape);
        }
    }

    /** The storage position of each element of {@code l}, in row-major order. */
    private static long[] positions(Layout l) {
        int[] shape = l.shape(), strides = l.strides();
        long[] out = new long[l.numel()];
        int[] index = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            long at = l.offset();
            for (int d = 0; d < shape.length; d++) at += (long) index[d] * strides[d];
            out[i] = at;
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return out;
    }

    private static Tensor int64(long[] values) {
        return Creation.fromArray(values, DType.INT64, new int[]{values.length}, dev.jtorch.Device.CPU);
    }
}
