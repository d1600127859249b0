package dev.jtorch.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on one line: redrawn in place with a carriage return on a terminal (at most
 * ten times a second), or printed as a new line every tenth of the way when the output is a
 * file or a pipe, so that logs stay readable.
 */
final class ProgressLine {
    private static final int WIDTH = 24;
    private final PrintWriter out;
    private final String label;
    private final int total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastTenth;
    private int lastLength;

    ProgressLine(PrintWriter out, String label, int total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
    }

    /** Shows {@code done} of {@code total} with the given statistics ({@code "loss 0.41  acc 85.2%"}). */
    void update(int done, String stats) {
        long now = System.nanoTime();
        int tenth = total == 0 ? 10 : (int) (10L * done / total);
        if (terminal) {
            if (done < total && now - lastDraw < 100_000_000L) return;
            String line = render(done, stats, now);
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (done >= total) out.println();
        } else {
            if (tenth == lastTenth && done < total) return;
            lastTenth = tenth;
            out.println(render(done, stats, now));
        }
        lastDraw = now;
        out.flush();
    }

    private String render(int done, String stats, long now) {
        double seconds = (now - start) / 1e9;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String eta = done > 0 && done < total ? "  eta " + clock(seconds * (total - done) / done) : "  " + clock(seconds);
        return String.format(Locale.ROOT, "%s [%s] %d/%d  %s%s", label, bar, done, total, stats, eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
