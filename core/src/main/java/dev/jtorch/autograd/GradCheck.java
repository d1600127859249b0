package dev.jtorch.autograd;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * PyTorch's {@code torch.autograd.gradcheck}: compares the gradients that backward computes with
 * central finite differences, for every output element against every input element. Use float64
 * inputs; only inputs with {@code requiresGrad} are checked.
 *
 * {@snippet :
 * Tensor x = Torch.randn(DType.FLOAT64, 3, 4).requiresGrad_(true);
 * GradCheck.check(in -> in[0].tanh().sum(1, false), x); // throws GradCheck.Failure on a mismatch
 * }
 */
public final class GradCheck {
    private GradCheck() {}

    /** PyTorch's defaults. */
    public static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    /** Thrown with the first mismatching entry and both Jacobians. */
    public static final class Failure extends AssertionError {
        Failure(String message) { super(message); }
    }

    public static void check(Function<Tensor[], Tensor> fn, Tensor... inputs) {
        check(fn, EPS, ATOL, RTOL, inputs);
    }

    /** Returns normally when every Jacobian entry satisfies {@code |analytical - numerical| <= atol + rtol * |numerical|}. */
    public static void check(Function<Tensor[], Tensor> fn, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.requiresGrad() && t.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradcheck needs float64 inputs (finite differences in float32 are too "
                        + "coarse), got " + t.dtype().pyName());
            }
        }
        Tensor out = fn.apply(inputs);
        int outN = out.numel();
        for (int which = 0; which < inputs.length; which++) {
            Tensor input = inputs[which];
            if (!input.requiresGrad()) continue;
            double[][] numerical = numericalJacobian(fn, inputs, which, eps, outN);
            double[][] analytical = analyticalJacobian(fn, inputs, which, outN);
            compare(numerical, analytical, which, atol, rtol);
        }
    }

    /** Column j = (f(x + eps e_j) - f(x - eps e_j)) / 2 eps, evaluated on fresh copies of the inputs. */
    private static double[][] numericalJacobian(Function<Tensor[], Tensor> fn, Tensor[] inputs, int which, double eps,
                                                int outN) {
        Tensor x = inputs[which];
        double[] base = x.toDoubleArray();
        double[][] jac = new double[base.length][outN];
        try (var noGrad = GradMode.set(false)) {
            for (int j = 0; j < base.length; j++) {
                double[] plus = evaluate(fn, inputs, which, base, j, eps);
                double[] minus = evaluate(fn, inputs, which, base, j, -eps);
                for (int k = 0; k < outN; k++) jac[j][k] = (plus[k] - minus[k]) / (2 * eps);
            }
        }
        return jac;
    }

    private static double[] evaluate(Function<Tensor[], Tensor> fn, Tensor[] inputs, int which, double[] base, int j,
                                     double delta) {
        double[] moved = base.clone();
        moved[j] += delta;
        Tensor[] args = inputs.clone();
        // reshape, not Torch.tensor(data, shape): an empty shape there means 1-D, and 0-dim inputs must stay 0-dim.
        args[which] = Torch.tensor(moved).reshape(inputs[which].shape());
        return fn.apply(args).toDoubleArray();
    }

    /** Row k = the gradient of output element k, by one backward pass with a one-hot grad_output. */
    private static double[][] analyticalJacobian(Function<Tensor[], Tensor> fn, Tensor[] inputs, int which, int outN) {
        Tensor x = inputs[which];
        double[][] jac = new double[x.numel()][outN];
        for (int k = 0; k < outN; k++) {
            for (Tensor t : inputs) if (t.requiresGrad()) t.setGrad(null);
            Tensor out = fn.apply(inputs);
            if (!out.requiresGrad()) return jac; // the output does not depend on any input: all zeros
            double[] oneHot = new double[outN];
            oneHot[k] = 1;
            out.backward(Torch.tensor(oneHot).reshape(out.shape()).to(out.dtype()));
            Tensor g = x.grad();
            if (g == null) continue;
            double[] row = g.toDoubleArray();
            for (int j = 0; j < row.length; j++) jac[j][k] = row[j];
        }
        for (Tensor t : inputs) if (t.requiresGrad()) t.setGrad(null);
        return jac;
    }

    private static void compare(double[][] numerical, double[][] analytical, int which, double atol, double rtol) {
        for (int j = 0; j < numerical.length; j++) {
            for (int k = 0; k < numerical[j].length; k++) {
                double n = numerical[j][k], a = analytical[j][k];
                if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
                    throw new Failure(String.format(Locale.ROOT,
                            "Jacobian mismatch for output %d with respect to input %d, element %d: numerical %.10g, analytical %.10g%n"
                                    + "numerical:%n%s%nanalytical:%n%s", k, which, j, n, a, format(numerical), format(analytical)));
                }
            }
        }
    }

    private static String format(double[][] m) {
        StringBuilder sb = new StringBuilder();
        for (double[] row : m) sb.append(Arrays.toString(row)).append('\n');
        return sb.toString();
    }
}
