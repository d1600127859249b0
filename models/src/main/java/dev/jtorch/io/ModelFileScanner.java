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

    static ScanReport scan(Path file) {
        List<ScanReport.Finding> findings = new ArrayList<>();
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        try {
            if (name.endsWith(".safetensors")) {
                SafeTensors.readHeader(file); // a JSON header and raw bytes: nothing in it can name code
                return report(file, findings, null);
            }
            try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                scanContainer(seg, file.toString(), "", findings, 0);
            }
            return report(file, findings, null);
        } catch (java.nio.file.NoSuchFileException e) {
            return report(file, findings, "no such file");
        } catch (IOException e) {
            return report(file, findings, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException e) {
            // A reader bug must not turn into a crash of the pipeline running the scan; the file is then unreadable.
            return report(file, findings, "malformed file: " + e);
        }
    }

    private static void scanContainer(MemorySegment seg, String where, String prefix, List<ScanReport.Finding> findings,
                                      int nesting) throws CheckpointException {
        if (seg.byteSize() >= 4 && seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0) == 0x04034b50) {
            ZipArchive zip = new ZipArchive(seg, where);
            int pickles = 0;
            for (ZipArchive.Entry e : zip.entries().values()) {
                if (!e.name().endsWith(".pkl")) continue;
                pickles++;
                MemorySegment content = zip.content(e, MAX_INFLATED, true);
                PickleScanner.Result r = PickleScanner.scan(content, 0, 0, where + " (" + e.name() + ")");
                collect(r, prefix + e.name(), where, findings, nesting);
            }
            if (pickles == 0) throw new CheckpointException(where, null, -1, "a zip archive without a .pkl member: not a PyTorch checkpoint");
        } else if (seg.byteSize() >= 1 && isPickleStart(seg.get(ValueLayout.JAVA_BYTE, 0) & 0xff)) {
            PickleScanner.Result first = PickleScanner.scan(seg, 0, 0, where);
            collect(first, prefix + "pickle 1", where, findings, nesting);
            if (!first.legacyMagic()) return; // a plain pickle
            long at = first.end();
            for (int i = 2; i <= 5; i++) { // protocol, sys_info, the value, the storage keys
                PickleScanner.Result r = PickleScanner.scan(seg, at, 0, where);
                collect(r, prefix + "pickle " + i, where, findings, nesting);
                at = r.end();
            }
        } else {
            throw new CheckpointException(where, null, 0, "not a PyTorch checkpoint: neither a zip archive nor a pickle");
        }
    }

    private static void collect(PickleScanner.Result r, String entry, String where, List<ScanReport.Finding> findings,
                                int nesting) throws CheckpointException {
        for (PickleScanner.Mention m : r.mentions()) {
            ScanReport.Verdict v = DangerousGlobals.runsCode(m.global) ? ScanReport.Verdict.DANGEROUS
                    : Allowlist.isWeightsOnly(m.global) ? ScanReport.Verdict.SAFE : ScanReport.Verdict.NEEDS_TRUST;
            if (v == ScanReport.Verdict.SAFE) continue;
            List<String> uses = m.uses.stream().map(u -> u.opcode() + " at " + u.offset()).toList();
            findings.add(new ScanReport.Finding(m.global.fullName(), v, entry, m.firstOffset, uses));
        }
        int n = 0;
        for (MemorySegment nested : r.embeddedFiles()) {
            if (nesting >= MAX_NESTING) throw new CheckpointException(where, entry, -1, "legacy files nested deeper than " + MAX_NESTING);
            scanContainer(nested, where, entry + " > nested file " + (++n) + " > ", findings, nesting + 1);
        }
    }

    private static ScanReport report(Path file, List<ScanReport.Finding> findings, String error) {
        ScanReport.Verdict worst = ScanReport.Verdict.SAFE;
        for (ScanReport.Finding f : findings) if (f.verdict().compareTo(worst) > 0) worst = f.verdict();
        if (error != null) worst = ScanReport.Verdict.UNREADABLE;
        return new ScanReport(file, worst, List.copyOf(findings), error);
    }

    /** PROTO (protocol 2+), or what protocol 0/1 pickles start with. */
    private static boolean isPickleStart(int b) {
        return b == 0x80 || b == '(' || b == 'c' || b == '}' || b == ']' || b == ')' || b == 'I' || b == 'L';
    }
}
