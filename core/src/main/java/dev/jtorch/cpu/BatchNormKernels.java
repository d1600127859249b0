package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation over {@code [N, C, *]}, one channel at a time: the input is viewed as
 * N segments of S contiguous values per channel (S = the product of the trailing dimensions), so
 * each channel's statistics, normalisation and gradient sums are short loops over contiguous
 * runs, and channels are split across the intra-op pool.
 *
 * <p>Forward: mean, then the biased variance as the mean squared deviation (two passes, no
 * cancellation), then {@code y = x * scale + shift} with one scale and shift per channel. Backward:
 * one pass for {@code Σdy} and {@code Σdy·x̂}, one for {@code dx = a·dy + b·x + c}. Sums are
 * carried in float vectors within a segment and in double across segments.
 *
 * <p>float32 runs on {@link #forwardFloat}/{@link #backwardFloat}; any other floating dtype (and
 * everything under {@code -Djtorch.simd=false}) on the scalar {@link #forwardReference}/
 * {@link #backwardReference}, the oracle.
 */
final class BatchNormKernels {
    private BatchNormKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Items of work below which a parallel loop is not worth waking the pool for. */
    private static final int GRAIN_ELEMENTS = 1 << 14;

    /** The [N, C, S] view of a contiguous input. */
    private record Dims(int n, int c, int s) {
        static Dims of(Layout l) {
            int[] shape = l.shape();
            int s = 1;
            for (int d = 2; d < shape.length; d++) s *= shape[d];
            return new Dims(shape[0], shape[1], s);
        }

        long perChannel() { return (long) n * s; }

        int grain() { return (int) Math.max(1, GRAIN_ELEMENTS / Math.max(1, perChannel())); }
    }

    /** A per-channel vector (weight, bias, running statistics): element c, or {@code absent} when null. */
    private static double channel(CpuStorage s, Layout l, int c, double absent) {
        return s == null ? absent : s.getDouble(l.offset() + c * l.strides()[0]);
    }

    private static void setChannel(CpuStorage s, Layout l, int c, double v) {
        s.setDouble(l.offset() + c * l.strides()[0], v);
    }

    /**
     * Updates the running statistics of channel c (if kept) with a batch's mean and biased
     * variance: running_var moves toward the unbiased variance, as in PyTorch.
     */
    private static void updateRunning(CpuStorage rm, Layout rml, CpuStorage rv, Layout rvl, int c, double mean,
                                      double var, long count, double momentum) {
        if (rm != null) setChannel(rm, rml, c, (1 - momentum) * channel(rm, rml, c, 0) + momentum * mean);
        if (rv != null) {
            double unbiased = var * count / (count - 1);
            setChannel(rv, rvl, c, (1 - momentum) * channel(rv, rvl, c, 0) + momentum * unbiased);
        }
    }

    // ---- forward ---------------------------------------------------------------------------

    static void forward(CpuStorage x, Layout xl, CpuStorage w, Layout wl, CpuStorage b, Layout bl,
                        CpuStorage rm, Layout rml, CpuStorage rv, Layout rvl, boolean training, double momentum,
                        double eps, CpuStorage y, Layout yl, CpuStorage saveMean, CpuStorage saveInvstd) {
        DenseOperand.requireContiguous(yl, "batch_norm output");
        DenseOperand xd = DenseOperand.of(x, xl);
        if (CpuBackend.FAST && x.dtype() == DType.FLOAT32) {
            forwardFloat(xd.floats(), xd.offset(), Dims.of(xl), w, wl, b, bl, rm, rml, rv, rvl, training, momentum, eps,
                    y.floats(), yl.offset(), saveMean.floats(), saveInvstd.floats());
        } else {
            forwardReference(xd.storage(), xd.offset(), Dims.of(xl), w, wl, b, bl, rm, rml, rv, rvl, training, momentum,
                    eps, y, yl.offset(), saveMean, saveInvstd);
        }
    }

    private static void forwardFloat(float[] x, int xOff, Dims d, CpuStorage w, Layout wl, CpuStorage b, Layout bl,
                                     CpuStorage rm, Layout rml, CpuStorage rv, Layout rvl, boolean training,
                                     double momentum, double eps, float[] y, int yOff, float[] mean, float[] invstd) {
        int cs = d.c() * d.s();
        Parallel.forRange(0, d.c(), d.grain(), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                int first = c * d.s();
                double mu, var;
                if (training) {
                    double sum = 0;
                    for (int n = 0; n < d.n(); n++) sum += sum(x, xOff + first + n * cs, d.s());
                    mu = sum / d.perChannel();
                    double sq = 0;
                    for (int n = 0; n < d.n(); n++) sq += squaredDeviation(x, xOff + first + n * cs, d.s(), (float) mu);
                    var = sq / d.perChannel();
                    updateRunning(rm, rml, rv, rvl, c, mu, var, d.perChannel(), momentum);
                } else {
                    mu = channel(rm, rml, c, 0);
                    var = channel(rv, rvl, c, 1);
                }
                double inv = 1 / Math.sqrt(var + eps);
                mean[c] = (float) mu;
                invstd[c] = (float) inv;
                double scale = inv * channel(w, wl, c, 1);
                double shift = channel(b, bl, c, 0) - mu * scale;
                for (int n = 0; n < d.n(); n++) {
                    int at = first + n * cs;
                    affine(x, xOff + at, y, yOff + at, d.s(), (float) scale, (float) shift);
                }
            }
        });
    }

    private static void forwardReference(CpuStorage x, int xOff, Dims d, CpuStorage w, Layout wl, CpuStorage b,
                                         Layout bl, CpuStorage rm, Layout rml, CpuStorage rv, Layout rvl,
                                         boolean training, double momentum, double eps, CpuStorage y, int yOff,
                                         CpuStorage mean, CpuStorage invstd) {
        int cs = d.c() * d.s();
        for (int c = 0; c < d.c(); c++) {
            int first = c * d.s();
            double mu, var;
            if (training) {
                double sum = 0;
                for (int n = 0; n < d.n(); n++) {
                    for (int i = 0; i < d.s(); i++) sum += x.getDouble(xOff + first + n * cs + i);
                }
                mu = sum / d.perChannel();
                double sq = 0;
                for (int n = 0; n < d.n(); n++) {
                    for (int i = 0; i < d.s(); i++) {
                        double dev = x.getDouble(xOff + first + n * cs + i) - mu;
                        sq += dev * dev;
                    }
                }
                var = sq / d.perChannel();
                updateRunning(rm, rml, rv, rvl, c, mu, var, d.perChannel(), momentum);
            } else {
                mu = channel(rm, rml, c, 0);
                var = channel(rv, rvl, c, 1);
            }
            double inv = 1 / Math.sqrt(var + eps);
            mean.setDouble(c, mu);
            invstd.setDouble(c, inv);
            double gamma = channel(w, wl, c, 1), beta = channel(b, bl, c, 0);
            for (int n = 0; n < d.n(); n++) {
                for (int i = 0; i < d.s(); i++) {
                    int at = first + n * cs + i;
                    y.setDouble(yOff + at, (x.getDouble(xOff + at) - mu) * inv * gamma + beta);
                }
            }
        }
    }

    // ---- backward --------------------------------------------------------------------------

    /**
     * Gradients of batch_norm from gradOut, the input and the statistics the forward saved.
     * {@code gx} (contiguous, overwritten), {@code gw} and {@code gb} (contiguous [C]) may each be
     * null when not wanted. In training the statistics depend on the input, which adds the two
     * mean terms to dx; in eval they are constants.
     */
    static void backward(CpuStorage gy, Layout gyl, CpuStorage x, Layout xl, CpuStorage w, Layout wl,
                         CpuStorage saveMean, CpuStorage saveInvstd, boolean training, CpuStorage gx, Layout gxl,
                         CpuStorage gw, CpuStorage gb) {
        if (gx != null) DenseOperand.requireContiguous(gxl, "batch_norm input gradient");
        DenseOperand gd = DenseOperand.of(gy, gyl), xd = DenseOperand.of(x, xl);
        Dims d = Dims.of(xl);
        if (CpuBackend.FAST && x.dtype() == DType.FLOAT32) {
            backwardFloat(gd.floats(), gd.offset(), xd.floats(), xd.offset(), d, w, wl, saveMean.floats(),
                    saveInvstd.floats(), training, gx == null ? null : gx.floats(), gx == null ? 0 : gxl.offset(),
                    gw == null ? null : gw.floats(), gb == null ? null : gb.floats());
        } else {
            backwardReference(gd.storage(), gd.offset(), xd.storage(), xd.offset(), d, w, wl, saveMean, saveInvstd,
                    training, gx, gx == null ? 0 : gxl.offset(), gw, gb);
        }
    }

    private static void backwardFloat(float[] gy, int gyOff, float[] x, int xOff, Dims d, CpuStorage w, Layout wl,
                                      float[] mean, float[] invstd, boolean training, float[] gx, int gxOff,
                                      float[] gw, float[] gb) {
        int cs = d.c() * d.s();
        boolean needSums = gw != null || gb != null || (gx != null && training);
        Parallel.forRange(0, d.c(), d.grain(), (lo, hi) -> {
            float[] pair = new float[2];
            for (int c = lo; c < hi; c++) {
                int first = c * d.s();
                double mu = mean[c], inv = invstd[c];
                double sumDy = 0, sumDyXmu = 0;
                if (needSums) {
                    for (int n = 0; n < d.n(); n++) {
                        int at = first + n * cs;
                        gradSums(gy, gyOff + at, x, xOff + at, d.s(), (float) mu, pair);
                        sumDy += pair[0];
                        sumDyXmu += pair[1];
                    }
                }
                if (gb != null) gb[c] = (float) sumDy;
                if (gw != null) gw[c] = (float) (sumDyXmu * inv);
                if (gx == null) continue;
                double a = inv * channel(w, wl, c, 1);
                double bx = 0, k = 0;
                if (training) {
                    // dx = a * (dy - Σdy/M - (x - mean) * inv² * Σdy(x - mean)/M) = a*dy + bx*x + k
                    double m = d.perChannel();
                    bx = -a * inv * inv * sumDyXmu / m;
                    k = -a * sumDy / m - bx * mu;
                }
                for (int n = 0; n < d.n(); n++) {
                    int at = first + n * cs;
                    gradInput(gy, gyOff + at, x, xOff + at, gx, gxOff + at, d.s(), (float) a, (float) bx, (float) k);
                }
            }
        });
    }

    private static void backwardReference(CpuStorage gy, int gyOff, CpuStorage x, int xOff, Dims d, CpuStorage w,
                                          Layout wl, CpuStorage mean, CpuStorage invstd, boolean training,
                                          CpuStorage gx, int gxOff, CpuStorage gw, CpuStorage gb) {
        int cs = d.c() * d.s();
        for (int c = 0; c < d.c(); c++) {
            int first = c * d.s();
            double mu = mean.getDouble(c), inv = invstd.getDouble(c);
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < d.n(); n++) {
                for (int i = 0; i < d.s(); i++) {
                    int at = first + n * cs + i;
                    double dy = gy.getDouble(gyOff + at);
                    sumDy += dy;
                    sumDyXhat += dy * (x.getDouble(xOff + at) - mu) * inv;
                }
            }
            if (gb != null) gb.setDouble(c, sumDy);
            if (gw != null) gw.setDouble(c, sumDyXhat);
            if (gx == null) continue;
            double gamma = channel(w, wl, c, 1), m = d.perChannel();
            for (int n = 0; n < d.n(); n++) {
                for (int i = 0; i < d.s(); i++) {
                    int at = first + n * cs + i;
                    double dy = gy.getDouble(gyOff + at);
                    double g = training
                            ? dy - sumDy / m - (x.getDouble(xOff + at) - mu) * inv * sumDyXhat / m
                            : dy;
                    gx.setDouble(gxOff + at, g * inv * gamma);
                }
            }
        }
    }

    // ---- float32 loops over one contiguous segment -----------------------------------------

    private static double sum(float[] x, int off, int len) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int v = F.length(), i = 0;
        for (int bound = len - len % (2 * v); i < bound; i += 2 * v) {
            a0 = a0.add(FloatVector.fromArray(F, x, off + i));
            a1 = a1.add(FloatVector.fromArray(F, x, off + i + v));
        }
        double s = LaneSum.of(a0.add(a1));
        for (; i < len; i++) s += x[off + i];
        return s;
    }

    private static double squaredDeviation(float[] x, int off, int len, float mean) {
        FloatVector mu = FloatVector.broadcast(F, mean);
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int v = F.length(), i = 0;
        for (int bound = len - len % (2 * v); i < bound; i += 2 * v) {
            FloatVector d0 = FloatVector.fromArray(F, x, off + i).sub(mu);
            FloatVector d1 = FloatVector.fromArray(F, x, off + i + v).sub(mu);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        double s = LaneSum.of(a0.add(a1));
        for (; i < len; i++) {
            double dev = x[off + i] - mean;
            s += dev * dev;
        }
        return s;
    }

    private static void affine(float[] x, int xo, float[] y, int yo, int len, float scale, float shift) {
        FloatVector sc = FloatVector.broadcast(F, scale), sh = FloatVector.broadcast(F, shift);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(sc, sh).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] = x[xo + i] * scale + shift;
    }

    /** out[0] = Σ dy, out[1] = Σ dy * (x - mean) over one segment. */
    private static void gradSums(float[] gy, int go, float[] x, int xo, int len, float mean, float[] out) {
        FloatVector mu = FloatVector.broadcast(F, mean);
        FloatVector s0 = FloatVector.zero(F), p0 = s0;
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector dy = FloatVector.fromArray(F, gy, go + i);
            s0 = s0.add(dy);
            p0 = dy.fma(FloatVector.fromArray(F, x, xo + i).sub(mu), p0);
        }
        float s = LaneSum.of(s0), p = LaneSum.of(p0);
        for (; i < len; i++) {
            s += gy[go + i];
            p += gy[go + i] * (x[xo + i] - mean);
        }
        out[0] = s;
        out[1] = p;
    }

    /** dx = a * dy + b * x + k over one segment. */
    private static void gradInput(float[] gy, int go, float[] x, int xo, float[] gx, int gxo, int len,
                                  float a, float b, float k) {
        FloatVector va = FloatVector.broadcast(F, a), vb = FloatVector.broadcast(F, b), vk = FloatVector.broadcast(F, k);
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += F.length()) {
            FloatVector t = FloatVector.fromArray(F, x, xo + i).fma(vb, vk);
            FloatVector.fromArray(F, gy, go + i).fma(va, t).intoArray(gx, gxo + i);
        }
        for (; i < len; i++) gx[gxo + i] = a * gy[go + i] + b * x[xo + i] + k;
    }
}
