package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.TensorDataset;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Flatten;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.optim.Adam;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Long runs leak nothing: 1000 training steps of a small CNN keep the live heap (measured after
 * a full collection) flat from step 100 on, and 100 DataLoaders whose epochs start workers and
 * are closed, finished or abandoned leave no worker thread behind.
 */
class SoakTest {

    /** Live heap in bytes: the least of a few readings right after full collections. */
    private static long liveHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    @Test
    void trainingStepsDoNotGrowTheLiveHeap() throws Exception {
        Torch.manualSeed(0);
        Module model = new Sequential(new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(16 * 4 * 4, 10));
        var opt = Adam.builder(model.parameters()).lr(1e-3).build();
        var lossFn = new CrossEntropyLoss();
        Tensor x = Torch.randn(16, 1, 16, 16), y = Torch.randint(0, 10, 16);
        long[] samples = new long[10];
        double first = Double.NaN, last = Double.NaN;
        for (int step = 1; step <= 1000; step++) {
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            opt.step();
            if (step == 1) first = loss.item();
            if (step == 1000) last = loss.item();
            if (step % 100 == 0) samples[step / 100 - 1] = liveHeap();
        }
        assertTrue(last < first, "the model did not train: loss " + first + " -> " + last);
        long base = samples[0], end = samples[9];
        System.out.println("soak: live heap after GC every 100 steps (bytes): " + Arrays.toString(samples)
                + "; loss " + first + " -> " + last);
        // 5% of the live set after step 100, with 256 KB of slack for the collector's own bookkeeping.
        assertTrue(end <= base * 1.05 + (256 << 10), "live heap grew from " + base + " to " + end + " bytes over steps 100-1000: "
                + Arrays.toString(samples));
    }

    @Test
    void dataLoadersWithWorkersLeaveNoThreads() throws Exception {
        TensorDataset data = new TensorDataset(Torch.randn(64, 3), Torch.randint(0, 2, 64));
        for (int i = 0; i < 100; i++) {
            DataLoader<List<Tensor>, List<Tensor>> loader = DataLoader.builder(data, TensorDataset::collate)
                    .batchSize(8).shuffle(true).numWorkers(2).build();
            switch (i % 3) {
                case 0 -> { for (List<Tensor> b : loader) assertEquals(2, b.size()); } // an epoch run to its end
                case 1 -> { try (var it = loader.iterator()) { it.next(); } }           // closed after one batch
                default -> {                                                              // abandoned after one batch
                    Iterator<List<Tensor>> it = loader.iterator();
                    it.next();
                }
            }
        }
        // Closed and finished epochs stop their workers at once; abandoned ones once idle (1 s).
        long deadline = System.nanoTime() + 10_000_000_000L;
        long left;
        do {
            Thread.sleep(50);
            left = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("jtorch-dataloader-")).count();
        } while (left > 0 && System.nanoTime() < deadline);
        assertEquals(0, left, "DataLoader worker threads still alive 10 s after their epochs ended");
    }
}
