package dev.jtorch.nn;

import dev.jtorch.Tensor;

import java.util.Arrays;

/**
 * {@code nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None)} for
 * {@code [N, C, H, W]}, modes "nearest" and "bilinear". Exactly one of size and scale factor;
 * both print as given ({@code size=4} or {@code size=(4, 5)}; a scale factor always as a float).
 *
 * {@snippet :
 * var up = Upsample.scale(2, "bilinear", true);   // Upsample(scale_factor=2.0, mode=bilinear)
 * var fixed = Upsample.size(IntOrTuple.tuple(32, 32), "nearest");
 * }
 */
public class Upsample extends Module {
    /** null when a scale factor was given. */
    public final IntOrTuple size;
    /** null when a size was given; one value, or (height, width) when given as a pair. */
    private final double[] scaleFactor;
    public final String mode;
    /** null: PyTorch's None (false). */
    public final Boolean alignCorners;

    public Upsample(IntOrTuple size, double[] scaleFactor, String mode, Boolean alignCorners) {
        if (!mode.equals("nearest") && !mode.equals("bilinear")) {
            throw new UnsupportedOperationException("Upsample mode '" + mode + "' is not supported (nearest | bilinear)");
        }
        if (scaleFactor != null && scaleFactor.length != 1 && scaleFactor.length != 2) {
            throw new IllegalArgumentException("scale_factor must be one value or a (height, width) pair");
        }
        this.size = size;
        // PyTorch keeps a scale factor of 0 (falsy) as None.
        this.scaleFactor = scaleFactor == null || (scaleFactor.length == 1 && scaleFactor[0] == 0) ? null : scaleFactor.clone();
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    public static Upsample scale(double scaleFactor, String mode) { return new Upsample(null, new double[]{scaleFactor}, mode, null); }

    public static Upsample scale(double scaleFactor, String mode, Boolean alignCorners) {
        return new Upsample(null, new double[]{scaleFactor}, mode, alignCorners);
    }

    public static Upsample size(IntOrTuple size, String mode) { return new Upsample(size, null, mode, null); }

    public static Upsample size(IntOrTuple size, String mode, Boolean alignCorners) {
        return new Upsample(size, null, mode, alignCorners);
    }

    public double[] scaleFactor() { return scaleFactor == null ? null : scaleFactor.clone(); }

    @Override
    public Tensor forward(Tensor input) {
        return F.interpolate(input, size == null ? null : size.values(), scaleFactor, mode, alignCorners);
    }

    @Override
    public String extraRepr() {
        String info;
        if (scaleFactor != null) {
            info = "scale_factor=" + (scaleFactor.length == 1 ? PyFormat.number(scaleFactor[0])
                    : "(" + String.join(", ", Arrays.stream(scaleFactor).mapToObj(PyFormat::number).toList()) + ")");
        } else {
            info = "size=" + size;
        }
        return info + ", mode=" + mode;
    }
}
