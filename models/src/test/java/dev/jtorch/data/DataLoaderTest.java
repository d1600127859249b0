package dev.jtorch.data;

import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DataLoader}: batching, drop_last, seeded shuffles, workers, prefetch bounds, failures, close. */
class DataLoaderTest {

    /** Sample i is (a [2] tensor {i, -i}, target i). */
    static Dataset<Sample> numbers(int n) {
        return new Dataset<>() {
            public int size() { return n; }
            public Sample get(int i) { return new Sample(Torch.tensor(new float[]{i, -i}), i); }
        };
    }

    static List<long[]> targets(Iterable<Batch> loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) out.add(b.targets().toLongArray());
        return out;
    }

    @Test
    void batchesInOrderWithAShortLastBatch() {
        var loader = DataLoader.builder(numbers(10), Batch::collate).batchSize(4).build();
        assertEquals(3, loader.size());
        List<Batch> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(3, batches.size());
        assertArrayEquals(new int[]{4, 2}, batches.get(0).inputs().shape());
        assertArrayEquals(new float[]{4, -4, 5, -5, 6, -6, 7, -7}, batches.get(1).inputs().toFloatArray());
        assertArrayEquals(new long[]{8, 9}, batches.get(2).targets().toLongArray());
        assertEquals(dev.jtorch.DType.INT64, batches.get(2).targets().dtype());
    }

    @Test
    void dropLastDropsTheShortBatch() {
        var loader = DataLoader.builder(numbers(10), Batch::collate).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.size());
        List<long[]> t = targets(loader);
        assertEquals(2, t.size());
        assertArrayEquals(new long[]{4, 5, 6, 7}, t.get(1));
        assertEquals(0, DataLoader.builder(numbers(3), Batch::collate).batchSize(4).dropLast(true).build().size());
        assertFalse(DataLoader.builder(numbers(3), Batch::collate).batchSize(4).dropLast(true).build().iterator().hasNext());
    }

    @Test
    void shuffleIsAPermutationReproducibleFromTheSeedAndNewEachEpoch() {
        var a = DataLoader.builder(numbers(50), Batch::collate).batchSize(7).shuffle(true).generator(new Generator(42)).build();
        var b = DataLoader.builder(numbers(50), Batch::collate).batchSize(7).shuffle(true).generator(new Generator(42)).build();
        long[] epoch1 = flat(targets(a)), epoch2 = flat(targets(a));
        assertArrayEquals(epoch1, flat(targets(b)), "same seed, same first epoch");
        assertArrayEquals(epoch2, flat(targets(b)), "same seed, same second epoch");
        assertFalse(Arrays.equals(epoch1, epoch2), "each epoch reshuffles");
        long[] sorted = epoch1.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
        var c = DataLoader.builder(numbers(50), Batch::collate).batchSize(7).shuffle(true).generator(new Generator(43)).build();
        assertFalse(Arrays.equals(epoch1, flat(targets(c))), "another seed, another order");
    }

    @Test
    void withoutAGeneratorTheShuffleFollowsTheGlobalSeed() {
        var loader = DataLoader.builder(numbers(30), Batch::collate).batchSize(30).shuffle(true).build();
        Torch.manualSeed(7);
        long[] first = flat(targets(loader));
        Torch.manualSeed(7);
        assertArrayEquals(first, flat(targets(loader)));
    }

    static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /** Samples that record a draw from the transform generator: shows the seeding per batch. */
    static Dataset<Sample> randomDraws(int n) {
        return new Dataset<>() {
            public int size() { return n; }
            public Sample get(int i) {
                double r = TransformGenerator.current().nextDouble();
                return new Sample(Torch.tensor(new float[]{(float) r}), i);
            }
        };
    }

    @Test
    void workersGiveTheSameBatchesAndRandomDrawsAsTheCallingThread() {
        for (int workers : new int[]{1, 3}) {
            var serial = DataLoader.builder(randomDraws(41), Batch::collate).batchSize(5).shuffle(true).generator(new Generator(3)).build();
            var parallel = DataLoader.builder(randomDraws(41), Batch::collate).batchSize(5).shuffle(true).generator(new Generator(3))
                    .numWorkers(workers).prefetchFactor(2).build();
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Batch> s = new ArrayList<>(), p = new ArrayList<>();
                serial.forEach(s::add);
                parallel.forEach(p::add);
                assertEquals(s.size(), p.size());
                for (int i = 0; i < s.size(); i++) {
                    assertArrayEquals(s.get(i).targets().toLongArray(), p.get(i).targets().toLongArray(), "batch " + i);
                    assertArrayEquals(s.get(i).inputs().toFloatArray(), p.get(i).inputs().toFloatArray(), "draws of batch " + i);
                }
            }
        }
    }

    @Test
    void prefetchRunsAheadByAtMostTheWindow() throws Exception {
        AtomicInteger loaded = new AtomicInteger();
        Dataset<Sample> counting = new Dataset<>() {
            public int size() { return 100; }
            public Sample get(int i) {
                loaded.incrementAndGet();
                return new Sample(Torch.zeros(1), i);
            }
        };
        int workers = 2, factor = 3, batch = 2;
        var loader = DataLoader.builder(counting, Batch::collate).batchSize(batch).numWorkers(workers).prefetchFactor(factor).build();
        try (BatchIterator<Batch> it = loader.iterator()) {
            it.next();
            Thread.sleep(200); // give the workers time to run as far ahead as they may
            int window = workers * factor;
            assertTrue(loaded.get() <= (window + 1) * batch, "loaded " + loaded.get() + " samples with one batch consumed");
            assertTrue(loaded.get() > batch, "the workers loaded ahead");
        }
    }

    @Test
    void aWorkerExceptionReachesTheCallerWithItsCauseAndStopsTheEpoch() throws Exception {
        Dataset<Sample> failing = new Dataset<>() {
            public int size() { return 20; }
            public Sample get(int i) {
                if (i == 13) throw new IllegalStateException("corrupt sample 13");
                return new Sample(Torch.zeros(1), i);
            }
        };
        var loader = DataLoader.builder(failing, Batch::collate).batchSize(4).numWorkers(2).build();
        BatchIterator<Batch> it = loader.iterator();
        it.next();
        it.next();
        it.next();
        DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
        assertEquals(3, e.batch());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getMessage().contains("corrupt sample 13"), e.getMessage());
        assertFalse(it.hasNext());
        assertTrue(it.awaitWorkers(5, TimeUnit.SECONDS), "workers stopped");
        // Without workers the dataset's own exception comes through, as in PyTorch.
        var serial = DataLoader.builder(failing, Batch::collate).batchSize(4).build();
        assertThrows(IllegalStateException.class, () -> { for (Batch b : serial) { /* consume */ } });
    }

    @Test
    void closeStopsTheWorkersAndTheIterator() throws Exception {
        var loader = DataLoader.builder(numbers(1000), Batch::collate).batchSize(1).numWorkers(2).build();
        BatchIterator<Batch> it = loader.iterator();
        it.next();
        it.close();
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
        assertTrue(it.awaitWorkers(5, TimeUnit.SECONDS), "workers stopped");
        it.close(); // idempotent
    }

    @Test
    void anEpochBelongsToOneThread() throws Exception {
        var loader = DataLoader.builder(numbers(10), Batch::collate).batchSize(2).numWorkers(1).build();
        try (BatchIterator<Batch> it = loader.iterator()) {
            it.next();
            Throwable[] seen = new Throwable[1];
            Thread other = new Thread(() -> {
                try { it.next(); } catch (Throwable t) { seen[0] = t; }
            });
            other.start();
            other.join();
            assertInstanceOf(IllegalStateException.class, seen[0]);
        }
    }

    @Test
    void collateNamesTheSampleOfAnotherShape() {
        Dataset<Sample> ragged = new Dataset<>() {
            public int size() { return 3; }
            public Sample get(int i) { return new Sample(Torch.zeros(i == 2 ? 3 : 2), i); }
        };
        var loader = DataLoader.builder(ragged, Batch::collate).batchSize(3).build();
        var e = assertThrows(IllegalArgumentException.class, () -> loader.iterator().next());
        assertTrue(e.getMessage().contains("at entry 2"), e.getMessage());
    }

    @Test
    void tensorDatasetSlicesAndCollatesByPosition() {
        Tensor x = Torch.arange(0, 12, 1).reshape(6, 2), y = Torch.arange(6);
        var ds = new TensorDataset(x, y);
        assertEquals(6, ds.size());
        assertArrayEquals(new long[]{4, 5}, ds.get(2).get(0).toLongArray());
        var loader = DataLoader.builder(ds, TensorDataset::collate).batchSize(4).build();
        var batches = new ArrayList<List<Tensor>>();
        loader.forEach(batches::add);
        assertArrayEquals(new int[]{4, 2}, batches.get(0).get(0).shape());
        assertArrayEquals(new long[]{4, 5}, batches.get(1).get(1).toLongArray());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, Torch.arange(5)));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(6));
    }

    @Test
    void randomSplitPartitionsTheDatasetReproducibly() {
        var ds = numbers(10);
        var parts = Subset.randomSplit(ds, new int[]{7, 3}, new Generator(1));
        assertEquals(7, parts.get(0).size());
        assertEquals(3, parts.get(1).size());
        boolean[] seen = new boolean[10];
        for (var p : parts) for (int i = 0; i < p.size(); i++) {
            int t = (int) p.get(i).target();
            assertFalse(seen[t]);
            seen[t] = true;
        }
        assertArrayEquals(parts.get(1).indices(), Subset.randomSplit(ds, new int[]{7, 3}, new Generator(1)).get(1).indices());
        var fractions = Subset.randomSplit(numbers(11), new double[]{0.5, 0.5}, new Generator(1));
        assertEquals(6, fractions.get(0).size()); // the remainder goes to the first piece, as in PyTorch
        assertEquals(5, fractions.get(1).size());
        assertThrows(IllegalArgumentException.class, () -> Subset.randomSplit(ds, new int[]{5, 4}, new Generator(1)));
        assertEquals(3, Subset.first(ds, 3).size());
        assertNotEquals(0, Subset.randomSplit(ds, new int[]{10}, new Generator(1)).get(0).indices()[0] + 1);
    }
}
