package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Init;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * torchvision's {@code VGG} ("Very Deep Convolutional Networks for Large-Scale Image Recognition"):
 * {@code features} (from a configuration), {@code avgpool} to 7x7, {@code classifier}.
 *
 * {@snippet :
 * VGG net = VGG.vgg("D", true, ModelOptions.numClasses(10));   // vgg16_bn
 * }
 */
public class VGG extends Module {
    /** M is a 2x2 max pool, a number a 3x3 convolution with that many channels. */
    public static final Map<String, List<Object>> CFGS = Map.of(
            "A", List.of(64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
            "B", List.of(64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
            "D", List.of(64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
            "E", List.of(64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"));

    /** {@code VGG(features, num_classes=1000, init_weights=True, dropout=0.5)}. */
    public VGG(Module features, int numClasses, boolean initWeights, double dropout) {
        addModule("features", features);
        addModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        addModule("classifier", new Sequential(
                new Linear(512 * 7 * 7, 4096),
                new ReLU(true),
                new Dropout(dropout),
                new Linear(4096, 4096),
                new ReLU(true),
                new Dropout(dropout),
                new Linear(4096, numClasses)));
        if (initWeights) {
            for (Module m : modules()) {
                if (m instanceof Conv2d) {
                    Init.kaimingNormal_(m.parameter("weight"), 0, "fan_out", "relu");
                    if (m.parameter("bias") != null) Init.constant_(m.parameter("bias"), 0);
                } else if (m instanceof BatchNorm2d) {
                    Init.constant_(m.parameter("weight"), 1);
                    Init.constant_(m.parameter("bias"), 0);
                } else if (m instanceof Linear) {
                    Init.normal_(m.parameter("weight"), 0, 0.01);
                    Init.constant_(m.parameter("bias"), 0);
                }
            }
        }
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    VGG(PickledShell shell) {}

    public VGG(Module features, int numClasses) { this(features, numClasses, true, 0.5); }

    @Override
    public Tensor forward(Tensor x) {
        x = call("features", x);
        x = call("avgpool", x);
        x = x.flatten(1);
        return call("classifier", x);
    }

    /** {@code make_layers(cfg, batch_norm)}. */
    public static Sequential makeLayers(List<Object> cfg, boolean batchNorm) {
        List<Module> layers = new ArrayList<>();
        int inChannels = 3;
        for (Object v : cfg) {
            if (v.equals("M")) {
                layers.add(MaxPool2d.builder(2).stride(2).build());
            } else {
                int channels = (Integer) v;
                layers.add(Conv2d.builder(inChannels, channels, 3).padding(1).build());
                if (batchNorm) layers.add(new BatchNorm2d(channels));
                layers.add(new ReLU(true));
                inChannels = channels;
            }
        }
        return new Sequential(layers);
    }

    /** {@code _vgg(cfg, batch_norm)}: "A" is VGG-11, "B" 13, "D" 16, "E" 19; extras {@code init_weights}, {@code dropout}. */
    public static VGG vgg(String cfg, boolean batchNorm, ModelOptions o) {
        List<Object> layers = CFGS.get(cfg);
        if (layers == null) throw new IllegalArgumentException("Unknown VGG configuration " + cfg + ": A, B, D or E expected");
        double dropout = o.extras().get("dropout") instanceof Number n ? n.doubleValue() : 0.5;
        return new VGG(makeLayers(layers, batchNorm), o.numClasses(), o.flag("init_weights", true), dropout);
    }
}
