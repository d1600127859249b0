package dev.jtorch.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fast GEMM against the scalar oracle on random shapes and layouts, and the thread pool. */
class GemmTest {

    private final int defaultThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(defaultThreads);
    }

    /** How an operand sits in memory; every layout is read in place by the kernels. */
    enum Form { ROW_MAJOR, TRANSPOSED, PADDED_ROWS, BROADCAST_ROWS }

    /** A rows x cols matrix inside a larger array: element (r,c) at data[off + r*rs + c*cs]. */
    record Strided(int off, int rs, int cs, int size) {
        static Strided of(Form form, int rows, int cols, Random rnd) {
            int off = rnd.nextInt(5);
            return switch (form) {
                case ROW_MAJOR -> new Strided(off, cols, 1, off + rows * cols);
                case TRANSPOSED -> new Strided(off, 1, rows, off + rows * cols);
                case PADDED_ROWS -> {
                    int ld = cols + 1 + rnd.nextInt(7);
                    yield new Strided(off, ld, 1, off + rows * ld);
                }
                // Every row is the same row (what expand() produces): row stride 0.
                case BROADCAST_ROWS -> new Strided(off, 0, 1, off + cols);
            };
        }
    }

    @Test
    void sgemmMatchesReferenceOnRandomShapesAndLayouts() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 400; trial++) {
            int m = 1 + rnd.nextInt(70);
            int n = 1 + rnd.nextInt(70);
            int k = 1 + rnd.nextInt(70);
            checkSgemm(m, n, k, randomForm(rnd), randomForm(rnd), rnd.nextBoolean(), rnd);
        }
    }

    /**
     * The row-table product (implicit im2col) against its scalar oracle, with overlapping rows as
     * a convolution's shifted windows have them, an epilogue that sees every element exactly once,
     * and one or two threads.
     */
    @Test
    void rowTableMatchesReferenceAndHandsEveryBlockToTheEpilogueOnce() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 60; trial++) {
            Parallel.setNumThreads(1 + trial % 2);
            int m = 1 + rnd.nextInt(80), n = 1 + rnd.nextInt(trial < 50 ? 100 : 3000), k = 1 + rnd.nextInt(300);
            float[] b = new float[n + 50 * k];
            for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
            int[] rows = new int[k];
            for (int p = 0; p < k; p++) rows[p] = rnd.nextInt(b.length - n + 1);
            float[] a = new float[m * k];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            float[] c = new float[m * n], expected = new float[m * n];
            Gemm.rowTableReference(m, n, k, a, 0, k, b, rows, expected, 0, n);
            AtomicIntegerArray seen = new AtomicIntegerArray(m * n);
            Gemm.sgemmRowTable(m, n, k, a, 0, k, b, rows, c, 0, n, (i0, i1, j0, j1) -> {
                for (int i = i0; i < i1; i++) for (int j = j0; j < j1; j++) seen.incrementAndGet(i * n + j);
            });
            for (int i = 0; i < m * n; i++) {
                assertEquals(expected[i], c[i], 1e-4f * (1 + Math.abs(expected[i])), "element " + i + " of " + m + "x" + n + "x" + k);
                assertEquals(1, seen.get(i), "epilogue calls covering element " + i);
            }
        }
    }

    /**
     * The product with B packed ahead (Winograd's transformed kernels) against the reference:
     * every element placed by packedIndex, depths across several KC blocks, widths that end
     * inside a micro-panel, and a C with a padded row stride left untouched past n.
     */
    @Test
    void packedProductMatchesReference() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int m = 1 + rnd.nextInt(trial < 30 ? 40 : 300), n = 1 + rnd.nextInt(100), k = 1 + rnd.nextInt(trial < 30 ? 60 : 700);
            float[] a = randomFloats(m * (k + 3), rnd), b = randomFloats(k * n, rnd);
            float[] packed = new float[Gemm.packedSize(k, n) + 7];
            boolean[] placed = new boolean[packed.length];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    int at = 7 + Gemm.packedIndex(k, n, p, j);
                    assertTrue(!placed[at], "two elements packed to " + at);
                    placed[at] = true;
                    packed[at] = b[p * n + j];
                }
            }
            int ldc = n + 2;
            float[] c = new float[m * ldc], expected = new float[m * ldc];
            java.util.Arrays.fill(c, 9f);
            java.util.Arrays.fill(expected, 9f);
            Gemm.sgemmPacked(m, n, k, a, 0, k + 3, packed, 7, c, 0, ldc);
            Gemm.sgemmReference(m, n, k, a, 0, k + 3, 1, b, 0, n, 1, expected, 0, ldc, false);
            for (int i = 0; i < c.length; i++) {
                assertEquals(expected[i], c[i], 1e-4f * (1 + (float) Math.sqrt(k)), "element " + i + " of " + m + "x" + n + "x" + k);
            }
        }
    }

    @Test
    void sgemmMatchesReferenceOnLargerShapes() {
        Random rnd = new Random(7);
        int[][] shapes = {{300, 200, 150}, {1, 700, 300}, {513, 49, 300}, {64, 1000, 147}, {37, 4100, 260}, {260, 33, 600}, {5, 300, 513}, {9, 70, 300}};
        for (int[] s : shapes) {
            for (Form fa : Form.values()) {
                checkSgemm(s[0], s[1], s[2], fa, Form.ROW_MAJOR, false, rnd);
                checkSgemm(s[0], s[1], s[2], Form.ROW_MAJOR, fa, true, rnd);
            }
        }
    }

    @Test
    void sgemmMatchesReferenceSingleThreaded() {
        Parallel.setNumThreads(1);
        Random rnd = new Random(3);
        checkSgemm(300, 200, 150, Form.TRANSPOSED, Form.TRANSPOSED, true, rnd);
        checkSgemm(1, 300, 150, Form.ROW_MAJOR, Form.ROW_MAJOR, false, rnd);
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6, 7};
        Gemm.sgemm(2, 2, 0, new float[0], 0, 0, 0, new float[0], 0, 0, 0, c, 1, 3, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, c);
        Gemm.sgemm(2, 2, 0, new float[0], 0, 0, 0, new float[0], 0, 0, 0, c, 1, 3, false);
        assertArrayEquals(new float[] {1, 0, 0, 4, 0, 0, 7}, c);
    }

    @Test
    void emptyOutputIsANoOp() {
        float[] c = {9};
        Gemm.sgemm(0, 5, 3, new float[15], 0, 3, 1, new float[15], 0, 5, 1, c, 0, 5, false);
        Gemm.sgemm(5, 0, 3, new float[15], 0, 3, 1, new float[15], 0, 5, 1, c, 0, 0, false);
        assertEquals(9f, c[0]);
    }

    @Test
    void dgemmMatchesScalarDefinition() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 100; trial++) {
            int m = 1 + rnd.nextInt(40);
            int n = 1 + rnd.nextInt(40);
            int k = rnd.nextInt(40);
            Strided la = Strided.of(randomForm(rnd), m, k, rnd);
            Strided lb = Strided.of(randomForm(rnd), k, n, rnd);
            double[] a = rnd.doubles(la.size()).toArray();
            double[] b = rnd.doubles(lb.size()).toArray();
            double[] c = rnd.doubles(m * n).toArray();
            double[] expected = c.clone();
            boolean accumulate = rnd.nextBoolean();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a[la.off() + i * la.rs() + p * la.cs()] * b[lb.off() + p * lb.rs() + j * lb.cs()];
                    }
                    expected[i * n + j] = accumulate ? expected[i * n + j] + sum : sum;
                }
            }
            Gemm.dgemm(m, n, k, a, la.off(), la.rs(), la.cs(), b, lb.off(), lb.rs(), lb.cs(), c, 0, n, accumulate);
            for (int i = 0; i < c.length; i++) {
                assertEquals(expected[i], c[i], 1e-12 * (k + 1), "element " + i);
            }
        }
    }

    @Test
    void forRangeCoversEveryIndexOnce() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            Parallel.setNumThreads(threads);
            for (int[] range : new int[][] {{0, 1}, {0, 7}, {5, 1005}, {-3, 3}, {10, 10}}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(range[1] - range[0] + 1);
                Parallel.forRange(range[0], range[1], 1, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) {
                        hits.incrementAndGet(i - range[0]);
                    }
                });
                for (int i = 0; i < range[1] - range[0]; i++) {
                    assertEquals(1, hits.get(i), "index " + (range[0] + i) + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void forRangeRespectsGrain() {
        Parallel.setNumThreads(4);
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(0, 100, 30, (lo, hi) -> sizes.add(hi - lo));
        assertEquals(3, sizes.size());
        assertTrue(sizes.stream().allMatch(s -> s >= 30), sizes.toString());
    }

    @Test
    void nestedForRangeRunsInline() {
        Parallel.setNumThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(100);
        Parallel.forRange(0, 10, 1, (lo, hi) -> {
            for (int outer = lo; outer < hi; outer++) {
                int row = outer;
                Thread self = Thread.currentThread();
                Parallel.forRange(0, 10, 1, (ilo, ihi) -> {
                    assertSame(self, Thread.currentThread());
                    for (int j = ilo; j < ihi; j++) {
                        hits.incrementAndGet(row * 10 + j);
                    }
                });
            }
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void exceptionInAChunkReachesTheCaller() {
        Parallel.setNumThreads(2);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Parallel.forRange(0, 100, 1, (lo, hi) -> {
                    if (hi == 100) {
                        throw new IllegalStateException("boom");
                    }
                }));
        assertEquals("boom", thrown.getMessage());
        // The pool is usable again afterwards.
        AtomicIntegerArray hits = new AtomicIntegerArray(1);
        Parallel.forRange(0, 100, 1, (lo, hi) -> hits.addAndGet(0, hi - lo));
        assertEquals(100, hits.get(0));
    }

    @Test
    void concurrentCallersAllComplete() throws InterruptedException {
        Parallel.setNumThreads(2);
        Random rnd = new Random(5);
        Thread[] users = new Thread[4];
        Throwable[] failures = new Throwable[users.length];
        for (int t = 0; t < users.length; t++) {
            int id = t;
            long seed = rnd.nextLong();
            users[t] = new Thread(() -> {
                try {
                    Random r = new Random(seed);
                    for (int i = 0; i < 20; i++) {
                        checkSgemm(40 + r.nextInt(90), 40 + r.nextInt(90), 40 + r.nextInt(90),
                                Form.ROW_MAJOR, Form.TRANSPOSED, false, r);
                    }
                } catch (Throwable e) {
                    failures[id] = e;
                }
            });
            users[t].start();
        }
        for (Thread u : users) {
            u.join();
        }
        for (Throwable f : failures) {
            if (f != null) {
                fail(f);
            }
        }
    }

    @Test
    void setNumThreadsRejectsNonPositive() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setNumThreads(0));
        Parallel.setNumThreads(1);
        assertEquals(1, Parallel.numThreads());
    }

    private static Form randomForm(Random rnd) {
        Form[] forms = Form.values();
        return forms[rnd.nextInt(forms.length)];
    }

    /**
     * Runs sgemm and the reference on the same operands (C with a padded row stride) and
     * compares elementwise. Both sum k float products in different orders, so each may be off
     * by about k ulps of sum |a||b|; the tolerance allows 1e-6 * k of that (8x headroom).
     */
    private static void checkSgemm(int m, int n, int k, Form fa, Form fb, boolean accumulate, Random rnd) {
        Strided la = Strided.of(fa, m, k, rnd);
        Strided lb = Strided.of(fb, k, n, rnd);
        float[] a = randomFloats(la.size(), rnd);
        float[] b = randomFloats(lb.size(), rnd);
        int cOff = rnd.nextInt(3);
        int ldc = n + rnd.nextInt(3);
        float[] c = randomFloats(cOff + m * ldc, rnd);
        float[] expected = c.clone();
        Gemm.sgemm(m, n, k, a, la.off(), la.rs(), la.cs(), b, lb.off(), lb.rs(), lb.cs(), c, cOff, ldc, accumulate);
        Gemm.sgemmReference(m, n, k, a, la.off(), la.rs(), la.cs(), b, lb.off(), lb.rs(), lb.cs(),
                expected, cOff, ldc, accumulate);
        String what = m + "x" + n + "x" + k + " A " + fa + " B " + fb + (accumulate ? " accumulate" : "");
        for (int idx = 0; idx < c.length; idx++) {
            int i = (idx - cOff) / ldc;
            int j = (idx - cOff) % ldc;
            boolean inC = idx >= cOff && j < n;
            if (!inC) {
                assertEquals(expected[idx], c[idx], 0f, what + ": wrote outside C at " + idx);
                continue;
            }
            double scale = accumulate ? Math.abs(expected[idx]) : 0;
            for (int p = 0; p < k; p++) {
                scale += Math.abs(a[la.off() + i * la.rs() + p * la.cs()] * b[lb.off() + p * lb.rs() + j * lb.cs()]);
            }
            assertEquals(expected[idx], c[idx], 1e-6 * (k + 1) * scale + 1e-30, what + ": C(" + i + "," + j + ")");
        }
    }

    private static float[] randomFloats(int size, Random rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
