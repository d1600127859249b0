package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.RMSprop;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertDecreasing;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.bitwiseEqual;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expectedLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walkthrough 7: freeze and fine-tune. Everything but {@code fc} frozen by name prefix and Adam
 * on {@code fc} alone; then the first six children frozen and RMSprop on the rest. After
 * training, every frozen parameter holds the very same bits as before.
 */
class Walkthrough07FreezeTest {

    static List<String> trainable(Module model) {
        return model.namedParameters().entrySet().stream().filter(e -> e.getValue().requiresGrad()).map(Map.Entry::getKey).toList();
    }

    /** Runs {@code steps} optimizer steps on one fixed batch and returns the losses. */
    static List<Double> train(Module model, Optimizer optimizer, int steps) {
        Torch.manualSeed(7);
        Tensor images = Torch.randn(2, 3, 64, 64);
        Tensor labels = Torch.tensor(new long[]{2, 5}, 2);
        var criterion = new CrossEntropyLoss();
        List<Double> losses = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            optimizer.zeroGrad();
            Tensor outputs = model.forward(images);
            Tensor loss = criterion.forward(outputs, labels);
            loss.backward();
            optimizer.step();
            losses.add(loss.item());
        }
        return losses;
    }

    /** Frozen parameters are bitwise unchanged, trained ones moved. */
    static void assertOnlyTrainableChanged(Module model, Map<String, Tensor> before, List<String> trainable) {
        model.namedParameters().forEach((name, p) -> {
            boolean same = bitwiseEqual(before.get(name), p);
            if (trainable.contains(name)) assertFalse(same, name + " was trained but did not change");
            else {
                assertTrue(same, name + " is frozen but changed");
                assertNull(p.grad(), name + " is frozen but got a gradient");
            }
        });
    }

    @Test
    void freezeAllButFcAndTrainFcWithAdam() {
        Torch.manualSeed(0);
        var model = Models.resnet18();
        model.setSubmodule("fc", new Linear(((Linear) model.getSubmodule("fc")).inFeatures, 10));
        for (var e : model.namedParameters().entrySet()) {
            if (!e.getKey().startsWith("fc")) e.getValue().requiresGrad_(false);
        }
        var optimizer = new Adam(model.getSubmodule("fc").parameters(), 0.001);
        assertEquals(expectedLines("wt7_adam_trainable"), trainable(model));

        Map<String, Tensor> before = snapshot(model.stateDict());
        assertDecreasing(train(model, optimizer, 5));
        assertOnlyTrainableChanged(model, before, trainable(model));
        // BatchNorm's running statistics are buffers, not parameters: train mode still updates them
        // (in PyTorch too); put the frozen layers in eval() to keep those as well
        assertFalse(bitwiseEqual(before.get("bn1.running_mean"), model.getSubmodule("bn1").buffer("running_mean")));
    }

    @Test
    void freezeFirstSixChildrenAndTrainTheRestWithRMSprop() {
        Torch.manualSeed(0);
        var model = Models.resnet18();
        model.setSubmodule("fc", new Linear(((Linear) model.getSubmodule("fc")).inFeatures, 10));
        assertEquals(expectedLines("wt7_children"), model.children().stream().map(Module::typeName).toList());

        int count = 0;
        List<Tensor> paraOptim = new ArrayList<>();
        for (Module k : model.children()) {
            count += 1;
            if (count > 6) {
                paraOptim.addAll(k.parameters());
            } else {
                for (Tensor param : k.parameters()) param.requiresGrad_(false);
            }
        }
        var optimizer = new RMSprop(paraOptim, 1e-4);
        assertEquals(expected("wt7_rmsprop_count"), Integer.toString(paraOptim.size()));
        assertEquals(expectedLines("wt7_rmsprop_trainable"), trainable(model));

        Map<String, Tensor> before = snapshot(model.stateDict());
        assertDecreasing(train(model, optimizer, 5));
        assertOnlyTrainableChanged(model, before, trainable(model));
    }
}
