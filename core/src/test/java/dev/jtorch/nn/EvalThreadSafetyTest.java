package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Module's documented promise: an eval-mode module may run forward from several threads at once. */
class EvalThreadSafetyTest {

    @Test
    void evalForwardFromManyThreadsMatchesSingleThreaded() throws Exception {
        Torch.manualSeed(7);
        Sequential model = new Sequential(
                new Conv2d(3, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(true), new MaxPool2d(2),
                new Flatten(), new Dropout(0.5), new Linear(8 * 8 * 8, 5));
        model.eval();
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < 8; i++) {
                Tensor x = Torch.randn(2, 3, 16, 16);
                inputs.add(x);
                expected.add(model.forward(x).toFloatArray());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                for (Tensor x : inputs) {
                    results.add(pool.submit(() -> {
                        try (var g = Torch.noGrad()) {
                            return model.forward(x).toFloatArray();
                        }
                    }));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(expected.get(i % inputs.size()), results.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdown();
        }
    }
}
