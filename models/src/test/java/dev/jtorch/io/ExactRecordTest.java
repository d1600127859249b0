package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A storage's zip record must be exactly the storage's byte size, as PyTorch writes it: a record
 * with bytes to spare is refused naming the record and both sizes, stored or compressed (a
 * compressed one before any of it is inflated: a megabyte of zeros deflates to a kilobyte).
 */
class ExactRecordTest {
    @TempDir
    Path dir;

    private Path saved() throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("w", TensorInternals.of(Backends.of(Device.CPU).fromArray(DType.FLOAT32, new float[]{1, 2, 3, 4, 5, 6}), Layout.contiguous(2, 3)));
        Path file = dir.resolve("exact.pth");
        PthWriter.save(sd, file);
        return file;
    }

    /** The same archive with {@code extra} bytes appended to the storage record, STORED or DEFLATED. */
    private Path withLongerRecord(Path original, int extra, boolean deflate) throws IOException {
        Path out = dir.resolve((deflate ? "deflated" : "stored") + extra + ".pth");
        try (ZipFile in = new ZipFile(original.toFile());
             ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : in.stream().toList()) {
                byte[] content = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith("/data/0")) content = Arrays.copyOf(content, content.length + extra);
                ZipEntry copy = new ZipEntry(e.getName());
                if (deflate) {
                    copy.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(content.length);
                    copy.setCrc(crc.getValue());
                }
                z.putNextEntry(copy);
                z.write(content);
                z.closeEntry();
            }
        }
        return out;
    }

    @Test
    void exactRecordsLoadAndLongerOnesAreRefused() throws IOException {
        Path good = saved();
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, ((Tensor) ((Map<?, ?>) Checkpoints.load(good)).get("w")).toFloatArray());
        // Re-written by java.util.zip without change, it still loads: only the size matters.
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6},
                ((Tensor) ((Map<?, ?>) Checkpoints.load(withLongerRecord(good, 0, true))).get("w")).toFloatArray());

        for (boolean deflate : new boolean[]{false, true}) {
            int extra = deflate ? 1 << 20 : 4;
            Path bad = withLongerRecord(good, extra, deflate);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(bad));
            assertTrue(e.getMessage().contains("(24 bytes) but its record archive/data/0 holds " + (24 + extra) + " bytes"),
                    e.getMessage());
        }
    }
}
