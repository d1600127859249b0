package dev.jtorch.io;

import dev.jtorch.DType;

/**
 * A storage named by a persistent id ({@code ('storage', torch.FloatStorage, key, location, numel)}).
 * Its bytes are read only when a tensor over it is materialised. {@code base} is the element
 * offset of a legacy-format storage view inside its root storage {@code key} (0 otherwise).
 */
record StorageRef(String key, DType dtype, long numel, String location, long base) {}
