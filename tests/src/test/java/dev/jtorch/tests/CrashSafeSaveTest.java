package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Saving is crash-safe: a child JVM is killed with SIGKILL while it writes a 200 MB checkpoint
 * over an existing one; the old file is still there, whole and loadable, under its name.
 */
class CrashSafeSaveTest {
    @TempDir
    Path dir;

    /** The child: saves a 200 MB state dict to args[0], again and again until it is killed. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Map<String, Object> big = new LinkedHashMap<>();
            big.put("weight", Torch.ones(50_000_000));
            while (true) PthWriter.save(big, Path.of(args[0]));
        }
    }

    @Test
    void sigkillDuringASaveLeavesTheOldFileWhole() throws Exception {
        Path target = dir.resolve("model.pth");
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("weight", Torch.tensor(new float[]{1, 2, 3}));
        PthWriter.save(old, target);
        byte[] oldBytes = Files.readAllBytes(target);

        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), Writer.class.getName(), target.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long midWrite = -1;
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline && child.isAlive()) {
                Optional<Path> temp = temporaryFile();
                long size = temp.isPresent() ? sizeOrZero(temp.get()) : 0;
                if (size > 20_000_000 && size < 190_000_000 && Files.size(target) == oldBytes.length) {
                    midWrite = size;
                    break;
                }
                Thread.sleep(1);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks in the child
            child.waitFor();
        }
        if (midWrite < 0) fail("never caught the child mid-write (alive: " + child.isAlive() + ")");
        System.out.println("crash-safe save: child killed with " + midWrite + " of ~200 MB written");
        // Only the old file may carry the name; it is byte for byte what it was, and loads.
        assertArrayEquals(oldBytes, Files.readAllBytes(target), "killed after " + midWrite + " bytes of the new file");
        Tensor back = (Tensor) ((Map<?, ?>) Checkpoints.load(target)).get("weight");
        assertArrayEquals(new float[]{1, 2, 3}, back.toFloatArray());
        // What the killed writer left is a dot-file beside it, never a file under the final name.
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.equals(target)) assertTrue(p.getFileName().toString().startsWith(".model.pth."), p.toString());
            }
        }
        assertEquals(oldBytes.length, Files.size(target));
    }

    private Optional<Path> temporaryFile() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).findFirst();
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            return 0; // renamed or removed between the listing and the size
        }
    }
}
