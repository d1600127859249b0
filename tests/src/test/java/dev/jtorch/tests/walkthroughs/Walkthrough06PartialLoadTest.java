package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoints;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.Models;
import dev.jtorch.models.ResNet;
import dev.jtorch.nn.ConvTranspose2d;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.LoadReport;
import dev.jtorch.nn.MaxPool2d;
import dev.jtorch.nn.PartialLoadReport;
import dev.jtorch.nn.StateDictException;
import dev.jtorch.nn.StateDicts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertBitwiseEqual;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expectedLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.lastLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walkthrough 6: pretrained weights into a network whose keys only partly match. The new
 * network is ResNet-50 with {@code fc} renamed to {@code fclass} and two layers added; the
 * pretrained dict is filtered to its keys, merged into its own dict and loaded strictly, and
 * then the same in one call with a report of what was skipped.
 */
class Walkthrough06PartialLoadTest {

    /** The tutorial's CNN: ResNet-50's layers under their names, then convtranspose1, maxpool2 and fclass. */
    static class CNN extends ResNet {
        CNN(int numClasses) {
            super(ResNet.BOTTLENECK, new int[]{3, 4, 6, 3}, 1000);
            deleteSubmodule("fc");
            addModule("convtranspose1", new ConvTranspose2d(2048, 2048, 3, 1, 1, 0, 1, false, 1));
            addModule("maxpool2", new MaxPool2d(3, 1, 1));
            addModule("fclass", new Linear(2048, numClasses));
        }

        @Override
        public Tensor forward(Tensor x) {
            x = call("maxpool", call("relu", call("bn1", call("conv1", x))));
            x = call("layer4", call("layer3", call("layer2", call("layer1", x))));
            x = call("avgpool", x);                      // [N, 2048, 1, 1]: still a map for the two new layers
            x = call("convtranspose1", x);
            x = call("maxpool2", x);
            x = x.view(x.size(0), -1);
            return call("fclass", x);
        }
    }

    @TempDir
    static Path dir;
    static Path weights;

    /** Stands in for a downloaded {@code resnet50-0676ba61.pth}: a resnet50 state dict in a file. */
    @BeforeAll
    static void pretrainedFile() throws IOException {
        Torch.manualSeed(1);
        weights = dir.resolve("resnet50.pth");
        PthWriter.save(Models.resnet50().stateDict(), weights);
    }

    @Test
    void filterUpdateLoad() throws IOException {
        var cnn = new CNN(9);
        assertEquals(expected("wt6_cnn_tail"), lastLines(cnn, 6));
        Tensor fclassBefore = cnn.getSubmodule("fclass").parameter("weight").clone();

        Map<String, Tensor> pretrainedDict = Checkpoints.loadStateDict(weights);
        Map<String, Tensor> modelDict = cnn.stateDict();
        assertEquals(expectedLines("wt6_dropped"), keysNotIn(pretrainedDict, modelDict));
        assertEquals(expectedLines("wt6_new"), keysNotIn(modelDict, pretrainedDict));

        pretrainedDict = StateDicts.filterTo(cnn, pretrainedDict);  // {k: v for k, v in pretrained_dict.items() if k in model_dict}
        modelDict.putAll(pretrainedDict);                           // model_dict.update(pretrained_dict)
        LoadReport report = cnn.loadStateDict(modelDict);           // cnn.load_state_dict(model_dict), strict
        assertTrue(report.isClean(), report.toString());

        assertBitwiseEqual(pretrainedDict.get("conv1.weight"), cnn.getSubmodule("conv1").parameter("weight"), "conv1.weight");
        assertBitwiseEqual(pretrainedDict.get("layer4.2.bn3.running_var"), cnn.getSubmodule("layer4.2.bn3").buffer("running_var"),
                "layer4.2.bn3.running_var");
        assertBitwiseEqual(fclassBefore, cnn.getSubmodule("fclass").parameter("weight"), "fclass.weight");
        try (var g = Torch.noGrad()) {
            assertEquals(expected("wt6_out_shape"), size(cnn.eval().forward(Torch.randn(2, 3, 64, 64))));
        }
    }

    static List<String> keysNotIn(Map<String, Tensor> a, Map<String, Tensor> b) {
        return a.keySet().stream().filter(k -> !b.containsKey(k)).toList();
    }

    @Test
    void oneCallWithReport() throws IOException {
        var cnn = new CNN(9);
        PartialLoadReport report = StateDicts.loadMatching(cnn, Checkpoints.loadStateDict(weights));
        assertEquals(expectedLines("wt6_dropped"), report.unused());
        assertEquals(expectedLines("wt6_new"), report.keptFromModel());
        assertEquals(cnn.stateDict().size() - 3, report.loaded().size());
        assertTrue(report.shapeMismatches().isEmpty());
        assertFalse(report.isComplete());
        assertTrue(report.toString().contains("not in the model (skipped): [fc.weight, fc.bias]"), report.toString());
    }

    /** The simpler change of the tutorial: {@code model.fc = nn.Linear(fc_features, 9)} keeps the name, so the shapes differ. */
    @Test
    void sameNameOtherShape() throws IOException {
        var model = Models.resnet50();
        int fcFeatures = ((Linear) model.getSubmodule("fc")).inFeatures;
        model.setSubmodule("fc", new Linear(fcFeatures, 9));
        Map<String, Tensor> pretrained = Checkpoints.loadStateDict(weights);

        var strict = assertThrows(StateDictException.class, () -> model.loadStateDict(pretrained));
        assertTrue(strict.getMessage().contains("size mismatch for fc.weight: copying a param with shape torch.Size([1000, 2048])"),
                strict.getMessage());

        PartialLoadReport report = StateDicts.loadMatching(model, pretrained);
        assertEquals(List.of("fc.weight", "fc.bias"), report.shapeMismatches().stream().map(LoadReport.Mismatch::key).toList());
        assertEquals(List.of("fc.weight", "fc.bias"), report.keptFromModel());
        assertTrue(report.unused().isEmpty());
    }
}
