package dev.jtorch.cpu;

import static dev.jtorch.Permutations.identity;
import static dev.jtorch.Permutations.permutation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.ReduceOp;
import dev.jtorch.backend.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fast float32 kernels ({@link FloatKernels}) against the scalar oracle ({@link ReferenceKernels})
 * on random strided layouts: permuted and stepped strides, offsets, gaps, stride-0 (broadcast)
 * operands, and shapes that sometimes cross {@link StridedLoop#PARALLEL_MIN_ELEMENTS} so that the
 * rows are split across threads.
 *
 * <p>Both kernels start from the same destination contents; the comparison covers the whole
 * destination storage, so an element outside the layout that either kernel touched is caught too.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>Exact (bitwise, NaN positions equal): copy, fill, comparisons, every binary op, and the
 *       unary ops the fast path computes with one correctly rounded float operation (neg, abs,
 *       square, sqrt, reciprocal, relu, clamp, sign) or through {@link ScalarMath} in double as the
 *       reference does. For +, -, *, /, sqrt the float result equals the double result rounded to
 *       float, because double has more than 2p+2 bits for p = 24 (double rounding is innocuous),
 *       so no tolerance is needed.</li>
 *   <li>rsqrt: {@code 1f / (float) sqrt(x)} rounds twice (each <= 0.5 ulp), the reference once:
 *       at most 2 ulp apart.</li>
 *   <li>exp, log, tanh run through the Vector API, which may use Intel SVML stubs on x86; 4 ulp
 *       is the loosest accuracy class Intel documents for SVML's float functions. Sigmoid is
 *       1 / (1 + exp(-x)) in float: the exp error plus two roundings, 6 ulp. An absolute floor
 *       of {@link Float#MIN_NORMAL} covers results in the subnormal range, where an ulp is no
 *       longer relative (sigmoid(-88.7) is 2.9e-39 apart there). Measured on the AVX-512 build
 *       machine over 2^20 values each: exp, log, tanh 0 ulp, sigmoid 2 ulp, rsqrt 1 ulp.</li>
 *   <li>pow with a parameter float cannot hold: see {@link #ulpsFor}.</li>
 *   <li>Sum: the fast kernel adds in float in another order (four vector accumulators, then the
 *       row results); any order of n float additions is within (n - 1) u sum|x| of the exact
 *       sum (u = 2^-24), and the reference is the exact double sum rounded once (0.5 ulp):
 *       |fast - ref| <= 1.01 n u sum|x| + ulp(ref), with n and sum|x| counted per output here.</li>
 *   <li>Prod: each float multiplication adds a relative error of at most u: within 1.01 n u |ref|
 *       + ulp(ref) (values near 1, so no intermediate product can overflow or underflow).</li>
 *   <li>Max, min: exact, NaN propagating in both.</li>
 * </ul>
 */
class FastVsReferenceTest {

    private static final double U = Math.scalb(1.0, -24);

    // ---- shapes and layouts ----------------------------------------------------------------

    /** How far from a plain row-major layout an operand is. */
    enum Mess { CONTIGUOUS, PERMUTED, STRIDED, OFFSET_AND_GAPS }

    /** Mostly small shapes (1-4 dims); one in four crosses the parallel threshold (at most 2x it, 65536 elements). */
    @Provide
    Arbitrary<int[]> shapes() {
        Arbitrary<int[]> small = Arbitraries.integers().between(1, 9).array(int[].class).ofMinSize(1).ofMaxSize(4);
        Arbitrary<int[]> big = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(StridedLoop.PARALLEL_MIN_ELEMENTS + 1, 2 * StridedLoop.PARALLEL_MIN_ELEMENTS),
                Arbitraries.longs()).as(FastVsReferenceTest::bigShape);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, small),
                net.jqwik.api.Tuple.of(1, big));
    }

    /** A shape of {@code dims} dimensions with at least {@code minNumel} elements. */
    static int[] bigShape(int dims, int minNumel, long seed) {
        Random rnd = new Random(seed);
        int[] s = new int[dims];
        int rest = minNumel;
        for (int i = 0; i < dims - 1; i++) {
            s[i] = 2 + rnd.nextInt(30);
            rest = (rest + s[i] - 1) / s[i];
        }
        s[dims - 1] = rest;
        if (rnd.nextBoolean()) { // put the long dimension somewhere else
            int j = rnd.nextInt(dims), t = s[j];
            s[j] = s[dims - 1];
            s[dims - 1] = t;
        }
        return s;
    }

    /**
     * A layout of {@code shape}: dimensions laid out in a random order (PERMUTED), with steps of 2
     * and padding between them (STRIDED), a storage offset (OFFSET_AND_GAPS), and, when
     * {@code broadcast}, some dimensions of stride 0. Without broadcast no two elements share a
     * storage slot, so it may be written.
     */
    static Layout layout(int[] shape, Mess mess, boolean broadcast, Random rnd) {
        int n = shape.length;
        int[] order = mess == Mess.CONTIGUOUS ? identity(n) : permutation(n, rnd);
        boolean strided = mess == Mess.STRIDED || mess == Mess.OFFSET_AND_GAPS;
        int[] strides = new int[n];
        int next = 1;
        for (int j = n - 1; j >= 0; j--) {
            int d = order[j];
            if (broadcast && rnd.nextInt(3) == 0) continue; // stride 0
            int step = strided && rnd.nextInt(3) == 0 ? 2 : 1;
            strides[d] = next * step;
            next = strides[d] * shape[d] + (strided && rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0);
        }
        int offset = mess == Mess.OFFSET_AND_GAPS || rnd.nextInt(4) == 0 ? rnd.nextInt(5) : 0;
        return new Layout(shape, strides, offset);
    }

    /** Storage slots of the layout's elements, in row-major order of the logical index. */
    static int[] positions(Layout l) {
        int[] shape = l.shape(), strides = l.strides();
        int[] out = new int[l.numel()];
        int[] idx = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            int p = l.offset();
            for (int d = 0; d < shape.length; d++) p += idx[d] * strides[d];
            out[i] = p;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    static int storageSize(Layout l, Random rnd) {
        return (int) l.extent() + rnd.nextInt(3);
    }

    // ---- values ------------------------------------------------------------------------------

    /** Draws one value. */
    interface Values { float draw(Random rnd); }

    static Values uniform(double lo, double hi) { return rnd -> (float) (lo + (hi - lo) * rnd.nextDouble()); }

    /** Positive values spread over six decades, so every exponent range of log/sqrt is seen. */
    static Values logUniform(double lo, double hi) {
        return rnd -> (float) Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rnd.nextDouble());
    }

    static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f};

    /** {@code base} with, at the given rate, special values (NaN, infinities, signed zeros, +-1) mixed in. */
    static Values withSpecials(Values base, double rate) {
        return rnd -> rnd.nextDouble() < rate ? SPECIALS[rnd.nextInt(SPECIALS.length)] : base.draw(rnd);
    }

    /** {@code base} with NaN mixed in at the given rate. */
    static Values withNaN(Values base, double rate) {
        return rnd -> rnd.nextDouble() < rate ? Float.NaN : base.draw(rnd);
    }

    static CpuStorage floats(int size, Values values, Random rnd) {
        CpuStorage s = CpuStorage.allocate(DType.FLOAT32, size);
        float[] f = s.floats();
        for (int i = 0; i < size; i++) f[i] = values.draw(rnd);
        return s;
    }

    static CpuStorage copyOf(CpuStorage s) {
        CpuStorage c = CpuStorage.allocate(s.dtype(), s.size());
        System.arraycopy(s.array(), 0, c.array(), 0, s.size());
        return c;
    }

    // ---- comparing -------------------------------------------------------------------------

    /** The largest allowed |fast - ref| for element i (in logical order) whose reference value is r. */
    interface Tolerance { double at(int i, float r); }

    static Tolerance ulps(int k) {
        return k == 0 ? (i, r) -> 0 : (i, r) -> k * (double) Math.ulp(r) + Float.MIN_NORMAL;
    }

    /**
     * Elements of {@code dst} within the tolerance (NaN where the other is NaN, infinities equal),
     * and every other slot of the storages untouched by both kernels.
     */
    static void assertMatches(String what, float[] initial, float[] fast, float[] ref, Layout dst, Tolerance tol) {
        int[] pos = positions(dst);
        boolean[] inside = new boolean[fast.length];
        for (int i = 0; i < pos.length; i++) {
            int p = pos[i];
            inside[p] = true;
            float f = fast[p], r = ref[p];
            boolean ok;
            if (Float.isNaN(f) || Float.isNaN(r)) ok = Float.isNaN(f) && Float.isNaN(r);
            else if (Float.isInfinite(f) || Float.isInfinite(r) || tol.at(i, r) == 0) ok = Float.compare(f, r) == 0;
            else ok = Math.abs((double) f - r) <= tol.at(i, r);
            if (!ok) {
                throw new AssertionError(what + ": element " + i + " (slot " + p + ") fast " + f + " reference " + r
                        + " (allowed " + tol.at(i, r) + ") on " + dst);
            }
        }
        for (int p = 0; p < fast.length; p++) {
            if (inside[p]) continue;
            if (Float.floatToRawIntBits(fast[p]) != Float.floatToRawIntBits(initial[p])
                    || Float.floatToRawIntBits(ref[p]) != Float.floatToRawIntBits(initial[p])) {
                throw new AssertionError(what + ": slot " + p + " outside " + dst + " was written: initial " + initial[p]
                        + ", fast " + fast[p] + ", reference " + ref[p]);
            }
        }
    }

    // ---- unary ---------------------------------------------------------------------------

    /** Inputs inside each op's domain, with special values sprinkled in (and NaN for relu and clamp). */
    static Values valuesFor(UnaryOp op) {
        Values v = switch (op) {
            case LOG, SQRT, RSQRT -> logUniform(1e-3, 1e3);
            case EXP -> uniform(-30, 30);
            case TANH, SIGMOID -> uniform(-12, 12);
            case POW_SCALAR -> logUniform(1e-2, 1e2);
            case SCALAR_POW -> uniform(-8, 8);
            default -> uniform(-4, 4);
        };
        Values special = withSpecials(v, 0.03);
        return op == UnaryOp.RELU || op == UnaryOp.CLAMP ? withNaN(special, 0.05) : special;
    }

    /** Scalar parameters: clamp bounds in either order or one-sided (NaN), exponents and bases incl. non-integers. */
    static double[] paramsFor(UnaryOp op, Random rnd) {
        return switch (op) {
            case CLAMP -> {
                double lo = rnd.nextInt(8) * 0.5 - 2, hi = lo + rnd.nextInt(6) * 0.5 - 0.5;
                yield switch (rnd.nextInt(4)) {
                    case 0 -> new double[]{lo, Double.NaN};
                    case 1 -> new double[]{Double.NaN, hi};
                    default -> new double[]{lo, hi}; // hi < lo sometimes: PyTorch then gives hi everywhere
                };
            }
            case POW_SCALAR -> new double[]{new double[]{2, 3, -1, 0.5, 1.5, -2.5, 0, 0.3}[rnd.nextInt(8)], 0};
            case SCALAR_POW -> new double[]{new double[]{2, 0.5, 10, 1.5, Math.E}[rnd.nextInt(5)], 0};
            default -> new double[]{0, 0};
        };
    }

    /**
     * See the class comment. pow with a parameter that float cannot hold (0.3, e): the fast path
     * rounds it to float first (as PyTorch does for a float tensor), the reference does not; that
     * moves the result by |ln x| |dp| (x^p) or |x| |d ln p| (p^x), at most 1.5e-7 relative for the
     * ranges drawn here (measured: 1 ulp), so 4 ulp.
     */
    static int ulpsFor(UnaryOp op, double p0) {
        return switch (op) {
            case POW_SCALAR, SCALAR_POW -> (float) p0 == p0 ? 0 : 4;
            case RSQRT -> 2;
            case EXP, LOG, TANH -> 4;
            case SIGMOID -> 6;
            default -> 0;
        };
    }

    @Property(tries = 120)
    void everyUnaryOp(@ForAll("shapes") int[] shape, @ForAll Mess srcMess, @ForAll Mess dstMess,
                      @ForAll boolean broadcastSrc, @ForAll long seed) {
        Random rnd = new Random(seed);
        for (UnaryOp op : UnaryOp.values()) {
            double[] p = paramsFor(op, rnd);
            Layout ls = layout(shape, srcMess, broadcastSrc, rnd), ld = layout(shape, dstMess, false, rnd);
            CpuStorage src = floats(storageSize(ls, rnd), valuesFor(op), rnd);
            CpuStorage init = floats(storageSize(ld, rnd), uniform(-1, 1), rnd);
            CpuStorage fast = copyOf(init), ref = copyOf(init);
            FloatKernels.unary(op, p[0], p[1], src, ls, fast, ld);
            ReferenceKernels.unary(op, p[0], p[1], src, ls, ref, ld);
            assertMatches(op + Arrays.toString(p) + " from " + ls, init.floats(), fast.floats(), ref.floats(), ld,
                    ulps(ulpsFor(op, p[0])));

            // In place, as InPlace.unary calls it: source and destination are the same storage and layout.
            Layout self = layout(shape, srcMess, false, rnd);
            CpuStorage selfInit = floats(storageSize(self, rnd), valuesFor(op), rnd);
            CpuStorage selfFast = copyOf(selfInit), selfRef = copyOf(selfInit);
            FloatKernels.unary(op, p[0], p[1], selfFast, self, selfFast, self);
            ReferenceKernels.unary(op, p[0], p[1], selfRef, self, selfRef, self);
            assertMatches(op + "_ in place on " + self, selfInit.floats(), selfFast.floats(), selfRef.floats(), self,
                    ulps(ulpsFor(op, p[0])));
        }
    }

    // ---- binary ----------------------------------------------------------------------------

    /** Mostly continuous values; sometimes small integers (so that ==, <= and max see ties), plus specials. */
    static Values binaryValues(Random rnd) {
        Values base = rnd.nextInt(3) == 0 ? r -> (float) (r.nextInt(5) - 2) : uniform(-4, 4);
        return withSpecials(base, 0.03);
    }

    @Property(tries = 120)
    void everyBinaryOp(@ForAll("shapes") int[] shape, @ForAll Mess aMess, @ForAll Mess bMess, @ForAll Mess dstMess,
                       @ForAll boolean broadcastA, @ForAll boolean broadcastB, @ForAll long seed) {
        Random rnd = new Random(seed);
        for (BinaryOp op : BinaryOp.values()) {
            Layout la = layout(shape, aMess, broadcastA, rnd), lb = layout(shape, bMess, broadcastB, rnd);
            Layout ld = layout(shape, dstMess, false, rnd);
            Values values = binaryValues(rnd);
            CpuStorage a = floats(storageSize(la, rnd), values, rnd), b = floats(storageSize(lb, rnd), values, rnd);
            if (op.isComparison()) {
                int size = storageSize(ld, rnd);
                CpuStorage fast = CpuStorage.allocate(DType.BOOL, size), ref = CpuStorage.allocate(DType.BOOL, size);
                byte[] init = new byte[size];
                for (int i = 0; i < size; i++) init[i] = (byte) (7 + rnd.nextInt(3)); // neither 0 nor 1
                System.arraycopy(init, 0, fast.array(), 0, size);
                System.arraycopy(init, 0, ref.array(), 0, size);
                FloatKernels.binary(op, a, la, b, lb, fast, ld);
                ReferenceKernels.binary(op, a, la, b, lb, ref, ld);
                assertTrue(Arrays.equals((byte[]) fast.array(), (byte[]) ref.array()),
                        op + " on " + la + ", " + lb + " into " + ld);
                for (int p : positions(ld)) assertTrue(((byte[]) fast.array())[p] <= 1, op + " wrote a non-bool");
            } else {
                CpuStorage init = floats(storageSize(ld, rnd), uniform(-1, 1), rnd);
                CpuStorage fast = copyOf(init), ref = copyOf(init);
                FloatKernels.binary(op, a, la, b, lb, fast, ld);
                ReferenceKernels.binary(op, a, la, b, lb, ref, ld);
                assertMatches(op + " on " + la + ", " + lb, init.floats(), fast.floats(), ref.floats(), ld, ulps(0));

                // In place, as InPlace.binary calls it: the first operand is also the destination.
                Layout self = layout(shape, aMess, false, rnd);
                CpuStorage selfInit = floats(storageSize(self, rnd), values, rnd);
                CpuStorage selfFast = copyOf(selfInit), selfRef = copyOf(selfInit);
                FloatKernels.binary(op, selfFast, self, b, lb, selfFast, self);
                ReferenceKernels.binary(op, selfRef, self, b, lb, selfRef, self);
                assertMatches(op + "_ in place on " + self + ", " + lb, selfInit.floats(), selfFast.floats(),
                        selfRef.floats(), self, ulps(0));
            }
        }
    }

    // ---- copy and fill ---------------------------------------------------------------------

    @Property(tries = 150)
    void copyAndFill(@ForAll("shapes") int[] shape, @ForAll Mess srcMess, @ForAll Mess dstMess,
                     @ForAll boolean broadcastSrc, @ForAll long seed) {
        Random rnd = new Random(seed);
        Layout ls = layout(shape, srcMess, broadcastSrc, rnd), ld = layout(shape, dstMess, false, rnd);
        CpuStorage src = floats(storageSize(ls, rnd), withSpecials(uniform(-4, 4), 0.05), rnd);
        CpuStorage init = floats(storageSize(ld, rnd), uniform(-1, 1), rnd);
        CpuStorage fast = copyOf(init), ref = copyOf(init);
        FloatKernels.copy(src, ls, fast, ld);
        ReferenceKernels.copy(src, ls, ref, ld);
        assertMatches("copy from " + ls, init.floats(), fast.floats(), ref.floats(), ld, ulps(0));

        double value = new double[]{0.1, -3.75, Double.NaN, 1e30, 0}[rnd.nextInt(5)];
        fast = copyOf(init);
        ref = copyOf(init);
        FloatKernels.fill(fast, ld, (float) value);
        ReferenceKernels.fill(ref, ld, value);
        assertMatches("fill(" + value + ")", init.floats(), fast.floats(), ref.floats(), ld, ulps(0));
    }

    // ---- reductions --------------------------------------------------------------------------

    static Values reduceValues(ReduceOp op) {
        return switch (op) {
            case SUM -> withSpecials(uniform(-4, 4), 0.001);
            // |x| within 5e-4 of 1, either sign: even one value repeated (a broadcast source) 65536 times stays
            // within e^+-33, inside float's normal range, where the relative bound below holds.
            case PROD -> rnd -> (float) ((rnd.nextBoolean() ? 1 : -1) * (1 + 1e-3 * (rnd.nextDouble() - 0.5)));
            case MAX, MIN -> withNaN(withSpecials(uniform(-4, 4), 0.01), 0.002);
        };
    }

    /** Per output (row-major over the kept shape): the number of reduced elements and the sum of their |x|. */
    static double[][] countsAndAbsSums(float[] src, Layout ls, int[] kept) {
        int[] shape = ls.shape(), keptStrides = Layout.contiguousStrides(kept);
        int outN = Layout.numel(kept);
        double[] count = new double[outN], absSum = new double[outN];
        int[] pos = positions(ls);
        int[] idx = new int[shape.length];
        for (int i = 0; i < pos.length; i++) {
            int o = 0;
            for (int d = 0; d < shape.length; d++) o += (kept[d] == 1 ? 0 : idx[d]) * keptStrides[d];
            count[o]++;
            absSum[o] += Math.abs(src[pos[i]]);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return new double[][]{count, absSum};
    }

    static Tolerance reduceTolerance(ReduceOp op, double[][] countsAndSums) {
        double[] count = countsAndSums[0], absSum = countsAndSums[1];
        return switch (op) {
            case SUM -> (i, r) -> 1.01 * count[i] * U * absSum[i] + Math.ulp(r);
            case PROD -> (i, r) -> 1.01 * count[i] * U * Math.abs(r) + Math.ulp(r);
            case MAX, MIN -> (i, r) -> 0;
        };
    }

    @Property(tries = 120)
    void everyReduceOpOverRandomDims(@ForAll("shapes") int[] shape, @ForAll Mess srcMess, @ForAll Mess dstMess,
                                     @ForAll boolean broadcastSrc, @ForAll long seed) {
        Random rnd = new Random(seed);
        for (ReduceOp op : ReduceOp.values()) {
            int[] kept = shape.clone();
            for (int d = 0; d < kept.length; d++) if (rnd.nextBoolean()) kept[d] = 1; // any subset, empty and all included
            Layout ls = layout(shape, srcMess, broadcastSrc, rnd), ld = layout(kept, dstMess, false, rnd);
            CpuStorage src = floats(storageSize(ls, rnd), reduceValues(op), rnd);
            CpuStorage init = floats(storageSize(ld, rnd), uniform(-1, 1), rnd);
            CpuStorage fast = copyOf(init), ref = copyOf(init);
            FloatKernels.reduce(op, src, ls, fast, ld);
            ReferenceKernels.reduce(op, src, ls, ref, ld);
            assertMatches(op + " of " + ls + " to " + Arrays.toString(kept), init.floats(), fast.floats(), ref.floats(), ld,
                    reduceTolerance(op, countsAndAbsSums(src.floats(), ls, kept)));
        }
    }

    // ---- NaN, checked against the definition as well -----------------------------------------

    /** relu and clamp keep NaN where the input has it (and nowhere else); max and min reductions propagate it. */
    @Example
    void nanPositionsMatchTheDefinition() {
        Random rnd = new Random(11);
        for (int[] shape : new int[][]{{7, 5}, {3, 200, 70}}) { // the second crosses the parallel threshold
            Layout ls = layout(shape, Mess.PERMUTED, false, rnd), ld = layout(shape, Mess.STRIDED, false, rnd);
            CpuStorage src = floats(storageSize(ls, rnd), withNaN(uniform(-2, 2), 0.05), rnd);
            int[] sp = positions(ls), dp = positions(ld);
            int nans = 0;
            for (int p : sp) if (Float.isNaN(src.floats()[p])) nans++;
            assertTrue(nans > 0, "the case must contain NaN");
            for (UnaryOp op : new UnaryOp[]{UnaryOp.RELU, UnaryOp.CLAMP}) {
                CpuStorage init = floats(storageSize(ld, rnd), uniform(-1, 1), rnd);
                CpuStorage fast = copyOf(init), ref = copyOf(init);
                FloatKernels.unary(op, -0.5, 0.5, src, ls, fast, ld);
                ReferenceKernels.unary(op, -0.5, 0.5, src, ls, ref, ld);
                assertMatches(op + " with NaN", init.floats(), fast.floats(), ref.floats(), ld, ulps(0));
                for (int i = 0; i < sp.length; i++) {
                    float x = src.floats()[sp[i]], y = fast.floats()[dp[i]];
                    assertEquals(Float.isNaN(x), Float.isNaN(y), op + " element " + i + ": " + x + " -> " + y);
                    if (!Float.isNaN(x)) {
                        float want = op == UnaryOp.RELU ? Math.max(x, 0f) : Math.min(Math.max(x, -0.5f), 0.5f);
                        assertEquals(want, y, op + " element " + i);
                    }
                }
            }
            // Reduce the last dimension: output j is NaN exactly when row j holds a NaN.
            int[] kept = shape.clone();
            kept[kept.length - 1] = 1;
            Layout lk = layout(kept, Mess.OFFSET_AND_GAPS, false, rnd);
            int rowLen = shape[shape.length - 1];
            for (ReduceOp op : new ReduceOp[]{ReduceOp.MAX, ReduceOp.MIN}) {
                CpuStorage init = floats(storageSize(lk, rnd), uniform(-1, 1), rnd);
                CpuStorage fast = copyOf(init), ref = copyOf(init);
                FloatKernels.reduce(op, src, ls, fast, lk);
                ReferenceKernels.reduce(op, src, ls, ref, lk);
                assertMatches(op + " with NaN", init.floats(), fast.floats(), ref.floats(), lk, ulps(0));
                int[] kp = positions(lk);
                int nanRows = 0;
                for (int row = 0; row < kp.length; row++) {
                    boolean rowHasNaN = false;
                    float want = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
                    for (int k = 0; k < rowLen; k++) {
                        float x = src.floats()[sp[row * rowLen + k]];
                        rowHasNaN |= Float.isNaN(x);
                        want = op == ReduceOp.MAX ? Math.max(want, x) : Math.min(want, x);
                    }
                    if (rowHasNaN) nanRows++;
                    float got = fast.floats()[kp[row]];
                    assertEquals(rowHasNaN, Float.isNaN(got), op + " row " + row);
                    if (!rowHasNaN) assertEquals(want, got, op + " row " + row);
                }
                assertTrue(nanRows > 0 && nanRows < kp.length, "rows with and without NaN: " + nanRows + " of " + kp.length);
            }
        }
    }

    /** The layouts the properties draw really are strided, offset and broadcast, and big ones cross the threshold. */
    @Example
    void generatorsCoverTheLayoutsTheyClaim() {
        Random rnd = new Random(3);
        boolean sawStep = false, sawGap = false, sawOffset = false, sawZero = false;
        for (int t = 0; t < 200; t++) {
            Layout l = layout(new int[]{3, 4, 5}, Mess.OFFSET_AND_GAPS, true, rnd);
            for (int s : l.strides()) sawZero |= s == 0;
            sawOffset |= l.offset() > 0;
            Layout w = layout(new int[]{3, 4, 5}, Mess.STRIDED, false, rnd);
            sawStep |= !w.isContiguous();
            sawGap |= w.extent() > w.numel();
            assertEquals(w.numel(), Arrays.stream(positions(w)).distinct().count(), "a writable layout never aliases");
        }
        assertTrue(sawStep && sawGap && sawOffset && sawZero);
        assertTrue(Layout.numel(bigShape(3, StridedLoop.PARALLEL_MIN_ELEMENTS + 1, 5)) > StridedLoop.PARALLEL_MIN_ELEMENTS);
    }
}
