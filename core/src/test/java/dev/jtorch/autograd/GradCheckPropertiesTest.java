package dev.jtorch.autograd;

import static dev.jtorch.Permutations.identity;
import static dev.jtorch.Permutations.permutation;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every differentiable op against float64 central differences ({@link GradCheck}), over random
 * shapes (1-4 dims of sizes 1-4), broadcasts, and operands that the checked function makes
 * non-contiguous from its leaf (transpose, step slice, narrow, permute, expand).
 *
 * <p>All randomness comes from jqwik: structural choices are jqwik parameters, and the values and
 * sub-choices come from a {@link Random} seeded with a jqwik-drawn long, so every try replays.
 * Values are drawn from ranges that keep the 1e-6 central differences away from kinks, poles and
 * ties (see {@link Values}).
 */
class GradCheckPropertiesTest {

    // ---- how values are drawn ---------------------------------------------------------------

    /** Draws {@code n} values. */
    interface Values {
        double[] draw(int n, Random rnd);

        /** Uniform in [-2, 2]: for smooth functions. */
        Values ANY = uniform(-2, 2);
        /** Uniform in [0.5, 2]: log, sqrt, rsqrt, pow bases. */
        Values POSITIVE = uniform(0.5, 2);
        /** |x| in [0.2, 2]: abs, relu, sign, reciprocal, division by it. */
        Values AWAY_FROM_ZERO = (n, rnd) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (rnd.nextBoolean() ? 1 : -1) * (0.2 + 1.8 * rnd.nextDouble());
            return v;
        };
        /**
         * Pairwise at least 0.04 apart (a shuffled grid with jitter): max/min have no ties, and a
         * variance over two or more of them is at least 4e-4, so std stays differentiable.
         */
        Values DISTINCT = (n, rnd) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (i - n / 2.0) * 0.05 + 0.01 * rnd.nextDouble();
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
            return v;
        };
        /** k + [0.25, 0.35) and k + [0.75, 0.85) for integers k: any LOW and HIGH value differ by >= 0.4. */
        Values LOW_GRID = grid(0.25), HIGH_GRID = grid(0.75);

        static Values uniform(double lo, double hi) {
            return (n, rnd) -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
                return v;
            };
        }

        static Values grid(double phase) {
            return (n, rnd) -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = rnd.nextInt(4) - 2 + phase + 0.1 * rnd.nextDouble();
                return v;
            };
        }

        /** Uniform in [-2, 2] but at least 0.05 from each kink. */
        static Values awayFrom(double... kinks) {
            return (n, rnd) -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    double x;
                    do x = -2 + 4 * rnd.nextDouble(); while (near(x, kinks));
                    v[i] = x;
                }
                return v;
            };
        }

        private static boolean near(double x, double[] kinks) {
            for (double k : kinks) if (Math.abs(x - k) < 0.05) return true;
            return false;
        }
    }

    // ---- non-contiguous operands --------------------------------------------------------------

    /** How the checked function turns its (contiguous) leaf into the operand the op receives. */
    enum Kind { CONTIGUOUS, TRANSPOSED, SLICED, NARROWED, PERMUTED, EXPANDED }

    /** A float64 leaf and the view the checked function applies to it to get an operand of the wanted shape. */
    record Operand(Tensor leaf, UnaryOperator<Tensor> view, String how) {
        @Override public String toString() { return how + " from leaf " + Arrays.toString(leaf.shape()); }
    }

    static Tensor leaf(int[] shape, double[] values, boolean requiresGrad) {
        Tensor t = shape.length == 0 ? Torch.scalarTensor(values[0], DType.FLOAT64) : Torch.tensor(values, shape);
        return requiresGrad ? t.requiresGrad_() : t;
    }

    static Operand operand(int[] shape, Kind kind, Values values, Random rnd) {
        return operand(shape, kind, values, rnd, true);
    }

    /** An operand of {@code shape}, made by {@code kind} from a leaf of another shape where the kind needs one. */
    static Operand operand(int[] shape, Kind kind, Values values, Random rnd, boolean requiresGrad) {
        int n = shape.length;
        int[] ls = shape.clone();
        UnaryOperator<Tensor> view = x -> x;
        String how = "contiguous";
        if (n == 0) kind = Kind.CONTIGUOUS;
        if (kind == Kind.TRANSPOSED && n < 2) kind = Kind.SLICED;
        switch (kind) {
            case CONTIGUOUS -> { }
            case TRANSPOSED -> {
                int i = rnd.nextInt(n), j = (i + 1 + rnd.nextInt(n - 1)) % n;
                ls[i] = shape[j];
                ls[j] = shape[i];
                if (n == 2 && rnd.nextBoolean()) {
                    view = Tensor::t;
                    how = "t()";
                } else {
                    view = x -> x.transpose(i, j);
                    how = "transpose(" + i + ", " + j + ")";
                }
            }
            case SLICED -> {
                int d = rnd.nextInt(n), start = rnd.nextInt(2);
                ls[d] = 2 * shape[d] - 1 + start + rnd.nextInt(2); // ceil((ls - start) / 2) == shape[d]
                int end = ls[d];
                view = x -> x.slice(d, start, end, 2);
                how = "slice(" + d + ", " + start + ", " + end + ", 2)";
            }
            case NARROWED -> {
                int d = rnd.nextInt(n), start = rnd.nextInt(3);
                ls[d] = shape[d] + start + rnd.nextInt(2);
                view = x -> x.narrow(d, start, shape[d]);
                how = "narrow(" + d + ", " + start + ", " + shape[d] + ")";
            }
            case PERMUTED -> {
                int[] p = permutation(n, rnd), inverse = new int[n];
                if (n > 1 && Arrays.equals(p, identity(n))) { // never the identity
                    p[0] = 1;
                    p[1] = 0;
                }
                for (int i = 0; i < n; i++) {
                    ls[i] = shape[p[i]];
                    inverse[p[i]] = i;
                }
                view = x -> x.permute(inverse);
                how = "permute" + Arrays.toString(inverse);
            }
            case EXPANDED -> {
                // Drop some leading dimensions and collapse some others to 1; expand restores the shape.
                int drop = n > 1 ? rnd.nextInt(n) : 0;
                int[] small = Arrays.copyOfRange(shape, drop, n);
                boolean collapsed = drop > 0;
                for (int i = 0; i < small.length; i++) {
                    if (small[i] > 1 && rnd.nextBoolean()) {
                        small[i] = 1;
                        collapsed = true;
                    }
                }
                for (int i = 0; i < small.length && !collapsed; i++) { // always broadcast something if anything can be
                    if (small[i] > 1) {
                        small[i] = 1;
                        collapsed = true;
                    }
                }
                ls = small;
                view = x -> x.expand(shape);
                how = "expand" + Arrays.toString(shape);
            }
        }
        return new Operand(leaf(ls, values.draw(numel(ls), rnd), requiresGrad), view, how);
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** {@code shape} with some leading dimensions dropped and some others set to 1: broadcasts back to it. */
    static int[] broadcastable(int[] shape, Random rnd) {
        int drop = rnd.nextInt(shape.length + 1);
        int[] s = Arrays.copyOfRange(shape, drop, shape.length);
        for (int i = 0; i < s.length; i++) if (rnd.nextInt(3) == 0) s[i] = 1;
        return s;
    }

    /** A pair of shapes that broadcast together: both full, or either or both reduced. */
    static int[][] broadcastPair(int[] shape, Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> new int[][]{shape, shape};
            case 1 -> new int[][]{broadcastable(shape, rnd), shape};
            case 2 -> new int[][]{shape, broadcastable(shape, rnd)};
            default -> new int[][]{broadcastable(shape, rnd), broadcastable(shape, rnd)};
        };
    }

    static Kind kindOf(Random rnd) { return Kind.values()[rnd.nextInt(Kind.values().length)]; }

    /** Ties (max, min) and zero variances come from repeated values: every kind but EXPANDED keeps values distinct. */
    static Kind tieFree(Kind k) { return k == Kind.EXPANDED ? Kind.PERMUTED : k; }

    /**
     * Runs GradCheck on {@code op} applied to the operands' views of the leaves; the views run
     * inside the checked function, so their backward is checked too.
     */
    static void check(String label, Function<Tensor[], Tensor> op, Operand... operands) {
        Tensor[] leaves = new Tensor[operands.length];
        for (int i = 0; i < operands.length; i++) leaves[i] = operands[i].leaf();
        Function<Tensor[], Tensor> fn = in -> {
            Tensor[] v = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) v[i] = operands[i].view().apply(in[i]);
            return op.apply(v);
        };
        try {
            GradCheck.check(fn, leaves);
        } catch (GradCheck.Failure | RuntimeException e) {
            throw new AssertionError(label + " on " + Arrays.toString(operands) + ": " + e.getMessage(), e);
        }
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 4).array(int[].class).ofMinSize(1).ofMaxSize(4);
    }

    /** Shapes of at most 3 dims, for ops that add dimensions of their own. */
    @Provide
    Arbitrary<int[]> smallShapes() {
        return Arbitraries.integers().between(1, 3).array(int[].class).ofMinSize(1).ofMaxSize(3);
    }

    record Named(String name, UnaryOperator<Tensor> op, Values values) {}

    // ---- elementwise -----------------------------------------------------------------------

    static final List<Named> UNARY = List.of(
            new Named("neg", Tensor::neg, Values.ANY),
            new Named("abs", Tensor::abs, Values.AWAY_FROM_ZERO),
            new Named("exp", Tensor::exp, Values.ANY),
            new Named("log", Tensor::log, Values.POSITIVE),
            new Named("sqrt", Tensor::sqrt, Values.POSITIVE),
            new Named("rsqrt", Tensor::rsqrt, Values.POSITIVE),
            new Named("tanh", Tensor::tanh, Values.ANY),
            new Named("sigmoid", Tensor::sigmoid, Values.ANY),
            new Named("relu", Tensor::relu, Values.AWAY_FROM_ZERO),
            new Named("clamp(-0.5, 0.8)", x -> x.clamp(-0.5, 0.8), Values.awayFrom(-0.5, 0.8)),
            new Named("clampMin(-0.5)", x -> x.clampMin(-0.5), Values.awayFrom(-0.5)),
            new Named("clampMax(0.8)", x -> x.clampMax(0.8), Values.awayFrom(0.8)),
            new Named("square", Tensor::square, Values.ANY),
            new Named("reciprocal", Tensor::reciprocal, Values.AWAY_FROM_ZERO),
            new Named("erf", Tensor::erf, Values.ANY),
            new Named("sin", Tensor::sin, Values.ANY),
            new Named("cos", Tensor::cos, Values.ANY),
            new Named("sign", Tensor::sign, Values.AWAY_FROM_ZERO),
            new Named("add(0.7)", x -> x.add(0.7), Values.ANY),
            new Named("sub(1.3)", x -> x.sub(1.3), Values.ANY),
            new Named("rsub(3)", x -> x.rsub(3), Values.ANY),
            new Named("mul(-2.5)", x -> x.mul(-2.5), Values.ANY),
            new Named("div(0.4)", x -> x.div(0.4), Values.ANY),
            new Named("pow(3)", x -> x.pow(3), Values.ANY),
            new Named("pow(2)", x -> x.pow(2), Values.ANY),
            new Named("pow(1)", x -> x.pow(1), Values.ANY),
            new Named("pow(0)", x -> x.pow(0), Values.ANY),
            new Named("pow(0.5)", x -> x.pow(0.5), Values.POSITIVE),
            new Named("pow(-1.5)", x -> x.pow(-1.5), Values.POSITIVE),
            new Named("clone", Tensor::clone, Values.ANY),
            new Named("contiguous", Tensor::contiguous, Values.ANY),
            new Named("to(FLOAT64)", x -> x.to(DType.FLOAT64), Values.ANY),
            // In place on a fresh non-leaf: the tensor takes over the op's node.
            new Named("relu_", x -> x.mul(1).relu_(), Values.AWAY_FROM_ZERO),
            new Named("sigmoid_", x -> x.mul(1).sigmoid_(), Values.ANY),
            new Named("tanh_", x -> x.mul(1).tanh_(), Values.ANY),
            new Named("clamp_(-0.5, 0.8)", x -> x.mul(1).clamp_(-0.5, 0.8), Values.awayFrom(-0.5, 0.8)),
            new Named("add_(0.5).mul_(-2).div_(4).sub_(1)", x -> x.mul(1).add_(0.5).mul_(-2).div_(4).sub_(1), Values.ANY),
            new Named("mul_(self)", x -> {
                Tensor y = x.mul(1);
                return y.mul_(x.exp());
            }, Values.ANY));

    @Property(tries = 100)
    void unaryAndScalarOps(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll long seed) {
        Random rnd = new Random(seed);
        for (Named u : UNARY) {
            check(u.name(), v -> u.op().apply(v[0]), operand(shape, kind, u.values(), rnd));
        }
    }

    record NamedBinary(String name, java.util.function.BinaryOperator<Tensor> op, Values a, Values b) {}

    static final List<NamedBinary> BINARY = List.of(
            new NamedBinary("add", Tensor::add, Values.ANY, Values.ANY),
            new NamedBinary("add(alpha=-0.5)", (a, b) -> a.add(b, -0.5), Values.ANY, Values.ANY),
            new NamedBinary("sub", Tensor::sub, Values.ANY, Values.ANY),
            new NamedBinary("sub(alpha=2)", (a, b) -> a.sub(b, 2), Values.ANY, Values.ANY),
            new NamedBinary("mul", Tensor::mul, Values.ANY, Values.ANY),
            new NamedBinary("div", Tensor::div, Values.ANY, Values.AWAY_FROM_ZERO),
            new NamedBinary("pow", Tensor::pow, Values.POSITIVE, Values.ANY),
            new NamedBinary("maximum", Tensor::maximum, Values.LOW_GRID, Values.HIGH_GRID),
            new NamedBinary("minimum", Tensor::minimum, Values.HIGH_GRID, Values.LOW_GRID),
            new NamedBinary("maximum(swapped)", Tensor::maximum, Values.HIGH_GRID, Values.LOW_GRID),
            new NamedBinary("minimum(swapped)", Tensor::minimum, Values.LOW_GRID, Values.HIGH_GRID));

    @Property(tries = 100)
    void binaryOpsWithBroadcasting(@ForAll("shapes") int[] shape, @ForAll Kind kindA, @ForAll Kind kindB,
                                   @ForAll long seed) {
        Random rnd = new Random(seed);
        for (NamedBinary op : BINARY) {
            int[][] shapes = broadcastPair(shape, rnd);
            check(op.name(), v -> op.op().apply(v[0], v[1]),
                    operand(shapes[0], kindA, op.a(), rnd), operand(shapes[1], kindB, op.b(), rnd));
        }
    }

    @Property(tries = 100)
    void whereAndMaskedFill(@ForAll("shapes") int[] shape, @ForAll Kind kindA, @ForAll Kind kindB, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[][] ab = broadcastPair(shape, rnd);
        int[] condShape = rnd.nextBoolean() ? shape : broadcastable(shape, rnd);
        Tensor cond = randomMask(condShape, rnd);
        check("where", v -> Torch.where(cond, v[0], v[1]),
                operand(ab[0], kindA, Values.ANY, rnd), operand(ab[1], kindB, Values.ANY, rnd));
        // The mask broadcasts to x (never the other way round).
        Tensor mask = randomMask(broadcastable(shape, rnd), rnd);
        check("maskedFill", v -> v[0].maskedFill(mask, -1.25), operand(shape, kindA, Values.ANY, rnd));
    }

    static Tensor randomMask(int[] shape, Random rnd) {
        boolean[] m = new boolean[numel(shape)];
        for (int i = 0; i < m.length; i++) m[i] = rnd.nextBoolean();
        Tensor t = Torch.tensor(m, shape.length == 0 ? new int[]{1} : shape);
        return shape.length == 0 ? t.reshape() : t;
    }

    // ---- reductions ----------------------------------------------------------------------

    /** A random non-empty set of dimensions, each written as itself or its negative alias. */
    static int[] randomDims(int ndim, Random rnd) {
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < ndim; d++) if (rnd.nextBoolean()) dims.add(rnd.nextBoolean() ? d : d - ndim);
        if (dims.isEmpty()) dims.add(rnd.nextInt(ndim));
        java.util.Collections.shuffle(dims, rnd);
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    static int count(int[] shape, int[] dims) {
        int c = 1;
        for (int d : dims) c *= shape[d < 0 ? d + shape.length : d];
        return c;
    }

    @Property(tries = 100)
    void sumMeanVarStd(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll boolean keepdim, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        int[] dims = randomDims(n, rnd);
        int dim = rnd.nextInt(2 * n) - n;
        check("sum()", v -> v[0].sum(), operand(shape, kind, Values.ANY, rnd));
        check("sum" + Arrays.toString(dims), v -> v[0].sum(dims, keepdim), operand(shape, kind, Values.ANY, rnd));
        check("sum(" + dim + ")", v -> v[0].sum(dim, keepdim), operand(shape, kind, Values.ANY, rnd));
        check("mean()", v -> v[0].mean(), operand(shape, kind, Values.ANY, rnd));
        check("mean" + Arrays.toString(dims), v -> v[0].mean(dims, keepdim), operand(shape, kind, Values.ANY, rnd));
        check("mean(" + dim + ")", v -> v[0].mean(dim, keepdim), operand(shape, kind, Values.ANY, rnd));

        Kind k = tieFree(kind);
        for (boolean unbiased : new boolean[]{true, false}) {
            // An unbiased estimate over one element divides by zero; a std over one element sits on sqrt's kink.
            if (numel(shape) >= 2) {
                check("var(" + unbiased + ")", v -> v[0].var(unbiased), operand(shape, k, Values.DISTINCT, rnd));
                check("std(" + unbiased + ")", v -> v[0].std(unbiased), operand(shape, k, Values.DISTINCT, rnd));
            }
            if (count(shape, dims) >= 2) {
                check("var" + Arrays.toString(dims) + unbiased, v -> v[0].var(dims, unbiased, keepdim),
                        operand(shape, k, Values.DISTINCT, rnd));
                check("std" + Arrays.toString(dims) + unbiased, v -> v[0].std(dims, unbiased, keepdim),
                        operand(shape, k, Values.DISTINCT, rnd));
            } else if (!unbiased) {
                check("var" + Arrays.toString(dims) + " of one element", v -> v[0].var(dims, false, keepdim),
                        operand(shape, k, Values.DISTINCT, rnd));
            }
            if (count(shape, new int[]{dim}) >= 2) {
                check("var(" + dim + ")" + unbiased, v -> v[0].var(dim, unbiased, keepdim),
                        operand(shape, k, Values.DISTINCT, rnd));
                check("std(" + dim + ")" + unbiased, v -> v[0].std(dim, unbiased, keepdim),
                        operand(shape, k, Values.DISTINCT, rnd));
            }
        }
    }

    @Property(tries = 100)
    void maxMinSoftmax(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll boolean keepdim, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        Kind k = tieFree(kind);
        check("max()", v -> v[0].max(), operand(shape, k, Values.DISTINCT, rnd));
        check("min()", v -> v[0].min(), operand(shape, k, Values.DISTINCT, rnd));
        for (int d = -n; d < n; d++) {
            int dim = d;
            check("max(" + d + ").values", v -> v[0].max(dim, keepdim).values(), operand(shape, k, Values.DISTINCT, rnd));
            check("min(" + d + ").values", v -> v[0].min(dim, keepdim).values(), operand(shape, k, Values.DISTINCT, rnd));
            check("softmax(" + d + ")", v -> v[0].softmax(dim), operand(shape, kind, Values.ANY, rnd));
            check("logSoftmax(" + d + ")", v -> v[0].logSoftmax(dim), operand(shape, kind, Values.ANY, rnd));
        }
    }

    // ---- matrix products -----------------------------------------------------------------

    /** Every rank combination of torch.matmul, with batch dimensions that broadcast against each other. */
    @Property(tries = 200)
    void matmulAllRanks(@ForAll @IntRange(min = 1, max = 4) int rankA, @ForAll @IntRange(min = 1, max = 4) int rankB,
                        @ForAll Kind kindA, @ForAll Kind kindB, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = 1 + rnd.nextInt(3), k = 1 + rnd.nextInt(3), p = 1 + rnd.nextInt(3);
        int batchRank = Math.max(rankA, rankB) - 2;
        int[] batch = new int[Math.max(batchRank, 0)];
        for (int i = 0; i < batch.length; i++) batch[i] = 1 + rnd.nextInt(3);
        int[] a = rankA == 1 ? new int[]{k} : matrixShape(batch, rankA - 2, n, k, rnd);
        int[] b = rankB == 1 ? new int[]{k} : matrixShape(batch, rankB - 2, k, p, rnd);
        check("matmul " + Arrays.toString(a) + " @ " + Arrays.toString(b), v -> v[0].matmul(v[1]),
                operand(a, kindA, Values.ANY, rnd), operand(b, kindB, Values.ANY, rnd));
    }

    /** The last {@code rank} batch dims (some set to 1, to broadcast) followed by rows x cols. */
    static int[] matrixShape(int[] batch, int rank, int rows, int cols, Random rnd) {
        int[] s = new int[rank + 2];
        for (int i = 0; i < rank; i++) {
            int size = batch[batch.length - rank + i];
            s[i] = rnd.nextInt(3) == 0 ? 1 : size;
        }
        s[rank] = rows;
        s[rank + 1] = cols;
        return s;
    }

    @Property(tries = 150)
    void mmBmmAddmm(@ForAll Kind kindA, @ForAll Kind kindB, @ForAll Kind kindC, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = 1 + rnd.nextInt(4), k = 1 + rnd.nextInt(4), p = 1 + rnd.nextInt(4), batch = 1 + rnd.nextInt(3);
        check("mm", v -> v[0].mm(v[1]), operand(new int[]{n, k}, kindA, Values.ANY, rnd),
                operand(new int[]{k, p}, kindB, Values.ANY, rnd));
        check("Torch.mm", v -> Torch.mm(v[0], v[1]), operand(new int[]{n, k}, kindB, Values.ANY, rnd),
                operand(new int[]{k, p}, kindA, Values.ANY, rnd));
        check("bmm", v -> v[0].bmm(v[1]), operand(new int[]{batch, n, k}, kindA, Values.ANY, rnd),
                operand(new int[]{batch, k, p}, kindB, Values.ANY, rnd));
        int[][] inputShapes = {{n, p}, {p}, {1, p}, {n, 1}, {}};
        int[] inShape = inputShapes[rnd.nextInt(inputShapes.length)];
        double[] betas = {0, 0.5, 1, 2}, alphas = {1, 0.75, -2};
        double beta = betas[rnd.nextInt(betas.length)], alpha = alphas[rnd.nextInt(alphas.length)];
        check("addmm(beta=" + beta + ", alpha=" + alpha + ", input " + Arrays.toString(inShape) + ")",
                v -> Torch.addmm(v[0], v[1], v[2], beta, alpha), operand(inShape, kindC, Values.ANY, rnd),
                operand(new int[]{n, k}, kindA, Values.ANY, rnd), operand(new int[]{k, p}, kindB, Values.ANY, rnd));
        check("addmm (defaults)", v -> Torch.addmm(v[0], v[1], v[2]), operand(inShape, kindC, Values.ANY, rnd),
                operand(new int[]{n, k}, kindA, Values.ANY, rnd), operand(new int[]{k, p}, kindB, Values.ANY, rnd));
    }

    // ---- joining, splitting, padding, indexing ---------------------------------------------

    @Property(tries = 150)
    void catStackSplitChunk(@ForAll("smallShapes") int[] shape, @ForAll Kind kindA, @ForAll Kind kindB,
                            @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        int d = rnd.nextInt(n);
        int parts = 2 + rnd.nextInt(2);
        Operand[] ops = new Operand[parts];
        for (int i = 0; i < parts; i++) {
            int[] s = shape.clone();
            s[d] = 1 + rnd.nextInt(3);
            ops[i] = operand(s, i % 2 == 0 ? kindA : kindB, Values.ANY, rnd);
        }
        int catDim = rnd.nextBoolean() ? d : d - n;
        check("cat(dim " + catDim + ")", v -> Torch.cat(List.of(v), catDim), ops);

        Operand[] same = new Operand[parts];
        for (int i = 0; i < parts; i++) same[i] = operand(shape, i % 2 == 0 ? kindA : kindB, Values.ANY, rnd);
        int stackDim = rnd.nextInt(2 * n + 2) - (n + 1);
        check("stack(dim " + stackDim + ")", v -> Torch.stack(List.of(v), stackDim), same);

        // A part that needs no gradient: cat's backward skips it.
        Operand constant = operand(shape, kindB, Values.ANY, rnd, false);
        check("cat with a constant", v -> Torch.cat(List.of(v[0], v[1]), d), operand(shape, kindA, Values.ANY, rnd),
                constant);

        int size = shape[d];
        int splitSize = 1 + rnd.nextInt(size);
        check("split(" + splitSize + ", " + d + ")", v -> weightedCat(v[0].split(splitSize, d), d),
                operand(shape, kindA, Values.ANY, rnd));
        int[] sizes = composition(size, rnd);
        check("split(" + Arrays.toString(sizes) + ", " + d + ")", v -> weightedCat(v[0].split(sizes, d), d),
                operand(shape, kindB, Values.ANY, rnd));
        int chunks = 1 + rnd.nextInt(4);
        check("chunk(" + chunks + ", " + d + ")", v -> weightedCat(v[0].chunk(chunks, d), d),
                operand(shape, kindA, Values.ANY, rnd));
        check("split(...).get(last)", v -> {
            List<Tensor> ps = v[0].split(splitSize, d);
            return ps.get(ps.size() - 1);
        }, operand(shape, kindB, Values.ANY, rnd));
    }

    /** Pieces multiplied by 1, 2, 3, ... and joined again, so a piece's gradient landing in the wrong place shows. */
    static Tensor weightedCat(List<Tensor> pieces, int dim) {
        List<Tensor> scaled = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) scaled.add(pieces.get(i).mul(i + 1));
        return Torch.cat(scaled, dim);
    }

    /** Random positive sizes that sum to {@code total}. */
    static int[] composition(int total, Random rnd) {
        List<Integer> out = new ArrayList<>();
        int left = total;
        while (left > 0) {
            int s = 1 + rnd.nextInt(left);
            out.add(s);
            left -= s;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property(tries = 200)
    void padPositiveAndNegative(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        int padded = 1 + rnd.nextInt(n);
        int[] pad = new int[2 * padded];
        for (int i = 0; i < padded; i++) {
            int size = shape[n - 1 - i];
            do {
                pad[2 * i] = rnd.nextInt(4) - 1;
                pad[2 * i + 1] = rnd.nextInt(4) - 1;
            } while (size + pad[2 * i] + pad[2 * i + 1] < 1);
        }
        double value = rnd.nextDouble() * 4 - 2;
        check("pad" + Arrays.toString(pad), v -> v[0].pad(pad, value), operand(shape, kind, Values.ANY, rnd));
    }

    @Property(tries = 200)
    void indexSelectAndGather(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        int d = rnd.nextInt(n);
        long[] idx = new long[1 + rnd.nextInt(5)]; // repeats on purpose: backward must accumulate
        for (int i = 0; i < idx.length; i++) idx[i] = rnd.nextInt(shape[d]);
        Tensor index = Torch.tensor(idx);
        check("indexSelect(" + d + ", " + Arrays.toString(idx) + ")", v -> v[0].indexSelect(d, index),
                operand(shape, kind, Values.ANY, rnd));

        int[] gShape = new int[n];
        for (int i = 0; i < n; i++) gShape[i] = i == d ? 1 + rnd.nextInt(4) : 1 + rnd.nextInt(shape[i]);
        long[] g = new long[numel(gShape)];
        for (int i = 0; i < g.length; i++) g[i] = rnd.nextInt(shape[d]);
        Tensor gIndex = Torch.tensor(g, gShape);
        check("gather(" + d + ", index " + Arrays.toString(gShape) + ")", v -> v[0].gather(d, gIndex),
                operand(shape, kind, Values.ANY, rnd));
    }

    // ---- views ---------------------------------------------------------------------------

    @Property(tries = 150)
    void viewOps(@ForAll("shapes") int[] shape, @ForAll Kind kind, @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = shape.length;
        Values any = Values.ANY;

        // view needs a layout it can re-split: a contiguous leaf, or one narrowed along dim 0 (contiguous, offset > 0).
        int[] target = randomShapeOf(numel(shape), rnd);
        int[] wide = shape.clone();
        wide[0] += 2;
        Operand viewable = rnd.nextBoolean() ? operand(shape, Kind.CONTIGUOUS, any, rnd)
                : new Operand(leaf(wide, any.draw(numel(wide), rnd), true), x -> x.narrow(0, 1, shape[0]), "narrow(0, 1)");
        check("view" + Arrays.toString(target), v -> v[0].view(target), viewable);
        int[] inferred = target.clone();
        inferred[rnd.nextInt(inferred.length)] = -1;
        check("view" + Arrays.toString(inferred), v -> v[0].view(inferred), viewable);
        check("reshape" + Arrays.toString(target), v -> v[0].reshape(target), operand(shape, kind, any, rnd));
        check("reshape" + Arrays.toString(inferred), v -> v[0].reshape(inferred), operand(shape, kind, any, rnd));
        check("viewAs/reshapeAs", v -> v[0].reshapeAs(v[1].reshape(target)).mul(v[1].reshape(target)),
                operand(shape, kind, any, rnd), operand(shape, kind, any, rnd));

        int[] perm = permutation(n, rnd);
        check("permute" + Arrays.toString(perm), v -> v[0].permute(perm), operand(shape, kind, any, rnd));
        int i = rnd.nextInt(2 * n) - n, j = rnd.nextInt(2 * n) - n;
        check("transpose(" + i + ", " + j + ")", v -> v[0].transpose(i, j), operand(shape, kind, any, rnd));
        check("t()", v -> v[0].dim() <= 2 ? v[0].t() : v[0].flatten(1).t(), operand(shape, kind, any, rnd));

        int d = rnd.nextInt(n), size = shape[d];
        int start = rnd.nextInt(size), len = 1 + rnd.nextInt(size - start);
        check("narrow(" + d + ", " + start + ", " + len + ")", v -> v[0].narrow(d, start, len),
                operand(shape, kind, any, rnd));
        int negStart = start - size;
        check("narrow(" + d + ", " + negStart + ", " + len + ")", v -> v[0].narrow(d, negStart, len),
                operand(shape, kind, any, rnd));
        int index = rnd.nextInt(2 * size) - size;
        check("select(" + d + ", " + index + ")", v -> v[0].select(d, index), operand(shape, kind, any, rnd));
        int step = 1 + rnd.nextInt(3), end = start + 1 + rnd.nextInt(size + 1);
        check("slice(" + d + ", " + start + ", " + end + ", " + step + ")", v -> v[0].slice(d, start, end, step),
                operand(shape, kind, any, rnd));
        check("slice(" + d + ", " + negStart + ", -1)", v -> v[0].slice(d, negStart, -1), operand(shape, kind, any, rnd));

        int[] expanded = new int[n + 1];
        expanded[0] = 2;
        int[] withOnes = shape.clone();
        for (int k = 0; k < n; k++) {
            if (rnd.nextBoolean()) withOnes[k] = 1;
            expanded[k + 1] = withOnes[k] == 1 ? 1 + rnd.nextInt(3) : (rnd.nextBoolean() ? -1 : withOnes[k]);
        }
        check("expand" + Arrays.toString(expanded), v -> v[0].expand(expanded), operand(withOnes, kind, any, rnd));
        check("expandAs", v -> v[0].expandAs(v[1]).mul(v[1]), operand(withOnes, kind, any, rnd),
                operand(shape, Kind.CONTIGUOUS, any, rnd));

        int u = rnd.nextInt(2 * n + 2) - (n + 1);
        check("unsqueeze(" + u + ")", v -> v[0].unsqueeze(u), operand(shape, kind, any, rnd));
        check("squeeze()", v -> v[0].squeeze(), operand(withOnes, kind, any, rnd));
        int sq = rnd.nextInt(n);
        check("squeeze(" + sq + ")", v -> v[0].squeeze(sq), operand(withOnes, kind, any, rnd));
        int s0 = rnd.nextInt(n), s1 = s0 + rnd.nextInt(n - s0);
        check("flatten(" + s0 + ", " + s1 + ")", v -> v[0].flatten(s0, s1), operand(shape, kind, any, rnd));
        check("flatten()", v -> v[0].flatten(), operand(shape, kind, any, rnd));
        int[] split = randomShapeOf(size, rnd);
        check("unflatten(" + d + ", " + Arrays.toString(split) + ")", v -> v[0].unflatten(d, split),
                operand(shape, kind, any, rnd));
        check("clone", v -> v[0].clone(), operand(shape, kind, any, rnd));
        check("contiguous", v -> v[0].contiguous(), operand(shape, kind, any, rnd));
        check("to(FLOAT64)", v -> v[0].to(DType.FLOAT64), operand(shape, kind, any, rnd));
        // Views of views, ending in a reduction-free elementwise op so each element has its own weight.
        check("chain", v -> v[0].unsqueeze(0).transpose(0, -1).flatten().mul(v[1].reshape(-1)),
                operand(shape, kind, any, rnd), operand(shape, Kind.CONTIGUOUS, any, rnd));
    }

    /** A random shape (1-4 dims, entries >= 1) with {@code numel} elements. */
    static int[] randomShapeOf(int numel, Random rnd) {
        int dims = 1 + rnd.nextInt(4);
        int[] s = new int[dims];
        Arrays.fill(s, 1);
        int left = numel;
        for (int f = 2; left > 1; ) {
            if (left % f == 0) {
                s[rnd.nextInt(dims)] *= f;
                left /= f;
            } else {
                f++;
            }
        }
        return s;
    }

    // ---- the checker itself --------------------------------------------------------------

    /** {@code 2x} forward with {@code forward}'s backward, recorded by hand as a user's custom op would be. */
    static Tensor customDouble(Tensor x, BackwardFn backward) {
        Tensor out;
        try (var noGrad = Torch.noGrad()) {
            out = x.mul(2);
        }
        return Autograd.record(out, "Wrong", backward, x);
    }

    @Example
    void checkerFailsOnAWrongBackward() {
        Tensor x = Torch.randn(DType.FLOAT64, 2, 3).requiresGrad_();
        GradCheck.Failure f = assertThrows(GradCheck.Failure.class,
                () -> GradCheck.check(in -> customDouble(in[0], g -> new Tensor[]{g.mul(3)}), x));
        assertTrue(f.getMessage().contains("numerical 2.0") && f.getMessage().contains("analytical 3.0"), f.getMessage());
        // The same op with the right formula passes, so it was the formula that failed above.
        assertDoesNotThrow(() -> GradCheck.check(in -> customDouble(in[0], g -> new Tensor[]{g.mul(2)}), x));
    }

    @Example
    void checkerFailsOnAMissingGradient() {
        Tensor x = Torch.randn(DType.FLOAT64, 3).requiresGrad_();
        assertThrows(GradCheck.Failure.class, () -> GradCheck.check(in -> customDouble(in[0], g -> new Tensor[]{null}), x));
    }

    @Example
    void checkerFailsWhenTheGradientLandsOnTheWrongElements() {
        // out = 2x; a backward that reverses the gradient is right in size and total, wrong in place.
        Tensor x = Torch.randn(DType.FLOAT64, 4).requiresGrad_();
        Tensor reverse = Torch.tensor(new long[]{3, 2, 1, 0});
        assertThrows(GradCheck.Failure.class,
                () -> GradCheck.check(in -> customDouble(in[0], g -> new Tensor[]{g.mul(2).indexSelect(0, reverse)}), x));
    }

    @Example
    void checkerFailsOnAWrongSecondInput() {
        // The gradient of the second input of a*b given as a (the first input's): only input 1 is wrong.
        Tensor a = Torch.tensor(new double[]{1, 2, 3}).requiresGrad_();
        Tensor b = Torch.tensor(new double[]{-1, 0.5, 4}).requiresGrad_();
        Function<Tensor[], Tensor> fn = in -> {
            Tensor out;
            try (var noGrad = Torch.noGrad()) {
                out = in[0].mul(in[1]);
            }
            Tensor sb = in[1].detach();
            return Autograd.record(out, "WrongMul", g -> new Tensor[]{g.mul(sb), g.mul(sb)}, in[0], in[1]);
        };
        GradCheck.Failure f = assertThrows(GradCheck.Failure.class, () -> GradCheck.check(fn, a, b));
        assertTrue(f.getMessage().contains("with respect to input 1"), f.getMessage());
    }

    @Example
    void checkerRejectsFloat32Inputs() {
        Tensor x = Torch.randn(3).requiresGrad_();
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0].exp(), x));
    }

    /** The operand kinds really produce the layouts the properties claim to cover. */
    @Example
    void operandKindsAreNonContiguous() {
        Random rnd = new Random(7);
        int[] shape = {2, 3, 4};
        for (Kind k : Kind.values()) {
            Operand op = operand(shape, k, Values.ANY, rnd);
            Tensor v = op.view().apply(op.leaf());
            assertTrue(Arrays.equals(shape, v.shape()), k + " gives " + Arrays.toString(v.shape()));
            if (k == Kind.CONTIGUOUS) assertTrue(v.isContiguous());
            // (a narrow along dim 0 stays contiguous, so NARROWED may be)
            else if (k != Kind.NARROWED) assertFalse(v.isContiguous(), k + " is contiguous");
        }
    }
}
