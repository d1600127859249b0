package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ModuleDict;
import dev.jtorch.nn.ModuleList;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertPrints;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Walkthrough 1 of docs/guide.md: a model defined three ways, with Sequential (positional and
 * named), with a ModuleList walked by a loop in forward, and with a ModuleDict. Each prints
 * exactly what PyTorch prints and runs forward.
 */
class Walkthrough01DefiningModelsTest {

    @Test
    void sequentialPositional() {
        var net = new Sequential(
                new Linear(784, 256),
                new ReLU(),
                new Linear(256, 10));
        assertPrints("wt1_sequential", net);
        assertEquals("torch.Size([4, 10])", size(net.forward(Torch.randn(4, 784))));
    }

    @Test
    void sequentialOrderedDict() {
        var net2 = Sequential.of(
                entry("fc1", new Linear(784, 256)),
                entry("relu1", new ReLU()),
                entry("fc2", new Linear(256, 10)));
        assertPrints("wt1_sequential_ordered", net2);
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(net2.stateDict().keySet()));
        assertEquals("torch.Size([4, 10])", size(net2.forward(Torch.randn(4, 784))));
    }

    @Test
    void moduleList() {
        var net = new ModuleList(new Linear(784, 256), new ReLU());
        net.append(new Linear(256, 10));
        assertPrints("wt1_module_list_last", net.get(-1));
        assertPrints("wt1_module_list", net);
    }

    /** The tutorial's {@code class model(nn.Module)} over a ModuleList; the class name is ours. */
    static class ListNet extends Module {
        final ModuleList modulelist;

        ListNet() {
            modulelist = addModule("modulelist", new ModuleList(new Linear(784, 256), new ReLU()));
            modulelist.append(new Linear(256, 10));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (Module module : modulelist) x = module.forward(x);
            return x;
        }
    }

    @Test
    void moduleListInAModel() {
        var model = new ListNet();
        assertPrints("wt1_list_net", model);
        assertEquals("torch.Size([2, 10])", size(model.forward(Torch.randn(2, 784))));
        assertEquals(4, model.parameters().size());   // the list's layers are registered: the optimizer sees them
    }

    @Test
    void moduleDict() {
        var net = new ModuleDict();
        net.put("linear", new Linear(784, 256));
        net.put("act", new ReLU());
        net.put("output", new Linear(256, 10));         // net['output'] = nn.Linear(256, 10)
        assertPrints("wt1_module_dict_linear", net.get("linear"));
        assertPrints("wt1_module_dict_output", net.get("output"));
        assertPrints("wt1_module_dict", net);
        Tensor x = Torch.randn(3, 784);
        for (String name : net.keys()) x = net.get(name).forward(x);
        assertEquals("torch.Size([3, 10])", size(x));
        assertSame(net.get("output"), net.getSubmodule("output"));
    }
}
