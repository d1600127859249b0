package dev.jtorch.io;

import dev.jtorch.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host arrays (as {@link dev.jtorch.backend.Backend#toArray} returns them) to and from the
 * little-endian bytes both checkpoint formats store: a range of elements is converted in 1 MB
 * chunks on write, and copied once, straight from a mapped segment into a fresh array, on read.
 */
final class StorageBytes {
    private static final int CHUNK_BYTES = 1 << 20;

    private StorageBytes() {}

    /** Streams elements {@code [from, from + count)} of {@code array} as little-endian bytes. */
    static void write(Object array, DType dtype, int from, int count, ZipStoreWriter.Sink sink) throws IOException {
        int item = dtype.itemSize();
        int perChunk = CHUNK_BYTES / item;
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(perChunk, Math.max(count, 1)) * item).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            buffer.clear();
            int at = from + done;
            switch (array) {
                case float[] a -> buffer.asFloatBuffer().put(a, at, n);
                case double[] a -> buffer.asDoubleBuffer().put(a, at, n);
                case long[] a -> buffer.asLongBuffer().put(a, at, n);
                case int[] a -> buffer.asIntBuffer().put(a, at, n);
                case short[] a -> buffer.asShortBuffer().put(a, at, n);
                case byte[] a -> buffer.put(a, at, n);
                default -> throw new IllegalArgumentException("not a storage array: " + array.getClass().getName());
            }
            buffer.position(0).limit(n * item);
            sink.write(buffer);
            done += n;
        }
    }

    /** A new array (typed for {@code dtype}) holding {@code count} elements read at {@code offset}. */
    static Object read(MemorySegment segment, long offset, DType dtype, int count) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset, a, 0, count);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset, a, 0, count);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset, a, 0, count);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset, a, 0, count);
                yield a;
            }
            case INT16, FLOAT16, BFLOAT16 -> {
                short[] a = new short[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), offset, a, 0, count);
                yield a;
            }
            case INT8, UINT8, BOOL -> {
                byte[] a = new byte[count];
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, a, 0, count);
                if (dtype == DType.BOOL) {
                    for (int i = 0; i < count; i++) a[i] = (byte) (a[i] != 0 ? 1 : 0);
                }
                yield a;
            }
        };
    }
}
