package dev.jtorch.backend;

/**
 * Elementwise functions of one operand. Some take scalar parameters (see {@link Backend#unary}).
 * Forward only: their derivatives live in {@code dev.jtorch.ops}.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID, RELU, SIGN, SQUARE, RECIPROCAL, ERF, SIN, COS,
    /** {@code min(max(x, p0), p1)}; a NaN bound means "no bound". */
    CLAMP,
    /** {@code x ^ p0}. */
    POW_SCALAR,
    /** {@code p0 ^ x}. */
    SCALAR_POW,
    /** 1 where x is nonzero, else 0 (for casts to bool and masks). */
    NONZERO,
    LOGICAL_NOT
}
