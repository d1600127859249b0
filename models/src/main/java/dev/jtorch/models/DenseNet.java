package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.StateDict;
import dev.jtorch.nn.AvgPool2d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.F;
import dev.jtorch.nn.Init;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision's {@code DenseNet} (Densely Connected Convolutional Networks, Huang et al.):
 * {@code features} = conv0, norm0, relu0, pool0, then denseblockN / transitionN, then norm5; and
 * {@code classifier}. Only {@code memory_efficient=False} exists here (it changes no weights).
 *
 * {@snippet :
 * var net = DenseNet.densenet121(1000);
 * net.loadStateDict(DenseNet.remapLegacyKeys(stateDict));   // also takes the 2017 'norm.1' checkpoints
 * }
 */
public class DenseNet extends Module {
    /** torchvision's regex for the checkpoints saved before the layers were renamed ({@code norm.1} to {@code norm1}). */
    private static final Pattern LEGACY_KEY =
            Pattern.compile("^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.((?:[12])\\.(?:weight|bias|running_mean|running_var))$");

    public DenseNet(int growthRate, int[] blockConfig, int numInitFeatures, int bnSize, double dropRate, int numClasses) {
        Map<String, Module> stem = new LinkedHashMap<>();
        stem.put("conv0", new Conv2d(3, numInitFeatures, 7, 2, 3, false));
        stem.put("norm0", new BatchNorm2d(numInitFeatures));
        stem.put("relu0", new ReLU(true));
        stem.put("pool0", new MaxPool2d(3, 2, 1));
        Sequential features = addModule("features", new Sequential(stem));
        int numFeatures = numInitFeatures;
        for (int i = 0; i < blockConfig.length; i++) {
            features.addModule("denseblock" + (i + 1), new DenseBlock(blockConfig[i], numFeatures, bnSize, growthRate, dropRate));
            numFeatures += blockConfig[i] * growthRate;
            if (i != blockConfig.length - 1) {
                features.addModule("transition" + (i + 1), new Transition(numFeatures, numFeatures / 2));
                numFeatures /= 2;
            }
        }
        features.addModule("norm5", new BatchNorm2d(numFeatures));
        addModule("classifier", new Linear(numFeatures, numClasses));

        for (Module m : modules()) {
            if (m instanceof Conv2d) {
                Init.kaimingNormal_(m.parameter("weight"));
            } else if (m instanceof BatchNorm2d) {
                Init.constant_(m.parameter("weight"), 1);
                Init.constant_(m.parameter("bias"), 0);
            } else if (m instanceof Linear) {
                Init.constant_(m.parameter("bias"), 0);
            }
        }
    }

    /** No layers: {@link TorchvisionRebuilder} registers the pickled children. */
    DenseNet(PickledShell shell) {}

    public static DenseNet densenet121(int numClasses) { return new DenseNet(32, new int[]{6, 12, 24, 16}, 64, 4, 0, numClasses); }

    public static DenseNet densenet161(int numClasses) { return new DenseNet(48, new int[]{6, 12, 36, 24}, 96, 4, 0, numClasses); }

    public static DenseNet densenet169(int numClasses) { return new DenseNet(32, new int[]{6, 12, 32, 32}, 64, 4, 0, numClasses); }

    public static DenseNet densenet201(int numClasses) { return new DenseNet(32, new int[]{6, 12, 48, 32}, 64, 4, 0, numClasses); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor features = call("features", x);
        Tensor out = F.relu(features, true);
        out = F.adaptiveAvgPool2d(out, 1, 1);
        out = out.flatten(1);
        return call("classifier", out);
    }

    /**
     * torchvision's {@code _load_state_dict} renaming: keys of the old checkpoints such as
     * {@code features.denseblock1.denselayer1.norm.1.weight} become {@code ...denselayer1.norm1.weight};
     * every other key is kept, in order. Returns a new map; the input is not changed.
     */
    public static <T> Map<String, T> remapLegacyKeys(Map<String, T> stateDict) {
        Map<String, T> out = new LinkedHashMap<>();
        stateDict.forEach((key, value) -> out.put(remapLegacyKey(key), value));
        return out;
    }

    /** One key through torchvision's regex: {@code ...denselayerN.conv.2.weight} to {@code ...denselayerN.conv2.weight}. */
    public static String remapLegacyKey(String key) {
        Matcher m = LEGACY_KEY.matcher(key);
        return m.matches() ? m.group(1) + m.group(2) : key;
    }

    /**
     * What torchvision does when it loads a DenseNet checkpoint: the keys go through
     * {@link #remapLegacyKeys}. Returns a new state dict (metadata kept). A missing BatchNorm
     * {@code num_batches_tracked} (checkpoints older than PyTorch 0.4.1) needs nothing here:
     * {@code Module.loadStateDict} accepts it for every BatchNorm, as PyTorch does.
     */
    public static StateDict upgradeLegacyStateDict(Module model, StateDict state) {
        StateDict out = new StateDict(remapLegacyKeys(state));
        out.metadata().putAll(state.metadata());
        return out;
    }

    /** {@code _DenseLayer}: BN-ReLU-1x1 conv bottleneck, then BN-ReLU-3x3 conv to {@code growth_rate} maps. */
    public static class DenseLayer extends Module {
        public final double dropRate;

        public DenseLayer(int numInputFeatures, int growthRate, int bnSize, double dropRate) {
            this.dropRate = dropRate;
            addModule("norm1", new BatchNorm2d(numInputFeatures));
            addModule("relu1", new ReLU(true));
            addModule("conv1", new Conv2d(numInputFeatures, bnSize * growthRate, 1, 1, 0, false));
            addModule("norm2", new BatchNorm2d(bnSize * growthRate));
            addModule("relu2", new ReLU(true));
            addModule("conv2", new Conv2d(bnSize * growthRate, growthRate, 3, 1, 1, false));
        }

        /** The new features from all previous ones (concatenated on channels first). */
        public Tensor forward(List<Tensor> previous) {
            Tensor concatenated = previous.size() == 1 ? previous.get(0) : Torch.cat(previous, 1);
            Tensor bottleneck = call("conv1", call("relu1", call("norm1", concatenated)));
            Tensor out = call("conv2", call("relu2", call("norm2", bottleneck)));
            if (dropRate > 0) out = F.dropout(out, dropRate, isTraining());
            return out;
        }

        @Override
        public Tensor forward(Tensor input) { return forward(List.of(input)); }

        @Override
        public String typeName() { return "_DenseLayer"; }
    }

    /** {@code _DenseBlock}: denselayer1..N, each fed every earlier output; returns them all concatenated. */
    public static class DenseBlock extends Module {
        public DenseBlock(int numLayers, int numInputFeatures, int bnSize, int growthRate, double dropRate) {
            for (int i = 0; i < numLayers; i++) {
                addModule("denselayer" + (i + 1), new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate));
            }
        }

        @Override
        public Tensor forward(Tensor init) {
            List<Tensor> features = new ArrayList<>();
            features.add(init);
            for (Module layer : registeredChildren().values()) {
                Tensor next = layer instanceof DenseLayer d ? d.forward(features) : layer.forward(Torch.cat(features, 1));
                features.add(next);
            }
            return Torch.cat(features, 1);
        }

        @Override
        public String typeName() { return "_DenseBlock"; }
    }

    /** {@code _Transition}: BN, ReLU, 1x1 conv, 2x2 average pool (a Sequential, as in torchvision). */
    public static class Transition extends Sequential {
        public Transition(int numInputFeatures, int numOutputFeatures) {
            addModule("norm", new BatchNorm2d(numInputFeatures));
            addModule("relu", new ReLU(true));
            addModule("conv", new Conv2d(numInputFeatures, numOutputFeatures, 1, 1, 0, false));
            addModule("pool", new AvgPool2d(2, 2));
        }

        @Override
        public String typeName() { return "_Transition"; }
    }
}
