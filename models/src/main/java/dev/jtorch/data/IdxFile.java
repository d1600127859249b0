package dev.jtorch.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One file in the idx format of MNIST and Fashion-MNIST, gzipped or not (told apart by the gzip
 * magic bytes, not the name): a big-endian header {@code 0x00 0x00 type ndim}, {@code ndim}
 * unsigned 32-bit sizes, then the elements. Only unsigned bytes ({@code type 0x08}), the type of
 * every MNIST-style file, are read.
 *
 * <p>Reading is strict: the magic, the type, the number of dimensions, every size, and the exact
 * length of the data (no missing and no trailing bytes) are checked, and the size of the data is
 * checked for overflow before anything is allocated. A violation throws
 * {@link IdxFormatException} naming the file and the offset.
 *
 * @param path  where it was read from
 * @param shape its dimensions
 * @param data  the elements, row-major
 */
public record IdxFile(Path path, int[] shape, byte[] data) {
    static final int UBYTE = 0x08;
    private static final int MAX_DIMS = 8;

    /** The number of elements. */
    public int numel() { return data.length; }

    /** Reads and checks {@code path}. */
    public static IdxFile read(Path path) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return parse(path, in, gzip);
            } catch (ZipException | EOFException e) {
                if (e instanceof EOFException && !gzip) throw e;
                throw new IOException(path + ": corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    private static IdxFile parse(Path path, InputStream in, boolean gzip) throws IOException {
        String where = gzip ? " of the decompressed data" : "";
        byte[] magic = readExactly(in, 4);
        if (magic.length < 4) {
            throw new IdxFormatException(path, magic.length, "the file ends" + where + " after " + magic.length
                    + " bytes, inside the 4-byte idx magic");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(path, 0, String.format("not an idx file: the magic starts 0x%02X%02X, expected 0x0000",
                    magic[0] & 0xFF, magic[1] & 0xFF));
        }
        int type = magic[2] & 0xFF, ndim = magic[3] & 0xFF;
        if (type != UBYTE) {
            throw new IdxFormatException(path, 2, String.format("element type 0x%02X (%s) is not supported: MNIST-style files hold unsigned bytes (0x08)",
                    type, typeName(type)));
        }
        if (ndim < 1 || ndim > MAX_DIMS) {
            throw new IdxFormatException(path, 3, "number of dimensions " + ndim + " is not in 1.." + MAX_DIMS);
        }
        byte[] dimBytes = readExactly(in, 4 * ndim);
        if (dimBytes.length < 4 * ndim) {
            throw new IdxFormatException(path, 4 + dimBytes.length, "the file ends" + where + " inside the header: "
                    + ndim + " dimensions need " + (4 + 4 * ndim) + " bytes of header");
        }
        int[] shape = new int[ndim];
        long numel = 1;
        for (int d = 0; d < ndim; d++) {
            long size = ((dimBytes[4 * d] & 0xFFL) << 24) | ((dimBytes[4 * d + 1] & 0xFF) << 16)
                    | ((dimBytes[4 * d + 2] & 0xFF) << 8) | (dimBytes[4 * d + 3] & 0xFF);
            if (size > Integer.MAX_VALUE) {
                throw new IdxFormatException(path, 4 + 4L * d, "dimension " + d + " has size " + size + ", more than jtorch can hold");
            }
            shape[d] = (int) size;
            numel *= size; // each factor < 2^31 and the product is checked after each step, so no overflow
            if (numel > Integer.MAX_VALUE - 8) {
                throw new IdxFormatException(path, 4 + 4L * d, "the sizes " + Arrays.toString(Arrays.copyOf(shape, d + 1))
                        + " ask for more than " + (Integer.MAX_VALUE - 8) + " elements");
            }
        }
        long header = 4 + 4L * ndim;
        byte[] data = readExactly(in, (int) numel);
        if (data.length < numel) {
            throw new IdxFormatException(path, header + data.length, "the file is truncated" + where + ": the header "
                    + Arrays.toString(shape) + " needs " + numel + " bytes of data from offset " + header + ", only "
                    + data.length + " are there");
        }
        if (in.read() != -1) {
            throw new IdxFormatException(path, header + numel, "trailing bytes" + where + " after the " + numel
                    + " bytes of data the header " + Arrays.toString(shape) + " describes");
        }
        return new IdxFile(path, shape, data);
    }

    /** Up to {@code n} bytes; fewer only at the end of the stream. Grows its buffer as data arrives, so a lying header cannot make it allocate much more than the file holds. */
    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] buf = new byte[Math.min(n, 1 << 20)];
        int filled = 0;
        while (filled < n) {
            if (filled == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) break;
            filled += r;
        }
        return filled == buf.length ? buf : Arrays.copyOf(buf, filled);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "unknown";
        };
    }

    @Override
    public String toString() { return "IdxFile(" + path + ", shape=" + Arrays.toString(shape) + ")"; }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxFile f && path.equals(f.path) && Arrays.equals(shape, f.shape) && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() { return 31 * path.hashCode() + Arrays.hashCode(shape); }
}
