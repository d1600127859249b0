package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

/**
 * {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx=None)}: a lookup table of
 * {@code [num_embeddings, embedding_dim]} rows, initialised N(0, 1). The row at padding_idx starts
 * at zero and receives no gradient. (max_norm, scale_grad_by_freq and sparse are not supported.)
 */
public class Embedding extends Module {
    public final int numEmbeddings, embeddingDim;
    /** Normalised to 0..numEmbeddings-1, or null. */
    public final Integer paddingIdx;

    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? null : F.normalisePaddingIdx(paddingIdx, numEmbeddings);
        Tensor w = registerParameter("weight", Torch.empty(numEmbeddings, embeddingDim));
        Init.normal_(w, 0, 1);
        if (this.paddingIdx != null) {
            try (var g = Torch.noGrad()) {
                w.get(this.paddingIdx).fill_(0);
            }
        }
    }

    public Embedding(int numEmbeddings, int embeddingDim) { this(numEmbeddings, embeddingDim, null); }

    /** {@code Embedding.from_pretrained(embeddings, freeze=True, padding_idx=None)}: a copy of the given rows. */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Integer paddingIdx) {
        if (embeddings.dim() != 2) throw new IllegalArgumentException("Embeddings parameter is expected to be 2-dimensional");
        Embedding e = new Embedding(embeddings.size(0), embeddings.size(1), paddingIdx);
        try (var g = Torch.noGrad()) {
            e.parameter("weight").copy_(embeddings);
        }
        e.parameter("weight").requiresGrad_(!freeze);
        return e;
    }

    public static Embedding fromPretrained(Tensor embeddings) { return fromPretrained(embeddings, true, null); }

    @Override
    public Tensor forward(Tensor input) { return F.embedding(input, parameter("weight"), paddingIdx); }

    @Override
    public String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
