package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.UNet;
import dev.jtorch.models.UNet.DoubleConv;
import dev.jtorch.models.UNet.Down;
import dev.jtorch.models.UNet.OutConv;
import dev.jtorch.models.UNet.Up;
import org.junit.jupiter.api.Test;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertPrints;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Walkthrough 2: U-Net assembled from DoubleConv, Down, Up and OutConv, printed as PyTorch
 * prints it, and run on an image whose sides are not multiples of 16 (Up pads the upsampled map
 * to its skip connection).
 */
class Walkthrough02UNetTest {

    @Test
    void theBlocks() {
        Torch.manualSeed(0);
        Tensor x = Torch.randn(1, 3, 37, 45);
        Tensor x1 = new DoubleConv(3, 8).forward(x);                 // same size, 8 channels
        Tensor x2 = new Down(8, 16).forward(x1);                     // half size (floor)
        assertEquals("torch.Size([1, 16, 18, 22])", size(x2));
        Tensor y = new Up(16, 8, false).forward(x2, x1);             // back to 37x45: padded by one row and column
        assertEquals("torch.Size([1, 8, 37, 45])", size(y));
        Tensor logits = new OutConv(8, 2).forward(y);
        assertEquals("torch.Size([1, 2, 37, 45])", size(logits));
    }

    @Test
    void bilinearUNet() {
        var unet = new UNet(3, 2, true);
        unet.eval();
        assertPrints("wt2_unet_bilinear", unet);
        assertEquals(expected("wt2_unet_bilinear_keys"), Integer.toString(unet.stateDict().size()));
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = unet.forward(Torch.randn(1, 3, 37, 45));
        }
        assertEquals(expected("wt2_unet_bilinear_out_shape"), size(out));
    }

    @Test
    void transposedConvolutionUNet() {
        var unet = new UNet(3, 2, false);
        unet.eval();
        assertPrints("wt2_unet_transposed", unet);
        assertEquals(expected("wt2_unet_transposed_keys"), Integer.toString(unet.stateDict().size()));
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = unet.forward(Torch.randn(1, 3, 37, 45));
        }
        assertEquals(expected("wt2_unet_transposed_out_shape"), size(out));
    }
}
