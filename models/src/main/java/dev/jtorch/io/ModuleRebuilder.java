package dev.jtorch.io;

import dev.jtorch.nn.Module;

import java.util.SequencedMap;

/**
 * Makes the live jtorch module for one node of a whole pickled model ({@code torch.save(model)}),
 * given that node's description and its children, already rebuilt. Nothing from the file is
 * executed: the class name only selects a Java class, the pickled settings ({@code kernel_size},
 * {@code eps}, ...) only fill its constructor.
 *
 * <p>Implementations: {@link TorchNnRebuilder} for the torch.nn layers and containers, and
 * {@code dev.jtorch.models.TorchvisionRebuilder} for the torchvision model classes. The walk over
 * the tree, the loading of the weights and the placeholders for unknown classes are in
 * {@code dev.jtorch.models.PickledModelLoader}.
 */
@FunctionalInterface
public interface ModuleRebuilder {
    /**
     * The module for {@code description}, or null when this rebuilder does not know its class.
     * The caller then removes whatever children the result was constructed with and registers
     * {@code children} in the pickled order, so a rebuilder may construct its class with default
     * (or no) children: a replaced {@code fc} or a {@code maxpool} set to Identity comes through
     * either way. Parameters and buffers need the right names and shapes only: the caller
     * replaces them with the pickled tensors.
     *
     * @throws IllegalArgumentException when a setting is missing or not of the expected type
     */
    Module rebuild(PickledModule description, SequencedMap<String, Module> children);
}
