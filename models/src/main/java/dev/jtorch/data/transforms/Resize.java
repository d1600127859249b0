package dev.jtorch.data.transforms;

import dev.jtorch.data.Image;

/**
 * {@code transforms.Resize(size)} on images, bilinear: with one number the shorter side becomes
 * {@code size} and the longer keeps the aspect ratio ({@code int(size * long / short)}, truncated
 * as torchvision truncates); with {@code (h, w)} the image becomes exactly that. The pixels are
 * Pillow's ({@link PilBilinear}: antialiased when shrinking), so they equal what torchvision's
 * PIL path gives.
 */
public final class Resize implements Transform<Image, Image> {
    private final int height, width; // width < 0: shorter side = height
    private final Integer maxSize;

    /** Shorter side to {@code size}. */
    public Resize(int size) { this(size, -1, null); }

    /** Exactly {@code height x width}. */
    public Resize(int height, int width) { this(height, width, null); }

    private Resize(int height, int width, Integer maxSize) {
        if (height < 1 || width == 0 || width < -1) {
            throw new IllegalArgumentException("Resize: sizes must be positive, got " + (width < 0 ? height : "(" + height + ", " + width + ")"));
        }
        this.height = height;
        this.width = width;
        this.maxSize = maxSize;
    }

    /** Shorter side to {@code size}, but the longer side at most {@code maxSize} ({@code max_size}). */
    public static Resize shorterSide(int size, int maxSize) {
        if (maxSize <= size) {
            throw new IllegalArgumentException("max_size = " + maxSize + " must be strictly greater than the requested size for the smaller edge size = " + size);
        }
        return new Resize(size, -1, maxSize);
    }

    /** The output (width, height) for an input of w x h, by torchvision's rule. */
    int[] outputSize(int w, int h) {
        if (width > 0) return new int[]{width, height};
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        int newShort = height, newLong = (int) ((long) height * longSide / shortSide);
        if (maxSize != null && newLong > maxSize) {
            newShort = (int) ((long) maxSize * newShort / newLong);
            newLong = maxSize;
        }
        return w <= h ? new int[]{newShort, newLong} : new int[]{newLong, newShort};
    }

    @Override
    public Image apply(Image img) {
        int[] wh = outputSize(img.width(), img.height());
        if (wh[0] == img.width() && wh[1] == img.height()) return img;
        byte[] out = PilBilinear.resize(img.pixels(), img.width(), img.height(), img.channels(), wh[0], wh[1]);
        return new Image(wh[0], wh[1], img.mode(), out);
    }

    @Override
    public String toString() {
        String size = width < 0 ? Integer.toString(height) : "[" + height + ", " + width + "]";
        return "Resize(size=" + size + ", interpolation=bilinear, max_size=" + (maxSize == null ? "None" : maxSize)
                + ", antialias=None)";
    }
}
