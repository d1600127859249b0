package dev.jtorch.backend;

import dev.jtorch.Device;
import dev.jtorch.cpu.CpuBackend;

import java.util.ServiceLoader;

/**
 * Finds the backend of a device. The CPU backend is built in; others (CUDA) are discovered at run
 * time through {@link ServiceLoader}, so a machine without them never loads their classes.
 */
public final class Backends {
    private Backends() {}

    /** Implemented by a device backend's provider (listed in META-INF/services). */
    public interface Provider {
        /** The device type it serves, e.g. {@code cuda}. */
        String deviceType();

        /** Whether the device can be used on this machine. */
        boolean isAvailable();

        Backend backend(int index);
    }

    public static Backend of(Device device) {
        if (device.isCpu()) return CpuBackend.INSTANCE;
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.deviceType().equals(device.type()) && p.isAvailable()) return p.backend(Math.max(device.index(), 0));
        }
        throw new IllegalStateException(device.type() + " not available: no " + device.type()
                + " backend on the class path or no device on this machine");
    }

    public static boolean isAvailable(String deviceType) {
        if (deviceType.equals("cpu")) return true;
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.deviceType().equals(deviceType) && p.isAvailable()) return true;
        }
        return false;
    }
}
