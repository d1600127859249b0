package dev.jtorch.cpu;

import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.UnaryOp;

/**
 * The meaning of every elementwise op on one value, in double precision (and in 64-bit integer
 * arithmetic for integer tensors). This is the definition the fast kernels are tested against.
 */
public final class ScalarMath {
    private ScalarMath() {}

    public static double unary(UnaryOp op, double x, double p0, double p1) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0.0;
            case SIGN -> Math.signum(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case ERF -> erf(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case CLAMP -> clamp(x, p0, p1);
            case POW_SCALAR -> Math.pow(x, p0);
            case SCALAR_POW -> Math.pow(p0, x);
            case NONZERO -> x != 0 ? 1 : 0;
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
        };
    }

    /** Integer form of the ops that keep integers integral; others go through {@link #unary}. */
    public static long unaryLong(UnaryOp op, long x, double p0, double p1) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> Math.max(x, 0);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case CLAMP -> {
                long v = x;
                if (!Double.isNaN(p0)) v = Math.max(v, (long) Math.ceil(p0));
                if (!Double.isNaN(p1)) v = Math.min(v, (long) Math.floor(p1));
                yield v;
            }
            case NONZERO -> x != 0 ? 1 : 0;
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
            default -> (long) unary(op, x, p0, p1);
        };
    }

    public static boolean keepsIntegers(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SIGN, SQUARE, CLAMP, NONZERO, LOGICAL_NOT -> true;
            default -> false;
        };
    }

    public static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    public static long binaryLong(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) throw new ArithmeticException("ZeroDivisionError");
                yield Math.floorDiv(a, b);
            }
            case POW -> {
                if (b < 0) throw new ArithmeticException("Integers to negative integer powers are not allowed.");
                long r = 1;
                for (long i = 0; i < b; i++) r *= a;
                yield r;
            }
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    static double sigmoid(double x) {
        // Written so that neither branch overflows exp().
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    static double clamp(double x, double lo, double hi) {
        if (Double.isNaN(x)) return x;
        if (!Double.isNaN(lo) && x < lo) x = lo;
        if (!Double.isNaN(hi) && x > hi) x = hi;
        return x;
    }

    /**
     * The error function to ~1e-15: its Taylor series near zero, and a continued fraction for
     * erfc further out, where the series would cancel badly.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6.5) return Math.signum(x);
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
        double f = ax;
        for (int n = 60; n >= 1; n--) f = ax + (n / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1.0 - erfc);
    }
}
