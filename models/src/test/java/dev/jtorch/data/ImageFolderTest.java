package dev.jtorch.data;

import dev.jtorch.Tensor;
import dev.jtorch.data.transforms.ToTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ImageFolder} on a tiny generated folder of PNGs (and a JPEG). */
class ImageFolderTest {
    @TempDir
    Path root;

    static void png(Path file, int type, int w, int h, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, (x + 10 * y) & 0xFF);
        }
        String fmt = file.toString().endsWith(".jpg") ? "jpeg" : "png";
        assertTrue(ImageIO.write(img, fmt, file.toFile()));
    }

    @Test
    void classesAndSamplesFollowTorchvisionsOrder() throws IOException {
        png(root.resolve("b/2.png"), BufferedImage.TYPE_INT_RGB, 4, 3, 0x102030);
        png(root.resolve("b/10.png"), BufferedImage.TYPE_INT_RGB, 4, 3, 0x102030);
        png(root.resolve("b/sub/0.png"), BufferedImage.TYPE_INT_RGB, 4, 3, 0x102030);
        png(root.resolve("a/x.PNG"), BufferedImage.TYPE_INT_ARGB, 4, 3, 0x80FF0000);
        png(root.resolve("C/grey.png"), BufferedImage.TYPE_BYTE_GRAY, 4, 3, 0);
        Files.writeString(root.resolve("a/notes.txt"), "not an image");
        Files.writeString(root.resolve("stray.png"), "a file at the top level is not a class");
        ImageFolder ds = new ImageFolder(root);
        assertEquals(List.of("C", "a", "b"), ds.classes()); // by code point, as Python sorts
        assertEquals(Map.of("C", 0, "a", 1, "b", 2), ds.classToIdx());
        List<String> files = ds.samples().stream().map(e -> root.relativize(e.path()).toString()).toList();
        assertEquals(List.of("C/grey.png", "a/x.PNG", "b/10.png", "b/2.png", "b/sub/0.png"), files);
        assertArrayEquals(new int[]{0, 1, 2, 2, 2}, ds.targets());

        Sample grey = ds.get(0);
        assertArrayEquals(new int[]{3, 3, 4}, grey.input().shape(), "grey becomes RGB by default");
        float[] g = grey.input().toFloatArray();
        assertEquals((2 + 10 * 1) / 255f, g[4 + 2], 1e-7);          // channel 0, pixel (2, 1)
        assertEquals(g[4 + 2], g[12 + 4 + 2], 0);                   // repeated into channel 1
        assertEquals(g[4 + 2], g[24 + 4 + 2], 0);                   // and 2
        Tensor red = ds.get(1).input();
        assertArrayEquals(new float[]{1, 0, 0}, new float[]{red.toFloatArray()[0], red.toFloatArray()[12], red.toFloatArray()[24]},
                "alpha dropped, colour kept");
        assertEquals(2, ds.get(4).target());

        ImageFolder keep = new ImageFolder(root, new ToTensor(), null);
        assertArrayEquals(new int[]{1, 3, 4}, keep.get(0).input().shape(), "mode null keeps grey as L");
    }

    @Test
    void readsJpeg() throws IOException {
        png(root.resolve("only/a.jpg"), BufferedImage.TYPE_INT_RGB, 8, 8, 0x40C080);
        float[] px = new ImageFolder(root).get(0).input().toFloatArray();
        assertEquals(0x40 / 255f, px[0], 3 / 255f); // JPEG: within a few levels
        assertEquals(0xC0 / 255f, px[64], 3 / 255f);
    }

    @Test
    void emptyClassesAndUnreadableFormatsAreNamed() throws IOException {
        png(root.resolve("a/1.png"), BufferedImage.TYPE_INT_RGB, 2, 2, 0);
        Files.createDirectories(root.resolve("b"));
        Files.writeString(root.resolve("b/readme.txt"), "");
        var e = assertThrows(IOException.class, () -> new ImageFolder(root));
        assertTrue(e.getMessage().contains("Found no valid file for the classes b"), e.getMessage());
        Files.writeString(root.resolve("b/1.webp"), "");
        var w = assertThrows(IOException.class, () -> new ImageFolder(root));
        assertTrue(w.getMessage().contains("1.webp") && w.getMessage().contains("javax.imageio"), w.getMessage());
        assertThrows(IOException.class, () -> new ImageFolder(root.resolve("a/1.png")));
    }

    @Test
    void aCorruptImageFailsWhenLoadedNamingTheFile() throws IOException {
        png(root.resolve("a/1.png"), BufferedImage.TYPE_INT_RGB, 2, 2, 0);
        Files.writeString(root.resolve("a/2.png"), "not a png");
        ImageFolder ds = new ImageFolder(root);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> ds.get(1));
        assertTrue(e.getMessage().contains("2.png"), e.getMessage());
    }
}
