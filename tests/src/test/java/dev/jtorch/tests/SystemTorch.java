package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PyTorch (python3-torch and python3-torchvision for /usr/bin/python3), which the
 * comparisons with PyTorch run. Without it those tests skip on a developer's machine, but fail
 * under CI ({@code CI=true}, or {@code -Djtorch.requireTorch=true}): {@code .ci/run} installs it,
 * so a green CI run always means the comparisons ran.
 */
public final class SystemTorch {
    /**
     * Debian's python3, the one python3-torch installs into (the pyenv python3 on PATH has no torch);
     * {@code -Djtorch.python=...} points elsewhere.
     */
    public static final Path PYTHON = Path.of(System.getProperty("jtorch.python", "/usr/bin/python3"));

    private static String missing; // why torch cannot be used; "" once the probe found it
    private SystemTorch() {}

    /** True when {@link #PYTHON} imports torch and torchvision (probed once per JVM). */
    public static synchronized boolean available() {
        if (missing == null) missing = probe();
        return missing.isEmpty();
    }

    /**
     * Returns when PyTorch is available; otherwise skips the calling test, or fails it when CI
     * requires PyTorch. {@code what} names the check that needs it, for the report.
     */
    public static void assume(String what) {
        if (available()) return;
        String message = what + " needs PyTorch, and " + missing
                + " (apt-get install -y python3-torch python3-torchvision)";
        if (required()) fail(message + "; under CI this fails instead of skipping (.ci/run installs it)");
        Assumptions.abort("skipped: " + message);
    }

    /** Whether a missing PyTorch is a failure: under CI, or when asked for with -Djtorch.requireTorch=true. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("jtorch.requireTorch");
    }

    private static String probe() {
        if (!Files.isExecutable(PYTHON)) return PYTHON + " does not exist";
        try {
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision").redirectErrorStream(true);
            pb.environment().remove("PYTHONPATH");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return PYTHON + " took over 120 s to import torch";
            }
            if (p.exitValue() == 0) return "";
            String lastLine = out.substring(out.lastIndexOf('\n') + 1);
            return PYTHON + " cannot import torch and torchvision (" + lastLine + ")";
        } catch (IOException e) {
            return PYTHON + " could not be started (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the probe of " + PYTHON + " was interrupted";
        }
    }
}
