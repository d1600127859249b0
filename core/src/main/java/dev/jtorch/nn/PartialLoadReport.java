package dev.jtorch.nn;

import java.util.List;

/**
 * What {@link StateDicts#loadMatching} did, key by key.
 *
 * @param loaded          model keys copied from the checkpoint
 * @param keptFromModel   model keys the checkpoint has no usable value for: they keep the model's
 *                        own values (new layers, renamed layers, and the shape mismatches below)
 * @param unused          checkpoint keys the model does not have (layers removed or renamed)
 * @param shapeMismatches keys on both sides whose shapes differ (the model kept its own value)
 */
public record PartialLoadReport(List<String> loaded, List<String> keptFromModel, List<String> unused,
                                List<LoadReport.Mismatch> shapeMismatches) {

    public PartialLoadReport {
        loaded = List.copyOf(loaded);
        keptFromModel = List.copyOf(keptFromModel);
        unused = List.copyOf(unused);
        shapeMismatches = List.copyOf(shapeMismatches);
    }

    /** True when every model key was loaded and every checkpoint key was used. */
    public boolean isComplete() { return keptFromModel.isEmpty() && unused.isEmpty() && shapeMismatches.isEmpty(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("loaded " + loaded.size() + " of the model's "
                + (loaded.size() + keptFromModel.size()) + " tensors");
        if (!keptFromModel.isEmpty()) sb.append("\n  kept the model's own: ").append(keptFromModel);
        if (!unused.isEmpty()) sb.append("\n  not in the model (skipped): ").append(unused);
        for (LoadReport.Mismatch m : shapeMismatches) sb.append("\n  skipped, ").append(m);
        return sb.toString();
    }
}
