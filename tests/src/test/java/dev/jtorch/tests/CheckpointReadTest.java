package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.CheckpointFile;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.PyOrderedDict;
import dev.jtorch.io.PyTuple;
import dev.jtorch.io.StateDict;
import dev.jtorch.io.TensorRef;
import dev.jtorch.io.Unpickler;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.jtorch.backend.TensorInternals.storage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every checkpoint written by {@code tests/fixtures/make_checkpoint_fixtures.py} (real PyTorch)
 * against its MANIFEST.txt: keys, dtypes, shapes, strides, offsets, value checksums, shared
 * storages, plain values, and the refusal of hostile files.
 */
class CheckpointReadTest {

    static Path dir() {
        try {
            return Path.of(CheckpointReadTest.class.getResource("/fixtures/checkpoints/MANIFEST.txt").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Expect(String key, String dtype, String shape, String stride, int offset, double sum, double wsum) {}

    static final class FileExpect {
        final String name;
        String format;
        final List<String> errors = new ArrayList<>();
        final List<String> needs = new ArrayList<>();
        final List<Expect> tensors = new ArrayList<>();
        final List<String[]> shared = new ArrayList<>();
        final List<String[]> values = new ArrayList<>();
        final List<String[]> metadata = new ArrayList<>();

        FileExpect(String name) { this.name = name; }
    }

    static Map<String, FileExpect> manifest() throws IOException {
        Map<String, FileExpect> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir().resolve("MANIFEST.txt"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] w = line.split(" ", 3);
            FileExpect f = out.computeIfAbsent(w[1], FileExpect::new);
            String rest = w.length > 2 ? w[2] : "";
            switch (w[0]) {
                case "file" -> f.format = rest;
                case "error" -> f.errors.add(rest);
                case "needs" -> f.needs.add(rest);
                case "tensor" -> {
                    String[] t = rest.split(" ");
                    f.tensors.add(new Expect(t[0], t[1], t[2], t[3], Integer.parseInt(t[4]), Double.parseDouble(t[5]),
                            Double.parseDouble(t[6])));
                }
                case "shared" -> f.shared.add(rest.split(" "));
                case "value" -> f.values.add(rest.split(" ", 2));
                case "metadata" -> f.metadata.add(rest.split(" "));
                default -> throw new IllegalStateException("manifest line: " + line);
            }
        }
        return out;
    }

    static Unpickler.Options options(List<String> needs) {
        Unpickler.Options o = new Unpickler.Options();
        for (String n : needs) {
            if (n.equals("describe_modules")) o.describeModules(true);
            else if (n.startsWith("allow:")) {
                String g = n.substring(6);
                int dot = g.lastIndexOf('.');
                o.allowGlobal(g.substring(0, dot), g.substring(dot + 1));
            }
        }
        return o;
    }

    @TestFactory
    List<DynamicTest> everyFixture() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (FileExpect f : manifest().values()) tests.add(DynamicTest.dynamicTest(f.name, () -> check(f)));
        assertTrue(tests.size() >= 30, "fixtures missing: " + tests.size());
        return tests;
    }

    private static void check(FileExpect f) throws IOException {
        Path p = dir().resolve(f.name);
        for (String err : f.errors) {
            if (!f.needs.isEmpty()) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(p));
                assertTrue(e.getMessage().contains(err), e.getMessage());
                assertTrue(e.getMessage().contains("allowGlobal") || e.getMessage().contains("describeModules"),
                        "the refusal says how to allow: " + e.getMessage());
                continue;
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(p),
                    f.name + " must be refused");
            assertTrue(e.getMessage().contains(err), "expected '" + err + "' in: " + e.getMessage());
            assertTrue(e.getMessage().contains(f.name), "the message names the file: " + e.getMessage());
        }
        if (f.needs.isEmpty() && (f.format == null || !f.errors.isEmpty())) return;
        Unpickler.Options opts = options(f.needs);
        if (f.format != null) {
            try (CheckpointFile cf = CheckpointFile.open(p, opts)) {
                assertEquals(f.format, cf.format().name().toLowerCase(), "format");
            }
        }
        if (!f.tensors.isEmpty()) {
            StateDict sd = Checkpoints.loadStateDict(p, null, opts);
            assertEquals(f.tensors.stream().map(Expect::key).toList(), new ArrayList<>(sd.keySet()), "keys in file order");
            for (Expect e : f.tensors) checkTensor(f.name, e, sd.get(e.key()));
            for (String[] s : f.shared) {
                assertSame(storage(sd.get(s[0])), storage(sd.get(s[1])), s[0] + " and " + s[1] + " share a storage");
            }
            for (String[] m : f.metadata) {
                String prefix = m[0].equals("-") ? "" : m[0];
                assertNotNull(sd.metadata().get(prefix), "metadata of '" + prefix + "' in " + sd.metadata());
                assertEquals(Long.parseLong(m[1]), sd.metadata().get(prefix).get("version"));
            }
        }
        if (!f.values.isEmpty()) {
            Object root = Checkpoints.load(p, opts);
            for (String[] v : f.values) {
                assertEquals(v[1], PyRepr.of(navigate(root, v[0])), f.name + " at " + v[0]);
            }
        }
    }

    private static void checkTensor(String file, Expect e, Tensor t) {
        String what = file + " " + e.key();
        assertNotNull(t, what);
        assertEquals(e.dtype(), t.dtype().pyName(), what + " dtype");
        assertEquals(e.shape(), csv(t.shape()), what + " shape");
        assertEquals(e.stride(), csv(t.stride()), what + " stride");
        assertEquals(e.offset(), t.storageOffset(), what + " storage offset");
        double[] v = t.toDoubleArray();
        double sum = 0, wsum = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            wsum += v[i] * (i % 7 + 1);
        }
        assertEquals(e.sum(), sum, 1e-9 * Math.max(1, Math.abs(e.sum())), what + " sum");
        assertEquals(e.wsum(), wsum, 1e-9 * Math.max(1, Math.abs(e.wsum())), what + " weighted sum");
    }

    private static String csv(int[] xs) {
        return xs.length == 0 ? "-" : Arrays.stream(xs).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    static Object navigate(Object root, String path) {
        if (path.equals(".")) return root;
        Object v = root;
        for (String k : path.split("/")) {
            if (v instanceof Map<?, ?> m) {
                Object next = m.get(k);
                if (next == null && !m.containsKey(k)) next = m.get(Long.parseLong(k));
                v = next;
            } else if (v instanceof List<?> l) {
                v = l.get(Integer.parseInt(k));
            } else if (v instanceof PyTuple t) {
                v = t.get(Integer.parseInt(k));
            } else {
                fail("cannot index " + v + " with " + k);
            }
        }
        return v;
    }

    // ---- beyond the manifest -----------------------------------------------------------------

    @Test
    void onlySomeKeysReadOnlyTheirStorages() throws IOException {
        Path p = dir().resolve("dtypes_zip_p2.pth");
        StateDict sd = Checkpoints.loadStateDict(p, Set.of("f32", "bool"));
        assertEquals(List.of("f32", "bool"), new ArrayList<>(sd.keySet()));
        Map<Object, Object> part = Checkpoints.load(dir().resolve("checkpoint.pth"), Set.of("epoch"));
        assertEquals(Map.of("epoch", 5L), part);
    }

    @Test
    void lazyListingReadsNoData() throws IOException {
        try (CheckpointFile f = CheckpointFile.open(dir().resolve("checkpoint.pth"))) {
            Map<String, TensorRef> refs = Checkpoints.findStateDict(f.root());
            assertEquals("0.weight", refs.keySet().iterator().next());
            TensorRef w = refs.get("0.weight");
            assertEquals(DType.FLOAT32, w.dtype());
            assertEquals(List.of(3, 4), Arrays.stream(w.shape()).boxed().toList());
            assertEquals(w.numel(), f.tensor(w).numel());
        }
    }

    @Test
    void wholeModelDescribedNotRun() throws IOException {
        Object m = Checkpoints.load(dir().resolve("model_sequential_zip.pth"));
        PickledModule seq = assertInstanceOf(PickledModule.class, m);
        assertEquals("torch.nn.modules.container.Sequential", seq.type().fullName());
        assertEquals(List.of(": torch.nn.modules.container.Sequential", "  0: torch.nn.modules.linear.Linear",
                "  1: torch.nn.modules.batchnorm.BatchNorm1d", "  2: torch.nn.modules.activation.ReLU",
                "  3: torch.nn.modules.linear.Linear"), seq.tree());
        PickledModule lin = seq.children().get("0");
        assertEquals(4L, lin.settings().get("in_features"));
        assertEquals(3L, lin.settings().get("out_features"));
        assertTrue(seq.unknownClasses().isEmpty());

        Object user = Checkpoints.load(dir().resolve("model_user.pth"), new Unpickler.Options().describeModules(true));
        PickledModule net = assertInstanceOf(PickledModule.class, user);
        assertEquals(Set.of("__main__.UserNet"), net.unknownClasses());
        assertEquals(0.5, net.settings().get("scale"));
        assertFalse(net.stateDict().containsKey("scratch"), "non-persistent buffers stay out of the state dict");
        assertTrue(net.stateDict().containsKey("steps"));
    }

    @Test
    void dataParallelPrefixStrips() throws IOException {
        StateDict sd = Checkpoints.loadStateDict(dir().resolve("dataparallel.pth")).withoutPrefix("module.");
        assertTrue(sd.containsKey("0.weight"), sd.keySet().toString());
    }

    @Test
    void allowedGlobalIsDescribedNeverCalled() throws IOException {
        Object v = Checkpoints.load(dir().resolve("namespace.pth"),
                new Unpickler.Options().allowGlobal("argparse", "Namespace"));
        Object args = ((Map<?, ?>) v).get("args");
        var obj = assertInstanceOf(dev.jtorch.io.PyObject.class, args);
        assertEquals("argparse.Namespace", obj.callable().fullName());
        assertEquals(0.1, obj.attributes().get("lr"));
    }

    @Test
    void stateDictMetadataKept() throws IOException {
        Object v = Checkpoints.load(dir().resolve("sequential_p4.pth"));
        PyOrderedDict d = assertInstanceOf(PyOrderedDict.class, v);
        assertInstanceOf(Map.class, d.attributes().get("_metadata"));
    }

    /** Python's repr of the values the manifest names. */
    static final class PyRepr {
        static String of(Object v) {
            if (v == null) return "None";
            if (v instanceof Boolean b) return b ? "True" : "False";
            if (v instanceof Long || v instanceof BigInteger) return v.toString();
            if (v instanceof Double d) return pyFloat(d);
            if (v instanceof String s) return "'" + s + "'";
            if (v instanceof byte[] b) {
                StringBuilder sb = new StringBuilder("b'");
                for (byte x : b) sb.append(String.format("\\x%02x", x & 0xff));
                return sb.append("'").toString();
            }
            if (v instanceof Tensor t) return "tensor(" + t.dtype().pyName() + Arrays.toString(t.shape()) + ")";
            if (v instanceof DType d) return d.pyName();
            if (v instanceof PickledModule m) return m.type().name();
            if (v instanceof PyTuple t) {
                String inner = t.items().stream().map(PyRepr::of).collect(Collectors.joining(", "));
                return "(" + inner + (t.size() == 1 ? ",)" : ")");
            }
            if (v instanceof List<?> l) return "[" + l.stream().map(PyRepr::of).collect(Collectors.joining(", ")) + "]";
            if (v instanceof Set<?> s) return "{" + s.stream().map(PyRepr::of).collect(Collectors.joining(", ")) + "}";
            return String.valueOf(v);
        }

        static String pyFloat(double d) {
            String s = Double.toString(d);
            int e = s.indexOf('E');
            if (e < 0) return s;
            String mant = s.substring(0, e);
            if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 2);
            int exp = Integer.parseInt(s.substring(e + 1));
            return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
    }
}
