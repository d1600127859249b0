package dev.jtorch.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks on the files a command is given, so that the error line names the problem plainly. */
final class CliFiles {
    private CliFiles() {}

    static void requireReadable(Path file) throws NoSuchFileException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + ": is a directory, not a checkpoint");
        if (!Files.isReadable(file)) throw new IllegalArgumentException(file + ": permission denied");
    }
}
