package dev.jtorch.data.transforms;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Backends;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;
import dev.jtorch.data.Image;

/** {@code transforms.ToTensor()}: an 8-bit {@code H x W x C} image to a float32 {@code C x H x W} tensor in [0, 1]. */
public final class ToTensor implements Transform<Image, Tensor> {

    @Override
    public Tensor apply(Image img) {
        int w = img.width(), h = img.height(), ch = img.channels(), plane = w * h;
        byte[] px = img.pixels();
        float[] out = new float[plane * ch];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < ch; c++) out[c * plane + i] = (px[i * ch + c] & 0xFF) / 255f;
        }
        return TensorInternals.of(Backends.of(Device.CPU).fromArray(DType.FLOAT32, out), Layout.contiguous(new int[]{ch, h, w}));
    }

    @Override
    public String toString() { return "ToTensor()"; }
}
