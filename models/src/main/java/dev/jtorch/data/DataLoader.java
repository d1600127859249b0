package dev.jtorch.data;

import dev.jtorch.Generator;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code torch.utils.data.DataLoader} for map-style datasets: batches of {@code batchSize}
 * samples, in order or shuffled by a seedable {@link Generator}, the last short batch kept or
 * dropped, collated by a function ({@link Batch#collate} for labelled samples,
 * {@link TensorDataset#collate} for tuples of tensors) and, with workers, loaded ahead of time
 * on background threads.
 *
 * {@snippet :
 * var loader = DataLoader.builder(trainSet, Batch::collate)
 *         .batchSize(64).shuffle(true).generator(new Generator(0)).dropLast(true)
 *         .numWorkers(2)
 *         .build();
 * for (int epoch = 0; epoch < 3; epoch++) {
 *     for (Batch b : loader) {           // a new shuffle each epoch
 *         Tensor loss = criterion.forward(model.forward(b.inputs()), b.targets());
 *     }
 * }
 * }
 *
 * <h2>Epochs and randomness</h2>
 * Each call to {@link #iterator()} is one epoch. With {@code shuffle}, it draws a permutation from
 * the loader's generator (or, when none was given, from a generator seeded by the global one, as
 * PyTorch does), so a loader built with {@code new Generator(seed)} yields the same sequence of
 * epochs in every run. Each epoch also draws a base seed from which every batch gets a
 * {@link TransformGenerator} of its own: random transforms give the same result with any number
 * of workers.
 *
 * <h2>Workers</h2>
 * {@code numWorkers(0)} (the default) loads each batch on the calling thread when it is asked for.
 * With {@code n > 0} workers, up to {@code n * prefetchFactor} batches are loaded ahead on daemon
 * threads (a bounded window: memory stays bounded however slow the consumer); batches still come
 * out in order. An exception in a worker is rethrown by {@code next()} as a
 * {@link DataLoaderException} whose cause is the original, and the epoch stops. The dataset's
 * {@code get} must then be safe to call from several threads.
 *
 * <p>Thread safety: the loader may be shared, but one epoch's {@link BatchIterator} belongs to
 * the thread that first calls {@code next()} on it. The workers stop when the epoch is consumed,
 * when a worker fails, or on {@link BatchIterator#close()}; a loop that may break early should
 * close its iterator (try-with-resources), though abandoned idle workers also end on their own.
 *
 * @param <T> the sample type
 * @param <B> the batch type
 */
public final class DataLoader<T, B> implements Iterable<B> {
    private final Dataset<T> dataset;
    private final Function<List<T>, B> collate;
    private final int batchSize;
    private final boolean shuffle;
    private final Generator generator;
    private final boolean dropLast;
    private final int numWorkers;
    private final int prefetchFactor;

    private DataLoader(Builder<T, B> b) {
        this.dataset = b.dataset;
        this.collate = b.collate;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.generator = b.generator;
        this.dropLast = b.dropLast;
        this.numWorkers = b.numWorkers;
        this.prefetchFactor = b.prefetchFactor;
    }

    /** A builder over {@code dataset}, collating each batch's samples with {@code collate}. */
    public static <T, B> Builder<T, B> builder(Dataset<T> dataset, Function<List<T>, B> collate) {
        return new Builder<>(dataset, collate);
    }

    public Dataset<T> dataset() { return dataset; }
    public int batchSize() { return batchSize; }
    public boolean dropLast() { return dropLast; }
    public int numWorkers() { return numWorkers; }

    /** The number of batches in an epoch ({@code len(loader)}). */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** One epoch: a fresh order (when shuffling) and, with workers, its own background threads. */
    @Override
    public BatchIterator<B> iterator() {
        int n = dataset.size();
        int[] order;
        // One generator draw per epoch for the order and one for the transforms' base seed.
        Generator g = generator != null ? generator : new Generator(Torch.defaultGenerator().nextLong(Long.MIN_VALUE, Long.MAX_VALUE));
        if (shuffle) {
            order = Subset.randperm(n, g);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        long baseSeed = g.nextLong(Long.MIN_VALUE, Long.MAX_VALUE);
        return new BatchIterator<>(size(), numWorkers, numWorkers * prefetchFactor,
                batch -> loadBatch(order, batch, baseSeed));
    }

    private B loadBatch(int[] order, int batch, long baseSeed) {
        int from = batch * batchSize, to = Math.min(order.length, from + batchSize);
        Generator g = new Generator(TransformGenerator.batchSeed(baseSeed, batch));
        return TransformGenerator.with(g, () -> {
            List<T> samples = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) samples.add(dataset.get(order[i]));
            return collate.apply(samples);
        });
    }

    @Override
    public String toString() {
        return "DataLoader(dataset of " + dataset.size() + ", batch_size=" + batchSize + ", shuffle=" + shuffle
                + ", drop_last=" + dropLast + ", num_workers=" + numWorkers + ")";
    }

    /** Settings of a {@link DataLoader}, with PyTorch's defaults. */
    public static final class Builder<T, B> {
        private final Dataset<T> dataset;
        private final Function<List<T>, B> collate;
        private int batchSize = 1;
        private boolean shuffle;
        private Generator generator;
        private boolean dropLast;
        private int numWorkers;
        private int prefetchFactor = 2;

        private Builder(Dataset<T> dataset, Function<List<T>, B> collate) {
            if (dataset == null || collate == null) throw new NullPointerException("dataset and collate are required");
            this.dataset = dataset;
            this.collate = collate;
        }

        /** Samples per batch (default 1). */
        public Builder<T, B> batchSize(int v) {
            if (v < 1) throw new IllegalArgumentException("batch_size should be a positive integer value, but got batch_size=" + v);
            batchSize = v;
            return this;
        }

        /** Reshuffle at every epoch (default false). */
        public Builder<T, B> shuffle(boolean v) { shuffle = v; return this; }

        /** The generator for the shuffle order and the transforms' seeds (default: seeded from the global one each epoch). */
        public Builder<T, B> generator(Generator g) { generator = g; return this; }

        /** Drop the last batch when it is short (default false). */
        public Builder<T, B> dropLast(boolean v) { dropLast = v; return this; }

        /** Background loading threads; 0 (the default) loads on the calling thread. */
        public Builder<T, B> numWorkers(int v) {
            if (v < 0) throw new IllegalArgumentException("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
            numWorkers = v;
            return this;
        }

        /** Batches loaded ahead per worker (default 2); only with workers. */
        public Builder<T, B> prefetchFactor(int v) {
            if (v < 1) throw new IllegalArgumentException("prefetch_factor must be positive, got " + v);
            prefetchFactor = v;
            return this;
        }

        public DataLoader<T, B> build() { return new DataLoader<>(this); }
    }
}
