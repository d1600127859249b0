package dev.jtorch.backend;

import dev.jtorch.DType;
import dev.jtorch.Device;

/**
 * A flat buffer of elements of one dtype on one device. The JVM may not be able to read it
 * (device memory): only its backend interprets it, so nothing above the backend touches the
 * bytes directly.
 */
public interface Storage {
    DType dtype();

    /** Number of elements it holds. */
    int size();

    Device device();

    Backend backend();
}
