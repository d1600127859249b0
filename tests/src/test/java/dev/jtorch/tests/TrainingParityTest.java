package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Flatten;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Loss;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.AdamW;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.RMSprop;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.lr.LRScheduler;
import dev.jtorch.optim.lr.StepLR;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Whole training runs against PyTorch 1.13: {@code tests/fixtures/make_training_fixtures.py}
 * ({@code fixtures/training.jtfx}) trains an MLP and a small CNN (Conv2d, BatchNorm2d in train mode,
 * ReLU, MaxPool2d, Flatten, Linear) with CrossEntropyLoss for {@value #STEPS} minibatch steps with
 * each optimizer configuration listed here. Each case loads the recorded initial state dict
 * strictly, runs the same steps on the same minibatches with the jtorch optimizer, and compares
 * the loss of every step, the lr of every step, and the final state dict (BatchNorm running stats
 * and {@code num_batches_tracked} included). The models have no Dropout: its random masks come from
 * a generator jtorch does not share with PyTorch, so no trajectory through it could match.
 *
 * <p>The conv has no bias, as in every conv-BN network: BatchNorm subtracts the batch mean, so a
 * bias there has a gradient of exactly zero in exact arithmetic and of rounding noise (~1e-9) in
 * float32. Adam and RMSprop divide by {@code sqrt(v)} and turn that noise into full-size steps, so
 * such a bias wanders off differently in each framework (0.05 to 0.16 apart after 20 steps when
 * this was written) while the loss, which it cannot affect, still matches.
 *
 * <p>Tolerance. Step 0's loss is one float32 forward from identical weights and agrees to an ulp or
 * two. Every later step starts from weights that already differ by the rounding of all the steps
 * before (GEMM and convolution summation order, float32 batch statistics against PyTorch's double
 * accumulation, fused {@code addcdiv_}), and training feeds those differences back: a weight an ulp
 * off gives a gradient an ulp off, which the optimizer (Adam's and RMSprop's division by
 * {@code sqrt(v)} most of all, and momentum, which carries every error forward) turns into a
 * slightly different step, and so on. Float32 trajectories therefore drift apart with the step
 * count, and the more chaotic the run the faster. The relative tolerance on the loss grows
 * linearly from {@link #LOSS_TOL_FIRST} at step 0 to {@link #LOSS_TOL_LAST} at the last step; the
 * final state is held to {@link #PARAM_TOL} in {@link OpParityTest#assertClose}'s sense. Measured
 * when written: loss within 2.1e-7 (relative) at step 0 and within 8.6e-7 at any step (worst:
 * the CNN with centered RMSprop plus momentum, and with Nesterov SGD); final state within 5.6e-7.
 * The margin is for the fast kernels, which may round in yet another order.
 * {@link #aWrongLearningRateIsCaught()} shows the comparison still notices a 1% change of lr (it
 * moves the loss by 2e-4 at step 1).
 */
class TrainingParityTest {
    private static final String FIXTURE = "/fixtures/training.jtfx";
    private static final int STEPS = 20;
    private static final int BATCHES = 4;
    private static final double LOSS_TOL_FIRST = 1e-6;
    private static final double LOSS_TOL_LAST = 1e-4;
    private static final double PARAM_TOL = 1e-5;

    record OptimConfig(String name, Function<List<Tensor>, Optimizer> make, Function<Optimizer, LRScheduler> schedule) {}

    static OptimConfig opt(String name, Function<List<Tensor>, Optimizer> make) {
        return new OptimConfig(name, make, null);
    }

    /** The models of the script, by the prefix of their case names. */
    static final Map<String, Supplier<Module>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("mlp", () -> new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 3)));
        MODELS.put("cnn", () -> new Sequential(Conv2d.builder(1, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3)));
    }

    /** One line per optimizer of the script's OPTIMIZERS, with the same settings. */
    static final List<OptimConfig> OPTIMIZERS = List.of(
            opt("sgd_plain", p -> new SGD(p, 0.1)),
            opt("sgd_nesterov_wd", p -> SGD.builder(p).lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3).build()),
            opt("adam", p -> new Adam(p, 0.01)),
            opt("adamw", p -> AdamW.builder(p).lr(0.01).weightDecay(0.05).build()),
            opt("adam_amsgrad", p -> Adam.builder(p).lr(0.01).amsgrad(true).build()),
            opt("rmsprop", p -> RMSprop.builder(p).lr(0.005).build()),
            opt("rmsprop_centered_momentum", p -> RMSprop.builder(p).lr(0.002).momentum(0.9).centered(true).build()),
            new OptimConfig("sgd_step_lr", p -> SGD.builder(p).lr(0.2).momentum(0.5).build(), o -> new StepLR(o, 6, 0.5)));

    private static final FixtureFile FILE = FixtureFile.readResource(FIXTURE);

    /** What one jtorch run produced. */
    record Run(double[] losses, double[] lrs, Map<String, Tensor> finalState) {}

    @Test
    void everyFixtureCaseHasATestAndBack() {
        TreeSet<String> here = new TreeSet<>();
        for (String m : MODELS.keySet()) for (OptimConfig o : OPTIMIZERS) here.add(m + "_" + o.name());
        assertEquals(new TreeSet<>(FILE.byName().keySet()), here, "cases in " + FIXTURE + " vs cases in this test");
    }

    @TestFactory
    Stream<DynamicTest> trainingMatchesPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (var m : MODELS.entrySet()) {
            for (OptimConfig o : OPTIMIZERS) {
                String name = m.getKey() + "_" + o.name();
                tests.add(dynamicTest(name, () -> {
                    Map<String, Tensor> t = fixture(name);
                    Run run = train(m.getValue(), o, t);
                    assertLossesMatch(name, run.losses(), t.get("loss").toDoubleArray());
                    assertLrsMatch(name, run.lrs(), t.get("lr").toDoubleArray());
                    assertFinalStateMatches(name, run.finalState(), prefixed(t, "final."));
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The same run as {@code mlp_sgd_plain} with lr 0.101 instead of 0.1 must fail the loss
     * comparison: otherwise the tolerance would let a wrong optimizer through.
     */
    @Test
    void aWrongLearningRateIsCaught() {
        Map<String, Tensor> t = fixture("mlp_sgd_plain");
        double[] expected = t.get("loss").toDoubleArray();
        Run right = train(MODELS.get("mlp"), OPTIMIZERS.get(0), t);
        assertLossesMatch("mlp_sgd_plain", right.losses(), expected);
        Run wrong = train(MODELS.get("mlp"), opt("sgd_lr_off_by_1pct", p -> new SGD(p, 0.101)), t);
        AssertionError e = assertThrows(AssertionError.class,
                () -> assertLossesMatch("mlp_sgd_plain with lr 0.101", wrong.losses(), expected));
        assertTrue(e.getMessage().contains("step"), e.getMessage());
    }

    private static Map<String, Tensor> fixture(String name) {
        FixtureFile.Case c = FILE.byName().get(name);
        assertNotNull(c, name + ": not in " + FIXTURE + " (add it to tests/fixtures/make_training_fixtures.py)");
        return c.tensors();
    }

    /** The script's loop: zero_grad, forward on minibatch k % 4, loss, backward, step, scheduler step. */
    private static Run train(Supplier<Module> makeModel, OptimConfig config, Map<String, Tensor> t) {
        Module model = makeModel.get();
        model.train();
        model.loadStateDict(prefixed(t, "init."), true);
        Optimizer opt = config.make().apply(model.parameters());
        LRScheduler sched = config.schedule() == null ? null : config.schedule().apply(opt);
        Loss criterion = new CrossEntropyLoss();
        Tensor x = t.get("x"), y = t.get("y");
        int n = x.shape()[0] / BATCHES;
        double[] losses = new double[STEPS], lrs = new double[STEPS];
        for (int k = 0; k < STEPS; k++) {
            int b = k % BATCHES;
            lrs[k] = opt.paramGroups().get(0).lr();
            opt.zeroGrad();
            Tensor loss = criterion.forward(model.forward(x.narrow(0, b * n, n)), y.narrow(0, b * n, n));
            loss.backward();
            opt.step();
            if (sched != null) sched.step();
            losses[k] = loss.item();
        }
        return new Run(losses, lrs, model.stateDict());
    }

    /** Relative tolerance at step k: {@link #LOSS_TOL_FIRST} at 0, growing linearly to {@link #LOSS_TOL_LAST}. */
    static double lossTolerance(int k) {
        return LOSS_TOL_FIRST + (LOSS_TOL_LAST - LOSS_TOL_FIRST) * k / (STEPS - 1);
    }

    static void assertLossesMatch(String name, double[] actual, double[] expected) {
        assertEquals(expected.length, actual.length, name + ": number of steps");
        for (int k = 0; k < expected.length; k++) {
            double rel = Math.abs(actual[k] - expected[k]) / Math.abs(expected[k]);
            if (!(rel <= lossTolerance(k))) {
                fail(name + ": loss at step " + k + ": expected " + expected[k] + ", got " + actual[k]
                        + " (relative deviation " + rel + ", tolerance " + lossTolerance(k) + ")");
            }
        }
    }

    private static void assertLrsMatch(String name, double[] actual, double[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (!(Math.abs(actual[k] - expected[k]) <= 1e-12 * expected[k])) {
                fail(name + ": lr at step " + k + ": expected " + expected[k] + ", got " + actual[k]);
            }
        }
    }

    private static void assertFinalStateMatches(String name, Map<String, Tensor> actual, Map<String, Tensor> expected) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), name + ": final state dict keys");
        for (var e : expected.entrySet()) {
            Tensor want = e.getValue();
            // num_batches_tracked is a count: exact.
            double tol = want.isFloatingPoint() ? PARAM_TOL : 0;
            OpParityTest.assertClose(name + ": final " + e.getKey(), actual.get(e.getKey()), want, tol);
        }
    }

    private static Map<String, Tensor> prefixed(Map<String, Tensor> t, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        t.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }
}
