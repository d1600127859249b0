package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.ReduceOp;
import dev.jtorch.backend.UnaryOp;

/**
 * Plain scalar kernels for every dtype, one element at a time through {@link ScalarMath}. They
 * are the oracle for the fast kernels, the path for dtypes without a fast kernel, and what runs
 * when {@code -Djtorch.simd=false}. Written to be obviously right, not fast.
 */
final class ReferenceKernels {
    private ReferenceKernels() {}

    private static boolean isInt(CpuStorage s) {
        return s.dtype().kind() != DType.Kind.FLOAT;
    }

    static void fill(CpuStorage dst, Layout l, double value) {
        int[] st = l.strides();
        IndexWalk.forEach(l.shape(), idx -> dst.setDouble(IndexWalk.offset(idx, st, l.offset()), value));
    }

    static void copy(CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        int[] lsS = ls.strides();
        int[] ldS = ld.strides();
        boolean integral = isInt(src) && isInt(dst);
        IndexWalk.forEach(ls.shape(), idx -> {
            int i = IndexWalk.offset(idx, lsS, ls.offset());
            int o = IndexWalk.offset(idx, ldS, ld.offset());
            if (integral) dst.setLong(o, src.getLong(i));
            else dst.setDouble(o, src.getDouble(i));
        });
    }

    static void unary(UnaryOp op, double p0, double p1, CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        int[] lsS = ls.strides();
        int[] ldS = ld.strides();
        boolean integral = isInt(src) && isInt(dst) && ScalarMath.keepsIntegers(op);
        IndexWalk.forEach(ld.shape(), idx -> {
            int i = IndexWalk.offset(idx, lsS, ls.offset());
            int o = IndexWalk.offset(idx, ldS, ld.offset());
            if (integral) dst.setLong(o, ScalarMath.unaryLong(op, src.getLong(i), p0, p1));
            else dst.setDouble(o, ScalarMath.unary(op, src.getDouble(i), p0, p1));
        });
    }

    static void binary(BinaryOp op, CpuStorage a, Layout la, CpuStorage b, Layout lb, CpuStorage dst, Layout ld) {
        int[] laS = la.strides();
        int[] lbS = lb.strides();
        int[] ldS = ld.strides();
        boolean integral = isInt(a);
        IndexWalk.forEach(ld.shape(), idx -> {
            int ia = IndexWalk.offset(idx, laS, la.offset());
            int ib = IndexWalk.offset(idx, lbS, lb.offset());
            int o = IndexWalk.offset(idx, ldS, ld.offset());
            if (integral) dst.setLong(o, ScalarMath.binaryLong(op, a.getLong(ia), b.getLong(ib)));
            else dst.setDouble(o, ScalarMath.binary(op, a.getDouble(ia), b.getDouble(ib)));
        });
    }

    static void where(CpuStorage c, Layout lc, CpuStorage a, Layout la, CpuStorage b, Layout lb,
                      CpuStorage dst, Layout ld) {
        int[] lcS = lc.strides();
        int[] ldS = ld.strides();
        boolean integral = isInt(a) && isInt(dst);
        IndexWalk.forEach(ld.shape(), idx -> {
            boolean pick = c.getLong(IndexWalk.offset(idx, lcS, lc.offset())) != 0;
            CpuStorage s = pick ? a : b;
            Layout l = pick ? la : lb;
            int i = IndexWalk.offset(idx, l.strides(), l.offset());
            int o = IndexWalk.offset(idx, ldS, ld.offset());
            if (integral) dst.setLong(o, s.getLong(i));
            else dst.setDouble(o, s.getDouble(i));
        });
    }

    /** Accumulates in double (or long) per output element, then stores once. */
    static void reduce(ReduceOp op, CpuStorage src, Layout ls, CpuStorage dst, Layout ld) {
        int[] lsS = ls.strides();
        int[] ldS = ld.strides();
        int[] srcShape = ls.shape();
        int[] reducedShape = new int[srcShape.length];
        for (int d = 0; d < srcShape.length; d++) reducedShape[d] = ld.shape()[d] == srcShape[d] ? 1 : srcShape[d];
        boolean integral = isInt(src) && isInt(dst);
        IndexWalk.forEach(ld.shape(), out -> {
            int[] full = new int[srcShape.length];
            double[] acc = {initial(op)};
            long[] accL = {initialLong(op)};
            IndexWalk.forEach(reducedShape, r -> {
                for (int d = 0; d < full.length; d++) full[d] = out[d] + r[d];
                int i = IndexWalk.offset(full, lsS, ls.offset());
                if (integral) accL[0] = combine(op, accL[0], src.getLong(i));
                else acc[0] = combine(op, acc[0], src.getDouble(i));
            });
            int o = IndexWalk.offset(out, ldS, ld.offset());
            if (integral) dst.setLong(o, accL[0]);
            else dst.setDouble(o, acc[0]);
        });
    }

    static double initial(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    private static long initialLong(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case PROD -> 1;
            case MAX -> Long.MIN_VALUE;
            case MIN -> Long.MAX_VALUE;
        };
    }

    static double combine(ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            // Math.max/min propagate NaN, as PyTorch's max/min reductions do.
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    private static long combine(ReduceOp op, long acc, long v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    static void argReduce(boolean max, CpuStorage src, Layout ls, int dim, CpuStorage values, CpuStorage indices,
                          Layout lo) {
        int[] lsS = ls.strides();
        int[] loS = lo.strides();
        int n = ls.shape()[dim];
        int stride = lsS[dim];
        IndexWalk.forEach(lo.shape(), out -> {
            int base = IndexWalk.offset(out, lsS, ls.offset());
            int best = 0;
            double bestValue = src.getDouble(base);
            for (int i = 1; i < n && !Double.isNaN(bestValue); i++) {
                double v = src.getDouble(base + i * stride);
                if (Double.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
                    best = i;
                    bestValue = v;
                }
            }
            int o = IndexWalk.offset(out, loS, lo.offset());
            if (values != null) {
                if (isInt(src)) values.setLong(o, src.getLong(base + best * stride));
                else values.setDouble(o, bestValue);
            }
            indices.setLong(o, best);
        });
    }

    static void matmul(CpuStorage a, Layout la, CpuStorage b, Layout lb, CpuStorage c, Layout lc, boolean accumulate) {
        int[] laS = la.strides();
        int[] lbS = lb.strides();
        int[] lcS = lc.strides();
        int batch = lc.shape()[0], m = lc.shape()[1], n = lc.shape()[2], k = la.shape()[2];
        boolean integral = isInt(a);
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int co = lc.offset() + bi * lcS[0] + i * lcS[1] + j * lcS[2];
                    double acc = accumulate ? c.getDouble(co) : 0;
                    long accL = accumulate ? c.getLong(co) : 0;
                    for (int p = 0; p < k; p++) {
                        int ao = la.offset() + bi * laS[0] + i * laS[1] + p * laS[2];
                        int bo = lb.offset() + bi * lbS[0] + p * lbS[1] + j * lbS[2];
                        if (integral) accL += a.getLong(ao) * b.getLong(bo);
                        else acc += a.getDouble(ao) * b.getDouble(bo);
                    }
                    if (integral) c.setLong(co, accL);
                    else c.setDouble(co, acc);
                }
            }
        }
    }

    /** Shared walk of indexSelect/indexAdd: for each position of the indexed side, the matching source position. */
    static void indexSelect(CpuStorage src, Layout ls, int dim, CpuStorage index, Layout li,
                            CpuStorage dst, Layout ld, boolean add) {
        int[] lsS = ls.strides();
        int[] liS = li.strides();
        int[] ldS = ld.strides();
        // add == false: dst[.., i, ..] = src[.., index[i], ..]; add == true: src[.., index[i], ..] += dst[.., i, ..]
        int limit = ls.shape()[dim];
        IndexWalk.forEach(ld.shape(), idx -> {
            int i = idx[dim];
            long target = index.getLong(li.offset() + i * liS[0]);
            if (target < -limit || target >= limit) {
                throw new IndexOutOfBoundsException("index " + target + " is out of bounds for dimension " + dim
                        + " with size " + limit);
            }
            int[] full = idx.clone();
            full[dim] = (int) (target < 0 ? target + limit : target);
            int s = IndexWalk.offset(full, lsS, ls.offset());
            int o = IndexWalk.offset(idx, ldS, ld.offset());
            if (add) src.setDouble(s, src.getDouble(s) + dst.getDouble(o));
            else if (isInt(src)) dst.setLong(o, src.getLong(s));
            else dst.setDouble(o, src.getDouble(s));
        });
    }

    /** gather (add == false): out[idx] = src[idx with dim replaced by index[idx]]; scatterAdd (add == true) the reverse. */
    static void gather(CpuStorage src, Layout ls, int dim, CpuStorage index, Layout li,
                       CpuStorage out, Layout lo, boolean add) {
        int[] lsS = ls.strides();
        int[] liS = li.strides();
        int[] loS = lo.strides();
        int limit = ls.shape()[dim];
        IndexWalk.forEach(li.shape(), idx -> {
            long target = index.getLong(IndexWalk.offset(idx, liS, li.offset()));
            if (target < -limit || target >= limit) {
                throw new IndexOutOfBoundsException("index " + target + " is out of bounds for dimension " + dim
                        + " with size " + limit);
            }
            int[] full = idx.clone();
            full[dim] = (int) (target < 0 ? target + limit : target);
            int s = IndexWalk.offset(full, lsS, ls.offset());
            int o = IndexWalk.offset(idx, loS, lo.offset());
            if (add) src.setDouble(s, src.getDouble(s) + out.getDouble(o));
            else if (isInt(src)) out.setLong(o, src.getLong(s));
            else out.setDouble(o, src.getDouble(s));
        });
    }
}
