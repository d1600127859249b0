package dev.jtorch.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An idx file (MNIST's format) is malformed: the message names the file, the byte offset
 * (counted in the decompressed data for a gzipped file) and what was expected there.
 */
public final class IdxFormatException extends IOException {
    private final transient Path file;
    private final long offset;

    IdxFormatException(Path file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    IdxFormatException(Path file, long offset, String problem, Throwable cause) {
        super(file + ": at offset " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
    }

    public Path file() { return file; }

    /** Where the problem is, in the (decompressed) file. */
    public long offset() { return offset; }
}
