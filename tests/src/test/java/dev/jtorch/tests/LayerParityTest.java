package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.ValuesIndices;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.AdaptiveMaxPool2d;
import dev.jtorch.nn.AvgPool2d;
import dev.jtorch.nn.BatchNorm1d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.ConvTranspose2d;
import dev.jtorch.nn.Dropout2d;
import dev.jtorch.nn.Embedding;
import dev.jtorch.nn.GELU;
import dev.jtorch.nn.IntOrTuple;
import dev.jtorch.nn.LeakyReLU;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU6;
import dev.jtorch.nn.Sigmoid;
import dev.jtorch.nn.Tanh;
import dev.jtorch.nn.Upsample;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every layer of {@code torch.nn} that jtorch has, against real PyTorch: the fixtures of
 * {@code tests/fixtures/make_layer_fixtures.py} ({@code fixtures/layers.jtfx}) hold, per case, the
 * layer's repr, its input and state dict, the output, the gradients of the input and of every
 * parameter, and the buffers after a training-mode forward. One line per case: the fixture's name,
 * the jtorch layer built with the same settings, how to run it, the tolerance. The layer loads the
 * fixture's state with {@code loadStateDict} (strict, so its keys and shapes are checked too) and
 * {@code toString()} must equal PyTorch's repr character for character.
 *
 * <p>Tolerance: {@link #F32} (1e-5, in {@link OpParityTest#assertClose}'s sense) for every case,
 * convolutions and batch norm included. Measured when this was written: every output, gradient and
 * buffer was within 1e-6; the differences (up to a few float32 ulps) come from summation order
 * (GEMM blocking against oneDNN, float32 batch statistics against PyTorch's double accumulation on
 * the CPU) and from erf/tanh/exp. The margin is for the fast kernels, which round in other orders.
 */
class LayerParityTest {
    private static final String FIXTURE = "/fixtures/layers.jtfx";
    private static final double F32 = 1e-5;

    enum Run { TRAIN, EVAL, TRAIN_THROUGH_COPY, INDICES, REPR_ONLY }

    record LayerCase(String name, Supplier<Module> layer, Run run, double tol) {}

    static LayerCase layer(String name, Supplier<Module> layer, Run run, double tol) {
        return new LayerCase(name, layer, run, tol);
    }

    static LayerCase layer(String name, Supplier<Module> layer, double tol) { return layer(name, layer, Run.TRAIN, tol); }

    static final Run EVAL = Run.EVAL, COPY = Run.TRAIN_THROUGH_COPY, INDICES = Run.INDICES;

    static final List<LayerCase> LAYERS = List.of(
            // convolution
            layer("conv_basic", () -> new Conv2d(3, 4, 3), F32),
            layer("conv_resnet_stem", () -> new Conv2d(3, 8, 7, 2, 3, false), F32),
            layer("conv_rect", () -> new Conv2d(4, 6, new int[]{3, 2}, new int[]{2, 1}, new int[]{1, 0}, new int[]{1, 2}, 1, true), F32),
            layer("conv_groups", () -> Conv2d.builder(4, 8, 3).padding(1).groups(2).build(), F32),
            layer("conv_depthwise", () -> new Conv2d(4, 4, 3, 2, 1, 1, 4, false), F32),
            layer("conv_same_even", () -> new Conv2d(3, 5, 4, "same"), F32),
            layer("conv_same_dilated", () -> Conv2d.builder(2, 3, 3).padding("same").dilation(2).build(), F32),
            layer("conv_valid", () -> Conv2d.builder(2, 3, 3, 1).padding("valid").build(), F32),
            layer("conv_1x1", () -> new Conv2d(8, 4, 1, 1, 0, false), F32),
            layer("conv_unbatched", () -> new Conv2d(3, 4, 3, 1, 1), F32),
            layer("convT_basic", () -> new ConvTranspose2d(4, 2, 3), F32),
            layer("convT_stride_outpad", () -> new ConvTranspose2d(4, 3, 3, 2, 1, 1, 1, true, 1), F32),
            layer("convT_unet_up", () -> new ConvTranspose2d(8, 4, 2, 2), F32),
            layer("convT_groups_dilation", () -> ConvTranspose2d.builder(4, 6, 3).groups(2).bias(false).dilation(2).build(), F32),
            layer("convT_rect", () -> ConvTranspose2d.builder(3, 2, 2, 3).stride(1, 2).padding(0, 1).build(), F32),
            // batch norm
            layer("bn2d_train", () -> new BatchNorm2d(3), F32),
            layer("bn2d_eval", () -> new BatchNorm2d(3), EVAL, F32),
            layer("bn2d_default_state_train", () -> new BatchNorm2d(4), F32),
            layer("bn2d_momentum_none", () -> new BatchNorm2d(3, 1e-5, null), F32),
            layer("bn2d_eps_momentum", () -> new BatchNorm2d(3, 1e-3, 0.01), F32),
            layer("bn2d_no_affine", () -> new BatchNorm2d(3, 1e-5, 0.1, false, true), F32),
            layer("bn2d_no_tracking_train", () -> new BatchNorm2d(3, 1e-5, 0.1, true, false), F32),
            layer("bn2d_no_tracking_eval", () -> new BatchNorm2d(3, 1e-5, 0.1, true, false), EVAL, F32),
            layer("bn1d_2d_train", () -> new BatchNorm1d(5), F32),
            layer("bn1d_3d_train", () -> new BatchNorm1d(4), F32),
            layer("bn1d_eval", () -> new BatchNorm1d(5), EVAL, F32),
            layer("bn1d_plain", () -> new BatchNorm1d(5, 1e-5, null, false, false), Run.REPR_ONLY, 0),
            // activations
            layer("relu6", ReLU6::new, F32),
            layer("relu6_inplace", () -> new ReLU6(true), COPY, F32),
            layer("leaky_relu", LeakyReLU::new, F32),
            layer("leaky_relu_slope_inplace", () -> new LeakyReLU(0.2, true), COPY, F32),
            layer("gelu", GELU::new, F32),
            layer("gelu_tanh", () -> new GELU("tanh"), F32),
            layer("sigmoid", Sigmoid::new, F32),
            layer("tanh", Tanh::new, F32),
            layer("dropout2d_eval", () -> new Dropout2d(0.3), EVAL, F32),
            layer("dropout2d_inplace", () -> new Dropout2d(0.2, true), Run.REPR_ONLY, 0),
            // pooling
            layer("maxpool_resnet", () -> new MaxPool2d(3, 2, 1), F32),
            layer("maxpool_vgg", () -> new MaxPool2d(2), F32),
            layer("maxpool_ceil", () -> MaxPool2d.builder(3).stride(2).ceilMode(true).build(), F32),
            layer("maxpool_dilation", () -> MaxPool2d.builder(2).stride(1).dilation(2).build(), F32),
            layer("maxpool_tuple", () -> MaxPool2d.builder(3, 2).stride(2, 1).padding(1, 0).build(), F32),
            layer("maxpool_indices", () -> MaxPool2d.builder(2).returnIndices(true).build(), INDICES, F32),
            layer("maxpool_unbatched", () -> new MaxPool2d(2, 1), F32),
            layer("avgpool_2", () -> new AvgPool2d(2), F32),
            layer("avgpool_pad", () -> new AvgPool2d(3, 2, 1), F32),
            layer("avgpool_pad_exclude", () -> AvgPool2d.builder(3).stride(2).padding(1).countIncludePad(false).build(), F32),
            layer("avgpool_ceil", () -> AvgPool2d.builder(3).stride(2).ceilMode(true).build(), F32),
            layer("avgpool_ceil_pad_exclude",
                    () -> AvgPool2d.builder(2).stride(2).padding(1).ceilMode(true).countIncludePad(false).build(), F32),
            layer("avgpool_divisor", () -> AvgPool2d.builder(2, 3).stride(1, 2).divisorOverride(4).build(), F32),
            layer("adaptive_avg_1", () -> new AdaptiveAvgPool2d(1), F32),
            layer("adaptive_avg_1x1", () -> new AdaptiveAvgPool2d(1, 1), F32),
            layer("adaptive_avg_uneven", () -> new AdaptiveAvgPool2d(3, 2), F32),
            layer("adaptive_avg_upsizing", () -> new AdaptiveAvgPool2d(4), F32),
            layer("adaptive_avg_none", () -> new AdaptiveAvgPool2d(null, 2), F32),
            layer("adaptive_max_2", () -> new AdaptiveMaxPool2d(2), F32),
            layer("adaptive_max_indices", () -> new AdaptiveMaxPool2d(3, 2, true), INDICES, F32),
            // upsampling
            layer("upsample_nearest_2", () -> Upsample.scale(2, "nearest"), F32),
            layer("upsample_nearest_size", () -> Upsample.size(IntOrTuple.tuple(5, 7), "nearest"), F32),
            layer("upsample_nearest_int_size", () -> Upsample.size(IntOrTuple.of(6), "nearest"), F32),
            layer("upsample_nearest_frac", () -> Upsample.scale(1.7, "nearest"), F32),
            layer("upsample_nearest_tuple", () -> new Upsample(null, new double[]{2, 3}, "nearest", null), F32),
            layer("upsample_bilinear_2", () -> Upsample.scale(2, "bilinear"), F32),
            layer("upsample_bilinear_align", () -> Upsample.scale(2, "bilinear", true), F32),
            layer("upsample_bilinear_size", () -> Upsample.size(IntOrTuple.tuple(5, 3), "bilinear"), F32),
            layer("upsample_bilinear_size_align", () -> Upsample.size(IntOrTuple.tuple(7, 2), "bilinear", true), F32),
            layer("upsample_bilinear_frac", () -> Upsample.scale(1.5, "bilinear"), F32),
            // embedding
            layer("embedding", () -> new Embedding(10, 3), F32),
            layer("embedding_padding", () -> new Embedding(6, 4, 0), F32),
            layer("embedding_padding_negative", () -> new Embedding(6, 2, -1), F32),
            layer("embedding_scalar_index", () -> new Embedding(4, 3), F32));

    @TestFactory
    Stream<DynamicTest> layersMatchPyTorch() {
        Map<String, FixtureFile.Case> fixtures = FixtureFile.readResource(FIXTURE).byName();
        Map<String, LayerCase> layers = new LinkedHashMap<>();
        for (LayerCase c : LAYERS) {
            if (layers.put(c.name(), c) != null) fail("LayerParityTest lists '" + c.name() + "' twice");
        }
        DynamicTest inSync = dynamicTest("every fixture case has a line here", () -> {
            List<String> missing = fixtures.keySet().stream().filter(n -> !layers.containsKey(n)).toList();
            assertTrue(missing.isEmpty(), FIXTURE + " has cases with no line in LayerParityTest: " + missing);
        });
        return Stream.concat(Stream.of(inSync), LAYERS.stream().map(c -> dynamicTest(c.name(), () -> {
            FixtureFile.Case fixture = fixtures.get(c.name());
            assertNotNull(fixture, c.name() + ": no such case in " + FIXTURE
                    + " (add it to tests/fixtures/make_layer_fixtures.py and regenerate)");
            check(c, fixture);
        })));
    }

    private static void check(LayerCase c, FixtureFile.Case fixture) {
        Map<String, Tensor> t = fixture.tensors();
        String name = c.name();
        Module m = c.layer().get();
        assertEquals(text(t.get("repr")), m.toString(), name + ": repr");
        if (c.run() == Run.REPR_ONLY) return;

        m.train(c.run() != Run.EVAL);
        m.loadStateDict(prefixed(t, "state."));
        Tensor x = t.get("in");
        if (t.containsKey("gin")) x.requiresGrad_(true);
        Tensor out, indices = null;
        if (c.run() == Run.INDICES) {
            ValuesIndices r = m instanceof MaxPool2d p ? p.forwardWithIndices(x) : ((AdaptiveMaxPool2d) m).forwardWithIndices(x);
            out = r.values();
            indices = r.indices();
        } else {
            out = m.forward(c.run() == Run.TRAIN_THROUGH_COPY ? x.mul(1.0) : x);
        }
        OpParityTest.assertClose(name + ": out", out, t.get("out"), c.tol());
        if (indices != null) OpParityTest.assertClose(name + ": indices", indices, t.get("out1"), 0);

        out.backward(t.get("gout"));
        if (t.containsKey("gin")) {
            assertNotNull(x.grad(), name + ": input grad is null after backward");
            OpParityTest.assertClose(name + ": input grad", x.grad(), t.get("gin"), c.tol());
        }
        Map<String, Tensor> params = m.namedParameters();
        Map<String, Tensor> expectedGrads = prefixed(t, "grad.");
        assertEquals(expectedGrads.keySet(), params.keySet(), name + ": parameters");
        for (var e : expectedGrads.entrySet()) {
            Tensor g = params.get(e.getKey()).grad();
            assertNotNull(g, name + ": " + e.getKey() + ".grad() is null after backward");
            OpParityTest.assertClose(name + ": grad of " + e.getKey(), g, e.getValue(), c.tol());
        }
        Map<String, Tensor> buffers = m.namedBuffers();
        for (var e : prefixed(t, "after.").entrySet()) {
            Tensor b = buffers.get(e.getKey());
            assertNotNull(b, name + ": no buffer " + e.getKey());
            OpParityTest.assertClose(name + ": buffer " + e.getKey() + " after forward", b, e.getValue(), c.tol());
        }
    }

    private static Map<String, Tensor> prefixed(Map<String, Tensor> t, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        t.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }

    private static String text(Tensor utf8) {
        long[] v = utf8.toLongArray();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return new String(b, StandardCharsets.UTF_8);
    }
}
