package dev.jtorch.cli;

import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.ScanReport;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What {@code inspect} and {@code convert} say on stderr about a pickled file that needs more
 * than PyTorch's weights-only allowlist (a whole pickled model names its classes): one line per
 * global, so the user knows {@code torch.load(weights_only=True)} would refuse the file. jtorch
 * reads such classes as descriptions only; globals that run code are refused by the loader
 * itself, with its own error.
 */
final class TrustNotes {
    private TrustNotes() {}

    static void print(Path file, PrintWriter err) {
        ScanReport r = Checkpoints.scan(file);
        Set<String> said = new LinkedHashSet<>();
        for (ScanReport.Finding f : r.findings()) {
            if (f.verdict() == ScanReport.Verdict.NEEDS_TRUST && said.add(f.global())) {
                err.println("note: " + file + " names " + f.global() + ", outside PyTorch's weights-only allowlist"
                        + " (torch.load(weights_only=True) refuses it; jtorch only describes it)");
            }
        }
        err.flush();
    }
}
