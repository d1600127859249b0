package dev.jtorch.models;

/**
 * Selects the package-private constructors that make a zoo class without its layers, for
 * {@link TorchvisionRebuilder}: the children come from the pickle, so building (and initialising)
 * the default ones, a 100-million-parameter classifier for VGG, would be wasted.
 */
final class PickledShell {
    static final PickledShell INSTANCE = new PickledShell();

    private PickledShell() {}
}
