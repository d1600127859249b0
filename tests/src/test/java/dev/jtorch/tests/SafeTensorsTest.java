package dev.jtorch.tests;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;
import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.SafeTensors;
import dev.jtorch.io.SafeTensorsHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.jtorch.backend.TensorInternals.storage;
import static dev.jtorch.tests.CheckpointWriteTest.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SafeTensors}: files checked byte for byte against the format as the reference
 * implementation writes it (the Python {@code safetensors} package is not installed here, so
 * golden bytes stand in for it), round trips of every dtype, and hostile headers refused with a
 * {@link CheckpointException} that says what is wrong.
 */
class SafeTensorsTest {
    @TempDir
    Path dir;

    /** 8-byte little-endian length, header, data: a file as the format defines it. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    static byte[] le(long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        return b.array();
    }

    @Test
    void writesTheReferenceLayout() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", tensor(DType.FLOAT32, new float[]{1, 2}, 2));
        tensors.put("mask", tensor(DType.BOOL, new byte[]{1, 0, 1}, 3));
        tensors.put("count", tensor(DType.INT64, new long[]{3}, 1));
        Path p = dir.resolve("golden.safetensors");
        SafeTensors.save(tensors, Map.of("format", "pt"), p);

        // Header in the caller's order, metadata first; data laid out as the reference sorts it:
        // by dtype alignment, largest first (I64, F32, BOOL), then by name. Padded with spaces to 8.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]},"
                + "\"count\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(le(3));
        data.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).array());
        data.writeBytes(new byte[]{1, 0, 1});
        assertArrayEquals(file(padded, data.toByteArray()), Files.readAllBytes(p));

        SafeTensors.Contents back = SafeTensors.read(p);
        assertEquals(List.of("weight", "mask", "count"), new ArrayList<>(back.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), back.metadata());
    }

    @Test
    void readsTheReferenceExample() throws IOException {
        // The example in the reference implementation's documentation (header not padded).
        Path p = dir.resolve("example.safetensors");
        Files.write(p, file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]));
        Tensor t = SafeTensors.load(p).get("test");
        assertEquals(DType.INT32, t.dtype());
        assertArrayEquals(new int[]{2, 2}, t.shape());
        assertArrayEquals(new int[]{0, 0, 0, 0}, t.toIntArray());
    }

    @Test
    void everyDTypeViewsAndEmptiesRoundTrip() throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(CheckpointWriteTest.everyDType());
        for (var e : CheckpointWriteTest.viewsAndSharing().entrySet()) all.put("views." + e.getKey(), e.getValue());
        Tensor bf16 = tensor(DType.BFLOAT16, new short[]{0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0x40C0}, 2, 3);
        all.put("bf16_transposed", TensorInternals.viewAs(bf16, new Layout(new int[]{3, 2}, new int[]{1, 3}, 0)));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : all.entrySet()) tensors.put(e.getKey(), (Tensor) e.getValue());
        Path p = dir.resolve("all.safetensors");
        SafeTensors.save(tensors, p);
        Map<String, Tensor> back = SafeTensors.load(p);
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(back.keySet()), "header keeps the map's order");
        for (var e : tensors.entrySet()) {
            Tensor want = e.getValue(), got = back.get(e.getKey());
            assertEquals(want.dtype(), got.dtype(), e.getKey());
            assertArrayEquals(want.shape(), got.shape(), e.getKey());
            assertTrue(got.isContiguous() && got.storageOffset() == 0 && storage(got).size() == got.numel(), e.getKey());
            assertArrayEquals(want.toLongArray(), got.toLongArray(), e.getKey());
            if (want.isFloatingPoint()) {
                double[] w = want.toDoubleArray(), g = got.toDoubleArray();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(Double.doubleToLongBits(w[i]), Double.doubleToLongBits(g[i]), e.getKey() + "[" + i + "]");
                }
            }
        }
        // The format cannot share: tied tensors come back as two copies.
        assertNotSame(storage(back.get("views.embed.weight")), storage(back.get("views.head.weight")));
        // Every tensor starts on a multiple of its item size.
        SafeTensorsHeader header = SafeTensors.readHeader(p);
        assertEquals(0, header.dataStart() % 8);
        for (var e : header.entries()) assertEquals(0, e.begin() % e.dtype().itemSize(), e.name());
    }

    @Test
    void failedSaveLeavesTheOldFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.save(Map.of("a", tensor(DType.FLOAT32, new float[]{1}, 1)), p);
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", tensor(DType.FLOAT32, new float[]{1, 2}, 2));
        bad.put("lost", CheckpointWriteTest.failingTensor());
        assertThrows(IllegalStateException.class, () -> SafeTensors.save(bad, p));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList());
        }
        assertThrows(CheckpointException.class,
                () -> SafeTensors.save(Map.of("__metadata__", tensor(DType.FLOAT32, new float[]{1}, 1)), p));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json               | {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}         | 4  | not valid JSON
            json array             | [1,2]                                                            | 0  | not a JSON object
            duplicate key          | {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{}}    | 4  | duplicate key
            unknown dtype          | {"a":{"dtype":"U16","shape":[1],"data_offsets":[0,2]}}           | 2  | unsupported dtype "U16"
            shape disagrees        | {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}           | 4  | needs 8 bytes
            past the data          | {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}           | 4  | run past the data section
            reversed offsets       | {"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}           | 4  | bad data_offsets
            overlap                | {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}} | 8 | overlap
            gap                    | {"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}           | 8  | belong to no tensor
            trailing bytes         | {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}           | 12 | tensors cover 4
            negative dim           | {"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}          | 4  | bad dimension
            fractional dim         | {"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}         | 4  | bad dimension
            overflowing shape      | {"a":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}} | 8 | size overflows
            dimension too large    | {"a":{"dtype":"I8","shape":[4294967296],"data_offsets":[0,4294967296]}} | 0 | bad dimension
            offsets past 4 GB      | {"a":{"dtype":"I8","shape":[65536,65536],"data_offsets":[0,4294967296]}} | 0 | run past the data section
            metadata not strings   | {"__metadata__":{"epoch":3}}                                     | 0  | __metadata__.epoch is not a string
            deep nesting           | {"__metadata__":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}| 0 | nested deeper
            no dtype               | {"a":{"shape":[1],"data_offsets":[0,4]}}                         | 4  | no dtype
            """)
    void refusesBadHeaders(String what, String header, int dataBytes, String message) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, file(header, new byte[dataBytes]));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.load(p), what);
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void refusesBadLengths() throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, new byte[]{1, 2, 3});
        assertMessage(p, "shorter than the 8-byte header length");
        Files.write(p, le(100_000_001L));
        assertMessage(p, "over the 100000000-byte limit");
        Files.write(p, le(-1L));
        assertMessage(p, "18446744073709551615 is over");
        Files.write(p, new byte[]{64, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertMessage(p, "runs past the end of the file");
        byte[] badUtf8 = file("{\"\u00e9\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xFF;
        Files.write(p, badUtf8);
        assertMessage(p, "not valid UTF-8");
        Files.write(p, file("{}", new byte[0]));
        assertEquals(0, SafeTensors.load(p).size(), "an empty header is a valid empty file");
    }

    private static void assertMessage(Path p, String fragment) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.load(p));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
