package dev.jtorch.io;

import dev.jtorch.Tensor;
import dev.jtorch.nn.Module;

/**
 * The stand-in for a module of a whole pickled model whose class jtorch does not have (a user's
 * {@code class Net(nn.Module)}, or a library class jtorch lacks): it keeps the class name, the
 * pickled parameters and buffers under their names, and the rebuilt children, so the tree prints
 * like PyTorch's {@code print(model)}, its state dict is complete, and known children still run
 * ({@code model.getSubmodule("features").forward(x)}). Its own forward is Python code that was
 * never loaded, so calling it fails with a message naming the class.
 */
public final class UnknownModule extends Module {
    private final PyGlobal pickledClass;

    /** Registers {@code description}'s own parameters and buffers (the tensors themselves, not copies). */
    public UnknownModule(PickledModule description) {
        this.pickledClass = description.type();
        description.parameters().forEach((name, value) -> {
            Tensor t = tensorOrNull(name, value);
            boolean requiresGrad = t != null && t.requiresGrad();
            registerParameter(name, t);
            if (t != null && !requiresGrad) t.requiresGrad_(false); // a frozen parameter stays frozen
        });
        var nonPersistent = description.attributes().get("_non_persistent_buffers_set") instanceof java.util.Set<?> set
                ? set : java.util.Set.of();
        description.buffers().forEach((name, value) -> registerBuffer(name, tensorOrNull(name, value),
                !nonPersistent.contains(name)));
    }

    private static Tensor tensorOrNull(String name, Object value) {
        if (value == null || value instanceof Tensor) return (Tensor) value;
        throw new IllegalArgumentException(name + ": expected a tensor, got " + Values.typeName(value));
    }

    /** The Python class, e.g. {@code __main__.Net}. */
    public PyGlobal pickledClass() { return pickledClass; }

    @Override
    public String typeName() { return pickledClass.name(); }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(pickledClass.fullName() + " is not a class jtorch knows: its forward is Python"
                + " code, which a pickle does not contain and jtorch never runs; its children and state dict are loaded"
                + " (getSubmodule, stateDict), or rebuild the model in Java and load the state dict");
    }
}
