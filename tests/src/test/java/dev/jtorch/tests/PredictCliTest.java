package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jtorch predict} against torchvision: the same ResNet-18 weights (seeded, written by
 * torchvision), images PIL writes, torchvision's {@code ResNet18_Weights.IMAGENET1K_V1.transforms()}
 * and softmax; jtorch's top-5 labels and probabilities must be torchvision's.
 */
class PredictCliTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = String.join("\n",
            "import sys, json, torch, torchvision",
            "from PIL import Image, ImageDraw",
            "d = sys.argv[1]",
            "torch.manual_seed(0)",
            "m = torchvision.models.resnet18().eval()",
            "torch.save(m.state_dict(), d + '/w.pth')",
            "g = torch.Generator().manual_seed(1)",
            "names = []",
            "for i, (w, h) in enumerate([(300, 260), (200, 240)]):",
            "    img = Image.fromarray((torch.rand(h, w, 3, generator=g) * 255).to(torch.uint8).numpy())",
            "    ImageDraw.Draw(img).ellipse([20, 30, w - 40, h - 20], fill=(200, 40 + 60 * i, 30))",
            "    img.save(d + '/img%d.png' % i); names.append(d + '/img%d.png' % i)",
            "t = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.transforms()",
            "x = torch.stack([t(Image.open(n).convert('RGB')) for n in names])",
            "with torch.no_grad(): p = m(x).softmax(1)",
            "print(json.dumps(p.tolist()))");

    @Test
    void topFiveAreTorchvisions() throws Exception {
        SystemTorch.assume("the comparison of predict with torchvision");
        ProcessBuilder pb = new ProcessBuilder(SystemTorch.PYTHON.toString(), "-c", SCRIPT, dir.toString());
        pb.environment().remove("PYTHONPATH");
        Process proc = pb.start();
        String torchOut = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String torchErr = new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, proc.exitValue(), torchErr);
        double[][] torch = parse(torchOut.strip());

        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), "predict", "--model", "resnet18", "--weights",
                dir.resolve("w.pth").toString(), "--json", dir.resolve("img0.png").toString(), dir.resolve("img1.png").toString());
        assertEquals(0, status, err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), out.toString());
        Pattern entry = Pattern.compile("\\{\"index\": (\\d+), \"label\": \"[^\"]*\", \"probability\": ([0-9.]+)\\}");
        for (int i = 0; i < 2; i++) {
            Matcher m = entry.matcher(lines.get(i));
            int k = 0;
            double previous = Double.POSITIVE_INFINITY;
            while (m.find()) {
                int index = Integer.parseInt(m.group(1));
                double p = Double.parseDouble(m.group(2));
                assertEquals(torch[i][index], p, 1e-5, "image " + i + ", class " + index);
                assertTrue(p <= previous, lines.get(i));
                previous = p;
                // torchvision's k-th largest, up to ties closer than the comparison can tell
                double[] sorted = torch[i].clone();
                java.util.Arrays.sort(sorted);
                assertEquals(sorted[sorted.length - 1 - k], torch[i][index], 2e-6, "rank " + k + " of image " + i);
                k++;
            }
            assertEquals(5, k, lines.get(i));
        }
        assertTrue(lines.get(0).startsWith("{\"image\": \"" + dir.resolve("img0.png") + "\""), lines.get(0));
    }

    private static double[][] parse(String json) {
        String[] rows = json.substring(2, json.length() - 2).split("\\],\\s*\\[");
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = java.util.Arrays.stream(rows[i].split(",")).mapToDouble(s -> Double.parseDouble(s.strip())).toArray();
        }
        return out;
    }
}
