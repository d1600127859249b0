package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Softmax;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertPrints;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walkthrough 4: an extra input. The network's 1000 outputs go through ReLU and dropout, the
 * extra per-sample value is appended as a 1001st feature, and a new Linear maps them to 10
 * classes. A forward with two arguments is simply a method with two parameters.
 */
class Walkthrough04ExtraInputTest {

    static class Model extends Module {
        Model(Module net) {
            addModule("net", net);
            addModule("relu", new ReLU());
            addModule("dropout", new Dropout(0.5));
            addModule("fc_add", new Linear(1001, 10, true));
            addModule("output", new Softmax(1));
        }

        Tensor forward(Tensor x, Tensor addVariable) {
            x = call("net", x);
            x = Torch.cat(List.of(call("dropout", call("relu", x)), addVariable.unsqueeze(1)), 1);
            x = call("fc_add", x);
            x = call("output", x);
            return x;
        }
    }

    @Test
    void extraInput() {
        Torch.manualSeed(0);
        var net = Models.resnet50();
        var model = new Model(net);
        assertPrints("wt4_model", model);

        Tensor inputs = Torch.randn(2, 3, 64, 64);
        Tensor addVar = Torch.tensor(new float[]{0.25f, -1.5f}, 2);      // one number per image: shape (batch,)
        Tensor outputs = model.forward(inputs, addVar);                  // outputs = model(inputs, add_var)
        assertEquals(expected("wt4_out_shape"), size(outputs));
        assertArrayEquals(new double[]{1, 1}, outputs.sum(1, false).toDoubleArray(), 1e-5);

        // the extra value reaches the head: fc_add's last input column gets a gradient
        outputs.select(1, 0).sum().backward();
        Tensor g = model.getSubmodule("fc_add").parameter("weight").grad();
        assertNotNull(g);
        double colNorm = g.select(1, 1000).abs().sum().item();
        assertTrue(colNorm > 0, "no gradient reached the extra input's weights");
    }
}
