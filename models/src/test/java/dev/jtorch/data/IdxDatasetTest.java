package dev.jtorch.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link IdxFile} and {@link IdxDataset} on tiny generated files, gzipped or not, and on broken headers. */
class IdxDatasetTest {
    @TempDir
    Path dir;

    /** An idx file: magic 0 0 type ndim, big-endian sizes, then the data. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) { gz.write(raw); }
        return out.toByteArray();
    }

    /** 5 images of 3x4, pixel (i, r, c) = 10*i + 4*r + c; labels i % 3. */
    Path writeSet(String prefix, boolean gz) throws IOException {
        byte[] pixels = new byte[5 * 12], labels = new byte[5];
        for (int i = 0; i < 5; i++) {
            labels[i] = (byte) (i % 3);
            for (int p = 0; p < 12; p++) pixels[i * 12 + p] = (byte) (10 * i + p);
        }
        byte[] img = idx(8, new int[]{5, 3, 4}, pixels), lab = idx(8, new int[]{5}, labels);
        String ext = gz ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gz ? gzip(img) : img);
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gz ? gzip(lab) : lab);
        return dir;
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        writeSet("train", false);
        writeSet("t10k", true);
        IdxDataset train = IdxDataset.open(dir, true), test = IdxDataset.open(dir, false);
        assertTrue(IdxDataset.isIdxDirectory(dir));
        for (IdxDataset ds : new IdxDataset[]{train, test}) {
            assertEquals(5, ds.size());
            assertEquals(3, ds.rows());
            assertEquals(4, ds.cols());
            assertEquals(3, ds.numClasses());
            assertArrayEquals(new int[]{0, 1, 2, 0, 1}, ds.targets());
            Sample s = ds.get(2);
            assertEquals(2, s.target());
            assertArrayEquals(new int[]{1, 3, 4}, s.input().shape());
            assertEquals((20 + 4 + 1) / 255f, s.input().toFloatArray()[5], 1e-7); // row 1, column 1
            Image img = ds.image(4);
            assertEquals(Image.Mode.L, img.mode());
            assertEquals(40 + 11, img.get(3, 2, 0));
        }
    }

    @Test
    void aMissingSplitNamesWhatWasLookedFor() throws IOException {
        writeSet("train", false);
        var e = assertThrows(NoSuchFileException.class, () -> IdxDataset.open(dir, false));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz"), e.getMessage());
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    void assertBroken(byte[] bytes, long offset, String fragment) throws IOException {
        for (boolean gz : new boolean[]{false, true}) {
            Path p = file("broken" + (gz ? ".gz" : ""), gz ? gzip(bytes) : bytes);
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(p));
            assertEquals(offset, e.offset(), e.getMessage());
            assertEquals(p, e.file());
            assertTrue(e.getMessage().startsWith(p + ": at offset " + offset + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }

    @Test
    void brokenHeadersFailNamingTheFileAndOffset() throws IOException {
        byte[] good = idx(8, new int[]{2, 2}, new byte[4]);
        byte[] badMagic = good.clone();
        badMagic[1] = 1;
        assertBroken(badMagic, 0, "not an idx file");
        byte[] floats = good.clone();
        floats[2] = 0x0D;
        assertBroken(floats, 2, "0x0D (float) is not supported");
        byte[] noDims = good.clone();
        noDims[3] = 0;
        assertBroken(noDims, 3, "number of dimensions 0");
        assertBroken(Arrays.copyOf(good, 2), 2, "inside the 4-byte idx magic");
        assertBroken(Arrays.copyOf(good, 9), 9, "inside the header");
        assertBroken(Arrays.copyOf(good, good.length - 1), good.length - 1, "truncated");
        assertBroken(Arrays.copyOf(good, good.length + 3), good.length, "trailing bytes");
        assertBroken(idx(8, new int[]{-1, 2}, new byte[0]), 4, "dimension 0 has size 4294967295");
        assertBroken(idx(8, new int[]{65536, 65536}, new byte[0]), 8, "ask for more than");
    }

    @Test
    void aHugeHeaderOverASmallFileAllocatesLittle() throws IOException {
        Path p = file("huge", idx(8, new int[]{10000, 10000, 10}, new byte[100]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(p));
        assertTrue(e.getMessage().contains("only 100 are there"), e.getMessage());
    }

    @Test
    void mismatchedPairsAndShapesAreRefused() throws IOException {
        Path img = file("i", idx(8, new int[]{3, 2, 2}, new byte[12]));
        Path lab = file("l", idx(8, new int[]{4}, new byte[4]));
        var e = assertThrows(IOException.class, () -> new IdxDataset(img, lab, new dev.jtorch.data.transforms.ToTensor()));
        assertTrue(e.getMessage().contains("3 images but") && e.getMessage().contains("4 labels"), e.getMessage());
        Path flat = file("f", idx(8, new int[]{3, 4}, new byte[12]));
        var f = assertThrows(IdxFormatException.class, () -> new IdxDataset(flat, lab, new dev.jtorch.data.transforms.ToTensor()));
        assertTrue(f.getMessage().contains("3 dimensions"), f.getMessage());
    }

    @Test
    void corruptGzipIsAnIOExceptionNamingTheFile() throws IOException {
        byte[] gz = gzip(idx(8, new int[]{4}, new byte[4]));
        gz[gz.length - 3] ^= 0x55; // the length/CRC trailer
        Path p = file("bad.gz", gz);
        var e = assertThrows(IOException.class, () -> IdxFile.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }
}
