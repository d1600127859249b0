package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.NLLLoss;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Softmax;
import dev.jtorch.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertDecreasing;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertPrints;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expectedLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Walkthrough 3: ResNet-50's {@code fc} replaced by a named Sequential classifier for 10
 * classes; the model prints as PyTorch's does, its state-dict keys follow, and it trains.
 */
class Walkthrough03ReplaceLayersTest {

    @Test
    void replaceFcPrintAndTrain() {
        Torch.manualSeed(0);
        var net = Models.resnet50();
        var classifier = Sequential.of(
                entry("fc1", new Linear(2048, 128)),
                entry("relu1", new ReLU()),
                entry("dropout1", new Dropout(0.5)),
                entry("fc2", new Linear(128, 10)),
                entry("output", new Softmax(1)));
        net.setSubmodule("fc", classifier);                       // net.fc = classifier

        assertPrints("wt3_resnet50_classifier", net);
        List<String> keys = List.copyOf(net.stateDict().keySet());
        assertEquals(expectedLines("wt3_keys_tail"), keys.subList(keys.size() - 6, keys.size()));
        assertFalse(keys.contains("fc.weight"));
        assertSame(classifier, net.getSubmodule("fc"));

        // a few steps on one random batch: the loss must fall
        Tensor images = Torch.randn(2, 3, 64, 64);
        Tensor labels = Torch.tensor(new long[]{3, 7}, 2);
        var optimizer = new Adam(net.parameters(), 1e-3);
        var criterion = new NLLLoss((Tensor) null);   // the head ends in Softmax: NLL of its log is the cross-entropy
        List<Double> losses = new ArrayList<>();
        for (int step = 0; step < 5; step++) {
            optimizer.zeroGrad();
            Tensor outputs = net.forward(images);
            assertEquals("torch.Size([2, 10])", size(outputs));
            Tensor loss = criterion.forward(outputs.log(), labels);
            loss.backward();
            optimizer.step();
            losses.add(loss.item());
        }
        assertDecreasing(losses);
    }
}
