package dev.jtorch.nn;

/** A strict {@code loadStateDict} that did not match; {@link #report()} says exactly how. */
public final class StateDictException extends IllegalStateException {
    private final LoadReport report;

    public StateDictException(String moduleName, LoadReport report) {
        super("Error(s) in loading state_dict for " + moduleName + ":" + report.describe());
        this.report = report;
    }

    public LoadReport report() { return report; }
}
