package dev.jtorch.autograd;

/** Whether operations on this thread record history; see {@code Torch.noGrad()}. */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get(); }

    public static void setEnabled(boolean enabled) { ENABLED.set(enabled); }

    /** A scope that sets grad mode and restores the previous one on close. */
    public static Scope set(boolean enabled) {
        boolean previous = isEnabled();
        setEnabled(enabled);
        return () -> setEnabled(previous);
    }

    /** An {@link AutoCloseable} without checked exceptions, for try-with-resources. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
