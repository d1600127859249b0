package dev.jtorch.optim;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.optim.lr.CosineAnnealingLR;
import dev.jtorch.optim.lr.ReduceLROnPlateau;
import dev.jtorch.optim.lr.StepLR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validation in PyTorch's words, zeroGrad, groups, state dicts and the scheduler plumbing. */
class OptimizerTest {

    private static List<Tensor> params(long seed) {
        Torch.manualSeed(seed);
        return List.of(Torch.randn(3, 4).requiresGrad_(), Torch.randn(4).requiresGrad_());
    }

    private static void expectMessage(String message, Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertEquals(message, e.getMessage());
    }

    // ---- validation ----------------------------------------------------------------------------

    @Test
    void validationMessagesArePyTorchs() {
        List<Tensor> p = params(1);
        expectMessage("Invalid learning rate: -1.0", () -> new SGD(p, -1));
        expectMessage("Invalid momentum value: -0.5", () -> SGD.builder(p).lr(0.1).momentum(-0.5).build());
        expectMessage("Invalid weight_decay value: -1e-05", () -> SGD.builder(p).lr(0.1).weightDecay(-1e-5).build());
        expectMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> SGD.builder(p).lr(0.1).nesterov(true).build());
        expectMessage("Nesterov momentum requires a momentum and zero dampening",
                () -> SGD.builder(p).lr(0.1).momentum(0.9).dampening(0.1).nesterov(true).build());
        expectMessage("parameter group didn't specify a value of required optimization parameter lr",
                () -> SGD.builder(p).momentum(0.9).build());
        expectMessage("Invalid learning rate: -0.001", () -> new Adam(p, -1e-3));
        expectMessage("Invalid epsilon value: -1.0", () -> Adam.builder(p).eps(-1).build());
        expectMessage("Invalid beta parameter at index 0: 1.0", () -> Adam.builder(p).betas(1.0, 0.999).build());
        expectMessage("Invalid beta parameter at index 1: -0.1", () -> AdamW.builder(p).betas(0.9, -0.1).build());
        expectMessage("Invalid weight_decay value: -0.01", () -> AdamW.builder(p).weightDecay(-0.01).build());
        expectMessage("Invalid alpha value: -0.99", () -> RMSprop.builder(p).alpha(-0.99).build());
        expectMessage("Invalid momentum value: -1.0", () -> RMSprop.builder(p).momentum(-1).build());
        expectMessage("optimizer got an empty parameter list", () -> new SGD(List.of(), 0.1));
        expectMessage("optimizer got an empty parameter list", () -> Adam.builder().build());
        expectMessage("some parameters appear in more than one parameter group",
                () -> SGD.builder(ParamGroup.of(p.get(0)), ParamGroup.of(p.get(0), p.get(1))).lr(0.1).build());
        Tensor nonLeaf = p.get(1).mul(2.0);
        expectMessage("can't optimize a non-leaf Tensor", () -> new SGD(List.of(nonLeaf), 0.1));
    }

    @Test
    void schedulerValidation() {
        SGD opt = new SGD(params(2), 0.1);
        expectMessage("Factor should be < 1.0.", () -> ReduceLROnPlateau.builder(opt).factor(1.0).build());
        expectMessage("mode avg is unknown!", () -> ReduceLROnPlateau.builder(opt).mode("avg").build());
        expectMessage("threshold mode x is unknown!", () -> ReduceLROnPlateau.builder(opt).thresholdMode("x").build());
        expectMessage("expected 1 min_lrs, got 2", () -> ReduceLROnPlateau.builder(opt).minLrs(0.1, 0.2).build());
    }

    @Test
    void pythonFloatRepr() {
        assertEquals("1e-08", Optimizer.pyRepr(1e-8));
        assertEquals("0.0001", Optimizer.pyRepr(1e-4));
        assertEquals("0.001", Optimizer.pyRepr(1e-3));
        assertEquals("-1.0", Optimizer.pyRepr(-1));
        assertEquals("123456.7", Optimizer.pyRepr(123456.7));
        assertEquals("1e+16", Optimizer.pyRepr(1e16));
        assertEquals("1000000000000000.0", Optimizer.pyRepr(1e15));
        assertEquals("-2.5e-07", Optimizer.pyRepr(-2.5e-7));
    }

    // ---- groups, zeroGrad, skipping ---------------------------------------------------------

    @Test
    void groupsTakeMissingOptionsFromDefaults() {
        List<Tensor> p = params(3);
        SGD opt = SGD.builder(ParamGroup.of(p.get(0)), ParamGroup.of(p.get(1)).with("lr", 0.01).with("momentum", 0.5))
                .lr(0.1).momentum(0.9).build();
        assertEquals(0.1, opt.paramGroups().get(0).lr());
        assertEquals(0.9, opt.paramGroups().get(0).getDouble("momentum"));
        assertEquals(0.01, opt.paramGroups().get(1).lr());
        assertEquals(0.5, opt.paramGroups().get(1).getDouble("momentum"));
        assertEquals(List.of("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach",
                "differentiable"), new ArrayList<>(opt.paramGroups().get(0).options().keySet()));
        Tensor extra = Torch.randn(2).requiresGrad_();
        opt.addParamGroup(ParamGroup.of(extra));
        assertEquals(3, opt.paramGroups().size());
        assertEquals(0.9, opt.paramGroups().get(2).getDouble("momentum"));
        assertTrue(opt.toString().startsWith("SGD (\nParameter Group 0\n    dampening: 0.0\n"), opt.toString());
    }

    @Test
    void zeroGradSetsToNullOrZeroesInPlace() {
        List<Tensor> p = params(4);
        SGD opt = new SGD(p, 0.1);
        p.get(0).setGrad(Torch.onesLike(p.get(0)));
        Tensor g1 = Torch.onesLike(p.get(1));
        p.get(1).setGrad(g1);
        opt.zeroGrad(false);
        assertSame(g1, p.get(1).grad());
        assertArrayEquals(new float[4], p.get(1).grad().toFloatArray());
        opt.zeroGrad();
        assertNull(p.get(0).grad());
        assertNull(p.get(1).grad());
        opt.zeroGrad(); // nothing to do is fine
    }

    @Test
    void frozenParameterIsNotTouchedAndHasNoState() {
        List<Tensor> p = params(5);
        for (Function<List<Tensor>, Optimizer> make : List.<Function<List<Tensor>, Optimizer>>of(
                q -> SGD.builder(q).lr(0.1).momentum(0.9).weightDecay(0.5).build(),
                q -> AdamW.builder(q).weightDecay(0.5).build(),
                q -> RMSprop.builder(q).weightDecay(0.5).build())) {
            Optimizer opt = make.apply(p);
            float[] before = p.get(1).toFloatArray();
            p.get(0).setGrad(Torch.onesLike(p.get(0)));
            p.get(1).setGrad(null);
            Tensor identity = p.get(0);
            opt.step();
            opt.step();
            assertArrayEquals(before, p.get(1).toFloatArray());
            assertTrue(opt.state(p.get(1)).isEmpty());
            assertSame(identity, opt.paramGroups().get(0).params().get(0));
            assertTrue(p.get(0).requiresGrad() && p.get(0).isLeaf() && p.get(0).gradFn() == null);
        }
    }

    @Test
    void closureIsEvaluatedWithGradThenStepped() {
        Tensor w = Torch.tensor(new float[] {2f}).requiresGrad_();
        SGD opt = new SGD(List.of(w), 0.25);
        Tensor loss;
        try (var g = Torch.noGrad()) {
            loss = opt.step(() -> {
                opt.zeroGrad();
                Tensor l = w.mul(w).sum();
                l.backward();
                return l;
            });
        }
        assertEquals(4.0, loss.item());
        assertEquals(1.0, w.item()); // 2 - 0.25 * 4
    }

    // ---- state dict ---------------------------------------------------------------------------

    private static List<List<Tensor>> grads(long seed, int steps) {
        Torch.manualSeed(seed);
        List<List<Tensor>> g = new ArrayList<>();
        for (int k = 0; k < steps; k++) g.add(List.of(Torch.randn(3, 4).mul(k % 2 == 0 ? 1.0 : 0.1), Torch.randn(4)));
        return g;
    }

    private static void stepWith(Optimizer opt, List<Tensor> params, List<Tensor> g) {
        for (int i = 0; i < params.size(); i++) params.get(i).setGrad(g.get(i).clone());
        opt.step();
    }

    private static List<Tensor> copies(List<Tensor> params) {
        List<Tensor> c = new ArrayList<>();
        for (Tensor p : params) c.add(p.detach().clone().requiresGrad_());
        return c;
    }

    private static void roundTrip(Function<List<Tensor>, Optimizer> make) {
        List<List<Tensor>> g = grads(11, 5);
        List<Tensor> a = params(10);
        Optimizer optA = make.apply(a);
        for (int k = 0; k < 3; k++) stepWith(optA, a, g.get(k));
        Map<String, Object> saved = optA.stateDict();

        List<Tensor> b = copies(a);
        Optimizer optB = make.apply(b);
        optB.loadStateDict(saved);
        for (int k = 3; k < 5; k++) {
            stepWith(optA, a, g.get(k));
            stepWith(optB, b, g.get(k));
        }
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), optA.getClass().getSimpleName() + " p" + i);
        }
        // The loaded state is a copy: stepping A afterwards did not change B's tensors through aliasing.
        Map<String, Object> stateA = optA.state(a.get(0)), stateB = optB.state(b.get(0));
        assertEquals(stateA.keySet(), stateB.keySet());
        for (String key : stateA.keySet()) {
            if (stateA.get(key) instanceof Tensor ta) {
                assertNotSame(ta, stateB.get(key));
                assertArrayEquals(ta.toDoubleArray(), ((Tensor) stateB.get(key)).toDoubleArray(), key);
            } else {
                assertEquals(stateA.get(key), stateB.get(key), key);
            }
        }
    }

    @Test
    void stateDictRoundTripContinuesTheSameTrajectory() {
        roundTrip(p -> SGD.builder(p).lr(0.1).momentum(0.9).nesterov(true).weightDecay(0.01).build());
        roundTrip(p -> Adam.builder(p).lr(0.01).amsgrad(true).weightDecay(0.1).build());
        roundTrip(p -> AdamW.builder(p).lr(0.01).build());
        roundTrip(p -> RMSprop.builder(p).lr(0.01).momentum(0.9).centered(true).build());
    }

    @Test
    @SuppressWarnings("unchecked")
    void stateDictHasPyTorchsStructure() {
        List<Tensor> p = params(12);
        Tensor frozen = Torch.randn(2).requiresGrad_();
        Adam opt = Adam.builder(ParamGroup.of(p.get(0), frozen), ParamGroup.of(p.get(1)).with("lr", 0.1))
                .amsgrad(true).build();
        stepWith(opt, p, grads(13, 1).get(0));
        Map<String, Object> sd = opt.stateDict();
        assertEquals(List.of("state", "param_groups"), new ArrayList<>(sd.keySet()));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) sd.get("param_groups");
        assertEquals(List.of(0, 1), groups.get(0).get("params"));
        assertEquals(List.of(2), groups.get(1).get("params"));
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
                "differentiable", "fused", "params"), new ArrayList<>(groups.get(0).keySet()));
        assertEquals(List.of(0.9, 0.999), groups.get(0).get("betas"));
        assertEquals(0.1, groups.get(1).get("lr"));
        assertEquals(List.of("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
                "differentiable", "fused", "params"), new ArrayList<>(groups.get(1).keySet()));
        Map<Object, Object> state = (Map<Object, Object>) sd.get("state");
        assertEquals(List.of(0, 2), new ArrayList<>(state.keySet())); // the frozen parameter 1 has no state
        Map<String, Object> s0 = (Map<String, Object>) state.get(0);
        assertEquals(List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), new ArrayList<>(s0.keySet()));
        Tensor step = (Tensor) s0.get("step");
        assertEquals(0, step.dim());
        assertEquals(DType.FLOAT32, step.dtype());
        assertEquals(1.0, step.item());

        SGD sgd = new SGD(p, 0.1);
        stepWith(sgd, p, grads(14, 1).get(0));
        Map<String, Object> sgdState = (Map<String, Object>) ((Map<Object, Object>) sgd.stateDict().get("state")).get(0);
        assertTrue(sgdState.containsKey("momentum_buffer"));
        assertNull(sgdState.get("momentum_buffer")); // PyTorch keeps None without momentum

        RMSprop rms = RMSprop.builder(p).momentum(0.5).build();
        stepWith(rms, p, grads(15, 1).get(0));
        stepWith(rms, p, grads(15, 1).get(0));
        Map<String, Object> rmsState = (Map<String, Object>) ((Map<Object, Object>) rms.stateDict().get("state")).get(1);
        assertEquals(List.of("step", "square_avg", "momentum_buffer"), new ArrayList<>(rmsState.keySet()));
        assertEquals(2, rmsState.get("step"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void loadStateDictChecksGroupsAndSizes() {
        List<Tensor> p = params(16);
        SGD one = SGD.builder(p).lr(0.1).momentum(0.9).build();
        stepWith(one, p, grads(17, 1).get(0));
        Map<String, Object> sd = one.stateDict();

        SGD two = SGD.builder(ParamGroup.of(p.get(0)), ParamGroup.of(p.get(1))).lr(0.1).build();
        expectMessage("loaded state dict has a different number of parameter groups", () -> two.loadStateDict(sd));
        SGD small = new SGD(List.of(p.get(0)), 0.1);
        expectMessage("loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
                () -> small.loadStateDict(sd));
        List<Tensor> swapped = List.of(Torch.randn(4).requiresGrad_(), Torch.randn(3, 4).requiresGrad_());
        SGD wrongShapes = new SGD(swapped, 0.1);
        expectMessage("state[0].momentum_buffer: expected [4] (the parameter's shape), got [3, 4]",
                () -> wrongShapes.loadStateDict(sd));
        assertTrue(wrongShapes.state(swapped.get(0)).isEmpty(), "a failed load changes nothing");

        // Options come from the saved groups (a checkpoint's lr wins), including a key the saver added.
        Map<String, Object> edited = new LinkedHashMap<>(sd);
        List<Object> groups = new ArrayList<>((List<Object>) sd.get("param_groups"));
        Map<String, Object> g0 = new LinkedHashMap<>((Map<String, Object>) groups.get(0));
        g0.put("lr", 0.5);
        g0.put("initial_lr", 0.1);
        g0.remove("differentiable");
        g0.put("params", List.of(0L, 1L)); // a pickle reader may hand back longs
        groups.set(0, g0);
        edited.put("param_groups", groups);
        SGD fresh = new SGD(copies(p), 0.1);
        fresh.loadStateDict(edited);
        assertEquals(0.5, fresh.paramGroups().get(0).lr());
        assertEquals(0.1, fresh.paramGroups().get(0).getDouble("initial_lr"));
        assertEquals(false, fresh.paramGroups().get(0).get("differentiable")); // filled from the defaults
    }

    // ---- schedulers ---------------------------------------------------------------------------

    @Test
    void schedulerRecordsInitialLrAndSetsGroups() {
        SGD opt = SGD.builder(ParamGroup.of(params(18)), ParamGroup.of(Torch.zeros(1).requiresGrad_()).with("lr", 1.0))
                .lr(0.1).build();
        StepLR s = new StepLR(opt, 2, 0.5);
        assertEquals(List.of(0.1, 1.0), s.getLastLr());
        assertEquals(0.1, opt.paramGroups().get(0).getDouble("initial_lr"));
        assertEquals(0, s.lastEpoch());
        s.step();
        s.step();
        assertEquals(List.of(0.05, 0.5), s.getLastLr());
        assertEquals(0.05, opt.paramGroups().get(0).lr());
        assertEquals(2, s.lastEpoch());
        Map<String, Object> sd = s.stateDict();
        assertEquals(2, sd.get("last_epoch"));

        CosineAnnealingLR c = new CosineAnnealingLR(new SGD(params(19), 0.1), 4);
        for (int i = 0; i < 4; i++) c.step();
        assertEquals(0.0, c.getLastLr().get(0), 1e-17);

        ReduceLROnPlateau r = ReduceLROnPlateau.builder(opt).patience(0).factor(0.5).build();
        assertEquals(List.of(0.05, 0.5), r.getLastLr());
        r.step(1.0);
        r.step(Torch.scalarTensor(2.0));
        assertEquals(List.of(0.025, 0.25), r.getLastLr());
    }
}
