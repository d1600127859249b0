package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Init;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;

import java.util.List;

/**
 * torchvision's {@code SqueezeNet} ("SqueezeNet: AlexNet-level accuracy with 50x fewer parameters"),
 * versions {@code "1_0"} and {@code "1_1"}: {@code features} of {@link Fire} modules, and a
 * convolutional {@code classifier} whose final 1x1 convolution starts at normal(0, 0.01).
 */
public class SqueezeNet extends Module {
    /** A 1x1 squeeze, then 1x1 and 3x3 expands concatenated along channels. */
    public static class Fire extends Module {
        public final int inplanes;

        public Fire(int inplanes, int squeezePlanes, int expand1x1Planes, int expand3x3Planes) {
            this.inplanes = inplanes;
            addModule("squeeze", new Conv2d(inplanes, squeezePlanes, 1));
            addModule("squeeze_activation", new ReLU(true));
            addModule("expand1x1", new Conv2d(squeezePlanes, expand1x1Planes, 1));
            addModule("expand1x1_activation", new ReLU(true));
            addModule("expand3x3", Conv2d.builder(squeezePlanes, expand3x3Planes, 3).padding(1).build());
            addModule("expand3x3_activation", new ReLU(true));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = call("squeeze_activation", call("squeeze", x));
            return Torch.cat(List.of(
                    call("expand1x1_activation", call("expand1x1", x)),
                    call("expand3x3_activation", call("expand3x3", x))), 1);
        }
    }

    public final int numClasses;

    /** {@code SqueezeNet(version="1_0", num_classes=1000, dropout=0.5)}. */
    public SqueezeNet(String version, int numClasses, double dropout) {
        this.numClasses = numClasses;
        Sequential features = switch (version) {
            case "1_0" -> new Sequential(
                    Conv2d.builder(3, 96, 7).stride(2).build(),
                    new ReLU(true),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(96, 16, 64, 64),
                    new Fire(128, 16, 64, 64),
                    new Fire(128, 32, 128, 128),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(256, 32, 128, 128),
                    new Fire(256, 48, 192, 192),
                    new Fire(384, 48, 192, 192),
                    new Fire(384, 64, 256, 256),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(512, 64, 256, 256));
            case "1_1" -> new Sequential(
                    Conv2d.builder(3, 64, 3).stride(2).build(),
                    new ReLU(true),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(64, 16, 64, 64),
                    new Fire(128, 16, 64, 64),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(128, 32, 128, 128),
                    new Fire(256, 32, 128, 128),
                    MaxPool2d.builder(3).stride(2).ceilMode(true).build(),
                    new Fire(256, 48, 192, 192),
                    new Fire(384, 48, 192, 192),
                    new Fire(384, 64, 256, 256),
                    new Fire(512, 64, 256, 256));
            default -> throw new IllegalArgumentException("Unsupported SqueezeNet version " + version + ": 1_0 or 1_1 expected");
        };
        addModule("features", features);
        // Final convolution is initialized differently from the rest
        Conv2d finalConv = new Conv2d(512, numClasses, 1);
        addModule("classifier", new Sequential(new Dropout(dropout), finalConv, new ReLU(true), new AdaptiveAvgPool2d(1, 1)));
        for (Module m : modules()) {
            if (m instanceof Conv2d) {
                if (m == finalConv) Init.normal_(m.parameter("weight"), 0.0, 0.01);
                else Init.kaimingUniform_(m.parameter("weight"));
                if (m.parameter("bias") != null) Init.constant_(m.parameter("bias"), 0);
            }
        }
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    SqueezeNet(PickledShell shell, int numClasses) { this.numClasses = numClasses; }

    public SqueezeNet(String version, int numClasses) { this(version, numClasses, 0.5); }

    @Override
    public Tensor forward(Tensor x) {
        x = call("features", x);
        x = call("classifier", x);
        return x.flatten(1);
    }
}
