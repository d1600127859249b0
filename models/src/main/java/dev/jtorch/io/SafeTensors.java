package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.storage;

/**
 * Reads and writes Hugging Face's safetensors format: an 8-byte header length, a JSON header,
 * then the raw little-endian tensors. Nothing in it can run code, and every offset is checked
 * ({@link SafeTensorsHeader}) before any tensor is allocated.
 *
 * {@snippet :
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * LinkedHashMap<String, Tensor> tensors = SafeTensors.load(Path.of("model.safetensors"));
 * }
 *
 * <p>Reading maps the file (FFM, files past 2 GB too) and copies each tensor once, straight into
 * its array. Writing is atomic (temporary file, fsync, rename). The tensors are listed in the
 * header in the caller's map order, so a jtorch round trip keeps the order of a state dict; the
 * data section is laid out as the reference implementation lays it out (by dtype alignment,
 * largest first, then by name), so every tensor starts on a multiple of its item size and a map
 * already in that order gives the reference's bytes. The format cannot express shared storage:
 * tensors that share one (tied weights, views) are each written in full and read back as separate
 * tensors ({@code safetensors.torch.save_file} refuses them instead).
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Tensors and {@code __metadata__} of a file. */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The tensors of a file, in header order, as CPU tensors. */
    public static LinkedHashMap<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    /** The tensors (header order) and the {@code __metadata__} (empty when absent) of a file. */
    public static Contents read(Path file) throws IOException {
        Backend cpu = Backends.of(Device.CPU);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            SafeTensorsHeader header = SafeTensorsHeader.read(channel, file);
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : header.entries()) {
                Object array = StorageBytes.read(mapped, header.dataStart() + e.begin(), e.dtype(), e.numel());
                tensors.put(e.name(), TensorInternals.of(cpu.fromArray(e.dtype(), array), Layout.contiguous(e.shape())));
            }
            return new Contents(tensors, header.metadata());
        }
    }

    /** The header alone (names, dtypes, shapes, offsets, metadata): reads no tensor data. */
    public static SafeTensorsHeader readHeader(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return SafeTensorsHeader.read(channel, file);
        }
    }

    /** Saves tensors with no metadata. */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        save(tensors, Map.of(), file);
    }

    /** Saves tensors (any layout and device; written contiguous) and a {@code __metadata__} map of strings. */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        record Item(String name, Tensor tensor, long begin, long end) {}
        List<Map.Entry<String, Tensor>> inOrder = new ArrayList<>(tensors.entrySet());
        for (var e : inOrder) {
            if (e.getKey() == null) throw new CheckpointException(file, "a tensor name is null");
            if (e.getKey().equals("__metadata__")) throw new CheckpointException(file, "'__metadata__' is reserved, not a tensor name");
            if (e.getValue() == null) throw new CheckpointException(file, "tensor '" + e.getKey() + "' is null");
        }
        for (var kv : metadata.entrySet()) {
            if (kv.getKey() == null || kv.getValue() == null) throw new CheckpointException(file, "null in __metadata__");
        }
        List<Map.Entry<String, Tensor>> layoutOrder = new ArrayList<>(inOrder);
        layoutOrder.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> alignmentRank(e.getValue().dtype()))
                .reversed().thenComparing(Map.Entry::getKey));
        Map<String, Item> items = new LinkedHashMap<>();
        long offset = 0;
        for (var e : layoutOrder) {
            long bytes = (long) e.getValue().numel() * e.getValue().dtype().itemSize();
            items.put(e.getKey(), new Item(e.getKey(), e.getValue(), offset, offset + bytes));
            offset += bytes;
        }

        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (var kv : metadata.entrySet()) {
                if (!first) json.append(',');
                json.append(Json.quote(kv.getKey())).append(':').append(Json.quote(kv.getValue()));
                first = false;
            }
            json.append('}');
        }
        for (var e : inOrder) {
            Item item = items.get(e.getKey());
            Tensor t = item.tensor;
            if (json.length() > 1) json.append(',');
            json.append(Json.quote(item.name)).append(":{\"dtype\":\"").append(SafeTensorsHeader.formatName(t.dtype()))
                    .append("\",\"shape\":").append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(item.begin).append(',').append(item.end).append("]}");
        }
        json.append('}');
        byte[] headerBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8; // spaces to a multiple of 8, as the reference does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(headerBytes);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        AtomicFile.write(file, channel -> {
            ZipStoreWriter.Sink sink = bytes -> {
                while (bytes.hasRemaining()) channel.write(bytes);
            };
            sink.write(head);
            for (var e : layoutOrder) {
                Tensor c = e.getValue().detach().contiguous();
                Object array = backend(c).toArray(storage(c));
                StorageBytes.write(array, c.dtype(), c.storageOffset(), c.numel(), sink);
            }
        });
    }

    /** The reference implementation's dtype order (its enum order, by alignment): larger first in the data. */
    private static int alignmentRank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case UINT8 -> 1;
            case INT8 -> 2;
            case INT16 -> 3;
            case FLOAT16 -> 4;
            case BFLOAT16 -> 5;
            case INT32 -> 6;
            case FLOAT32 -> 7;
            case FLOAT64 -> 8;
            case INT64 -> 9;
        };
    }
}
