package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What PyTorch printed in each walkthrough, recorded by {@code tests/fixtures/make_walkthrough_fixtures.py}
 * into {@code fixtures/walkthroughs.txt}, and the small checks the walkthrough tests share.
 */
final class WalkthroughFixtures {
    private static final String FIXTURE = "/fixtures/walkthroughs.txt";
    private static final Map<String, String> CASES = read();

    private WalkthroughFixtures() {}

    private static Map<String, String> read() {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = WalkthroughFixtures.class.getResourceAsStream(FIXTURE)) {
            if (in == null) throw new IllegalStateException(FIXTURE + " is not on the class path (run /usr/bin/python3 tests/fixtures/make_walkthrough_fixtures.py)");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("case ")) throw new IllegalStateException(FIXTURE + ": expected 'case <name>', got " + line);
                String name = line.substring(5);
                String count = r.readLine();
                if (count == null || !count.startsWith("lines ")) throw new IllegalStateException(FIXTURE + ": " + name + ": no 'lines <n>'");
                int n = Integer.parseInt(count.substring(6));
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < n; i++) lines.add(r.readLine());
                if (!"end".equals(r.readLine())) throw new IllegalStateException(FIXTURE + ": " + name + ": no 'end' after " + n + " lines");
                out.put(name, String.join("\n", lines));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The text PyTorch printed for {@code name}. */
    static String expected(String name) {
        String s = CASES.get(name);
        assertNotNull(s, "no case '" + name + "' in " + FIXTURE);
        return s;
    }

    static List<String> expectedLines(String name) { return List.of(expected(name).split("\n", -1)); }

    /** {@code print(value)} in Java must be what PyTorch printed. */
    static void assertPrints(String name, Object value) { assertEquals(expected(name), String.valueOf(value), name); }

    /** The last {@code n} lines of a printed tree (the fixture keeps only the head of the big ones). */
    static String lastLines(Object value, int n) {
        List<String> lines = List.of(String.valueOf(value).split("\n", -1));
        return String.join("\n", lines.subList(lines.size() - n, lines.size()));
    }

    static String firstLines(Object value, int n) {
        List<String> lines = List.of(String.valueOf(value).split("\n", -1));
        return String.join("\n", lines.subList(0, n));
    }

    /** {@code str(tensor.shape)} as PyTorch prints it: {@code torch.Size([2, 10])}. */
    static String size(Tensor t) { return "torch.Size(" + Arrays.toString(t.shape()) + ")"; }

    /** A deep copy of every tensor, to compare with after training. */
    static Map<String, Tensor> snapshot(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.detach().clone()));
        return out;
    }

    /** Same dtype, shape and the very same bits in every element. */
    static boolean bitwiseEqual(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype() || !Arrays.equals(a.shape(), b.shape())) return false;
        if (!a.isFloatingPoint()) return Arrays.equals(a.toLongArray(), b.toLongArray());
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) return false;
        }
        return true;
    }

    static void assertBitwiseEqual(Tensor expected, Tensor actual, String what) {
        assertTrue(bitwiseEqual(expected, actual), what + " changed");
    }

    /** True when the losses end lower than they started (noisy steps allowed in between). */
    static void assertDecreasing(List<Double> losses) {
        assertTrue(losses.getLast() < losses.getFirst(), "loss did not fall: " + losses);
    }
}
