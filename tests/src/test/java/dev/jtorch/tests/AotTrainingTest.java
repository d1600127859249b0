package dev.jtorch.tests;

import dev.jtorch.cli.AotTraining;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The launcher records its AOT cache with this workload and throws its output away, so a step
 * that stopped working (a renamed option, a changed command) would only show as a slower start.
 */
class AotTrainingTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandOfTheTrainingRunSucceeds() throws Exception {
        assertEquals(0, AotTraining.train(dir));
    }
}
