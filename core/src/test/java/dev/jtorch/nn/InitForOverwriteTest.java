package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A build under Init.forOverwrite plus a strict load is indistinguishable from a full build plus the load. */
class InitForOverwriteTest {

    static Module net() {
        Conv2d conv = new Conv2d(3, 5, 3);
        Linear fc = new Linear(5 * 4 * 4, 3);
        Init.normal_(fc.parameter("bias"), 0, 1); // odd-sized: its draws include the unused half of a pair
        Init.xavierUniform_(conv.parameter("weight"));
        Init.ones_(conv.parameter("bias"));
        return new Sequential(conv, new BatchNorm2d(5), new ReLU(), new Flatten(), fc);
    }

    @Test
    void initialisersWriteNothingButMoveTheGeneratorAsFar() {
        Supplier<Module> build = InitForOverwriteTest::net;
        Torch.manualSeed(11);
        Module full = build.get();
        float[] drawnAfterFull = Torch.rand(8).toFloatArray();

        Torch.manualSeed(11);
        Module skipped = Init.forOverwrite(build);
        float[] drawnAfterSkipped = Torch.rand(8).toFloatArray();
        assertArrayEquals(drawnAfterFull, drawnAfterSkipped);
        for (float v : skipped.stateDict().get("0.weight").toFloatArray()) assertEquals(0f, v);
        for (float v : skipped.stateDict().get("0.bias").toFloatArray()) assertEquals(0f, v);

        skipped.loadStateDict(full.stateDict(), true);
        for (Map.Entry<String, Tensor> e : full.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), skipped.stateDict().get(e.getKey()).toDoubleArray(), e.getKey());
        }
    }

    @Test
    void theScopeEndsWithTheBuild() {
        Init.forOverwrite(InitForOverwriteTest::net);
        Tensor t = Torch.zeros(4);
        Init.constant_(t, 2);
        for (float v : t.toFloatArray()) assertEquals(2f, v);
        assertTrue(new Linear(4, 4).parameter("weight").abs().sum().item() > 0);
    }
}
