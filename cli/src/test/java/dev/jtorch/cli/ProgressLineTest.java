package dev.jtorch.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The download bar as `--weights NAME` shows it, in a log and on a terminal. */
class ProgressLineTest {

    @Test
    void inALogADownloadPrintsOneLinePerTenthInMegabytes() {
        StringWriter text = new StringWriter();
        ProgressLine bar = ProgressLine.bytes(new PrintWriter(text), "  w.pth", 10_000_000, false);
        for (long done = 65_536; ; done += 65_536) {
            bar.update(Math.min(done, 10_000_000), "");
            if (done >= 10_000_000) break;
        }
        bar.finish();
        List<String> lines = text.toString().lines().toList();
        assertEquals(10, lines.size(), text.toString());
        assertTrue(lines.get(0).startsWith("  w.pth [##......................] 1.0/10.0 MB  eta "), lines.get(0));
        assertTrue(lines.get(9).startsWith("  w.pth [########################] 10.0/10.0 MB  0:"), lines.get(9));
    }

    @Test
    void withoutAKnownLengthALogGetsTheCountEvery16Megabytes() {
        StringWriter text = new StringWriter();
        ProgressLine bar = ProgressLine.bytes(new PrintWriter(text), "  w.pth", -1, false);
        for (long done = 1 << 20; done <= 40L << 20; done += 1 << 20) bar.update(done, "");
        bar.finish();
        List<String> lines = text.toString().lines().toList();
        assertEquals(2, lines.size(), text.toString());
        assertTrue(lines.get(0).startsWith("  w.pth 16.8 MB  0:"), lines.get(0));
        assertTrue(lines.get(1).startsWith("  w.pth 33.6 MB  0:"), lines.get(1));
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndedWhenDone() {
        StringWriter text = new StringWriter();
        ProgressLine bar = ProgressLine.bytes(new PrintWriter(text), "  w.pth", 2_000_000, true);
        bar.update(1_000_000, "");
        bar.update(2_000_000, "");
        String out = text.toString();
        assertTrue(out.startsWith("\r  w.pth [############............] 1.0/2.0 MB"), out);
        assertTrue(out.contains("\r  w.pth [########################] 2.0/2.0 MB"), out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
    }
}
