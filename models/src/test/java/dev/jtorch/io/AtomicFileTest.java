package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A write that fails midway leaves the old file as it was, no temporary file, and the error itself. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsMidwayLeavesTheOldFile() throws IOException {
        Path target = dir.resolve("model.pth");
        byte[] old = "the old checkpoint".getBytes();
        Files.write(target, old);
        IOException diskFull = new IOException("No space left on device (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.write(target, channel -> {
            channel.write(ByteBuffer.wrap(new byte[1 << 20])); // half a checkpoint is on disk ...
            throw diskFull;                                    // ... when the disk fills up
        }));
        assertSame(diskFull, thrown, "the caller sees the I/O error itself");
        assertArrayEquals(old, Files.readAllBytes(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file is removed");
        }
    }
}
