package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.Dropout2d(p=0.5, inplace=False)}: in training, zeroes whole channels of an
 * {@code [N, C, H, W]} input (each with probability p) and scales the rest by 1/(1-p).
 */
public class Dropout2d extends Module {
    public final double p;
    public final boolean inplace;

    public Dropout2d(double p, boolean inplace) {
        F.checkProbability(p);
        this.p = p;
        this.inplace = inplace;
    }

    public Dropout2d(double p) { this(p, false); }

    public Dropout2d() { this(0.5); }

    @Override
    public Tensor forward(Tensor input) { return F.dropout2d(input, p, isTraining(), inplace); }

    @Override
    public String extraRepr() { return "p=" + PyFormat.number(p) + ", inplace=" + py(inplace); }
}
