package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.BCEWithLogitsLoss;
import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Upsample;
import dev.jtorch.optim.Adam;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertBitwiseEqual;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertDecreasing;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expectedLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.lastLines;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Walkthrough 8: a segmentation head. ResNet-18 is cut before its pooling and classifier
 * ({@code list(model.children())[:-2]}), a conv, ReLU, bilinear upsampling and a one-channel
 * conv are added with {@code addModule}, the stem is frozen by name, and the model trains on
 * masks.
 */
class Walkthrough08SegmentationHeadTest {

    @Test
    void truncateAddHeadAndTrainOnMasks() {
        Torch.manualSeed(0);
        Module resnet = Models.resnet18();
        List<Module> modules = resnet.children();
        modules = modules.subList(0, modules.size() - 2);           // list(model.children())[:-2]
        var model = new Sequential(modules);                         // nn.Sequential(*modules)
        int numChannel = 1;                                          // a binary mask: one channel of logits
        model.addModule("conv", Conv2d.builder(512, 256, 3).padding(1).build());
        model.addModule("relu", new ReLU(true));
        model.addModule("upsample", Upsample.scale(2, "bilinear", true));
        model.addModule("conv_out", Conv2d.builder(256, numChannel, 3).padding(1).build());

        assertEquals(expectedLines("wt8_children"),
                model.namedChildren().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().typeName()).toList());
        assertEquals(expected("wt8_head"), lastLines(model, 6));

        List<String> frozen = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            if (name.startsWith("0") || name.startsWith("1") || name.startsWith("2") || name.startsWith("3")) {
                e.getValue().requiresGrad_(false);
                frozen.add(name);
            }
        }
        assertEquals(expectedLines("wt8_frozen"), frozen);

        var criterion = new BCEWithLogitsLoss();     // one channel of logits against a 0/1 mask
        var optimizer = new Adam(model.parameters(), 0.001);
        Tensor images = Torch.randn(2, 3, 64, 64);
        Tensor masks = Torch.rand(2, 1, 4, 4).gt(0.5).float_();
        Map<String, Tensor> before = snapshot(model.stateDict());
        List<Double> losses = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            optimizer.zeroGrad();
            Tensor outputs = model.forward(images);
            Tensor loss = criterion.forward(outputs, masks);
            loss.backward();
            optimizer.step();
            losses.add(loss.item());
        }
        assertDecreasing(losses);
        for (String name : frozen) assertBitwiseEqual(before.get(name), model.stateDict().get(name), name);

        try (var g = Torch.noGrad()) {
            assertEquals(expected("wt8_out_shape"), size(model.eval().forward(images)));
        }
    }
}
