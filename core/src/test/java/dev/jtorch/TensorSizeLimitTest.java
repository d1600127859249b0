package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.backend.Layout;
import org.junit.jupiter.api.Test;

/**
 * A tensor with more elements than a Java array holds is refused when it is created, with the
 * shape and the count in the message: never an int overflow, a negative size or an
 * OutOfMemoryError from a wrapped-around length.
 */
class TensorSizeLimitTest {
    @Test
    void tooManyElementsIsAClearErrorAtCreation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torch.zeros(50_000, 50_000));
        assertTrue(e.getMessage().contains("[50000, 50000] would have 2500000000 elements, more than the 2147483639"),
                e.getMessage());
        // 2^16 * 2^16 wraps to exactly 0 in int arithmetic: the count must not.
        e = assertThrows(IllegalArgumentException.class, () -> Torch.ones(1 << 16, 1 << 16));
        assertTrue(e.getMessage().contains("4294967296 elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Torch.randn(1 << 20, 1 << 12));
        assertThrows(IllegalArgumentException.class, () -> Torch.zeros(8).reshape(-1, 1 << 16, 1 << 16));
    }

    @Test
    void emptyTensorsOfHugeDimensionsAreFine() {
        Tensor t = Torch.zeros(1 << 16, 1 << 16, 0);
        assertEquals(0, t.numel());
        assertArrayEquals(new int[]{1 << 16, 1 << 16, 0}, t.shape());
        assertEquals(Layout.MAX_NUMEL, Integer.MAX_VALUE - 8);
    }
}
