package dev.jtorch.models;

import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The JIT warm-up runs beside user code, so it must leave the global generator alone. */
class KernelWarmupTest {

    @Test
    void leavesTheGlobalGeneratorAlone() {
        Torch.manualSeed(5);
        float[] expected = Torch.rand(16).toFloatArray();

        Torch.manualSeed(5);
        KernelWarmup.warm(2, () -> false);
        assertArrayEquals(expected, Torch.rand(16).toFloatArray());
    }

    @Test
    void runsOncePerJvm() {
        KernelWarmup.start(); // may have been started by an earlier test already
        assertNull(KernelWarmup.start());
        KernelWarmup.stop();
    }
}
