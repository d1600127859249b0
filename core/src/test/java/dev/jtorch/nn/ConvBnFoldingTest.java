package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conv2d + BatchNorm2d (+ ReLU) folding: in eval mode without gradients the folded convolution
 * gives the modules' own results, it follows every change of the tensors it was folded from, and
 * everything else (training, recording gradients, a replaced activation) runs the modules as written.
 */
class ConvBnFoldingTest {

    private Conv2d conv;
    private BatchNorm2d bn;
    private Sequential seq;

    @BeforeEach
    void setUp() {
        Torch.manualSeed(3);
        conv = new Conv2d(3, 8, 3, 1, 1, true);
        bn = new BatchNorm2d(8);
        try (var g = Torch.noGrad()) {
            bn.parameter("weight").copy_(Torch.randn(8));
            bn.parameter("bias").copy_(Torch.randn(8));
            bn.buffer("running_mean").copy_(Torch.randn(8));
            bn.buffer("running_var").copy_(Torch.rand(8).add(0.5));
        }
        seq = new Sequential(conv, bn, new ReLU(true));
        seq.eval();
    }

    /** The modules one at a time: what the folded form must reproduce. */
    private Tensor unfolded(Tensor x) {
        try (var g = Torch.noGrad()) {
            return F.relu(bn.forward(conv.forward(x)), false);
        }
    }

    private static void close(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * (1 + Math.abs(e[i])), "element " + i);
    }

    @Test
    void evalWithoutGradientsMatchesTheModules() {
        Tensor x = Torch.randn(2, 3, 17, 19);
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = seq.forward(x);
        }
        close(unfolded(x), out);
        assertTrue(conv.hasFoldedBatchNorm(), "the block ran folded");
    }

    @Test
    void followsInPlaceChangesAndLoadedStateDicts() {
        Tensor x = Torch.randn(1, 3, 16, 16);
        try (var g = Torch.noGrad()) {
            seq.forward(x);
            bn.buffer("running_mean").add_(0.75);
            close(unfolded(x), seq.forward(x));
            conv.parameter("weight").mul_(-2);
            close(unfolded(x), seq.forward(x));
            Map<String, Tensor> state = new LinkedHashMap<>(seq.stateDict());
            state.put("1.running_var", Torch.rand(8).add(2));
            state.put("1.weight", Torch.randn(8));
            seq.loadStateDict(state);
            close(unfolded(x), seq.forward(x));
        }
    }

    @Test
    void recordingGradientsRunsTheModules() {
        Tensor x = Torch.randn(1, 3, 8, 8);
        Tensor out = seq.forward(x); // grad mode on, parameters require grad
        assertNotNull(out.gradFn(), "the output must be differentiable");
        assertEquals("ReluBackward0", out.gradFn().name());
        close(unfolded(x), out.detach());
        assertFalse(conv.hasFoldedBatchNorm(), "a recording forward runs the modules");
    }

    @Test
    void trainingModeUpdatesTheRunningStatistics() {
        seq.train();
        Tensor before = bn.buffer("running_mean").clone();
        try (var g = Torch.noGrad()) {
            seq.forward(Torch.randn(4, 3, 8, 8));
        }
        assertEquals(1.0, bn.buffer("num_batches_tracked").item());
        float[] b = before.toFloatArray(), a = bn.buffer("running_mean").toFloatArray();
        boolean moved = false;
        for (int i = 0; i < b.length; i++) moved |= b[i] != a[i];
        assertTrue(moved, "a training-mode forward must move running_mean");
        assertFalse(conv.hasFoldedBatchNorm(), "a training-mode forward runs the modules");
    }

    @Test
    void aReplacedActivationIsRespected() {
        Module block = new Module() {
            {
                addModule("conv", conv);
                addModule("bn", bn);
                addModule("act", new GELU("none"));
            }

            @Override
            public Tensor forward(Tensor x) { return ConvBnFolding.convBn(this, "conv", "bn", x, null, "act"); }
        };
        block.eval();
        Tensor x = Torch.randn(1, 3, 9, 9);
        try (var g = Torch.noGrad()) {
            close(F.gelu(bn.forward(conv.forward(x)), "none"), block.forward(x));
        }
    }

    @Test
    void residualIsAddedBeforeTheActivation() {
        Module block = new Module() {
            {
                addModule("conv", conv);
                addModule("bn", bn);
                addModule("relu", new ReLU(true));
            }

            @Override
            public Tensor forward(Tensor x) { return ConvBnFolding.convBn(this, "conv", "bn", x, x.narrow(1, 0, 1).expand(1, 8, 9, 9), "relu"); }
        };
        block.eval();
        Tensor x = Torch.randn(1, 3, 9, 9);
        try (var g = Torch.noGrad()) {
            Tensor expected = F.relu(bn.forward(conv.forward(x)).add(x.narrow(1, 0, 1)), false);
            close(expected, block.forward(x));
        }
    }

    @Test
    void aBatchNormWithoutRunningStatisticsIsNotFolded() {
        var noStats = new BatchNorm2d(8, 1e-5, 0.1, true, false);
        var s = new Sequential(conv, noStats);
        s.eval();
        Tensor x = Torch.randn(2, 3, 6, 6);
        try (var g = Torch.noGrad()) {
            close(noStats.forward(conv.forward(x)), s.forward(x)); // normalised by the batch, as PyTorch does
        }
        assertNull(noStats.buffer("running_mean"));
    }
}
