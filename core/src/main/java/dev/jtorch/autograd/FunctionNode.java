package dev.jtorch.autograd;

import dev.jtorch.Tensor;

/** A node whose backward is a lambda written beside its op's forward in {@code dev.jtorch.ops}. */
final class FunctionNode extends Node {
    private BackwardFn fn;

    FunctionNode(String name, Node[] next, BackwardFn fn) {
        super(name, next);
        this.fn = fn;
    }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        if (fn == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (or directly access saved "
                    + "tensors after they have already been freed). Saved intermediate values of the graph are freed when "
                    + "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through "
                    + "the graph a second time or if you need to access saved tensors after calling backward.");
        }
        return fn.apply(gradOutput);
    }

    /**
     * Frees what the backward holds after a pass without retain_graph. A lambda that captured only
     * sizes, flags and names (SumBackward0 keeps a shape, nothing else) has nothing to free, and is
     * kept, so a second backward through it works as in PyTorch, which frees saved tensors only.
     */
    @Override
    protected void release() {
        if (fn != null && HOLDS_STATE.get(fn.getClass())) fn = null;
    }

    /**
     * Whether instances of a backward's class can hold tensors: any captured field (a lambda's
     * captures are its instance fields) that is not a primitive, a primitive array, a String or an
     * enum might. Read once per class.
     */
    private static final ClassValue<Boolean> HOLDS_STATE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (java.lang.reflect.Field f : k.getDeclaredFields()) {
                    if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
                    Class<?> t = f.getType();
                    while (t.isArray()) t = t.getComponentType();
                    if (!t.isPrimitive() && t != String.class && !t.isEnum()) return true;
                }
            }
            return false;
        }
    };
}
