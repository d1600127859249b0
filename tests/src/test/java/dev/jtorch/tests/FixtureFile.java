package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader of the parity-fixture format written by {@code tests/fixtures/jtfx.py}, the writer every
 * {@code make_*_fixtures.py} script uses.
 *
 * <pre>
 * header : "JTFX", u32 version = 1, u32 case count            (all little-endian)
 * case   : name (u16 length + UTF-8), u32 tensor count, tensors
 * tensor : key (u16 length + UTF-8), u8 dtype code (DType ordinal), u8 ndim, ndim x i32 dims,
 *          numel x itemsize raw bytes, contiguous row-major
 * </pre>
 *
 * The whole file is validated when read: every size is checked against the bytes really there
 * before anything is allocated, and a bad file throws {@link IllegalArgumentException} naming the
 * case, the key and the byte offset. Tensors are built per call to {@link Case#tensors()}, so each
 * test gets fresh leaves (no gradient left over from another test).
 */
final class FixtureFile {
    static final int VERSION = 1;
    private static final byte[] MAGIC = {'J', 'T', 'F', 'X'};
    /** More dimensions than any fixture needs; bounds the dims array a hostile file could ask for. */
    private static final int MAX_DIMS = 16;

    /** One tensor as stored: the bytes stay in the file's buffer until a test asks for a Tensor. */
    record Entry(String key, DType dtype, int[] shape, long numel, int offset) {
        @Override
        public String toString() {
            return key + ": " + dtype.pyName() + Arrays.toString(shape) + " at offset " + offset;
        }
    }

    /** One named case: its entries in file order. */
    record Case(String name, List<Entry> entries, ByteBuffer data) {

        /** A fresh key → tensor map, in file order. */
        Map<String, Tensor> tensors() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : entries) out.put(e.key(), build(name, e, data));
            return out;
        }

        List<String> keys() {
            return entries.stream().map(Entry::key).toList();
        }
    }

    private final List<Case> cases;

    private FixtureFile(List<Case> cases) {
        this.cases = cases;
    }

    List<Case> cases() {
        return cases;
    }

    /** Cases by name, in file order. */
    Map<String, Case> byName() {
        Map<String, Case> m = new LinkedHashMap<>();
        for (Case c : cases) m.put(c.name(), c);
        return m;
    }

    /** Reads a fixture from the test class path, e.g. {@code /fixtures/ops.jtfx}. */
    static FixtureFile readResource(String resource) {
        try (InputStream in = FixtureFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(resource + ": not on the test class path "
                        + "(regenerate with /usr/bin/python3 tests/fixtures/make_op_fixtures.py)");
            }
            return parse(in.readAllBytes(), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates a whole fixture file; {@code source} names it in error messages. */
    static FixtureFile parse(byte[] bytes, String source) {
        // asReadOnlyBuffer() resets the byte order to big-endian, so set it on the view itself.
        ByteBuffer buf = ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        Reader r = new Reader(buf, source);
        byte[] magic = r.bytes(4, "magic");
        if (!Arrays.equals(magic, MAGIC)) {
            throw r.error(0, "magic: expected JTFX, got " + Arrays.toString(magic));
        }
        long version = r.u32("version");
        if (version != VERSION) throw r.error(4, "version: expected " + VERSION + ", got " + version);
        long count = r.u32("case count");
        List<Case> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long c = 0; c < count; c++) {
            int start = buf.position();
            r.where = "case #" + c;
            String name = r.string("name");
            if (!names.add(name)) throw r.error(start, "duplicate case name");
            r.where = "case '" + name + "'";
            long tensorCount = r.u32("tensor count");
            // Each tensor needs at least 4 bytes (key length, dtype, ndim), so a huge count fails fast.
            if (tensorCount * 4 > buf.remaining()) {
                throw r.error(buf.position() - 4, "tensor count " + tensorCount + " exceeds the "
                        + buf.remaining() + " bytes left");
            }
            List<Entry> entries = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            for (long t = 0; t < tensorCount; t++) {
                int keyAt = buf.position();
                r.where = "case '" + name + "', tensor #" + t;
                String key = r.string("key");
                r.where = "case '" + name + "', key '" + key + "'";
                if (!keys.add(key)) throw r.error(keyAt, "duplicate key");
                entries.add(r.tensorHeaderAndData(key));
            }
            cases.add(new Case(name, Collections.unmodifiableList(entries), buf));
        }
        if (buf.hasRemaining()) {
            throw r.error(buf.position(), buf.remaining() + " trailing bytes after the last case");
        }
        return new FixtureFile(Collections.unmodifiableList(cases));
    }

    /** A cursor that names the case, key and offset in every error. */
    private static final class Reader {
        final ByteBuffer buf;
        final String source;
        String where = "header";

        Reader(ByteBuffer buf, String source) {
            this.buf = buf;
            this.source = source;
        }

        IllegalArgumentException error(int offset, String message) {
            return new IllegalArgumentException(source + ": " + where + " at offset " + offset + ": " + message);
        }

        private void need(int n, String what) {
            if (buf.remaining() < n) {
                throw error(buf.position(), what + ": needs " + n + " bytes, only " + buf.remaining() + " left");
            }
        }

        byte[] bytes(int n, String what) {
            need(n, what);
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        long u32(String what) {
            need(4, what);
            return Integer.toUnsignedLong(buf.getInt());
        }

        int u8(String what) {
            need(1, what);
            return Byte.toUnsignedInt(buf.get());
        }

        String string(String what) {
            need(2, what + " length");
            int at = buf.position();
            int len = Short.toUnsignedInt(buf.getShort());
            byte[] b = bytes(len, what);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw error(at, what + ": not valid UTF-8");
            }
        }

        Entry tensorHeaderAndData(String key) {
            int at = buf.position();
            int code = u8("dtype code");
            DType[] all = DType.values();
            if (code >= all.length) throw error(at, "dtype code " + code + " is not one of 0.." + (all.length - 1));
            DType dtype = all[code];
            int ndim = u8("ndim");
            if (ndim > MAX_DIMS) throw error(at + 1, "ndim " + ndim + " exceeds " + MAX_DIMS);
            int[] shape = new int[ndim];
            long numel = 1;
            for (int d = 0; d < ndim; d++) {
                need(4, "dim " + d);
                int dimAt = buf.position();
                shape[d] = buf.getInt();
                if (shape[d] < 0) throw error(dimAt, "dim " + d + " is negative: " + shape[d]);
                // numel stays below 2^31 * 2^31 before this check fails, so it cannot overflow a long.
                numel *= shape[d];
                if (numel > Integer.MAX_VALUE) throw error(dimAt, "shape " + Arrays.toString(shape) + " is too large");
            }
            long nbytes = numel * dtype.itemSize();
            if (nbytes > buf.remaining()) {
                throw error(buf.position(), dtype.pyName() + Arrays.toString(shape) + " needs " + nbytes
                        + " bytes, only " + buf.remaining() + " left");
            }
            int dataAt = buf.position();
            if (dtype == DType.BOOL) {
                for (int i = 0; i < numel; i++) {
                    int v = Byte.toUnsignedInt(buf.get(dataAt + i));
                    if (v > 1) throw error(dataAt + i, "bool element " + i + " is " + v + ", not 0 or 1");
                }
            }
            buf.position(dataAt + (int) nbytes);
            return new Entry(key, dtype, shape, numel, dataAt);
        }
    }

    /** Builds the tensor for one entry through the public factories (narrow dtypes via {@code to}). */
    private static Tensor build(String caseName, Entry e, ByteBuffer data) {
        if (e.shape().length > 0) return decode(caseName, e, data, e.shape());
        // Torch.tensor(data) with no shape means 1-D, as torch.tensor([..]) does; a 0-dim tensor comes
        // from scalarTensor, through a double: exact for every dtype except int64 beyond 2^53.
        Tensor one = decode(caseName, e, data, new int[] {1});
        if (e.dtype() == DType.INT64) {
            long v = one.itemLong();
            if ((long) (double) v != v) {
                throw new IllegalArgumentException("case '" + caseName + "', key '" + e.key() + "' at offset "
                        + e.offset() + ": 0-dim int64 value " + v + " is not exact as a double");
            }
        }
        return Torch.scalarTensor(one.item(), e.dtype());
    }

    private static Tensor decode(String caseName, Entry e, ByteBuffer data, int[] shape) {
        int n = (int) e.numel();
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(e.offset());
        try {
            return switch (e.dtype()) {
                case FLOAT32 -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = b.getFloat();
                    yield Torch.tensor(v, shape);
                }
                case FLOAT64 -> {
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = b.getDouble();
                    yield Torch.tensor(v, shape);
                }
                case FLOAT16 -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = Float.float16ToFloat(b.getShort());
                    yield Torch.tensor(v, shape).to(DType.FLOAT16);
                }
                case BFLOAT16 -> {
                    // bfloat16 is the high half of a float32: widening is exact, so narrowing back is too.
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(Short.toUnsignedInt(b.getShort()) << 16);
                    yield Torch.tensor(v, shape).to(DType.BFLOAT16);
                }
                case INT64 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = b.getLong();
                    yield Torch.tensor(v, shape);
                }
                case INT32 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = b.getInt();
                    yield Torch.tensor(v, shape).to(DType.INT32);
                }
                case INT16 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = b.getShort();
                    yield Torch.tensor(v, shape).to(DType.INT16);
                }
                case INT8 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = b.get();
                    yield Torch.tensor(v, shape).to(DType.INT8);
                }
                case UINT8 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = Byte.toUnsignedInt(b.get());
                    yield Torch.tensor(v, shape).to(DType.UINT8);
                }
                case BOOL -> {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) v[i] = b.get() != 0;
                    yield Torch.tensor(v, shape);
                }
            };
        } catch (BufferUnderflowException ex) {
            // Cannot happen for a parsed file (sizes were checked); kept so a bug here still names the tensor.
            throw new IllegalArgumentException("case '" + caseName + "', key '" + e.key() + "' at offset "
                    + e.offset() + ": data runs past the end of the file", ex);
        }
    }
}
