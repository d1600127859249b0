package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.autograd.GradCheck;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Convolution, pooling and interpolation backward formulas against float64 central differences
 * ({@link GradCheck}): a table of geometries (stride, padding, dilation, groups, bias,
 * output_padding, ceil_mode, count_include_pad, align_corners, scale_factor versus size), a
 * jqwik property over random convolution geometries, the float32 kernels against the float64
 * ones on larger shapes, and PyTorch's error messages.
 */
class ConvPoolGradCheckTest {

    private static final int[] ONE = {1}, ZERO = {0};

    private static int[] i(int... v) { return v; }

    /** Smooth values in [-1, 1]. */
    private static Tensor smooth(Random rnd, int... shape) {
        double[] v = new double[numel(shape)];
        for (int k = 0; k < v.length; k++) v[k] = 2 * rnd.nextDouble() - 1;
        return Torch.tensor(v).reshape(shape).requiresGrad_(true);
    }

    /** Pairwise at least 0.04 apart: max pooling has no ties for the 1e-6 differences to cross. */
    private static Tensor distinct(Random rnd, int... shape) {
        int n = numel(shape);
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = (k - n / 2.0) * 0.05 + 0.01 * rnd.nextDouble();
        for (int k = n - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1);
            double t = v[k];
            v[k] = v[j];
            v[j] = t;
        }
        return Torch.tensor(v).reshape(shape).requiresGrad_(true);
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private record Case(String name, Function<Random, Tensor[]> inputs, Function<Tensor[], Tensor> fn) {}

    private static Case c(String name, Function<Random, Tensor[]> inputs, Function<Tensor[], Tensor> fn) {
        return new Case(name, inputs, fn);
    }

    private static final List<Case> CASES = List.of(
            // conv2d
            c("conv2d 3x3 pad 1 bias", r -> new Tensor[]{smooth(r, 2, 3, 5, 5), smooth(r, 4, 3, 3, 3), smooth(r, 4)},
                    x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ONE, ONE, 1)),
            c("conv2d stride 2 pad 2 5x5", r -> new Tensor[]{smooth(r, 1, 2, 7, 7), smooth(r, 3, 2, 5, 5)},
                    x -> Convolution.conv2d(x[0], x[1], null, i(2), i(2), ONE, 1)),
            c("conv2d dilation 2", r -> new Tensor[]{smooth(r, 1, 2, 7, 6), smooth(r, 2, 2, 3, 3), smooth(r, 2)},
                    x -> Convolution.conv2d(x[0], x[1], x[2], ONE, i(1), i(2), 1)),
            c("conv2d groups 2", r -> new Tensor[]{smooth(r, 2, 4, 4, 4), smooth(r, 6, 2, 3, 3), smooth(r, 6)},
                    x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ONE, ONE, 2)),
            c("conv2d depthwise stride 2", r -> new Tensor[]{smooth(r, 1, 3, 6, 6), smooth(r, 3, 1, 3, 3)},
                    x -> Convolution.conv2d(x[0], x[1], null, i(2), ONE, ONE, 3)),
            c("conv2d 1x1 direct", r -> new Tensor[]{smooth(r, 2, 5, 3, 4), smooth(r, 3, 5, 1, 1), smooth(r, 3)},
                    x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ZERO, ONE, 1)),
            c("conv2d 1x1 stride 2", r -> new Tensor[]{smooth(r, 1, 4, 5, 5), smooth(r, 3, 4, 1, 1)},
                    x -> Convolution.conv2d(x[0], x[1], null, i(2), ZERO, ONE, 1)),
            c("conv2d 1x1 on a transposed input", r -> new Tensor[]{smooth(r, 1, 3, 4, 5), smooth(r, 2, 3, 1, 1)},
                    x -> Convolution.conv2d(x[0].transpose(2, 3), x[1], null, ONE, ZERO, ONE, 1)),
            c("conv2d asymmetric geometry", r -> new Tensor[]{smooth(r, 1, 2, 6, 7), smooth(r, 2, 2, 2, 3)},
                    x -> Convolution.conv2d(x[0], x[1], null, i(2, 1), i(1, 0), i(1, 2), 1)),
            c("conv2d same, even kernel", r -> new Tensor[]{smooth(r, 1, 2, 5, 5), smooth(r, 2, 2, 2, 4)},
                    x -> Convolution.conv2d(x[0], x[1], null, ONE, "same", ONE, 1)),
            c("conv2d unbatched", r -> new Tensor[]{smooth(r, 2, 4, 4), smooth(r, 3, 2, 3, 3)},
                    x -> Convolution.conv2d(x[0], x[1], null, ONE, ONE, ONE, 1)),
            // conv_transpose2d
            c("conv_transpose2d stride 2 bias", r -> new Tensor[]{smooth(r, 2, 3, 3, 3), smooth(r, 3, 2, 2, 2), smooth(r, 2)},
                    x -> Convolution.convTranspose2d(x[0], x[1], x[2], i(2), ZERO, ZERO, 1, ONE)),
            c("conv_transpose2d output_padding", r -> new Tensor[]{smooth(r, 1, 2, 3, 3), smooth(r, 2, 2, 3, 3)},
                    x -> Convolution.convTranspose2d(x[0], x[1], null, i(2), ONE, ONE, 1, ONE)),
            c("conv_transpose2d groups", r -> new Tensor[]{smooth(r, 1, 4, 3, 3), smooth(r, 4, 1, 3, 3), smooth(r, 2)},
                    x -> Convolution.convTranspose2d(x[0], x[1], x[2], ONE, ONE, ZERO, 2, ONE)),
            c("conv_transpose2d dilation", r -> new Tensor[]{smooth(r, 1, 2, 3, 3), smooth(r, 2, 2, 3, 2)},
                    x -> Convolution.convTranspose2d(x[0], x[1], null, i(2, 1), i(1, 0), i(1, 0), 1, i(2))),
            // max pooling
            c("max_pool2d 3x3/2 pad 1", r -> new Tensor[]{distinct(r, 2, 2, 6, 6)},
                    x -> Pooling.maxPool2d(x[0], i(3), i(2), ONE, ONE, false)),
            c("max_pool2d ceil_mode", r -> new Tensor[]{distinct(r, 1, 2, 7, 7)},
                    x -> Pooling.maxPool2d(x[0], i(3), i(2), ZERO, ONE, true)),
            c("max_pool2d dilation", r -> new Tensor[]{distinct(r, 1, 2, 7, 7)},
                    x -> Pooling.maxPool2d(x[0], i(2, 3), i(1, 2), i(1, 1), i(2), false)),
            c("max_pool2d with indices, unbatched", r -> new Tensor[]{distinct(r, 2, 5, 5)},
                    x -> Pooling.maxPool2dWithIndices(x[0], i(2), null, ZERO, ONE, true).values()),
            c("adaptive_max_pool2d", r -> new Tensor[]{distinct(r, 1, 2, 7, 5)},
                    x -> Pooling.adaptiveMaxPool2d(x[0], 3, 2).values()),
            // average pooling
            c("avg_pool2d pad, count_include_pad", r -> new Tensor[]{smooth(r, 1, 2, 6, 6)},
                    x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, false, true, null)),
            c("avg_pool2d ceil_mode, exclude pad", r -> new Tensor[]{smooth(r, 1, 2, 6, 6)},
                    x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, true, false, null)),
            c("avg_pool2d divisor_override", r -> new Tensor[]{smooth(r, 1, 2, 5, 5)},
                    x -> Pooling.avgPool2d(x[0], i(2, 3), i(1, 2), i(1, 1), true, true, 5)),
            c("adaptive_avg_pool2d uneven", r -> new Tensor[]{smooth(r, 2, 2, 7, 5)},
                    x -> Pooling.adaptiveAvgPool2d(x[0], 3, 2)),
            c("adaptive_avg_pool2d to larger", r -> new Tensor[]{smooth(r, 1, 2, 3, 2)},
                    x -> Pooling.adaptiveAvgPool2d(x[0], 4, 3)),
            // interpolation
            c("nearest scale 2", r -> new Tensor[]{smooth(r, 1, 2, 3, 3)},
                    x -> Upsampling.interpolate(x[0], null, new double[]{2}, "nearest", null, null)),
            c("nearest scale 1.7", r -> new Tensor[]{smooth(r, 1, 2, 4, 3)},
                    x -> Upsampling.interpolate(x[0], null, new double[]{1.7}, "nearest", null, null)),
            c("nearest downsample by size", r -> new Tensor[]{smooth(r, 1, 2, 6, 5)},
                    x -> Upsampling.interpolate(x[0], i(4, 2), null, "nearest", null, null)),
            c("bilinear align_corners=false scale 1.7", r -> new Tensor[]{smooth(r, 1, 2, 4, 3)},
                    x -> Upsampling.interpolate(x[0], null, new double[]{1.7}, "bilinear", false, null)),
            c("bilinear align_corners=true size", r -> new Tensor[]{smooth(r, 1, 2, 4, 3)},
                    x -> Upsampling.interpolate(x[0], i(6, 5), null, "bilinear", true, null)),
            c("bilinear downsample", r -> new Tensor[]{smooth(r, 2, 1, 6, 6)},
                    x -> Upsampling.interpolate(x[0], i(4, 3), null, "bilinear", false, null)));

    @TestFactory
    Stream<DynamicTest> backwardMatchesFiniteDifferences() {
        return CASES.stream().map(k -> dynamicTest(k.name(), () -> {
            Tensor[] inputs = k.inputs().apply(new Random(k.name().hashCode()));
            GradCheck.check(k.fn(), inputs);
        }));
    }

    /** Random conv2d and conv_transpose2d geometries, with and without bias. */
    @Property(tries = 25)
    void convolutionGradients(@ForAll @IntRange(min = 1, max = 2) int stride, @ForAll @IntRange(min = 0, max = 2) int padding,
                              @ForAll @IntRange(min = 1, max = 2) int dilation, @ForAll @IntRange(min = 1, max = 2) int groups,
                              @ForAll @IntRange(min = 1, max = 3) int kernel, @ForAll boolean bias,
                              @ForAll boolean transposed, @ForAll long seed) {
        Random r = new Random(seed);
        int inC = 2 * groups, outC = groups * (1 + r.nextInt(2));
        int h = 5 + r.nextInt(2), w = 5 + r.nextInt(2); // >= the largest dilated kernel (5)
        Tensor x = smooth(r, 1, inC, h, w);
        Tensor b = bias ? smooth(r, outC) : null;
        if (transposed) {
            Tensor wt = smooth(r, inC, outC / groups, kernel, kernel);
            int outputPadding = stride > 1 || dilation > 1 ? r.nextInt(Math.max(stride, dilation)) : 0;
            Function<Tensor[], Tensor> f = t -> Convolution.convTranspose2d(t[0], t[1], bias ? t[2] : null, i(stride),
                    i(Math.min(padding, dilation * (kernel - 1) / 2)), i(outputPadding), groups, i(dilation));
            GradCheck.check(f, bias ? new Tensor[]{x, wt, b} : new Tensor[]{x, wt});
        } else {
            Tensor wt = smooth(r, outC, inC / groups, kernel, kernel);
            Function<Tensor[], Tensor> f = t -> Convolution.conv2d(t[0], t[1], bias ? t[2] : null, i(stride), i(padding),
                    i(dilation), groups);
            GradCheck.check(f, bias ? new Tensor[]{x, wt, b} : new Tensor[]{x, wt});
        }
    }

    /** The float32 kernels (im2col + fast GEMM, multithreaded) against the float64 ones on larger shapes. */
    @Test
    void float32KernelsAgreeWithFloat64() {
        Random r = new Random(7);
        Tensor x = smooth(r, 2, 16, 20, 20).detach(), w = smooth(r, 32, 8, 3, 3).detach(), b = smooth(r, 32).detach();
        Tensor w1 = smooth(r, 24, 16, 1, 1).detach();
        List<Function<Tensor[], Tensor>> fns = List.of(
                t -> Convolution.conv2d(t[0], t[1], t[2], i(2), ONE, ONE, 2),
                t -> Convolution.conv2d(t[0], t[3], null, ONE, ZERO, ONE, 1),
                t -> Convolution.convTranspose2d(t[0], t[1].reshape(16, 16, 3, 3), null, i(2), ONE, ONE, 1, ONE),
                t -> Pooling.maxPool2d(t[0], i(3), i(2), ONE, ONE, true),
                t -> Pooling.avgPool2d(t[0], i(3), i(2), ONE, true, false, null),
                t -> Pooling.adaptiveAvgPool2d(t[0], 3),
                t -> Upsampling.interpolate(t[0], null, new double[]{2.5}, "bilinear", false, null),
                t -> Upsampling.interpolate(t[0], i(31, 9), null, "nearest", null, null));
        for (Function<Tensor[], Tensor> f : fns) {
            double[] want = f.apply(new Tensor[]{x, w, b, w1}).toDoubleArray();
            Tensor[] f32 = {x.to(DType.FLOAT32), w.to(DType.FLOAT32), b.to(DType.FLOAT32), w1.to(DType.FLOAT32)};
            double[] got = f.apply(f32).toDoubleArray();
            assertEquals(want.length, got.length);
            for (int k = 0; k < want.length; k++) {
                assertEquals(want[k], got[k], 1e-4 * Math.max(1, Math.abs(want[k])), "element " + k);
            }
        }
    }

    @Test
    void shapesFollowPyTorch() {
        Tensor x = Torch.zeros(1, 3, 224, 224);
        assertArrayEquals(i(1, 64, 112, 112),
                Convolution.conv2d(x, Torch.zeros(64, 3, 7, 7), null, i(2), i(3), ONE, 1).shape());
        Tensor y = Torch.zeros(1, 64, 112, 112);
        assertArrayEquals(i(1, 64, 56, 56), Pooling.maxPool2d(y, i(3), i(2), ONE, ONE, false).shape());
        assertArrayEquals(i(1, 64, 1, 1), Pooling.adaptiveAvgPool2d(y, 1).shape());
        assertArrayEquals(i(1, 8, 13, 13), Convolution.convTranspose2d(Torch.zeros(1, 4, 7, 7), Torch.zeros(4, 8, 3, 3), null,
                i(2), ONE, ZERO, 1, ONE).shape());
        assertArrayEquals(i(1, 2, 8, 8), Upsampling.interpolate(Torch.zeros(1, 2, 5, 5), null, new double[]{1.7}, "nearest",
                null, null).shape());
    }

    @Test
    void errorsSpeakPyTorch() {
        Tensor x = Torch.zeros(1, 2, 5, 5);
        assertMessage("Given groups=1, weight of size [64, 3, 7, 7], expected input[1, 1, 224, 224] to have 3 channels, "
                + "but got 1 channels instead", () -> Convolution.conv2d(Torch.zeros(1, 1, 224, 224), Torch.zeros(64, 3, 7, 7),
                null, i(2), i(3), ONE, 1));
        assertMessage("Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size can't be greater "
                + "than actual input size", () -> Convolution.conv2d(x, Torch.zeros(3, 2, 7, 7), null, ONE, ZERO, ONE, 1));
        assertMessage("Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size "
                + "[[3, 1, 3, 3]] instead", () -> Convolution.conv2d(x, Torch.zeros(3, 1, 3, 3), null, ONE, ZERO, ONE, 2));
        assertMessage("Given weight of size [3, 2, 3, 3], expected bias to be 1-dimensional with 3 elements, but got bias of "
                + "size [2] instead", () -> Convolution.conv2d(x, Torch.zeros(3, 2, 3, 3), Torch.zeros(2), ONE, ZERO, ONE, 1));
        assertMessage("Given transposed=1, weight of size [3, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but "
                + "got 2 channels instead", () -> Convolution.convTranspose2d(x, Torch.zeros(3, 3, 3, 3), null, ONE, ZERO, ZERO,
                1, ONE));
        assertMessage("padding='same' is not supported for strided convolutions",
                () -> Convolution.conv2d(x, Torch.zeros(3, 2, 3, 3), null, i(2), "same", ONE, 1));
        assertMessage("Invalid padding string: 'foo'", () -> Convolution.conv2d(x, Torch.zeros(3, 2, 3, 3), null, ONE, "foo",
                ONE, 1));
        assertMessage("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [5, 5]",
                () -> Convolution.conv2d(Torch.zeros(5, 5), Torch.zeros(3, 2, 3, 3), null, ONE, ZERO, ONE, 1));
        assertMessage("expected scalar type Float but found Double",
                () -> Convolution.conv2d(x, Torch.zeros(DType.FLOAT64, 3, 2, 3, 3), null, ONE, ZERO, ONE, 1));
        assertMessage("pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
                () -> Pooling.maxPool2d(x, i(2), null, i(2), ONE, false));
        assertMessage("Given input size: (2x5x5). Calculated output size: (2x0x0). Output size is too small",
                () -> Pooling.maxPool2d(x, i(6), null, ZERO, ONE, false));
        assertMessage("only one of size or scale_factor should be defined",
                () -> Upsampling.interpolate(x, i(7, 7), new double[]{2}, "bilinear", null, null));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
