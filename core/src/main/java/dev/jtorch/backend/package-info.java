/**
 * Internal: the interface a device backend implements ({@link dev.jtorch.backend.Backend},
 * {@link dev.jtorch.backend.Storage}), a tensor's {@link dev.jtorch.backend.Layout}, and
 * {@link dev.jtorch.backend.TensorInternals}. Exported only to jtorch's own modules (the
 * checkpoint readers and the CUDA backend); not an API for users.
 */
package dev.jtorch.backend;
