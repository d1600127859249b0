package dev.jtorch.ops;

import dev.jtorch.Tensor;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Views returned together by one op (split, chunk): PyTorch does not let them be written in
 * place with autograd, since one node stands for all of them and could not be rebased for one.
 * The outputs are remembered weakly, with their node's name and their index.
 */
final class MultiOutputViews {
    private MultiOutputViews() {}

    private record Origin(String node, int index) {}

    private static final Map<Tensor, Origin> ORIGINS = Collections.synchronizedMap(new WeakHashMap<>());

    /** Marks output {@code index} of {@code node} (only when it carries history: nothing to guard otherwise). */
    static Tensor mark(Tensor view, String node, int index) {
        if (view.gradFn() != null) ORIGINS.put(view, new Origin(node, index));
        return view;
    }

    /** Refuses an in-place op with autograd on such an output, with PyTorch's message. */
    static void checkWritable(Tensor view) {
        Origin o = ORIGINS.get(view);
        if (o == null) return;
        throw new IllegalStateException("Output " + o.index() + " of " + o.node() + " is a view and is being modified inplace."
                + " This view is the output of a function that returns multiple views. Such functions do not allow the"
                + " output views to be modified inplace. You should replace the inplace operation by an out-of-place one.");
    }
}
