package dev.jtorch.optim.lr;

import dev.jtorch.Tensor;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.ParamGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}: multiplies each group's lr by
 * {@code factor} once the metric passed to {@link #step(double)} has not improved for more than
 * {@code patience} epochs, then waits {@code cooldown} epochs before counting again.
 * {@snippet :
 * var sched = ReduceLROnPlateau.builder(opt).mode("min").factor(0.5).patience(3).build();
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     trainOneEpoch(model, opt);
 *     sched.step(validationLoss(model));
 * }
 * }
 * "Improved" follows PyTorch: in {@code min} mode with {@code rel} threshold,
 * {@code metric < best * (1 - threshold)}; {@code abs} uses {@code best - threshold}; {@code max}
 * mode mirrors both. A reduction smaller than {@code eps} is skipped.
 * Unlike 1.13, {@link #getLastLr()} answers before the first step (the groups' current lr).
 */
public final class ReduceLROnPlateau {
    private final Optimizer optimizer;
    private final boolean minMode;
    private final boolean relative;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double[] minLrs;
    private final double eps;

    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;
    private List<Double> lastLr;

    private ReduceLROnPlateau(Builder b) {
        if (b.factor >= 1.0) throw new IllegalArgumentException("Factor should be < 1.0.");
        if (!b.mode.equals("min") && !b.mode.equals("max")) throw new IllegalArgumentException("mode " + b.mode + " is unknown!");
        if (!b.thresholdMode.equals("rel") && !b.thresholdMode.equals("abs")) {
            throw new IllegalArgumentException("threshold mode " + b.thresholdMode + " is unknown!");
        }
        int groups = b.optimizer.paramGroups().size();
        if (b.minLrs != null && b.minLrs.length != groups) {
            throw new IllegalArgumentException("expected " + groups + " min_lrs, got " + b.minLrs.length);
        }
        this.optimizer = b.optimizer;
        this.minMode = b.mode.equals("min");
        this.relative = b.thresholdMode.equals("rel");
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.cooldown = b.cooldown;
        this.minLrs = b.minLrs != null ? b.minLrs.clone() : filled(groups, b.minLr);
        this.eps = b.eps;
        this.lastEpoch = 0;
        reset();
        List<Double> current = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) current.add(g.lr());
        this.lastLr = List.copyOf(current);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Defaults: mode min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0, minLr 0, eps 1e-8. */
    public static ReduceLROnPlateau of(Optimizer optimizer) { return builder(optimizer).build(); }

    public static Builder builder(Optimizer optimizer) { return new Builder(optimizer); }

    private void reset() {
        best = minMode ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        cooldownCounter = 0;
        numBadEpochs = 0;
    }

    /** One epoch's metric (a 0-dim tensor such as a loss works too: {@link #step(Tensor)}). */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs in cooldown do not count
        }
        if (numBadEpochs > patience) {
            reduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        List<Double> current = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) current.add(g.lr());
        lastLr = List.copyOf(current);
    }

    public void step(Tensor metric) { step(metric.item()); }

    private void reduceLr() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double oldLr = groups.get(i).lr();
            double newLr = Math.max(oldLr * factor, minLrs[i]);
            if (oldLr - newLr > eps) groups.get(i).setLr(newLr);
        }
    }

    private boolean isBetter(double a, double best) {
        if (minMode) return relative ? a < best * (1. - threshold) : a < best - threshold;
        return relative ? a > best * (threshold + 1.) : a > best + threshold;
    }

    public List<Double> getLastLr() { return lastLr; }

    public double best() { return best; }

    public int numBadEpochs() { return numBadEpochs; }

    public boolean inCooldown() { return cooldownCounter > 0; }

    /** PyTorch's counters: {@code best}, {@code num_bad_epochs}, {@code cooldown_counter}, {@code last_epoch}, {@code _last_lr}. */
    public Map<String, Object> stateDict() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("best", best);
        d.put("num_bad_epochs", numBadEpochs);
        d.put("cooldown_counter", cooldownCounter);
        d.put("last_epoch", lastEpoch);
        d.put("_last_lr", new ArrayList<Object>(lastLr));
        return d;
    }

    public void loadStateDict(Map<String, ?> state) {
        if (state.get("best") instanceof Number n) best = n.doubleValue();
        if (state.get("num_bad_epochs") instanceof Number n) numBadEpochs = n.intValue();
        if (state.get("cooldown_counter") instanceof Number n) cooldownCounter = n.intValue();
        if (state.get("last_epoch") instanceof Number n) lastEpoch = n.intValue();
        if (state.get("_last_lr") instanceof List<?> l) {
            List<Double> last = new ArrayList<>();
            for (Object o : l) last.add(((Number) o).doubleValue());
            lastLr = List.copyOf(last);
        }
    }

    /** Options of {@link ReduceLROnPlateau}, with PyTorch's defaults. */
    public static final class Builder {
        private final Optimizer optimizer;
        private String mode = "min", thresholdMode = "rel";
        private double factor = 0.1, threshold = 1e-4, minLr = 0, eps = 1e-8;
        private double[] minLrs;
        private int patience = 10, cooldown = 0;

        private Builder(Optimizer optimizer) { this.optimizer = optimizer; }

        /** "min" (the metric should fall, e.g. a loss) or "max" (e.g. an accuracy). */
        public Builder mode(String v) { mode = v; return this; }
        public Builder factor(double v) { factor = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder threshold(double v) { threshold = v; return this; }
        /** "rel" or "abs". */
        public Builder thresholdMode(String v) { thresholdMode = v; return this; }
        public Builder cooldown(int v) { cooldown = v; return this; }
        public Builder minLr(double v) { minLr = v; minLrs = null; return this; }
        /** One floor per param group. */
        public Builder minLrs(double... perGroup) { minLrs = perGroup.clone(); return this; }
        public Builder eps(double v) { eps = v; return this; }

        public ReduceLROnPlateau build() { return new ReduceLROnPlateau(this); }
    }
}
