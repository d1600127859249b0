package dev.jtorch.nn;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recipes PyTorch users write by hand around {@code load_state_dict}, each in one call:
 * renaming keys by a prefix (DataParallel's {@code module.}), keeping only the keys a model has
 * ("filter the pretrained dict, update, load"), and loading whatever matches with a report of
 * everything that did not.
 *
 * {@snippet :
 * Map<String, Tensor> pretrained = Checkpoints.loadStateDict(Path.of("resnet50.pth"));
 * PartialLoadReport report = StateDicts.loadMatching(cnn, pretrained);
 * System.out.println(report);   // what was loaded, what the model kept, what the file had extra
 * }
 *
 * <p>Every method returns a new map (insertion order kept) and leaves its argument alone; the
 * tensors themselves are shared, not copied.
 */
public final class StateDicts {
    private StateDicts() {}

    /**
     * {@code prefix} removed from every key that starts with it; other keys are kept as they are
     * (PyTorch's {@code consume_prefix_in_state_dict_if_present}, without changing the argument).
     * {@code stripPrefix(dpState, "module.")} turns a DataParallel checkpoint into a plain one.
     */
    public static Map<String, Tensor> stripPrefix(Map<String, Tensor> state, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            String k = e.getKey();
            String renamed = k.startsWith(prefix) ? k.substring(prefix.length()) : k;
            if (out.put(renamed, e.getValue()) != null) {
                throw new IllegalArgumentException("stripping '" + prefix + "' makes two keys '" + renamed + "'");
            }
        }
        return out;
    }

    /** {@code prefix} put before every key: {@code addPrefix(state, "module.")} fits a DataParallel model. */
    public static Map<String, Tensor> addPrefix(Map<String, Tensor> state, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }

    /**
     * The entries of {@code state} whose key the model's state dict has:
     * {@code {k: v for k, v in pretrained_dict.items() if k in model_dict}}. Shapes are not
     * compared (as in that recipe); {@link #loadMatching} compares them too.
     */
    public static Map<String, Tensor> filterTo(Module model, Map<String, Tensor> state) {
        Map<String, Tensor> own = model.stateDict();
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> { if (own.containsKey(k)) out.put(k, v); });
        return out;
    }

    /**
     * The whole "filter, update, load" recipe: copies every entry of {@code state} whose key the
     * model has with the same shape, leaves the model's other tensors as they are, and reports
     * all four groups. The load itself is strict over the merged dict, so a key can only be in
     * one group of the report.
     */
    public static PartialLoadReport loadMatching(Module model, Map<String, Tensor> state) {
        Map<String, Tensor> modelDict = model.stateDict();
        List<String> loaded = new ArrayList<>(), unused = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        Map<String, Tensor> pretrained = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            Tensor own = modelDict.get(e.getKey());
            if (own == null) unused.add(e.getKey());
            else if (!Arrays.equals(own.shape(), e.getValue().shape())) {
                mismatched.add(new LoadReport.Mismatch(e.getKey(), e.getValue().shape(), own.shape()));
            } else {
                pretrained.put(e.getKey(), e.getValue());
            }
        }
        List<String> kept = new ArrayList<>();
        for (String k : modelDict.keySet()) {
            if (pretrained.containsKey(k)) loaded.add(k);
            else kept.add(k);
        }
        modelDict.putAll(pretrained);                 // model_dict.update(pretrained_dict)
        model.loadStateDict(modelDict, true);         // model.load_state_dict(model_dict)
        return new PartialLoadReport(loaded, kept, unused, mismatched);
    }
}
