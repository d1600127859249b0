package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.Storage;

/**
 * A storage on the Java heap: one primitive array whose type follows the dtype (see
 * {@link Backend#fromArray}). Kernels take the array directly for float32/float64 and use the
 * element accessors for everything else.
 */
public final class CpuStorage implements Storage {
    private final DType dtype;
    private final Object data;
    private final int size;

    CpuStorage(DType dtype, Object data) {
        this.dtype = dtype;
        this.data = data;
        this.size = java.lang.reflect.Array.getLength(data);
        Class<?> expected = arrayClass(dtype);
        if (data.getClass() != expected) {
            throw new IllegalArgumentException(dtype.pyName() + " storage needs a " + expected.getSimpleName()
                    + ", got " + data.getClass().getSimpleName());
        }
    }

    static CpuStorage allocate(DType dtype, int size) {
        return new CpuStorage(dtype, newArray(dtype, size));
    }

    static Object newArray(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT64 -> new long[size];
            case INT32 -> new int[size];
            case INT16, FLOAT16, BFLOAT16 -> new short[size];
            case INT8, UINT8, BOOL -> new byte[size];
        };
    }

    static Class<?> arrayClass(DType dtype) {
        return newArray(dtype, 0).getClass();
    }

    @Override public DType dtype() { return dtype; }
    @Override public int size() { return size; }
    @Override public Device device() { return Device.CPU; }
    @Override public Backend backend() { return CpuBackend.INSTANCE; }

    /** The backing array (float[] for float32, ...). */
    public Object array() { return data; }

    public float[] floats() { return (float[]) data; }
    public double[] doubles() { return (double[]) data; }
    public long[] longs() { return (long[]) data; }

    /** Element {@code i} as a double (exact for every dtype but int64 beyond 2^53). */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i];
            case FLOAT64 -> ((double[]) data)[i];
            case INT64 -> ((long[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT16 -> ((short[]) data)[i];
            case FLOAT16 -> Float.float16ToFloat(((short[]) data)[i]);
            case BFLOAT16 -> Float.intBitsToFloat(((short[]) data)[i] << 16);
            case INT8, BOOL -> ((byte[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xff;
        };
    }

    /** Element {@code i} as a long; floating values truncate toward zero as in a C cast. */
    public long getLong(int i) {
        return switch (dtype) {
            case INT64 -> ((long[]) data)[i];
            case INT32 -> ((int[]) data)[i];
            case INT16 -> ((short[]) data)[i];
            case INT8, BOOL -> ((byte[]) data)[i];
            case UINT8 -> ((byte[]) data)[i] & 0xff;
            default -> (long) getDouble(i);
        };
    }

    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) data)[i] = (float) v;
            case FLOAT64 -> ((double[]) data)[i] = v;
            case FLOAT16 -> ((short[]) data)[i] = Float.floatToFloat16((float) v);
            case BFLOAT16 -> ((short[]) data)[i] = floatToBfloat16((float) v);
            case BOOL -> ((byte[]) data)[i] = (byte) (v != 0 ? 1 : 0);
            default -> setLong(i, (long) v);
        }
    }

    public void setLong(int i, long v) {
        switch (dtype) {
            case INT64 -> ((long[]) data)[i] = v;
            case INT32 -> ((int[]) data)[i] = (int) v;
            case INT16 -> ((short[]) data)[i] = (short) v;
            case INT8, UINT8 -> ((byte[]) data)[i] = (byte) v;
            case BOOL -> ((byte[]) data)[i] = (byte) (v != 0 ? 1 : 0);
            default -> setDouble(i, v);
        }
    }

    /** Round-to-nearest-even conversion, as PyTorch's c10::BFloat16 does; NaN stays NaN. */
    static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) 0x7fc0;
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
