package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.StateDict;
import dev.jtorch.models.DenseNet;
import dev.jtorch.models.Inception3;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.models.UNet;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.StateDictException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DenseNet 121/161/169/201, Inception v3 and the tutorials' U-Net against torchvision 0.14 /
 * PyTorch 1.13, through {@code tests/fixtures/make_model_fixtures2.py}:
 * <ul>
 *   <li>{@code toString()} equals {@code print(model)} (committed: {@code fixtures/model_zoo2_trees.txt});
 *   <li>PyTorch's state dict (random weights, BatchNorm statistics measured and perturbed) loads
 *       strictly and the eval-mode output is within 1e-4 of PyTorch's, relative to its largest value;
 *   <li>densenet121's state dict with the 2017 names ({@code norm.1}, no {@code num_batches_tracked})
 *       loads through {@link DenseNet#upgradeLegacyStateDict}.
 * </ul>
 * The weight files are hundreds of MB, so they are not committed: the setup writes them into
 * {@code target/model-zoo2} when {@code /usr/bin/python3} has torchvision, and those tests are
 * skipped otherwise.
 */
class ModelZooParity2Test {
    private static final String TREES = "/fixtures/model_zoo2_trees.txt";
    private static final Path PYTHON = SystemTorch.PYTHON;
    private static final Path SCRIPT = Path.of("fixtures", "make_model_fixtures2.py").toAbsolutePath();
    private static final Path WEIGHTS = Path.of("target", "model-zoo2").toAbsolutePath();

    private static Map<String, String> trees;
    /** null when the weight fixtures could be written; else why not. */
    private static boolean weightsWritten;

    /** The Java model of each fixture case, built as the Python script builds it. */
    private static final Map<String, Supplier<Module>> CASES = new LinkedHashMap<>();

    static {
        CASES.put("densenet121", Models::densenet121);
        CASES.put("densenet161", Models::densenet161);
        CASES.put("densenet169", Models::densenet169);
        CASES.put("densenet201", Models::densenet201);
        CASES.put("densenet121_10", () -> Models.densenet121(10));
        CASES.put("inception_v3", Models::inception_v3);
        CASES.put("inception_v3_transform_noaux", () -> Models.create("inception_v3", ModelOptions.numClasses(10)
                .with("aux_logits", false).with("transform_input", true)));
        CASES.put("unet_bilinear", () -> new UNet(3, 2, true));
        CASES.put("unet_transposed", () -> Models.unet(3, 2, false));
    }

    @BeforeAll
    static void setUp() throws Exception {
        trees = readTrees();
        weightsWritten = writeWeights();
    }

    private static Map<String, String> readTrees() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = ModelZooParity2Test.class.getResourceAsStream(TREES)) {
            assertNotNull(in, TREES + " is not on the class path (run /usr/bin/python3 tests/fixtures/make_model_fixtures2.py --trees)");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("case ")) throw new IllegalArgumentException(TREES + ": expected 'case <name>', got " + line);
                String name = line.substring(5);
                int n = Integer.parseInt(r.readLine().substring("lines ".length()));
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < n; i++) lines.add(r.readLine());
                if (!"end".equals(r.readLine())) throw new IllegalArgumentException(TREES + ": " + name + ": no 'end'");
                out.put(name, String.join("\n", lines));
            }
        }
        return out;
    }

    /**
     * Runs the script unless target/ already holds its output for this very script (a stamp of its
     * hash); false without PyTorch.
     */
    private static boolean writeWeights() throws Exception {
        if (!SystemTorch.available()) return false;
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(SCRIPT)));
        Path stamp = WEIGHTS.resolve("stamp");
        if (Files.exists(stamp) && Files.readString(stamp).equals(hash)) return true;
        Files.createDirectories(WEIGHTS);
        Process p = new ProcessBuilder(PYTHON.toString(), "-W", "ignore", SCRIPT.toString(), "--weights", WEIGHTS.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(SCRIPT + " failed:\n" + out);
        Files.writeString(stamp, hash);
        return true;
    }

    private static void assumeWeights() {
        if (!weightsWritten) SystemTorch.assume("the comparison with PyTorch (its weight fixtures are generated at test time)");
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        double scale = 0, worst = 0;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(e[i] - a[i]));
        assertTrue(worst <= 1e-4 * Math.max(scale, 1e-12),
                what + ": max |difference| " + worst + " over output scale " + scale + " = " + worst / scale);
    }

    private static void assertOutputMatches(String name, Module model) throws IOException {
        StateDict io = Checkpoints.loadStateDict(WEIGHTS.resolve(name + ".io.pth"));
        model.eval();
        try (var g = Torch.noGrad()) {
            assertClose(io.get("output"), model.forward(io.get("input")), name);
        }
    }

    // ---- printed trees --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "densenet161", "densenet169", "densenet201", "densenet121_10", "inception_v3",
            "inception_v3_transform_noaux", "unet_bilinear", "unet_transposed"})
    void printsAsPyTorch(String name) {
        String want = trees.get(name);
        assertNotNull(want, "no case '" + name + "' in " + TREES);
        assertEquals(want, CASES.get(name).get().toString(), name);
    }

    // ---- weights and outputs --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "densenet161", "densenet169", "densenet201", "densenet121_10", "inception_v3",
            "inception_v3_transform_noaux", "unet_bilinear", "unet_transposed"})
    void loadsStrictlyAndMatchesEvalOutput(String name) throws IOException {
        assumeWeights();
        Module model = CASES.get(name).get();
        model.loadStateDict(Checkpoints.loadStateDict(WEIGHTS.resolve(name + ".pth")), true);
        assertOutputMatches(name, model);
    }

    /** Training mode at 299x299 (the auxiliary head's minimum): BatchNorm on batch statistics, both heads. */
    @Test
    void inceptionTrainingModeMatchesBothHeads() throws IOException {
        assumeWeights();
        Inception3 net = new Inception3(10, true, false, true, 0.0);
        net.loadStateDict(Checkpoints.loadStateDict(WEIGHTS.resolve("inception_v3_train.pth")), true);
        StateDict io = Checkpoints.loadStateDict(WEIGHTS.resolve("inception_v3_train.io.pth"));
        net.train();
        Inception3.InceptionOutputs out;
        try (var g = Torch.noGrad()) {
            out = net.forwardWithAux(io.get("input"));
        }
        assertClose(io.get("output"), out.logits(), "inception_v3_train logits");
        assertClose(io.get("aux"), out.auxLogits(), "inception_v3_train aux_logits");
    }

    @Test
    void denseNetLegacyKeysLoadAfterTheRemap() throws IOException {
        assumeWeights();
        Path legacy = WEIGHTS.resolve("densenet121_legacy.pth");
        StateDict old = Checkpoints.loadStateDict(legacy);
        assertTrue(old.containsKey("features.denseblock1.denselayer1.norm.1.weight"), "fixture has the 2017 names");
        assertThrows(StateDictException.class, () -> DenseNet.densenet121(1000).loadStateDict(old, true));
        // through Models' loader, which applies torchvision's renaming
        assertOutputMatches("densenet121", Models.densenet121(legacy));
        // and by hand, with the public helpers
        DenseNet net = DenseNet.densenet121(1000);
        net.loadStateDict(DenseNet.upgradeLegacyStateDict(net, old), true);
        assertOutputMatches("densenet121", net);
    }

    // ---- no fixtures needed ---------------------------------------------------------------------

    @Test
    void legacyKeyRegexIsTorchvisions() {
        assertEquals("features.denseblock1.denselayer1.norm1.weight",
                DenseNet.remapLegacyKey("features.denseblock1.denselayer1.norm.1.weight"));
        assertEquals("features.denseblock4.denselayer16.conv2.weight",
                DenseNet.remapLegacyKey("features.denseblock4.denselayer16.conv.2.weight"));
        assertEquals("module.features.denseblock2.denselayer3.norm2.running_var",
                DenseNet.remapLegacyKey("module.features.denseblock2.denselayer3.norm.2.running_var"));
        for (String kept : List.of("features.denseblock1.denselayer1.norm.1.num_batches_tracked",
                "features.denseblock1.denselayer1.norm.3.weight", "features.transition1.norm.weight",
                "features.norm0.weight", "features.denseblock1.denselayer1.norm1.weight")) {
            assertEquals(kept, DenseNet.remapLegacyKey(kept));
        }
    }

    @Test
    void unetKeepsOddSizesAndItsTutorialKeys() {
        for (boolean bilinear : new boolean[]{true, false}) {
            UNet net = new UNet(1, 3, bilinear);
            assertTrue(net.stateDict().containsKey("up1.conv.double_conv.0.weight"));
            assertTrue(net.stateDict().containsKey("down4.maxpool_conv.1.double_conv.4.running_var"));
            assertEquals(bilinear, !net.stateDict().containsKey("up1.up.weight"));
            net.eval();
            try (var g = Torch.noGrad()) {
                assertArrayEquals(new int[]{1, 3, 37, 21}, net.forward(Torch.randn(1, 1, 37, 21)).shape());
            }
        }
    }

    @Test
    void inceptionTrainingGivesBothHeadsAndEvalOnlyLogits() {
        Inception3 net = new Inception3(7, true, false, true, 0.5);
        assertTrue(net.stateDict().containsKey("AuxLogits.fc.weight"));
        // torchvision's init: truncated normal, std 0.1, 0.001 on AuxLogits.fc
        double auxStd = net.stateDict().get("AuxLogits.fc.weight").std().item();
        double fcStd = net.stateDict().get("fc.weight").std().item();
        assertEquals(0.001, auxStd, 0.0002);
        assertEquals(0.1, fcStd, 0.01);
        net.eval();
        Inception3.InceptionOutputs eval;
        try (var g = Torch.noGrad()) {
            eval = net.forwardWithAux(Torch.randn(1, 3, 75, 75));
        }
        assertArrayEquals(new int[]{1, 7}, eval.logits().shape());
        assertNull(eval.auxLogits());
        assertTrue(Models.names().containsAll(List.of("densenet121", "densenet161", "densenet169", "densenet201",
                "inception_v3", "unet")));
    }
}
