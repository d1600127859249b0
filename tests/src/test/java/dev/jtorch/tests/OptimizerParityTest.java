package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.AdamW;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.ParamGroup;
import dev.jtorch.optim.RMSprop;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.lr.CosineAnnealingLR;
import dev.jtorch.optim.lr.LRScheduler;
import dev.jtorch.optim.lr.MultiStepLR;
import dev.jtorch.optim.lr.ReduceLROnPlateau;
import dev.jtorch.optim.lr.StepLR;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Optimizers and LR schedulers against PyTorch 1.13: trajectories recorded by
 * {@code tests/fixtures/make_optim_fixtures.py} into {@code fixtures/optim.jtfx}. One line per
 * case: the fixture's name and the jtorch construction of the optimizer (or scheduler) that the
 * script built in Python. The list and the file must name the same cases.
 *
 * <p>An optimizer case starts from the recorded parameters, sets the recorded gradients (none
 * where the script set {@code grad = None}) before each of 5 steps, and compares every parameter
 * after every step, then the optimizer's final state ({@code state_dict()['state']}) entry by
 * entry. A parameter that never gets a gradient must stay bitwise equal to its start, and every
 * parameter must keep its identity.
 *
 * <p>Tolerances, {@code |actual - expected| <= tol * (max(1, max|expected|) + |expected|)}:
 * {@link #F32} (1e-6) for float32 trajectories: each step is a handful of float32 ops; PyTorch fuses
 * {@code addcmul_}/{@code addcdiv_} and may contract a multiply-add, so single elements differ by
 * an ulp or two (measured when written: at most 6e-8 in these units; the margin is for the fast
 * kernels, which may round in another order). Scheduler lrs are plain double arithmetic in both
 * and must agree to {@link #F64} (1e-12); only {@code cos} may differ in its last bit between
 * glibc and Java.
 */
class OptimizerParityTest {
    private static final String FIXTURE = "/fixtures/optim.jtfx";
    private static final double F32 = 1e-6;
    private static final double F64 = 1e-12;
    private static final int STEPS = 5;

    record OptimCase(String name, Function<List<Tensor>, Optimizer> make) {}

    record SchedCase(String name, Function<Optimizer, DoubleConsumer> make) {}

    static OptimCase opt(String name, Function<List<Tensor>, Optimizer> make) { return new OptimCase(name, make); }

    static SchedCase sched(String name, Function<Optimizer, LRScheduler> make) {
        return new SchedCase(name, o -> {
            LRScheduler s = make.apply(o);
            return metric -> s.step();
        });
    }

    static SchedCase plateau(String name, Function<Optimizer, ReduceLROnPlateau> make) {
        return new SchedCase(name, o -> make.apply(o)::step);
    }

    static final List<OptimCase> OPTIMIZERS = List.of(
            opt("sgd_plain", p -> new SGD(p, 0.1)),
            opt("sgd_momentum", p -> SGD.builder(p).lr(0.1).momentum(0.9).build()),
            opt("sgd_nesterov", p -> SGD.builder(p).lr(0.1).momentum(0.9).nesterov(true).build()),
            opt("sgd_dampening", p -> SGD.builder(p).lr(0.1).momentum(0.9).dampening(0.5).build()),
            opt("sgd_weight_decay", p -> SGD.builder(p).lr(0.1).momentum(0.9).weightDecay(0.01).build()),
            opt("sgd_weight_decay_plain", p -> SGD.builder(p).lr(0.05).weightDecay(0.1).build()),
            opt("sgd_maximize", p -> SGD.builder(p).lr(0.1).momentum(0.5).maximize(true).build()),
            opt("adam_plain", p -> new Adam(p, 0.01)),
            opt("adam_amsgrad", p -> Adam.builder(p).lr(0.01).amsgrad(true).build()),
            opt("adam_weight_decay", p -> Adam.builder(p).lr(0.01).betas(0.8, 0.99).weightDecay(0.1).build()),
            opt("adam_maximize", p -> Adam.builder(p).lr(0.01).eps(1e-6).maximize(true).build()),
            opt("adamw", p -> AdamW.builder(p).lr(0.01).weightDecay(0.1).build()),
            opt("adamw_default", p -> new AdamW(p)),
            opt("adamw_amsgrad", p -> AdamW.builder(p).lr(0.01).amsgrad(true).build()),
            opt("rmsprop_plain", p -> new RMSprop(p)),
            opt("rmsprop_momentum", p -> RMSprop.builder(p).lr(0.01).momentum(0.9).build()),
            opt("rmsprop_centered", p -> RMSprop.builder(p).lr(0.01).centered(true).build()),
            opt("rmsprop_weight_decay", p -> RMSprop.builder(p).lr(0.01).alpha(0.9).weightDecay(0.1).momentum(0.5)
                    .centered(true).build()),
            opt("groups_sgd", p -> SGD.builder(ParamGroup.of(p.get(0)), ParamGroup.of(p.get(1)).with("lr", 0.01))
                    .lr(0.1).momentum(0.9).build()),
            opt("groups_adam", p -> Adam.builder(ParamGroup.of(p.get(0)).with("weight_decay", 0.1),
                    ParamGroup.of(p.get(1)).with("lr", 0.1)).lr(0.01).build()),
            opt("frozen_sgd", p -> SGD.builder(p).lr(0.1).momentum(0.9).weightDecay(0.1).build()),
            opt("frozen_adamw", p -> AdamW.builder(p).lr(0.01).weightDecay(0.5).build()),
            opt("frozen_rmsprop", p -> RMSprop.builder(p).lr(0.01).weightDecay(0.1).momentum(0.9).build()),
            opt("skip_step_sgd", p -> SGD.builder(p).lr(0.1).momentum(0.9).build()),
            opt("skip_step_adam", p -> new Adam(p, 0.01)));

    static final List<SchedCase> SCHEDULERS = List.of(
            sched("step_lr", o -> new StepLR(o, 7, 0.5)),
            sched("step_lr_default", o -> new StepLR(o, 3)),
            sched("multistep_lr", o -> new MultiStepLR(o, new int[] {5, 12, 12, 20}, 0.3)),
            sched("cosine_lr", o -> new CosineAnnealingLR(o, 10, 0.001)),
            sched("cosine_lr_default", o -> new CosineAnnealingLR(o, 7)),
            plateau("plateau_min_rel", o -> ReduceLROnPlateau.builder(o).mode("min").factor(0.5).patience(2)
                    .threshold(0.01).cooldown(1).minLr(0.004).build()),
            plateau("plateau_min_default", o -> ReduceLROnPlateau.builder(o).patience(3).build()),
            plateau("plateau_max_abs", o -> ReduceLROnPlateau.builder(o).mode("max").factor(0.3).patience(1)
                    .threshold(0.05).thresholdMode("abs").cooldown(2).minLrs(0.01, 0.002).build()),
            plateau("plateau_eps", o -> ReduceLROnPlateau.builder(o).factor(0.5).patience(0).minLr(0.097).eps(0.004)
                    .build()));

    private static final FixtureFile FILE = FixtureFile.readResource(FIXTURE);

    @Test
    void everyFixtureCaseHasATestAndBack() {
        Set<String> inFile = new TreeSet<>(FILE.byName().keySet());
        Set<String> here = new TreeSet<>();
        OPTIMIZERS.forEach(c -> here.add(c.name()));
        SCHEDULERS.forEach(c -> here.add(c.name()));
        assertEquals(inFile, here, "cases in " + FIXTURE + " vs cases in this test");
    }

    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorch() {
        return OPTIMIZERS.stream().map(c -> dynamicTest(c.name(), () -> runOptimizer(c)));
    }

    @TestFactory
    Stream<DynamicTest> schedulersMatchPyTorch() {
        return SCHEDULERS.stream().map(c -> dynamicTest(c.name(), () -> runScheduler(c)));
    }

    private static void runOptimizer(OptimCase c) {
        FixtureFile.Case fc = FILE.byName().get(c.name());
        assertNotNull(fc, c.name() + ": not in " + FIXTURE);
        Map<String, Tensor> t = fc.tensors();
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; t.containsKey("p" + i); i++) params.add(t.get("p" + i).clone().requiresGrad_());
        List<Tensor> start = params.stream().map(Tensor::clone).toList();
        Set<Integer> everGrad = new LinkedHashSet<>();
        Optimizer opt = c.make().apply(params);
        for (int k = 0; k < STEPS; k++) {
            for (int i = 0; i < params.size(); i++) {
                Tensor g = t.get("g" + k + "_" + i);
                params.get(i).setGrad(g == null ? null : g.clone());
                if (g != null) everGrad.add(i);
            }
            opt.step();
            for (int i = 0; i < params.size(); i++) {
                assertClose(t.get("x" + k + "_" + i), params.get(i), F32, c.name() + ": x" + k + "_" + i);
            }
        }
        List<Tensor> held = opt.paramGroups().stream().flatMap(g -> g.params().stream()).toList();
        for (int i = 0; i < params.size(); i++) {
            assertSame(params.get(i), held.get(i), c.name() + ": p" + i + " must keep its identity");
            if (!everGrad.contains(i)) {
                assertArrayEquals(bits(start.get(i)), bits(params.get(i)), c.name() + ": p" + i
                        + " never had a grad and must not move by a single bit");
            }
        }
        checkState(c.name(), t, opt);
    }

    /** state_dict()['state'] against the recorded {@code s<i>_<name>} entries: same keys, close values. */
    @SuppressWarnings("unchecked")
    private static void checkState(String name, Map<String, Tensor> t, Optimizer opt) {
        Map<Object, Object> state = (Map<Object, Object>) opt.stateDict().get("state");
        Set<String> expectedKeys = new TreeSet<>();
        for (String k : t.keySet()) if (k.startsWith("s")) expectedKeys.add(k);
        Set<String> actualKeys = new TreeSet<>();
        for (Map.Entry<Object, Object> e : state.entrySet()) {
            for (Map.Entry<String, Object> se : ((Map<String, Object>) e.getValue()).entrySet()) {
                if (se.getValue() == null) continue; // SGD's momentum_buffer without momentum: left out of the fixture
                String key = "s" + e.getKey() + "_" + se.getKey();
                actualKeys.add(key);
                Tensor expected = t.get(key);
                if (expected == null) continue;
                Tensor actual = se.getValue() instanceof Tensor at ? at
                        : Torch.scalarTensor(((Number) se.getValue()).doubleValue(), dev.jtorch.DType.FLOAT64);
                assertEquals(expected.dtype(), actual.dtype(), name + ": " + key + " dtype");
                assertClose(expected, actual, F32, name + ": " + key);
            }
        }
        assertEquals(expectedKeys, actualKeys, name + ": state entries");
    }

    private static void runScheduler(SchedCase c) {
        FixtureFile.Case fc = FILE.byName().get(c.name());
        assertNotNull(fc, c.name() + ": not in " + FIXTURE);
        Map<String, Tensor> t = fc.tensors();
        List<double[]> expected = new ArrayList<>();
        for (int g = 0; t.containsKey("lr" + g); g++) expected.add(t.get("lr" + g).toDoubleArray());
        double[] metric = t.containsKey("metric") ? t.get("metric").toDoubleArray() : null;
        ParamGroup[] groups = new ParamGroup[expected.size()];
        for (int g = 0; g < groups.length; g++) {
            groups[g] = ParamGroup.of(Torch.zeros(2).requiresGrad_()).with("lr", expected.get(g)[0]);
        }
        Optimizer opt = SGD.builder(groups).lr(1.0).momentum(0.9).build();
        DoubleConsumer step = c.make().apply(opt);
        int epochs = expected.get(0).length - 1;
        for (int e = 0; e <= epochs; e++) {
            if (e > 0) {
                opt.step();
                step.accept(metric == null ? Double.NaN : metric[e - 1]);
            }
            for (int g = 0; g < groups.length; g++) {
                double want = expected.get(g)[e], got = opt.paramGroups().get(g).lr();
                if (!(Math.abs(got - want) <= F64 * Math.abs(want) + 1e-15)) {
                    fail(c.name() + ": group " + g + " epoch " + e + ": expected lr " + want + ", got " + got);
                }
            }
        }
    }

    private static int[] bits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String where) {
        assertArrayEquals(expected.shape(), actual.shape(), where + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double scale = 1;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tol * (scale + Math.abs(e[i])))) {
                fail(where + ": element " + i + ": expected " + e[i] + ", got " + a[i] + " (|diff| "
                        + Math.abs(a[i] - e[i]) + ", tol " + tol + ")");
            }
        }
        assertTrue(e.length == a.length);
    }
}
