package dev.jtorch.cli;

import dev.jtorch.Torch;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.KernelWarmup;
import dev.jtorch.models.Models;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the launcher's AOT cache (JDK 25, JEP 483/515): {@code ./jtorch} runs this
 * once per build with {@code -XX:AOTCacheOutput}, and the short commands then start with the
 * classes it loaded already parsed and linked and with its method profiles. It does what they do
 * on a ResNet-18 checkpoint of its own: {@code run} (twice, so the forward pass is profiled after
 * the first pass's deoptimisations), {@code summary}, {@code inspect} and {@code convert}, and the
 * kernel warm-up. Not a subcommand: nobody needs to call it but the launcher.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jtorch-aot");
        int failures;
        try {
            failures = train(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // A failed step would only leave its classes out of the cache; the status says so.
        if (failures != 0) System.exit(1);
    }

    /** The workload, with its files in {@code dir}; returns how many of the commands failed. */
    public static int train(Path dir) throws IOException, InterruptedException {
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Thread warmup = KernelWarmup.start();
        Path w = dir.resolve("w.pth"), x = dir.resolve("x.pth"), y = dir.resolve("y.pth");
        PthWriter.save(Models.resnet18().stateDict(), w);
        PthWriter.save(Torch.randn(1, 3, 64, 64), x);
        if (warmup != null) warmup.join();
        int failures = 0;
        for (int i = 0; i < 2; i++) {
            failures += Main.execute(quiet, quiet, "run", "resnet18", "--weights", w.toString(), "--input", x.toString(),
                    "--output", y.toString());
        }
        failures += Main.execute(quiet, quiet, "summary", "resnet18");
        failures += Main.execute(quiet, quiet, "inspect", w.toString());
        failures += Main.execute(quiet, quiet, "convert", w.toString(), dir.resolve("w.safetensors").toString());
        return failures;
    }
}
