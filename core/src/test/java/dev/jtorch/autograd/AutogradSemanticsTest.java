package dev.jtorch.autograd;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.backend.TensorInternals;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

import static dev.jtorch.backend.TensorInternals.storage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Define-by-run semantics, each checked against values derived by hand in the comments or against
 * what PyTorch 1.13 (Debian's python3-torch) prints for the same program, quoted beside the check.
 */
class AutogradSemanticsTest {

    static Tensor x123() { return Torch.tensor(new double[]{1, 2, 3}).requiresGrad_(); }

    static Tensor scalarOne() { return Torch.ones(DType.FLOAT64); }

    static void assertValues(double[] expected, Tensor t) { assertArrayEquals(expected, t.toDoubleArray(), 1e-12); }

    // ---- accumulation ----------------------------------------------------------------------

    @Test
    void gradientsAccumulateOverBackwardCallsUntilReset() {
        Tensor x = x123();
        Tensor y = x.mul(x).sum(); // dy/dx = 2x
        y.backward(scalarOne(), true);
        assertValues(new double[]{2, 4, 6}, x.grad());
        y.backward(scalarOne(), false); // accumulates: 2 * 2x
        assertValues(new double[]{4, 8, 12}, x.grad());

        x.setGrad(null);
        assertNull(x.grad());
        x.mul(3).sum().backward(); // starts from nothing again
        assertValues(new double[]{3, 3, 3}, x.grad());
    }

    @Test
    void accumulatedGradIsNotAliasedToTheGraph() {
        // add passes the caller's gradient tensor straight through to the leaf; the leaf must store a copy,
        // or updating .grad() in place would change the caller's tensor.
        Tensor x = x123();
        Tensor g = Torch.tensor(new double[]{1, 1, 1});
        Tensor zeros = Torch.zeros(DType.FLOAT64, 3);
        x.add(zeros).backward(g);
        x.grad().mul_(10);
        assertValues(new double[]{1, 1, 1}, g);
        x.add(zeros).backward(g);
        assertValues(new double[]{11, 11, 11}, x.grad());
    }

    @Test
    void retainGradKeepsTheGradientOfANonLeaf() {
        Tensor x = x123();
        Tensor h = x.mul(2).retainGrad();
        Tensor other = x.mul(5); // a non-leaf without retainGrad: no .grad(), as in PyTorch (None)
        h.mul(h).add(other).sum().backward();
        assertValues(new double[]{4, 8, 12}, h.grad()); // d/dh sum(h^2) = 2h = 4x
        assertValues(new double[]{13, 21, 29}, x.grad()); // 2h * 2 + 5 = 8x + 5
        assertNull(other.grad());
        assertFalse(h.isLeaf());

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Torch.zeros(2).retainGrad());
        assertEquals("can't retain_grad on Tensor that has requires_grad=False", e.getMessage());
    }

    @Test
    void diamondGraphSumsTheGradientsOfBothPaths() {
        Tensor x = x123();
        Tensor h = x.mul(3);
        h.add(h.mul(h)).sum().backward(); // d/dx (3x + 9x^2) = 3 + 18x; PyTorch: tensor([21., 39., 57.])
        assertValues(new double[]{21, 39, 57}, x.grad());

        Tensor z = x123();
        z.mul(z.exp()).sum().backward(); // d/dz z e^z = e^z (1 + z), x used twice directly
        double[] want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = Math.exp(i + 1) * (i + 2);
        assertArrayEquals(want, z.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void deepChainOfTwentyThousandOpsBackpropagatesWithoutRecursion() throws Exception {
        // Run on a thread with a 256 KiB stack: a recursive engine would overflow at this depth there,
        // whatever -Xss the test JVM got.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<double[]> grad = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                Tensor x = Torch.tensor(new double[]{1, -2}).requiresGrad_();
                Tensor y = x;
                for (int i = 0; i < 20_000; i++) y = i % 2 == 0 ? y.mul(1.0001) : y.add(0.25);
                y.sum().backward();
                grad.set(x.grad().toDoubleArray());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "deep-chain", 256 * 1024);
        t.start();
        t.join();
        if (failure.get() != null) throw new AssertionError("deep chain failed", failure.get());
        double want = Math.pow(1.0001, 10_000); // the adds pass the gradient through unchanged
        assertArrayEquals(new double[]{want, want}, grad.get(), 1e-9 * want);
    }

    // ---- detach and grad mode --------------------------------------------------------------

    @Test
    void detachStopsGradientsAndSharesData() {
        Tensor x = x123();
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertSame(storage(x), storage(d));
        assertSame(TensorInternals.version(x), TensorInternals.version(d)); // PyTorch: d._version follows x._version

        x.detach().mul(x).sum().backward(); // only the second factor carries gradient: d/dx = x
        assertValues(new double[]{1, 2, 3}, x.grad());

        d.mul_(2); // writes through to x (d needs no grad, so this is allowed)
        assertValues(new double[]{2, 4, 6}, x);
        assertEquals(1, x.versionNumber());
    }

    @Test
    void noGradRecordsNothingAndRestoresThePreviousMode() {
        Tensor x = x123();
        assertTrue(Torch.isGradEnabled());
        try (var g = Torch.noGrad()) {
            assertFalse(Torch.isGradEnabled());
            Tensor y = x.mul(2).exp();
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            assertTrue(y.isLeaf());
            try (var e = Torch.enableGrad()) {
                assertTrue(Torch.isGradEnabled());
                assertEquals("MulBackward0", x.mul(2).gradFn().name());
            }
            assertFalse(Torch.isGradEnabled());
            try (var inner = Torch.noGrad()) {
                assertFalse(Torch.isGradEnabled());
            }
            assertFalse(Torch.isGradEnabled(), "closing a nested noGrad restores the outer no-grad mode");
        }
        assertTrue(Torch.isGradEnabled());
        assertEquals("MulBackward0", x.mul(2).gradFn().name());

        assertThrows(IllegalStateException.class, () -> {
            try (var g = Torch.noGrad()) {
                throw new IllegalStateException("boom");
            }
        });
        assertTrue(Torch.isGradEnabled(), "restored after an exception too");
    }

    // ---- errors, with PyTorch's messages ---------------------------------------------------

    @Test
    void backwardOnANonScalarNeedsAGradient() {
        Tensor z = Torch.tensor(new double[]{1, 2, 3, 4}, 2, 2).requiresGrad_();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.mul(2).backward());
        assertEquals("grad can be implicitly created only for scalar outputs", e.getMessage());

        Tensor y = x123().mul(2);
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> y.backward(Torch.ones(DType.FLOAT64, 2)));
        assertEquals("Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of "
                + "torch.Size([3]).", m.getMessage());

        IllegalStateException n = assertThrows(IllegalStateException.class, () -> Torch.zeros(2).sum().backward());
        assertEquals("element 0 of tensors does not require grad and does not have a grad_fn", n.getMessage());
    }

    @Test
    void secondBackwardWithoutRetainGraphFails() {
        Tensor x = x123();
        Tensor y = x.mul(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("Trying to backward through the graph a second time (or directly access saved tensors after they "
                + "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
                + "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
                + "or if you need to access saved tensors after calling backward.", e.getMessage());
        assertValues(new double[]{2, 4, 6}, x.grad()); // the failed call added nothing
    }

    /**
     * PyTorch frees only saved tensors: a graph that saved none (here SumBackward0, which keeps
     * only a size) can run backward twice without retain_graph, and x.grad becomes [2, 2, 2].
     */
    @Test
    void secondBackwardThroughAGraphWithoutSavedTensorsWorks() {
        Tensor x = x123();
        Tensor y = x.sum();
        y.backward();
        y.backward();
        assertValues(new double[]{2, 2, 2}, x.grad());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradFails() {
        String message = "a leaf Variable that requires grad is being used in an in-place operation.";
        Tensor x = x123();
        List<Supplier<Tensor>> ops = List.of(() -> x.add_(1), () -> x.mul_(x123()), () -> x.relu_(), () -> x.fill_(0),
                () -> x.copy_(Torch.zeros(DType.FLOAT64, 3)), () -> x.clamp_(0, 1));
        for (Supplier<Tensor> op : ops) {
            IllegalStateException e = assertThrows(IllegalStateException.class, op::get);
            assertEquals(message, e.getMessage());
        }
        assertValues(new double[]{1, 2, 3}, x);
        assertEquals(0, x.versionNumber());

        try (var g = Torch.noGrad()) { // PyTorch allows it under no_grad (how optimizers update parameters)
            x.add_(1);
        }
        assertValues(new double[]{2, 3, 4}, x);
        assertEquals(1, x.versionNumber());
        assertTrue(x.isLeaf() && x.requiresGrad());
    }

    @Test
    void modifyingASavedTensorInPlaceFailsOnBackward() {
        // PyTorch: a = x*2; b = a.pow(3); a.add_(1); b.sum().backward() raises
        String prefix = "one of the variables needed for gradient computation has been modified by an inplace operation: ";
        String hint = " Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                + "with torch.autograd.set_detect_anomaly(True).";
        Tensor x = x123();
        Tensor a = x.mul(2);
        Tensor b = a.pow(3); // saves a at version 0
        a.add_(1);
        assertEquals(1, a.versionNumber());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.sum().backward());
        assertEquals(prefix + "[torch.DoubleTensor [3]], which is output 0 of AddBackward0, is at version 1; "
                + "expected version 0 instead." + hint, e.getMessage());

        // A saved leaf changed under no_grad: PyTorch names no producer.
        Tensor w = x123();
        Tensor y = w.mul(w);
        try (var g = Torch.noGrad()) {
            w.add_(1);
        }
        IllegalStateException f = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertEquals(prefix + "[torch.DoubleTensor [3]] is at version 1; expected version 0 instead." + hint, f.getMessage());

        // Two writes: the versions count both.
        Tensor v = x123().mul(1);
        Tensor s = v.exp().mul(v);
        v.mul_(2);
        v.sub_(1);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> s.sum().backward());
        assertTrue(twice.getMessage().contains("is at version 2; expected version 0 instead."), twice.getMessage());
    }

    /**
     * PyTorch names the node that saved an output, not the tensor's grad_fn at the time of the
     * check: for {@code y = x.exp(); y.add_(1); y.sum().backward()} it says "output 0 of
     * ExpBackward0".
     */
    @Test
    void modifiedSavedOutputNamesTheNodeThatSavedIt() {
        Tensor x = x123();
        Tensor y = x.exp();
        y.add_(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("[torch.DoubleTensor [3]], which is output 0 of ExpBackward0, is at version 1"),
                e.getMessage());
    }

    @Test
    void inPlaceReluOnANonLeafGivesTheRightGradient() {
        Tensor x = Torch.tensor(new double[]{-1, 2, -3, 4}).requiresGrad_();
        Tensor h = x.mul(2);
        Tensor r = h.relu_();
        assertSame(h, r);
        assertEquals(1, h.versionNumber());
        assertEquals("ReluBackward0", h.gradFn().name()); // PyTorch: h.relu_() -> grad_fn=<ReluBackward0>, _version 1
        assertValues(new double[]{0, 4, 0, 8}, h);
        h.sum().backward(); // 2 where x > 0, else 0
        assertValues(new double[]{0, 2, 0, 2}, x.grad());
    }

    @Test
    void inPlaceOpsWhoseBackwardReadsTheOriginalSelfWorkOnANonLeaf() {
        // PyTorch: y = x*1; y.clamp_(-0.5, 0.8) -> grad_fn=<ClampBackward1>; x.grad [0., 1., 0.]
        Tensor x = Torch.tensor(new double[]{-1, 0.2, 2}).requiresGrad_();
        Tensor y = x.mul(1).clamp_(-0.5, 0.8);
        assertEquals("ClampBackward1", y.gradFn().name());
        assertValues(new double[]{-0.5, 0.2, 0.8}, y);
        y.sum().backward();
        assertValues(new double[]{0, 1, 0}, x.grad());

        // y = x*1; y.mul_(x.exp()): d/dx x e^x = e^x (1 + x); PyTorch: [0.0000, 1.4657, 22.1672]
        x.setGrad(null);
        Tensor z = x.mul(1).mul_(x.exp());
        assertEquals("MulBackward0", z.gradFn().name());
        z.sum().backward();
        double[] want = {0, Math.exp(0.2) * 1.2, Math.exp(2) * 3};
        assertArrayEquals(want, x.grad().toDoubleArray(), 1e-12);

        // y = x*1 + 3; y.div_(x): d/dx (x + 3) / x = -3 / x^2
        x.setGrad(null);
        x.mul(1).add(3).div_(x).sum().backward();
        assertArrayEquals(new double[]{-3, -3 / 0.04, -0.75}, x.grad().toDoubleArray(), 1e-9);
    }

    // ---- views -------------------------------------------------------------------------------

    @Test
    void viewsShareStorageAndVersionCounter() {
        Tensor base = Torch.zeros(DType.FLOAT64, 3, 4);
        Tensor row = base.select(0, 1);
        assertTrue(row.isView());
        assertFalse(base.isView());
        assertSame(storage(base), storage(row));
        assertSame(TensorInternals.version(base), TensorInternals.version(row));

        row.fill_(7);
        assertValues(new double[]{0, 0, 0, 0, 7, 7, 7, 7, 0, 0, 0, 0}, base);
        assertEquals(1, base.versionNumber()); // PyTorch: base._version == 1

        // A view of a view: columns 1..2 through the transpose; PyTorch gives 2 * 0 + 1 there, version 3.
        Tensor cols = base.t().narrow(0, 1, 2);
        assertFalse(cols.isContiguous());
        cols.mul_(2);
        cols.add_(1);
        assertValues(new double[]{0, 1, 1, 0, 7, 15, 15, 7, 0, 1, 1, 0}, base);
        assertEquals(3, base.versionNumber());
        assertEquals(3, row.versionNumber());

        Tensor flat = base.view(12).slice(0, 0, 12, 5); // elements 0, 5, 10
        flat.copy_(Torch.tensor(new double[]{-1, -2, -3}));
        assertValues(new double[]{-1, 1, 1, 0, 7, -2, 15, 7, 0, 1, -3, 0}, base);
        assertEquals(4, row.versionNumber());

        Tensor expanded = base.select(1, 0).unsqueeze(1).expand(3, 5);
        assertArrayEquals(new int[]{4, 0}, expanded.stride()); // no copy: column 0 of base, repeated
        assertValues(new double[]{-1, -1, -1, -1, -1, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0}, expanded);
    }

    @Test
    void gradientFlowsThroughViewsBackToTheBase() {
        Tensor x = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad_();
        // column 1 of x times (10, 20), plus row 0 of x's first two columns (through a narrowed transpose)
        Tensor y = x.t().select(0, 1).mul(Torch.tensor(new double[]{10, 20})).sum()
                .add(x.t().narrow(0, 0, 2).select(1, 0).sum());
        y.backward();
        assertValues(new double[]{1, 11, 0, 0, 20, 0}, x.grad());
    }

    // ---- names and printing -------------------------------------------------------------------

    /** grad_fn names that PyTorch 1.13 prints for the same expressions (checked with Debian's python3-torch). */
    @Test
    void gradFnNamesMatchPyTorch() {
        Tensor x = Torch.tensor(new double[]{1, 2, 3}).requiresGrad_();
        Tensor y = Torch.tensor(new double[]{0.5, 1.5, 2.5}).requiresGrad_();
        Tensor m = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad_();
        Tensor a = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4).requiresGrad_();
        Tensor b = Torch.tensor(new double[]{1, 2}).requiresGrad_();
        Tensor k = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6, 7, 8}, 4, 2).requiresGrad_();
        Map<String, Supplier<Tensor>> cases = new LinkedHashMap<>();
        cases.put("AddBackward0", () -> x.add(y));
        cases.put("AddBackward0 ", () -> x.add(1)); // x + 1: Python wraps the scalar, AddBackward0
        cases.put("SubBackward0", () -> x.sub(y));
        cases.put("MulBackward0", () -> x.mul(y));
        cases.put("MulBackward0 ", () -> x.mul(2));
        cases.put("DivBackward0", () -> x.div(y));
        cases.put("DivBackward0 ", () -> x.div(2));
        cases.put("PowBackward0", () -> x.pow(3));
        cases.put("PowBackward0 ", () -> x.pow(2));
        cases.put("PowBackward0  ", () -> x.square());
        cases.put("PowBackward1", () -> x.pow(y));
        cases.put("NegBackward0", x::neg);
        cases.put("AbsBackward0", x::abs);
        cases.put("ExpBackward0", x::exp);
        cases.put("LogBackward0", x::log);
        cases.put("SqrtBackward0", x::sqrt);
        cases.put("RsqrtBackward0", x::rsqrt);
        cases.put("TanhBackward0", x::tanh);
        cases.put("SigmoidBackward0", x::sigmoid);
        cases.put("ReluBackward0", x::relu);
        cases.put("SignBackward0", x::sign);
        cases.put("ReciprocalBackward0", x::reciprocal);
        cases.put("ErfBackward0", x::erf);
        cases.put("SinBackward0", x::sin);
        cases.put("CosBackward0", x::cos);
        cases.put("ClampBackward1", () -> x.clamp(0.2, 0.5));
        cases.put("ClampMinBackward0", () -> x.clampMin(0.2)); // torch.clamp_min
        cases.put("ClampMaxBackward0", () -> x.clampMax(0.5)); // torch.clamp_max
        cases.put("MaximumBackward0", () -> x.maximum(y));
        cases.put("MinimumBackward0", () -> x.minimum(y));
        cases.put("WhereBackward0", () -> Torch.where(x.gt(1.5), x, y));
        cases.put("MaskedFillBackward0", () -> x.maskedFill(x.gt(1.5), 0));
        cases.put("SumBackward0", () -> x.sum());
        cases.put("SumBackward1", () -> m.sum(1, false));
        cases.put("SumBackward1 ", () -> m.sum(1, true));
        cases.put("MeanBackward0", () -> m.mean());
        cases.put("MeanBackward1", () -> m.mean(0, true));
        cases.put("VarBackward0", () -> m.var());
        cases.put("VarBackward0 ", () -> m.var(1, true, false));
        cases.put("StdBackward0", () -> m.std());
        cases.put("MaxBackward1", () -> m.max());
        cases.put("MinBackward1", () -> m.min());
        cases.put("MaxBackward0", () -> m.max(1).values());
        cases.put("MinBackward0", () -> m.min(1).values());
        cases.put("SoftmaxBackward0", () -> m.softmax(1));
        cases.put("LogSoftmaxBackward0", () -> m.logSoftmax(1));
        cases.put("MmBackward0", () -> a.mm(k));
        cases.put("MmBackward0 ", () -> a.matmul(k));
        cases.put("BmmBackward0", () -> a.unsqueeze(0).bmm(k.unsqueeze(0)));
        cases.put("AddmmBackward0", () -> Torch.addmm(b, a, k));
        cases.put("CatBackward0", () -> Torch.cat(List.of(x, y)));
        cases.put("ConstantPadNdBackward0", () -> m.pad(new int[]{1, 1}, 0));
        cases.put("IndexSelectBackward0", () -> m.indexSelect(0, Torch.tensor(new long[]{0, 2})));
        cases.put("GatherBackward0", () -> m.gather(1, Torch.tensor(new long[]{0, 1, 0}, 3, 1)));
        cases.put("ViewBackward0", () -> m.view(6));
        cases.put("ViewBackward0 ", () -> m.unflatten(0, 3, 1));
        cases.put("PermuteBackward0", () -> m.permute(1, 0));
        cases.put("TransposeBackward0", () -> m.transpose(0, 1));
        cases.put("SliceBackward0", () -> m.narrow(0, 1, 2));
        cases.put("SliceBackward0 ", () -> m.slice(0, 0, 3, 2));
        cases.put("SelectBackward0", () -> m.select(0, 1));
        cases.put("SelectBackward0 ", () -> m.get(1));
        cases.put("ExpandBackward0", () -> b.expand(3, 2));
        cases.put("UnsqueezeBackward0", () -> m.unsqueeze(0));
        cases.put("SqueezeBackward0", () -> m.unsqueeze(0).squeeze());
        cases.put("SqueezeBackward1", () -> m.unsqueeze(0).squeeze(0));
        cases.put("CloneBackward0", m::clone);
        cases.put("CloneBackward0 ", () -> m.t().contiguous());
        cases.put("ToCopyBackward0", () -> m.to(DType.FLOAT32));
        for (Map.Entry<String, Supplier<Tensor>> c : cases.entrySet()) {
            Tensor out = c.getValue().get();
            assertTrue(out.gradFn() != null, c.getKey().strip() + ": no grad_fn");
            assertEquals(c.getKey().strip(), out.gradFn().name());
        }
        // Ops that return their input record nothing new, as in PyTorch (x.to(torch.float64) is x).
        assertSame(x, x.to(DType.FLOAT64));
        assertSame(m, m.contiguous());
    }

    @Test
    void gradFnNamesOfScalarAndReductionFormsMatchPyTorch() {
        Tensor x = Torch.tensor(new double[]{1, 2, 3}).requiresGrad_();
        Tensor m = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad_();
        assertEquals("SubBackward0", x.sub(1).gradFn().name());
        assertEquals("RsubBackward1", x.rsub(1).gradFn().name());
        assertEquals("SumBackward0", m.sum().gradFn().name());
        assertEquals("SumBackward1", m.sum(new int[]{0, 1}, false).gradFn().name());
        assertEquals("MeanBackward0", m.mean().gradFn().name());
        assertEquals("MeanBackward1", m.mean(new int[]{0, 1}, false).gradFn().name());
        assertEquals("TBackward0", m.t().gradFn().name());
    }

    /**
     * Ops jtorch composes from others (mm then squeeze, unsqueeze then cat, narrow): their node
     * takes PyTorch 1.13's name for the whole op. The comment beside each says what it read before.
     */
    @Test
    void gradFnNamesOfCompositeOpsMatchPyTorch() {
        Tensor x = Torch.tensor(new double[]{1, 2, 3}).requiresGrad_();
        Tensor m = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad_();
        Tensor a = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4).requiresGrad_();
        Tensor k = Torch.tensor(new double[]{1, 2, 3, 4, 5, 6, 7, 8}, 4, 2).requiresGrad_();
        Map<String, Supplier<Tensor>> cases = new LinkedHashMap<>();
        cases.put("MvBackward0", () -> a.t().matmul(x)); // jtorch: SqueezeBackward1 (mm, then squeeze)
        cases.put("DotBackward0", () -> x.matmul(x)); // jtorch: ViewBackward0 (mm, then reshape)
        cases.put("UnsafeViewBackward0", () -> a.unsqueeze(0).expand(2, 3, 4).matmul(k)); // jtorch: ViewBackward0
        cases.put("StackBackward0", () -> Torch.stack(List.of(x, x))); // jtorch: CatBackward0
        cases.put("SplitBackward0", () -> m.split(2, 0).get(0)); // jtorch: SliceBackward0 (narrow)
        cases.put("SplitBackward0 ", () -> m.chunk(2, 0).get(0)); // jtorch: SliceBackward0 (narrow)
        cases.put("UnsafeViewBackward0 ", () -> m.t().reshape(6)); // reshape that copies; jtorch: ViewBackward0
        cases.put("ClampBackward1", () -> x.clamp(0.2, Double.NaN)); // x.clamp(min=0.2); jtorch: ClampMinBackward0
        StringBuilder diffs = new StringBuilder();
        for (Map.Entry<String, Supplier<Tensor>> c : cases.entrySet()) {
            String got = c.getValue().get().gradFn().name();
            if (!got.equals(c.getKey().strip())) diffs.append(c.getKey().strip()).append(" != ").append(got).append('\n');
        }
        assertEquals("", diffs.toString());
    }

    @Test
    void toStringShowsGradFnAsPyTorchPrintsIt() {
        Tensor x = x123();
        assertEquals("tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)", x.toString());
        assertEquals("tensor([2., 4., 6.], dtype=torch.float64, grad_fn=<MulBackward0>)", x.mul(2).toString());
        assertEquals("tensor(4., dtype=torch.float64, grad_fn=<SumBackward0>)",
                Torch.tensor(new double[]{1.5, 2.5}).requiresGrad_().sum().toString());
        assertEquals("tensor([3., 3.], grad_fn=<SumBackward1>)", Torch.ones(2, 3).requiresGrad_().sum(1, false).toString());
        Tensor m = Torch.tensor(new double[]{1.5, -2, 3, 4}, 2, 2).requiresGrad_();
        assertEquals("tensor([[ 1.5000,  3.0000],\n        [-2.0000,  4.0000]], dtype=torch.float64, grad_fn=<MulBackward0>)",
                m.t().mul(1).toString());
        assertEquals("tensor([2., 4., 6.], dtype=torch.float64)", x.mul(2).detach().toString());
    }
}
