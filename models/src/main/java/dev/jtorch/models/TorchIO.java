package dev.jtorch.models;

import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.PthWriter;
import dev.jtorch.io.StateDict;
import dev.jtorch.io.Unpickler;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.save} and {@code torch.load} under their own names, so that a PyTorch script's
 * saving and loading lines translate one for one.
 *
 * {@snippet :
 * TorchIO.save(model.stateDict(), Path.of("model.pth"));            // torch.save(model.state_dict(), PATH)
 * model.loadStateDict(TorchIO.loadStateDict(Path.of("model.pth")));  // model.load_state_dict(torch.load(PATH))
 * Module whole = (Module) TorchIO.load(Path.of("whole.pth"));        // model = torch.load(PATH)
 * }
 *
 * <p>Loading never runs code from the file (see {@link Checkpoints}). A whole pickled model
 * ({@code torch.save(model)}) comes back as a live module rebuilt by {@link PickledModelLoader};
 * jtorch itself saves state dicts and checkpoint dicts, not whole models, because a file that
 * names Python classes is only as portable as the code that defines them.
 */
public final class TorchIO {
    private TorchIO() {}

    /**
     * {@code torch.save(value, path)}: a state dict, a checkpoint dict ({@code epoch}, model and
     * optimizer state dicts, numbers, strings, lists), or a tensor; written atomically in the zip
     * format PyTorch reads (see {@link PthWriter}). A {@link Module} is refused: save its
     * {@code stateDict()}.
     */
    public static void save(Object value, Path path) throws IOException { PthWriter.save(value, path); }

    /**
     * {@code torch.load(path)}: every value in the file, tensors read (see {@link Checkpoints#load}
     * for the Java types). A whole pickled model, at the top or as a value of the top-level
     * dict, comes back as a live {@link Module}; classes jtorch does not know become modules that
     * keep their weights and refuse forward ({@link PickledModelLoader.Rebuilt#unknownClasses}).
     */
    public static Object load(Path path) throws IOException {
        Object root = Checkpoints.load(path, new Unpickler.Options().describeModules(true));
        if (root instanceof PickledModule m) return PickledModelLoader.rebuild(m).module();
        if (root instanceof Map<?, ?> map && map.values().stream().anyMatch(v -> v instanceof PickledModule)) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (var e : map.entrySet()) {
                out.put(e.getKey(), e.getValue() instanceof PickledModule m ? PickledModelLoader.rebuild(m).module() : e.getValue());
            }
            return out;
        }
        return root;
    }

    /**
     * The state dict in the file, wherever the file keeps it: a plain state dict, a whole model's
     * weights, or the first of {@link Checkpoints#STATE_DICT_KEYS} in a checkpoint dict.
     */
    public static StateDict loadStateDict(Path path) throws IOException { return Checkpoints.loadStateDict(path); }
}
