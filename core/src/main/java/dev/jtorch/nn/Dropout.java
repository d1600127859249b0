package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Dropout(p=0.5, inplace=False)}: active in training mode only. */
public class Dropout extends Module {
    public final double p;
    public final boolean inplace;

    public Dropout(double p, boolean inplace) {
        F.checkProbability(p);
        this.p = p;
        this.inplace = inplace;
    }

    public Dropout(double p) { this(p, false); }

    public Dropout() { this(0.5); }

    @Override
    public Tensor forward(Tensor input) { return F.dropout(input, p, isTraining(), inplace); }

    @Override
    public String extraRepr() { return "p=" + PyFormat.number(p) + ", inplace=" + py(inplace); }
}
