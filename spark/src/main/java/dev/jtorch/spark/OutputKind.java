package dev.jtorch.spark;

/** What an inference over a Dataset adds to each row. */
public enum OutputKind {
    /** The top-k labels, their class indices and softmax probabilities. */
    PREDICTIONS,
    /** The model's raw output (before softmax), flattened. */
    LOGITS,
    /** The output of one submodule (by dotted path, e.g. {@code avgpool}), flattened: a feature vector. */
    EMBEDDINGS
}
