package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.IdxFile;
import dev.jtorch.data.ImageFolder;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.SafeTensors;
import dev.jtorch.io.ScanReport;
import dev.jtorch.io.Unpickler;
import dev.jtorch.models.TorchIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Every reader of files, fed mutated valid files ({@link CheckpointFuzzTest#mutate}: bit flips,
 * truncations, insertions, extreme integers): the checkpoint loader and the scanner, safetensors,
 * idx files, whole pickled models ({@code TorchIO.load}) and PNG/JPEG through
 * {@code ImageFolder}. A case passes when the reader returns or throws its typed exception
 * (IOException, unchecked only as DataLoader-style {@link UncheckedIOException}); it fails on
 * any other exception or error, on taking more than {@link #TIMEOUT_S} seconds (a hang), and on
 * allocating more than {@link #memoryBound} on its thread (a size taken from the file and
 * believed; images may claim up to the pixel limit, as in PIL). {@code -Djtorch.fuzz.cases=N} cases per reader (default 300, what CI runs).
 */
class ReaderFuzzTest {
    private static final int CASES = Integer.getInteger("jtorch.fuzz.cases", 300);
    private static final long TIMEOUT_S = 20;
    private static final long IMAGE_PIXELS = 1 << 22;

    private static ExecutorService worker;
    private static Thread workerThread;
    private static String previousMaxPixels;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        worker = Executors.newSingleThreadExecutor(r -> {
            workerThread = new Thread(r, "fuzz-case");
            workerThread.setDaemon(true);
            return workerThread;
        });
        worker.submit(() -> { }).get();
        // Images: a lower pixel limit than PIL's default, so the memory bound below can be tight.
        previousMaxPixels = System.setProperty("jtorch.image.maxPixels", Long.toString(IMAGE_PIXELS));
    }

    @AfterAll
    static void stop() {
        worker.shutdownNow();
        if (previousMaxPixels == null) System.clearProperty("jtorch.image.maxPixels");
        else System.setProperty("jtorch.image.maxPixels", previousMaxPixels);
    }

    /**
     * What a reader may allocate for a file of {@code size} bytes, plus {@code allowance}: generous,
     * but far below what a lying header asks for.
     */
    private static long memoryBound(long size, long allowance) {
        return (96L << 20) + 64 * size + allowance;
    }

    /**
     * An image header may claim any size up to the pixel limit, and the decoder allocates the raster
     * before it finds the data missing (16-bit RGBA: 8 bytes a pixel), then jtorch's copy: as PIL.
     */
    private static final long IMAGE_ALLOWANCE = 32 * IMAGE_PIXELS;

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    /** Runs {@link #CASES} mutations of the seeds through {@code reader}; returns how many it accepted. */
    private int fuzz(String name, List<byte[]> seeds, String extension, Reader reader) throws Exception {
        return fuzz(name, seeds, extension, 0, reader);
    }

    private int fuzz(String name, List<byte[]> seeds, String extension, long allowance, Reader reader) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int accepted = 0;
        for (int c = 0; c < CASES; c++) {
            Random rnd = new Random(c * 1_000_003L + name.hashCode());
            byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
            byte[] data = CheckpointFuzzTest.mutate(seed, rnd, 1 + rnd.nextInt(6));
            Path file = dir.resolve("case" + extension);
            Files.write(file, data);
            long before = threads.getThreadAllocatedBytes(workerThread.threadId());
            Future<Boolean> f = worker.submit(() -> {
                try {
                    reader.read(file);
                    return true;
                } catch (IOException | UncheckedIOException expected) {
                    return false;
                }
            });
            try {
                if (f.get(TIMEOUT_S, TimeUnit.SECONDS)) accepted++;
            } catch (TimeoutException e) {
                f.cancel(true);
                fail(kept(name, c, extension, data) + ": no answer after " + TIMEOUT_S + " s");
            } catch (ExecutionException e) {
                fail(kept(name, c, extension, data) + ": threw " + e.getCause(), e.getCause());
            }
            long allocated = threads.getThreadAllocatedBytes(workerThread.threadId()) - before;
            if (allocated > memoryBound(data.length, allowance)) {
                fail(kept(name, c, extension, data) + ": allocated " + allocated + " bytes, more than "
                        + memoryBound(data.length, allowance));
            }
        }
        System.out.println("fuzz " + name + ": " + CASES + " cases from " + seeds.size() + " files, " + accepted
                + " read, " + (CASES - accepted) + " refused with a typed error");
        return accepted;
    }

    /** Keeps a failing case's file in target/fuzz-cases/ and names it, for the failure message. */
    private static String kept(String name, int c, String extension, byte[] data) throws IOException {
        Path out = Path.of("target", "fuzz-cases", name.replaceAll("[^A-Za-z0-9.]", "_") + "-" + c + extension);
        Files.createDirectories(out.getParent());
        Files.write(out, data);
        return name + " case " + c + " (" + data.length + " bytes, kept as " + out.toAbsolutePath() + ")";
    }

    private static List<byte[]> files(Path dir, String glob) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName())).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void checkpointsAndTheScanner() throws Exception {
        List<byte[]> seeds = List.of(CheckpointFuzzTest.FILES);
        fuzz("Checkpoints.load", seeds, ".pth", f -> Checkpoints.load(f, new Unpickler.Options().describeModules(true)));
        fuzz("Checkpoints.scan", seeds, ".pth", f -> {
            ScanReport r = Checkpoints.scan(f); // never throws: a bad file is a verdict
            assertNotNull(r.verdict());
            if (r.verdict() == ScanReport.Verdict.UNREADABLE) throw new CheckpointException(f, r.error());
        });
    }

    @Test
    void wholePickledModels() throws Exception {
        Path fixtures = Path.of(ReaderFuzzTest.class.getResource("/fixtures/pickled_models").toURI());
        fuzz("TorchIO.load", files(fixtures, "{basic_block,bottleneck,containers,dense_block,embedding,fire,layers,user}.pth"),
                ".pth", TorchIO::load);
    }

    @Test
    void safetensors() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Torch.manualSeed(0);
        Map<String, Tensor> a = new LinkedHashMap<>();
        a.put("weight", Torch.randn(4, 3));
        a.put("bias", Torch.randn(4).to(DType.FLOAT16));
        a.put("steps", Torch.randint(0, 100, 3));
        Map<String, Tensor> b = new LinkedHashMap<>();
        b.put("emb", Torch.randn(2, 2, 2).to(DType.BFLOAT16));
        b.put("mask", Torch.randn(5).gt(0));
        for (Map<String, Tensor> m : List.of(a, b)) {
            Path p = dir.resolve("seed.safetensors");
            SafeTensors.save(m, Map.of("format", "pt"), p);
            seeds.add(Files.readAllBytes(p));
        }
        fuzz("SafeTensors.load", seeds, ".safetensors", SafeTensors::load);
    }

    @Test
    void idxFiles() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Random rnd = new Random(1);
        for (int[] shape : new int[][]{{3, 5, 4}, {7}}) {
            int n = 1;
            for (int d : shape) n *= d;
            ByteBuffer buf = ByteBuffer.allocate(4 + 4 * shape.length + n);
            buf.put(new byte[]{0, 0, 8, (byte) shape.length});
            for (int d : shape) buf.putInt(d);
            byte[] data = new byte[n];
            rnd.nextBytes(data);
            buf.put(data);
            seeds.add(buf.array());
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(buf.array());
            }
            seeds.add(gz.toByteArray());
        }
        fuzz("IdxFile.read", seeds, "-idx3-ubyte", IdxFile::read);
    }

    @Test
    void imagesThroughImageFolder() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Random rnd = new Random(2);
        for (String format : new String[]{"png", "jpg"}) {
            for (int type : new int[]{BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY}) {
                BufferedImage img = new BufferedImage(24, 20, type);
                for (int y = 0; y < 20; y++) for (int x = 0; x < 24; x++) img.setRGB(x, y, rnd.nextInt(1 << 24));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ImageIO.write(img, format, out);
                seeds.add(out.toByteArray());
            }
        }
        Path root = dir.resolve("images");
        Path classDir = Files.createDirectories(root.resolve("cat"));
        for (String ext : new String[]{".png", ".jpg"}) {
            int png = ext.equals(".png") ? 0 : 2;
            fuzz("ImageFolder " + ext, seeds.subList(png, png + 2), ext, IMAGE_ALLOWANCE, f -> {
                Files.copy(f, classDir.resolve("x" + ext), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                new ImageFolder(root).get(0);
            });
            Files.delete(classDir.resolve("x" + ext));
        }
    }
}
