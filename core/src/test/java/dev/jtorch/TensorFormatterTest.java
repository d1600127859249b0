package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares {@link TensorFormatter} with PyTorch's own {@code repr()} on the cases that
 * {@code tests/fixtures/make_print_fixtures.py} recorded in {@code fixtures/print_cases.txt}.
 */
class TensorFormatterTest {
    private static final String FIXTURE = "/fixtures/print_cases.txt";

    /** One recorded tensor and the text PyTorch printed for it. */
    record PrintCase(String name, DType dtype, int[] shape, List<String> suffixes, double[] values, String repr) {
        String format() {
            return TensorFormatter.format(shape, dtype, i -> values[Math.toIntExact(i)], suffixes);
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorchRepr() throws IOException {
        return loadCases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> assertEquals(c.repr(), c.format(), c.name())));
    }

    @Test
    void fixtureIsNotEmpty() throws IOException {
        assertFalse(loadCases().isEmpty(), FIXTURE + " holds no cases");
    }

    static List<PrintCase> loadCases() throws IOException {
        InputStream in = TensorFormatterTest.class.getResourceAsStream(FIXTURE);
        if (in == null) throw new IOException("missing test resource " + FIXTURE);
        List<PrintCase> cases = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            String name = null;
            DType dtype = null;
            int[] shape = null;
            List<String> suffixes = new ArrayList<>();
            double[] values = null;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isEmpty()) continue;
                String key = word(line, 0);
                String rest = line.length() > key.length() ? line.substring(key.length() + 1) : "";
                switch (key) {
                    case "case" -> {
                        name = rest;
                        suffixes = new ArrayList<>();
                    }
                    case "dtype" -> dtype = DType.fromPyName(rest);
                    case "shape" -> shape = rest.isBlank() ? new int[0]
                            : Stream.of(rest.split(" ")).mapToInt(Integer::parseInt).toArray();
                    case "suffix" -> suffixes.add(rest);
                    case "values" -> values = rest.isBlank() ? new double[0]
                            : Stream.of(rest.split(" ")).mapToDouble(TensorFormatterTest::parseValue).toArray();
                    case "repr" -> {
                        int n = Integer.parseInt(rest);
                        StringBuilder text = new StringBuilder();
                        for (int i = 0; i < n; i++) {
                            if (i > 0) text.append('\n');
                            text.append(r.readLine());
                        }
                        if (!"end".equals(r.readLine())) throw new IOException(name + ": repr block not closed by 'end'");
                        cases.add(new PrintCase(name, dtype, shape, List.copyOf(suffixes), values, text.toString()));
                    }
                    default -> throw new IOException("unexpected fixture line: " + line);
                }
            }
        }
        return cases;
    }

    private static String word(String line, int from) {
        int space = line.indexOf(' ', from);
        return space < 0 ? line.substring(from) : line.substring(from, space);
    }

    /** Python's float.hex text (or inf/-inf/nan), or a decimal integer. */
    private static double parseValue(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> s.contains("0x") ? Double.parseDouble(s) : (double) Long.parseLong(s);
        };
    }
}
