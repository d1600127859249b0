package dev.jtorch.models;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.PthWriter;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Identity;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure, initialisation and builders of the zoo; parity with torchvision is ModelZooParityTest's. */
class ModelZooTest {
    @TempDir
    Path tmp;

    static double std(Tensor t) {
        float[] v = t.toFloatArray();
        double s = 0, s2 = 0;
        for (float x : v) { s += x; s2 += (double) x * x; }
        double m = s / v.length;
        return Math.sqrt(s2 / v.length - m * m);
    }

    static boolean all(Tensor t, float value) {
        for (float x : t.toFloatArray()) if (x != value) return false;
        return true;
    }

    @Test
    void registryKnowsTorchvisionNamesAndNamesTheKnownOnesOnAnUnknownName() {
        assertTrue(Models.names().containsAll(List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
                "resnext50_32x4d", "wide_resnet50_2", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
                "vgg19_bn", "alexnet", "squeezenet1_0", "squeezenet1_1")));
        var e = assertThrows(IllegalArgumentException.class, () -> Models.create("resnet19", ModelOptions.defaults()));
        assertTrue(e.getMessage().contains("Unknown model resnet19") && e.getMessage().contains("resnet18"), e.getMessage());
    }

    @Test
    void everyListedNameBuilds() {
        // The listed names and the builder's cases must agree; without the random init, as the values are not looked at.
        for (String name : Models.names()) {
            assertDoesNotThrow(() -> Models.createForOverwrite(name, ModelOptions.numClasses(3)), name);
        }
    }

    @Test
    void forwardCallsChildrenThroughTheTree() {
        ResNet net = Models.resnet18(10);
        net.eval();
        Tensor x = Torch.randn(2, 3, 32, 32);
        try (var g = Torch.noGrad()) {
            assertArrayEquals(new int[]{2, 10}, net.forward(x).shape());
            net.setSubmodule("fc", new Linear(512, 3));
            net.setSubmodule("maxpool", new Identity());
            assertArrayEquals(new int[]{2, 3}, net.forward(x).shape());
            assertTrue(net.toString().contains("(maxpool): Identity()"));
            assertTrue(net.stateDict().containsKey("fc.weight"));
            assertArrayEquals(new int[]{3, 512}, net.stateDict().get("fc.weight").shape());
        }
    }

    @Test
    void makeLayerNamesDownsampleOnlyWhereTheShapeChanges() {
        Map<String, Tensor> r18 = Models.resnet18().stateDict();
        assertFalse(r18.keySet().stream().anyMatch(k -> k.startsWith("layer1.0.downsample")));
        assertTrue(r18.containsKey("layer2.0.downsample.0.weight"));
        assertTrue(r18.containsKey("layer2.0.downsample.1.num_batches_tracked"));
        assertFalse(r18.containsKey("layer2.1.downsample.0.weight"));
        Map<String, Tensor> r50 = Models.resnet50().stateDict();
        assertArrayEquals(new int[]{256, 64, 1, 1}, r50.get("layer1.0.downsample.0.weight").shape());
        assertArrayEquals(new int[]{2048, 1000}, new int[]{r50.get("fc.weight").shape()[1], r50.get("fc.weight").shape()[0]});
        assertEquals(320, r50.size()); // len(torchvision.models.resnet50().state_dict())
    }

    @Test
    void groupsWidthAndDilation() {
        ResNet next = Models.resnext50_32x4d();
        Conv2d c = (Conv2d) next.getSubmodule("layer1.0.conv2");
        assertEquals(32, c.groups);
        assertArrayEquals(new int[]{128, 4, 3, 3}, c.parameter("weight").shape());
        assertArrayEquals(new int[]{128, 128, 3, 3}, Models.wide_resnet50_2().getSubmodule("layer1.0.conv2").parameter("weight").shape());

        ResNet dilated = ResNet.resnet50(ModelOptions.defaults().with("replace_stride_with_dilation", new boolean[]{false, true, true}));
        assertArrayEquals(new int[]{2, 2}, ((Conv2d) dilated.getSubmodule("layer2.0.conv2")).stride());
        assertArrayEquals(new int[]{1, 1}, ((Conv2d) dilated.getSubmodule("layer3.0.conv2")).stride());
        assertArrayEquals(new int[]{1, 1}, ((Conv2d) dilated.getSubmodule("layer3.0.conv2")).dilation());
        assertArrayEquals(new int[]{2, 2}, ((Conv2d) dilated.getSubmodule("layer3.1.conv2")).dilation());
        assertArrayEquals(new int[]{2, 2}, ((Conv2d) dilated.getSubmodule("layer4.0.conv2")).dilation());
        assertArrayEquals(new int[]{4, 4}, ((Conv2d) dilated.getSubmodule("layer4.1.conv2")).padding());
        assertArrayEquals(new int[]{1, 1}, ((Conv2d) dilated.getSubmodule("layer4.0.downsample.0")).stride());
        dilated.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(new int[]{1, 1000}, dilated.forward(Torch.randn(1, 3, 32, 32)).shape());
        }

        var e = assertThrows(IllegalArgumentException.class,
                () -> new ResNet(ResNet.BASIC_BLOCK, new int[]{1, 1, 1, 1}, 10, false, 32, 4, null, null));
        assertEquals("BasicBlock only supports groups=1 and base_width=64", e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> new ResNet(ResNet.BASIC_BLOCK, new int[]{1, 1, 1, 2}, 10, false, 1, 64, new boolean[]{false, false, true}, null));
    }

    @Test
    void resnetInitialisationAsTorchvision() {
        ResNet net = Models.resnet18();
        Tensor w = net.getSubmodule("layer3.0.conv1").parameter("weight"); // [256, 128, 3, 3]: fan_out 256*9
        assertEquals(Math.sqrt(2.0 / (256 * 9)), std(w), 0.05 * Math.sqrt(2.0 / (256 * 9)));
        assertTrue(all(net.getSubmodule("layer3.0.bn1").parameter("weight"), 1f));
        assertTrue(all(net.getSubmodule("layer3.0.bn1").parameter("bias"), 0f));
        assertFalse(all(net.getSubmodule("layer3.0.bn2").parameter("weight"), 0f));

        ResNet zero = ResNet.resnet18(ModelOptions.defaults().with("zero_init_residual", true));
        assertTrue(all(zero.getSubmodule("layer3.0.bn2").parameter("weight"), 0f));
        assertTrue(all(zero.getSubmodule("layer3.0.bn1").parameter("weight"), 1f));
        ResNet zero50 = ResNet.resnet50(ModelOptions.defaults().with("zero_init_residual", true));
        assertTrue(all(zero50.getSubmodule("layer1.2.bn3").parameter("weight"), 0f));
        assertTrue(all(zero50.getSubmodule("layer1.0.downsample.1").parameter("weight"), 1f));
    }

    @Test
    void injectableNormLayer() {
        ResNet net = new ResNet(ResNet.BOTTLENECK, new int[]{1, 1, 1, 1}, 10, false, 1, 64, null,
                c -> new BatchNorm2d(c, 1e-3, 0.01));
        assertTrue(net.toString().contains("(bn1): BatchNorm2d(64, eps=0.001, momentum=0.01, affine=True, track_running_stats=True)"));
        assertTrue(net.getSubmodule("layer2.0.downsample.1").toString().contains("eps=0.001"));
    }

    @Test
    void squeezenetFinalConvStartsSmall() {
        SqueezeNet net = Models.squeezenet1_1();
        Tensor w = net.getSubmodule("classifier.1").parameter("weight");
        assertEquals(0.01, std(w), 0.0005);
        assertTrue(all(net.getSubmodule("classifier.1").parameter("bias"), 0f));
        assertTrue(all(net.getSubmodule("features.3.expand3x3").parameter("bias"), 0f));
        net.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(new int[]{2, 1000}, net.forward(Torch.randn(2, 3, 64, 64)).shape());
        }
        assertThrows(IllegalArgumentException.class, () -> new SqueezeNet("1_2", 10));
    }

    @Test
    void weightsLoadStrictlyAndLoseTheirDataParallelPrefix() throws Exception {
        ResNet source = Models.resnet18(10);
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> prefixed.put("module." + k, v));
        Path file = tmp.resolve("dp.pth");
        PthWriter.save(prefixed, file);

        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Module loaded;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loaded = Models.create("resnet18", ModelOptions.numClasses(10), file);
        } finally {
            System.setErr(err);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("'module.' prefix"), captured.toString(StandardCharsets.UTF_8));
        assertArrayEquals(source.stateDict().get("layer4.1.conv2.weight").toFloatArray(),
                loaded.stateDict().get("layer4.1.conv2.weight").toFloatArray());

        // strict: 1000 classes against a 10-class checkpoint names the mismatched key
        var e = assertThrows(RuntimeException.class, () -> Models.resnet18(file));
        assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
    }

    @Test
    void buildingWithWeightsSkipsTheRandomInitUnobservably() throws Exception {
        ResNet source = Models.resnet18(10);
        Path file = tmp.resolve("w.pth");
        PthWriter.save(source.stateDict(), file);

        Torch.manualSeed(3);
        Module reference = Models.loadWeights(Models.resnet18(10), file); // the full initialisation, then the load
        float[] drawnAfterReference = Torch.rand(6).toFloatArray();
        Torch.manualSeed(3);
        Module loaded = Models.create("resnet18", ModelOptions.numClasses(10), file);
        float[] drawnAfterLoaded = Torch.rand(6).toFloatArray();

        assertArrayEquals(drawnAfterReference, drawnAfterLoaded, "the generator moved on as far as the initialisation would have");
        reference.stateDict().forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), loaded.stateDict().get(k).toDoubleArray(), k));
        assertFalse(all(Models.resnet18(10).stateDict().get("fc.weight"), 0f), "a model built without weights is still initialised");
    }
}
