package dev.jtorch.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * A progress bar on one line: redrawn in place with a carriage return on a terminal (at most
 * ten times a second), or printed as a new line every tenth of the way when the output is a
 * file or a pipe, so that logs stay readable. Counts items ({@link #ProgressLine}) or bytes
 * ({@link #bytes}); a byte total the server did not send is shown as a count with no bar.
 */
final class ProgressLine {
    private static final int WIDTH = 24;
    /** Without a known total, a new line is printed every this many bytes in a log. */
    private static final long UNKNOWN_TOTAL_LOG_STEP = 16L << 20;
    private final PrintWriter out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final LongFunction<String> amount;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long lastStep;
    private int lastLength;

    ProgressLine(PrintWriter out, String label, int total, boolean terminal) {
        this(out, label, total, terminal, Long::toString, "");
    }

    private ProgressLine(PrintWriter out, String label, long total, boolean terminal, LongFunction<String> amount,
                         String unit) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.amount = amount;
        this.unit = unit;
    }

    /** A bar for a download of {@code total} bytes (-1: unknown), counted in MB. */
    static ProgressLine bytes(PrintWriter out, String label, long total, boolean terminal) {
        return new ProgressLine(out, label, total, terminal, b -> String.format(Locale.ROOT, "%.1f", b / 1e6), " MB");
    }

    /** Whether the standard output is a terminal a bar can be redrawn on. */
    static boolean onTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Shows {@code done} of the total with the given statistics ({@code "loss 0.41  acc 85.2%"}). */
    void update(long done, String stats) {
        long now = System.nanoTime();
        boolean finished = total >= 0 && done >= total;
        if (terminal) {
            if (!finished && now - lastDraw < 100_000_000L) return;
            String line = render(done, stats, now);
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (finished) out.println();
        } else {
            long step = total > 0 ? 10 * done / total : total == 0 ? 10 : done / UNKNOWN_TOTAL_LOG_STEP;
            if (step == lastStep && !finished) return;
            lastStep = step;
            out.println(render(done, stats, now));
        }
        lastDraw = now;
        out.flush();
    }

    /** Ends a line left open on a terminal (a download whose length was not known). */
    void finish() {
        if (terminal && total < 0 && lastLength > 0) out.println();
        out.flush();
    }

    private String render(long done, String stats, long now) {
        double seconds = (now - start) / 1e9;
        String tail = stats.isEmpty() ? "" : "  " + stats;
        if (total < 0) {
            return String.format(Locale.ROOT, "%s %s%s%s  %s", label, amount.apply(done), unit, tail, clock(seconds));
        }
        int filled = total == 0 ? WIDTH : (int) (WIDTH * Math.min(done, total) / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String eta = done > 0 && done < total ? "  eta " + clock(seconds * (total - done) / done) : "  " + clock(seconds);
        return String.format(Locale.ROOT, "%s [%s] %s/%s%s%s%s", label, bar, amount.apply(done), amount.apply(total), unit,
                tail, eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
