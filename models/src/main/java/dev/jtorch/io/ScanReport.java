package dev.jtorch.io;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Checkpoints#scan} found in one model file, without executing or materialising
 * anything in it.
 *
 * @param file     the file scanned
 * @param verdict  the worst of its findings
 * @param findings one per global the file names outside PyTorch's weights-only allowlist, in
 *                 the order first met
 * @param error    why the file could not be read to its end, else null: the verdict is then
 *                 {@link Verdict#UNREADABLE}, or {@link Verdict#DANGEROUS} when what was read already showed that
 */
public record ScanReport(Path file, Verdict verdict, List<Finding> findings, String error) {

    /** From best to worst; {@link #exitCode} is what {@code jtorch scan} exits with. */
    public enum Verdict {
        /** Only PyTorch's weights-only globals: {@code torch.load(weights_only=True)} reads it. */
        SAFE,
        /** Names classes outside that list that run no code of their own (a user's nn.Module): load it only if you trust it. */
        NEEDS_TRUST,
        /** Names a global that runs code when Python unpickles it. */
        DANGEROUS,
        /** Not a model file jtorch can read, or malformed: nothing can be said about it. */
        UNREADABLE;

        public int exitCode() { return ordinal(); }

        /** The lower-case, hyphenated name used in the command's output: safe, needs-trust, dangerous, unreadable. */
        public String label() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'); }
    }

    /** The report as one JSON object: file, verdict, error (or null) and the findings with their uses. */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"file\": ").append(Json.quote(file.toString()))
                .append(", \"verdict\": ").append(Json.quote(verdict.label()))
                .append(", \"error\": ").append(error == null ? "null" : Json.quote(error))
                .append(", \"findings\": [");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"global\": ").append(Json.quote(f.global()))
                    .append(", \"verdict\": ").append(Json.quote(f.verdict().label()))
                    .append(", \"entry\": ").append(Json.quote(f.entry()))
                    .append(", \"offset\": ").append(f.offset())
                    .append(", \"uses\": [");
            for (int j = 0; j < f.uses().size(); j++) sb.append(j == 0 ? "" : ", ").append(Json.quote(f.uses().get(j)));
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    /**
     * One global the file names.
     *
     * @param global  {@code module.name}
     * @param verdict {@link Verdict#DANGEROUS} or {@link Verdict#NEEDS_TRUST}
     * @param entry   where in the file: the zip member, "pickle N" of a legacy file, or a nested
     *                file inside one ({@code torch.storage._load_from_bytes})
     * @param offset  byte offset of the opcode that first names it (in the zip member, else in the file)
     * @param uses    how it is used: "REDUCE at 57", "BUILD at 80", ... (empty if only named)
     */
    public record Finding(String global, Verdict verdict, String entry, long offset, List<String> uses) {}
}
