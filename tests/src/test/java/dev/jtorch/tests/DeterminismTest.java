package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Training is bitwise reproducible, as PyTorch's CPU kernels are: two runs from the same seed on
 * the same inputs give the same losses and the same final state, whatever the timing of the
 * intra-op threads and whatever their number. ResNet-18 on a batch of two is the sensitive case:
 * batch-2 BatchNorm amplifies a one-ulp difference in any reduction (convolution weight and bias
 * gradients, batch statistics) to a visibly different loss within a few steps.
 */
class DeterminismTest {
    private static final int STEPS = 6;

    /** The losses of every step, then the final state dict, as raw float bits. */
    private record Run(float[] losses, Map<String, float[]> state) {}

    private static Run train(int threads) {
        int before = Torch.getNumThreads();
        Torch.setNumThreads(threads);
        try {
            Torch.manualSeed(1234);
            Module net = Models.resnet18(10);
            net.train();
            Tensor x = Torch.randn(2, 3, 64, 64);
            Tensor y = Torch.randint(0, 10, 2);
            SGD opt = SGD.builder(net.parameters()).lr(0.05).momentum(0.9).build();
            CrossEntropyLoss lossFn = new CrossEntropyLoss();
            float[] losses = new float[STEPS];
            for (int step = 0; step < STEPS; step++) {
                opt.zeroGrad();
                Tensor loss = lossFn.forward(net.forward(x), y);
                loss.backward();
                opt.step();
                losses[step] = (float) loss.item();
            }
            Map<String, float[]> state = new LinkedHashMap<>();
            net.stateDict().forEach((k, v) -> state.put(k, v.toFloatArray()));
            return new Run(losses, state);
        } finally {
            Torch.setNumThreads(before);
        }
    }

    private static void assertBitwiseEqual(Run a, Run b) {
        assertArrayEquals(a.losses(), b.losses(), "losses");
        assertEquals(a.state().keySet(), b.state().keySet());
        List<String> differing = new ArrayList<>();
        a.state().forEach((k, v) -> {
            float[] w = b.state().get(k);
            for (int i = 0; i < v.length; i++) {
                if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(w[i])) {
                    differing.add(k + "[" + i + "]: " + v[i] + " vs " + w[i]);
                    return;
                }
            }
        });
        assertEquals(List.of(), differing, "state dict entries that differ");
    }

    @Test
    void twoRunsFromTheSameSeedAreBitwiseIdentical() {
        int threads = Math.max(2, Torch.getNumThreads());
        assertBitwiseEqual(train(threads), train(threads));
    }

    @Test
    void theResultDoesNotDependOnTheThreadCount() {
        assertBitwiseEqual(train(1), train(2));
    }
}
