package dev.jtorch.data;

import dev.jtorch.Generator;
import dev.jtorch.data.transforms.CenterCrop;
import dev.jtorch.data.transforms.Compose;
import dev.jtorch.data.transforms.Normalize;
import dev.jtorch.data.transforms.RandomHorizontalFlip;
import dev.jtorch.data.transforms.Resize;
import dev.jtorch.data.transforms.ToTensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Sizes, printing and seeding of the transforms; their pixels are checked against torchvision in the tests module. */
class TransformsTest {
    static Image ramp(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) i;
        return new Image(w, h, Image.Mode.RGB, px);
    }

    @Test
    void resizeKeepsTheAspectRatioLikeTorchvision() {
        Image img = ramp(37, 23);
        Image r = new Resize(16).apply(img);
        assertEquals(25, r.width());   // int(16 * 37 / 23) = 25
        assertEquals(16, r.height());
        Image hw = new Resize(10, 50).apply(img);
        assertEquals(50, hw.width());
        assertEquals(10, hw.height());
        assertSame(img, new Resize(23).apply(img), "the size it already has");
    }

    @Test
    void centerCropAndFlip() {
        Image img = ramp(5, 4);
        Image c = new CenterCrop(2).apply(img);
        assertEquals(img.get(2, 1, 0), c.get(0, 0, 0)); // round((5-2)/2)=2 (half to even), round((4-2)/2)=1
        Image padded = new CenterCrop(6, 7).apply(img);
        assertEquals(0, padded.get(0, 0, 0));
        assertEquals(img.get(0, 0, 1), padded.get(1, 1, 1));
        Image f = RandomHorizontalFlip.hflip(img);
        assertEquals(img.get(4, 3, 2), f.get(0, 3, 2));
    }

    @Test
    void randomFlipIsReproducibleFromItsGenerator() {
        Image img = ramp(3, 1);
        int[] a = new int[40], b = new int[40];
        var fa = new RandomHorizontalFlip(0.5, new Generator(9));
        var fb = new RandomHorizontalFlip(0.5, new Generator(9));
        for (int i = 0; i < 40; i++) {
            a[i] = fa.apply(img).get(0, 0, 0);
            b[i] = fb.apply(img).get(0, 0, 0);
        }
        assertArrayEquals(a, b);
        assertNotEquals(0, java.util.Arrays.stream(a).filter(v -> v != img.get(0, 0, 0)).count(), "flips some");
        assertSame(img, new RandomHorizontalFlip(0).apply(img));
    }

    @Test
    void composePrintsLikeTorchvision() {
        var t = Compose.of(new Resize(256)).then(new CenterCrop(224)).then(new ToTensor()).then(Normalize.imagenet());
        assertEquals("""
                Compose(
                    Resize(size=256, interpolation=bilinear, max_size=None, antialias=None)
                    CenterCrop(size=(224, 224))
                    ToTensor()
                    Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
                )""", t.toString());
        assertArrayEquals(new int[]{3, 224, 224}, t.apply(ramp(300, 260)).shape());
    }

    @Test
    void greyConvertsWithPilsLuma() {
        Image rgb = new Image(1, 1, Image.Mode.RGB, new byte[]{(byte) 200, 100, 50});
        assertEquals((200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16, rgb.convert(Image.Mode.L).get(0, 0, 0));
    }
}
