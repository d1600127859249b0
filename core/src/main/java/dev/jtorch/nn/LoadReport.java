package dev.jtorch.nn;

import java.util.Arrays;
import java.util.List;

/** What {@link Module#loadStateDict} could not match; empty lists mean a clean load. */
public record LoadReport(List<String> missingKeys, List<String> unexpectedKeys, List<Mismatch> shapeMismatches) {

    /** A key present on both sides with different shapes. */
    public record Mismatch(String key, int[] checkpointShape, int[] modelShape) {
        @Override
        public String toString() {
            return "size mismatch for " + key + ": copying a param with shape torch.Size(" + shape(checkpointShape)
                    + ") from checkpoint, the shape in current model is torch.Size(" + shape(modelShape) + ").";
        }
    }

    public LoadReport {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
        shapeMismatches = List.copyOf(shapeMismatches);
    }

    public boolean isClean() {
        return missingKeys.isEmpty() && unexpectedKeys.isEmpty() && shapeMismatches.isEmpty();
    }

    static String shape(int[] s) { return Arrays.toString(s); }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) sb.append(i == 0 ? "" : ", ").append('"').append(keys.get(i)).append('"');
        return sb.toString();
    }

    /** PyTorch's wording: the lines of "Error(s) in loading state_dict". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        // PyTorch's order: missing, then unexpected, then the size mismatches.
        if (!missingKeys.isEmpty()) sb.append("\n\tMissing key(s) in state_dict: ").append(quoted(missingKeys)).append(". ");
        if (!unexpectedKeys.isEmpty()) sb.append("\n\tUnexpected key(s) in state_dict: ").append(quoted(unexpectedKeys)).append(". ");
        for (Mismatch m : shapeMismatches) sb.append("\n\t").append(m);
        return sb.toString();
    }

    @Override
    public String toString() {
        return "LoadReport(missing_keys=" + missingKeys + ", unexpected_keys=" + unexpectedKeys + ", shape_mismatches="
                + shapeMismatches + ")";
    }
}
