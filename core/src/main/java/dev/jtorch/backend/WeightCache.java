package dev.jtorch.backend;

import java.util.function.Supplier;

/**
 * Where a backend may keep what it derives from a weight for its own use — a transformed or
 * packed copy — between calls. The op layer hands one over per weight tensor when that weight is
 * not being trained, and empties it whenever the tensor is written in place; a backend just asks
 * for the derived form by key and says how to make it.
 */
public interface WeightCache {

    /** The value kept under {@code key}, made by {@code make} when there is none yet. */
    <T> T get(String key, Supplier<T> make);

    /** Whether values outlive the call: false means every {@link #get} makes its value afresh. */
    boolean keeps();

    /**
     * Whether this weight, unchanged, was handed over before: only then is a derived form worth
     * making, since it will likely be used again. A one-shot forward (a command that loads a model
     * and runs it once) would pay for every transform and use each once.
     */
    boolean reused();

    /** A cache that keeps nothing: for a weight that changes from step to step. */
    WeightCache NONE = new WeightCache() {
        @Override public <T> T get(String key, Supplier<T> make) { return make.get(); }

        @Override public boolean keeps() { return false; }

        @Override public boolean reused() { return false; }
    };
}
