package dev.jtorch.tests.walkthroughs;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.models.Models;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.assertPrints;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.expected;
import static dev.jtorch.tests.walkthroughs.WalkthroughFixtures.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Walkthrough 9: VGG16's convolutional features without their last max-pool, as a feature
 * extractor ({@code nn.Sequential(*list(vgg16.features.children())[:-1])}, to relu5_3).
 */
class Walkthrough09FeatureExtractionTest {

    @Test
    void truncatedVgg16Features() {
        Torch.manualSeed(0);
        var vgg16 = Models.vgg16();
        assertPrints("wt9_vgg16", vgg16);

        List<Module> layers = vgg16.getSubmodule("features").children();
        var modifiedFeatures = new Sequential(layers.subList(0, layers.size() - 1));
        assertPrints("wt9_modified_features", modifiedFeatures);
        assertSame(layers.get(0), modifiedFeatures.get(0));        // the layers are shared, not copied

        // features[:-1] keeps the names too; here they are the same "0" .. "29"
        var sliced = ((Sequential) vgg16.getSubmodule("features")).slice(0, -1);
        assertEquals(modifiedFeatures.toString(), sliced.toString());

        modifiedFeatures.eval();
        try (var g = Torch.noGrad()) {
            Tensor features = modifiedFeatures.forward(Torch.randn(1, 3, 64, 64));
            assertEquals(expected("wt9_out_shape"), size(features));
        }
    }
}
