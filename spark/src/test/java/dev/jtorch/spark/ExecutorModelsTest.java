package dev.jtorch.spark;

import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.models.TorchIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-JVM model cache: one load per spec, and a bound on how many it keeps. */
class ExecutorModelsTest {

    @Test
    void loadsEachSpecOnceAndKeepsAtMostEightModels(@TempDir Path dir) throws Exception {
        Torch.manualSeed(0);
        Path weights = dir.resolve("w.pth");
        TorchIO.save(Models.resnet18(2).stateDict(), weights);
        List<ModelSpec> specs = new ArrayList<>();
        for (int i = 0; i < 9; i++) specs.add(ModelSpec.builder("resnet18").checkpoint(weights).numClasses(2).build());

        int before = ExecutorModels.loadCount();
        BatchRunner first = ExecutorModels.get(specs.get(0), null, 1);
        assertSame(first, ExecutorModels.get(specs.get(0), null, 1), "a second task gets the loaded model");
        for (ModelSpec spec : specs) ExecutorModels.get(spec, null, 1);
        assertEquals(9, ExecutorModels.loadCount() - before);
        assertTrue(ExecutorModels.size() <= 8, "held: " + ExecutorModels.size());
        ExecutorModels.get(specs.get(0), null, 1);
        assertEquals(10, ExecutorModels.loadCount() - before, "the oldest was dropped, so it loads again");
    }
}
