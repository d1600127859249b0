package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.PyOrderedDict;
import dev.jtorch.io.PyTuple;
import dev.jtorch.io.StateDict;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves values with {@link PthWriter} and describes what Python must find in each file, in the
 * JSON format {@code tests/fixtures/verify_jtorch_written.py} reads (see its docstring).
 */
final class Manifest {
    private final Path dir;
    private final List<String> files = new ArrayList<>();

    Manifest(Path dir) {
        this.dir = dir;
    }

    /**
     * Saves {@code value} as {@code name} and records its expectation.
     *
     * @param weightsOnly whether torch 1.13's {@code weights_only=True} can read it (no Python floats)
     * @param shared      groups of top-level keys whose tensors must view one storage
     * @param distinct    pairs of top-level keys whose tensors must not
     */
    void add(String name, Object value, boolean weightsOnly, List<List<String>> shared, List<List<String>> distinct)
            throws IOException {
        PthWriter.save(value, dir.resolve(name));
        files.add("{\"file\":" + str(name) + ",\"weights_only\":" + weightsOnly + ",\"expect\":" + encode(value)
                + ",\"shared\":" + paths(shared) + ",\"distinct\":" + paths(distinct) + "}");
    }

    void write() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{\"files\":[" + String.join(",\n", files) + "]}\n",
                StandardCharsets.UTF_8);
    }

    private static String paths(List<List<String>> groups) {
        List<String> out = new ArrayList<>();
        for (List<String> g : groups) {
            out.add("[" + String.join(",", g.stream().map(k -> "[" + str(k) + "]").toList()) + "]");
        }
        return "[" + String.join(",", out) + "]";
    }

    static String encode(Object v) {
        return switch (v) {
            case null -> "null";
            case Boolean b -> b.toString();
            case String s -> str(s);
            case Integer i -> "{\"int\":\"" + i + "\"}";
            case Long l -> "{\"int\":\"" + l + "\"}";
            case BigInteger b -> "{\"int\":\"" + b + "\"}";
            case Double d -> "{\"float\":\"" + number(d) + "\"}";
            case Tensor t -> tensor(t);
            case PyTuple t -> "{\"tuple\":[" + String.join(",", t.items().stream().map(Manifest::encode).toList()) + "]}";
            case List<?> l -> "[" + String.join(",", l.stream().map(Manifest::encode).toList()) + "]";
            case StateDict sd -> dict(sd, true, sd.metadata().isEmpty() ? null : Map.of("_metadata", new PyOrderedDict(sd.metadata())));
            case PyOrderedDict od -> dict(od, true, od.attributes().isEmpty() ? null : od.attributes());
            case Map<?, ?> m -> dict(m, !m.isEmpty() && m.keySet().stream().allMatch(k -> k instanceof String)
                    && m.values().stream().allMatch(x -> x instanceof Tensor), null);
            default -> throw new IllegalArgumentException("no manifest encoding for " + v.getClass());
        };
    }

    private static String dict(Map<?, ?> m, boolean ordered, Map<String, Object> attrs) {
        List<String> items = new ArrayList<>();
        for (var e : m.entrySet()) items.add("[" + encode(e.getKey()) + "," + encode(e.getValue()) + "]");
        String out = "{\"dict\":[" + String.join(",", items) + "],\"ordered\":" + ordered;
        if (attrs != null) out += ",\"attrs\":" + encode(new LinkedHashMap<>(attrs));
        return out + "}";
    }

    private static String tensor(Tensor t) {
        List<String> values = new ArrayList<>();
        if (t.dtype().isFloatingPoint()) {
            for (double d : t.toDoubleArray()) values.add(str(number(d)));
        } else {
            for (long l : t.toLongArray()) values.add(str(Long.toString(l)));
        }
        return "{\"tensor\":{\"dtype\":" + str(t.dtype().pyName()) + ",\"shape\":" + Arrays.toString(t.shape())
                + ",\"stride\":" + Arrays.toString(t.stride()) + ",\"offset\":" + t.storageOffset()
                + ",\"requires_grad\":" + t.requiresGrad() + ",\"values\":[" + String.join(",", values) + "]}}";
    }

    private static String number(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return Double.toString(d);
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

}
