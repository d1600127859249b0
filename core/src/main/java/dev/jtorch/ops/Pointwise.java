package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.SavedTensor;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.UnaryOp;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/** Elementwise ops: forward dispatch and backward formula side by side. */
public final class Pointwise {
    private Pointwise() {}

    // ---- unary ---------------------------------------------------------------------------

    public static Tensor unary(UnaryOp op, Tensor x) {
        Tensor out = Creation.zeros(layout(x).shape(), unaryResultType(op, x.dtype()), x.device());
        backend(x).unary(op, 0, 0, storage(x), layout(x), storage(out), layout(out));
        if (!out.isFloatingPoint()) return out;
        // Save only what the derivative reads, so an in-place twin can skip copying its input.
        SavedTensor sx = readsInput(op) ? SavedTensor.save(x) : null;
        SavedTensor so = readsInput(op) ? null : SavedTensor.save(out);
        String name = switch (op) {
            case RELU -> "ReluBackward0";
            case SQUARE -> "PowBackward0";
            default -> camel(op.name()) + "Backward0";
        };
        return Autograd.record(out, name, g -> new Tensor[]{unaryGrad(op, g, sx, so)}, x);
    }

    private static Tensor unaryGrad(UnaryOp op, Tensor g, SavedTensor sx, SavedTensor so) {
        return switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(sx.get().sign());
            case EXP -> g.mul(so.get());
            case LOG -> g.div(sx.get());
            case SQRT -> g.div(so.get().mul(2));
            case RSQRT -> g.mul(so.get().pow(3)).mul(-0.5);
            case TANH -> g.mul(so.get().square().rsub(1));
            case SIGMOID -> { Tensor y = so.get(); yield g.mul(y).mul(y.rsub(1)); }
            case RELU -> { // one fused pass (threshold_backward); else the mask product
                Tensor y = so.get();
                if ((g.dtype() != DType.FLOAT32 && g.dtype() != DType.FLOAT64) || y.dtype() != g.dtype()
                        || !java.util.Arrays.equals(y.shape(), g.shape()) || !g.device().equals(y.device())
                        || Autograd.needsGrad(g)) { // double backward needs the recorded product
                    yield g.mul(y.gt(0).to(g.dtype()));
                }
                Tensor d = Creation.zeros(g.shape(), g.dtype(), g.device());
                backend(g).reluBackward(storage(g), layout(g), storage(y), layout(y), storage(d), layout(d));
                yield d;
            }
            case SIGN -> Creation.zerosLike(g);
            case SQUARE -> g.mul(sx.get().mul(2));
            case RECIPROCAL -> g.mul(so.get().square()).neg();
            case ERF -> g.mul(sx.get().square().neg().exp().mul(2 / Math.sqrt(Math.PI)));
            case SIN -> g.mul(sx.get().cos());
            case COS -> g.mul(sx.get().sin()).neg();
            default -> throw new IllegalStateException(op + " has no derivative");
        };
    }

    /** Whether the derivative of {@code op} reads its input (else it reads at most its output). */
    public static boolean readsInput(UnaryOp op) {
        return switch (op) {
            case ABS, LOG, SQUARE, ERF, SIN, COS, CLAMP, POW_SCALAR -> true;
            default -> false;
        };
    }

    private static DType unaryResultType(UnaryOp op, DType in) {
        return switch (op) {
            case NEG, ABS, RELU, SIGN, SQUARE, CLAMP -> in;
            case NONZERO, LOGICAL_NOT -> DType.BOOL;
            default -> in.isFloatingPoint() ? in : DType.FLOAT32;
        };
    }

    private static String camel(String upper) {
        return upper.charAt(0) + upper.substring(1).toLowerCase();
    }

    public static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) && Double.isNaN(max)) {
            throw new IllegalArgumentException("At least one of 'min' or 'max' must not be None");
        }
        // An integer tensor clamped to a fractional bound promotes like tensor op scalar (PyTorch 1.13:
        // tensor([1, 5]).clamp(min=2.5) -> tensor([2.5000, 5.0000])) instead of rounding the bound.
        if (!x.isFloatingPoint() && !((Double.isNaN(min) || isIntegral(min)) && (Double.isNaN(max) || isIntegral(max)))) {
            x = toDType(x, DType.FLOAT32);
        }
        Tensor out = Creation.zeros(layout(x).shape(), x.dtype(), x.device());
        backend(x).unary(UnaryOp.CLAMP, min, max, storage(x), layout(x), storage(out), layout(out));
        SavedTensor sx = SavedTensor.save(x);
        // clamp(min=...) is ClampBackward1 in PyTorch whichever bounds are given; clamp_min/clamp_max relabel it.
        return Autograd.record(out, "ClampBackward1", g -> {
            Tensor v = sx.get();
            Tensor inside = Creation.onesLike(v).to(DType.BOOL);
            if (!Double.isNaN(min)) inside = where(inside, v.ge(min), inside);
            if (!Double.isNaN(max)) inside = where(inside, v.le(max), inside);
            return new Tensor[]{g.mul(inside.to(g.dtype()))};
        }, x);
    }

    public static Tensor powScalar(Tensor x, double exponent) {
        if (!x.isFloatingPoint() && isIntegral(exponent) && exponent < 0) {
            throw new IllegalArgumentException("Integers to negative integer powers are not allowed.");
        }
        if (exponent == 2) return unary(UnaryOp.SQUARE, x);
        DType type = x.isFloatingPoint() || isIntegral(exponent) ? x.dtype() : DType.FLOAT32;
        Tensor out = Creation.zeros(layout(x).shape(), type, x.device());
        backend(x).unary(UnaryOp.POW_SCALAR, exponent, 0, storage(x), layout(x), storage(out), layout(out));
        SavedTensor sx = SavedTensor.save(x);
        return Autograd.record(out, "PowBackward0", g -> new Tensor[]{
                exponent == 0 ? Creation.zerosLike(g) : g.mul(sx.get().pow(exponent - 1).mul(exponent))}, x);
    }

    // ---- binary ----------------------------------------------------------------------------

    /** PyTorch's result type: dimensioned operands outrank 0-dim ones unless those are of a higher category. */
    static DType resultType(Tensor a, Tensor b) {
        boolean az = a.dim() == 0, bz = b.dim() == 0;
        if (az == bz) return DType.promote(a.dtype(), b.dtype());
        Tensor dimensioned = az ? b : a, zeroDim = az ? a : b;
        if (zeroDim.dtype().kind().ordinal() > dimensioned.dtype().kind().ordinal()) return zeroDim.dtype();
        return dimensioned.dtype();
    }

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        DType common = resultType(a, b);
        if (op == BinaryOp.DIV && !common.isFloatingPoint()) common = DType.FLOAT32; // true division
        Tensor ac = toDType(a, common), bc = toDType(b, common);
        int[] shape = Broadcast.shapes(layout(a).shape(), layout(b).shape());
        Tensor out = Creation.zeros(shape, op.isComparison() ? DType.BOOL : common, a.device());
        backend(a).binary(op, storage(ac), Broadcast.expand(layout(ac), shape), storage(bc),
                Broadcast.expand(layout(bc), shape), storage(out), layout(out));
        if (op.isComparison() || !common.isFloatingPoint()) return out;
        int[] aShape = layout(a).shape(), bShape = layout(b).shape();
        SavedTensor sa = SavedTensor.save(ac), sb = SavedTensor.save(bc), so = SavedTensor.save(out);
        boolean needA = ac.requiresGrad(), needB = bc.requiresGrad();
        String name = op == BinaryOp.POW ? "PowBackward1" : camel(op.name()) + "Backward0";
        return Autograd.record(out, name, g -> {
            Tensor[] grads = binaryGrads(op, g, needA, needB, sa, sb, so);
            return new Tensor[]{
                    grads[0] == null ? null : Broadcast.sumTo(grads[0], aShape),
                    grads[1] == null ? null : Broadcast.sumTo(grads[1], bShape)};
        }, ac, bc);
    }

    /**
     * Gradients of both operands; an operand that needs none gets null, and its partner's saved
     * value is then never read (so an in-place update of that partner stays legal, as in PyTorch).
     */
    private static Tensor[] binaryGrads(BinaryOp op, Tensor g, boolean needA, boolean needB,
                                        SavedTensor sa, SavedTensor sb, SavedTensor so) {
        return switch (op) {
            case ADD -> new Tensor[]{needA ? g : null, needB ? g : null};
            case SUB -> new Tensor[]{needA ? g : null, needB ? g.neg() : null};
            case MUL -> new Tensor[]{needA ? g.mul(sb.get()) : null, needB ? g.mul(sa.get()) : null};
            case DIV -> {
                Tensor b = sb.get();
                yield new Tensor[]{needA ? g.div(b) : null, needB ? g.mul(sa.get()).div(b.square()).neg() : null};
            }
            case POW -> {
                Tensor a = sa.get(), b = sb.get();
                Tensor ga = needA ? g.mul(b).mul(a.pow(b.sub(1))) : null;
                Tensor gb = null;
                if (needB) {
                    // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (the limit PyTorch uses).
                    Tensor logTerm = so.get().mul(a.log());
                    Tensor aZero = a.eq(0);
                    Tensor zeroBase = where(aZero, b.ge(0), aZero); // a == 0 and b >= 0
                    gb = g.mul(where(zeroBase, Creation.scalar(0, g.dtype(), g.device()), logTerm));
                }
                yield new Tensor[]{ga, gb};
            }
            case MAXIMUM, MINIMUM -> {
                Tensor a = sa.get(), b = sb.get();
                Tensor wins = op == BinaryOp.MAXIMUM ? a.gt(b) : a.lt(b);
                Tensor ties = a.eq(b);
                Tensor half = g.mul(0.5), zero = Creation.scalar(0, g.dtype(), g.device());
                Tensor ga = where(wins, g, where(ties, half, zero));
                Tensor gb = where(wins, zero, where(ties, half, g));
                yield new Tensor[]{ga, gb};
            }
            default -> throw new IllegalStateException(op + " has no derivative");
        };
    }

    /** {@code a + alpha * b}. */
    public static Tensor add(Tensor a, Tensor b, double alpha) {
        if (!resultType(a, b).isFloatingPoint() && !isIntegral(alpha)) {
            throw new IllegalArgumentException("For integral input tensors, argument alpha must not be a floating point number.");
        }
        return binary(BinaryOp.ADD, a, alpha == 1 ? b : mulScalar(b, alpha));
    }

    /** The dtype of {@code tensor op scalar}: integer tensors stay integer for integral scalars. */
    private static DType scalarResultType(Tensor x, double value) {
        if (x.isFloatingPoint()) return x.dtype();
        if (isIntegral(value)) return x.dtype() == DType.BOOL ? DType.INT64 : x.dtype();
        return DType.FLOAT32;
    }

    private static boolean isIntegral(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v);
    }

    private static Tensor scalarOp(BinaryOp op, Tensor x, double value, DType type) {
        Tensor xc = toDType(x, type);
        Tensor s = Creation.scalar(value, type, x.device());
        int[] shape = layout(x).shape();
        Tensor out = Creation.zeros(shape, op.isComparison() ? DType.BOOL : type, x.device());
        backend(x).binary(op, storage(xc), layout(xc), storage(s), Broadcast.expand(layout(s), shape),
                storage(out), layout(out));
        return out;
    }

    // Python wraps the scalar of x + 1 in a tensor, so PyTorch names these nodes as for two tensors: AddBackward0...
    public static Tensor addScalar(Tensor x, double value) {
        Tensor out = scalarOp(BinaryOp.ADD, x, value, scalarResultType(x, value));
        return Autograd.record(out, "AddBackward0", g -> new Tensor[]{g}, x);
    }

    public static Tensor subScalar(Tensor x, double value) {
        Tensor out = scalarOp(BinaryOp.SUB, x, value, scalarResultType(x, value));
        return Autograd.record(out, "SubBackward0", g -> new Tensor[]{g}, x);
    }

    /** {@code value - x}. */
    public static Tensor rsubScalar(Tensor x, double value) {
        Tensor out;
        try (var noGrad = dev.jtorch.autograd.GradMode.set(false)) {
            out = addScalar(unary(UnaryOp.NEG, x), value);
        }
        return Autograd.record(out, "RsubBackward1", g -> new Tensor[]{g.neg()}, x);
    }

    public static Tensor mulScalar(Tensor x, double value) {
        Tensor out = scalarOp(BinaryOp.MUL, x, value, scalarResultType(x, value));
        return Autograd.record(out, "MulBackward0", g -> new Tensor[]{g.mul(value)}, x);
    }

    public static Tensor divScalar(Tensor x, double value) {
        Tensor out = scalarOp(BinaryOp.DIV, x, value, x.isFloatingPoint() ? x.dtype() : DType.FLOAT32);
        return Autograd.record(out, "DivBackward0", g -> new Tensor[]{g.div(value)}, x);
    }

    public static Tensor compareScalar(BinaryOp op, Tensor x, double value) {
        DType type = x.isFloatingPoint() || isIntegral(value) ? x.dtype() : DType.FLOAT32;
        return scalarOp(op, x, value, type == DType.BOOL ? DType.INT64 : type);
    }

    // ---- selection ---------------------------------------------------------------------------

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where expected condition to be a boolean tensor, but got a tensor with dtype "
                    + cond.dtype().pyName().substring(0, 1).toUpperCase() + cond.dtype().legacyName().substring(1));
        }
        DType common = resultType(a, b);
        Tensor ac = toDType(a, common), bc = toDType(b, common);
        int[] shape = Broadcast.shapes(layout(cond).shape(), Broadcast.shapes(layout(a).shape(), layout(b).shape()));
        Tensor out = Creation.zeros(shape, common, a.device());
        backend(a).where(storage(cond), Broadcast.expand(layout(cond), shape), storage(ac),
                Broadcast.expand(layout(ac), shape), storage(bc), Broadcast.expand(layout(bc), shape),
                storage(out), layout(out));
        if (!common.isFloatingPoint()) return out;
        int[] aShape = layout(a).shape(), bShape = layout(b).shape();
        return Autograd.record(out, "WhereBackward0", g -> {
            Tensor zero = Creation.scalar(0, g.dtype(), g.device());
            return new Tensor[]{
                    Broadcast.sumTo(where(cond, g, zero), aShape),
                    Broadcast.sumTo(where(cond, zero, g), bShape)};
        }, ac, bc);
    }

    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill_ only supports boolean masks, but got mask with dtype "
                    + mask.dtype().pyName());
        }
        int[] shape = layout(x).shape();
        Broadcast.expand(layout(mask), shape); // the mask must broadcast to x, not the other way
        Tensor fill = Creation.scalar(value, x.dtype(), x.device());
        Tensor out;
        try (var g = dev.jtorch.autograd.GradMode.set(false)) {
            out = where(mask, fill, x);
        }
        return Autograd.record(out, "MaskedFillBackward0", g -> new Tensor[]{
                where(mask, Creation.scalar(0, g.dtype(), g.device()), g)}, x);
    }

    // ---- copies and casts ------------------------------------------------------------------

    /** Writes {@code src} (broadcast to dst's shape, any dtype) into {@code dst}; no autograd. */
    public static Tensor copyInto(Tensor dst, Tensor src) {
        Layout srcLayout = Broadcast.expand(layout(src), layout(dst).shape());
        if (!src.device().equals(dst.device())) {
            throw new IllegalArgumentException("copy between devices " + src.device() + " and " + dst.device()
                    + " is not supported yet");
        }
        backend(dst).copy(storage(src), srcLayout, storage(dst), layout(dst));
        return dst;
    }

    public static Tensor cloneOf(Tensor x) {
        Tensor out = copyInto(Creation.emptyLike(x), x);
        return Autograd.record(out, "CloneBackward0", g -> new Tensor[]{g}, x);
    }

    public static Tensor toDType(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = copyInto(Creation.zeros(layout(x).shape(), dtype, x.device()), x);
        if (!dtype.isFloatingPoint()) return out;
        DType from = x.dtype();
        return Autograd.record(out, "ToCopyBackward0", g -> new Tensor[]{toDType(g, from)}, x);
    }
}
