package dev.jtorch.backend;

/** Reductions over a set of dimensions. */
public enum ReduceOp { SUM, PROD, MAX, MIN }
