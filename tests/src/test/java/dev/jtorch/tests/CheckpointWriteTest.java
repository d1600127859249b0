package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.Storage;
import dev.jtorch.backend.TensorInternals;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.CheckpointFile;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.PyOrderedDict;
import dev.jtorch.io.PyTuple;
import dev.jtorch.io.StateDict;
import dev.jtorch.io.Unpickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.storage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PthWriter}: what jtorch writes reads back in jtorch (every dtype, views, shared storages,
 * 0-dim, empty, nested checkpoint dicts) and in the real PyTorch (Debian's {@code python3-torch},
 * via {@code tests/fixtures/verify_jtorch_written.py}), and a failed save leaves the old file.
 */
class CheckpointWriteTest {
    static final Path PYTHON = SystemTorch.PYTHON;
    static final Backend CPU = Backends.of(Device.CPU);

    @TempDir
    Path dir;

    // ---- cases ------------------------------------------------------------------------------

    static Tensor tensor(DType dtype, Object array, int... shape) {
        return TensorInternals.of(CPU.fromArray(dtype, array), Layout.contiguous(shape));
    }

    /** One tensor per dtype, including the awkward values (negative, big, NaN, inf, subnormal). */
    static Map<String, Object> everyDType() {
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("f32", tensor(DType.FLOAT32, new float[]{1.5f, -2f, Float.NaN, Float.POSITIVE_INFINITY, 1e-40f, 3.4e38f}, 2, 3));
        sd.put("f64", tensor(DType.FLOAT64, new double[]{Math.PI, -0.0, 1e-300}, 3));
        sd.put("f16", tensor(DType.FLOAT16, new short[]{0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x7C00, 0x7E00}, 3, 2));
        sd.put("bf16", tensor(DType.BFLOAT16, new short[]{0x3F80, (short) 0xC000, 0x4049, 0x7F7F}, 2, 2));
        sd.put("i64", tensor(DType.INT64, new long[]{Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 40}, 4));
        sd.put("i32", tensor(DType.INT32, new int[]{Integer.MIN_VALUE, 7, -7}, 3, 1));
        sd.put("i16", tensor(DType.INT16, new short[]{Short.MIN_VALUE, 300}, 2));
        sd.put("i8", tensor(DType.INT8, new byte[]{-128, 127, -1}, 3));
        sd.put("u8", tensor(DType.UINT8, new byte[]{(byte) 200, 0, (byte) 255}, 3));
        sd.put("bool", tensor(DType.BOOL, new byte[]{1, 0, 1, 1}, 2, 2));
        return sd;
    }

    /** Views of one storage (transpose, slice with offset, expand, 0-dim element), tied weights, empties. */
    static Map<String, Object> viewsAndSharing() {
        float[] values = new float[24];
        for (int i = 0; i < values.length; i++) values[i] = i * 0.5f;
        Tensor base = tensor(DType.FLOAT32, values, 4, 6);
        Tensor tied = tensor(DType.FLOAT64, new double[]{1, 2, 3, 4}, 2, 2);
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("base", base);
        sd.put("transposed", TensorInternals.viewAs(base, new Layout(new int[]{6, 4}, new int[]{1, 6}, 0)));
        sd.put("slice", TensorInternals.viewAs(base, new Layout(new int[]{2, 3}, new int[]{6, 1}, 8)));
        sd.put("expanded", TensorInternals.viewAs(base, new Layout(new int[]{3, 6}, new int[]{0, 1}, 6)));
        sd.put("element", TensorInternals.viewAs(base, new Layout(new int[]{}, new int[]{}, 23)));
        sd.put("embed.weight", tied);
        sd.put("head.weight", tied);
        sd.put("scalar", tensor(DType.FLOAT32, new float[]{3.5f}));
        sd.put("empty", tensor(DType.FLOAT32, new float[0], 0, 3));
        sd.put("empty_view", TensorInternals.viewAs(base, new Layout(new int[]{0}, new int[]{1}, 5)));
        sd.put("big", tensor(DType.FLOAT32, ramp(3_000_000), 1000, 3000)); // > 1 MB: several chunks
        return sd;
    }

    static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i % 1000) - 500.25f;
        return a;
    }

    /** What a training loop saves: nested dicts with int keys, lists, tuples, floats, None, big ints. */
    static Map<String, Object> checkpointDict() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("fc.weight", tensor(DType.FLOAT32, new float[]{1, 2, 3, 4, 5, 6}, 2, 3));
        model.put("fc.bias", tensor(DType.FLOAT32, new float[]{0.5f, -0.5f}, 2));
        Map<String, Object> state0 = new LinkedHashMap<>();
        state0.put("step", tensor(DType.FLOAT32, new float[]{3}));
        state0.put("exp_avg", tensor(DType.FLOAT32, new float[]{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, 2, 3));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put(0, state0);
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 0.001);
        group.put("betas", PyTuple.of(0.9, 0.999));
        group.put("eps", 1e-8);
        group.put("weight_decay", 0);
        group.put("amsgrad", false);
        group.put("params", List.of(0, 1));
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("state", state);
        optimizer.put("param_groups", List.of(group));
        Map<String, Object> ckpt = new LinkedHashMap<>();
        ckpt.put("epoch", 5);
        ckpt.put("model_state_dict", model);
        ckpt.put("optimizer_state_dict", optimizer);
        ckpt.put("loss", 0.25);
        ckpt.put("classes", List.of("cat", "dog", "naïve ☃ 𝄞"));
        ckpt.put("ints", Arrays.asList(255, 256, 65535, 65536, -1, -300, Integer.MIN_VALUE, 1L << 31, Long.MIN_VALUE,
                new BigInteger("1180591620717411303424"), new BigInteger("-1180591620717411303424")));
        ckpt.put("nothing", null);
        ckpt.put("five", PyTuple.of(1, "two", 3.0, null, true));
        ckpt.put("empty_list", List.of());
        ckpt.put("empty_dict", Map.of());
        ckpt.put("special", Arrays.asList(Double.NaN, Double.NEGATIVE_INFINITY, -0.0));
        return ckpt;
    }

    static StateDict withMetadata() {
        StateDict sd = new StateDict();
        sd.put("bn.weight", tensor(DType.FLOAT32, new float[]{1, 1}, 2));
        sd.put("bn.num_batches_tracked", tensor(DType.INT64, new long[]{7}));
        sd.metadata().put("", new LinkedHashMap<>(Map.of("version", 1)));
        sd.metadata().put("bn", new LinkedHashMap<>(Map.of("version", 2)));
        return sd;
    }

    static Tensor requiringGrad() {
        return tensor(DType.FLOAT32, new float[]{1, 2}, 2).requiresGrad_(true);
    }

    // ---- jtorch -> file -> jtorch -------------------------------------------------------------

    @Test
    void everyDTypeRoundTrips() throws IOException {
        Map<String, Object> sd = everyDType();
        Object back = saveAndLoad(sd, "dtypes.pth");
        assertInstanceOf(PyOrderedDict.class, back, "a map of tensors is written as an OrderedDict");
        assertSameValue(sd, back, "");
    }

    @Test
    void viewsKeepLayoutAndSharedStoragesStayShared() throws IOException {
        Map<String, Object> sd = viewsAndSharing();
        @SuppressWarnings("unchecked")
        Map<Object, Object> back = (Map<Object, Object>) saveAndLoad(sd, "views.pth");
        assertSameValue(sd, back, "");
        Storage baseStorage = storage((Tensor) back.get("base"));
        for (String k : List.of("transposed", "slice", "expanded", "element", "empty_view")) {
            assertSame(baseStorage, storage((Tensor) back.get(k)), k + " shares base's storage");
        }
        assertSame(storage((Tensor) back.get("embed.weight")), storage((Tensor) back.get("head.weight")));
        assertNotSame(baseStorage, storage((Tensor) back.get("scalar")));
        assertEquals(24, baseStorage.size(), "the whole storage is written, as torch.save does");
    }

    @Test
    void nestedCheckpointDictRoundTrips() throws IOException {
        Map<String, Object> ckpt = checkpointDict();
        @SuppressWarnings("unchecked")
        Map<Object, Object> back = (Map<Object, Object>) saveAndLoad(ckpt, "checkpoint.pth");
        assertSameValue(ckpt, back, "");
        assertInstanceOf(PyOrderedDict.class, back.get("model_state_dict"));
        assertTrue(!(back instanceof PyOrderedDict), "a mixed map is a plain dict");
    }

    @Test
    void stateDictMetadataIsKept() throws IOException {
        StateDict sd = withMetadata();
        Object back = saveAndLoad(sd, "metadata.pth");
        assertSameValue(sd, back, "");
        Object metadata = back instanceof StateDict s ? s.metadata() : ((PyOrderedDict) back).attributes().get("_metadata");
        assertSameValue(sd.metadata(), metadata, "_metadata");
    }

    @Test
    void topLevelTensorsListsAndRequiresGrad() throws IOException {
        Tensor t = requiringGrad();
        Tensor back = (Tensor) saveAndLoad(t, "tensor.pth");
        assertSameValue(t, back, "");
        assertTrue(back.requiresGrad());
        List<Object> list = List.of(t, t, "x");
        @SuppressWarnings("unchecked")
        List<Object> backList = (List<Object>) saveAndLoad(list, "list.pth");
        assertSameValue(list, backList, "");
        assertSame(backList.get(0), backList.get(1), "the same tensor object twice is one object, as pickle memoizes it");
    }

    @Test
    void archiveLayoutIsTorchs() throws IOException {
        Path file = dir.resolve("layout.pth");
        PthWriter.save(viewsAndSharing(), file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1",
                    "archive/data/2", "archive/data/3", "archive/data/4", "archive/version"), names);
            assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("archive/version")).readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals("little", new String(zip.getInputStream(zip.getEntry("archive/byteorder")).readAllBytes(), StandardCharsets.US_ASCII));
            for (ZipEntry e : zip.stream().toList()) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
        }
        // Each entry's data starts on a 64-byte boundary: local header (30) + name + extra.
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        int entries = 0;
        while (b.getInt(at) == 0x04034b50) {
            int size = b.getInt(at + 18);
            int dataStart = at + 30 + Short.toUnsignedInt(b.getShort(at + 26)) + Short.toUnsignedInt(b.getShort(at + 28));
            assertEquals(0, dataStart % 64, "entry " + entries + " data aligned");
            at = dataStart + size;
            entries++;
        }
        assertEquals(8, entries);
    }

    // ---- atomicity ----------------------------------------------------------------------------

    @Test
    void unsupportedValueLeavesTheOldFileAndNoTempFile() throws IOException {
        Path file = dir.resolve("model.pth");
        PthWriter.save(everyDType(), file);
        byte[] before = Files.readAllBytes(file);
        Map<String, Object> bad = new LinkedHashMap<>(checkpointDict());
        bad.put("oops", List.of(1, new Object()));
        CheckpointException e = assertThrows(CheckpointException.class, () -> PthWriter.save(bad, file));
        assertTrue(e.getMessage().contains("oops.1: a java.lang.Object"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
    }

    @Test
    void failureMidWriteLeavesTheOldFileAndNoTempFile() throws IOException {
        Path file = dir.resolve("model.pth");
        PthWriter.save(everyDType(), file);
        byte[] before = Files.readAllBytes(file);
        Map<String, Object> sd = new LinkedHashMap<>(viewsAndSharing());
        sd.put("unreadable", failingTensor()); // its storage is written last: after data.pkl and the others
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PthWriter.save(sd, file));
        assertEquals("device lost", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDir());
        // A save into a missing directory fails without creating anything either.
        assertThrows(IOException.class, () -> PthWriter.save(everyDType(), dir.resolve("no/such/dir/x.pth")));
    }

    /** A float32 tensor whose backend fails when its bytes are fetched, as a lost device would. */
    static Tensor failingTensor() {
        Backend broken = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "device" -> Device.CPU;
                    case "toArray" -> throw new IllegalStateException("device lost");
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Storage storage = new Storage() {
            public DType dtype() { return DType.FLOAT32; }
            public int size() { return 4; }
            public Device device() { return Device.CPU; }
            public Backend backend() { return broken; }
        };
        return TensorInternals.of(storage, Layout.contiguous(4));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    // ---- jtorch -> torch ----------------------------------------------------------------------

    @Test
    void torchLoadsWhatJtorchWrites() throws Exception {
        SystemTorch.assume("the check that torch.load reads jtorch's files");
        Manifest m = new Manifest(dir);
        m.add("dtypes.pth", everyDType(), true, List.of(), List.of());
        m.add("views.pth", viewsAndSharing(), true,
                List.of(List.of("base", "transposed", "slice", "expanded", "element"), List.of("embed.weight", "head.weight")),
                List.of(List.of("base", "scalar"), List.of("base", "embed.weight")));
        m.add("checkpoint.pth", checkpointDict(), false, List.of(), List.of());
        m.add("metadata.pth", withMetadata(), true, List.of(), List.of());
        m.add("tensor.pth", requiringGrad(), true, List.of(), List.of());
        m.write();
        String output = runPython(dir.resolve("manifest.json"));
        assertTrue(output.contains("OK: "), output);
    }

    @Test
    void torchFilesSurviveAJtorchRoundTrip() throws Exception {
        SystemTorch.assume("torch -> jtorch -> torch");
        Path script = fixtures().resolve("torch_roundtrip.py");
        run(python(script.toString(), "make", dir.toString()));
        for (String name : List.of("state_dict.pth", "checkpoint.pt", "whole_model.pth")) {
            Object value = Checkpoints.load(dir.resolve(name), new Unpickler.Options().describeModules(true));
            PthWriter.save(value, dir.resolve(name + ".jtorch.pth"));
        }
        String out = run(python(script.toString(), "check", dir.toString()));
        assertTrue(out.contains("OK: torch -> jtorch -> torch"), out);
    }

    static String run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    static ProcessBuilder python(String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("PYTHONPATH");
        pb.environment().remove("PYTHONHOME");
        return pb;
    }

    static String runPython(Path manifest) throws IOException, InterruptedException {
        return run(python(fixtures().resolve("verify_jtorch_written.py").toString(), manifest.toString()));
    }

    static Path fixtures() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path f = p.resolve("tests/fixtures");
            if (Files.isDirectory(f)) return f;
            if (p.getFileName() != null && p.getFileName().toString().equals("tests") && Files.isDirectory(p.resolve("fixtures"))) {
                return p.resolve("fixtures");
            }
        }
        throw new IllegalStateException("tests/fixtures not found from " + here);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Object saveAndLoad(Object value, String name) throws IOException {
        Path file = dir.resolve(name);
        PthWriter.save(value, file);
        try (CheckpointFile f = CheckpointFile.open(file)) {
            return f.materialize(f.root());
        }
    }

    /** Structural equality as Python sees it: same types (tuple vs list, int vs float), tensors by layout and bits. */
    static void assertSameValue(Object expected, Object actual, String where) {
        switch (expected) {
            case null -> assertEquals(null, actual, where);
            case Tensor t -> {
                Tensor a = assertInstanceOf(Tensor.class, actual, where);
                assertEquals(t.dtype(), a.dtype(), where + " dtype");
                assertArrayEquals(t.shape(), a.shape(), where + " shape");
                assertArrayEquals(t.stride(), a.stride(), where + " stride");
                assertEquals(t.storageOffset(), a.storageOffset(), where + " offset");
                assertEquals(storage(t).size(), storage(a).size(), where + " storage size");
                assertEquals(t.requiresGrad(), a.requiresGrad(), where + " requires_grad");
                Object e = backend(t).toArray(storage(t));
                Object g = backend(a).toArray(storage(a));
                assertTrue(Arrays.deepEquals(new Object[]{e}, new Object[]{g}), where + " storage bits");
            }
            case Map<?, ?> m -> {
                Map<?, ?> a = assertInstanceOf(Map.class, actual, where);
                assertEquals(new ArrayList<>(normalizeKeys(m.keySet())), new ArrayList<>(normalizeKeys(a.keySet())), where + " keys");
                List<?> ev = new ArrayList<>(m.values());
                List<?> av = new ArrayList<>(a.values());
                List<?> keys = new ArrayList<>(m.keySet());
                for (int i = 0; i < ev.size(); i++) assertSameValue(ev.get(i), av.get(i), where + "." + keys.get(i));
            }
            case List<?> l -> {
                List<?> a = assertInstanceOf(List.class, actual, where);
                assertEquals(l.size(), a.size(), where + " size");
                for (int i = 0; i < l.size(); i++) assertSameValue(l.get(i), a.get(i), where + "." + i);
            }
            case PyTuple t -> {
                PyTuple a = assertInstanceOf(PyTuple.class, actual, where);
                assertSameValue(t.items(), a.items(), where);
            }
            case Integer i -> assertEquals(BigInteger.valueOf(i), bigOf(actual, where), where);
            case Long l -> assertEquals(BigInteger.valueOf(l), bigOf(actual, where), where);
            case BigInteger b -> assertEquals(b, bigOf(actual, where), where);
            case Double d -> assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits(assertInstanceOf(Double.class, actual, where)), where);
            default -> assertEquals(expected, actual, where);
        }
    }

    private static List<Object> normalizeKeys(java.util.Collection<?> keys) {
        List<Object> out = new ArrayList<>();
        for (Object k : keys) out.add(k instanceof Integer i ? Long.valueOf(i) : k instanceof Long || k instanceof BigInteger ? k : k);
        return out;
    }

    private static BigInteger bigOf(Object actual, String where) {
        return switch (actual) {
            case Integer i -> BigInteger.valueOf(i);
            case Long l -> BigInteger.valueOf(l);
            case BigInteger b -> b;
            default -> throw new AssertionError(where + ": expected an int, got " + actual);
        };
    }
}
