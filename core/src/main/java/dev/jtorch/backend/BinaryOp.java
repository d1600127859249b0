package dev.jtorch.backend;

/** Elementwise functions of two operands of one dtype; comparisons write a bool result. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    EQ, NE, LT, LE, GT, GE;

    public boolean isComparison() { return ordinal() >= EQ.ordinal(); }
}
