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

/** `./jtorch demo` end to end, shortened to one epoch per stage. */
class DemoCliTest {

    @Test
    void demoPretrainsSurgesFreezesFineTunesSavesAndReloads(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "demo", "--pretrain-epochs", "1", "--finetune-epochs", "1", "--out", dir.toString());
        String text = out.toString();
        assertEquals(0, status, text + err);
        assertTrue(text.contains("strict load: all keys matched"), text);
        assertTrue(text.contains("(fc2): Linear(in_features=128, out_features=3, bias=True)"), text);
        assertTrue(text.contains("frozen weights bitwise unchanged: yes"), text);
        Matcher m = Pattern.compile("validation accuracy ([0-9.]+)% \\(before saving: ([0-9.]+)%\\)").matcher(text);
        assertTrue(m.find(), text);
        assertEquals(m.group(2), m.group(1), "the reloaded model must score what the trained one scored");
        // The pretrained checkpoint is a plain resnet18 state dict: it loads strictly.
        assertTrue(Files.exists(dir.resolve("finetuned.pth")));
        Models.resnet18(4).loadStateDict(TorchIO.loadStateDict(dir.resolve("pretrained.pth")), true);
    }
}
