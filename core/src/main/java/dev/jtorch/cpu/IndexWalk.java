package dev.jtorch.cpu;

/** Visits every index tuple of a shape in row-major order; the clear, slow walk the reference kernels use. */
final class IndexWalk {
    private IndexWalk() {}

    interface Body { void at(int[] index); }

    static void forEach(int[] shape, Body body) {
        for (int d : shape) if (d == 0) return;
        int[] idx = new int[shape.length];
        while (true) {
            body.at(idx);
            int d = shape.length - 1;
            while (d >= 0) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    static int offset(int[] index, int[] strides, int base) {
        int off = base;
        for (int i = 0; i < index.length; i++) off += index[i] * strides[i];
        return off;
    }
}
