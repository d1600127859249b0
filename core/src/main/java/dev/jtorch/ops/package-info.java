/**
 * Internal: the op implementations behind {@link dev.jtorch.Tensor}'s methods, each with its shape
 * rule and backward formula. Exported only to jtorch's own modules ({@code module-info.java});
 * user code calls the same ops through {@code Tensor} and {@code Torch}.
 */
package dev.jtorch.ops;
