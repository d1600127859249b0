package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * In-place ops with autograd on views (PyTorch's CopySlices and the regenerated grad_fn of views,
 * {@code ops.ViewHistory}): the figures PyTorch 1.13 gives for the same programs (quoted beside
 * each), and GradCheck over random views, ops and shapes.
 */
class InPlaceOnViewsTest {

    private static Tensor x() {
        return Torch.tensor(new double[]{1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad_();
    }

    private static final Tensor W = Torch.tensor(new double[]{1, -1, 2, 0.5, 3, -2}, 2, 3);

    private static void assertGrad(double[] expected, Tensor x) {
        assertArrayEquals(expected, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void theExamplesGiveWhatPyTorchGives() {
        // y = x.clone(); y[:, 0].mul_(2); (y*w).sum().backward()  ->  [[2, -1, 2], [1, 3, -2]], grad_fn CopySlices
        Tensor x = x();
        Tensor y = x.clone();
        y.select(1, 0).mul_(2);
        assertEquals("CopySlices", y.gradFn().name());
        y.mul(W).sum().backward();
        assertGrad(new double[]{2, -1, 2, 1, 3, -2}, x);

        // y = x.clone(); y.narrow(0, 0, 1).zero_()  ->  [[0, 0, 0], [0.5, 3, -2]]
        x = x();
        y = x.clone();
        y.narrow(0, 0, 1).zero_();
        y.mul(W).sum().backward();
        assertGrad(new double[]{0, 0, 0, 0.5, 3, -2}, x);

        // out = x.mul(3); out.view(-1).add_(1)  ->  [[3, -3, 6], [1.5, 9, -6]]
        x = x();
        Tensor out = x.mul(3);
        out.view(-1).add_(1);
        out.mul(W).sum().backward();
        assertGrad(new double[]{3, -3, 6, 1.5, 9, -6}, x);

        // y = x.clone(); v = y.t(); v.mul_(x.t())  ->  [[2, -4, 12], [4, 30, -24]], v.grad_fn AsStridedBackward0
        x = x();
        y = x.clone();
        Tensor v = y.t();
        v.mul_(x.t());
        assertEquals("AsStridedBackward0", v.gradFn().name());
        y.mul(W).sum().backward();
        assertGrad(new double[]{2, -4, 12, 4, 30, -24}, x);

        // a = zeros(2, 3); a[1].copy_(x[0]): a base without history takes one  ->  [[0.5, 3, -2], [0, 0, 0]]
        x = x();
        Tensor a = Torch.zeros(dev.jtorch.DType.FLOAT64, 2, 3);
        a.select(0, 1).copy_(x.select(0, 0));
        assertEquals("CopySlices", a.gradFn().name());
        a.mul(W).sum().backward();
        assertGrad(new double[]{0.5, 3, -2, 0, 0, 0}, x);

        // A view made before another view of the same base is written sees the write:
        // s = y[0]; t = y[:, 1]; s.mul_(2); (t*[1, 2]).sum()  ->  [[0, 2, 0], [0, 2, 0]], t.grad_fn AsStridedBackward0
        x = x();
        y = x.clone();
        Tensor s = y.select(0, 0), t = y.select(1, 1);
        s.mul_(2);
        assertEquals("AsStridedBackward0", t.gradFn().name());
        t.mul(Torch.tensor(new double[]{1, 2})).sum().backward();
        assertGrad(new double[]{0, 2, 0, 0, 2, 0}, x);
    }

    @Test
    void aViewOfALeafThatRequiresGradCannotBeWrittenWithHistory() {
        Tensor x = x();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.select(0, 0).mul_(2));
        assertEquals("a view of a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
        try (var g = Torch.noGrad()) { // how optimizers write parameters: allowed, and nothing is recorded
            x.select(0, 0).mul_(2);
        }
        assertArrayEquals(new double[]{2, 4, 6, 4, 5, 6}, x.toDoubleArray());
    }

    @Test
    void detachOfAViewIsNotAViewAndAViewIsNotDetachedInPlace() {
        // PyTorch: d = y[0:2].detach(); d.mul_(w) records MulBackward0, d._is_view() is False
        Tensor y = x().mul(1);
        Tensor d = y.narrow(0, 0, 1).detach();
        Tensor w = Torch.tensor(new double[]{1, 2, 3}, 1, 3).requiresGrad_();
        d.mul_(w);
        assertEquals("MulBackward0", d.gradFn().name());
        d.sum().backward();
        assertArrayEquals(new double[]{1, 2, 3}, w.grad().toDoubleArray());
        // PyTorch: "Can't detach views in-place. Use detach() instead. ..."
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x().mul(1).narrow(0, 0, 1).detach_());
        assertTrue(e.getMessage().startsWith("Can't detach views in-place. Use detach() instead."), e.getMessage());
    }

    @Test
    void splitOutputsRefuseInPlaceWritesWithHistoryAndExpandedViewsTakeFill() {
        // PyTorch: a, b = x.clone().split(2); b.mul_(2) -> "Output 1 of SplitBackward0 is a view and is being modified inplace. ..."
        Tensor y = Torch.tensor(new double[]{1, 2, 3, 4}).requiresGrad_().mul(1);
        Tensor second = y.split(2, 0).get(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.mul_(2));
        assertTrue(e.getMessage().startsWith("Output 1 of SplitBackward0 is a view and is being modified inplace."), e.getMessage());
        try (var g = Torch.noGrad()) {
            second.mul_(2); // without history it is an ordinary write
        }

        // b = (x*2); b[0:1].expand(3).fill_(5): PyTorch gives [5, 2, 2] with CopySlices (its backward then
        // refuses the overlap; jtorch's gives the gradient: the filled element gets none).
        Tensor x = Torch.tensor(new double[]{1, 1, 1}).requiresGrad_();
        Tensor base = x.mul(2);
        base.narrow(0, 0, 1).expand(3).fill_(5);
        assertArrayEquals(new double[]{5, 2, 2}, base.toDoubleArray());
        assertEquals("CopySlices", base.gradFn().name());
        base.mul(Torch.tensor(new double[]{1, 2, 3})).sum().backward();
        assertArrayEquals(new double[]{0, 4, 6}, x.grad().toDoubleArray());
    }

    /** The view a random program writes into, taken of a tensor of shape [3, 4]. */
    private static Tensor view(int kind, Tensor y) {
        return switch (kind) {
            case 0 -> y.select(0, 1);
            case 1 -> y.narrow(1, 1, 2);
            case 2 -> y.t().narrow(0, 0, 3);
            case 3 -> y.slice(1, 0, 4, 2);
            default -> y.view(12).narrow(0, 2, 6);
        };
    }

    /** The in-place op; {@code o} (same shape as the view) requires grad. */
    private static void write(int op, Tensor v, Tensor o) {
        switch (op) {
            case 0 -> v.mul_(2.5);
            case 1 -> v.add_(o);
            case 2 -> v.mul_(o);
            case 3 -> v.copy_(o);
            case 4 -> v.zero_();
            default -> v.div_(o.abs().add(1));
        }
    }

    @Property(tries = 60)
    void gradientsOfInPlaceOpsOnViewsMatchFiniteDifferences(@ForAll @IntRange(min = 0, max = 4) int kind,
                                                            @ForAll @IntRange(min = 0, max = 5) int op,
                                                            @ForAll @IntRange(min = 0, max = 1) int readViewAfter,
                                                            @ForAll long seed) {
        Random rnd = new Random(seed);
        double[] xv = new double[12], wv = new double[12];
        for (int i = 0; i < 12; i++) {
            xv[i] = rnd.nextDouble() * 4 - 2;
            wv[i] = rnd.nextDouble() * 4 - 2;
        }
        Tensor x = Torch.tensor(xv, 3, 4).requiresGrad_();
        Tensor w = Torch.tensor(wv, 3, 4);
        int[] viewShape = view(kind, Torch.zeros(3, 4)).shape();
        int n = 1;
        for (int d : viewShape) n *= d;
        double[] ov = new double[n];
        for (int i = 0; i < n; i++) ov[i] = rnd.nextDouble() * 4 - 2;
        Tensor o = Torch.tensor(ov, viewShape).requiresGrad_();
        Function<Tensor[], Tensor> program = in -> {
            Tensor y = in[0].mul(1.5); // a non-leaf base
            Tensor v = view(kind, y);
            write(op, v, in[1]);
            Tensor loss = y.mul(w).sum();
            // Reading the written view afterwards goes through its regenerated grad_fn.
            return readViewAfter == 1 ? loss.add(v.mul(v).sum()) : loss;
        };
        GradCheck.check(program, x, o);
    }

    @Test
    void aSecondBackwardThroughAGraphWithoutSavedTensorsWorks() {
        // PyTorch: y = x.sum(); y.backward(); y.backward()  ->  x.grad = [2, 2, 2]
        Tensor x = Torch.tensor(new double[]{1, 2, 3}).requiresGrad_();
        Tensor y = x.sum();
        y.backward();
        y.backward();
        assertArrayEquals(new double[]{2, 2, 2}, x.grad().toDoubleArray());
        // A graph that saved a tensor still refuses, as in PyTorch.
        Tensor z = x.mul(x).sum();
        z.backward();
        assertThrows(IllegalStateException.class, z::backward);
    }
}
