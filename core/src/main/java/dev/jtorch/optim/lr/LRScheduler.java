package dev.jtorch.optim.lr;

import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.ParamGroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch 1.13's {@code _LRScheduler}: on construction it records each group's
 * {@code initial_lr} (an option of the group, so it is saved in the optimizer's state dict as in
 * PyTorch) and takes its first step (epoch 0); each {@link #step()} advances one epoch and writes
 * the new lr into every group. Call it after {@code optimizer.step()}, once per epoch.
 * {@snippet :
 * var opt = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).build();
 * var sched = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     trainOneEpoch(model, opt);
 *     sched.step();
 * }
 * }
 * The subclasses use PyTorch's recursive ({@code get_lr}) forms, so the lr sequences match 1.13's
 * to rounding, including when something else also changes a group's lr.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final List<Double> baseLrs;
    protected int lastEpoch;
    protected int stepCount;
    private List<Double> lastLr;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<Double> base = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            g.options().putIfAbsent("initial_lr", g.lr());
            base.add(g.getDouble("initial_lr"));
        }
        this.baseLrs = List.copyOf(base);
        this.lastEpoch = -1;
    }

    /**
     * The new lr of each group for epoch {@link #lastEpoch} ({@code get_lr}), computed from the
     * groups' current lr where PyTorch's recursive form does. Called by {@link #step()}.
     */
    protected abstract double[] computeLr();

    /** Subclass constructors call this last: PyTorch's {@code _initial_step} (epoch 0). */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Advances one epoch and sets every group's lr. */
    public void step() {
        stepCount++;
        lastEpoch++;
        double[] values = computeLr();
        List<ParamGroup> groups = optimizer.paramGroups();
        List<Double> last = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(values[i]);
            last.add(values[i]);
        }
        lastLr = List.copyOf(last);
    }

    /** The lr of each group as set by the last {@link #step()} ({@code get_last_lr}). */
    public List<Double> getLastLr() { return lastLr; }

    /** The epoch of the last step; 0 right after construction. */
    public int lastEpoch() { return lastEpoch; }

    public List<Double> baseLrs() { return baseLrs; }

    public Optimizer optimizer() { return optimizer; }

    protected double groupLr(int i) { return optimizer.paramGroups().get(i).lr(); }

    protected int groupCount() { return optimizer.paramGroups().size(); }

    /**
     * The counters PyTorch saves ({@code base_lrs}, {@code last_epoch}, {@code _step_count},
     * {@code _last_lr}); the hyperparameters are the constructor's and are not restored.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("base_lrs", new ArrayList<Object>(baseLrs));
        d.put("last_epoch", lastEpoch);
        d.put("_step_count", stepCount);
        d.put("_last_lr", new ArrayList<Object>(lastLr));
        return d;
    }

    /** Restores the counters of {@link #stateDict()} (to resume a schedule). */
    public void loadStateDict(Map<String, ?> state) {
        if (state.get("last_epoch") instanceof Number n) lastEpoch = n.intValue();
        if (state.get("_step_count") instanceof Number n) stepCount = n.intValue();
        if (state.get("_last_lr") instanceof List<?> l) {
            List<Double> last = new ArrayList<>();
            for (Object o : l) last.add(((Number) o).doubleValue());
            lastLr = List.copyOf(last);
        }
    }
}
