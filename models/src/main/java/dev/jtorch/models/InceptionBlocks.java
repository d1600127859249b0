package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.ConvBnFolding;
import dev.jtorch.nn.F;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;

import java.util.List;

/** The blocks of {@link Inception3}, with torchvision's class and attribute names. */
public final class InceptionBlocks {
    private InceptionBlocks() {}

    private static Tensor avgPool3x3(Tensor x) {
        return F.avgPool2d(x, new int[]{3}, new int[]{1}, new int[]{1}, false, true, null);
    }

    private static Tensor maxPool3x3s2(Tensor x) {
        return F.maxPool2d(x, new int[]{3}, new int[]{2}, new int[]{0}, new int[]{1}, false);
    }

    private static BasicConv2d conv(int in, int out, int k) { return new BasicConv2d(Conv2d.builder(in, out, k)); }

    private static BasicConv2d conv(int in, int out, int kh, int kw, int ph, int pw) {
        return new BasicConv2d(Conv2d.builder(in, out, kh, kw).padding(ph, pw));
    }

    /** Conv2d without bias, BatchNorm2d(eps=0.001), ReLU: {@code conv} and {@code bn}. */
    public static class BasicConv2d extends Module {
        /** The convolution's settings; the bias is always off. */
        public BasicConv2d(Conv2d.Builder conv) {
            Conv2d c = addModule("conv", conv.bias(false).build());
            addModule("bn", new BatchNorm2d(c.outChannels, 0.001, 0.1));
        }

        public BasicConv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
            this(Conv2d.builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
        }

        @Override
        public Tensor forward(Tensor x) { return ConvBnFolding.convBnRelu(this, "conv", "bn", x); }
    }

    /** 35x35 block: 1x1, 5x5, double 3x3 and pooled branches. */
    public static class InceptionA extends Module {
        public InceptionA(int inChannels, int poolFeatures) {
            addModule("branch1x1", conv(inChannels, 64, 1));
            addModule("branch5x5_1", conv(inChannels, 48, 1));
            addModule("branch5x5_2", new BasicConv2d(48, 64, 5, 1, 2));
            addModule("branch3x3dbl_1", conv(inChannels, 64, 1));
            addModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
            addModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 1, 1));
            addModule("branch_pool", conv(inChannels, poolFeatures, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor b1 = call("branch1x1", x);
            Tensor b5 = call("branch5x5_2", call("branch5x5_1", x));
            Tensor b3 = call("branch3x3dbl_3", call("branch3x3dbl_2", call("branch3x3dbl_1", x)));
            Tensor bp = call("branch_pool", avgPool3x3(x));
            return Torch.cat(List.of(b1, b5, b3, bp), 1);
        }
    }

    /** Grid reduction 35 to 17. */
    public static class InceptionB extends Module {
        public InceptionB(int inChannels) {
            addModule("branch3x3", new BasicConv2d(inChannels, 384, 3, 2, 0));
            addModule("branch3x3dbl_1", conv(inChannels, 64, 1));
            addModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
            addModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 2, 0));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor b3 = call("branch3x3", x);
            Tensor bd = call("branch3x3dbl_3", call("branch3x3dbl_2", call("branch3x3dbl_1", x)));
            return Torch.cat(List.of(b3, bd, maxPool3x3s2(x)), 1);
        }
    }

    /** 17x17 block with factorised 7x7 convolutions. */
    public static class InceptionC extends Module {
        public InceptionC(int inChannels, int channels7x7) {
            int c7 = channels7x7;
            addModule("branch1x1", conv(inChannels, 192, 1));
            addModule("branch7x7_1", conv(inChannels, c7, 1));
            addModule("branch7x7_2", conv(c7, c7, 1, 7, 0, 3));
            addModule("branch7x7_3", conv(c7, 192, 7, 1, 3, 0));
            addModule("branch7x7dbl_1", conv(inChannels, c7, 1));
            addModule("branch7x7dbl_2", conv(c7, c7, 7, 1, 3, 0));
            addModule("branch7x7dbl_3", conv(c7, c7, 1, 7, 0, 3));
            addModule("branch7x7dbl_4", conv(c7, c7, 7, 1, 3, 0));
            addModule("branch7x7dbl_5", conv(c7, 192, 1, 7, 0, 3));
            addModule("branch_pool", conv(inChannels, 192, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor b1 = call("branch1x1", x);
            Tensor b7 = call("branch7x7_3", call("branch7x7_2", call("branch7x7_1", x)));
            Tensor bd = x;
            for (int i = 1; i <= 5; i++) bd = call("branch7x7dbl_" + i, bd);
            Tensor bp = call("branch_pool", avgPool3x3(x));
            return Torch.cat(List.of(b1, b7, bd, bp), 1);
        }
    }

    /** Grid reduction 17 to 8. */
    public static class InceptionD extends Module {
        public InceptionD(int inChannels) {
            addModule("branch3x3_1", conv(inChannels, 192, 1));
            addModule("branch3x3_2", new BasicConv2d(192, 320, 3, 2, 0));
            addModule("branch7x7x3_1", conv(inChannels, 192, 1));
            addModule("branch7x7x3_2", conv(192, 192, 1, 7, 0, 3));
            addModule("branch7x7x3_3", conv(192, 192, 7, 1, 3, 0));
            addModule("branch7x7x3_4", new BasicConv2d(192, 192, 3, 2, 0));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor b3 = call("branch3x3_2", call("branch3x3_1", x));
            Tensor b7 = x;
            for (int i = 1; i <= 4; i++) b7 = call("branch7x7x3_" + i, b7);
            return Torch.cat(List.of(b3, b7, maxPool3x3s2(x)), 1);
        }
    }

    /** 8x8 block with split 1x3 / 3x1 branches. */
    public static class InceptionE extends Module {
        public InceptionE(int inChannels) {
            addModule("branch1x1", conv(inChannels, 320, 1));
            addModule("branch3x3_1", conv(inChannels, 384, 1));
            addModule("branch3x3_2a", conv(384, 384, 1, 3, 0, 1));
            addModule("branch3x3_2b", conv(384, 384, 3, 1, 1, 0));
            addModule("branch3x3dbl_1", conv(inChannels, 448, 1));
            addModule("branch3x3dbl_2", new BasicConv2d(448, 384, 3, 1, 1));
            addModule("branch3x3dbl_3a", conv(384, 384, 1, 3, 0, 1));
            addModule("branch3x3dbl_3b", conv(384, 384, 3, 1, 1, 0));
            addModule("branch_pool", conv(inChannels, 192, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor b1 = call("branch1x1", x);
            Tensor b3 = call("branch3x3_1", x);
            b3 = Torch.cat(List.of(call("branch3x3_2a", b3), call("branch3x3_2b", b3)), 1);
            Tensor bd = call("branch3x3dbl_2", call("branch3x3dbl_1", x));
            bd = Torch.cat(List.of(call("branch3x3dbl_3a", bd), call("branch3x3dbl_3b", bd)), 1);
            Tensor bp = call("branch_pool", avgPool3x3(x));
            return Torch.cat(List.of(b1, b3, bd, bp), 1);
        }
    }

    /** The auxiliary classifier on the 17x17 maps ({@code AuxLogits}). */
    public static class InceptionAux extends Module {
        public InceptionAux(int inChannels, int numClasses) {
            addModule("conv0", conv(inChannels, 128, 1));
            addModule("conv1", conv(128, 768, 5));
            addModule("fc", new Linear(768, numClasses));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = F.avgPool2d(x, new int[]{5}, new int[]{3}, new int[]{0}, false, true, null);
            y = call("conv1", call("conv0", y));
            y = F.adaptiveAvgPool2d(y, 1, 1).flatten(1);
            return call("fc", y);
        }
    }
}
