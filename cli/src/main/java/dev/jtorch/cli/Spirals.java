package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

/** Points on interleaved noisy spirals, one arm per class: a task a linear model cannot solve. */
record Spirals(Tensor x, Tensor y) {

    static Spirals make(int perClass, int classes) {
        int n = perClass * classes;
        float[] xs = new float[n * 2];
        long[] ys = new long[n];
        double[] noise = Torch.randn(dev.jtorch.DType.FLOAT64, n).mul(0.2).toDoubleArray();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                int k = c * perClass + i;
                double r = (double) i / perClass;
                double theta = c * 4.0 + r * 4.0 + noise[k];
                xs[2 * k] = (float) (r * Math.sin(theta));
                xs[2 * k + 1] = (float) (r * Math.cos(theta));
                ys[k] = c;
            }
        }
        return new Spirals(Torch.tensor(xs, n, 2), Torch.tensor(ys, n));
    }
}
