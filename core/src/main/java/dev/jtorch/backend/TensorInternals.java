package dev.jtorch.backend;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.AccumulateGrad;
import dev.jtorch.autograd.Node;
import dev.jtorch.autograd.VersionCounter;

import java.util.function.Function;

/**
 * What the engine needs of a tensor and its users do not: its storage, layout and version counter,
 * a tensor over a given storage, and the autograd wiring (setting a grad_fn, a leaf's
 * accumulator). These were public methods of {@link Tensor}; they live here so that Tensor's
 * public surface is PyTorch's, and this package is exported only to jtorch's own modules
 * ({@code module-info.java}).
 *
 * <p>Tensor hands over its implementation when it is initialised (the "shared secrets" pattern:
 * Tensor's fields stay private, and nothing is reflective). Initialising this class initialises
 * Tensor first, so the implementation is always in place before the first call.
 */
public final class TensorInternals {

    /** Implemented by Tensor. */
    public interface Access {
        Tensor of(Storage storage, Layout layout);
        Tensor viewAs(Tensor t, Layout layout);
        Storage storage(Tensor t);
        Layout layout(Tensor t);
        VersionCounter version(Tensor t);
        void setGradFn(Tensor t, Node node);
        String gradFnNameAtVersion(Tensor t, int version);
        AccumulateGrad gradAccumulator(Tensor t, Function<Tensor, AccumulateGrad> create);
    }

    private static Access access;

    static {
        try {
            Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TensorInternals() {}

    /** Called once, by Tensor's static initialiser. */
    public static void install(Access implementation) {
        if (access != null) throw new IllegalStateException("TensorInternals is installed once, by Tensor");
        access = implementation;
    }

    /** A tensor over {@code storage} with its own version counter (for op implementations and readers). */
    public static Tensor of(Storage storage, Layout layout) { return access.of(storage, layout); }

    /** A view of {@code t}'s storage under another layout; shares the version counter. */
    public static Tensor viewAs(Tensor t, Layout layout) { return access.viewAs(t, layout); }

    public static Storage storage(Tensor t) { return access.storage(t); }

    public static Layout layout(Tensor t) { return access.layout(t); }

    public static Backend backend(Tensor t) { return access.storage(t).backend(); }

    public static VersionCounter version(Tensor t) { return access.version(t); }

    /** Makes {@code t} the output of {@code node} (what {@code Autograd.record} does). */
    public static void setGradFn(Tensor t, Node node) { access.setGradFn(t, node); }

    /**
     * The name of the grad_fn {@code t} had at storage version {@code version} (null for none):
     * what produced the value a node saved then, for the message when it was since overwritten.
     */
    public static String gradFnNameAtVersion(Tensor t, int version) { return access.gradFnNameAtVersion(t, version); }

    /**
     * The node that accumulates into leaf {@code t}'s grad, made by {@code create} on first use
     * and kept by the leaf for its whole life (one per leaf, as in PyTorch).
     */
    public static AccumulateGrad gradAccumulator(Tensor t, Function<Tensor, AccumulateGrad> create) {
        return access.gradAccumulator(t, create);
    }
}
