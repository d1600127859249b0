package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.jtorch.tests.CheckpointCliTest.jtorch;
import static dev.jtorch.tests.OpParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jtorch summary}, {@code jtorch run} and {@code jtorch bench model}: output, files written, error lines. */
class ModelCliTest {
    @TempDir
    Path dir;

    static Path fixture(String name) { return PickledModelTest.small().resolve(name); }

    static void assertOneErrorLine(CheckpointCliTest.Run r, String... fragments) {
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "'" + f + "' not in " + r.err());
    }

    @Test
    void summaryOfAZooModelIsItsPrintedTree() {
        var r = jtorch("summary", "resnet18", "--num-classes", "10");
        assertEquals(0, r.status(), r.err());
        assertEquals(Models.create("resnet18", ModelOptions.numClasses(10)).toString() + "\n", r.out());
        assertTrue(r.out().startsWith("ResNet(\n  (conv1): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)\n"));
        assertTrue(r.out().contains("\n  (fc): Linear(in_features=512, out_features=10, bias=True)\n)"), r.out());
    }

    @Test
    void summaryOfUNetTakesItsOptions() {
        var r = jtorch("summary", "unet", "--in-channels", "1", "--num-classes", "2", "--bilinear", "false");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("UNet(\n  (inc): DoubleConv(\n    (double_conv): Sequential(\n"
                + "      (0): Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n"), r.out());
        assertTrue(r.out().contains("(up): ConvTranspose2d(1024, 512, kernel_size=(2, 2), stride=(2, 2))"), r.out());
        assertTrue(r.out().contains("(conv): Conv2d(64, 2, kernel_size=(1, 1), stride=(1, 1))"), r.out());
    }

    @Test
    void summaryOfAPickledModelIsPyTorchsPrint() throws IOException {
        var r = jtorch("summary", fixture("layers.pth").toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(Files.readString(fixture("layers.txt")), r.out());
        assertEquals("", r.err());

        var user = jtorch("summary", fixture("user.pth").toString());
        assertEquals(0, user.status(), user.err());
        assertEquals(Files.readString(fixture("user.txt")), user.out());
        assertTrue(user.err().startsWith("note: ") && user.err().contains("__main__.UserNet"), user.err());
    }

    @Test
    void summaryErrors() {
        assertOneErrorLine(jtorch("summary", "resnet19"), "unknown model 'resnet19'", "resnet18");
        assertOneErrorLine(jtorch("summary", dir.resolve("missing.pth").toString()), "missing.pth", "no such file");
        assertOneErrorLine(jtorch("summary", fixture("layers.pth").toString(), "--num-classes", "3"), "pickled model");
        assertOneErrorLine(jtorch("summary", fixture("state_dict_only.pth").toString()), "not a whole pickled model");
        assertOneErrorLine(jtorch("summary", "resnet18", "--num-classes", "0"), "num_classes must be positive");
    }

    @Test
    void runAPickledModel() throws IOException {
        Path out = dir.resolve("y.pth");
        var r = jtorch("run", fixture("inception_a.pth").toString(), "--input", fixture("inception_a.input.pth").toString(),
                "--output", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("wrote " + out + ": float32 [1, 228, 7, 7]\n", r.out());
        assertClose("run inception_a", (Tensor) Checkpoints.load(out), (Tensor) Checkpoints.load(fixture("inception_a.output.pth")), 1e-4);
    }

    @Test
    void runAZooModelWithDataParallelWeightsInACheckpoint() throws IOException {
        Torch.manualSeed(3);
        Module net = Models.create("squeezenet1_1", ModelOptions.numClasses(3));
        Map<String, Tensor> prefixed = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> prefixed.put("module." + k, v));
        Path weights = dir.resolve("ckpt.pth"), input = dir.resolve("x.pth"), out = dir.resolve("y.pth");
        PthWriter.save(Map.of("epoch", 3L, "model_state_dict", prefixed), weights);
        Tensor x = Torch.randn(2, 3, 48, 40);
        PthWriter.save(x, input);

        var r = jtorch("run", "squeezenet1_1", "--num-classes", "3", "--weights", weights.toString(), "--input", input.toString(),
                "--output", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().startsWith("note: ") && r.err().contains("'module.'"), r.err());
        net.eval();
        try (var g = Torch.noGrad()) {
            assertClose("run squeezenet1_1", (Tensor) Checkpoints.load(out), net.forward(x), 1e-5);
        }
    }

    @Test
    void runErrors() throws IOException {
        Path x = fixture("layers.input.pth").toAbsolutePath(), y = dir.resolve("y.pth");
        assertOneErrorLine(jtorch("run", "resnet18", "--input", x.toString(), "--output", y.toString()), "--weights is required");
        assertOneErrorLine(jtorch("run", fixture("user.pth").toString(), "--input", x.toString(), "--output", y.toString()),
                "__main__.UserNet");
        assertOneErrorLine(jtorch("run", fixture("layers.pth").toString(), "--input", dir.resolve("nope.pth").toString(),
                "--output", y.toString()), "nope.pth", "no such file");
        Path notTensor = dir.resolve("dict.pth");
        PthWriter.save(Map.of("x", Torch.ones(2)), notTensor);
        assertOneErrorLine(jtorch("run", fixture("layers.pth").toString(), "--input", notTensor.toString(), "--output",
                y.toString()), "expected one tensor");
        Path wrongShape = dir.resolve("wrong.pth");
        PthWriter.save(Torch.randn(1, 5, 8, 8), wrongShape);
        var r = jtorch("run", fixture("layers.pth").toString(), "--input", wrongShape.toString(), "--output", y.toString());
        assertOneErrorLine(r);
        assertTrue(!Files.exists(y), "no output after a failed run");
    }

    @Test
    void benchModelPrintsTimeAndMemory() {
        var r = jtorch("bench", "model", "squeezenet1_1", "--batch", "2", "--size", "40", "48", "--threads", "1", "--warmup", "1",
                "--warmup-seconds", "0", "--iters", "2", "--profile");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s)jtorch_model model=squeezenet1_1 batch=2 size=40x48 threads=1 mode=eval ms=[0-9.]+ "
                + "min_ms=[0-9.]+ iters=2 heap_peak_mb=[0-9.]+ rss_peak_mb=[0-9.]+\nprofile: .*Conv2d .*other .*"), r.out());
        var t = jtorch("bench", "model", fixture("basic_block.pth").toString(), "--batch", "2", "--size", "9", "9", "--threads", "1",
                "--warmup", "1", "--warmup-seconds", "0", "--iters", "2", "--train");
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().startsWith("jtorch_model model=basic_block.pth batch=2 size=9x9 threads=1 mode=train ms="), t.out());
        assertOneErrorLine(jtorch("bench", "model", "resnet18", "--batch", "0"), "--batch");
    }
}
