package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MSELoss;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.NLLLoss;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Softmax;
import dev.jtorch.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertDecreasing;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expectedLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.lastLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Walkthrough 5: an extra output. Python returns the tuple {@code (x10, x1000)}; Java returns a
 * record with both, and a loss on each trains the head and the backbone together.
 */
class Walkthrough05ExtraOutputTest {

    /** {@code return x10, x1000}. */
    record Outputs(Tensor out10, Tensor out1000) {}

    static class Model extends Module {
        Model(Module net) {
            addModule("net", net);
            addModule("relu", new ReLU());
            addModule("dropout", new Dropout(0.5));
            addModule("fc1", new Linear(1000, 10, true));
            addModule("output", new Softmax(1));
        }

        Outputs forward(Tensor x, Tensor addVariable) {
            Tensor x1000 = call("net", x);
            Tensor x10 = call("dropout", call("relu", x1000));
            x10 = call("fc1", x10);
            x10 = call("output", x10);
            return new Outputs(x10, x1000);
        }
    }

    @Test
    void extraOutputTrainsBothLosses() {
        Torch.manualSeed(0);
        var model = new Model(Models.resnet50());
        assertEquals(expected("wt5_model_head"), lastLines(model, 6));

        Tensor inputs = Torch.randn(2, 3, 64, 64), addVar = Torch.randn(2);
        Tensor labels = Torch.tensor(new long[]{1, 8}, 2);
        Tensor features = Torch.randn(2, 1000);                          // a target for the 1000-dim output
        var optimizer = new Adam(model.parameters(), 1e-4);   // 1e-3 overshoots the regression target with batch-2 BatchNorm, in PyTorch too
        var nll = new NLLLoss((Tensor) null);
        var mse = new MSELoss();
        List<Double> losses10 = new ArrayList<>(), losses1000 = new ArrayList<>();
        for (int step = 0; step < 5; step++) {
            optimizer.zeroGrad();
            var out = model.forward(inputs, addVar);                     // out10, out1000 = model(inputs, add_var)
            if (step == 0) assertEquals(expectedLines("wt5_out_shapes"), List.of(size(out.out10()), size(out.out1000())));
            Tensor loss10 = nll.forward(out.out10().log(), labels);
            Tensor loss1000 = mse.forward(out.out1000(), features);
            loss10.add(loss1000).backward();                             // (loss10 + loss1000).backward()
            optimizer.step();
            losses10.add(loss10.item());
            losses1000.add(loss1000.item());
        }
        assertDecreasing(losses10);
        assertDecreasing(losses1000);
    }
}
