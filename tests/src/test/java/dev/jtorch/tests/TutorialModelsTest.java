package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.AdaptiveAvgPool2d;
import dev.jtorch.nn.BatchNorm2d;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ModuleDict;
import dev.jtorch.nn.ModuleList;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Softmax;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model definitions of the tutorials (shared/tutorials 001 and 003: Sequential, Sequential over
 * an OrderedDict, ModuleList with a forward loop, ModuleDict, ResNet-50 with a new classifier as
 * {@code fc}) written in Java line for line. Each {@code toString()} must be exactly what PyTorch's
 * {@code print} gives, as recorded by {@code tests/fixtures/make_print_tree_fixtures.py} into
 * {@code fixtures/module_trees.txt}; each model also runs forward once.
 */
class TutorialModelsTest {
    private static final String FIXTURE = "/fixtures/module_trees.txt";
    private static Map<String, String> expected;

    @BeforeAll
    static void readFixture() throws IOException {
        expected = new LinkedHashMap<>();
        try (InputStream in = TutorialModelsTest.class.getResourceAsStream(FIXTURE)) {
            assertNotNull(in, FIXTURE + " is not on the class path (run /usr/bin/python3 tests/fixtures/make_print_tree_fixtures.py)");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("case ")) throw new IllegalArgumentException(FIXTURE + ": expected 'case <name>', got " + line);
                String name = line.substring(5);
                String count = r.readLine();
                if (count == null || !count.startsWith("lines ")) throw new IllegalArgumentException(FIXTURE + ": " + name + ": no 'lines <n>'");
                int n = Integer.parseInt(count.substring(6));
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < n; i++) lines.add(r.readLine());
                if (!"end".equals(r.readLine())) throw new IllegalArgumentException(FIXTURE + ": " + name + ": no 'end' after " + n + " lines");
                expected.put(name, String.join("\n", lines));
            }
        }
    }

    private static void assertPrints(String caseName, Module module) {
        String want = expected.get(caseName);
        assertNotNull(want, "no case '" + caseName + "' in " + FIXTURE);
        assertEquals(want, module.toString(), caseName);
    }

    /** {@code collections.OrderedDict([...])}. */
    @SafeVarargs
    static Map<String, Module> orderedDict(Map.Entry<String, ? extends Module>... entries) {
        Map<String, Module> m = new LinkedHashMap<>();
        for (var e : entries) m.put(e.getKey(), e.getValue());
        return m;
    }

    // ---- Sequential -------------------------------------------------------------------------------

    @Test
    void sequentialPositional() {
        Sequential net = new Sequential(
                new Linear(784, 256),
                new ReLU(),
                new Linear(256, 10));
        assertPrints("sequential_positional", net);
        assertArrayEquals(new int[]{2, 10}, net.forward(Torch.randn(2, 784)).shape());
    }

    @Test
    void sequentialOrderedDict() {
        Sequential net2 = new Sequential(orderedDict(
                Map.entry("fc1", new Linear(784, 256)),
                Map.entry("relu1", new ReLU()),
                Map.entry("fc2", new Linear(256, 10))));
        assertPrints("sequential_ordered_dict", net2);
        assertArrayEquals(new int[]{2, 10}, net2.forward(Torch.randn(2, 784)).shape());
    }

    // ---- ModuleList -------------------------------------------------------------------------------

    @Test
    void moduleList() {
        ModuleList net = new ModuleList(List.of(new Linear(784, 256), new ReLU()));
        net.append(new Linear(256, 10));
        assertPrints("module_list_last", net.get(-1));
        assertPrints("module_list", net);
    }

    /** The tutorial's {@code class model(nn.Module)} holding a ModuleList; Java needs a distinct class name. */
    static final class ModuleListModel extends Module {
        final ModuleList modulelist;

        ModuleListModel() {
            modulelist = addModule("modulelist", new ModuleList(List.of(new Linear(784, 256), new ReLU())));
            modulelist.append(new Linear(256, 10));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (Module module : modulelist) x = module.forward(x);
            return x;
        }

        @Override
        public String typeName() { return "model"; }
    }

    @Test
    void moduleListModel() {
        ModuleListModel m = new ModuleListModel();
        assertPrints("module_list_model", m);
        assertArrayEquals(new int[]{1, 10}, m.forward(Torch.randn(1, 784)).shape());
        assertEquals(List.of("modulelist.0.weight", "modulelist.0.bias", "modulelist.2.weight", "modulelist.2.bias"),
                List.copyOf(m.stateDict().keySet()));
    }

    // ---- ModuleDict -------------------------------------------------------------------------------

    @Test
    void moduleDict() {
        ModuleDict net = new ModuleDict(orderedDict(
                Map.entry("linear", new Linear(784, 256)),
                Map.entry("relu", new ReLU())));
        net.put("output", new Linear(256, 10));
        assertPrints("module_dict_linear", net.get("linear"));
        assertPrints("module_dict_output", net.get("output"));
        assertPrints("module_dict", net);
    }

    /** The tutorial's second {@code class model(nn.Module)}, holding a ModuleDict. */
    static final class ModuleDictModel extends Module {
        final ModuleDict moduledict;

        ModuleDictModel() {
            moduledict = addModule("moduledict", new ModuleDict(orderedDict(
                    Map.entry("linear", new Linear(784, 256)), Map.entry("relu", new ReLU()))));
            moduledict.put("output", new Linear(256, 10));
        }

        @Override
        public Tensor forward(Tensor x) {
            for (String name : moduledict.keys()) x = moduledict.get(name).forward(x);
            return x;
        }

        @Override
        public String typeName() { return "model"; }
    }

    @Test
    void moduleDictModel() {
        ModuleDictModel m = new ModuleDictModel();
        assertPrints("module_dict_model", m);
        Tensor out = m.forward(Torch.randn(1, 784));
        assertArrayEquals(new int[]{1, 10}, out.shape());
        assertEquals("AddmmBackward0", out.gradFn().name());
    }

    // ---- ResNet-50 with a new fc ------------------------------------------------------------------

    /** torchvision's Bottleneck (ResNet v1.5: the stride on the 3x3 conv), attribute names and order as there. */
    static final class Bottleneck extends Module {
        static final int EXPANSION = 4;

        Bottleneck(int inplanes, int planes, int stride, Module downsample) {
            addModule("conv1", new Conv2d(inplanes, planes, 1, 1, 0, false));
            addModule("bn1", new BatchNorm2d(planes));
            addModule("conv2", new Conv2d(planes, planes, 3, stride, 1, false));
            addModule("bn2", new BatchNorm2d(planes));
            addModule("conv3", new Conv2d(planes, planes * EXPANSION, 1, 1, 0, false));
            addModule("bn3", new BatchNorm2d(planes * EXPANSION));
            addModule("relu", new ReLU(true));
            if (downsample != null) addModule("downsample", downsample);
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor identity = namedChildren().containsKey("downsample") ? call("downsample", x) : x;
            Tensor out = call("relu", call("bn1", call("conv1", x)));
            out = call("relu", call("bn2", call("conv2", out)));
            out = call("bn3", call("conv3", out));
            return call("relu", out.add(identity));
        }
    }

    /** torchvision's ResNet over Bottleneck blocks. TODO: use dev.jtorch.models.ResNet once the models module has it. */
    static final class ResNet extends Module {
        private int inplanes = 64;

        ResNet(int[] layers, int numClasses) {
            addModule("conv1", new Conv2d(3, 64, 7, 2, 3, false));
            addModule("bn1", new BatchNorm2d(64));
            addModule("relu", new ReLU(true));
            addModule("maxpool", new MaxPool2d(3, 2, 1));
            addModule("layer1", makeLayer(64, layers[0], 1));
            addModule("layer2", makeLayer(128, layers[1], 2));
            addModule("layer3", makeLayer(256, layers[2], 2));
            addModule("layer4", makeLayer(512, layers[3], 2));
            addModule("avgpool", new AdaptiveAvgPool2d(1, 1));
            addModule("fc", new Linear(512 * Bottleneck.EXPANSION, numClasses));
        }

        private Sequential makeLayer(int planes, int blocks, int stride) {
            Module downsample = null;
            if (stride != 1 || inplanes != planes * Bottleneck.EXPANSION) {
                downsample = new Sequential(new Conv2d(inplanes, planes * Bottleneck.EXPANSION, 1, stride, 0, false),
                        new BatchNorm2d(planes * Bottleneck.EXPANSION));
            }
            List<Module> layers = new ArrayList<>();
            layers.add(new Bottleneck(inplanes, planes, stride, downsample));
            inplanes = planes * Bottleneck.EXPANSION;
            for (int i = 1; i < blocks; i++) layers.add(new Bottleneck(inplanes, planes, 1, null));
            return new Sequential(layers);
        }

        @Override
        public Tensor forward(Tensor x) {
            x = call("maxpool", call("relu", call("bn1", call("conv1", x))));
            for (String layer : List.of("layer1", "layer2", "layer3", "layer4")) x = call(layer, x);
            return call("fc", call("avgpool", x).flatten(1));
        }
    }

    /** The tutorial's classifier: {@code nn.Sequential(OrderedDict([('fc1', ...), ..., ('output', nn.Softmax(dim=1))]))}. */
    static Sequential classifier() {
        return new Sequential(orderedDict(
                Map.entry("fc1", new Linear(2048, 128)),
                Map.entry("relu1", new ReLU()),
                Map.entry("dropout1", new Dropout(0.5)),
                Map.entry("fc2", new Linear(128, 10)),
                Map.entry("output", new Softmax(1))));
    }

    @Test
    void resnet50WithNewFcPrintsAsPyTorch() {
        ResNet net = new ResNet(new int[]{3, 4, 6, 3}, 1000);  // models.resnet50()
        int before = net.stateDict().size();
        net.setSubmodule("fc", classifier());                  // net.fc = classifier
        assertPrints("resnet50_fc_replaced", net);
        // the new head is in the keys in fc's place (the last entries), and fc.weight/fc.bias are gone
        List<String> keys = List.copyOf(net.stateDict().keySet());
        assertEquals(before + 2, keys.size());
        assertEquals(List.of("fc.fc1.weight", "fc.fc1.bias", "fc.fc2.weight", "fc.fc2.bias"), keys.subList(keys.size() - 4, keys.size()));
        assertTrue(!keys.contains("fc.weight"));
    }

    @Test
    void resnetWithNewFcRunsForward() {
        ResNet net = new ResNet(new int[]{1, 1, 1, 1}, 1000);
        net.setSubmodule("fc", classifier());
        assertPrints("resnet_1111_fc_replaced", net);
        net.eval();
        Tensor out = net.forward(Torch.randn(2, 3, 64, 64));
        assertArrayEquals(new int[]{2, 10}, out.shape());
        double[] rowSums = out.sum(1, false).toDoubleArray();  // Softmax(dim=1) rows
        assertEquals(1.0, rowSums[0], 1e-5);
        assertEquals(1.0, rowSums[1], 1e-5);
    }
}
