package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints from before num_batches_tracked existed load strictly, as PyTorch's BatchNorm allows. */
class OptionalStateKeysTest {

    @Test
    void batchNormWithoutNumBatchesTrackedLoadsStrictly() {
        Sequential model = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4));
        Map<String, Tensor> old = new LinkedHashMap<>(model.stateDict());
        old.remove("1.num_batches_tracked");
        old.put("1.running_mean", Torch.full(0.5, 4));
        LoadReport report = model.loadStateDict(old, true);
        assertTrue(report.isClean(), report.toString());
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.5f, 0.5f}, model.stateDict().get("1.running_mean").toFloatArray());
        assertEquals(0, model.stateDict().get("1.num_batches_tracked").itemLong());
    }

    @Test
    void otherMissingKeysAreStillReported() {
        Sequential model = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4));
        Map<String, Tensor> old = new LinkedHashMap<>(model.stateDict());
        old.remove("1.running_var");
        StateDictException e = assertThrows(StateDictException.class, () -> model.loadStateDict(old, true));
        assertEquals(java.util.List.of("1.running_var"), e.report().missingKeys());
    }
}
