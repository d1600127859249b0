package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.StateDict;
import dev.jtorch.io.Unpickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Large and crafted zip files, generated at test time (not committed): a 64 MB tensor written by
 * PyTorch (skipped without /usr/bin/python3 + torch), ZIP64 end records, zip bombs, overlapping
 * members. With {@code -Djtorch.bench=100} it also times a 100 MB state dict against torch.load
 * and prints both (no assertion).
 */
class CheckpointLargeTest {
    static final Path PYTHON = SystemTorch.PYTHON;
    static final Path SCRIPT = Path.of("fixtures", "make_checkpoint_fixtures.py").toAbsolutePath();

    @TempDir
    Path tmp;

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void sixtyFourMegabyteTensors() throws Exception {
        SystemTorch.assume("writing the 64 MB fixture");
        Path f = tmp.resolve("big64.pth");
        String[] out = run(PYTHON.toString(), SCRIPT.toString(), "--big", f.toString(), "64").split(" ");
        int n = Integer.parseInt(out[0]);
        StateDict sd = Checkpoints.loadStateDict(f);
        assertEquals(n, sd.size());
        double sum = 0;
        for (Tensor t : sd.values()) for (float v : t.toFloatArray()) sum += v;
        assertEquals(Double.parseDouble(out[1]), sum, 1e-6 * Math.max(1, Math.abs(sum)));
    }

    /** Load time and peak heap for a state dict of {@code jtorch.bench} MB, beside torch.load's. */
    @Test
    void benchAgainstTorchLoad() throws Exception {
        String mb = System.getProperty("jtorch.bench");
        assumeTrue(mb != null, "benchmark: run with -Djtorch.bench=100");
        SystemTorch.assume("the benchmark against torch.load");
        Path f = tmp.resolve("bench.pth");
        run(PYTHON.toString(), SCRIPT.toString(), "--big", f.toString(), mb);
        String torch = run(PYTHON.toString(), "-c", String.join("\n",
                "import resource, time, torch, sys",
                "torch.set_num_threads(1)",
                "best = 1e9",
                "for i in range(3):",
                "    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss",
                "    t = time.perf_counter(); sd = torch.load(sys.argv[1]); dt = time.perf_counter() - t",
                "    best = min(best, dt)",
                "    if i == 0: grow = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - r0",
                "    del sd",
                "print(f'{best*1000:.1f} ms, peak RSS +{grow/1024:.0f} MB')"), f.toString());
        long fileBytes = Files.size(f);
        double best = Double.MAX_VALUE;
        long peak = 0;
        for (int i = 0; i < 5; i++) {
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            long before = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long t = System.nanoTime();
            StateDict sd = Checkpoints.loadStateDict(f);
            best = Math.min(best, (System.nanoTime() - t) / 1e6);
            long after = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            if (i == 0) peak = after - before;
            assertTrue(!sd.isEmpty());
        }
        System.out.printf("checkpoint load, %.1f MB state dict: jtorch %.1f ms, peak heap +%d MB | torch.load %s%n",
                fileBytes / 1048576.0, best, peak >> 20, torch);
    }

    // ---- crafted archives ----------------------------------------------------------------------

    /** A pickle of {'a': 1}, protocol 2. */
    static final byte[] PICKLE = {(byte) 0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a', 'K', 1, 's', '.'};

    private static byte[] zip(boolean deflate, byte[] pickle, int padEntries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            ZipEntry e = new ZipEntry("archive/data.pkl");
            if (!deflate) {
                e.setMethod(ZipEntry.STORED);
                e.setSize(pickle.length);
                CRC32 crc = new CRC32();
                crc.update(pickle);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(pickle);
            z.closeEntry();
            for (int i = 0; i < padEntries; i++) {
                ZipEntry p = new ZipEntry("archive/extra/" + i);
                p.setMethod(ZipEntry.STORED);
                p.setSize(0);
                p.setCrc(0);
                z.putNextEntry(p);
                z.closeEntry();
            }
        }
        return bos.toByteArray();
    }

    private Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream o = Files.newOutputStream(p)) {
            o.write(data);
        }
        return p;
    }

    @Test
    void zip64EndRecordWithManyMembers() throws IOException {
        // more than 65535 members: the archive carries a ZIP64 end-of-central-directory record
        Path p = write("zip64.pth", zip(false, PICKLE, 70_000));
        assertEquals(java.util.Map.of("a", 1L), Checkpoints.load(p));
    }

    @Test
    void deflatedPickleAndInflateLimits() throws IOException {
        byte[] big = new byte[8 << 20]; // 8 MB of zeros after a valid pickle's bytes: inflates far
        System.arraycopy(PICKLE, 0, big, 0, PICKLE.length);
        Path p = write("deflated.pth", zip(true, big, 0));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoints.load(p, new Unpickler.Options().maxInflatedBytes(1 << 20)));
        assertTrue(e.getMessage().contains("above the limit"), e.getMessage());
        assertEquals(java.util.Map.of("a", 1L), Checkpoints.load(write("small.pth", zip(true, PICKLE, 0))));
    }

    @Test
    void zipBombRatioRefused() throws IOException {
        byte[] z = zip(true, PICKLE, 0);
        // declare 1 GB uncompressed in the central directory: more than DEFLATE can expand to
        int cd = lastIndexOf(z, new byte[] {'P', 'K', 1, 2});
        putInt(z, cd + 24, 1 << 30);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoints.load(write("bomb.pth", z), new Unpickler.Options().maxInflatedBytes(2L << 30)));
        assertTrue(e.getMessage().contains("zip bomb"), e.getMessage());
    }

    @Test
    void overlappingMembersRefused() throws IOException {
        byte[] z = zip(false, PICKLE, 1);
        int second = lastIndexOf(z, new byte[] {'P', 'K', 1, 2});
        putInt(z, second + 42, 0); // the second member's local header is the first's
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(write("ov.pth", z)));
        assertTrue(e.getMessage().contains("overlap") || e.getMessage().contains("local header"), e.getMessage());
    }

    @Test
    void deepNestingRefusedWithoutStackOverflow() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        for (int i = 0; i < 200_000; i++) b.write(']'); // lists inside lists, via APPEND
        for (int i = 0; i < 199_999; i++) b.write('a');
        b.write('.');
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoints.load(write("deep.pkl", b.toByteArray())));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.write(0x80);
        t.write(2);
        t.write('}');
        t.write('K');
        t.write(1);
        for (int i = 0; i < 200_000; i++) t.write(0x85); // TUPLE1 nested 200k deep, used as a dict key
        t.write('K');
        t.write(2);
        t.write('s');
        t.write('.');
        e = assertThrows(CheckpointException.class, () -> Checkpoints.load(write("deepkey.pkl", t.toByteArray())));
        assertTrue(e.getMessage().contains("key too large") || e.getMessage().contains("nested"), e.getMessage());
    }

    private static int lastIndexOf(byte[] a, byte[] pat) {
        outer:
        for (int i = a.length - pat.length; i >= 0; i--) {
            for (int j = 0; j < pat.length; j++) if (a[i + j] != pat[j]) continue outer;
            return i;
        }
        throw new IllegalStateException("pattern not found");
    }

    private static void putInt(byte[] a, int at, int v) {
        for (int i = 0; i < 4; i++) a[at + i] = (byte) (v >>> (8 * i));
    }
}
