package dev.jtorch.cpu;

import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.ReduceOp;
import dev.jtorch.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast float32 elementwise and reduction kernels. Rows come from {@link StridedLoop}; a row with
 * unit strides takes a tight loop (plain loops for arithmetic, which C2 already vectorises, and the
 * Vector API for transcendental functions, which it does not), any other row the scalar
 * definition in {@link ScalarMath}.
 */
final class FloatKernels {
    private FloatKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static void fill(CpuStorage dst, Layout l, float value) {
        float[] d = dst.floats();
        StridedLoop loop = new StridedLoop(l.shape(), l);
        int stride = loop.innerStride(0);
        loop.forEachRow((off, n) -> {
            if (stride == 1) java.util.Arrays.fill(d, off[0], off[0] + n, value);
            else for (int i = 0, p = off[0]; i < n; i++, p += stride) d[p] = value;
        }, true);
    }

    static void copy(CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        float[] s = src.floats(), d = dst.floats();
        StridedLoop loop = new StridedLoop(ld.shape(), ls, ld);
        int ss = loop.innerStride(0), ds = loop.innerStride(1);
        loop.forEachRow((off, n) -> {
            if (ss == 1 && ds == 1) System.arraycopy(s, off[0], d, off[1], n);
            else for (int i = 0, a = off[0], b = off[1]; i < n; i++, a += ss, b += ds) d[b] = s[a];
        }, true);
    }

    /** float32 from bool, int8 or uint8 (masks turned into factors, as in the relu backward). */
    static void copyFromBytes(CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        byte[] s = (byte[]) src.array();
        float[] d = dst.floats();
        int mask = src.dtype() == dev.jtorch.DType.UINT8 ? 0xff : -1;
        StridedLoop loop = new StridedLoop(ld.shape(), ls, ld);
        int ss = loop.innerStride(0), ds = loop.innerStride(1);
        loop.forEachRow((off, n) -> {
            for (int i = 0, a = off[0], b = off[1]; i < n; i++, a += ss, b += ds) d[b] = s[a] & mask;
        }, true);
    }

    static void unary(UnaryOp op, double p0, double p1, CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        float[] s = src.floats(), d = dst.floats();
        StridedLoop loop = new StridedLoop(ld.shape(), ls, ld);
        int ss = loop.innerStride(0), ds = loop.innerStride(1);
        loop.forEachRow((off, n) -> {
            if (ss == 1 && ds == 1) unaryDense(op, (float) p0, (float) p1, s, off[0], d, off[1], n);
            else for (int i = 0, a = off[0], b = off[1]; i < n; i++, a += ss, b += ds) {
                d[b] = (float) ScalarMath.unary(op, s[a], p0, p1);
            }
        }, true);
    }

    private static void unaryDense(UnaryOp op, float p0, float p1, float[] s, int so, float[] d, int dof, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) d[dof + i] = -s[so + i]; }
            case ABS -> { for (int i = 0; i < n; i++) d[dof + i] = Math.abs(s[so + i]); }
            case SQUARE -> { for (int i = 0; i < n; i++) { float x = s[so + i]; d[dof + i] = x * x; } }
            case SQRT -> { for (int i = 0; i < n; i++) d[dof + i] = (float) Math.sqrt(s[so + i]); }
            case RSQRT -> { for (int i = 0; i < n; i++) d[dof + i] = 1f / (float) Math.sqrt(s[so + i]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) d[dof + i] = 1f / s[so + i]; }
            case RELU -> relu(s, so, d, dof, n);
            case CLAMP -> {
                float lo = Float.isNaN(p0) ? Float.NEGATIVE_INFINITY : p0;
                float hi = Float.isNaN(p1) ? Float.POSITIVE_INFINITY : p1;
                for (int i = 0; i < n; i++) {
                    // Compares, not Math.max/min: clamp(-0.0, min=0) keeps -0.0, as ScalarMath and PyTorch do.
                    float x = s[so + i];
                    float y = x < lo ? lo : x;
                    d[dof + i] = y > hi ? hi : y;
                }
            }
            case EXP -> vectorUnary(VectorOperators.EXP, op, s, so, d, dof, n);
            case LOG -> vectorUnary(VectorOperators.LOG, op, s, so, d, dof, n);
            case TANH -> vectorUnary(VectorOperators.TANH, op, s, so, d, dof, n);
            case SIGMOID -> sigmoid(s, so, d, dof, n);
            default -> { for (int i = 0; i < n; i++) d[dof + i] = (float) ScalarMath.unary(op, s[so + i], p0, p1); }
        }
    }

    /**
     * The tail is scalar: a one-lane vector op is the SVML routine once compiled but a Math call in
     * the interpreter, which can round differently, and a short tensor (a loss over ten classes)
     * would then give a different result before and after warm-up.
     */
    private static void vectorUnary(VectorOperators.Unary vop, UnaryOp op, float[] s, int so, float[] d, int dof,
                                    int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, s, so + i).lanewise(vop).intoArray(d, dof + i);
        }
        for (; i < n; i++) d[dof + i] = (float) ScalarMath.unary(op, s[so + i], 0, 0);
    }

    /**
     * max(x, 0) lane-wise: NaN passes through as in torch.relu. The scalar form
     * {@code x > 0 || x != x ? x : 0} was not vectorised by C2 and cost 15x more (measured on a
     * 256x56x56 map), a quarter of a ResNet forward.
     */
    private static void relu(float[] s, int so, float[] d, int dof, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, s, so + i).max(zero).intoArray(d, dof + i);
        }
        for (; i < n; i++) d[dof + i] = Math.max(s[so + i], 0f);
    }

    private static void sigmoid(float[] s, int so, float[] d, int dof, int n) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, s, so + i);
            // 1 / (1 + e^-x): e^-x overflows to +inf for x < -88, giving the correct limit 0.
            one.div(one.add(x.neg().lanewise(VectorOperators.EXP))).intoArray(d, dof + i);
        }
        for (; i < n; i++) d[dof + i] = (float) ScalarMath.sigmoid(s[so + i]);
    }

    static void binary(BinaryOp op, CpuStorage a, Layout la, CpuStorage b, Layout lb, CpuStorage dst, Layout ld) {
        float[] x = a.floats(), y = b.floats();
        StridedLoop loop = new StridedLoop(ld.shape(), la, lb, ld);
        int sa = loop.innerStride(0), sb = loop.innerStride(1), sd = loop.innerStride(2);
        if (op.isComparison()) {
            byte[] d = (byte[]) dst.array();
            loop.forEachRow((off, n) -> {
                for (int i = 0, p = off[0], q = off[1], r = off[2]; i < n; i++, p += sa, q += sb, r += sd) {
                    d[r] = (byte) ScalarMath.binary(op, x[p], y[q]);
                }
            }, true);
            return;
        }
        float[] d = dst.floats();
        loop.forEachRow((off, n) -> {
            if (sa == 1 && sd == 1 && (sb == 1 || sb == 0)) {
                binaryDense(op, x, off[0], y, off[1], sb, d, off[2], n);
            } else if (sa == 0 && sb == 1 && sd == 1 && (op == BinaryOp.ADD || op == BinaryOp.MUL)) {
                binaryDense(op, y, off[1], x, off[0], 0, d, off[2], n); // commutative: swap to put the scalar second
            } else {
                for (int i = 0, p = off[0], q = off[1], r = off[2]; i < n; i++, p += sa, q += sb, r += sd) {
                    d[r] = (float) ScalarMath.binary(op, x[p], y[q]);
                }
            }
        }, true);
    }

    /**
     * ReLU's backward, {@code dst = out <= 0 ? 0 : grad}, in one pass (it was three: out > 0 to a
     * bool mask, the mask to float, a multiply). Dense rows compare and blend lane-wise.
     */
    static void reluBackward(CpuStorage grad, Layout lg, CpuStorage out, Layout lo, CpuStorage dst, Layout ld) {
        float[] g = grad.floats(), y = out.floats(), d = dst.floats();
        StridedLoop loop = new StridedLoop(ld.shape(), lg, lo, ld);
        int sg = loop.innerStride(0), sy = loop.innerStride(1), sd = loop.innerStride(2);
        loop.forEachRow((off, n) -> {
            int i = 0, p = off[0], q = off[1], r = off[2];
            if (sg == 1 && sy == 1 && sd == 1) {
                FloatVector zero = FloatVector.zero(F);
                for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                    FloatVector gv = FloatVector.fromArray(F, g, p + i);
                    gv.blend(zero, FloatVector.fromArray(F, y, q + i).compare(VectorOperators.LE, 0f)).intoArray(d, r + i);
                }
                p += i;
                q += i;
                r += i;
            }
            for (; i < n; i++, p += sg, q += sy, r += sd) d[r] = y[q] <= 0f ? 0f : g[p];
        }, true);
    }

    /** {@link #reluBackward} for float64 (and the scalar reference mode): the same rule, element by element. */
    static void reluBackwardScalar(CpuStorage grad, Layout lg, CpuStorage out, Layout lo, CpuStorage dst, Layout ld) {
        StridedLoop loop = new StridedLoop(ld.shape(), lg, lo, ld);
        int sg = loop.innerStride(0), sy = loop.innerStride(1), sd = loop.innerStride(2);
        if (dst.dtype() == dev.jtorch.DType.FLOAT64) {
            double[] g = grad.doubles(), y = out.doubles(), d = dst.doubles();
            loop.forEachRow((off, n) -> {
                for (int i = 0, p = off[0], q = off[1], r = off[2]; i < n; i++, p += sg, q += sy, r += sd) {
                    d[r] = y[q] <= 0.0 ? 0.0 : g[p];
                }
            }, true);
        } else {
            float[] g = grad.floats(), y = out.floats(), d = dst.floats();
            loop.forEachRow((off, n) -> {
                for (int i = 0, p = off[0], q = off[1], r = off[2]; i < n; i++, p += sg, q += sy, r += sd) {
                    d[r] = y[q] <= 0f ? 0f : g[p];
                }
            }, true);
        }
    }

    /** a is dense; b is dense (bStride 1) or one repeated value (bStride 0). */
    private static void binaryDense(BinaryOp op, float[] a, int ao, float[] b, int bo, int bStride,
                                    float[] d, int dof, int n) {
        if (bStride == 0) {
            float c = b[bo];
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] + c; }
                case SUB -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] - c; }
                case MUL -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] * c; }
                case DIV -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] / c; }
                case MAXIMUM -> { for (int i = 0; i < n; i++) d[dof + i] = Math.max(a[ao + i], c); }
                case MINIMUM -> { for (int i = 0; i < n; i++) d[dof + i] = Math.min(a[ao + i], c); }
                default -> { for (int i = 0; i < n; i++) d[dof + i] = (float) ScalarMath.binary(op, a[ao + i], c); }
            }
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) d[dof + i] = a[ao + i] / b[bo + i]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) d[dof + i] = Math.max(a[ao + i], b[bo + i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) d[dof + i] = Math.min(a[ao + i], b[bo + i]); }
            default -> { for (int i = 0; i < n; i++) d[dof + i] = (float) ScalarMath.binary(op, a[ao + i], b[bo + i]); }
        }
    }

    /**
     * Reduction over the dimensions where dst has size 1. The destination is viewed with stride 0
     * along reduced dimensions, so one walk over the source either folds a whole row into one
     * output (row reduced) or folds a row into a row of outputs (outer dimension reduced).
     */
    static void reduce(ReduceOp op, CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        float[] s = src.floats(), d = dst.floats();
        int[] shape = ls.shape();
        int[] dstStrides = new int[shape.length];
        for (int i = 0; i < shape.length; i++) dstStrides[i] = ld.shape()[i] == 1 ? 0 : ld.strides()[i];
        Layout expanded = new Layout(shape, dstStrides, ld.offset());
        fill(dst, ld, (float) ReferenceKernels.initial(op));
        StridedLoop loop = new StridedLoop(shape, ls, expanded);
        int ss = loop.innerStride(0), ds = loop.innerStride(1);
        // Rows may run in parallel only if no two rows write the same output.
        boolean rowsDisjoint = true;
        for (int dim = 0; dim < loop.shape.length - 1; dim++) rowsDisjoint &= loop.strides[1][dim] != 0;
        loop.forEachRow((off, n) -> {
            if (ds == 0) {
                float r = ss == 1 ? reduceDense(op, s, off[0], n) : reduceStrided(op, s, off[0], ss, n);
                d[off[1]] = combine(op, d[off[1]], r);
            } else {
                for (int i = 0, p = off[0], q = off[1]; i < n; i++, p += ss, q += ds) d[q] = combine(op, d[q], s[p]);
            }
        }, rowsDisjoint);
    }

    private static float combine(ReduceOp op, float acc, float v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /** Four vector accumulators: faster, and closer to pairwise summation than one running sum. */
    private static float reduceDense(ReduceOp op, float[] s, int so, int n) {
        if (op != ReduceOp.SUM) return reduceStrided(op, s, so, 1, n);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int step = F.length() * 4, i = 0;
        for (int bound = n - n % step; i < bound; i += step) {
            a0 = a0.add(FloatVector.fromArray(F, s, so + i));
            a1 = a1.add(FloatVector.fromArray(F, s, so + i + F.length()));
            a2 = a2.add(FloatVector.fromArray(F, s, so + i + 2 * F.length()));
            a3 = a3.add(FloatVector.fromArray(F, s, so + i + 3 * F.length()));
        }
        float sum = LaneSum.of(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) sum += s[so + i];
        return sum;
    }

    private static float reduceStrided(ReduceOp op, float[] s, int so, int ss, int n) {
        float acc = (float) ReferenceKernels.initial(op);
        for (int i = 0, p = so; i < n; i++, p += ss) acc = combine(op, acc, s[p]);
        return acc;
    }
}
