package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code jtorch run resnet18 --weights IMAGENET1K_V1}: the weights come from PyTorch's hub cache
 * under TORCH_HOME (a child process, so that the environment variable is its own), without any
 * network, and give the same output as the same file passed by path.
 */
class PretrainedCliTest {
    @TempDir
    Path dir;

    private String run(Path torchHome, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "dev.jtorch.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TORCH_HOME", torchHome.toString());
        pb.environment().remove("XDG_CACHE_HOME");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void namedWeightsComeFromTheHubCache() throws Exception {
        Torch.manualSeed(3);
        Module model = Models.create("resnet18");
        Path checkpoints = Files.createDirectories(dir.resolve("torch/hub/checkpoints"));
        PthWriter.save(model.stateDict(), checkpoints.resolve("resnet18-f37072fd.pth")); // torchvision's file name
        Path x = dir.resolve("x.pth");
        PthWriter.save(Torch.randn(1, 3, 64, 64), x);

        run(dir.resolve("torch"), "run", "resnet18", "--weights", "IMAGENET1K_V1", "--input", x.toString(),
                "--output", dir.resolve("named.pth").toString());
        run(dir.resolve("torch"), "run", "resnet18", "--weights", checkpoints.resolve("resnet18-f37072fd.pth").toString(),
                "--input", x.toString(), "--output", dir.resolve("path.pth").toString());
        float[] named = ((Tensor) Checkpoints.load(dir.resolve("named.pth"))).toFloatArray();
        float[] byPath = ((Tensor) Checkpoints.load(dir.resolve("path.pth"))).toFloatArray();
        assertEquals(1000, named.length);
        assertArrayEquals(byPath, named);
    }
}
