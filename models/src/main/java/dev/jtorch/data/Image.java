package dev.jtorch.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;

/**
 * An 8-bit image in memory, what a PIL {@code Image} is to torchvision's transforms: mode
 * {@code L} (one grey channel) or {@code RGB}, pixels row-major with channels interleaved
 * ({@code HWC}). Immutable: transforms return new images.
 */
public final class Image {
    /** PIL's modes that jtorch's transforms handle. */
    public enum Mode {
        L(1), RGB(3);

        private final int channels;

        Mode(int channels) { this.channels = channels; }

        public int channels() { return channels; }
    }

    private final int width;
    private final int height;
    private final Mode mode;
    private final byte[] pixels;

    /** An image over {@code pixels} (HWC, not copied: the caller gives up the array). */
    public Image(int width, int height, Mode mode, byte[] pixels) {
        Objects.requireNonNull(mode, "mode");
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if ((long) width * height * mode.channels() != pixels.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " " + mode + " image has "
                    + (long) width * height * mode.channels() + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.mode = mode;
        this.pixels = pixels;
    }

    public int width() { return width; }
    public int height() { return height; }
    public Mode mode() { return mode; }
    public int channels() { return mode.channels(); }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) { return pixels[(y * width + x) * mode.channels() + c] & 0xFF; }

    /** A copy of the pixel bytes (HWC). */
    public byte[] pixels() { return pixels.clone(); }

    /** The pixel bytes themselves, for the transforms of this package (which never write them). */
    byte[] data() { return pixels; }

    /**
     * {@code Image.convert(mode)}. RGB to L uses PIL's ITU-R 601-2 luma in PIL's fixed point
     * ({@code (R*19595 + G*38470 + B*7471 + 0x8000) >> 16}), so the bytes equal PIL's; L to RGB
     * repeats the grey value in the three channels.
     */
    public Image convert(Mode target) {
        if (target == mode) return this;
        int n = width * height;
        byte[] out = new byte[n * target.channels()];
        if (target == Mode.RGB) {
            for (int i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = pixels[i];
        } else {
            for (int i = 0; i < n; i++) {
                int r = pixels[3 * i] & 0xFF, g = pixels[3 * i + 1] & 0xFF, b = pixels[3 * i + 2] & 0xFF;
                out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16);
            }
        }
        return new Image(width, height, target, out);
    }

    /**
     * Reads a PNG, JPEG, GIF or BMP file with {@code javax.imageio}. Grey images (with or without
     * alpha) come back as {@code L}, everything else as {@code RGB}; alpha is dropped, as PIL's
     * {@code convert("RGB")} drops it, and 16-bit samples keep their high byte. PNG pixels equal
     * PIL's; JPEG decoders differ in their IDCT and chroma upsampling, so a JPEG's pixels may
     * differ from PIL's by a few levels.
     */
    public static Image read(Path path) throws IOException {
        try (var in = Files.newInputStream(path)) {
            return decode(in, path.toString());
        }
    }

    /**
     * Decodes an image held in memory (a file's bytes, as Spark's binary file source gives them),
     * by the rules of {@link #read}; {@code name} (a path or key) is what error messages cite.
     */
    public static Image decode(byte[] bytes, String name) throws IOException {
        return decode(new ByteArrayInputStream(bytes), name);
    }

    private static Image decode(InputStream in, String name) throws IOException {
        BufferedImage img;
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(name + ": not an image format javax.imageio can read (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                // The size in the header is checked before the pixels are allocated: a few bytes can
                // claim 40000x40000 pixels (PIL refuses such "decompression bombs" the same way).
                long w = reader.getWidth(0), h = reader.getHeight(0), max = maxPixels();
                if (w * h > max) {
                    throw new IOException(name + ": " + w + "x" + h + " pixels, more than the limit of " + max
                            + " (a decompression bomb?); -Djtorch.image.maxPixels raises it");
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (RuntimeException e) { // ImageIO throws unchecked exceptions on some corrupt files
            throw new IOException(name + ": cannot decode the image: " + e, e);
        }
        if (img == null) throw new IOException(name + ": not an image format javax.imageio can read (PNG, JPEG, GIF, BMP)");
        try {
            return fromBufferedImage(img);
        } catch (RuntimeException e) {
            throw new IOException(name + ": cannot decode the image: " + e.getMessage(), e);
        }
    }

    /** PIL's limit by default (Image.MAX_IMAGE_PIXELS, past twice which it raises DecompressionBombError). */
    private static final long DEFAULT_MAX_PIXELS = 2L * 89_478_485;

    /** Most pixels {@link #read} decodes: {@code -Djtorch.image.maxPixels}, read on each call. */
    static long maxPixels() {
        return Long.getLong("jtorch.image.maxPixels", DEFAULT_MAX_PIXELS);
    }

    /** Converts a {@link BufferedImage} (see {@link #read} for the rules). */
    public static Image fromBufferedImage(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        Raster raster = img.getRaster();
        boolean grey = img.getColorModel().getColorSpace().getNumComponents() == 1
                && !(img.getColorModel() instanceof IndexColorModel)
                && img.getColorModel() instanceof ComponentColorModel;
        if (grey) {
            // Read the samples themselves: getRGB would pass them through a gamma conversion.
            int shift = raster.getDataBuffer().getDataType() == DataBuffer.TYPE_USHORT ? 8 : 0;
            int bits = img.getColorModel().getComponentSize(0);
            byte[] out = new byte[w * h];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = row[x] >>> shift;
                    if (bits < 8 && shift == 0) v = v * 255 / ((1 << bits) - 1); // 1/2/4-bit grey PNGs
                    out[y * w + x] = (byte) v;
                }
            }
            return new Image(w, h, Mode.L, out);
        }
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], o = (y * w + x) * 3;
                out[o] = (byte) (p >>> 16);
                out[o + 1] = (byte) (p >>> 8);
                out[o + 2] = (byte) p;
            }
        }
        return new Image(w, h, Mode.RGB, out);
    }

    /** A {@link BufferedImage} of this image ({@code TYPE_BYTE_GRAY} or {@code TYPE_3BYTE_BGR}). */
    public BufferedImage toBufferedImage() {
        if (mode == Mode.L) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, width, height, pixels);
            return img;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        int[] rgb = new int[width * height * 3];
        for (int i = 0; i < rgb.length; i++) rgb[i] = pixels[i] & 0xFF;
        img.getRaster().setPixels(0, 0, width, height, rgb);
        return img;
    }

    @Override
    public String toString() { return "Image(mode=" + mode + ", size=" + width + "x" + height + ")"; }
}
