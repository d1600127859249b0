package dev.jtorch.io;

import dev.jtorch.DType;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file, checked against the file it came from: an 8-byte
 * little-endian length (at most 100 MB, inside the file), then that many bytes of UTF-8 JSON
 * naming each tensor's dtype, shape and {@code data_offsets} (relative to the data section that
 * follows), plus an optional {@code __metadata__} map of strings. As in the reference
 * implementation, the tensors must tile the data section exactly: no overlap, no gap, nothing
 * after the last one.
 *
 * @param entries   tensors in header (JSON) order
 * @param metadata  {@code __metadata__}, empty when absent
 * @param dataStart byte offset of the data section in the file
 */
public record SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart) {

    /** The reference implementation's limit on the header length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /**
     * One tensor of the file.
     *
     * @param begin byte offset of its data, relative to the data section
     * @param end   one past its last byte
     */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() { return shape.clone(); }

        public int numel() {
            int n = 1;
            for (int d : shape) n *= d; // checked not to overflow when the header was read
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                    && begin == e.begin && end == e.end;
        }

        @Override
        public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

        @Override
        public String toString() {
            return name + ": " + dtype.pyName() + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
        }
    }

    public SafeTensorsHeader {
        entries = List.copyOf(entries);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The format's name for a dtype: {@code F32}, {@code BF16}, {@code I64}, {@code BOOL}, ... */
    public static String formatName(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT16 -> "I16";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    /** The dtype a format name stands for, or null when jtorch has no such dtype. */
    static DType dtypeOf(String name) {
        for (DType d : DType.values()) if (formatName(d).equals(name)) return d;
        return null;
    }

    /** Reads and checks the header of {@code file} (only the header bytes are read). */
    static SafeTensorsHeader read(FileChannel channel, Path file) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) throw error(file, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long n = lengthBytes.flip().getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw error(file, "header length " + Long.toUnsignedString(n) + " is over the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (8 + n > fileSize) {
            throw error(file, "header length " + n + " runs past the end of the file (" + fileSize + " bytes)");
        }
        ByteBuffer json = ByteBuffer.allocate((int) n);
        readFully(channel, json, 8, file);
        return parse(json.flip(), fileSize, file);
    }

    static SafeTensorsHeader parse(ByteBuffer headerBytes, long fileSize, Path file) throws CheckpointException {
        long dataStart = 8L + headerBytes.remaining();
        long dataLength = fileSize - dataStart;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.JsonException e) {
            throw error(file, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top)) throw error(file, "header is not a JSON object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw error(file, "__metadata__ is not an object");
                for (var kv : m.entrySet()) {
                    if (!(kv.getValue() instanceof String s)) {
                        throw error(file, "__metadata__." + kv.getKey() + " is not a string");
                    }
                    metadata.put((String) kv.getKey(), s);
                }
                continue;
            }
            entries.add(entry(name, e.getValue(), dataLength, file));
        }

        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < expected) {
                throw error(file, "tensors '" + previous.name + "' and '" + e.name + "' overlap (bytes ["
                        + e.begin + ", " + expected + ") of the data section)");
            }
            if (e.begin > expected) {
                throw error(file, "bytes [" + expected + ", " + e.begin + ") of the data section belong to no tensor");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataLength) {
            throw error(file, "data section is " + dataLength + " bytes but the tensors cover " + expected);
        }
        return new SafeTensorsHeader(entries, metadata, dataStart);
    }

    private static Entry entry(String name, Object value, long dataLength, Path file) throws CheckpointException {
        if (!(value instanceof Map<?, ?> info)) throw error(file, "tensor '" + name + "': not a JSON object");
        if (!(info.get("dtype") instanceof String dtypeName)) throw error(file, "tensor '" + name + "': no dtype");
        DType dtype = dtypeOf(dtypeName);
        if (dtype == null) throw error(file, "tensor '" + name + "': unsupported dtype " + Json.quote(dtypeName));
        if (!(info.get("shape") instanceof List<?> dims)) throw error(file, "tensor '" + name + "': no shape list");
        if (dims.size() > 64) throw error(file, "tensor '" + name + "': " + dims.size() + " dimensions");
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw error(file, "tensor '" + name + "': bad dimension " + dims.get(i) + " in shape " + dims);
            }
            shape[i] = (int) (long) d;
            numel = multiply(numel, d, name, file);
        }
        if (!(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw error(file, "tensor '" + name + "': data_offsets is not a pair of integers");
        }
        if (begin < 0 || end < begin) {
            throw error(file, "tensor '" + name + "': bad data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataLength) {
            throw error(file, "tensor '" + name + "': data_offsets [" + begin + ", " + end
                    + "] run past the data section (" + dataLength + " bytes)");
        }
        long bytes = multiply(numel, dtype.itemSize(), name, file);
        if (end - begin != bytes) {
            throw error(file, "tensor '" + name + "': " + dtypeName + " " + dims + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        if (numel > Integer.MAX_VALUE) {
            throw error(file, "tensor '" + name + "': " + numel + " elements is more than a jtorch storage holds");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long multiply(long a, long b, String name, Path file) throws CheckpointException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw error(file, "tensor '" + name + "': size overflows");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw new CheckpointException(file, "unexpected end of file", new EOFException());
            at += n;
        }
    }

    private static CheckpointException error(Path file, String message) {
        return new CheckpointException(file, message);
    }
}
