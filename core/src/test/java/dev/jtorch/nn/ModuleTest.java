package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module tree's contract, each expectation checked against PyTorch 1.13 (the Python that
 * produced each expected value is quoted beside it).
 */
class ModuleTest {

    /** Own parameter and buffer registered after the children: PyTorch still lists a module's own tensors first. */
    static final class Net extends Module {
        Net() {
            addModule("fc1", new Linear(4, 3));
            addModule("act", new ReLU());
            addModule("fc2", new Linear(3, 2));
            registerParameter("scale", Torch.ones(2));
            registerBuffer("offset", Torch.zeros(2));
            registerBuffer("scratch", Torch.zeros(1), false);
        }

        @Override
        public Tensor forward(Tensor x) {
            return call("fc2", call("act", call("fc1", x))).mul(parameter("scale")).add(buffer("offset"));
        }
    }

    private static List<String> keys(Map<String, ?> m) { return new ArrayList<>(m.keySet()); }

    private static Map<String, Module> ordered(Object... nameModule) {
        Map<String, Module> m = new LinkedHashMap<>();
        for (int i = 0; i < nameModule.length; i += 2) m.put((String) nameModule[i], (Module) nameModule[i + 1]);
        return m;
    }

    // ---- order ---------------------------------------------------------------------------------

    @Test
    void registrationOrderIsStateDictParameterAndPrintOrder() {
        Net net = new Net();
        // list(net.state_dict()) in PyTorch: own parameters, own persistent buffers, then children in order
        assertEquals(List.of("scale", "offset", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), keys(net.stateDict()));
        assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), keys(net.namedParameters()));
        assertEquals(List.of("offset", "scratch"), keys(net.namedBuffers()));
        assertEquals(List.of("", "fc1", "act", "fc2"), keys(net.namedModules()));
        assertEquals(List.of("fc1", "act", "fc2"), keys(net.namedChildren()));
        assertEquals("""
                Net(
                  (fc1): Linear(in_features=4, out_features=3, bias=True)
                  (act): ReLU()
                  (fc2): Linear(in_features=3, out_features=2, bias=True)
                )""", net.toString());
    }

    @Test
    void stateDictTensorsShareTheModulesStorage() {
        Linear fc = new Linear(2, 2);
        Tensor w = fc.stateDict().get("weight");
        assertFalse(w.requiresGrad());
        w.fill_(3);
        assertEquals(3.0, fc.parameter("weight").toDoubleArray()[0]);
    }

    // ---- sharing -------------------------------------------------------------------------------

    @Test
    void sharedModuleCountsOnceInParametersButTwiceInStateDictAndInTheContainer() {
        // lin = nn.Linear(2, 2); m = nn.Sequential(lin, nn.ReLU(), lin)
        Linear lin = new Linear(2, 2);
        Sequential m = new Sequential(lin, new ReLU(), lin);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys(m.stateDict()));
        assertEquals(List.of("0.weight", "0.bias"), keys(m.namedParameters()));
        assertEquals(2, m.parameters().size());
        assertEquals(List.of("", "0", "1"), keys(m.namedModules()));
        assertEquals(3, m.modules().size());
        assertEquals(List.of("0", "1"), keys(m.namedChildren())); // named_children de-duplicates too
        assertEquals(3, m.size());                                 // len(m) == 3
        assertSame(lin, m.get(2));
        assertEquals("""
                Sequential(
                  (0): Linear(in_features=2, out_features=2, bias=True)
                  (1): ReLU()
                  (2): Linear(in_features=2, out_features=2, bias=True)
                )""", m.toString());
        // forward runs the shared layer twice
        Tensor x = Torch.randn(3, 2);
        Tensor expected = lin.forward(lin.forward(x).relu());
        assertArrayEquals(expected.toFloatArray(), m.forward(x).toFloatArray());
        // appending after a shared entry takes the next free position name
        m.append(new ReLU());
        assertEquals(List.of("0", "1", "2", "3"), keys(registered(m)));
    }

    private static Map<String, Module> registered(Sequential s) {
        Map<String, Module> out = new LinkedHashMap<>();
        int i = 0;
        for (Module m : s) out.put(Integer.toString(i++), m);
        return out;
    }

    @Test
    void tiedParameterIsInStateDictUnderBothNames() {
        // a.enc = nn.Linear(3, 3); a.dec = nn.Linear(3, 3); a.dec.weight = a.enc.weight
        Module a = new Sequential(ordered("enc", new Linear(3, 3), "dec", new Linear(3, 3)));
        a.getSubmodule("dec").setParameter("weight", a.getSubmodule("enc").parameter("weight"));
        assertEquals(List.of("enc.weight", "enc.bias", "dec.weight", "dec.bias"), keys(a.stateDict()));
        assertEquals(List.of("enc.weight", "enc.bias", "dec.bias"), keys(a.namedParameters()));
        // loading fills both names (they are one tensor)
        Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
        sd.put("enc.weight", Torch.full(5, 3, 3));
        sd.put("dec.weight", Torch.full(5, 3, 3));
        assertTrue(a.loadStateDict(sd).isClean());
        assertEquals(5.0, a.getSubmodule("dec").parameter("weight").toDoubleArray()[4]);
    }

    @Test
    void moduleDictKeepsEveryKeyOfASharedModule() {
        // r = nn.ReLU(); md = nn.ModuleDict({'a': r, 'b': r}) -> list(md.keys()) == ['a', 'b'], len(md) == 2
        ReLU r = new ReLU();
        ModuleDict md = new ModuleDict(ordered("a", r, "b", r));
        assertEquals(List.of("a", "b"), md.keys());
        assertEquals(2, md.size());
        assertTrue(md.contains("b"));
        assertEquals("ModuleDict(\n  (a): ReLU()\n  (b): ReLU()\n)", md.toString());
    }

    // ---- paths ---------------------------------------------------------------------------------

    /** A VGG-like tree: features.0 ... features.29, then a classifier. */
    static final class Vggish extends Module {
        Vggish() {
            List<Module> layers = new ArrayList<>();
            for (int i = 0; i < 28; i++) layers.add(i % 2 == 0 ? new Linear(4, 4) : new ReLU());
            layers.add(new Linear(4, 4));  // features.28
            layers.add(new ReLU());        // features.29
            addModule("features", new Sequential(layers));
            addModule("classifier", new Linear(4, 2));
        }

        @Override
        public Tensor forward(Tensor x) { return call("classifier", call("features", x)); }
    }

    @Test
    void setSubmoduleByDottedPathChangesForwardPrintParametersAndKeys() {
        Vggish m = new Vggish();
        assertTrue(m.getSubmodule("features.28") instanceof Linear);
        assertSame(m.getSubmodule("features").getSubmodule("28"), m.getSubmodule("features.28"));
        int before = m.parameters().size();

        m.setSubmodule("features.28", new Linear(4, 6));
        m.setSubmodule("classifier", new Linear(6, 3));
        assertEquals(List.of(3, 3), List.of(m.forward(Torch.randn(3, 4)).size(0), m.forward(Torch.randn(3, 4)).size(1)));
        assertTrue(m.toString().contains("  (28): Linear(in_features=4, out_features=6, bias=True)\n    (29): ReLU()\n  )\n"
                + "  (classifier): Linear(in_features=6, out_features=3, bias=True)\n)"), m.toString());
        assertEquals(before, m.parameters().size());
        assertArrayEquals(new int[]{6, 4}, m.stateDict().get("features.28.weight").shape());
        assertArrayEquals(new int[]{3, 6}, m.namedParameters().get("classifier.weight").shape());
        // the replaced child keeps its place: features.28 is still after features.26 and before classifier
        List<String> k = keys(m.stateDict());
        assertEquals(k.indexOf("features.26.bias") + 1, k.indexOf("features.28.weight"));
        assertEquals("classifier.bias", k.get(k.size() - 1));
    }

    @Test
    void deleteSubmoduleRemovesItEverywhere() {
        Vggish m = new Vggish();
        Module removed = m.deleteSubmodule("classifier");
        assertTrue(removed instanceof Linear);
        assertFalse(m.toString().contains("classifier"));
        assertFalse(m.stateDict().containsKey("classifier.weight"));
        assertFalse(m.namedModules().containsKey("classifier"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Torch.randn(1, 4)));
        assertEquals("'Vggish' object has no attribute 'classifier'", e.getMessage());
        m.deleteSubmodule("features.29");
        assertFalse(m.namedModules().containsKey("features.29"));
        assertEquals(29, ((Sequential) m.getSubmodule("features")).size());
    }

    @Test
    void getSubmoduleErrorsInPyTorchsWords() {
        Sequential net = new Sequential(ordered("fc1", new Linear(2, 3), "fc2", new Linear(3, 1)));
        // net.get_submodule('fc3') -> AttributeError: Sequential has no attribute `fc3`
        assertEquals("Sequential has no attribute `fc3`",
                assertThrows(IllegalArgumentException.class, () -> net.getSubmodule("fc3")).getMessage());
        // net.get_submodule('fc1.weight') -> AttributeError: `weight` is not an nn.Module
        assertEquals("`weight` is not an nn.Module",
                assertThrows(IllegalArgumentException.class, () -> net.getSubmodule("fc1.weight")).getMessage());
        assertSame(net, net.getSubmodule(""));
    }

    // ---- apply, modes, freezing ------------------------------------------------------------------

    @Test
    void applyVisitsChildrenFirstThenTheModule() {
        // nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Linear(1, 1))).apply(lambda m: seen.append(type(m).__name__))
        // seen == ['Linear', 'ReLU', 'Linear', 'Sequential', 'Sequential']
        Sequential m = new Sequential(new Linear(1, 1), new Sequential(new ReLU(), new Linear(1, 1)));
        List<String> seen = new ArrayList<>();
        assertSame(m, m.apply(x -> seen.add(x.typeName())));
        assertEquals(List.of("Linear", "ReLU", "Linear", "Sequential", "Sequential"), seen);
        // the init idiom
        m.apply(x -> { if (x instanceof Linear l) Init.zeros_(l.parameter("bias")); });
        for (var e : m.namedParameters().entrySet()) {
            if (e.getKey().endsWith("bias")) assertEquals(0.0, e.getValue().item());
        }
    }

    @Test
    void trainAndEvalReachEveryModule() {
        Sequential m = new Sequential(new Linear(8, 8), new Sequential(new Dropout(0.5), new ReLU()));
        assertTrue(m.modules().stream().allMatch(Module::isTraining));
        m.eval();
        assertTrue(m.modules().stream().noneMatch(Module::isTraining));
        Tensor x = Torch.randn(4, 8);
        assertArrayEquals(m.forward(x).toFloatArray(), m.forward(x).toFloatArray()); // dropout off
        m.train();
        assertTrue(m.getSubmodule("1.0").isTraining());
        m.getSubmodule("1").eval();
        assertTrue(m.isTraining());
        assertFalse(m.getSubmodule("1.0").isTraining());
    }

    @Test
    void requiresGradFalseFreezes() {
        Net net = new Net();
        net.getSubmodule("fc1").requiresGrad_(false);
        assertTrue(net.getSubmodule("fc1").parameters().stream().noneMatch(Tensor::requiresGrad));
        net.forward(Torch.randn(5, 4)).sum().backward();
        assertNull(net.getSubmodule("fc1").parameter("weight").grad());
        assertNotNull(net.getSubmodule("fc2").parameter("weight").grad());
        assertNotNull(net.parameter("scale").grad());
        net.requiresGrad_(false);
        assertTrue(net.parameters().stream().noneMatch(Tensor::requiresGrad));
        net.zeroGrad();
        assertNull(net.getSubmodule("fc2").parameter("weight").grad());
    }

    // ---- loading -------------------------------------------------------------------------------

    @Test
    void strictLoadReportsEverythingInPyTorchsWordsAndCopiesNothing() {
        Sequential net = new Sequential(ordered("fc1", new Linear(2, 3), "fc2", new Linear(3, 1)));
        float[] before = net.getSubmodule("fc2").parameter("weight").toFloatArray();
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        sd.replaceAll((k, v) -> v.clone().fill_(7));
        sd.put("extra", Torch.zeros(1));
        sd.remove("fc2.bias");
        sd.put("fc1.weight", Torch.zeros(5, 2));
        StateDictException e = assertThrows(StateDictException.class, () -> net.loadStateDict(sd));
        // str(e) from PyTorch 1.13's net.load_state_dict(sd)
        assertEquals("Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: \"fc2.bias\". "
                + "\n\tUnexpected key(s) in state_dict: \"extra\". \n\tsize mismatch for fc1.weight: copying a param with "
                + "shape torch.Size([5, 2]) from checkpoint, the shape in current model is torch.Size([3, 2]).", e.getMessage());
        assertEquals(List.of("fc2.bias"), e.report().missingKeys());
        assertEquals(List.of("extra"), e.report().unexpectedKeys());
        assertEquals("fc1.weight", e.report().shapeMismatches().get(0).key());
        // unlike PyTorch (which has copied the matching tensors by then), nothing was loaded
        assertArrayEquals(before, net.getSubmodule("fc2").parameter("weight").toFloatArray());
    }

    @Test
    void nonStrictLoadReturnsTheReportAndLoadsTheRest() {
        Sequential net = new Sequential(ordered("fc1", new Linear(2, 3), "fc2", new Linear(3, 1)));
        Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
        sd.replaceAll((k, v) -> v.clone().fill_(7));
        sd.put("extra", Torch.zeros(1));
        sd.remove("fc2.bias");
        // PyTorch: _IncompatibleKeys(missing_keys=['fc2.bias'], unexpected_keys=['extra'])
        LoadReport r = net.loadStateDict(sd, false);
        assertEquals(List.of("fc2.bias"), r.missingKeys());
        assertEquals(List.of("extra"), r.unexpectedKeys());
        assertTrue(r.shapeMismatches().isEmpty());
        assertEquals(7.0, net.getSubmodule("fc2").parameter("weight").toDoubleArray()[0]);
        assertEquals(7.0, net.getSubmodule("fc1").parameter("bias").toDoubleArray()[2]);
        // a non-strict shape mismatch is skipped and reported (PyTorch raises even when strict=False)
        sd.put("fc1.weight", Torch.zeros(5, 2));
        LoadReport r2 = net.loadStateDict(sd, false);
        assertEquals(1, r2.shapeMismatches().size());
        assertEquals(7.0, net.getSubmodule("fc1").parameter("weight").toDoubleArray()[0]);
    }

    @Test
    void stateDictRoundTrip() {
        Net a = new Net(), b = new Net();
        assertTrue(b.loadStateDict(a.stateDict()).isClean());
        for (var e : a.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), b.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
        Tensor x = Torch.randn(2, 4);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }

    // ---- containers ------------------------------------------------------------------------------

    @Test
    void sequentialIndexingSlicingAppendingIterating() {
        // s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
        Linear first = new Linear(1, 2), last = new Linear(2, 3);
        ReLU relu = new ReLU();
        Sequential s = new Sequential(first, relu, last);
        assertSame(first, s.get(0));
        assertSame(last, s.get(-1));
        assertSame(first, s.get(-3));
        assertEquals("index 5 is out of range", assertThrows(IndexOutOfBoundsException.class, () -> s.get(5)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(-4));
        // print(s[1:]) keeps the names
        Sequential tail = s.slice(1, Integer.MAX_VALUE);
        assertEquals("Sequential(\n  (1): ReLU()\n  (2): Linear(in_features=2, out_features=3, bias=True)\n)", tail.toString());
        assertSame(relu, tail.get(0));
    }

    @Test
    void sequentialSliceSharesModulesAndKeepsKeys() {
        Sequential s = new Sequential(new Linear(1, 2), new ReLU(), new Linear(2, 3));
        Sequential tail = s.slice(-2, 3);
        assertEquals(List.of("2.weight", "2.bias"), keys(tail.stateDict()));
        assertSame(s.get(2).parameter("weight"), tail.get(1).parameter("weight"));
        assertEquals(0, s.slice(2, 1).size());
        List<Module> it = new ArrayList<>();
        for (Module m : s) it.add(m);
        assertEquals(List.of(s.get(0), s.get(1), s.get(2)), it);
        s.append(new Softmax(1));
        assertEquals(4, s.size());
        assertTrue(s.toString().endsWith("  (3): Softmax(dim=1)\n)"));
        assertArrayEquals(new int[]{5, 3}, s.forward(Torch.randn(5, 1)).shape());
    }

    @Test
    void moduleListAppendExtendInsertGetAndNoForward() {
        // net = nn.ModuleList([nn.Linear(784, 256), nn.ReLU()]); net.append(nn.Linear(256, 10)); print(net[-1])
        ModuleList net = new ModuleList(new Linear(784, 256), new ReLU());
        net.append(new Linear(256, 10));
        assertEquals("Linear(in_features=256, out_features=10, bias=True)", net.get(-1).toString());
        net.extend(List.of(new ReLU(), new Identity()));
        assertEquals(5, net.size());
        // ml = nn.ModuleList([nn.ReLU(), nn.Tanh()]); ml.insert(1, nn.Sigmoid()) -> (0) ReLU (1) Sigmoid (2) Tanh
        ModuleList ml = new ModuleList(new ReLU(), new Identity());
        ml.insert(1, new Softmax(0));
        assertEquals("ModuleList(\n  (0): ReLU()\n  (1): Softmax(dim=0)\n  (2): Identity()\n)", ml.toString());
        ml.insert(-1, new Flatten());
        List<String> types = new ArrayList<>();
        for (Module m : ml) types.add(m.typeName());
        assertEquals(List.of("ReLU", "Softmax", "Flatten", "Identity"), types);
        // net(x) -> NotImplementedError: Module [ModuleList] is missing the required "forward" function
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> net.forward(Torch.ones(1)));
        assertEquals("Module [ModuleList] is missing the required \"forward\" function", e.getMessage());
    }

    @Test
    void moduleDictPutGetContainsRemoveKeysOrder() {
        // net = nn.ModuleDict({'linear': nn.Linear(784, 256), 'act': nn.ReLU()}); net['output'] = nn.Linear(256, 10)
        ModuleDict net = new ModuleDict(ordered("linear", new Linear(784, 256), "act", new ReLU()));
        net.put("output", new Linear(256, 10));
        assertEquals(List.of("linear", "act", "output"), net.keys());
        assertEquals("Linear(in_features=784, out_features=256, bias=True)", net.get("linear").toString());
        assertTrue(net.contains("act"));
        assertFalse(net.contains("missing"));
        assertEquals("KeyError: 'missing'", assertThrows(IllegalArgumentException.class, () -> net.get("missing")).getMessage());
        // replacing a key keeps its position
        net.put("linear", new Linear(784, 128));
        assertEquals(List.of("linear", "act", "output"), net.keys());
        assertEquals(List.of("linear.weight", "linear.bias", "output.weight", "output.bias"), keys(net.stateDict()));
        Module act = net.remove("act");
        assertTrue(act instanceof ReLU);
        assertEquals(List.of("linear", "output"), net.keys());
        List<String> iterated = new ArrayList<>();
        for (var e : net) iterated.add(e.getKey());
        assertEquals(List.of("linear", "output"), iterated);
        assertThrows(UnsupportedOperationException.class, () -> net.forward(Torch.ones(1)));
    }

    @Test
    void registrationRejectsBadNamesAndClashes() {
        Linear fc = new Linear(2, 2);
        assertEquals("module name can't contain \".\", got: a.b",
                assertThrows(IllegalArgumentException.class, () -> fc.addModule("a.b", new ReLU())).getMessage());
        assertEquals("attribute 'weight' already exists",
                assertThrows(IllegalArgumentException.class, () -> fc.addModule("weight", new ReLU())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> fc.addModule("", new ReLU()));
    }
}
