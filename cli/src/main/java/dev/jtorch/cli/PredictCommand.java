package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Image;
import dev.jtorch.data.transforms.Transform;
import dev.jtorch.io.Json;
import dev.jtorch.models.KernelWarmup;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.models.TopK;
import dev.jtorch.models.weights.PretrainedWeights;
import dev.jtorch.models.weights.WeightsCatalog;
import dev.jtorch.nn.Module;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jtorch predict --model resnet50 --weights IMAGENET1K_V2|FILE.pth IMAGE...}: the top-k
 * ImageNet labels of each image, with probabilities (softmax of the logits), as torchvision's
 * documentation example computes them: the weights' evaluation transform, eval mode, one batch.
 * With a weights file, the transform and labels are those of torchvision's DEFAULT weights of
 * the model.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify images with a pretrained model: the top-k labels and their probabilities.")
final class PredictCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A zoo model with torchvision weights (resnet50, ...).")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "NAME|FILE.pth",
            description = "torchvision's weights by name (IMAGENET1K_V2, DEFAULT, ...: from PyTorch's hub cache,"
                    + " downloaded if missing) or a state dict file.")
    Path weights;

    @Option(names = "--topk", defaultValue = "5", description = "Labels per image (default: ${DEFAULT-VALUE}).")
    int topk;

    @Option(names = "--batch", defaultValue = "32", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "One JSON object per image, one per line.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG, GIF or BMP files.")
    List<Path> images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        PretrainedWeights named = PretrainedOption.named(model, weights);
        PretrainedWeights meta = named != null ? named : WeightsCatalog.get(model, "DEFAULT");
        if (meta.categories().isEmpty()) throw new IllegalArgumentException(meta + " has no category names to predict");
        if (topk < 1 || topk > meta.categories().size()) {
            throw new IllegalArgumentException("--topk must be in 1.." + meta.categories().size() + ", got " + topk);
        }
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        Path file = PretrainedOption.resolve(model, weights, err);
        Module net = Models.create(model, ModelOptions.numClasses(meta.categories().size()), file);
        net.eval();
        Transform<Image, Tensor> transform = meta.transforms();
        for (Path p : images) CliFiles.requireReadable(p); // every name checked before the first forward pass
        KernelWarmup.stop(); // started by Main.main; the forward passes get both cores
        for (int from = 0; from < images.size(); from += batch) {
            List<Path> chunk = images.subList(from, Math.min(from + batch, images.size()));
            List<Tensor> inputs = new ArrayList<>();
            for (Path p : chunk) inputs.add(transform.apply(Image.read(p)));
            Tensor probabilities;
            try (var g = Torch.noGrad()) {
                probabilities = net.forward(Torch.stack(inputs)).softmax(1);
            }
            print(out, chunk, probabilities.toDoubleArray(), meta.categories());
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, List<Path> chunk, double[] p, List<String> categories) {
        int classes = categories.size();
        for (int i = 0; i < chunk.size(); i++) {
            int[] best = TopK.indices(p, i * classes, classes, topk);
            if (json) {
                StringBuilder sb = new StringBuilder("{\"image\": ").append(Json.quote(chunk.get(i).toString())).append(", \"top\": [");
                for (int k = 0; k < best.length; k++) {
                    sb.append(k == 0 ? "" : ", ").append("{\"index\": ").append(best[k]).append(", \"label\": ")
                            .append(Json.quote(categories.get(best[k]))).append(", \"probability\": ")
                            .append(String.format(Locale.ROOT, "%.6f", p[i * classes + best[k]])).append('}');
                }
                out.println(sb.append("]}"));
            } else {
                out.println(chunk.get(i));
                for (int k : best) {
                    out.println(String.format(Locale.ROOT, "  %6.2f%%  %s", 100 * p[i * classes + k], categories.get(k)));
                }
            }
        }
    }
}
