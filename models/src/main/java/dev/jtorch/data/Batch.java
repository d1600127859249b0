package dev.jtorch.data;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A collated batch of {@link Sample}s, what {@code default_collate} makes of
 * {@code [(input, target), ...]}: the inputs stacked along a new first dimension and the targets
 * as an int64 vector.
 *
 * @param inputs  {@code [B, ...]}
 * @param targets {@code [B]}, int64
 */
public record Batch(Tensor inputs, Tensor targets) {

    /** The number of samples in the batch. */
    public int size() { return targets.size(0); }

    /**
     * {@code default_collate} for labelled samples: stacks the inputs (which must all have one
     * shape; the error names the first sample that differs) and gathers the targets.
     */
    public static Batch collate(List<Sample> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        int[] first = samples.getFirst().input().shape();
        List<Tensor> inputs = new ArrayList<>(samples.size());
        long[] targets = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (!Arrays.equals(first, s.input().shape())) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got "
                        + Arrays.toString(first) + " at entry 0 and " + Arrays.toString(s.input().shape())
                        + " at entry " + i + " (resize or crop the images to one size)");
            }
            inputs.add(s.input());
            targets[i] = s.target();
        }
        return new Batch(Torch.stack(inputs), Torch.tensor(targets));
    }
}
