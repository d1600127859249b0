package dev.jtorch.spark;

import dev.jtorch.Tensor;
import dev.jtorch.nn.Module;

/**
 * Stands in for the submodule whose output is wanted as an embedding: runs it, keeps its output
 * for the calling thread, and stops the forward pass there, so the layers after it (the head)
 * cost nothing. The models call their children by name, so putting the tap in the child's place
 * ({@code setSubmodule}) is enough. A convolution that eval mode folds with its batch norm is not
 * called as a module; tap the block or stage around it instead.
 */
final class LayerTap extends Module {

    /** Unwinds the forward pass once the tapped layer has run; carries no stack trace. */
    private static final class Reached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Reached() {
            super("the tapped layer was reached", null, false, false);
        }
    }

    private static final Reached REACHED = new Reached();
    private static final ThreadLocal<Tensor> CAPTURED = new ThreadLocal<>();

    private final Module inner;
    private final String path;

    private LayerTap(Module inner, String path) {
        this.inner = inner;
        this.path = path;
    }

    /** Replaces the submodule at {@code path} (dotted, e.g. {@code avgpool}) of {@code model} with a tap. */
    static void install(Module model, String path) {
        Module target = model.getSubmodule(path);
        model.setSubmodule(path, new LayerTap(target, path));
    }

    @Override
    public Tensor forward(Tensor input) {
        CAPTURED.set(inner.forward(input));
        throw REACHED;
    }

    /** The tapped layer's output for {@code input}: the forward pass runs up to the tap only. */
    static Tensor capture(Module model, Tensor input, String path) {
        try {
            model.forward(input);
        } catch (Reached reached) {
            Tensor out = CAPTURED.get();
            CAPTURED.remove();
            return out;
        }
        throw new IllegalStateException("the forward pass never reached layer " + path
                + " (a convolution folded with its batch norm is not called as a module: tap its block instead)");
    }

    @Override
    public String toString() {
        return "LayerTap(" + path + ": " + inner + ")";
    }
}
