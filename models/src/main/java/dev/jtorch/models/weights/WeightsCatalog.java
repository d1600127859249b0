package dev.jtorch.models.weights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torchvision's pretrained weights for the models jtorch has, by model and entry name:
 * {@code WeightsCatalog.get("resnet50", "IMAGENET1K_V2")}, or {@code "DEFAULT"} for the entry
 * torchvision's {@code DEFAULT} names. Read once from the resources the generator wrote.
 */
public final class WeightsCatalog {
    private WeightsCatalog() {}

    private static final String DIR = "/dev/jtorch/models/weights/";

    private static final class Holder {
        static final List<PretrainedWeights> ALL = read();
    }

    /** Every entry, in torchvision's order. */
    public static List<PretrainedWeights> all() {
        return Holder.ALL;
    }

    /** The entries of one model (empty when torchvision has none for it). */
    public static List<PretrainedWeights> forModel(String model) {
        return all().stream().filter(w -> w.model().equals(model)).toList();
    }

    /**
     * The entry {@code name} ({@code IMAGENET1K_V1}, or {@code DEFAULT}) of {@code model}; an
     * unknown one is an IllegalArgumentException listing those there are.
     */
    public static PretrainedWeights get(String model, String name) {
        List<PretrainedWeights> entries = forModel(model);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no pretrained weights for model '" + model + "' (torchvision has them for: "
                    + String.join(", ", all().stream().map(PretrainedWeights::model).distinct().toList()) + ")");
        }
        for (PretrainedWeights w : entries) {
            if (w.name().equals(name) || name.equals("DEFAULT") && w.isDefault()) return w;
        }
        throw new IllegalArgumentException("no weights '" + name + "' for " + model + "; there are: DEFAULT, "
                + String.join(", ", entries.stream().map(PretrainedWeights::name).toList()));
    }

    /**
     * The entry a {@code --weights} argument names ({@code IMAGENET1K_V1}, {@code DEFAULT}, ...), or
     * null when the argument is a file: one that exists, or anything not written as such a name.
     */
    public static PretrainedWeights named(String model, String weights) {
        if (Files.exists(Path.of(weights)) || !weights.matches("[A-Z][A-Z0-9_]*")) return null;
        return get(model, weights);
    }

    private static List<PretrainedWeights> read() {
        List<String> categories = lines("imagenet1k.txt");
        List<PretrainedWeights> out = new ArrayList<>();
        for (String line : lines("catalog.tsv")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t");
            if (f.length != 14) throw new IllegalStateException(DIR + "catalog.tsv: 14 fields expected in: " + line);
            out.add(new PretrainedWeights(f[0], f[1], f[2], f[3], Long.parseLong(f[4]), Integer.parseInt(f[5]),
                    Integer.parseInt(f[6]), f[7], doubles(f[8]), doubles(f[9]), f[10].equals("-") ? List.of() : categories,
                    number(f[11]), number(f[12]), f[13].equals("default")));
        }
        return List.copyOf(out);
    }

    /** Python's repr of a float: 'nan' where torchvision has no figure. */
    private static double number(String s) {
        return s.equals("nan") ? Double.NaN : Double.parseDouble(s);
    }

    private static double[] doubles(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static List<String> lines(String resource) {
        try (InputStream in = WeightsCatalog.class.getResourceAsStream(DIR + resource)) {
            if (in == null) throw new IllegalStateException(DIR + resource + " is missing from the jar");
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
