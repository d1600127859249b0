package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.ConvTranspose2d;
import dev.jtorch.nn.F;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Upsample;

import java.util.List;

/**
 * The U-Net of the PyTorch tutorials (Ronneberger et al.), built from {@link DoubleConv},
 * {@link Down}, {@link Up} and {@link OutConv} with the tutorial's attribute names, so that a
 * state dict saved from the Python definition loads strictly.
 *
 * <p>Height and width need not be multiples of 16: each {@link Up} pads the upsampled map to its
 * skip connection's size before concatenating.
 *
 * {@snippet :
 * var net = new UNet(3, 2, true);                       // UNet(n_channels=3, n_classes=2, bilinear=True)
 * Tensor logits = net.eval().forward(Torch.randn(1, 3, 75, 93));   // [1, 2, 75, 93]
 * }
 */
public class UNet extends Module {
    public final int nChannels, nClasses;
    public final boolean bilinear;

    public UNet(int nChannels, int nClasses, boolean bilinear) {
        this.nChannels = nChannels;
        this.nClasses = nClasses;
        this.bilinear = bilinear;
        int factor = bilinear ? 2 : 1;
        addModule("inc", new DoubleConv(nChannels, 64));
        addModule("down1", new Down(64, 128));
        addModule("down2", new Down(128, 256));
        addModule("down3", new Down(256, 512));
        addModule("down4", new Down(512, 1024 / factor));
        addModule("up1", new Up(1024, 512 / factor, bilinear));
        addModule("up2", new Up(512, 256 / factor, bilinear));
        addModule("up3", new Up(256, 128 / factor, bilinear));
        addModule("up4", new Up(128, 64, bilinear));
        addModule("outc", new OutConv(64, nClasses));
    }

    /** The tutorial's default: bilinear upsampling. */
    public UNet(int nChannels, int nClasses) { this(nChannels, nClasses, true); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor x1 = call("inc", x);
        Tensor x2 = call("down1", x1);
        Tensor x3 = call("down2", x2);
        Tensor x4 = call("down3", x3);
        Tensor x5 = call("down4", x4);
        Tensor y = up("up1", x5, x4);
        y = up("up2", y, x3);
        y = up("up3", y, x2);
        y = up("up4", y, x1);
        return call("outc", y);
    }

    private Tensor up(String name, Tensor x1, Tensor x2) {
        if (!(child(name) instanceof Up block)) {
            throw new IllegalStateException(name + " must be an Up block (it takes the skip connection), got " + child(name).typeName());
        }
        return block.forward(x1, x2);
    }

    /** (convolution => [BN] => ReLU) * 2, held as {@code double_conv}. */
    public static class DoubleConv extends Module {
        public DoubleConv(int inChannels, int outChannels, int midChannels) {
            int mid = midChannels <= 0 ? outChannels : midChannels;
            addModule("double_conv", new Sequential(
                    new Conv2d(inChannels, mid, 3, 1, 1, false),
                    new BatchNorm2d(mid),
                    new ReLU(true),
                    new Conv2d(mid, outChannels, 3, 1, 1, false),
                    new BatchNorm2d(outChannels),
                    new ReLU(true)));
        }

        /** {@code mid_channels=None}: the middle width is the output width. */
        public DoubleConv(int inChannels, int outChannels) { this(inChannels, outChannels, 0); }

        @Override
        public Tensor forward(Tensor x) { return call("double_conv", x); }
    }

    /** Downscaling: max-pool by 2, then a {@link DoubleConv}, held as {@code maxpool_conv}. */
    public static class Down extends Module {
        public Down(int inChannels, int outChannels) {
            addModule("maxpool_conv", new Sequential(new MaxPool2d(2), new DoubleConv(inChannels, outChannels)));
        }

        @Override
        public Tensor forward(Tensor x) { return call("maxpool_conv", x); }
    }

    /**
     * Upscaling then a {@link DoubleConv}: {@code up} is a bilinear x2 upsample (align_corners) and
     * {@code conv} reduces the channels through {@code in/2}, or {@code up} is a 2x2 stride-2
     * transposed convolution halving the channels.
     */
    public static class Up extends Module {
        public Up(int inChannels, int outChannels, boolean bilinear) {
            if (bilinear) {
                addModule("up", Upsample.scale(2, "bilinear", true));
                addModule("conv", new DoubleConv(inChannels, outChannels, inChannels / 2));
            } else {
                addModule("up", new ConvTranspose2d(inChannels, inChannels / 2, 2, 2));
                addModule("conv", new DoubleConv(inChannels, outChannels));
            }
        }

        public Up(int inChannels, int outChannels) { this(inChannels, outChannels, false); }

        /** Upsamples {@code x1}, pads it to the size of the skip {@code x2}, and convolves {@code cat([x2, x1], 1)}. */
        public Tensor forward(Tensor x1, Tensor x2) {
            Tensor up = call("up", x1);
            int diffY = x2.size(2) - up.size(2);
            int diffX = x2.size(3) - up.size(3);
            // Python's floor division, so a negative difference crops as the tutorial's code does
            int left = Math.floorDiv(diffX, 2), top = Math.floorDiv(diffY, 2);
            if (diffX != 0 || diffY != 0) up = F.pad(up, left, diffX - left, top, diffY - top);
            return call("conv", Torch.cat(List.of(x2, up), 1));
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException("Up.forward takes two tensors: the map to upsample and its skip connection");
        }
    }

    /** The 1x1 convolution to class scores, held as {@code conv}. */
    public static class OutConv extends Module {
        public OutConv(int inChannels, int outChannels) {
            addModule("conv", new Conv2d(inChannels, outChannels, 1));
        }

        @Override
        public Tensor forward(Tensor x) { return call("conv", x); }
    }
}
