package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Findings of a review of the core tensor/autograd code against PyTorch 1.13 (Debian's
 * python3-torch). Each test quotes what PyTorch printed for the same program.
 */
class ReviewFindingsTest {

    private static final String OVERLAP = "unsupported operation: more than one element of the written-to tensor refers to "
            + "a single memory location. Please clone() the tensor before performing the operation.";

    // torch.zeros(1).expand(3).add_(1) -> RuntimeError: unsupported operation: more than one element ...
    @Test
    void inPlaceWriteToExpandedTensorIsRefused() {
        Tensor e = Torch.zeros(1).expand(3);
        assertEquals(OVERLAP, assertThrows(RuntimeException.class, () -> e.add_(1)).getMessage());
        Tensor m = Torch.zeros(3, 1).expand(3, 2);
        assertEquals(OVERLAP, assertThrows(RuntimeException.class, () -> m.mul_(Torch.ones(3, 2))).getMessage());
        assertEquals(OVERLAP, assertThrows(RuntimeException.class, () -> e.copy_(Torch.tensor(new float[]{0, 1, 2}))).getMessage());
        assertEquals(OVERLAP, assertThrows(RuntimeException.class, () -> e.relu_()).getMessage());
    }

    // torch.zeros(1).expand(3).fill_(1) -> tensor([1., 1., 1.]) (fill_ is allowed)
    @Test
    void fillOfExpandedTensorIsAllowed() {
        assertArrayEquals(new double[]{1, 1, 1}, Torch.zeros(1).expand(3).fill_(1).toDoubleArray());
    }

    // x = torch.tensor([1.,2.], requires_grad=True); (x*3).backward(torch.tensor([1.,.5], dtype=torch.float64))
    // -> x.grad = tensor([3.0000, 1.5000]), dtype torch.float32
    @Test
    void backwardWithGradientOfAnotherDtypeKeepsLeafDtype() {
        Tensor x = Torch.tensor(new float[]{1, 2}).requiresGrad_();
        x.mul(3).backward(Torch.tensor(new double[]{1, 0.5}));
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[]{3, 1.5}, x.grad().toDoubleArray(), 1e-7);
    }

    // x = torch.tensor(2., requires_grad=True); s = x.softmax(0) -> tensor(1., grad_fn=<SoftmaxBackward0>);
    // s.backward() -> x.grad = tensor(0.); log_softmax(-1) -> tensor(0., grad_fn=<LogSoftmaxBackward0>), grad 0
    @Test
    void softmaxOfZeroDimTensorIsDifferentiable() {
        Tensor x = Torch.scalarTensor(2).requiresGrad_();
        Tensor s = x.softmax(0);
        assertEquals("SoftmaxBackward0", s.gradFn().name());
        assertEquals(1, s.item());
        s.backward();
        assertEquals(0, x.grad().item());
        Tensor y = Torch.scalarTensor(2).requiresGrad_();
        Tensor l = y.logSoftmax(-1);
        assertEquals("LogSoftmaxBackward0", l.gradFn().name());
        assertEquals(0, l.item());
        l.backward();
        assertEquals(0, y.grad().item());
    }

    // torch.tensor([3.]).var() -> nan; torch.tensor([]).var() -> nan; .std() -> nan; var(unbiased=False) -> 0.
    // torch.zeros(2,0).var(1) -> tensor([nan, nan]); torch.zeros(2,0).mean(1) -> tensor([nan, nan])
    @Test
    void varianceOfTooFewElementsIsNan() {
        assertTrue(Double.isNaN(Torch.tensor(new float[]{3}).var().item()));
        assertEquals(0, Torch.tensor(new float[]{3}).var(false).item());
        assertTrue(Double.isNaN(Torch.zeros(0).var().item()));
        assertTrue(Double.isNaN(Torch.zeros(0).std().item()));
        for (double v : Torch.zeros(2, 0).var(1, true, false).toDoubleArray()) assertTrue(Double.isNaN(v));
        for (double v : Torch.zeros(2, 0).mean(1, false).toDoubleArray()) assertTrue(Double.isNaN(v));
    }

    // a = torch.tensor([1., nan, 2.]): a.max() -> nan; a.min() -> nan; a.max(0) -> (nan, 1); a.argmax() -> 1
    // torch.maximum(a, torch.tensor([5.,5.,5.])) -> tensor([5., nan, 5.]); a.softmax(0) -> [nan, nan, nan]
    @Test
    void maxAndMinPropagateNan() {
        Tensor a = Torch.tensor(new float[]{1, Float.NaN, 2});
        assertTrue(Double.isNaN(a.max().item()));
        assertTrue(Double.isNaN(a.min().item()));
        ValuesIndices m = a.max(0);
        assertTrue(Double.isNaN(m.values().item()));
        assertEquals(1, m.indices().itemLong());
        assertEquals(1, a.argmax().itemLong());
        double[] mx = a.maximum(Torch.full(5, 3)).toDoubleArray();
        assertEquals(5, mx[0]);
        assertTrue(Double.isNaN(mx[1]));
    }

    // x = torch.tensor([1., nan, 2.], requires_grad=True); x.max().backward() -> x.grad = tensor([0., 1., 0.])
    @Test
    void maxGradientGoesToTheNan() {
        Tensor x = Torch.tensor(new float[]{1, Float.NaN, 2}).requiresGrad_();
        x.max().backward();
        assertArrayEquals(new double[]{0, 1, 0}, x.grad().toDoubleArray());
    }

    // torch.arange(3.).gather(0, torch.tensor([-1])) -> RuntimeError: index -1 is out of bounds for dimension 0 with size 3
    // torch.arange(3.).index_select(0, torch.tensor([3])) -> IndexError: index out of range in self
    @Test
    void gatherAndIndexSelectRejectOutOfRangeIndices() {
        Tensor x = Torch.tensor(new float[]{0, 1, 2});
        assertEquals("index -1 is out of bounds for dimension 0 with size 3",
                assertThrows(RuntimeException.class, () -> x.gather(0, Torch.tensor(new long[]{-1}))).getMessage());
        assertEquals("index 3 is out of bounds for dimension 0 with size 3",
                assertThrows(RuntimeException.class, () -> x.gather(0, Torch.tensor(new long[]{3}))).getMessage());
        assertEquals("index out of range in self",
                assertThrows(RuntimeException.class, () -> x.indexSelect(0, Torch.tensor(new long[]{-1}))).getMessage());
        assertEquals("index out of range in self",
                assertThrows(RuntimeException.class, () -> x.indexSelect(0, Torch.tensor(new long[]{3}))).getMessage());
    }

    // torch.ones(2,3).sum(dim=[]) -> tensor(6.); torch.ones(2,3).mean(dim=[]) -> tensor(1.)
    @Test
    void sumOverEmptyDimListReducesEverything() {
        assertEquals(6, Torch.ones(2, 3).sum(new int[0], false).item());
        assertEquals(1, Torch.ones(2, 3).mean(new int[0], false).item());
    }

    // torch.tensor([1,2]) * 2.5 -> float32; torch.tensor([1,2]) + torch.tensor(1.5, dtype=torch.float64) -> float64;
    // torch.tensor([True]) + 1 -> int64; int32 tensor + torch.tensor(1) -> int32; torch.tensor([1,2]) > 1.5 -> [False, True]
    @Test
    void dtypePromotion() {
        assertEquals(DType.FLOAT32, Torch.tensor(new long[]{1, 2}).mul(2.5).dtype());
        assertEquals(DType.FLOAT64, Torch.tensor(new long[]{1, 2}).add(Torch.scalarTensor(1.5, DType.FLOAT64)).dtype());
        assertEquals(DType.INT64, Torch.tensor(new boolean[]{true}).add(1).dtype());
        assertEquals(DType.INT32, Torch.tensor(new int[]{1, 2}).add(Torch.scalarTensor(1, DType.INT64)).dtype());
        assertArrayEquals(new boolean[]{false, true}, Torch.tensor(new long[]{1, 2}).gt(1.5).toBooleanArray());
    }

    // torch.zeros(2,0).softmax(1) -> tensor([], size=(2, 0)); .softmax(0) -> tensor([], size=(2, 0))
    @Test
    void softmaxOverEmptyDim() {
        assertArrayEquals(new int[]{2, 0}, Torch.zeros(2, 0).softmax(1).shape());
        assertArrayEquals(new int[]{2, 0}, Torch.zeros(2, 0).softmax(0).shape());
    }

    // x = torch.ones(3, requires_grad=True); y = x*2; y.retain_grad(); y.sum().backward(); y.grad.mul_(2)
    // -> y.grad = tensor([2., 2., 2.]), stride (1,): a retained grad is a contiguous copy of its own
    @Test
    void retainedGradIsAnIndependentContiguousTensor() {
        Tensor x = Torch.ones(3).requiresGrad_();
        Tensor y = x.mul(2).retainGrad();
        y.sum().backward();
        assertArrayEquals(new int[]{1}, y.grad().stride());
        assertArrayEquals(new double[]{2, 2, 2}, y.grad().mul_(2).toDoubleArray());
        // y = x*2; w = y+0; both retain; w.sum().backward(); y.grad.zero_() -> w.grad still tensor([1., 1., 1.])
        Tensor x2 = Torch.ones(3).requiresGrad_();
        Tensor y2 = x2.mul(2).retainGrad();
        Tensor w2 = y2.add(0).retainGrad();
        w2.sum().backward();
        y2.grad().zero_();
        assertArrayEquals(new double[]{1, 1, 1}, w2.grad().toDoubleArray());
    }

    // x = torch.ones(2, requires_grad=True); y = x*3; y.retain_grad(); z = (y*y).sum();
    // z.backward(retain_graph=True); z.backward() -> y.grad = tensor([12., 12.]), x.grad = tensor([36., 36.])
    @Test
    void retainedAndLeafGradsAccumulateOverTwoBackwards() {
        Tensor x = Torch.ones(2).requiresGrad_();
        Tensor y = x.mul(3).retainGrad();
        Tensor z = y.mul(y).sum();
        z.backward(Torch.scalarTensor(1), true);
        z.backward();
        assertArrayEquals(new double[]{12, 12}, y.grad().toDoubleArray());
        assertArrayEquals(new double[]{36, 36}, x.grad().toDoubleArray());
    }

    // a = torch.arange(12.).reshape(2,1,2,3); b = torch.arange(12.).reshape(4,3,1); (a@b).shape -> [2, 4, 2, 1];
    // (a@b).sum().backward() -> a.grad rows all [18, 22, 26]; b.grad every [[18], [22], [26]]
    // m = torch.arange(24.).reshape(2,4,3); m @ torch.arange(3.) -> [[5,14,23,32],[41,50,59,68]], v.grad [84, 92, 100]
    // torch.arange(4.) @ m -> [[42,48,54],[114,120,126]]
    @Test
    void matmulBroadcastsBatchesAndVectors() {
        Tensor a = Torch.arange(0.0, 12.0, 1.0).reshape(2, 1, 2, 3).requiresGrad_();
        Tensor b = Torch.arange(0.0, 12.0, 1.0).reshape(4, 3, 1).requiresGrad_();
        Tensor o = a.matmul(b);
        assertArrayEquals(new int[]{2, 4, 2, 1}, o.shape());
        o.sum().backward();
        double[] ga = a.grad().toDoubleArray(), gb = b.grad().toDoubleArray();
        for (int i = 0; i < ga.length; i++) assertEquals(new double[]{18, 22, 26}[i % 3], ga[i]);
        for (int i = 0; i < gb.length; i++) assertEquals(new double[]{18, 22, 26}[i % 3], gb[i]);
        Tensor m = Torch.arange(0.0, 24.0, 1.0).reshape(2, 4, 3);
        Tensor v = Torch.arange(0.0, 3.0, 1.0).requiresGrad_();
        Tensor mv = m.matmul(v);
        assertArrayEquals(new double[]{5, 14, 23, 32, 41, 50, 59, 68}, mv.toDoubleArray());
        mv.sum().backward();
        assertArrayEquals(new double[]{84, 92, 100}, v.grad().toDoubleArray());
        Tensor vm = Torch.arange(0.0, 4.0, 1.0).matmul(m);
        assertArrayEquals(new int[]{2, 3}, vm.shape());
        assertArrayEquals(new double[]{42, 48, 54, 114, 120, 126}, vm.toDoubleArray());
    }

    // torch.tensor([1, 5]).clamp(min=2.5) -> tensor([2.5000, 5.0000]); .clamp(2.5, 4) -> tensor([2.5000, 4.0000]);
    // .clamp(min=2) -> tensor([2, 5]) (stays int64)
    @Test
    void clampOfIntegerTensorToFractionalBoundPromotesToFloat() {
        Tensor x = Torch.tensor(new long[]{1, 5});
        Tensor lo = x.clampMin(2.5);
        assertEquals(DType.FLOAT32, lo.dtype());
        assertArrayEquals(new double[]{2.5, 5}, lo.toDoubleArray());
        assertArrayEquals(new double[]{2.5, 4}, x.clamp(2.5, 4).toDoubleArray());
        assertEquals(DType.INT64, x.clampMin(2).dtype());
        assertArrayEquals(new double[]{2, 5}, x.clampMin(2).toDoubleArray());
    }

    // torch.tensor([2, 3]).pow(-1) -> RuntimeError: Integers to negative integer powers are not allowed.
    // torch.tensor([2, 3]).pow(0) -> tensor([1, 1])
    @Test
    void integerTensorToNegativeIntegerPowerIsRefused() {
        Tensor x = Torch.tensor(new long[]{2, 3});
        assertEquals("Integers to negative integer powers are not allowed.",
                assertThrows(RuntimeException.class, () -> x.pow(-1)).getMessage());
        assertArrayEquals(new long[]{1, 1}, x.pow(0).toLongArray());
    }

    // torch.tensor([1]).add(torch.tensor([1]), alpha=2.5)
    // -> RuntimeError: For integral input tensors, argument alpha must not be a floating point number.
    @Test
    void fractionalAlphaWithIntegerTensorsIsRefused() {
        Tensor x = Torch.tensor(new long[]{1});
        assertEquals("For integral input tensors, argument alpha must not be a floating point number.",
                assertThrows(RuntimeException.class, () -> x.add(Torch.tensor(new long[]{1}), 2.5)).getMessage());
        assertArrayEquals(new long[]{3}, x.add(Torch.tensor(new long[]{1}), 2).toLongArray());
    }

    // torch.ones(0, 3).view(-1, 0) -> RuntimeError: cannot reshape tensor of 0 elements into shape [-1, 0] because the
    // unspecified dimension size -1 can be any value and is ambiguous; torch.ones(0, 3).reshape(-1) -> tensor([])
    @Test
    void inferringASizeForAnEmptyTensorWithAZeroDimIsAmbiguous() {
        assertEquals("cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension size -1 "
                + "can be any value and is ambiguous",
                assertThrows(RuntimeException.class, () -> Torch.zeros(0, 3).view(-1, 0)).getMessage());
        assertArrayEquals(new int[]{0}, Torch.zeros(0, 3).reshape(-1).shape());
    }
}
