package dev.jtorch.models;

import dev.jtorch.io.ModuleRebuilder;
import dev.jtorch.io.ModuleSettings;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.PyGlobal;
import dev.jtorch.models.InceptionBlocks.BasicConv2d;
import dev.jtorch.models.InceptionBlocks.InceptionA;
import dev.jtorch.models.InceptionBlocks.InceptionAux;
import dev.jtorch.models.InceptionBlocks.InceptionB;
import dev.jtorch.models.InceptionBlocks.InceptionC;
import dev.jtorch.models.InceptionBlocks.InceptionD;
import dev.jtorch.models.InceptionBlocks.InceptionE;
import dev.jtorch.nn.Module;

import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Function;

/**
 * Rebuilds the torchvision model classes jtorch has ({@code torchvision.models.resnet.ResNet},
 * its blocks, VGG, AlexNet, SqueezeNet and Fire, DenseNet and its blocks, Inception3 and its
 * blocks) as the Java class of the same name with no layers of its own: the caller registers the
 * pickled children, so a model whose children were changed after construction (a replaced
 * {@code fc}, a {@code conv1} for one input channel, {@code maxpool = nn.Identity()}) comes back as
 * it was saved. Only the settings that forward reads are taken from {@code __dict__}
 * ({@code aux_logits}, {@code transform_input}, a dense layer's {@code drop_rate}, ...).
 */
public final class TorchvisionRebuilder implements ModuleRebuilder {
    private static final Map<String, Function<ModuleSettings, Module>> CLASSES = Map.ofEntries(
            Map.entry("resnet.ResNet", s -> new ResNet(PickledShell.INSTANCE, s.integer("groups", 1), s.integer("base_width", 64))),
            Map.entry("resnet.BasicBlock", s -> new ResNet.BasicBlock(1, 1, s.integer("stride", 1), null, 1, 64, 1, null)),
            Map.entry("resnet.Bottleneck", s -> new ResNet.Bottleneck(1, 1, s.integer("stride", 1), null, 1, 64, 1, null)),
            Map.entry("vgg.VGG", s -> new VGG(PickledShell.INSTANCE)),
            Map.entry("alexnet.AlexNet", s -> new AlexNet(PickledShell.INSTANCE)),
            Map.entry("squeezenet.SqueezeNet", s -> new SqueezeNet(PickledShell.INSTANCE, s.integer("num_classes", 1000))),
            Map.entry("squeezenet.Fire", s -> new SqueezeNet.Fire(s.integer("inplanes", 1), 1, 1, 1)),
            Map.entry("densenet.DenseNet", s -> new DenseNet(PickledShell.INSTANCE)),
            Map.entry("densenet._DenseLayer", s -> new DenseNet.DenseLayer(1, 1, 1, s.number("drop_rate", 0))),
            Map.entry("densenet._DenseBlock", s -> new DenseNet.DenseBlock(0, 1, 1, 1, 0)),
            Map.entry("densenet._Transition", s -> new DenseNet.Transition(1, 1)),
            Map.entry("inception.Inception3", s -> new Inception3(PickledShell.INSTANCE, s.bool("aux_logits", true),
                    s.bool("transform_input", false))),
            Map.entry("inception.BasicConv2d", s -> new BasicConv2d(1, 1, 1, 1, 0)),
            Map.entry("inception.InceptionA", s -> new InceptionA(1, 1)),
            Map.entry("inception.InceptionB", s -> new InceptionB(1)),
            Map.entry("inception.InceptionC", s -> new InceptionC(1, 1)),
            Map.entry("inception.InceptionD", s -> new InceptionD(1)),
            Map.entry("inception.InceptionE", s -> new InceptionE(1)),
            Map.entry("inception.InceptionAux", s -> new InceptionAux(1, 1)));

    /** Whether {@code g} names a torchvision class this rebuilder makes. */
    public static boolean knows(PyGlobal g) { return key(g) != null && CLASSES.containsKey(key(g)); }

    /** {@code resnet.ResNet} for {@code torchvision.models.resnet.ResNet}, or null outside torchvision.models. */
    private static String key(PyGlobal g) {
        String prefix = "torchvision.models.";
        return g.module().startsWith(prefix) ? g.module().substring(prefix.length()) + "." + g.name() : null;
    }

    @Override
    public Module rebuild(PickledModule description, SequencedMap<String, Module> children) {
        if (!knows(description.type())) return null;
        return CLASSES.get(key(description.type())).apply(new ModuleSettings(description));
    }
}
