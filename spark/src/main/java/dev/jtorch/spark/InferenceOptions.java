package dev.jtorch.spark;

import java.io.Serializable;

/**
 * How an inference over a Dataset runs: what it outputs, how many labels per row, the batch size,
 * the layer for embeddings, and whether a bad row fails the job ({@code failFast}) or only gets
 * an error in its {@code error} column (the default).
 */
public record InferenceOptions(OutputKind output, int topk, int batchSize, String layer, boolean failFast)
        implements Serializable {

    public InferenceOptions {
        if (output == null) throw new IllegalArgumentException("output kind is required");
        if (topk < 1) throw new IllegalArgumentException("topk must be >= 1, got " + topk);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if ((output == OutputKind.EMBEDDINGS) != (layer != null)) {
            throw new IllegalArgumentException("a layer is given for embeddings, and only for them (output " + output
                    + ", layer " + layer + ")");
        }
    }

    /** Top-5 labels with probabilities, batches of 32, bad rows get an error. */
    public static InferenceOptions predictions() {
        return new InferenceOptions(OutputKind.PREDICTIONS, 5, 32, null, false);
    }

    /** The head's raw outputs. */
    public static InferenceOptions logits() {
        return new InferenceOptions(OutputKind.LOGITS, 5, 32, null, false);
    }

    /** The output of the submodule at {@code layer} (dotted path, e.g. {@code avgpool}), flattened. */
    public static InferenceOptions embeddings(String layer) {
        return new InferenceOptions(OutputKind.EMBEDDINGS, 5, 32, layer, false);
    }

    public InferenceOptions withTopk(int k) {
        return new InferenceOptions(output, k, batchSize, layer, failFast);
    }

    public InferenceOptions withBatchSize(int size) {
        return new InferenceOptions(output, topk, size, layer, failFast);
    }

    public InferenceOptions withFailFast(boolean fail) {
        return new InferenceOptions(output, topk, batchSize, layer, fail);
    }
}
