package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.VersionCounter;
import dev.jtorch.backend.WeightCache;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.version;

/**
 * The {@link WeightCache} handed to a backend with a weight tensor. A weight that is being trained
 * (it needs a gradient here) changes every step, so it gets {@link WeightCache#NONE}; any other
 * gets a cache tied to its storage's version counter — shared by its views and detached copies,
 * and gone when they are — and to its layout. An in-place write bumps the version, and the next
 * call finds the cache emptied: loading a state dict or an optimizer step takes effect at once.
 */
final class WeightCaches {
    private WeightCaches() {}

    /** Per version counter, per layout of the weight over that storage. */
    private static final Map<VersionCounter, Map<String, Slot>> SLOTS = Collections.synchronizedMap(new WeakHashMap<>());

    static WeightCache of(Tensor weight) {
        if (Autograd.needsGrad(weight)) return WeightCache.NONE;
        String layout = layout(weight).offset() + ":" + Arrays.toString(weight.shape()) + ":"
                + Arrays.toString(layout(weight).strides()) + ":" + weight.dtype();
        Slot slot;
        synchronized (SLOTS) {
            slot = SLOTS.computeIfAbsent(version(weight), v -> new HashMap<>()).computeIfAbsent(layout, k -> new Slot());
        }
        slot.sync(version(weight).get());
        return slot;
    }

    /** The values derived from one weight, valid for one version of it. */
    private static final class Slot implements WeightCache {
        private final Map<String, Object> values = new ConcurrentHashMap<>();
        private int version;
        /** Calls that handed this weight over at this version, this one included. */
        private int uses;

        synchronized void sync(int now) {
            if (now != version) {
                values.clear();
                version = now;
                uses = 0;
            }
            if (uses < Integer.MAX_VALUE) uses++;
        }

        @Override
        public synchronized boolean reused() { return uses > 1; }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(String key, Supplier<T> make) {
            Object v = values.get(key);
            if (v == null) {
                v = make.get(); // outside any lock: two threads may both make it, one result is kept
                Object raced = values.putIfAbsent(key, v);
                if (raced != null) v = raced;
            }
            return (T) v;
        }

        @Override
        public boolean keeps() { return true; }
    }
}
