package dev.jtorch.cli;

import dev.jtorch.models.weights.HubCache;
import dev.jtorch.models.weights.PretrainedWeights;
import dev.jtorch.models.weights.WeightsCatalog;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --weights IMAGENET1K_V2} (or {@code DEFAULT}) beside {@code --weights FILE.pth}: a name
 * of torchvision's weights for the model, when no file of that name exists, is looked up in
 * PyTorch's hub cache and downloaded there if missing, with its progress on stderr.
 */
final class PretrainedOption {
    private PretrainedOption() {}

    /** The catalog entry {@code weights} names (IMAGENET1K_V1, DEFAULT, ...), or null when it is a file. */
    static PretrainedWeights named(String model, Path weights) {
        return WeightsCatalog.named(model, weights.toString());
    }

    /** The file {@code weights} stands for: itself, or the cached (downloaded) file of the named weights. */
    static Path resolve(String model, Path weights, PrintWriter err) throws IOException {
        PretrainedWeights w = named(model, weights);
        if (w == null) return weights;
        Path cached = HubCache.checkpointsDir().resolve(w.fileName());
        if (!Files.exists(cached)) err.println("downloading " + w + " from " + w.url() + " to " + cached.getParent());
        ProgressLine[] bar = {null}; // made at the first chunk, when the length is known
        boolean terminal = ProgressLine.onTerminal();
        Path file = HubCache.resolve(w, (done, total) -> {
            if (bar[0] == null) bar[0] = ProgressLine.bytes(err, "  " + w.fileName(), total, terminal);
            bar[0].update(done, "");
        });
        if (bar[0] != null) bar[0].finish();
        return file;
    }
}
