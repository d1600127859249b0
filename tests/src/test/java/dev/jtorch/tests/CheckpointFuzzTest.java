package dev.jtorch.tests;

import dev.jtorch.io.CheckpointException;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.Unpickler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutates real checkpoints (byte flips, truncations, insertions, overwritten integers) and loads
 * them: the only acceptable outcomes are a value or a {@link CheckpointException}. Half the
 * tries skip the zip CRC check so that mutations reach the pickle interpreter.
 */
class CheckpointFuzzTest {
    static final List<String> SEEDS = List.of("checkpoint.pth", "dtypes_legacy_p4.pth", "views_zip.pth",
            "nested_p4.pth", "model_sequential_legacy.pth", "plain_state_dict.pkl", "dtypes_deflated.pth",
            "zero_dim_empty_zip.pth", "nested_p2.pth", "model_user.pth");
    static final byte[][] FILES = SEEDS.stream().map(n -> {
        try {
            return Files.readAllBytes(CheckpointReadTest.dir().resolve(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }).toArray(byte[][]::new);

    record Case(int file, long seed, int mutations, boolean checkCrc) {}

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(0, FILES.length - 1), Arbitraries.longs(),
                Arbitraries.integers().between(1, 6), Arbitraries.of(true, false)).as(Case::new);
    }

    @Property(tries = 10000)
    void mutatedFilesLoadOrFailCleanly(@ForAll("cases") Case c) throws IOException {
        byte[] data = mutate(FILES[c.file()], new Random(c.seed()), c.mutations());
        Path tmp = Files.createTempFile("fuzz", ".pth");
        try {
            Files.write(tmp, data);
            Unpickler.Options o = new Unpickler.Options().verifyChecksums(c.checkCrc()).describeModules(true);
            try {
                Checkpoints.load(tmp, o);
            } catch (CheckpointException expected) {
                // the one typed refusal
            } catch (Throwable t) {
                fail("mutated " + SEEDS.get(c.file()) + " (" + c + ") threw " + t, t);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static byte[] mutate(byte[] src, Random r, int count) {
        byte[] d = src.clone();
        for (int m = 0; m < count; m++) {
            if (d.length == 0) break;
            int at = r.nextInt(d.length);
            switch (r.nextInt(5)) {
                case 0 -> d[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> d = java.util.Arrays.copyOf(d, at);
                case 2 -> {
                    byte[] ins = new byte[1 + r.nextInt(8)];
                    r.nextBytes(ins);
                    byte[] n = new byte[d.length + ins.length];
                    System.arraycopy(d, 0, n, 0, at);
                    System.arraycopy(ins, 0, n, at, ins.length);
                    System.arraycopy(d, at, n, at + ins.length, d.length - at);
                    d = n;
                }
                case 3 -> { // an extreme integer where sizes and offsets live
                    long v = switch (r.nextInt(4)) {
                        case 0 -> -1L;
                        case 1 -> Long.MAX_VALUE;
                        case 2 -> 0x7fffffffL;
                        default -> 1L << (20 + r.nextInt(40));
                    };
                    for (int i = 0; i < 8 && at + i < d.length; i++) d[at + i] = (byte) (v >>> (8 * i));
                }
                default -> d[at] = (byte) r.nextInt(256);
            }
        }
        return d;
    }
}
