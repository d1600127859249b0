package dev.jtorch.tests;

import dev.jtorch.Tensor;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.CenterCrop;
import dev.jtorch.data.transforms.Compose;
import dev.jtorch.data.transforms.Grayscale;
import dev.jtorch.data.transforms.Normalize;
import dev.jtorch.data.transforms.RandomHorizontalFlip;
import dev.jtorch.data.transforms.Resize;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jtorch's transforms against torchvision 0.14 on PIL images (fixtures from
 * {@code tests/fixtures/make_transform_fixtures.py}). The input PNG is decoded by
 * {@code javax.imageio}; resizing reproduces Pillow's fixed-point bilinear filter, so every
 * 8-bit result must equal PIL's exactly (tolerance: float32 rounding of x / 255), and
 * Normalize's output agrees to float32 rounding.
 */
class TransformParityTest {
    static final String FIXTURE = "/fixtures/transforms.jtfx";
    static final Normalize NORM = Normalize.imagenet();

    /** Case name -> the jtorch transform, ending in a tensor. */
    static Map<String, Transform<Image, Tensor>> cases() {
        Map<String, Transform<Image, Tensor>> m = new LinkedHashMap<>();
        m.put("to_tensor_rgb", new ToTensor());
        m.put("to_tensor_grey", new ToTensor());
        m.put("convert_rgb_grey", Compose.of((Transform<Image, Image>) im -> im.convert(Image.Mode.RGB)).then(new ToTensor()));
        m.put("resize_short_16", new Resize(16).then(new ToTensor()));
        m.put("resize_short_9", new Resize(9).then(new ToTensor()));
        m.put("resize_short_up_40", new Resize(40).then(new ToTensor()));
        m.put("resize_hw_10x50", new Resize(10, 50).then(new ToTensor()));
        m.put("resize_hw_grey_7x7", new Resize(7, 7).then(new ToTensor()));
        m.put("resize_max_size", Resize.shorterSide(20, 25).then(new ToTensor()));
        m.put("center_crop_15", new CenterCrop(15).then(new ToTensor()));
        m.put("center_crop_12x30", new CenterCrop(12, 30).then(new ToTensor()));
        m.put("center_crop_pad_30x41", new CenterCrop(30, 41).then(new ToTensor()));
        m.put("hflip", Compose.of((Transform<Image, Image>) RandomHorizontalFlip::hflip).then(new ToTensor()));
        m.put("grayscale_1", new Grayscale(1).then(new ToTensor()));
        m.put("grayscale_3", new Grayscale(3).then(new ToTensor()));
        m.put("normalize", new ToTensor().then(NORM));
        m.put("resize_crop_normalize", new Resize(20).then(new CenterCrop(16)).then(new ToTensor()).then(NORM));
        m.put("grey_to_3_resize_normalize", new Resize(12).then(new CenterCrop(12)).then(new Grayscale(3)).then(new ToTensor()).then(NORM));
        return m;
    }

    @TestFactory
    List<DynamicTest> matchesTorchvision() {
        Map<String, FixtureFile.Case> fixtures = FixtureFile.readResource(FIXTURE).byName();
        Map<String, Transform<Image, Tensor>> cases = cases();
        assertEquals(fixtures.keySet(), cases.keySet(), "cases here and in make_transform_fixtures.py");
        List<DynamicTest> tests = new ArrayList<>();
        for (var e : cases.entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                Map<String, Tensor> t = fixtures.get(e.getKey()).tensors();
                Image input = decode(t.get("png"));
                Tensor expected = t.get("out"), actual = e.getValue().apply(input);
                assertArrayEquals(expected.shape(), actual.shape(), e.getKey() + ": shape");
                float[] x = expected.toFloatArray(), y = actual.toFloatArray();
                double worst = 0;
                int at = -1;
                for (int i = 0; i < x.length; i++) {
                    double d = Math.abs(x[i] - y[i]);
                    if (!(d <= worst)) { worst = d; at = i; } // NaN-aware: a NaN becomes the worst and fails below
                }
                assertTrue(worst <= 1e-5, e.getKey() + ": max |diff| " + worst + " at element " + at + " of "
                        + Arrays.toString(expected.shape()) + " (torchvision " + (at < 0 ? "" : x[at]) + ", jtorch " + (at < 0 ? "" : y[at]) + ")");
            }));
        }
        return tests;
    }

    static Image decode(Tensor png) {
        long[] v = png.toLongArray();
        byte[] bytes = new byte[v.length];
        for (int i = 0; i < v.length; i++) bytes[i] = (byte) v[i];
        try {
            return Image.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
