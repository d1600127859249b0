package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Copies a storage's bytes from a (mapped) segment straight into the Java array its CPU storage
 * adopts: one copy, with the byte order of the file, and nothing in between.
 */
final class StorageCopy {
    private StorageCopy() {}

    static Storage toStorage(MemorySegment src, long offset, int numel, DType dtype, ByteOrder order) {
        Object array = switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), offset, a, 0, numel);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order), offset, a, 0, numel);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order), offset, a, 0, numel);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), offset, a, 0, numel);
                yield a;
            }
            case INT16, FLOAT16, BFLOAT16 -> {
                short[] a = new short[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order), offset, a, 0, numel);
                yield a;
            }
            case INT8, UINT8 -> {
                byte[] a = new byte[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset, a, 0, numel);
                yield a;
            }
            case BOOL -> {
                byte[] a = new byte[numel];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, offset, a, 0, numel);
                for (int i = 0; i < numel; i++) if (a[i] != 0) a[i] = 1; // PyTorch bools are 0/1; keep kernels safe
                yield a;
            }
        };
        return Backends.of(Device.CPU).fromArray(dtype, array);
    }
}
