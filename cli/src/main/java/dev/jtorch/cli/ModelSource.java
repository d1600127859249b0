package dev.jtorch.cli;

import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.StateDict;
import dev.jtorch.models.DenseNet;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.models.PickledModelLoader;
import dev.jtorch.nn.Module;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MODEL argument shared by {@code summary}, {@code run} and {@code bench model}: a zoo name
 * ({@code resnet50}, {@code unet}, ...) built with the model options, or the path of a whole
 * pickled model ({@code torch.save(model)}), rebuilt without running anything from it.
 */
final class ModelSource {
    @Option(names = "--num-classes", paramLabel = "N", description = "Classes of a zoo model (torchvision's num_classes; U-Net's n_classes).")
    Integer numClasses;

    @Option(names = "--in-channels", paramLabel = "C", description = "Input channels of a zoo model that takes them (U-Net's n_channels).")
    Integer inChannels;

    @Option(names = "--bilinear", paramLabel = "true|false", arity = "1",
            description = "U-Net: bilinear upsampling (true) or transposed convolutions (false).")
    Boolean bilinear;

    /** A MODEL that names an existing file (or looks like a path) is a pickled model; anything else a zoo name. */
    static boolean isFile(String model) {
        return Files.exists(Path.of(model)) || model.contains("/") || model.endsWith(".pth") || model.endsWith(".pt");
    }

    ModelOptions options() {
        ModelOptions o = ModelOptions.defaults();
        if (numClasses != null) o = o.withNumClasses(numClasses);
        if (inChannels != null) o = o.withInChannels(inChannels);
        if (bilinear != null) o = o.withBilinear(bilinear);
        return o;
    }

    /** The model with PyTorch's initialisation (zoo) or its pickled weights (file), and what it is. */
    record Loaded(Module module, PickledModelLoader.Rebuilt pickled) {}

    Loaded load(String model) throws IOException { return load(model, false); }

    /**
     * As {@link #load(String)}; with {@code valuesUnused} a zoo model skips its random
     * initialisation (see {@link Models#createForOverwrite}), for a caller that loads weights
     * strictly right after or only prints the structure.
     */
    Loaded load(String model, boolean valuesUnused) throws IOException {
        if (isFile(model)) {
            if (numClasses != null || inChannels != null || bilinear != null) {
                throw new IllegalArgumentException("--num-classes, --in-channels and --bilinear apply to zoo models; "
                        + model + " is a pickled model, which brings its own settings");
            }
            Path p = Path.of(model);
            CliFiles.requireReadable(p);
            var rebuilt = PickledModelLoader.load(p);
            return new Loaded(rebuilt.module(), rebuilt);
        }
        if (!Models.names().contains(model)) {
            throw new IllegalArgumentException("unknown model '" + model + "' (and no such file); zoo models: "
                    + String.join(", ", Models.names()));
        }
        Module module = valuesUnused ? Models.createForOverwrite(model, options()) : Models.create(model, options());
        return new Loaded(module, null);
    }

    /** Input channels the model expects: the first convolution's, else 3. */
    static int inputChannels(Module m) {
        for (Module sub : m.modules()) {
            if (sub instanceof dev.jtorch.nn.Conv2d c) return c.inChannels;
        }
        return 3;
    }

    /**
     * Loads a state dict (zip or legacy; the state dict of a checkpoint dict found by its key;
     * a DataParallel {@code module.} prefix stripped with a note on {@code err}) strictly.
     */
    static void loadWeights(Module model, Path weights, PrintWriter err) throws IOException {
        CliFiles.requireReadable(weights);
        StateDict state = Checkpoints.loadStateDict(weights);
        if (!state.isEmpty() && state.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            err.println("note: " + weights + ": stripped the 'module.' prefix (DataParallel) from "
                    + state.size() + " keys");
            state = state.withoutPrefix("module.");
        }
        if (model instanceof DenseNet) state = DenseNet.upgradeLegacyStateDict(model, state);
        model.loadStateDict(state, true);
    }
}
