package dev.jtorch.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vectorised float32 max pooling ({@code PoolKernels.maxPlaneVector}) against the definition,
 * on planes wide enough for whole vector blocks, with many ties (0, -0.0), NaN and -inf: values
 * and indices (first maximum in row-major order, a NaN taking over) must match exactly.
 */
class PoolVectorTest {

    private static final float[] VALUES = {0f, -0f, 1f, 1f, 2f, -1f, Float.NaN, Float.NEGATIVE_INFINITY, 0.5f, 0f};

    @Test
    void vectorMaxPoolMatchesTheDefinition() {
        Random rnd = new Random(5);
        int[][] cases = { // h, w, kH, kW, sH, sW, pH, pW, dH, dW
            {56, 56, 3, 3, 2, 2, 1, 1, 1, 1}, {40, 70, 3, 3, 1, 1, 1, 1, 1, 1}, {37, 81, 2, 2, 2, 2, 0, 0, 1, 1},
            {33, 90, 3, 2, 2, 1, 1, 0, 1, 1}, {30, 75, 3, 3, 1, 1, 1, 1, 2, 2}, {20, 100, 2, 3, 1, 3, 1, 1, 1, 1},
        };
        for (int[] c : cases) {
            for (boolean withIndices : new boolean[]{true, false}) {
                int n = 2, ch = 3, h = c[0], w = c[1];
                int outH = (h + 2 * c[6] - c[8] * (c[2] - 1) - 1) / c[4] + 1;
                int outW = (w + 2 * c[7] - c[9] * (c[3] - 1) - 1) / c[5] + 1;
                PoolWindows win = PoolWindows.max(h, w, outH, outW, new int[]{c[2], c[3]}, new int[]{c[4], c[5]},
                        new int[]{c[6], c[7]}, new int[]{c[8], c[9]});
                CpuStorage x = CpuStorage.allocate(DType.FLOAT32, n * ch * h * w);
                for (int i = 0; i < x.floats().length; i++) {
                    x.floats()[i] = rnd.nextInt(4) == 0 ? VALUES[rnd.nextInt(VALUES.length)] : (float) rnd.nextGaussian();
                }
                CpuStorage y = CpuStorage.allocate(DType.FLOAT32, n * ch * outH * outW);
                CpuStorage idx = withIndices ? CpuStorage.allocate(DType.INT64, n * ch * outH * outW) : null;
                PoolKernels.max(x, Layout.contiguous(n, ch, h, w), y, idx, Layout.contiguous(n, ch, outH, outW), win);
                for (int p = 0, o = 0; p < n * ch; p++) {
                    for (int oh = 0; oh < outH; oh++) {
                        for (int ow = 0; ow < outW; ow++, o++) {
                            float best = Float.NEGATIVE_INFINITY;
                            int at = win.hStart()[oh] * w + win.wStart()[ow];
                            for (int ih = win.hStart()[oh]; ih < win.hEnd()[oh]; ih += win.hStep()) {
                                for (int iw = win.wStart()[ow]; iw < win.wEnd()[ow]; iw += win.wStep()) {
                                    float v = x.floats()[p * h * w + ih * w + iw];
                                    if (!withIndices) {
                                        best = Math.max(best, v);
                                    } else if (v > best || Float.isNaN(v)) {
                                        best = v;
                                        at = ih * w + iw;
                                    }
                                }
                            }
                            String where = java.util.Arrays.toString(c) + " indices=" + withIndices + " at " + o;
                            assertEquals(0, Float.compare(best, y.floats()[o]), where + ": " + best + " vs " + y.floats()[o]);
                            if (withIndices) assertEquals(at, idx.longs()[o], where);
                        }
                    }
                }
            }
        }
    }
}
