package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.UnknownModule;
import dev.jtorch.io.Unpickler;
import dev.jtorch.models.PickledModelLoader;
import dev.jtorch.models.ResNet;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Identity;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.Sequential;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.jtorch.tests.OpParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole pickled models ({@code torch.save(model)}) written by PyTorch with
 * {@code tests/fixtures/make_pickled_model_fixtures.py}: the rebuilt tree prints as
 * {@code print(model)}, gives PyTorch's output on the saved input, and names the classes jtorch
 * does not know. Small models are committed; whole torchvision models (tens of MB) are written
 * into target/ when /usr/bin/python3 has torch and torchvision, and skipped otherwise.
 */
class PickledModelTest {
    static final Path SCRIPT = Path.of("fixtures", "make_pickled_model_fixtures.py").toAbsolutePath();
    static final Path LARGE = Path.of("target", "pickled-models").toAbsolutePath();

    static Path small() {
        try {
            return Path.of(PickledModelTest.class.getResource("/fixtures/pickled_models/MANIFEST.txt").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> smallModels() throws IOException {
        return cases(small());
    }

    @TestFactory
    Stream<DynamicTest> torchvisionModels() throws Exception {
        if (!largeFixtures()) SystemTorch.assume("the torchvision models pickled whole (PyTorch writes them into target/)");
        return cases(LARGE);
    }

    /** Writes the large fixtures once (they stay in target/ between runs); false without PyTorch. */
    static synchronized boolean largeFixtures() throws Exception {
        if (Files.exists(LARGE.resolve("MANIFEST.txt"))) return true;
        if (!SystemTorch.available()) return false;
        CheckpointLargeTest.run(SystemTorch.PYTHON.toString(), SCRIPT.toString(), "--large", LARGE.toString());
        return true;
    }

    private static Stream<DynamicTest> cases(Path dir) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("MANIFEST.txt"))) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            String name = parts[0];
            Set<String> unknown = parts[1].equals("-") ? Set.of() : new LinkedHashSet<>(Arrays.asList(parts[1].split(",")));
            tests.add(DynamicTest.dynamicTest(name, () -> check(dir, name, unknown)));
        }
        return tests.stream();
    }

    private static void check(Path dir, String name, Set<String> unknown) throws IOException {
        var rebuilt = PickledModelLoader.load(dir.resolve(name + ".pth"));
        String expectedTree = Files.readString(dir.resolve(name + ".txt"), StandardCharsets.UTF_8).stripTrailing();
        assertEquals(expectedTree, rebuilt.module().toString(), name + ": print(model)");
        assertEquals(unknown, rebuilt.unknownClasses(), name + ": unknown classes");

        PickledModule described = (PickledModule) Checkpoints.load(dir.resolve(name + ".pth"),
                new Unpickler.Options().describeModules(true));
        assertEquals(List.copyOf(described.stateDict().keySet()), List.copyOf(rebuilt.module().stateDict().keySet()),
                name + ": state dict keys");
        assertFalse(rebuilt.module().isTraining(), name + ": saved in eval mode");

        Tensor x = (Tensor) Checkpoints.load(dir.resolve(name + ".input.pth"));
        Tensor expected = (Tensor) Checkpoints.load(dir.resolve(name + ".output.pth"));
        if (unknown.isEmpty()) {
            try (var g = Torch.noGrad()) {
                assertClose(name, rebuilt.runnableModule().forward(x), expected, 1e-4);
            }
        } else {
            var e = assertThrows(UnsupportedOperationException.class, () -> rebuilt.runnableModule().forward(x));
            for (String c : unknown) assertTrue(e.getMessage().contains(c), e.getMessage());
            var direct = assertThrows(UnsupportedOperationException.class, () -> rebuilt.module().forward(x));
            assertTrue(direct.getMessage().contains(unknown.iterator().next()), direct.getMessage());
        }
    }

    @Test
    void userClassKeepsItsTreeStateAndRunnableChildren() throws IOException {
        var rebuilt = PickledModelLoader.load(small().resolve("user.pth"));
        Module net = rebuilt.module();
        assertInstanceOf(UnknownModule.class, net);
        assertEquals("UserNet", net.typeName());
        assertEquals(Set.of("__main__.UserNet"), rebuilt.unknownClasses());
        // the known children run: features then head by hand is UserNet's forward
        Tensor x = (Tensor) Checkpoints.load(small().resolve("user.input.pth"));
        Tensor expected = (Tensor) Checkpoints.load(small().resolve("user.output.pth"));
        try (var g = Torch.noGrad()) {
            Tensor y = net.getSubmodule("head").forward(net.getSubmodule("features").forward(x).flatten(1));
            assertClose("user by hand", y, expected, 1e-4);
        }
    }

    @Test
    void torchvisionBlocksComeBackAsTheirJavaClasses() throws IOException {
        Module block = PickledModelLoader.load(small().resolve("basic_block.pth")).runnableModule();
        assertInstanceOf(ResNet.BasicBlock.class, block);
        assertEquals(2, ((ResNet.BasicBlock) block).stride);
        assertInstanceOf(Sequential.class, block.getSubmodule("downsample"));
    }

    @Test
    void changedResNetKeepsItsChangedChildren() throws Exception {
        if (!largeFixtures()) SystemTorch.assume("a changed torchvision ResNet pickled whole");
        Module net = PickledModelLoader.load(LARGE.resolve("resnet18_changed.pth")).runnableModule();
        assertInstanceOf(ResNet.class, net);
        assertEquals(1, ((Conv2d) net.getSubmodule("conv1")).inChannels);
        assertInstanceOf(Identity.class, net.getSubmodule("maxpool"));
        assertEquals(4, ((Sequential) net.getSubmodule("fc")).size());
        assertEquals(List.of(10, 64), Arrays.stream(net.stateDict().get("fc.3.weight").shape()).boxed().toList());
    }

    @Test
    void settingsThatContradictTheWeightsAreReported() {
        var e = assertThrows(CheckpointException.class, () -> PickledModelLoader.load(small().resolve("bad_linear.pth")));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight"), e.getMessage());
    }

    @Test
    void aStateDictIsNotAWholeModel() {
        var e = assertThrows(CheckpointException.class, () -> PickledModelLoader.load(small().resolve("state_dict_only.pth")));
        assertTrue(e.getMessage().contains("not a whole pickled model"), e.getMessage());
    }

    @Test
    void privateTorchvisionClassesAreKnown() throws IOException {
        // torchvision's _DenseBlock, _DenseLayer and _Transition start with '_' but are library classes
        var rebuilt = PickledModelLoader.load(small().resolve("dense_block.pth"));
        assertEquals(Set.of(), rebuilt.unknownClasses());
        assertEquals("_DenseLayer", rebuilt.module().getSubmodule("0.denselayer1").typeName());
    }
}
