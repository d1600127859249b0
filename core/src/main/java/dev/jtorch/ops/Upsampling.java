package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/**
 * {@code F.interpolate} for 4-D input in modes {@code nearest} and {@code bilinear}, and the two
 * ops behind it. PyTorch's index rules are kept exactly, including one subtlety: when the
 * caller gives {@code scale_factor} (and not {@code recompute_scale_factor=True}), the kernels
 * map output to input coordinates with {@code 1 / scale_factor}, not with {@code in / out}; the
 * two differ whenever {@code in * scale_factor} is not a whole number.
 */
public final class Upsampling {
    private Upsampling() {}

    /**
     * {@code F.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor)}.
     * Give exactly one of {@code size} and {@code scaleFactor} (one value for both dimensions or
     * {h, w}); {@code alignCorners} and {@code recomputeScaleFactor} may be null (PyTorch's None).
     */
    public static Tensor interpolate(Tensor input, int[] size, double[] scaleFactor, String mode, Boolean alignCorners,
                                     Boolean recomputeScaleFactor) {
        boolean linear = mode.equals("bilinear");
        if (!linear && !mode.equals("nearest")) {
            throw new UnsupportedOperationException("Input Error: jtorch supports the modes nearest | bilinear of "
                    + "interpolate (got " + mode + ")");
        }
        if (alignCorners != null && !linear) {
            throw new IllegalArgumentException("align_corners option can only be set with the interpolating modes: "
                    + "linear | bilinear | bicubic | trilinear");
        }
        if (input.dim() != 4) {
            if (linear && input.dim() == 3) throw new IllegalArgumentException("Got 3D input, but bilinear mode needs 4D input");
            throw new UnsupportedOperationException("Input Error: jtorch's interpolate supports 4D input (got " + input.dim()
                    + "D) for the modes: nearest | bilinear (got " + mode + ")");
        }
        if (size != null && scaleFactor != null) {
            throw new IllegalArgumentException("only one of size or scale_factor should be defined");
        }
        if (size == null && scaleFactor == null) {
            throw new IllegalArgumentException("either size or scale_factor should be defined");
        }
        int[] in = input.shape();
        int[] outSize;
        double[] scales = null;
        if (size != null) {
            if (recomputeScaleFactor != null && recomputeScaleFactor) {
                throw new IllegalArgumentException("recompute_scale_factor is not meaningful with an explicit size.");
            }
            outSize = twice(size, "size");
        } else {
            double[] sf = scaleFactor.length == 1 ? new double[]{scaleFactor[0], scaleFactor[0]} : scaleFactor;
            if (sf.length != 2) {
                throw new IllegalArgumentException("Input and scale_factor must have the same number of spatial dimensions, "
                        + "but got input with spatial dimensions of [" + in[2] + ", " + in[3] + "] and scale_factor of "
                        + "shape " + Arrays.toString(scaleFactor) + ".");
            }
            outSize = new int[]{(int) Math.floor(in[2] * sf[0]), (int) Math.floor(in[3] * sf[1])};
            if (recomputeScaleFactor == null || !recomputeScaleFactor) scales = sf;
        }
        return linear ? upsampleBilinear2d(input, outSize, alignCorners != null && alignCorners, scales)
                : upsampleNearest2d(input, outSize, scales);
    }

    /** {@code torch._C._nn.upsample_nearest2d(input, output_size, scale_factors)}; scales may be null. */
    public static Tensor upsampleNearest2d(Tensor input, int[] outputSize, double[] scales) {
        int[] in = checkInput(input, outputSize, "upsample_nearest2d");
        int[] outShape = {in[0], in[1], outputSize[0], outputSize[1]};
        double sh = scales == null ? 0 : scales[0], sw = scales == null ? 0 : scales[1];
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        backend(input).upsampleNearest2d(storage(input), layout(input), storage(out), layout(out), sh, sw);
        return Autograd.record(out, "UpsampleNearest2DBackward1", g -> {
            Tensor gx = Creation.zeros(in, g.dtype(), g.device());
            backend(g).upsampleNearest2dBackward(storage(g), layout(g), storage(gx), layout(gx), sh, sw);
            return new Tensor[]{gx};
        }, input);
    }

    /** {@code torch._C._nn.upsample_bilinear2d(input, output_size, align_corners, scale_factors)}. */
    public static Tensor upsampleBilinear2d(Tensor input, int[] outputSize, boolean alignCorners, double[] scales) {
        int[] in = checkInput(input, outputSize, "upsample_bilinear2d");
        int[] outShape = {in[0], in[1], outputSize[0], outputSize[1]};
        double sh = scales == null ? 0 : scales[0], sw = scales == null ? 0 : scales[1];
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        backend(input).upsampleBilinear2d(storage(input), layout(input), storage(out), layout(out), alignCorners, sh, sw);
        return Autograd.record(out, "UpsampleBilinear2DBackward1", g -> {
            Tensor gx = Creation.zeros(in, g.dtype(), g.device());
            backend(g).upsampleBilinear2dBackward(storage(g), layout(g), storage(gx), layout(gx), alignCorners, sh, sw);
            return new Tensor[]{gx};
        }, input);
    }

    private static int[] twice(int[] v, String name) {
        if (v.length == 1) return new int[]{v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException(name + " shape must match input shape. Input is 2D, " + name + " is " + v.length);
    }

    private static int[] checkInput(Tensor input, int[] outputSize, String op) {
        if (input.dim() != 4) {
            throw new IllegalArgumentException("Expected 4D input for " + op + ", but got input of size "
                    + Arrays.toString(input.shape()));
        }
        int[] in = input.shape();
        if (in[2] <= 0 || in[3] <= 0 || outputSize[0] <= 0 || outputSize[1] <= 0) {
            throw new IllegalArgumentException("Input and output sizes should be greater than 0, but got input (H: " + in[2]
                    + ", W: " + in[3] + ") output (H: " + outputSize[0] + ", W: " + outputSize[1] + ")");
        }
        if (!input.isFloatingPoint()) {
            throw new UnsupportedOperationException("\"" + op + "\" not implemented for '" + input.dtype().legacyName() + "'");
        }
        return in;
    }
}
