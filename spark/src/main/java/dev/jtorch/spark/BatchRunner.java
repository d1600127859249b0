package dev.jtorch.spark;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.Transform;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A loaded model that turns input tensors into output rows, in batches of one fixed size. Needs
 * no Spark: the executors use it, and so does anyone who wants the same numbers in one JVM.
 *
 * <p>Why fixed-size batches: jtorch picks a convolution's route by its shape (Winograd for 3x3
 * convolutions over enough tiles, from a weight's second use), and routes round differently in
 * the last bits. A short batch (the end of a partition) is therefore padded with zeros to the full
 * size, and the model is run once on a zero batch when it is loaded. Every real batch then takes
 * the same routes, and a row's outputs are a function of that row alone, whatever rows Spark
 * groups it with or however often a task is retried.
 *
 * <p>Thread safety: {@link #run} may be called from several task threads at once (eval-mode
 * forward reads the weights only).
 */
public final class BatchRunner {
    private final Module model;
    private final String layer;
    private final int batchSize;
    private final int[] inputShape;
    /** What pads a short batch (read only: stacking copies it). */
    private final Tensor zeroInput;
    private final Transform<Image, Tensor> transform;
    private final List<String> labels;

    private BatchRunner(Module model, String layer, int batchSize, int[] inputShape, Transform<Image, Tensor> transform,
                        List<String> labels) {
        this.model = model;
        this.layer = layer;
        this.batchSize = batchSize;
        this.inputShape = inputShape.clone();
        this.zeroInput = Torch.zeros(inputShape);
        this.transform = transform;
        this.labels = labels;
    }

    /**
     * Loads {@code spec}'s model; with {@code layer} not null, its outputs are that submodule's
     * (an embedding) instead of the head's.
     */
    public static BatchRunner load(ModelSpec spec, String layer, int batchSize) throws IOException {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        Module model = spec.load();
        if (layer != null) LayerTap.install(model, layer);
        int crop = spec.transformWeights().cropSize();
        BatchRunner runner = new BatchRunner(model, layer, batchSize, new int[]{3, crop, crop}, spec.transform(),
                spec.labels());
        runner.forward(Torch.zeros(runner.batchShape()));
        return runner;
    }

    /** The shape one input must have ({@code [3, crop, crop]}). */
    public int[] inputShape() { return inputShape.clone(); }

    public int batchSize() { return batchSize; }

    /** The spec's evaluation transform, made once for the model's life. */
    public Transform<Image, Tensor> transform() { return transform; }

    /** The spec's class names, in index order. */
    public List<String> labels() { return labels; }

    /** One flattened output row per input, in order. */
    public float[][] run(List<Tensor> inputs) {
        float[][] rows = new float[inputs.size()][];
        for (int from = 0; from < inputs.size(); from += batchSize) {
            int n = Math.min(batchSize, inputs.size() - from);
            List<Tensor> batch = new ArrayList<>(inputs.subList(from, from + n));
            for (Tensor t : batch) checkShape(t);
            while (batch.size() < batchSize) batch.add(zeroInput);
            Tensor out = forward(Torch.stack(batch));
            int width = out.numel() / batchSize;
            float[] all = out.contiguous().toFloatArray();
            for (int i = 0; i < n; i++) rows[from + i] = Arrays.copyOfRange(all, i * width, (i + 1) * width);
        }
        return rows;
    }

    /** Checks one input before it joins a batch, so that a wrong shape fails that row only. */
    public void checkShape(Tensor t) {
        if (!Arrays.equals(t.shape(), inputShape)) {
            throw new IllegalArgumentException("input of shape " + Arrays.toString(t.shape()) + ", the model takes "
                    + Arrays.toString(inputShape));
        }
    }

    private Tensor forward(Tensor batch) {
        try (var noGrad = Torch.noGrad()) {
            return layer == null ? model.forward(batch) : LayerTap.capture(model, batch, layer);
        }
    }

    private int[] batchShape() {
        int[] shape = new int[inputShape.length + 1];
        shape[0] = batchSize;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        return shape;
    }
}
