package dev.jtorch.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Committed fixtures cannot go stale silently. {@code tests/fixtures/PROVENANCE.txt} names, for
 * every file under a module's {@code src/test/resources/fixtures}, the script that wrote it and
 * the SHA-256 of that script and the helpers it imports when it did (the scripts record it themselves, through
 * {@code jtfx.record_provenance}). A script edited without its fixtures being regenerated, a
 * fixture without a line, or a line without its fixture fails here.
 */
class FixtureProvenanceTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPTS = ROOT.resolve("tests/fixtures");
    private static final Path MANIFEST = SCRIPTS.resolve("PROVENANCE.txt");

    @Test
    void everyFixtureWasWrittenByTheScriptAsItIsNow() throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> listed = new TreeSet<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(MANIFEST)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            if (f.length != 3) {
                problems.add(MANIFEST + ":" + lineNo + ": expected fixture<TAB>script<TAB>sha256, got: " + line);
                continue;
            }
            String fixture = f[0], script = f[1], recorded = f[2];
            listed.add(fixture);
            if (!Files.isRegularFile(ROOT.resolve(fixture))) {
                problems.add(fixture + " is listed but does not exist (remove its line, or regenerate it with " + script + ")");
            }
            if (script.equals("-")) continue; // made by hand; its line only says so
            Path scriptFile = SCRIPTS.resolve(script);
            if (!Files.isRegularFile(scriptFile)) {
                problems.add(fixture + ": its script tests/fixtures/" + script + " does not exist");
                continue;
            }
            String now = scriptDigest(scriptFile);
            if (!now.equals(recorded)) {
                problems.add(fixture + " was written by tests/fixtures/" + script + " at sha256 " + recorded.substring(0, 12)
                        + "..., which has changed since (now " + now.substring(0, 12) + "...): regenerate it with"
                        + " /usr/bin/python3 tests/fixtures/" + script + " and commit the result");
            }
        }
        for (String fixture : committedFixtures()) {
            if (!listed.contains(fixture)) {
                problems.add(fixture + " has no line in tests/fixtures/PROVENANCE.txt (the script that writes it records one)");
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " stale or unrecorded fixture(s):\n" + String.join("\n", problems));
    }

    /** Every file below each module's src/test/resources/fixtures, as a path relative to the repository root. */
    private static Set<String> committedFixtures() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.toList()) {
                Path fixtures = module.resolve("src/test/resources/fixtures");
                if (!Files.isDirectory(fixtures)) continue;
                try (Stream<Path> files = Files.walk(fixtures)) {
                    files.filter(Files::isRegularFile).forEach(p -> out.add(ROOT.relativize(p).toString().replace('\\', '/')));
                }
            }
        }
        return out;
    }

    /**
     * As {@code jtfx.script_digest}: SHA-256 of the script's bytes, then, for each module of
     * tests/fixtures/ it imports (transitively, in name order), its name, a NUL and its bytes, so
     * that editing a shared helper (jtfx, tutorial_models) makes its users' fixtures stale too.
     */
    static String scriptDigest(Path script) throws IOException, NoSuchAlgorithmException {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(Files.readAllBytes(script));
        for (String name : localImports(script, new TreeSet<>())) {
            d.update((name + "\0").getBytes(StandardCharsets.UTF_8));
            d.update(Files.readAllBytes(script.resolveSibling(name + ".py")));
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static final Pattern IMPORT = Pattern.compile("(?:from|import)\\s+([A-Za-z_][A-Za-z_0-9]*).*");

    private static Set<String> localImports(Path file, Set<String> seen) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = IMPORT.matcher(line);
            if (!m.matches()) continue;
            String name = m.group(1);
            Path module = file.resolveSibling(name + ".py");
            if (!seen.contains(name) && Files.isRegularFile(module)) {
                seen.add(name);
                localImports(module, seen);
            }
        }
        return seen;
    }
}
