package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.cli.Main;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.StateDict;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jtorch finetune} end to end on tiny generated datasets (an ImageFolder of PNGs, gzipped
 * idx files): it trains, reports, writes a state dict that loads strictly into a fresh model and,
 * when Debian's PyTorch is installed, into torchvision's model (same outputs), plus a PNG chart.
 * With {@code --freeze-backbone} every backbone parameter comes out bitwise unchanged.
 */
class FinetuneCliTest {
    static final Path PYTHON = SystemTorch.PYTHON;

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run jtorch(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    /** Three classes told apart by colour (red, green, blue squares on noise), {@code n} images each. */
    static void imageFolder(Path root, int n, long seed) throws IOException {
        java.util.Random rnd = new java.util.Random(seed);
        String[] classes = {"blue", "green", "red"};
        int[] colours = {0x2040E0, 0x20C040, 0xE03020};
        for (int c = 0; c < 3; c++) {
            Path d = Files.createDirectories(root.resolve(classes[c]));
            for (int i = 0; i < n; i++) {
                int w = 18 + rnd.nextInt(6), h = 18 + rnd.nextInt(6); // sizes differ: --image-size makes them one
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rnd.nextInt(0x404040));
                int x0 = rnd.nextInt(w - 10), y0 = rnd.nextInt(h - 10);
                for (int y = y0; y < y0 + 10; y++) for (int x = x0; x < x0 + 10; x++) img.setRGB(x, y, colours[c]);
                assertTrue(ImageIO.write(img, "png", d.resolve(i + ".png").toFile()));
            }
        }
    }

    /**
     * Fine-tunes a 3-class ResNet-18 on generated train/ and val/ folders ({@code train} and
     * {@code val} images a class) with Adam into {@code out}; the run must succeed.
     */
    private Run finetuneResNet18(int train, int val, Path out, String... extra) throws Exception {
        imageFolder(dir.resolve("data/train"), train, 1);
        imageFolder(dir.resolve("data/val"), val, 2);
        Files.createDirectories(out.getParent());
        List<String> args = new ArrayList<>(List.of("finetune", "--model", "resnet18", "--data", dir.resolve("data").toString(),
                "--num-classes", "3", "--batch", "6", "--image-size", "16", "--optimizer", "adam", "--lr", "0.001",
                "--out", out.toString()));
        args.addAll(List.of(extra));
        Run r = jtorch(args.toArray(new String[0]));
        assertEquals(0, r.status, r.err + r.out);
        return r;
    }

    @Test
    void trainsOnAnImageFolderAndSavesAStateDict() throws Exception {
        Path out = dir.resolve("out/tuned.pth");
        Run r = finetuneResNet18(8, 3, out, "--epochs", "2", "--hflip");
        assertTrue(r.out.contains("ImageFolder (train/ and val/)"), r.out);
        assertTrue(r.out.contains("24 training and 9 validation images of 3x16x16, 3 classes"), r.out);
        assertTrue(r.out.contains("epoch 2/2 [########################] 24/24"), r.out);
        assertTrue(r.out.contains("img/s"), r.out);
        assertTrue(r.out.contains("epoch 2/2: train loss"), r.out);
        assertTrue(r.out.contains("validation accuracy"), r.out);

        StateDict saved = Checkpoints.loadStateDict(out);
        Module fresh = Models.create("resnet18", dev.jtorch.models.ModelOptions.numClasses(3));
        assertEquals(fresh.stateDict().keySet(), saved.keySet(), "torchvision's keys, in order");
        fresh.loadStateDict(saved, true);
        assertArrayEquals(new int[]{3, 512}, saved.get("fc.weight").shape());

        BufferedImage chart = ImageIO.read(out.resolveSibling("tuned.png").toFile());
        assertNotNull(chart, "the chart is a PNG");
        assertTrue(chart.getWidth() >= 800 && chart.getHeight() >= 300);
    }

    /** torchvision loads the fine-tuned state dict strictly and gives the same logits (needs Debian's python3-torch). */
    @Test
    void pyTorchLoadsTheFineTunedStateDict() throws Exception {
        SystemTorch.assume("the check that PyTorch loads the fine-tuned state dict");
        Path out = dir.resolve("out/tuned.pth");
        finetuneResNet18(4, 2, out, "--epochs", "1");
        Module fresh = Models.create("resnet18", dev.jtorch.models.ModelOptions.numClasses(3));
        fresh.loadStateDict(Checkpoints.loadStateDict(out), true);
        Tensor x = Torch.arange(0, 3 * 16 * 16, 1).to(dev.jtorch.DType.FLOAT32).div(3 * 16 * 16 - 1).mul(2).sub(1).reshape(1, 3, 16, 16);
        fresh.eval();
        float[] mine;
        try (var g = Torch.noGrad()) {
            mine = fresh.forward(x).toFloatArray();
        }
        String script = String.join("\n",
                "import sys, torch, torchvision",
                "m = torchvision.models.resnet18(num_classes=3)",
                "m.load_state_dict(torch.load(sys.argv[1], weights_only=True), strict=True)",
                "m.eval()",
                "x = torch.linspace(-1, 1, 3 * 16 * 16).reshape(1, 3, 16, 16)",
                "print(' '.join('%.6f' % v for v in m(x).flatten().tolist()))");
        String[] theirs = python(script, out.toString()).strip().split(" ");
        assertEquals(3, theirs.length);
        for (int i = 0; i < 3; i++) assertEquals(Double.parseDouble(theirs[i]), mine[i], 1e-3, "logit " + i);
    }

    @Test
    void freezeBackboneTrainsOnlyTheNewHead() throws Exception {
        imageFolder(dir.resolve("data"), 5, 3); // one folder: a validation part is split off
        Torch.manualSeed(11);
        Module pretrained = Models.create("resnet18");
        Path weights = dir.resolve("pretrained.pth");
        PthWriter.save(pretrained.stateDict(), weights);
        Path out = dir.resolve("frozen.pth");
        Run r = jtorch("finetune", "--weights", weights.toString(), "--data", dir.resolve("data").toString(), "--num-classes", "3",
                "--freeze-backbone", "--epochs", "1", "--batch", "4", "--image-size", "16", "--optimizer", "sgd", "--lr", "0.01",
                "--val-fraction", "0.2", "--out", out.toString(), "--workers", "2");
        assertEquals(0, r.status, r.err + r.out);
        assertTrue(r.out.contains("3 of 15 images held out for validation"), r.out);
        assertTrue(r.out.contains("training 1,539 parameters (backbone frozen)"), r.out);
        StateDict saved = Checkpoints.loadStateDict(out);
        Map<String, Tensor> before = pretrained.stateDict();
        Map<String, Tensor> params = pretrained.namedParameters();
        int compared = 0;
        for (String k : params.keySet()) {
            if (k.startsWith("fc.")) continue;
            assertArrayEquals(before.get(k).toFloatArray(), saved.get(k).toFloatArray(), k + " is frozen");
            compared++;
        }
        assertEquals(60, compared);
        assertFalse(java.util.Arrays.equals(new float[3 * 512], saved.get("fc.weight").toFloatArray()));
    }

    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static void writeGz(Path p, byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) { gz.write(raw); }
        Files.write(p, bytes.toByteArray());
    }

    @Test
    void trainsOnGzippedIdxFilesWithGreyImagesRepeatedToThreeChannels() throws Exception {
        java.util.Random rnd = new java.util.Random(5);
        for (String split : new String[]{"train", "t10k"}) {
            int n = split.equals("train") ? 40 : 10;
            byte[] px = new byte[n * 12 * 12], labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 2);
                for (int p = 0; p < 144; p++) px[i * 144 + p] = (byte) ((labels[i] == 0 ? p / 12 : p % 12) * 20 + rnd.nextInt(10));
            }
            writeGz(dir.resolve(split + "-images-idx3-ubyte.gz"), idx(new int[]{n, 12, 12}, px));
            writeGz(dir.resolve(split + "-labels-idx1-ubyte.gz"), idx(new int[]{n}, labels));
        }
        Path out = dir.resolve("idx.pth");
        Run r = jtorch("finetune", "--data", dir.toString(), "--num-classes", "2", "--epochs", "1", "--batch", "8",
                "--limit", "24", "--optimizer", "rmsprop", "--out", out.toString());
        assertEquals(0, r.status, r.err + r.out);
        assertTrue(r.out.contains("idx files (train-* for training, t10k-* for validation): 24 training and 10 validation images of 3x12x12, 2 classes"), r.out);
        assertTrue(Files.exists(out) && Files.exists(dir.resolve("idx.png")));
        Module m = Models.create("resnet18", dev.jtorch.models.ModelOptions.numClasses(2));
        m.loadStateDict(Checkpoints.loadStateDict(out), true);
    }

    @Test
    void badArgumentsFailWithOneLine() throws Exception {
        imageFolder(dir.resolve("data"), 2, 4);
        Run tooFew = jtorch("finetune", "--data", dir.resolve("data").toString(), "--num-classes", "2");
        assertEquals(1, tooFew.status);
        assertTrue(tooFew.err.contains("has 3 classes, more than --num-classes 2"), tooFew.err);
        Run ragged = jtorch("finetune", "--data", dir.resolve("data").toString(), "--num-classes", "3", "--batch", "4");
        assertEquals(1, ragged.status);
        assertTrue(ragged.err.contains("resize or crop"), ragged.err);
        Run missing = jtorch("finetune", "--data", dir.resolve("nope").toString(), "--num-classes", "3");
        assertEquals(1, missing.status);
        assertTrue(missing.err.contains("nope"), missing.err);
    }

    static String python(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python timed out");
        }
        if (p.exitValue() != 0) throw new IOException("python failed: " + output);
        return output;
    }
}
