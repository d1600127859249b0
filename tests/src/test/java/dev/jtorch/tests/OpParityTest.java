package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.ValuesIndices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every op against real PyTorch: inputs, outputs and gradients recorded by
 * {@code tests/fixtures/make_op_fixtures.py} into {@code fixtures/ops.jtfx}. One line per case:
 * the case name in the fixture file, the jtorch call, the tolerance. The list and the file must
 * name the same cases; regenerate the file after adding a case to the script.
 *
 * <p>Tolerance {@code tol} means {@code |actual - expected| <= atol + tol * |expected|} with
 * {@code atol = tol * max(1, max |expected|)}; integer and bool results must match exactly, and
 * nan/inf must match in kind. The same tolerance applies to the gradients.
 *
 * <p>Why the tolerances differ:
 * <ul>
 *   <li>{@link #F32} (1e-5): elementwise float32 ops and small sums; a few ulps of difference in
 *       exp/tanh/pow between PyTorch's SLEEF and {@link Math}, compounded through the backward.</li>
 *   <li>{@link #ACC} (1e-4): ops whose result accumulates many float32 products or differences in
 *       an order PyTorch does not promise: matmul/mm/bmm/addmm (blocked GEMM, and their gradients are
 *       GEMMs too), var/std (mean subtraction then a sum of squares; std adds a sqrt and a division
 *       by the std in the backward), softmax/log_softmax over +-1000 inputs (the exponent of
 *       {@code x - max} is exact only up to rounding of the max subtraction).</li>
 *   <li>{@link #F64} (1e-10): float64 cases, which check that jtorch really computes in double.</li>
 *   <li>{@link #EXACT} (0): integer, bool and index results, joins and pads that only move data,
 *       and conversions.</li>
 * </ul>
 * Measured when this was written (reference kernels): every float32 case was within 1e-6 and only
 * the sums differed at 1e-7 (summation order); float64 within 1e-14. The margin above that is for
 * the fast kernels (FMA, blocked GEMM, per-thread partial sums), which round in another order.
 */
class OpParityTest {
    private static final String FIXTURE = "/fixtures/ops.jtfx";
    private static final double F32 = 1e-5;
    private static final double ACC = 1e-4;
    private static final double F64 = 1e-10;
    private static final double EXACT = 0;

    @FunctionalInterface
    interface TensorOp {
        Tensor apply(Tensor[] x);
    }

    @FunctionalInterface
    interface PairOp {
        ValuesIndices apply(Tensor[] x);
    }

    /** A case: the fixture's name, the jtorch call returning out (and out1, ...), the tolerance. */
    record OpCase(String name, Function<Tensor[], List<Tensor>> call, double tol) {}

    static OpCase op(String name, TensorOp f, double tol) {
        return new OpCase(name, x -> List.of(f.apply(x)), tol);
    }

    /** For ops returning (values, indices): out is the values, out1 the indices. */
    static OpCase opPair(String name, PairOp f, double tol) {
        return new OpCase(name, x -> {
            ValuesIndices r = f.apply(x);
            return List.of(r.values(), r.indices());
        }, tol);
    }

    /** One tensor out of a split/chunk: each piece times a distinct weight, so every piece is checked. */
    static Tensor weightedCat(List<Tensor> pieces, int dim) {
        return Torch.cat(IntStream.range(0, pieces.size()).mapToObj(i -> pieces.get(i).mul(i + 1.0)).toList(), dim);
    }

    static final List<OpCase> OPS = List.of(
            // elementwise binary
            op("add", x -> x[0].add(x[1]), F32),
            op("add_broadcast", x -> x[0].add(x[1]), F32),
            op("add_scalar", x -> x[0].add(2.5), F32),
            op("add_alpha", x -> x[0].add(x[1], -1.5), F32),
            op("add_noncontig", x -> x[0].t().add(x[1]), F32),
            op("sub", x -> x[0].sub(x[1]), F32),
            op("sub_broadcast", x -> x[0].sub(x[1]), F32),
            op("sub_scalar", x -> x[0].sub(0.75), F32),
            op("sub_alpha", x -> x[0].sub(x[1], 2.0), F32),
            op("mul", x -> x[0].mul(x[1]), F32),
            op("mul_broadcast", x -> x[0].mul(x[1]), F32),
            op("mul_scalar", x -> x[0].mul(-3.0), F32),
            op("mul_noncontig", x -> x[0].slice(1, 0, 6, 2).mul(x[0].slice(1, 1, 6, 2)), F32),
            op("div", x -> x[0].div(x[1]), F32),
            op("div_broadcast", x -> x[0].div(x[1]), F32),
            op("div_scalar", x -> x[0].div(4.0), F32),
            op("pow_tensor", x -> x[0].pow(x[1]), F32),
            op("pow_scalar2", x -> x[0].pow(2.0), F32),
            op("pow_scalar3", x -> x[0].pow(3.0), F32),
            op("pow_scalar_half", x -> x[0].pow(0.5), F32),
            op("pow_scalar_neg", x -> x[0].pow(-1.5), F32),
            op("pow_broadcast", x -> x[0].pow(x[1]), F32),
            // elementwise unary
            op("neg", x -> x[0].neg(), F32),
            op("abs", x -> x[0].abs(), F32),
            op("abs_zero", x -> x[0].abs(), F32),
            op("exp", x -> x[0].exp(), F32),
            op("exp_noncontig", x -> x[0].t().exp(), F32),
            op("log", x -> x[0].log(), F32),
            op("sqrt", x -> x[0].sqrt(), F32),
            op("rsqrt", x -> x[0].rsqrt(), F32),
            op("tanh", x -> x[0].tanh(), F32),
            op("sigmoid", x -> x[0].sigmoid(), F32),
            op("sigmoid_large", x -> x[0].sigmoid(), F32),
            op("relu", x -> x[0].relu(), F32),
            op("relu_zero", x -> x[0].relu(), F32),
            op("clamp", x -> x[0].clamp(-0.5, 0.8), F32),
            op("clamp_boundary", x -> x[0].clamp(-1.0, 1.0), F32),
            op("clamp_min", x -> x[0].clampMin(0.1), F32),
            op("clamp_max", x -> x[0].clampMax(-0.2), F32),
            // comparisons and selection
            op("eq", x -> x[0].eq(x[1]), EXACT),
            op("ne_scalar", x -> x[0].ne(1.0), EXACT),
            op("lt_broadcast", x -> x[0].lt(x[1]), EXACT),
            op("le", x -> x[0].le(x[1]), EXACT),
            op("gt_scalar", x -> x[0].gt(0.25), EXACT),
            op("ge_int", x -> x[0].ge(0.5), EXACT),
            op("where", x -> Torch.where(x[0], x[1], x[2]), F32),
            op("where_broadcast", x -> Torch.where(x[0], x[1], x[2]), F32),
            op("masked_fill", x -> x[0].maskedFill(x[1], -7.0), F32),
            op("masked_fill_broadcast", x -> x[0].maskedFill(x[1], 0.5), F32),
            // reductions
            op("sum_all", x -> x[0].sum(), F32),
            op("sum_dim", x -> x[0].sum(1, false), F32),
            op("sum_dim_keepdim", x -> x[0].sum(1, true), F32),
            op("sum_neg_dim", x -> x[0].sum(-1, false), F32),
            op("sum_dims", x -> x[0].sum(new int[] {0, 2}, false), F32),
            op("sum_dims_keepdim", x -> x[0].sum(new int[] {0, 2}, true), F32),
            op("sum_noncontig", x -> x[0].t().sum(1, false), F32),
            op("sum_bool", x -> x[0].sum(), EXACT),
            op("sum_int32", x -> x[0].sum(0, false), EXACT),
            op("mean_all", x -> x[0].mean(), F32),
            op("mean_dim", x -> x[0].mean(2, false), F32),
            op("mean_dim_keepdim", x -> x[0].mean(0, true), F32),
            op("mean_dims", x -> x[0].mean(new int[] {1, 2}, false), F32),
            op("var_all", x -> x[0].var(), ACC),
            op("var_all_biased", x -> x[0].var(false), ACC),
            op("var_dim", x -> x[0].var(1, true, false), ACC),
            op("var_dim_biased_keepdim", x -> x[0].var(0, false, true), ACC),
            op("var_dim_size1", x -> x[0].var(1, true, false), ACC),
            op("std_all", x -> x[0].std(), ACC),
            op("std_all_biased", x -> x[0].std(false), ACC),
            op("std_dim", x -> x[0].std(1, true, false), ACC),
            op("std_dim_biased_keepdim", x -> x[0].std(0, false, true), ACC),
            op("max_all", x -> x[0].max(), F32),
            op("max_all_ties", x -> x[0].max(), F32),
            op("min_all", x -> x[0].min(), F32),
            opPair("max_dim", x -> x[0].max(1, false), F32),
            opPair("max_dim_keepdim", x -> x[0].max(-1, true), F32),
            opPair("min_dim", x -> x[0].min(0, false), F32),
            opPair("min_dim_keepdim", x -> x[0].min(2, true), F32),
            op("argmax_all", x -> x[0].argmax(), EXACT),
            op("argmax_ties", x -> x[0].argmax(), EXACT),
            op("argmax_dim", x -> x[0].argmax(1, false), EXACT),
            op("argmax_dim_keepdim", x -> x[0].argmax(2, true), EXACT),
            op("argmin_dim", x -> x[0].argmin(0, false), EXACT),
            // softmax
            op("softmax_last", x -> x[0].softmax(-1), F32),
            op("softmax_dim0", x -> x[0].softmax(0), F32),
            op("softmax_dim1", x -> x[0].softmax(1), F32),
            op("softmax_large", x -> x[0].softmax(1), ACC),
            op("softmax_masked", x -> x[0].maskedFill(x[1], Double.NEGATIVE_INFINITY).softmax(-1), F32),
            op("log_softmax_last", x -> x[0].logSoftmax(-1), F32),
            op("log_softmax_dim0", x -> x[0].logSoftmax(0), F32),
            op("log_softmax_large", x -> x[0].logSoftmax(1), ACC),
            op("log_softmax_large_dim0", x -> x[0].logSoftmax(0), ACC),
            // matrix products
            op("matmul_1d_1d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_1d_2d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_2d_1d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_2d_2d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_batched_broadcast", x -> x[0].matmul(x[1]), ACC),
            op("matmul_1d_3d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_3d_1d", x -> x[0].matmul(x[1]), ACC),
            op("matmul_noncontig", x -> x[0].t().matmul(x[1].t()), ACC),
            op("mm", x -> x[0].mm(x[1]), ACC),
            op("bmm", x -> x[0].bmm(x[1]), ACC),
            op("addmm", x -> Torch.addmm(x[0], x[1], x[2]), ACC),
            op("addmm_beta_alpha", x -> Torch.addmm(x[0], x[1], x[2], 0.5, 2.0), ACC),
            op("addmm_beta0_nan", x -> Torch.addmm(x[0], x[1], x[2], 0.0, 1.0), ACC),
            // joining and splitting
            op("cat_dim0", x -> Torch.cat(List.of(x[0], x[1]), 0), EXACT),
            op("cat_dim1", x -> Torch.cat(List.of(x), 1), EXACT),
            op("stack_dim0", x -> Torch.stack(List.of(x), 0), EXACT),
            op("stack_dim_last", x -> Torch.stack(List.of(x), 2), EXACT),
            op("split_size", x -> weightedCat(x[0].split(3, 1), 1), F32),
            op("split_sizes", x -> weightedCat(x[0].split(new int[] {1, 3, 2}, 0), 0), F32),
            op("chunk", x -> weightedCat(x[0].chunk(3, 1), 1), F32),
            op("chunk_uneven", x -> weightedCat(x[0].chunk(2, 0), 0), F32),
            op("pad_last", x -> x[0].pad(new int[] {1, 2}, 0.0), EXACT),
            op("pad_two_dims", x -> x[0].pad(new int[] {1, 1, 2, 0}, 0.5), EXACT),
            op("pad_negative", x -> x[0].pad(new int[] {-1, 2, 0, -1}, 0.0), EXACT),
            op("index_select", x -> x[0].indexSelect(0, x[1]), F32),
            op("index_select_dim1", x -> x[0].indexSelect(1, x[1]), F32),
            op("gather", x -> x[0].gather(1, x[1]), F32),
            op("gather_dim0", x -> x[0].gather(0, x[1]), F32),
            // views, each followed by an op so the gradient depends on the position
            op("view", x -> x[0].view(3, 4).mul(2.0), F32),
            op("view_infer", x -> x[0].view(-1, 3).exp(), F32),
            op("reshape_noncontig", x -> x[0].t().reshape(2, 6).mul(2.0), F32),
            op("contiguous_view", x -> x[0].t().contiguous().view(12).exp(), F32),
            op("permute", x -> x[0].permute(2, 0, 1).exp(), F32),
            op("transpose", x -> x[0].transpose(0, 2).exp(), F32),
            op("t", x -> x[0].t().mul(2.0), F32),
            op("narrow", x -> x[0].narrow(1, 1, 3).exp(), F32),
            op("select", x -> x[0].select(0, 1).exp(), F32),
            op("select_neg", x -> x[0].select(1, -1).mul(3.0), F32),
            op("slice_step", x -> x[0].slice(1, 1, 7, 2).exp(), F32),
            op("expand", x -> x[0].expand(2, 3, 4).exp(), F32),
            op("expand_keep", x -> x[0].expand(-1, 4).mul(2.0), F32),
            op("unsqueeze", x -> x[0].unsqueeze(1).exp(), F32),
            op("unsqueeze_neg", x -> x[0].unsqueeze(-1).mul(2.0), F32),
            op("squeeze_all", x -> x[0].squeeze().exp(), F32),
            op("squeeze_dim", x -> x[0].squeeze(1).mul(2.0), F32),
            op("flatten", x -> x[0].flatten().exp(), F32),
            op("flatten_range", x -> x[0].flatten(1, 2).mul(2.0), F32),
            // dtypes: float64, promotion, conversion
            op("add_f64", x -> x[0].add(x[1]), F64),
            op("exp_f64", x -> x[0].exp(), F64),
            op("sum_dims_f64", x -> x[0].sum(new int[] {0, 2}, false), F64),
            op("var_dim_f64", x -> x[0].var(1, true, false), F64),
            op("softmax_f64", x -> x[0].softmax(1), F64),
            op("matmul_f64", x -> x[0].matmul(x[1]), F64),
            op("add_int_float", x -> x[0].add(x[1]), F32),
            op("mul_int_float_scalar", x -> x[0].mul(2.5), EXACT),
            op("div_int_int", x -> x[0].div(x[1]), F32),
            op("add_f32_f64_0dim", x -> x[0].add(x[1]), F32),
            op("to_float64", x -> x[0].to(DType.FLOAT64).mul(2.0), EXACT),
            op("to_int64_trunc", x -> x[0].to(DType.INT64), EXACT),
            op("half_to_float", x -> x[0].to(DType.FLOAT32), EXACT),
            op("bfloat16_to_float", x -> x[0].to(DType.FLOAT32), EXACT),
            // non-finite edges, forward only
            op("div_by_zero", x -> x[0].div(x[1]), EXACT),
            op("log_edge", x -> x[0].log(), F32));

    @TestFactory
    Stream<DynamicTest> opsMatchPyTorch() {
        return parityTests(FIXTURE, "OpParityTest", "make_op_fixtures.py", OPS, OpCase::tol);
    }

    /**
     * The harness of the op suites: a test that every case of the fixture file has a line in
     * {@code cases}, then one test per case that runs {@link #check}.
     *
     * @param extraOutputTol the tolerance for out1, out2, ... of a case (out and the gradients use its tol)
     */
    static Stream<DynamicTest> parityTests(String fixture, String suite, String script, List<OpCase> cases,
                                           ToDoubleFunction<OpCase> extraOutputTol) {
        Map<String, FixtureFile.Case> fixtures = FixtureFile.readResource(fixture).byName();
        Map<String, OpCase> ops = new LinkedHashMap<>();
        for (OpCase c : cases) {
            if (ops.put(c.name(), c) != null) fail(suite + " lists '" + c.name() + "' twice");
        }
        DynamicTest inSync = dynamicTest("every fixture case has a line here", () -> {
            List<String> missing = fixtures.keySet().stream().filter(n -> !ops.containsKey(n)).toList();
            assertTrue(missing.isEmpty(), fixture + " has cases with no line in " + suite + ": " + missing);
        });
        return Stream.concat(Stream.of(inSync), cases.stream().map(c -> dynamicTest(c.name(), () -> {
            FixtureFile.Case found = fixtures.get(c.name());
            assertNotNull(found, c.name() + ": no such case in " + fixture
                    + " (add it to tests/fixtures/" + script + " and regenerate)");
            check(c, found, extraOutputTol.applyAsDouble(c));
        })));
    }

    /** Forward outputs, then the gradient of (out * gout).sum() with respect to every floating input. */
    private static void check(OpCase c, FixtureFile.Case fixture, double extraOutputTol) {
        Map<String, Tensor> t = fixture.tensors();
        String name = c.name();
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; t.containsKey("in" + i); i++) {
            Tensor in = t.get("in" + i);
            if (t.containsKey("gin" + i)) in.requiresGrad_(true);
            inputs.add(in);
        }
        Tensor[] x = inputs.toArray(Tensor[]::new);

        List<Tensor> outs = c.call().apply(x);
        assertClose(name + ": out", outs.get(0), t.get("out"), c.tol());
        for (int k = 1; k < outs.size(); k++) {
            Tensor expected = t.get("out" + k);
            assertNotNull(expected, name + ": jtorch returned out" + k + ", the fixture has none");
            assertClose(name + ": out" + k, outs.get(k), expected, extraOutputTol);
        }
        assertFalse(t.containsKey("out" + outs.size()), name + ": the fixture has out" + outs.size()
                + ", jtorch returned " + outs.size() + " output(s)");

        Tensor gout = t.get("gout");
        if (gout == null) return;
        outs.get(0).backward(gout);
        for (int i = 0; i < x.length; i++) {
            Tensor expected = t.get("gin" + i);
            if (expected == null) continue;
            Tensor grad = x[i].grad();
            assertNotNull(grad, name + ": in" + i + ".grad() is null after backward");
            assertClose(name + ": grad of in" + i, grad, expected, c.tol());
        }
    }

    /**
     * Shape, dtype, then values: {@code |a - b| <= atol + tol * |b|}, {@code atol = tol * max(1, max|b|)}
     * over the finite expected values; a nan or infinite expected value must be matched exactly.
     */
    static void assertClose(String what, Tensor actual, Tensor expected, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape "
                + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double[] a = actual.toDoubleArray();
        double[] b = expected.toDoubleArray();
        assertEquals(b.length, a.length, what + ": element count");
        double maxAbs = 0;
        for (double v : b) if (Double.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
        double atol = tol * Math.max(1, maxAbs);
        StringBuilder bad = new StringBuilder();
        int badCount = 0;
        double worst = 0;
        for (int i = 0; i < b.length; i++) {
            boolean ok;
            if (Double.isNaN(b[i])) ok = Double.isNaN(a[i]);
            else if (Double.isInfinite(b[i])) ok = a[i] == b[i];
            else {
                double err = Math.abs(a[i] - b[i]);
                ok = err <= atol + tol * Math.abs(b[i]); // false for a nan actual
                if (Double.isFinite(err)) worst = Math.max(worst, err);
            }
            if (!ok) {
                if (badCount < 5) {
                    bad.append("\n  at ").append(Arrays.toString(index(i, expected.shape())))
                            .append(": ").append(a[i]).append(", expected ").append(b[i]);
                }
                badCount++;
            }
        }
        if (badCount > 0) {
            fail(what + ": " + badCount + " of " + b.length + " elements differ (tol " + tol + ", atol " + atol
                    + ", largest finite error " + worst + ")" + bad);
        }
    }

    private static int[] index(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) return idx;
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
