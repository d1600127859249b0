package dev.jtorch.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One epoch of a {@link DataLoader}. Without workers it loads each batch when asked; with
 * workers it keeps a window of at most {@code window} batches submitted ahead and hands them out
 * in order. Closing it (or reaching the end, or a failure) cancels what is still queued and stops
 * the threads.
 */
public final class BatchIterator<B> implements Iterator<B>, AutoCloseable {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final int batches;
    private final int window;
    private final IntFunction<B> load;
    private final ThreadPoolExecutor pool;
    private final ArrayDeque<Future<B>> pending = new ArrayDeque<>();
    private int next;
    private int submitted;
    private boolean closed;
    private Thread owner;

    BatchIterator(int batches, int workers, int window, IntFunction<B> load) {
        this.batches = batches;
        this.window = window;
        this.load = load;
        if (workers > 0 && batches > 0) {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger threadIds = new AtomicInteger();
            pool = new ThreadPoolExecutor(workers, workers, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "jtorch-dataloader-" + id + "-worker-" + threadIds.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true); // an abandoned epoch's idle workers end on their own
            topUp();
        } else {
            pool = null;
        }
    }

    /** Batches this epoch yields in all. */
    public int batches() { return batches; }

    @Override
    public boolean hasNext() { return !closed && next < batches; }

    @Override
    public B next() {
        checkOwner();
        if (!hasNext()) throw new NoSuchElementException(closed && next < batches ? "the DataLoader iterator was closed" : "end of epoch");
        int batch = next++;
        if (pool == null) {
            B b = load.apply(batch);
            if (next == batches) closed = true;
            return b;
        }
        Future<B> f = pending.poll();
        try {
            B b = f.get();
            topUp();
            if (next == batches) close();
            return b;
        } catch (ExecutionException e) {
            close();
            throw new DataLoaderException(batch, e.getCause());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for DataLoader batch " + batch, e);
        } catch (CancellationException e) {
            close();
            throw new IllegalStateException("DataLoader batch " + batch + " was cancelled", e);
        }
    }

    private void topUp() {
        while (submitted < batches && pending.size() < window) {
            int batch = submitted++;
            pending.add(pool.submit(() -> load.apply(batch)));
        }
    }

    private void checkOwner() {
        Thread me = Thread.currentThread();
        if (owner == null) owner = me;
        else if (owner != me) {
            throw new IllegalStateException("a DataLoader iterator is used from one thread; it belongs to " + owner.getName());
        }
    }

    /** Stops the epoch: queued batches are cancelled, running ones interrupted, the threads end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (pool != null) {
            for (Future<B> f : pending) f.cancel(true);
            pending.clear();
            pool.shutdownNow();
        }
    }

    /** True once the background threads have all ended (always true without workers); for tests and shutdown hooks. */
    public boolean awaitWorkers(long timeout, TimeUnit unit) throws InterruptedException {
        return pool == null || pool.awaitTermination(timeout, unit);
    }
}
