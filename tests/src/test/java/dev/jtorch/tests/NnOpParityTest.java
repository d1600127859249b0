package dev.jtorch.tests;

import dev.jtorch.ops.Convolution;
import dev.jtorch.ops.Pooling;
import dev.jtorch.ops.Upsampling;
import dev.jtorch.tests.OpParityTest.OpCase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static dev.jtorch.tests.OpParityTest.op;
import static dev.jtorch.tests.OpParityTest.opPair;

/**
 * Convolution, pooling and interpolation against real PyTorch: forward and backward recorded by
 * {@code tests/fixtures/make_nn_op_fixtures.py} into {@code fixtures/nn_ops.jtfx}. One line per
 * case, as in {@link OpParityTest} (same tolerance rule, same harness).
 *
 * <p>Tolerances: {@link #ACC} (1e-4) for convolutions, which sum up to a few hundred float32
 * products in GEMM order; {@link #F32} (1e-5) for pooling and interpolation (a handful of terms
 * per output); {@link #F64} for the float64 cases. Max-pool indices must match exactly.
 */
class NnOpParityTest {
    private static final String FIXTURE = "/fixtures/nn_ops.jtfx";
    private static final double F32 = 1e-5;
    private static final double ACC = 1e-4;
    private static final double F64 = 1e-10;

    private static int[] i(int... v) { return v; }
    private static double[] d(double... v) { return v; }

    private static final int[] ONE = {1}, ZERO = {0};

    private static final List<OpCase> OPS = List.of(
            // conv2d
            op("conv2d_3x3_bias", x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ONE, ONE, 1), ACC),
            op("conv2d_nobias", x -> Convolution.conv2d(x[0], x[1], null, ONE, ZERO, ONE, 1), ACC),
            op("conv2d_stem_7x7_s2", x -> Convolution.conv2d(x[0], x[1], null, i(2), i(3), ONE, 1), ACC),
            op("conv2d_1x1", x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ZERO, ONE, 1), ACC),
            op("conv2d_1x1_s2", x -> Convolution.conv2d(x[0], x[1], null, i(2), ZERO, ONE, 1), ACC),
            op("conv2d_1x1_noncontig", x -> Convolution.conv2d(x[0].transpose(2, 3), x[1], null, ONE, ZERO, ONE, 1), ACC),
            op("conv2d_noncontig_weight", x -> Convolution.conv2d(x[0], x[1].transpose(0, 1), null, ONE, ONE, ONE, 1), ACC),
            op("conv2d_dilation", x -> Convolution.conv2d(x[0], x[1], null, ONE, i(2), i(2), 1), ACC),
            op("conv2d_groups", x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ONE, ONE, 2), ACC),
            op("conv2d_depthwise_s2", x -> Convolution.conv2d(x[0], x[1], null, i(2), ONE, ONE, 4), ACC),
            op("conv2d_asym", x -> Convolution.conv2d(x[0], x[1], x[2], i(2, 1), i(1, 2), i(1, 2), 1), ACC),
            op("conv2d_1x7", x -> Convolution.conv2d(x[0], x[1], null, ONE, i(0, 3), ONE, 1), ACC),
            op("conv2d_7x1", x -> Convolution.conv2d(x[0], x[1], null, ONE, i(3, 0), ONE, 1), ACC),
            op("conv2d_same_even", x -> Convolution.conv2d(x[0], x[1], x[2], ONE, "same", ONE, 1), ACC),
            op("conv2d_same_dilated", x -> Convolution.conv2d(x[0], x[1], null, ONE, "same", i(2), 1), ACC),
            op("conv2d_valid", x -> Convolution.conv2d(x[0], x[1], null, ONE, "valid", ONE, 1), ACC),
            op("conv2d_unbatched", x -> Convolution.conv2d(x[0], x[1], x[2], ONE, ONE, ONE, 1), ACC),
            op("conv2d_f64", x -> Convolution.conv2d(x[0], x[1], null, i(2), ONE, ONE, 1), F64),
            // conv_transpose2d
            op("convt_3x3_bias", x -> Convolution.convTranspose2d(x[0], x[1], x[2], ONE, ONE, ZERO, 1, ONE), ACC),
            op("convt_unet_2x2_s2", x -> Convolution.convTranspose2d(x[0], x[1], x[2], i(2), ZERO, ZERO, 1, ONE), ACC),
            op("convt_output_padding", x -> Convolution.convTranspose2d(x[0], x[1], null, i(2), ONE, ONE, 1, ONE), ACC),
            op("convt_groups", x -> Convolution.convTranspose2d(x[0], x[1], x[2], i(2), ZERO, ZERO, 2, ONE), ACC),
            op("convt_dilation", x -> Convolution.convTranspose2d(x[0], x[1], null, ONE, ONE, ZERO, 1, i(2)), ACC),
            op("convt_asym", x -> Convolution.convTranspose2d(x[0], x[1], null, i(2, 1), i(1, 0), i(1, 0), 1, ONE), ACC),
            op("convt_unbatched", x -> Convolution.convTranspose2d(x[0], x[1], null, i(2), ZERO, ZERO, 1, ONE), ACC),
            // max_pool2d
            op("maxpool_resnet_3x3_s2", x -> Pooling.maxPool2d(x[0], i(3), i(2), ONE, ONE, false), F32),
            op("maxpool_2x2", x -> Pooling.maxPool2d(x[0], i(2), null, ZERO, ONE, false), F32),
            op("maxpool_odd_floor", x -> Pooling.maxPool2d(x[0], i(2), null, ZERO, ONE, false), F32),
            op("maxpool_ceil", x -> Pooling.maxPool2d(x[0], i(3), i(2), ZERO, ONE, true), F32),
            op("maxpool_ceil_pad", x -> Pooling.maxPool2d(x[0], i(3), i(2), ONE, ONE, true), F32),
            op("maxpool_dilation", x -> Pooling.maxPool2d(x[0], i(3), ONE, ONE, i(2), false), F32),
            op("maxpool_asym", x -> Pooling.maxPool2d(x[0], i(3, 2), i(2, 1), i(1, 0), ONE, false), F32),
            op("maxpool_overlap", x -> Pooling.maxPool2d(x[0], i(3), ONE, ZERO, ONE, false), F32),
            opPair("maxpool_indices", x -> Pooling.maxPool2dWithIndices(x[0], i(3), i(2), ONE, ONE, false), F32),
            opPair("maxpool_unbatched", x -> Pooling.maxPool2dWithIndices(x[0], i(2), null, ZERO, ONE, false), F32),
            op("maxpool_f64", x -> Pooling.maxPool2d(x[0], i(3), i(2), ONE, ONE, false), F64),
            // avg_pool2d
            op("avgpool_2x2", x -> Pooling.avgPool2d(x[0], i(2), null, ZERO, false, true, null), F32),
            op("avgpool_pad", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, false, true, null), F32),
            op("avgpool_pad_exclude", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, false, false, null), F32),
            op("avgpool_ceil", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, true, true, null), F32),
            op("avgpool_ceil_nopad", x -> Pooling.avgPool2d(x[0], i(3), i(2), ZERO, true, true, null), F32),
            op("avgpool_ceil_exclude", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, true, false, null), F32),
            op("avgpool_divisor", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, false, true, 3), F32),
            op("avgpool_inception_3x3_s1", x -> Pooling.avgPool2d(x[0], i(3), ONE, ONE, false, true, null), F32),
            op("avgpool_asym", x -> Pooling.avgPool2d(x[0], i(3, 2), i(2, 1), i(1, 0), false, true, null), F32),
            op("avgpool_unbatched", x -> Pooling.avgPool2d(x[0], i(2), null, ZERO, false, true, null), F32),
            op("avgpool_f64", x -> Pooling.avgPool2d(x[0], i(3), i(2), ONE, true, true, null), F64),
            // adaptive pools
            op("adaptive_avg_1", x -> Pooling.adaptiveAvgPool2d(x[0], 1), F32),
            op("adaptive_avg_uneven", x -> Pooling.adaptiveAvgPool2d(x[0], 4, 3), F32),
            op("adaptive_avg_larger", x -> Pooling.adaptiveAvgPool2d(x[0], 5), F32),
            op("adaptive_avg_none", x -> Pooling.adaptiveAvgPool2d(x[0], -1, 2), F32),
            op("adaptive_avg_unbatched", x -> Pooling.adaptiveAvgPool2d(x[0], 2), F32),
            opPair("adaptive_max_uneven", x -> Pooling.adaptiveMaxPool2d(x[0], 4, 3), F32),
            opPair("adaptive_max_1", x -> Pooling.adaptiveMaxPool2d(x[0], 1), F32),
            opPair("adaptive_max_larger", x -> Pooling.adaptiveMaxPool2d(x[0], 4), F32),
            // interpolate
            op("nearest_scale2", x -> Upsampling.interpolate(x[0], null, d(2), "nearest", null, null), F32),
            op("nearest_size", x -> Upsampling.interpolate(x[0], i(7, 8), null, "nearest", null, null), F32),
            op("nearest_scale_frac", x -> Upsampling.interpolate(x[0], null, d(1.7), "nearest", null, null), F32),
            op("nearest_scale_frac_recompute", x -> Upsampling.interpolate(x[0], null, d(1.7), "nearest", null, true), F32),
            op("nearest_down", x -> Upsampling.interpolate(x[0], i(3, 5), null, "nearest", null, null), F32),
            op("nearest_scale_pair", x -> Upsampling.interpolate(x[0], null, d(3, 1.5), "nearest", null, null), F32),
            op("bilinear_scale2", x -> Upsampling.interpolate(x[0], null, d(2), "bilinear", null, null), F32),
            op("bilinear_scale2_ac", x -> Upsampling.interpolate(x[0], null, d(2), "bilinear", true, null), F32),
            op("bilinear_size", x -> Upsampling.interpolate(x[0], i(7, 9), null, "bilinear", null, null), F32),
            op("bilinear_size_ac", x -> Upsampling.interpolate(x[0], i(7, 9), null, "bilinear", true, null), F32),
            op("bilinear_scale_frac", x -> Upsampling.interpolate(x[0], null, d(1.7), "bilinear", false, null), F32),
            op("bilinear_scale_frac_recompute",
                    x -> Upsampling.interpolate(x[0], null, d(1.7), "bilinear", false, true), F32),
            op("bilinear_scale_frac_ac", x -> Upsampling.interpolate(x[0], null, d(1.7), "bilinear", true, null), F32),
            op("bilinear_down", x -> Upsampling.interpolate(x[0], i(3, 5), null, "bilinear", null, null), F32),
            op("bilinear_down_ac", x -> Upsampling.interpolate(x[0], i(3, 5), null, "bilinear", true, null), F32),
            op("bilinear_unet", x -> Upsampling.interpolate(x[0], null, d(2), "bilinear", true, null), F32),
            op("bilinear_to_1_ac", x -> Upsampling.interpolate(x[0], i(1, 3), null, "bilinear", true, null), F32),
            op("bilinear_f64", x -> Upsampling.interpolate(x[0], null, d(1.5), "bilinear", null, null), F64));

    @TestFactory
    Stream<DynamicTest> nnOpsMatchPyTorch() {
        return OpParityTest.parityTests(FIXTURE, "NnOpParityTest", "make_nn_op_fixtures.py", OPS, c -> 0);
    }
}
