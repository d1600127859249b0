package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the parity fixtures cannot show: random layers, registration order, errors, defaults. */
class LayerBehaviourTest {

    @Test
    void batchNormRegistersPyTorchsKeysInOrder() {
        var bn = new BatchNorm2d(4);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertEquals(DType.INT64, bn.buffer("num_batches_tracked").dtype());
        assertEquals(0, bn.buffer("num_batches_tracked").dim());
        assertEquals(List.of(), List.copyOf(new BatchNorm1d(3, 1e-5, 0.1, false, false).stateDict().keySet()));
    }

    @Test
    void batchNormCountsBatchesAndAveragesCumulativelyWithoutMomentum() {
        var bn = new BatchNorm1d(1, 1e-5, null, false, true);
        bn.forward(Torch.tensor(new float[]{1, 3}, 2, 1));   // mean 2, unbiased var 2
        bn.forward(Torch.tensor(new float[]{5, 9}, 2, 1));   // mean 7, unbiased var 8
        assertEquals(2, bn.buffer("num_batches_tracked").itemLong());
        assertEquals(4.5, bn.buffer("running_mean").item(), 1e-6);  // (2 + 7) / 2
        assertEquals(5.0, bn.buffer("running_var").item(), 1e-6);   // (2 + 8) / 2
        bn.eval();
        bn.forward(Torch.tensor(new float[]{0, 0}, 2, 1));
        assertEquals(2, bn.buffer("num_batches_tracked").itemLong(), "eval does not count");
    }

    @Test
    void batchNormNeedsMoreThanOneValuePerChannelToTrain() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Torch.randn(1, 3)));
        assertEquals("Expected more than 1 value per channel when training, got input size torch.Size([1, 3])", e.getMessage());
        assertEquals("expected 4D input (got 3D input)",
                assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Torch.randn(2, 3, 4))).getMessage());
        new BatchNorm1d(3).eval().forward(Torch.randn(1, 3)); // eval uses running stats: one sample is fine
    }

    @Test
    void dropout2dZeroesWholeChannelsAndScalesTheRest() {
        Torch.manualSeed(7);
        Tensor x = Torch.ones(8, 16, 3, 3);
        double[] y = new Dropout2d(0.25).forward(x).toDoubleArray();
        int zeroed = 0;
        for (int ch = 0; ch < 8 * 16; ch++) {
            double first = y[ch * 9];
            for (int i = 1; i < 9; i++) assertEquals(first, y[ch * 9 + i], "channel " + ch + " is all kept or all dropped");
            assertTrue(first == 0 || Math.abs(first - 1 / 0.75) < 1e-6, "kept channels are scaled by 1/(1-p): " + first);
            if (first == 0) zeroed++;
        }
        assertTrue(zeroed > 10 && zeroed < 60, "about a quarter of 128 channels dropped, got " + zeroed);
        var d = new Dropout2d(0.25);
        d.eval();
        assertSame(x, d.forward(x));
    }

    @Test
    void convolutionSettingsAreCheckedAsPyTorchChecksThem() {
        assertEquals("padding='same' is not supported for strided convolutions",
                assertThrows(IllegalArgumentException.class, () -> Conv2d.builder(3, 3, 3).stride(2).padding("same").build())
                        .getMessage());
        assertEquals("in_channels must be divisible by groups",
                assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 1, 0, 1, 2, true)).getMessage());
        assertArrayEquals(new int[]{8, 2, 3, 3}, new Conv2d(4, 8, 3, 1, 1, 1, 2, true).parameter("weight").shape());
        assertArrayEquals(new int[]{4, 4, 3, 3}, ConvTranspose2d.builder(4, 8, 3).groups(2).build().parameter("weight").shape());
    }

    @Test
    void convolutionInitialisationStaysInsidePyTorchsBounds() {
        var conv = new Conv2d(4, 8, 3);
        double bound = 1 / Math.sqrt(4 * 9);
        for (double w : conv.parameter("weight").toDoubleArray()) assertTrue(Math.abs(w) <= bound);
        for (double b : conv.parameter("bias").toDoubleArray()) assertTrue(Math.abs(b) <= bound);
    }

    @Test
    void convTransposeOutputSizePicksTheOutputPadding() {
        var up = ConvTranspose2d.builder(2, 2, 3).stride(2).padding(1).build();
        Tensor x = Torch.randn(1, 2, 4, 4);
        assertArrayEquals(new int[]{1, 2, 7, 7}, up.forward(x).shape());
        assertArrayEquals(new int[]{1, 2, 8, 7}, up.forward(x, new int[]{8, 7}).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> up.forward(x, new int[]{9, 7}));
        assertEquals("requested an output size of [9, 7], but valid sizes range from [7, 7] to [8, 8] (for an input of "
                + "torch.Size([4, 4]))", e.getMessage());
    }

    @Test
    void embeddingStartsWithAZeroPaddingRow() {
        var emb = new Embedding(5, 3, -2);
        assertEquals(3, emb.paddingIdx);
        for (double v : emb.parameter("weight").get(3).toDoubleArray()) assertEquals(0, v);
        assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 3, 5));
        var frozen = Embedding.fromPretrained(Torch.eye(3));
        assertEquals(false, frozen.parameter("weight").requiresGrad());
        assertArrayEquals(new double[]{0, 1, 0}, frozen.forward(Torch.tensor(new long[]{1})).toDoubleArray());
    }

    @Test
    void reprsOfSettingsTheFixturesDoNotCover() {
        assertEquals("MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False)",
                MaxPool2d.builder(2, 2).build().toString());
        assertEquals("AdaptiveMaxPool2d(output_size=(None, 7))", new AdaptiveMaxPool2d(null, 7).toString());
        assertEquals("Upsample(scale_factor=(2.0, 3.0), mode=bilinear)",
                new Upsample(null, new double[]{2, 3}, "bilinear", false).toString());
        assertEquals("GELU(approximate='tanh')", new GELU("tanh").toString());
        assertEquals("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
                        + "  (1): BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
                        + "  (2): ReLU6(inplace=True)\n)",
                new Sequential(new Conv2d(3, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU6(true)).toString());
    }
}
