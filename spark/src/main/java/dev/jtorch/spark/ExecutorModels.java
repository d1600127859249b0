package dev.jtorch.spark;

import dev.jtorch.Torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode): one per spec, layer
 * and batch size, loaded by the first task that needs it while the executor's other tasks wait
 * for it, then shared read-only by all of them for the JVM's life.
 */
public final class ExecutorModels {
    /**
     * Models kept at once ({@code -Djtorch.spark.maxModels}): each {@link ModelSpec} built is a new
     * key, so a long-lived application that builds specs in a loop would otherwise keep every model
     * it ever loaded. Past the limit the oldest is dropped (a task still using it keeps it alive).
     */
    private static final int MAX_MODELS = Integer.getInteger("jtorch.spark.maxModels", 8);
    private static final ConcurrentHashMap<String, BatchRunner> RUNNERS = new ConcurrentHashMap<>();
    private static final ConcurrentLinkedQueue<String> LOAD_ORDER = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /** The runner for {@code spec}, loading it on first use in this JVM. */
    static BatchRunner get(ModelSpec spec, String layer, int batchSize) {
        String key = spec.id() + "|" + layer + "|" + batchSize;
        BatchRunner runner = RUNNERS.computeIfAbsent(key, k -> {
            LOADS.incrementAndGet();
            LOAD_ORDER.add(k);
            Torch.setNumThreads(spec.intraOpThreads());
            try {
                return BatchRunner.load(spec, layer, batchSize);
            } catch (IOException e) {
                throw new UncheckedIOException("loading " + spec + " on an executor: " + e.getMessage(), e);
            }
        });
        while (RUNNERS.size() > MAX_MODELS) {
            String oldest = LOAD_ORDER.poll();
            if (oldest == null) break;
            RUNNERS.remove(oldest);
        }
        return runner;
    }

    /** How many models this JVM holds now. */
    static int size() {
        return RUNNERS.size();
    }

    /** How many models this JVM has loaded for tasks (the driver's validation is not counted). */
    public static int loadCount() {
        return LOADS.get();
    }
}
