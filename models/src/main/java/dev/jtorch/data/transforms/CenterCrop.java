package dev.jtorch.data.transforms;

import dev.jtorch.data.Image;

/**
 * {@code transforms.CenterCrop(size)}: the central {@code h x w} window, its corner at
 * {@code round((H - h) / 2)} with Python's round-half-to-even; where the crop is larger than the
 * image, the image is first padded with zeros ({@code (crop - size) // 2} before), as torchvision does.
 */
public final class CenterCrop implements Transform<Image, Image> {
    private final int height, width;

    public CenterCrop(int size) { this(size, size); }

    public CenterCrop(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("CenterCrop: size must be positive, got (" + height + ", " + width + ")");
        this.height = height;
        this.width = width;
    }

    /** The source index of the crop's first row/column (negative: that many padding lines come first). */
    static int start(int size, int crop) {
        if (crop > size) return -((crop - size) / 2);
        return (int) Math.rint((size - crop) / 2.0);
    }

    @Override
    public Image apply(Image img) {
        int top = start(img.height(), height), left = start(img.width(), width), ch = img.channels();
        if (top == 0 && left == 0 && height == img.height() && width == img.width()) return img;
        byte[] src = img.pixels();
        byte[] out = new byte[width * height * ch];
        for (int y = 0; y < height; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= img.height()) continue;
            for (int x = 0; x < width; x++) {
                int sx = x + left;
                if (sx < 0 || sx >= img.width()) continue;
                System.arraycopy(src, (sy * img.width() + sx) * ch, out, (y * width + x) * ch, ch);
            }
        }
        return new Image(width, height, img.mode(), out);
    }

    @Override
    public String toString() { return "CenterCrop(size=(" + height + ", " + width + "))"; }
}
