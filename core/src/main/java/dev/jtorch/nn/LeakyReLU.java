package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.LeakyReLU(negative_slope=0.01, inplace=False)}: x for x > 0, negative_slope * x otherwise. */
public class LeakyReLU extends Module {
    public final double negativeSlope;
    public final boolean inplace;

    public LeakyReLU(double negativeSlope, boolean inplace) {
        this.negativeSlope = negativeSlope;
        this.inplace = inplace;
    }

    public LeakyReLU(double negativeSlope) { this(negativeSlope, false); }

    public LeakyReLU() { this(0.01, false); }

    @Override
    public Tensor forward(Tensor input) { return F.leakyRelu(input, negativeSlope, inplace); }

    @Override
    public String extraRepr() { return "negative_slope=" + PyFormat.number(negativeSlope) + (inplace ? ", inplace=True" : ""); }
}
