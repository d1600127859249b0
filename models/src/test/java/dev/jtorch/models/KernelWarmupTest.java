package dev.jtorch.models;

import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The JIT warm-up runs beside user code, so it must leave the global generator alone. */
class KernelWarmupTest {

    @Test
    void leavesTheGlobalGeneratorAloneAndRunsOncePerJvm() throws InterruptedException {
        Torch.manualSeed(5);
        float[] expected = Torch.rand(16).toFloatArray();

        Torch.manualSeed(5);
        Thread warmup = KernelWarmup.start();
        if (warmup != null) warmup.join(); // null: another test in this JVM started it already
        assertArrayEquals(expected, Torch.rand(16).toFloatArray());
        assertNull(KernelWarmup.start(), "a second start in the same JVM does nothing");
    }
}
