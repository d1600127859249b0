package dev.jtorch.nn;

import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.function.Supplier;

/** {@code torch.nn.init}: in-place initialisers, run without recording history. */
public final class Init {
    private Init() {}

    /** Bound while {@link #forOverwrite} builds: the initialisers leave tensors as they are. */
    private static final ScopedValue<Boolean> OVERWRITTEN = ScopedValue.newInstance();

    /**
     * Builds something whose every parameter and buffer the caller overwrites next, as a strict
     * state-dict load does: the initialisers below then write nothing and only move the default
     * generator on as far as their draws would have, so what is drawn afterwards is the same as
     * after a full initialisation. Drawing and converting ResNet-18's 11.7M random values took
     * longer than the whole forward pass it was built for. Only for the current thread's build;
     * a model that escapes without being overwritten holds zeros, so callers must not let it.
     */
    public static <T> T forOverwrite(Supplier<T> build) {
        return ScopedValue.where(OVERWRITTEN, Boolean.TRUE).call(build::get);
    }

    private static boolean overwritten() { return OVERWRITTEN.isBound(); }

    /** {@code calculate_gain}: the recommended gain for a nonlinearity (param is LeakyReLU's slope). */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
        };
    }

    /** (fan_in, fan_out) of a weight: dims 1 and 0 times the receptive field size. */
    public static int[] fanInAndFanOut(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        }
        int receptive = 1;
        for (int d = 2; d < t.dim(); d++) receptive *= t.size(d);
        return new int[]{t.size(1) * receptive, t.size(0) * receptive};
    }

    private static int fan(Tensor t, String mode) {
        return switch (mode) {
            case "fan_in" -> fanInAndFanOut(t)[0];
            case "fan_out" -> fanInAndFanOut(t)[1];
            default -> throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of fan_in, fan_out");
        };
    }

    public static Tensor uniform_(Tensor t, double a, double b) {
        if (overwritten()) {
            Torch.defaultGenerator().skip(Generator.uniformDraws(t.numel()));
            return t;
        }
        try (var g = Torch.noGrad()) { return t.uniform_(a, b); }
    }

    public static Tensor normal_(Tensor t, double mean, double std) {
        if (overwritten()) {
            Torch.defaultGenerator().skip(Generator.normalDraws(t.numel()));
            return t;
        }
        try (var g = Torch.noGrad()) { return t.normal_(mean, std); }
    }

    public static Tensor constant_(Tensor t, double value) {
        if (overwritten()) return t;
        try (var g = Torch.noGrad()) { return t.fill_(value); }
    }

    public static Tensor zeros_(Tensor t) { return constant_(t, 0); }

    public static Tensor ones_(Tensor t) { return constant_(t, 1); }

    /** He et al.: U(-b, b) with b = gain * sqrt(3 / fan). */
    public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
        double bound = Math.sqrt(3.0) * std;
        return uniform_(t, -bound, bound);
    }

    /** Defaults a=0, mode=fan_in, nonlinearity=leaky_relu, as PyTorch's. */
    public static Tensor kaimingUniform_(Tensor t) { return kaimingUniform_(t, 0, "fan_in", "leaky_relu"); }

    public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity) {
        return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode)));
    }

    public static Tensor kaimingNormal_(Tensor t) { return kaimingNormal_(t, 0, "fan_in", "leaky_relu"); }

    /** Glorot: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform_(Tensor t, double gain) {
        int[] f = fanInAndFanOut(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform_(t, -bound, bound);
    }

    public static Tensor xavierUniform_(Tensor t) { return xavierUniform_(t, 1); }

    public static Tensor xavierNormal_(Tensor t, double gain) {
        int[] f = fanInAndFanOut(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    public static Tensor xavierNormal_(Tensor t) { return xavierNormal_(t, 1); }

    /**
     * The default initialisation of Linear and Conv layers: kaiming_uniform(a=sqrt(5)) on the
     * weight, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
     */
    static void defaultLinearInit(Tensor weight, Tensor bias) {
        kaimingUniform_(weight, Math.sqrt(5), "fan_in", "leaky_relu");
        if (bias != null) {
            int fanIn = fanInAndFanOut(weight)[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform_(bias, -bound, bound);
        }
    }
}
