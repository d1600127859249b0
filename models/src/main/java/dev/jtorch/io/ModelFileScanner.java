package dev.jtorch.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Checkpoints#scan}: finds every pickle in a model file and lists what its globals would
 * do in Python, through {@link PickleScanner}, which only reads opcodes. A zip checkpoint's
 * pickles are its {@code .pkl} members; a legacy file is five pickles in a row (magic number,
 * protocol, sys_info, the value, the storage keys) before its raw storages; a plain pickle is
 * one. A legacy file pickled inside another (the bytes handed to
 * {@code torch.storage._load_from_bytes}) is scanned in turn.
 */
final class ModelFileScanner {
    private ModelFileScanner() {}

    /** How deep legacy files may nest inside one another before the scan gives up. */
    private static final int MAX_NESTING = 4;
    /** A compressed pickle member is inflated at most this far. */
    private static final long MAX_INFLATED = 1L << 30;
    /** Most pickle bytes one file may make the scan read, nested files counted each time they are met. */
    private static final long MAX_SCANNED = 4L << 30;

    /** What one scan has seen: its findings, the nested files already read (by content), the bytes read. */
    private static final class Scan {
        final List<ScanReport.Finding> findings = new ArrayList<>();
        final java.util.Set<String> nestedSeen = new java.util.HashSet<>();
        long scanned;

        void count(long bytes, String where) throws CheckpointException {
            scanned += bytes;
            if (scanned > MAX_SCANNED) throw new CheckpointException(where, null, -1, "more than " + MAX_SCANNED
                    + " bytes of pickles to scan");
        }
    }

    static ScanReport scan(Path file) {
        Scan scan = new Scan();
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        try {
            if (name.endsWith(".safetensors")) {
                SafeTensors.readHeader(file); // a JSON header and raw bytes: nothing in it can name code
                return report(file, scan.findings, null);
            }
            try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                scanContainer(seg, file.toString(), "", scan, 0);
            }
            return report(file, scan.findings, null);
        } catch (java.nio.file.NoSuchFileException e) {
            return report(file, scan.findings, "no such file");
        } catch (IOException e) {
            return report(file, scan.findings, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException e) {
            // A reader bug must not turn into a crash of the pipeline running the scan; the file is then unreadable.
            return report(file, scan.findings, "malformed file: " + e);
        }
    }

    private static void scanContainer(MemorySegment seg, String where, String prefix, Scan scan, int nesting)
            throws CheckpointException {
        if (isTar(seg)) {
            // torch.load tries tarfile before anything else (torch < 0.4 saved so): its members are
            // pickles too, and a tar can start with bytes that also read as a harmless pickle.
            throw new CheckpointException(where, null, 0, "a tar archive (the format of torch < 0.4): not scanned;"
                    + " treat it as untrusted");
        }
        if (seg.byteSize() >= 4 && seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0) == 0x04034b50) {
            requireOneEndRecord(seg, where);
            ZipArchive zip = new ZipArchive(seg, where);
            java.util.Map<String, String> lowerCase = new java.util.HashMap<>();
            int pickles = 0;
            for (ZipArchive.Entry e : zip.entries().values()) {
                // PyTorch's zip reader finds members ignoring case: two names that differ only so are ambiguous.
                String lower = e.name().toLowerCase(java.util.Locale.ROOT);
                String other = lowerCase.put(lower, e.name());
                if (other != null) {
                    throw new CheckpointException(where, e.name(), -1, "two members named alike but for case ('" + other
                            + "', '" + e.name() + "'): readers disagree which is read");
                }
                if (!lower.endsWith(".pkl")) continue;
                pickles++;
                MemorySegment content = zip.content(e, MAX_INFLATED, true);
                scan.count(content.byteSize(), where);
                PickleScanner.Result r = PickleScanner.scan(content, 0, 0, where + " (" + e.name() + ")");
                collect(r, prefix + e.name(), where, scan, nesting);
            }
            if (pickles == 0) throw new CheckpointException(where, null, -1, "a zip archive without a .pkl member: not a PyTorch checkpoint");
        } else if (seg.byteSize() >= 1 && isPickleStart(seg.get(ValueLayout.JAVA_BYTE, 0) & 0xff)) {
            PickleScanner.Result first = PickleScanner.scan(seg, 0, 0, where);
            scan.count(first.end(), where);
            collect(first, prefix + "pickle 1", where, scan, nesting);
            if (!first.legacyMagic()) return; // a plain pickle: torch.load stops after it
            long at = first.end();
            for (int i = 2; i <= 5; i++) { // protocol, sys_info, the value, the storage keys
                PickleScanner.Result r = PickleScanner.scan(seg, at, 0, where);
                scan.count(r.end() - at, where);
                collect(r, prefix + "pickle " + i, where, scan, nesting);
                at = r.end();
            }
        } else {
            throw new CheckpointException(where, null, 0, "not a PyTorch checkpoint: neither a zip archive nor a pickle");
        }
    }

    private static void collect(PickleScanner.Result r, String entry, String where, Scan scan, int nesting)
            throws CheckpointException {
        for (PickleScanner.Mention m : r.mentions()) {
            ScanReport.Verdict v = DangerousGlobals.runsCode(m.global) || m.unfollowed ? ScanReport.Verdict.DANGEROUS
                    : Allowlist.isWeightsOnly(m.global) ? ScanReport.Verdict.SAFE : ScanReport.Verdict.NEEDS_TRUST;
            if (v == ScanReport.Verdict.SAFE) continue;
            List<String> uses = new ArrayList<>(m.uses.stream().map(u -> u.opcode() + " at " + u.offset()).toList());
            if (m.unfollowed) uses.add("loads a nested file the scan cannot follow (not a REDUCE on literal bytes)");
            scan.findings.add(new ScanReport.Finding(m.global.fullName(), v, entry, m.firstOffset, uses));
        }
        int n = 0;
        for (MemorySegment nested : r.embeddedFiles()) {
            n++;
            // The same bytes reached again (through the memo) say nothing new.
            if (!scan.nestedSeen.add(sha256(nested))) continue;
            if (nesting >= MAX_NESTING) throw new CheckpointException(where, entry, -1, "legacy files nested deeper than " + MAX_NESTING);
            scanContainer(nested, where, entry + " > nested file " + n + " > ", scan, nesting + 1);
        }
    }

    /**
     * Readers disagree on which end-of-central-directory record counts when a zip's tail holds
     * more than one (PyTorch's miniz takes the last signature, others check the comment length),
     * so a second directory can hide from one of them: such a file is not scanned.
     */
    private static void requireOneEndRecord(MemorySegment seg, String where) throws CheckpointException {
        long size = seg.byteSize(), from = Math.max(0, size - 22 - 65535);
        int found = 0;
        for (long at = size - 22; at >= from; at--) {
            if (seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at) == 0x06054b50) found++;
        }
        if (found > 1) {
            throw new CheckpointException(where, null, -1, found + " end-of-central-directory records in the zip's tail:"
                    + " readers disagree which is real; treat the file as untrusted");
        }
    }

    private static String sha256(MemorySegment bytes) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            d.update(bytes.asByteBuffer());
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A POSIX or old (v7) tar header: the header checksum at 148 matches the header's bytes. */
    private static boolean isTar(MemorySegment seg) {
        if (seg.byteSize() < 512) return false;
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : seg.get(ValueLayout.JAVA_BYTE, i) & 0xff;
        String field = new String(seg.asSlice(148, 8).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace('\0', ' ').strip();
        try {
            return !field.isEmpty() && Long.parseLong(field, 8) == sum;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The worst finding; a file that could not be read to its end is unreadable unless what was
     * read already showed a code-running global (then it is dangerous, and the error is kept).
     */
    private static ScanReport report(Path file, List<ScanReport.Finding> findings, String error) {
        ScanReport.Verdict worst = ScanReport.Verdict.SAFE;
        for (ScanReport.Finding f : findings) if (f.verdict().compareTo(worst) > 0) worst = f.verdict();
        if (error != null && worst != ScanReport.Verdict.DANGEROUS) worst = ScanReport.Verdict.UNREADABLE;
        return new ScanReport(file, worst, List.copyOf(findings), error);
    }

    /** PROTO (protocol 2+), or what protocol 0/1 pickles start with. */
    private static boolean isPickleStart(int b) {
        return b == 0x80 || b == '(' || b == 'c' || b == '}' || b == ']' || b == ')' || b == 'I' || b == 'L';
    }
}
