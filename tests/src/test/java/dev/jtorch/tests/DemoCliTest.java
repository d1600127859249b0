package dev.jtorch.tests;

import dev.jtorch.cli.Main;
import dev.jtorch.models.Models;
import dev.jtorch.models.TorchIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `./jtorch demo` end to end, shortened to one pretraining epoch and two task-B epochs. */
class DemoCliTest {

    @Test
    void demoTrainsBothWaysSideBySideSavesReloadsAndRepeatsItsNumbersOnAnyThreadCount(@TempDir Path dir)
            throws Exception {
        String oneThread = demo(dir.resolve("t1"), 1);
        assertTrue(oneThread.contains("all keys matched"), oneThread);
        assertTrue(oneThread.contains("(fc2): Linear(in_features=128, out_features=4, bias=True)"), oneThread);
        assertTrue(oneThread.contains("frozen backbone bitwise unchanged: yes"), oneThread);
        assertTrue(oneThread.contains("epoch |  from scratch: loss  val acc   time |  transfer: loss  val acc   time"),
                oneThread);
        Matcher m = Pattern.compile("validation accuracy ([0-9.]+)% \\(before saving: ([0-9.]+)%\\)").matcher(oneThread);
        assertTrue(m.find(), oneThread);
        assertEquals(m.group(2), m.group(1), "the reloaded model must score what the trained one scored");
        // The pretrained checkpoint is a plain 8-class resnet18 state dict: it loads strictly.
        assertTrue(Files.exists(dir.resolve("t1/finetuned.pth")));
        Models.resnet18(8).loadStateDict(TorchIO.loadStateDict(dir.resolve("t1/pretrained.pth")), true);

        // Every loss and accuracy, to the last printed digit, is the same with two threads.
        String twoThreads = demo(dir.resolve("t2"), 2);
        assertEquals(numbersOnly(oneThread), numbersOnly(twoThreads));
    }

    private static String demo(Path dir, int threads) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo",
                "--pretrain-epochs", "1", "--finetune-epochs", "2", "--threads", Integer.toString(threads),
                "--out", dir.toString());
        assertEquals(0, status, out + "\n" + err);
        return out.toString();
    }

    /** The output without what may differ between runs: timings, speeds and the output folder. */
    private static String numbersOnly(String demoOutput) {
        return demoOutput.replaceAll("[0-9.]+ (s|img/s)\\b", "")
                .replaceAll("(/|\\\\)t[12]\\b", "")
                .replaceAll("done in .*", "");
    }
}
