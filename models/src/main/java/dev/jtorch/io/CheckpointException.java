package dev.jtorch.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one exception a checkpoint reader or writer throws for a bad, hostile or unsupported file.
 * It is a checked {@link IOException}: reading a file can fail, and callers that already handle
 * I/O errors handle this one too. The message names the file, the entry inside it (a zip member
 * such as {@code archive/data.pkl}, or {@code legacy pickle}) and the byte offset where the
 * problem was found, when known:
 *
 * <pre>model.pth: archive/data.pkl at byte 812: global 'os.system' is not allowed ...</pre>
 *
 * Readers never let another exception type escape for a malformed file (no
 * {@code OutOfMemoryError}, {@code StackOverflowError}, {@code IndexOutOfBoundsException}).
 */
public final class CheckpointException extends IOException {
    private final String file;
    private final String entry;
    private final long offset;

    /**
     * @param file   the file name (or null when reading from memory)
     * @param entry  the member inside the file (or null)
     * @param offset the byte offset inside the entry, or -1 when not known
     */
    public CheckpointException(String file, String entry, long offset, String message, Throwable cause) {
        super(format(file, entry, offset, message), cause);
        this.file = file;
        this.entry = entry;
        this.offset = offset;
    }

    public CheckpointException(String file, String entry, long offset, String message) {
        this(file, entry, offset, message, null);
    }

    public CheckpointException(Path file, String message, Throwable cause) {
        this(file == null ? null : file.toString(), null, -1, message, cause);
    }

    public CheckpointException(Path file, String message) {
        this(file, message, null);
    }

    private static String format(String file, String entry, long offset, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file);
        if (entry != null) sb.append(sb.isEmpty() ? "" : ": ").append(entry);
        if (offset >= 0) sb.append(sb.isEmpty() ? "" : " ").append("at byte ").append(offset);
        if (!sb.isEmpty()) sb.append(": ");
        return sb.append(message).toString();
    }

    /** The file, or null. */
    public String file() { return file; }

    /** The member inside the file (zip entry, {@code legacy pickle}, ...), or null. */
    public String entry() { return entry; }

    /** Byte offset inside {@link #entry()} (or the file), or -1. */
    public long offset() { return offset; }
}
