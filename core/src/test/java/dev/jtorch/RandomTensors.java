package dev.jtorch;

import java.util.Random;

/** Random float64 tensors for the tests that compare a float32 route against the float64 one. */
public final class RandomTensors {
    private RandomTensors() {}

    /** A float64 tensor of the given shape with standard normal entries drawn from {@code rnd}. */
    public static Tensor gaussian(Random rnd, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
        return Torch.tensor(v).reshape(shape);
    }
}
