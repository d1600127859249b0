package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.StateDict;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.models.ResNet;
import dev.jtorch.models.SqueezeNet;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.Sequential;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The torchvision zoo against torchvision 0.14, model by model: {@code toString()} equals the committed
 * {@code print(model)} (no Python needed), and, when {@code /usr/bin/python3} has torchvision, a state
 * dict of random weights (non-trivial BatchNorm statistics) written by
 * {@code tests/fixtures/make_model_fixtures.py} into {@code target/model-zoo/} loads strictly and gives
 * PyTorch's eval-mode output within 1e-4 of the output's scale. The fixtures are big (a VGG is 0.5 GB)
 * and never committed: the script runs in the background, model after model, while the test checks
 * the ones already written and deletes each after use. Reduced block cases (a strided BasicBlock, a
 * grouped dilated Bottleneck, a Fire module) are committed and run without Python.
 */
class ModelZooParityTest {
    /** Debian's interpreter (torch 1.13, torchvision 0.14), see {@link SystemTorch}. */
    static final Path PYTHON = SystemTorch.PYTHON;
    static final Path SCRIPT = Path.of("fixtures", "make_model_fixtures.py").toAbsolutePath();
    static final Path OUT = Path.of("target", "model-zoo").toAbsolutePath();
    static final String RESOURCES = "/fixtures/model_zoo/";
    static final double TOLERANCE = 1e-4;
    /** The zoo in the order the script writes it. */
    static final List<String> ZOO = List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
            "wide_resnet50_2", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
            "alexnet", "squeezenet1_0", "squeezenet1_1");

    private static Process generator;
    private static final Set<String> written = ConcurrentHashMap.newKeySet();
    private static final StringBuilder generatorLog = new StringBuilder();

    /** Starts the fixture script once, in the background (false without PyTorch); its stdout names each model as it is written. */
    static synchronized boolean startGenerator() {
        if (generator != null) return true;
        if (!SystemTorch.available()) return false;
        try {
            Files.createDirectories(OUT);
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), "--zoo", OUT.toString()));
            cmd.addAll(ZOO);
            generator = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + SCRIPT, e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(generator.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (generatorLog) { generatorLog.append(line).append('\n'); }
                    written.add(line.strip());
                }
            } catch (IOException ignored) {
                // the process ended; waitFor reports how
            }
        }, "model-fixture-reader");
        reader.setDaemon(true);
        reader.start();
        return true;
    }

    /** Waits until the script has written {@code name}'s fixtures. */
    static void awaitFixture(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!written.contains(name)) {
            if (!generator.isAlive() && !written.contains(name)) {
                Thread.sleep(100); // let the reader drain the last lines
                if (written.contains(name)) break;
                synchronized (generatorLog) {
                    fail(SCRIPT + " exited with " + generator.exitValue() + " before writing " + name + ":\n" + generatorLog);
                }
            }
            if (System.nanoTime() > deadline) fail("timed out waiting for " + SCRIPT + " to write " + name);
            Thread.sleep(20);
        }
    }

    @AfterAll
    static void stopGenerator() throws InterruptedException {
        if (generator != null && generator.isAlive()) {
            generator.destroy();
            generator.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ModelZooParityTest.class.getResourceAsStream(RESOURCES + name)) {
            assertNotNull(in, RESOURCES + name + " is not on the class path (run /usr/bin/python3 " + SCRIPT.getFileName() + " --commit)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Path resourcePath(String name) {
        var url = ModelZooParityTest.class.getResource(RESOURCES + name);
        assertNotNull(url, RESOURCES + name + " is not on the class path");
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads {@code weights} strictly, runs {@code io}'s input in eval mode without grad, compares with its output. */
    static void assertParity(String name, Module model, Path weights, Path io) throws IOException {
        model.loadStateDict(Checkpoints.loadStateDict(weights), true);
        StateDict expected = Checkpoints.loadStateDict(io);
        model.eval();
        Tensor out;
        try (var g = Torch.noGrad()) {
            out = model.forward(expected.get("input"));
        }
        Tensor want = expected.get("output");
        assertArrayEquals(want.shape(), out.shape(), name + ": output shape");
        float[] a = out.toFloatArray(), b = want.toFloatArray();
        double scale = 0, worst = 0;
        for (float v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), name + ": output[" + i + "] = " + a[i]);
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(scale > 0, name + ": PyTorch's output is all zeros, the fixture checks nothing");
        System.out.printf("%s: max |jtorch - torch| / output scale = %.2e (scale %.3g)%n", name, worst / scale, scale);
        assertTrue(worst <= TOLERANCE * scale, String.format("%s: max |jtorch - torch| = %.3g, more than %.0e x output scale %.4g",
                name, worst, TOLERANCE, scale));
    }

    /** Per model: the printed tree (always) and, with torchvision present, the strict load and output. */
    @TestFactory
    Stream<DynamicTest> zoo() {
        return ZOO.stream().flatMap(name -> {
            Module[] model = new Module[1];
            Supplier<Module> built = () -> model[0] != null ? model[0] : (model[0] = Models.create(name, ModelOptions.defaults()));
            return Stream.of(
                    DynamicTest.dynamicTest(name + " prints as torchvision", () ->
                            assertEquals(resource(name + ".txt"), built.get().toString(), name + ": toString() vs print(model)")),
                    DynamicTest.dynamicTest(name + " matches torchvision", () -> {
                        try {
                            if (!startGenerator()) SystemTorch.assume(name + "'s comparison with torchvision");
                            awaitFixture(name);
                            Path weights = OUT.resolve(name + ".pth"), io = OUT.resolve(name + ".io.pth");
                            try {
                                assertEquals(Files.readString(OUT.resolve(name + ".txt")), built.get().toString(),
                                        name + ": toString() vs print(model) of the generating run");
                                assertParity(name, built.get(), weights, io);
                            } finally {
                                Files.deleteIfExists(weights);
                                Files.deleteIfExists(io);
                            }
                        } finally {
                            model[0] = null; // a VGG is 0.5 GB: let it go before the next model is built
                        }
                    }));
        });
    }

    // ---- committed reduced cases: no Python needed -----------------------------------------------------

    @TestFactory
    Stream<DynamicTest> blocks() {
        return Stream.of(
                DynamicTest.dynamicTest("basic_block_stride2", () -> block("basic_block_stride2",
                        new ResNet.BasicBlock(16, 32, 2, new Sequential(conv1x1(16, 32, 2), new BatchNorm2d(32)), 1, 64, 1, null))),
                DynamicTest.dynamicTest("bottleneck_grouped_dilated", () -> block("bottleneck_grouped_dilated",
                        new ResNet.Bottleneck(16, 8, 1, new Sequential(conv1x1(16, 32, 1), new BatchNorm2d(32)), 4, 8, 2, null))),
                DynamicTest.dynamicTest("fire", () -> block("fire", new SqueezeNet.Fire(8, 4, 6, 10))));
    }

    static Module conv1x1(int in, int out, int stride) {
        return dev.jtorch.nn.Conv2d.builder(in, out, 1).stride(stride).bias(false).build();
    }

    static void block(String name, Module block) throws IOException {
        assertEquals(resource(name + ".txt"), block.toString(), name + ": toString() vs print(module)");
        assertParity(name, block, resourcePath(name + ".pth"), resourcePath(name + ".io.pth"));
    }

}
