package dev.jtorch.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's one intra-op thread pool (PyTorch's {@code torch.set_num_threads} pool).
 *
 * <p>Kernels split a loop with {@link #forRange}; the calling thread and {@code numThreads() - 1}
 * daemon workers ({@code jtorch-intraop-N}) claim its chunks from a shared counter. The caller
 * always runs at least one chunk, and any chunk no worker has claimed yet, so a worker that is
 * slow to wake delays nothing.
 *
 * <p>Why not a ForkJoinPool or an executor: handing a task to a blocking pool cost 0.1–0.4 ms
 * per call on this machine, as much as a whole mid-sized GEMM. Here a worker that just finished
 * a job spins for about 100 µs watching for the next one before it parks, so the
 * back-to-back kernel calls of a forward pass reach running threads in about a microsecond.
 *
 * <p>Nesting and concurrency: a {@code forRange} issued while the pool is busy, whether from
 * inside a chunk or from another user thread, runs inline on its caller. Nothing ever waits
 * for the pool, so nested calls cannot deadlock and concurrent callers cannot convoy.
 */
public final class Parallel {

    /** How long an idle thread spins before parking: longer than the gap between two kernels. */
    private static final long SPIN_NANOS = 100_000;

    private static volatile int numThreads = Runtime.getRuntime().availableProcessors();

    /** Held by the one caller whose job owns the workers; others run inline. */
    private static final AtomicBoolean busy = new AtomicBoolean();

    /** The current workers; replaced (under {@code busy}) when numThreads changes. */
    private static Worker[] workers = new Worker[0];

    /** The job being run, or the last one run; workers compare it with the last one they saw. */
    private static volatile Job current;

    private Parallel() {}

    /** One chunk of a parallel loop: the items [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int lo, int hi);
    }

    /** Threads an intra-op loop uses, the caller included; defaults to the available processors. */
    public static int numThreads() {
        return numThreads;
    }

    /** Sets the threads intra-op loops use (the caller included); takes effect at the next call. */
    public static void setNumThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("numThreads must be >= 1, got " + n);
        }
        numThreads = n;
    }

    /**
     * Runs body over [begin, end) split into at most numThreads() chunks of at least `grain`
     * items; runs inline when the range is small or when called from inside a pool worker (no
     * nested parallelism, no deadlock). Exceptions in a chunk are rethrown to the caller.
     */
    public static void forRange(int begin, int end, int grain, RangeBody body) {
        int items = end - begin;
        if (items <= 0) {
            return;
        }
        int threads = numThreads;
        int chunks = Math.min(threads, items / Math.max(grain, 1));
        if (chunks <= 1 || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
            body.run(begin, end);
            return;
        }
        try {
            ensureWorkers(threads - 1);
            Job job = new Job(begin, items, chunks, body, Thread.currentThread());
            current = job;
            for (Worker w : workers) {
                w.wake();
            }
            job.runChunks();
            job.awaitDone();
            job.rethrowFailure();
        } finally {
            current = null; // drop the body (and the arrays it captures) once the job is done
            busy.set(false);
        }
    }

    /** Grows or shrinks the pool to {@code count} workers; called only by the busy owner. */
    private static void ensureWorkers(int count) {
        if (workers.length == count) {
            return;
        }
        for (Worker w : workers) {
            w.retire();
        }
        Worker[] fresh = new Worker[count];
        for (int i = 0; i < count; i++) {
            fresh[i] = new Worker(i + 1);
            fresh[i].start();
        }
        workers = fresh;
    }

    /** One forRange call: chunks are claimed through a counter, by the caller and the workers. */
    private static final class Job {
        private final int begin;
        private final int items;
        private final int chunks;
        private final RangeBody body;
        private final Thread caller;
        private final AtomicInteger nextChunk = new AtomicInteger();
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int begin, int items, int chunks, RangeBody body, Thread caller) {
            this.begin = begin;
            this.items = items;
            this.chunks = chunks;
            this.body = body;
            this.caller = caller;
            this.unfinished = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left; a late worker simply finds none. */
        void runChunks() {
            for (int c; (c = nextChunk.getAndIncrement()) < chunks; ) {
                try {
                    // Balanced split: chunk sizes differ by at most one item.
                    int lo = begin + (int) ((long) items * c / chunks);
                    int hi = begin + (int) ((long) items * (c + 1) / chunks);
                    body.run(lo, hi);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (unfinished.decrementAndGet() == 0 && Thread.currentThread() != caller) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** The caller spins briefly (chunks are usually equal), then parks until the last chunk. */
        void awaitDone() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (unfinished.get() > 0) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void rethrowFailure() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new RuntimeException(t);
            }
        }
    }

    private static final class Worker extends Thread {
        private volatile boolean parked;
        private volatile boolean retired;
        private Job seen;

        Worker(int index) {
            super("jtorch-intraop-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!retired) {
                Job job = awaitNextJob();
                if (job != null) {
                    job.runChunks();
                }
            }
        }

        /** Spins, then parks, until a job newer than the last one seen appears (or retirement). */
        private Job awaitNextJob() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!retired) {
                Job job = current;
                if (job != seen) {
                    seen = job;
                    return job;
                }
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    // Announce the park before re-checking: a submitter that publishes a job
                    // after our check is then sure to see `parked` and unpark us.
                    parked = true;
                    if (current == seen && !retired) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
            return null;
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        void retire() {
            retired = true;
            LockSupport.unpark(this);
        }
    }
}
