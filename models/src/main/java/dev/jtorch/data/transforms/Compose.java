package dev.jtorch.data.transforms;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code transforms.Compose}: transforms applied in order, built step by step so that each step's
 * input type is checked against the previous step's output.
 *
 * {@snippet :
 * Transform<Image, Tensor> preprocess = Compose.of(new Resize(256))
 *         .then(new CenterCrop(224))
 *         .then(new ToTensor())
 *         .then(new Normalize(new double[]{0.485, 0.456, 0.406}, new double[]{0.229, 0.224, 0.225}));
 * }
 *
 * Printing it gives torchvision's text: {@code Compose(} then one indented transform a line, then {@code )}.
 */
public final class Compose<I, O> implements Transform<I, O> {
    private final List<Transform<?, ?>> transforms;

    private Compose(List<Transform<?, ?>> transforms) { this.transforms = List.copyOf(transforms); }

    /** A composition that starts with {@code first}. */
    public static <I, O> Compose<I, O> of(Transform<I, O> first) {
        return new Compose<>(List.of(first));
    }

    /** A composition of no transforms yet (the identity), to add steps to conditionally with {@link #then}. */
    public static <I> Compose<I, I> empty() {
        return new Compose<>(List.of());
    }

    /** A new composition with {@code next} appended (this one is unchanged). */
    @Override
    public <R> Compose<I, R> then(Transform<? super O, ? extends R> next) {
        List<Transform<?, ?>> all = new ArrayList<>(transforms);
        all.add(next);
        return new Compose<>(all);
    }

    /** The steps, in order. */
    public List<Transform<?, ?>> transforms() { return transforms; }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"}) // each step's input type was checked by then()
    public O apply(I input) {
        Object x = input;
        for (Transform t : transforms) x = t.apply(x);
        return (O) x;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Compose(");
        for (Transform<?, ?> t : transforms) sb.append("\n    ").append(t);
        return sb.append("\n)").toString();
    }
}
