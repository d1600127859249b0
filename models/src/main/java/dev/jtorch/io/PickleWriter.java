package dev.jtorch.io;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Emits pickle protocol 2 opcodes the way CPython's pickler does for the values a checkpoint
 * holds: the smallest integer opcode that fits, big-endian BINFLOAT, BINUNICODE strings, and a
 * memo (BINPUT after each container or global; BINGET when the same object or global comes
 * again). The structure (what is a tensor, what is a dict) is decided by {@link PthWriter}.
 */
final class PickleWriter {
    static final byte MARK = '(', STOP = '.', BINPERSID = 'Q', REDUCE = 'R', BUILD = 'b', NEWOBJ = (byte) 0x81;
    static final byte EMPTY_DICT = '}', EMPTY_LIST = ']', EMPTY_TUPLE = ')', TUPLE = 't', TUPLE1 = (byte) 0x85;
    static final byte APPENDS = 'e', SETITEMS = 'u';
    private static final byte[] TUPLE_N = {EMPTY_TUPLE, TUPLE1, (byte) 0x86, (byte) 0x87};
    /** CPython's pickler batches APPENDS/SETITEMS by this many items. */
    static final int BATCH = 1000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Object, Integer> memoByIdentity = new IdentityHashMap<>();
    private final Map<PyGlobal, Integer> memoOfGlobals = new HashMap<>();
    private int memoSize;

    PickleWriter() {
        out.write((byte) 0x80);
        out.write(2);
    }

    byte[] finish() {
        out.write(STOP);
        return out.toByteArray();
    }

    void op(byte opcode) { out.write(opcode); }

    void none() { out.write('N'); }

    void bool(boolean b) { out.write(b ? (byte) 0x88 : (byte) 0x89); }

    void integer(long v) {
        if (v >= 0 && v <= 0xFF) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v <= 0xFFFF) {
            out.write('M');
            out.write((int) v & 0xFF);
            out.write((int) (v >>> 8) & 0xFF);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            int32((int) v);
        } else {
            long1(BigInteger.valueOf(v));
        }
    }

    void integer(BigInteger v) {
        if (v.bitLength() < 64) integer(v.longValue());
        else long1(v);
    }

    /** LONG1: little-endian two's complement, as short as the value allows. */
    private void long1(BigInteger v) {
        byte[] be = v.toByteArray(); // minimal big-endian two's complement
        if (be.length > 255) throw new IllegalArgumentException("integer too large for LONG1: " + v);
        out.write((byte) 0x8a);
        out.write(be.length);
        for (int i = be.length - 1; i >= 0; i--) out.write(be[i]);
    }

    void floating(double v) {
        out.write('G');
        long bits = Double.doubleToRawLongBits(v);
        for (int shift = 56; shift >= 0; shift -= 8) out.write((int) (bits >>> shift) & 0xFF);
    }

    /** BINUNICODE; not memoized (CPython would memoize, which only matters for identical objects). */
    void string(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                if (!pair) throw new IllegalArgumentException("string has a lone surrogate at index " + i + ": " + s);
                i++;
            }
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        int32(utf8.length);
        out.writeBytes(utf8);
    }

    /** {@code GLOBAL module\nname\n}, or a BINGET when this global was written before. */
    void global(PyGlobal g) {
        Integer index = memoOfGlobals.get(g);
        if (index != null) {
            get(index);
            return;
        }
        out.write('c');
        out.writeBytes((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.UTF_8));
        memoOfGlobals.put(g, put());
    }

    /** Writes a tuple opcode closing {@code n} items pushed after a MARK (or without one for n ≤ 3). */
    void tupleOf(int n) {
        if (n <= 3) out.write(TUPLE_N[n]);
        else out.write(TUPLE);
    }

    /** True (after writing a BINGET) when {@code value} was memoized before. */
    boolean getIfMemoized(Object value) {
        Integer index = memoByIdentity.get(value);
        if (index == null) return false;
        get(index);
        return true;
    }

    /** Memoizes the value on top of the stack under {@code value}'s identity. */
    void memoize(Object value) {
        memoByIdentity.put(value, put());
    }

    /** Memoizes the top of the stack with no Java object to find it by (it is never referenced again). */
    void memoizeAnonymous() { put(); }

    private int put() {
        int index = memoSize++;
        if (index < 256) {
            out.write('q');
            out.write(index);
        } else {
            out.write('r');
            int32(index);
        }
        return index;
    }

    private void get(int index) {
        if (index < 256) {
            out.write('h');
            out.write(index);
        } else {
            out.write('j');
            int32(index);
        }
    }

    private void int32(int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
        out.write((v >>> 16) & 0xFF);
        out.write((v >>> 24) & 0xFF);
    }
}
