package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.nn.BCELoss;
import dev.jtorch.nn.BCEWithLogitsLoss;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.F;
import dev.jtorch.nn.L1Loss;
import dev.jtorch.nn.MSELoss;
import dev.jtorch.nn.NLLLoss;
import dev.jtorch.nn.Reduction;
import dev.jtorch.Torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Every loss and option combination against real PyTorch 1.13: loss value and input gradient
 * recorded by {@code tests/fixtures/make_loss_fixtures.py} into {@code fixtures/losses.jtfx}. The
 * case names spell the options; the loops below build the same names from the same option lists as
 * the script, and every case of the file must have a line here.
 *
 * <p>Tolerance: {@link #TOL} (1e-5, relative to max(1, max |expected|)), as OpParityTest's float32
 * ops: the losses are log-softmax, exp and log and a few sums of at most 48 terms.
 */
class LossParityTest {
    private static final String FIXTURE = "/fixtures/losses.jtfx";
    private static final double TOL = 1e-5;
    private static final List<String> REDUCTIONS = List.of("none", "mean", "sum");

    /** A case: the fixture's name and the jtorch call on the fixture's tensors (in0 input, in1 target, weight, pos_weight). */
    record LossCase(String name, Function<Map<String, Tensor>, Tensor> call) {}

    static List<LossCase> cases() {
        List<LossCase> out = new ArrayList<>();
        for (String dims : List.of("2d", "4d", "1d")) {
            for (boolean w : List.of(false, true)) {
                for (boolean ign : List.of(false, true)) {
                    if (dims.equals("1d") && ign) continue;
                    for (boolean ls : List.of(false, true)) {
                        for (String red : REDUCTIONS) {
                            String name = "ce_idx_" + dims + (w ? "_w" : "") + (ign ? "_ign" : "") + (ls ? "_ls" : "") + "_" + red;
                            out.add(new LossCase(name, t -> F.crossEntropy(t.get("in0"), t.get("in1"), t.get("weight"), -100,
                                    Reduction.of(red), ls ? 0.1 : 0)));
                        }
                    }
                }
            }
        }
        for (String dims : List.of("2d", "4d", "1d")) {
            for (boolean w : List.of(false, true)) {
                for (boolean ls : List.of(false, true)) {
                    for (String red : REDUCTIONS) {
                        String name = "ce_prob_" + dims + (w ? "_w" : "") + (ls ? "_ls" : "") + "_" + red;
                        // through the module, to check that it passes its options on
                        out.add(new LossCase(name, t -> new CrossEntropyLoss(t.get("weight"), -100, Reduction.of(red), ls ? 0.1 : 0)
                                .forward(t.get("in0"), t.get("in1"))));
                    }
                }
            }
        }
        for (String dims : List.of("2d", "4d")) {
            for (boolean w : List.of(false, true)) {
                for (boolean ign : List.of(false, true)) {
                    for (String red : REDUCTIONS) {
                        String name = "nll_" + dims + (w ? "_w" : "") + (ign ? "_ign" : "") + "_" + red;
                        out.add(new LossCase(name, t -> new NLLLoss(t.get("weight"), -100, Reduction.of(red))
                                .forward(t.get("in0"), t.get("in1"))));
                    }
                }
            }
        }
        for (String dims : List.of("2d", "3d")) {
            for (String red : REDUCTIONS) {
                out.add(new LossCase("mse_" + dims + "_" + red, t -> new MSELoss(Reduction.of(red)).forward(t.get("in0"), t.get("in1"))));
                out.add(new LossCase("l1_" + dims + "_" + red, t -> F.l1Loss(t.get("in0"), t.get("in1"), Reduction.of(red))));
            }
        }
        for (boolean w : List.of(false, true)) {
            for (String red : REDUCTIONS) {
                out.add(new LossCase("bce" + (w ? "_w" : "") + "_" + red,
                        t -> new BCELoss(t.get("weight"), Reduction.of(red)).forward(t.get("in0"), t.get("in1"))));
            }
        }
        for (boolean w : List.of(false, true)) {
            for (boolean pw : List.of(false, true)) {
                for (String red : REDUCTIONS) {
                    out.add(new LossCase("bcel" + (w ? "_w" : "") + (pw ? "_pw" : "") + "_" + red,
                            t -> new BCEWithLogitsLoss(t.get("weight"), Reduction.of(red), t.get("pos_weight"))
                                    .forward(t.get("in0"), t.get("in1"))));
                }
            }
        }
        out.add(new LossCase("ce_idx_2d_w_ignore2_mean",
                t -> F.crossEntropy(t.get("in0"), t.get("in1"), t.get("weight"), 2, Reduction.MEAN, 0)));
        out.add(new LossCase("ce_idx_2d_ignore2_ls_mean",
                t -> F.crossEntropy(t.get("in0"), t.get("in1"), null, 2, Reduction.MEAN, 0.25)));
        out.add(new LossCase("ce_idx_2d_all_ignored_mean", t -> F.crossEntropy(t.get("in0"), t.get("in1"))));
        out.add(new LossCase("ce_idx_2d_all_ignored_sum",
                t -> new CrossEntropyLoss(Reduction.SUM).forward(t.get("in0"), t.get("in1"))));
        out.add(new LossCase("ce_idx_2d_large_logits_mean", t -> new CrossEntropyLoss().forward(t.get("in0"), t.get("in1"))));
        out.add(new LossCase("bce_clamp_edges_none",
                t -> F.binaryCrossEntropy(t.get("in0"), t.get("in1"), null, Reduction.NONE)));
        out.add(new LossCase("bcel_large_logits_none",
                t -> F.binaryCrossEntropyWithLogits(t.get("in0"), t.get("in1"), null, Reduction.NONE, null)));
        out.add(new LossCase("bcel_large_logits_pw_mean",
                t -> F.binaryCrossEntropyWithLogits(t.get("in0"), t.get("in1"), null, Reduction.MEAN, t.get("pos_weight"))));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> lossesMatchPyTorch() {
        Map<String, FixtureFile.Case> fixtures = FixtureFile.readResource(FIXTURE).byName();
        Map<String, LossCase> byName = new LinkedHashMap<>();
        for (LossCase c : cases()) {
            if (byName.put(c.name(), c) != null) fail("LossParityTest builds '" + c.name() + "' twice");
        }
        DynamicTest inSync = dynamicTest("every fixture case has a line here", () -> {
            List<String> missing = fixtures.keySet().stream().filter(n -> !byName.containsKey(n)).toList();
            assertTrue(missing.isEmpty(), FIXTURE + " has cases with no line in LossParityTest: " + missing);
        });
        return Stream.concat(Stream.of(inSync), byName.values().stream().map(c -> dynamicTest(c.name(), () -> {
            FixtureFile.Case fixture = fixtures.get(c.name());
            assertNotNull(fixture, c.name() + ": no such case in " + FIXTURE
                    + " (add it to tests/fixtures/make_loss_fixtures.py and regenerate)");
            check(c, fixture);
        })));
    }

    private static void check(LossCase c, FixtureFile.Case fixture) {
        Map<String, Tensor> t = fixture.tensors();
        Tensor input = t.get("in0");
        if (t.containsKey("gin0")) input.requiresGrad_(true);
        Tensor out = c.call().apply(t);
        OpParityTest.assertClose(c.name() + ": loss", out, t.get("out"), TOL);
        Tensor gout = t.get("gout");
        if (gout == null) return;
        out.backward(gout);
        assertNotNull(input.grad(), c.name() + ": input.grad() is null after backward");
        OpParityTest.assertClose(c.name() + ": grad of input", input.grad(), t.get("gin0"), TOL);
    }

    // ---- errors, in PyTorch's words ---------------------------------------------------------------

    private static String message(Class<? extends Throwable> type, Runnable r) {
        return assertThrows(type, r::run).getMessage();
    }

    @Test
    void classTargetErrors() {
        Tensor x = Torch.randn(4, 3);
        assertEquals("Target 3 is out of bounds.", message(IndexOutOfBoundsException.class,
                () -> F.crossEntropy(x, Torch.tensor(new long[]{0, 3, 1, 1}, 4))));
        assertEquals("Target -1 is out of bounds.", message(IndexOutOfBoundsException.class,
                () -> F.nllLoss(x, Torch.tensor(new long[]{0, -1, 1, 1}, 4))));
        assertEquals("Expected input batch_size (4) to match target batch_size (3).", message(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Torch.tensor(new long[]{0, 1, 1}, 3))));
        assertEquals("expected scalar type Long but found Int", message(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Torch.tensor(new long[]{0, 1, 1, 1}, 4).to(dev.jtorch.DType.INT32))));
        assertEquals("expected scalar type Long but found Float", message(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Torch.zeros(4))));
        assertEquals("0D or 1D target tensor expected, multi-target not supported", message(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Torch.zeros(dev.jtorch.DType.INT64, 4, 2))));
        assertEquals("Expected target size [2, 4], got [2, 5]", message(IllegalArgumentException.class,
                () -> F.nllLoss(Torch.randn(2, 3, 4), Torch.zeros(dev.jtorch.DType.INT64, 2, 5))));
        assertEquals("weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]",
                message(IllegalArgumentException.class, () -> F.crossEntropy(x, Torch.zeros(dev.jtorch.DType.INT64, 4),
                        Torch.ones(4), -100, Reduction.MEAN, 0)));
        assertEquals("label_smoothing must be between 0.0 and 1.0. Got: 1.5", message(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Torch.zeros(dev.jtorch.DType.INT64, 4), null, -100, Reduction.MEAN, 1.5)));
        assertEquals("avg is not a valid value for reduction", message(IllegalArgumentException.class, () -> Reduction.of("avg")));
    }

    @Test
    void sizeErrors() {
        assertEquals("Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])) is "
                + "deprecated. Please ensure they have the same size.", message(IllegalArgumentException.class,
                () -> F.binaryCrossEntropy(Torch.rand(3, 1), Torch.rand(3))));
        assertEquals("all elements of input should be between 0 and 1", message(IllegalArgumentException.class,
                () -> F.binaryCrossEntropy(Torch.tensor(new float[]{0.5f, 1.5f}, 2), Torch.rand(2))));
        assertEquals("Target size (torch.Size([3])) must be the same as input size (torch.Size([3, 1]))",
                message(IllegalArgumentException.class, () -> F.binaryCrossEntropyWithLogits(Torch.rand(3, 1), Torch.rand(3))));
        // PyTorch only warns here (and broadcasts [3, 1] against [3] to [3, 3]); jtorch refuses.
        assertTrue(message(IllegalArgumentException.class, () -> F.mseLoss(Torch.rand(3, 1), Torch.rand(3)))
                .startsWith("Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). "
                        + "This will likely lead to incorrect results due to broadcasting."));
        assertThrows(IllegalArgumentException.class, () -> F.l1Loss(Torch.rand(3, 1), Torch.rand(3)));
    }

    @Test
    void lossModulesPrintAndKeepWeightsAsBuffers() {
        assertEquals("CrossEntropyLoss()", new CrossEntropyLoss(Torch.ones(3)).toString());
        assertEquals("NLLLoss()", new NLLLoss().toString());
        assertEquals("MSELoss()", new MSELoss().toString());
        assertEquals("L1Loss()", new L1Loss().toString());
        assertEquals("BCELoss()", new BCELoss().toString());
        assertEquals("BCEWithLogitsLoss()", new BCEWithLogitsLoss().toString());
        // PyTorch: CrossEntropyLoss(weight=w).state_dict() has 'weight'; BCEWithLogitsLoss has 'pos_weight'
        assertEquals(List.of("weight"), List.copyOf(new CrossEntropyLoss(Torch.ones(3)).stateDict().keySet()));
        assertEquals(List.of(), List.copyOf(new CrossEntropyLoss().stateDict().keySet()));
        assertEquals(List.of("pos_weight"), List.copyOf(new BCEWithLogitsLoss(null, Reduction.MEAN, Torch.ones(3))
                .stateDict().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(Torch.ones(3)));
    }
}
