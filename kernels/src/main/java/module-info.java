/**
 * The CUDA backend (issues 9 and 10): not written yet, so this module holds no packages. It is
 * declared so that core's qualified exports to it resolve, and so that a user's module can
 * already require it.
 */
module dev.jtorch.kernels {
    requires dev.jtorch.core;
}
