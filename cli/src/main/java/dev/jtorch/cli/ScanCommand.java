package dev.jtorch.cli;

import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.ScanReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code jtorch scan FILE|DIR...}: a model-file scanner for pipelines (what picklescan and
 * modelscan do in Python). For each file: safe (weights only), needs trust (classes outside
 * PyTorch's weights-only list that run no code), dangerous (a global that runs code in Python,
 * with the call and the byte offset) or unreadable; nothing in the file is executed or
 * materialised. The exit status is the worst verdict: 0 safe, 1 needs trust, 2 dangerous,
 * 3 unreadable.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Check model files (.pth/.pt/.pkl/.bin/.ckpt/.safetensors) for code that would run when"
                + " Python loads them, without running or loading anything.",
                "Exit status: 0 all safe, 1 some need trust, 2 some are dangerous, 3 some are unreadable."})
final class ScanCommand implements java.util.concurrent.Callable<Integer> {
    /** What a folder is searched for: PyTorch's usual names, and the tar of torch < 0.4 ({@code checkpoint.pth.tar}). */
    private static final Set<String> EXTENSIONS = Set.of(".pth", ".pt", ".pt2", ".pkl", ".pickle", ".bin", ".ckpt",
            ".tar", ".safetensors");

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Files, or folders searched for model files.")
    List<Path> paths;

    @Option(names = "--json", description = "One JSON object per file, one per line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Map<ScanReport.Verdict, Integer> counts = new EnumMap<>(ScanReport.Verdict.class);
        ScanReport.Verdict worst = ScanReport.Verdict.SAFE;
        for (Path file : files()) {
            ScanReport r = Checkpoints.scan(file);
            counts.merge(r.verdict(), 1, Integer::sum);
            if (r.verdict().compareTo(worst) > 0) worst = r.verdict();
            if (json) out.println(r.toJson());
            else print(out, r);
        }
        if (!json) {
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder sb = new StringBuilder().append(total).append(total == 1 ? " file" : " files");
            String sep = ": ";
            for (ScanReport.Verdict v : ScanReport.Verdict.values()) {
                sb.append(sep).append(counts.getOrDefault(v, 0)).append(' ').append(v.label().replace('-', ' '));
                sep = ", ";
            }
            out.println(sb);
        }
        out.flush();
        return worst.exitCode();
    }

    private static void print(PrintWriter out, ScanReport r) {
        out.println(String.format(Locale.ROOT, "%-12s %s", r.verdict().label(), r.file()));
        if (r.error() != null) out.println("  " + r.error());
        for (ScanReport.Finding f : r.findings()) {
            String what = f.verdict() == ScanReport.Verdict.DANGEROUS ? "runs code when Python loads the file"
                    : "outside PyTorch's weights-only list";
            out.println("  " + f.global() + (f.uses().isEmpty() ? "" : " (" + String.join(", ", f.uses()) + ")")
                    + " in " + f.entry() + ", named at byte " + f.offset() + ": " + what);
        }
    }

    /** The files given, and the model files (by extension) under the folders given, in a stable order. */
    private List<Path> files() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ScanCommand::isModelFile).sorted().forEach(out::add);
                }
            } else {
                out.add(p); // a missing or unreadable file is reported as such by the scan
            }
        }
        return out;
    }

    private static boolean isModelFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot));
    }
}
