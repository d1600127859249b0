package dev.jtorch.io;

import dev.jtorch.nn.Module;

import java.util.Optional;

/**
 * Turns a {@link PickledModule} description (a whole model saved with {@code torch.save(model)})
 * into a live jtorch module. Not implemented yet: the reader returns descriptions only, and
 * {@link PickledModule#stateDict()} gives their weights.
 *
 * <p>TODO(issue 4, models): implement for the torch.nn layers and containers jtorch has (Linear,
 * Conv2d, BatchNorm2d, ReLU, Sequential, ...) from their pickled settings ({@code in_features},
 * {@code kernel_size}, ...), and for torchvision classes once the models land; then load the
 * state dict into the result. Return empty for a class it does not know, so the caller can report
 * {@link PickledModule#unknownClasses}.
 */
public interface ModuleRebuilder {
    /** The live module for {@code description}, or empty when its class (or a child's) is unknown. */
    Optional<Module> rebuild(PickledModule description);
}
