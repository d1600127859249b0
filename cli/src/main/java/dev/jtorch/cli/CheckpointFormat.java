package dev.jtorch.cli;

import java.nio.file.Path;
import java.util.Locale;

/** Which checkpoint format a file name stands for, by its extension. */
enum CheckpointFormat {
    /** {@code torch.save}'s formats (zip, legacy, plain pickle), read by {@code dev.jtorch.io.Checkpoints}. */
    PTH,
    SAFETENSORS;

    static CheckpointFormat of(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") ? SAFETENSORS : PTH;
    }

    /** The format to write, which must be named by the extension: .pth, .pt, .bin, .ckpt, .tar or .safetensors. */
    static CheckpointFormat forOutput(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) return SAFETENSORS;
        for (String ext : new String[]{".pth", ".pt", ".bin", ".ckpt", ".tar"}) {
            if (name.endsWith(ext)) return PTH;
        }
        throw new IllegalArgumentException(file + ": cannot tell the output format from the extension"
                + " (use .pth or .pt for torch.save's format, .safetensors for safetensors)");
    }
}
