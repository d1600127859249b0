/**
 * jtorch's engine: tensors and autograd, {@code nn} modules, optimizers and the CPU backend.
 *
 * <p>Exported: what a PyTorch user writes against ({@code dev.jtorch}, {@code autograd},
 * {@code nn}, {@code optim}, {@code optim.lr}). The op implementations ({@code ops}), the
 * backend interface with tensor internals ({@code backend}) and the CPU kernels ({@code cpu}) are
 * not; {@code ops} and {@code backend} are exported to jtorch's own modules only: the checkpoint
 * readers build tensors over storages they fill, and the CUDA backend implements
 * {@code Backend}.
 */
module dev.jtorch.core {
    requires jdk.incubator.vector;

    exports dev.jtorch;
    exports dev.jtorch.autograd;
    exports dev.jtorch.nn;
    exports dev.jtorch.optim;
    exports dev.jtorch.optim.lr;
    exports dev.jtorch.backend to dev.jtorch.models, dev.jtorch.kernels;
    exports dev.jtorch.ops to dev.jtorch.models, dev.jtorch.kernels;

    uses dev.jtorch.backend.Backends.Provider;
}
