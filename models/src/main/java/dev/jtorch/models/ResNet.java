package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.ConvBnFolding;
import dev.jtorch.nn.Init;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * torchvision's {@code ResNet} ("Deep Residual Learning for Image Recognition"), with the same
 * attribute names, so a PyTorch {@code state_dict} loads strictly: {@code conv1, bn1, relu, maxpool,
 * layer1..layer4, avgpool, fc}, blocks {@code layerN.M} with {@code downsample.0/1}.
 *
 * {@snippet :
 * ResNet net = ResNet.resnet50(ModelOptions.numClasses(10));
 * net.setSubmodule("fc", new Linear(2048, 2));        // forward now ends in the new head
 * }
 */
public class ResNet extends Module {
    /** A residual block type: its constructor and its channel {@code expansion}. */
    public interface BlockFactory {
        int expansion();

        Module create(int inplanes, int planes, int stride, Module downsample, int groups, int baseWidth, int dilation,
                      IntFunction<Module> normLayer);
    }

    public static final BlockFactory BASIC_BLOCK = new BlockFactory() {
        public int expansion() { return BasicBlock.expansion; }

        public Module create(int inplanes, int planes, int stride, Module downsample, int groups, int baseWidth, int dilation,
                             IntFunction<Module> normLayer) {
            return new BasicBlock(inplanes, planes, stride, downsample, groups, baseWidth, dilation, normLayer);
        }
    };

    public static final BlockFactory BOTTLENECK = new BlockFactory() {
        public int expansion() { return Bottleneck.expansion; }

        public Module create(int inplanes, int planes, int stride, Module downsample, int groups, int baseWidth, int dilation,
                             IntFunction<Module> normLayer) {
            return new Bottleneck(inplanes, planes, stride, downsample, groups, baseWidth, dilation, normLayer);
        }
    };

    /** 3x3 convolution with padding. */
    static Conv2d conv3x3(int inPlanes, int outPlanes, int stride, int groups, int dilation) {
        return Conv2d.builder(inPlanes, outPlanes, 3).stride(stride).padding(dilation).groups(groups).bias(false)
                .dilation(dilation).build();
    }

    static Conv2d conv3x3(int inPlanes, int outPlanes, int stride) { return conv3x3(inPlanes, outPlanes, stride, 1, 1); }

    /** 1x1 convolution. */
    static Conv2d conv1x1(int inPlanes, int outPlanes, int stride) {
        return Conv2d.builder(inPlanes, outPlanes, 1).stride(stride).bias(false).build();
    }

    static Conv2d conv1x1(int inPlanes, int outPlanes) { return conv1x1(inPlanes, outPlanes, 1); }

    /** Two 3x3 convolutions (ResNet-18/34). */
    public static class BasicBlock extends Module {
        public static final int expansion = 1;
        public final int stride;

        public BasicBlock(int inplanes, int planes, int stride, Module downsample, int groups, int baseWidth, int dilation,
                          IntFunction<Module> normLayer) {
            if (normLayer == null) normLayer = BatchNorm2d::new;
            if (groups != 1 || baseWidth != 64) throw new IllegalArgumentException("BasicBlock only supports groups=1 and base_width=64");
            if (dilation > 1) throw new UnsupportedOperationException("Dilation > 1 not supported in BasicBlock");
            // Both self.conv1 and self.downsample layers downsample the input when stride != 1
            addModule("conv1", conv3x3(inplanes, planes, stride));
            addModule("bn1", normLayer.apply(planes));
            addModule("relu", new ReLU(true));
            addModule("conv2", conv3x3(planes, planes, 1));
            addModule("bn2", normLayer.apply(planes));
            if (downsample != null) addModule("downsample", downsample);
            this.stride = stride;
        }

        public BasicBlock(int inplanes, int planes) { this(inplanes, planes, 1, null, 1, 64, 1, null); }

        /** A block without projection has no {@code downsample} child at all, as in PyTorch ({@code None}). */
        private boolean hasDownsample() { return registeredChildren().get("downsample") != null; }

        @Override
        public Tensor forward(Tensor x) {
            // relu(bn(conv(x))) steps run folded into one convolution in eval mode without gradients.
            Tensor identity = hasDownsample() ? call("downsample", x) : x;
            Tensor out = ConvBnFolding.convBn(this, "conv1", "bn1", x, null, "relu");
            return ConvBnFolding.convBn(this, "conv2", "bn2", out, identity, "relu");
        }
    }

    /**
     * The 1x1-3x3-1x1 block of ResNet-50 and deeper, striding in the 3x3 convolution (ResNet V1.5,
     * as torchvision), with {@code groups} and {@code width_per_group} for ResNeXt and Wide ResNet.
     */
    public static class Bottleneck extends Module {
        public static final int expansion = 4;
        public final int stride;

        public Bottleneck(int inplanes, int planes, int stride, Module downsample, int groups, int baseWidth, int dilation,
                          IntFunction<Module> normLayer) {
            if (normLayer == null) normLayer = BatchNorm2d::new;
            int width = (int) (planes * (baseWidth / 64.0)) * groups;
            // Both self.conv2 and self.downsample layers downsample the input when stride != 1
            addModule("conv1", conv1x1(inplanes, width));
            addModule("bn1", normLayer.apply(width));
            addModule("conv2", conv3x3(width, width, stride, groups, dilation));
            addModule("bn2", normLayer.apply(width));
            addModule("conv3", conv1x1(width, planes * expansion));
            addModule("bn3", normLayer.apply(planes * expansion));
            addModule("relu", new ReLU(true));
            if (downsample != null) addModule("downsample", downsample);
            this.stride = stride;
        }

        public Bottleneck(int inplanes, int planes) { this(inplanes, planes, 1, null, 1, 64, 1, null); }

        private boolean hasDownsample() { return registeredChildren().get("downsample") != null; }

        @Override
        public Tensor forward(Tensor x) {
            // relu(bn(conv(x))) steps run folded into one convolution in eval mode without gradients.
            Tensor identity = hasDownsample() ? call("downsample", x) : x;
            Tensor out = ConvBnFolding.convBn(this, "conv1", "bn1", x, null, "relu");
            out = ConvBnFolding.convBn(this, "conv2", "bn2", out, null, "relu");
            return ConvBnFolding.convBn(this, "conv3", "bn3", out, identity, "relu");
        }
    }

    private final IntFunction<Module> normLayer;
    private int inplanes = 64;
    private int dilation = 1;
    private final int groups, baseWidth;

    /**
     * {@code ResNet(block, layers, num_classes=1000, zero_init_residual=False, groups=1,
     * width_per_group=64, replace_stride_with_dilation=None, norm_layer=None)}; a null
     * {@code replaceStrideWithDilation} or {@code normLayer} means PyTorch's default.
     */
    public ResNet(BlockFactory block, int[] layers, int numClasses, boolean zeroInitResidual, int groups, int widthPerGroup,
                  boolean[] replaceStrideWithDilation, IntFunction<Module> normLayer) {
        this.normLayer = normLayer == null ? BatchNorm2d::new : normLayer;
        if (replaceStrideWithDilation == null) {
            // each element in the tuple indicates if we should replace the 2x2 stride with a dilated convolution instead
            replaceStrideWithDilation = new boolean[]{false, false, false};
        }
        if (replaceStrideWithDilation.length != 3) {
            throw new IllegalArgumentException("replace_stride_with_dilation should be None or a 3-element tuple, got "
                    + java.util.Arrays.toString(replaceStrideWithDilation));
        }
        this.groups = groups;
        this.baseWidth = widthPerGroup;
        addModule("conv1", Conv2d.builder(3, inplanes, 7).stride(2).padding(3).bias(false).build());
        addModule("bn1", this.normLayer.apply(inplanes));
        addModule("relu", new ReLU(true));
        addModule("maxpool", MaxPool2d.builder(3).stride(2).padding(1).build());
        addModule("layer1", makeLayer(block, 64, layers[0], 1, false));
        addModule("layer2", makeLayer(block, 128, layers[1], 2, replaceStrideWithDilation[0]));
        addModule("layer3", makeLayer(block, 256, layers[2], 2, replaceStrideWithDilation[1]));
        addModule("layer4", makeLayer(block, 512, layers[3], 2, replaceStrideWithDilation[2]));
        addModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        addModule("fc", new Linear(512 * block.expansion(), numClasses));

        for (Module m : modules()) {
            if (m instanceof Conv2d) {
                Init.kaimingNormal_(m.parameter("weight"), 0, "fan_out", "relu");
            } else if (m instanceof BatchNorm2d && m.parameter("weight") != null) {
                Init.constant_(m.parameter("weight"), 1);
                Init.constant_(m.parameter("bias"), 0);
            }
        }
        // Zero-initialize the last BN in each residual branch, so that the residual branch starts
        // with zeros, and each residual block behaves like an identity (arXiv:1706.02677).
        if (zeroInitResidual) {
            for (Module m : modules()) {
                Module lastBn = m instanceof Bottleneck ? m.child("bn3") : m instanceof BasicBlock ? m.child("bn2") : null;
                if (lastBn != null && lastBn.parameter("weight") != null) Init.constant_(lastBn.parameter("weight"), 0);
            }
        }
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    ResNet(PickledShell shell, int groups, int widthPerGroup) {
        this.normLayer = BatchNorm2d::new;
        this.groups = groups;
        this.baseWidth = widthPerGroup;
    }

    public ResNet(BlockFactory block, int[] layers, int numClasses) {
        this(block, layers, numClasses, false, 1, 64, null, null);
    }

    /** {@code _make_layer}: {@code blocks} blocks of {@code planes}, the first striding (or dilating) and projecting. */
    private Sequential makeLayer(BlockFactory block, int planes, int blocks, int stride, boolean dilate) {
        Module downsample = null;
        int previousDilation = dilation;
        if (dilate) {
            dilation *= stride;
            stride = 1;
        }
        if (stride != 1 || inplanes != planes * block.expansion()) {
            downsample = new Sequential(conv1x1(inplanes, planes * block.expansion(), stride),
                    normLayer.apply(planes * block.expansion()));
        }
        List<Module> layers = new ArrayList<>();
        layers.add(block.create(inplanes, planes, stride, downsample, groups, baseWidth, previousDilation, normLayer));
        inplanes = planes * block.expansion();
        for (int i = 1; i < blocks; i++) {
            layers.add(block.create(inplanes, planes, 1, null, groups, baseWidth, dilation, normLayer));
        }
        return new Sequential(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        x = ConvBnFolding.convBn(this, "conv1", "bn1", x, null, "relu");
        x = call("maxpool", x);

        x = call("layer1", x);
        x = call("layer2", x);
        x = call("layer3", x);
        x = call("layer4", x);

        x = call("avgpool", x);
        x = x.flatten(1);
        return call("fc", x);
    }

    // ---- builders (torchvision's names) ------------------------------------------------------------

    /** Builds with the options' {@code num_classes} and extras {@code zero_init_residual}, {@code replace_stride_with_dilation}. */
    static ResNet resnet(BlockFactory block, int[] layers, int groups, int widthPerGroup, ModelOptions o) {
        boolean[] dilation = null;
        if (o.extras().get("replace_stride_with_dilation") instanceof List<?> l) {
            dilation = new boolean[l.size()];
            for (int i = 0; i < l.size(); i++) dilation[i] = Boolean.parseBoolean(String.valueOf(l.get(i)));
        } else if (o.extras().get("replace_stride_with_dilation") instanceof boolean[] b) {
            dilation = b.clone();
        }
        return new ResNet(block, layers, o.numClasses(), o.flag("zero_init_residual", false), groups, widthPerGroup, dilation, null);
    }

    public static ResNet resnet18(ModelOptions o) { return resnet(BASIC_BLOCK, new int[]{2, 2, 2, 2}, 1, 64, o); }

    public static ResNet resnet34(ModelOptions o) { return resnet(BASIC_BLOCK, new int[]{3, 4, 6, 3}, 1, 64, o); }

    public static ResNet resnet50(ModelOptions o) { return resnet(BOTTLENECK, new int[]{3, 4, 6, 3}, 1, 64, o); }

    public static ResNet resnet101(ModelOptions o) { return resnet(BOTTLENECK, new int[]{3, 4, 23, 3}, 1, 64, o); }

    public static ResNet resnet152(ModelOptions o) { return resnet(BOTTLENECK, new int[]{3, 8, 36, 3}, 1, 64, o); }

    public static ResNet resnext50_32x4d(ModelOptions o) { return resnet(BOTTLENECK, new int[]{3, 4, 6, 3}, 32, 4, o); }

    public static ResNet wide_resnet50_2(ModelOptions o) { return resnet(BOTTLENECK, new int[]{3, 4, 6, 3}, 1, 64 * 2, o); }
}
