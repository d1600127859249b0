package dev.jtorch.cli;

import dev.jtorch.DType;
import dev.jtorch.Generator;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Batch;
import dev.jtorch.data.BatchIterator;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Sample;
import dev.jtorch.data.Subset;
import dev.jtorch.io.PthWriter;
import dev.jtorch.models.ModelOptions;
import dev.jtorch.models.Models;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.RMSprop;
import dev.jtorch.optim.SGD;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code jtorch finetune}: PyTorch's transfer-learning recipe. Build a torchvision model
 * (optionally with pretrained weights), replace its classification head ({@code fc}) with a new
 * {@code Linear(in_features, N)}, optionally freeze everything else, and train it with
 * cross-entropy on an ImageFolder or MNIST-style idx directory, validating after every epoch;
 * then save the state dict (torchvision's keys, the new head) and a chart of the curves.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a torchvision model on an image dataset (the transfer-learning recipe): replace its",
                "classification head with a new Linear(in, N), train, validate each epoch, save the state dict",
                "and a PNG of the loss and accuracy curves beside it.",
                "Inputs are normalised with ImageNet's mean and std; grey images are repeated to 3 channels."})
final class FinetuneCommand implements Callable<Integer> {
    enum OptimizerKind { adam, sgd, rmsprop }

    @Option(names = "--model", defaultValue = "resnet18", description = "A torchvision model with a Linear head: resnet*, resnext*, wide_resnet*, vgg*, alexnet, densenet* (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--weights", paramLabel = "W.pth", description = "Pretrained weights (a state dict for the 1000-class model), loaded strictly. Without: PyTorch's random initialisation.")
    Path weights;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "An ImageFolder (with train/ and val/ or test/, or one folder to split), or a directory of idx files (train-*, t10k-*, gzipped or not).")
    Path data;

    @Option(names = "--num-classes", required = true, paramLabel = "N", description = "Outputs of the new head.")
    int numClasses;

    @Option(names = "--freeze-backbone", description = "Train only the new head: every other parameter gets requires_grad=False and stays out of the optimizer.")
    boolean freezeBackbone;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", description = "Learning rate (default: 0.001; sgd uses momentum 0.9).")
    Double lr;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "adam, sgd or rmsprop (default: ${DEFAULT-VALUE}).")
    OptimizerKind optimizer;

    @Option(names = "--image-size", paramLabel = "S", description = "Resize the shorter side to S and centre-crop S x S (default: keep each image's size).")
    Integer imageSize;

    @Option(names = "--hflip", description = "Augment training images with RandomHorizontalFlip.")
    boolean hflip;

    @Option(names = "--out", defaultValue = "finetuned.pth", paramLabel = "OUT.pth", description = "Where to save the state dict (default: ${DEFAULT-VALUE}); the chart goes beside it as OUT.png.")
    Path out;

    @Option(names = "--limit", paramLabel = "N", description = "Train on the first N training images only (for quick runs).")
    Integer limit;

    @Option(names = "--val-limit", paramLabel = "N", description = "Validate on the first N validation images only.")
    Integer valLimit;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Part held out for validation when DIR has no separate validation set (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--workers", defaultValue = "1", description = "Background threads loading batches (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initialisation, the shuffle and the split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        if (numClasses < 1) throw new IllegalArgumentException("--num-classes must be positive, got " + numClasses);
        if (epochs < 1 || batch < 1) throw new IllegalArgumentException("--epochs and --batch must be positive");
        if (imageSize != null && imageSize < 1) throw new IllegalArgumentException("--image-size must be positive, got " + imageSize);
        if (weights != null) CliFiles.requireReadable(weights);
        Torch.manualSeed(seed);

        FinetuneData sets = FinetuneData.open(data, new FinetuneData.Preprocess(imageSize, hflip), valFraction, seed);
        if (sets.classes().size() > numClasses) {
            throw new IllegalArgumentException(data + " has " + sets.classes().size() + " classes, more than --num-classes " + numClasses);
        }
        Dataset<Sample> train = limit == null ? sets.train() : Subset.first(sets.train(), limit);
        Dataset<Sample> val = valLimit == null ? sets.val() : Subset.first(sets.val(), valLimit);
        int[] shape = train.get(0).input().shape();
        log.printf(Locale.ROOT, "data: %s, %s: %d training and %d validation images of %s, %d classes%n", data, sets.kind(),
                train.size(), val.size(), shapeText(shape), sets.classes().size());

        // With weights the strict load overwrites the random init, which is then skipped (the
        // generator still moves on as far, so the new head's init below draws the same numbers).
        Module net = weights == null ? Models.create(model, ModelOptions.defaults())
                : Models.create(model, ModelOptions.defaults(), weights);
        String head = headPath(net);
        Linear old = (Linear) net.getSubmodule(head);
        if (freezeBackbone) net.requiresGrad_(false);
        Linear fresh = net.setSubmodule(head, new Linear(old.inFeatures, numClasses));
        List<Tensor> params = freezeBackbone ? fresh.parameters()
                : net.parameters().stream().filter(Tensor::requiresGrad).toList();
        Optimizer opt = optimizer(params);
        long trainable = params.stream().mapToLong(Tensor::numel).sum();
        log.printf(Locale.ROOT, "model: %s (%s), %s replaced by %s; training %,d parameters%s with %s lr=%s%n", model,
                weights == null ? "random init" : "weights " + weights, head, fresh.extraRepr().isEmpty() ? "Linear" : "Linear(" + fresh.extraRepr() + ")",
                trainable, freezeBackbone ? " (backbone frozen)" : "", optimizer, learningRate());

        var trainLoader = DataLoader.builder(train, Batch::collate).batchSize(batch).shuffle(true)
                .generator(new Generator(seed)).numWorkers(workers).build();
        var valLoader = DataLoader.builder(val, Batch::collate).batchSize(batch).numWorkers(workers).build();
        CrossEntropyLoss criterion = new CrossEntropyLoss();
        TrainingChart.History history = new TrainingChart.History();
        boolean terminal = ProgressLine.onTerminal();
        double lastAccuracy = 0;
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            net.train();
            ProgressLine bar = new ProgressLine(log, String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), train.size(), terminal);
            long epochStart = System.nanoTime();
            int seen = 0, correct = 0, step = 0;
            double lossSum = 0;
            try (BatchIterator<Batch> it = trainLoader.iterator()) {
                while (it.hasNext()) {
                    Batch b = it.next();
                    Tensor logits = net.forward(b.inputs());
                    Tensor loss = criterion.forward(logits, b.targets());
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    int n = b.size();
                    double l = loss.item();
                    int c = correct(logits, b.targets());
                    seen += n;
                    correct += c;
                    lossSum += l * n;
                    history.step(epoch - 1 + (double) ++step / it.batches(), l, (double) c / n);
                    double rate = seen / ((System.nanoTime() - epochStart) / 1e9);
                    bar.update(seen, String.format(Locale.ROOT, "loss %.4f  acc %5.1f%%  %.0f img/s", lossSum / seen, 100.0 * correct / seen, rate));
                }
            }
            double[] v = evaluate(net, valLoader, criterion);
            lastAccuracy = v[1];
            history.epoch(epoch, v[0], v[1]);
            log.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%%, validation loss %.4f acc %.2f%% (%d/%d), %.1f s%n",
                    epoch, epochs, lossSum / seen, 100.0 * correct / seen, v[0], 100 * v[1], Math.round(v[1] * val.size()), val.size(),
                    (System.nanoTime() - epochStart) / 1e9);
        }
        PthWriter.save(net.stateDict(), out);
        Path png = out.resolveSibling(chartName(out.getFileName().toString()));
        TrainingChart.write(history, String.format(Locale.ROOT, "jtorch finetune %s on %s (%s, lr %s, batch %d)", model,
                data.getFileName(), optimizer, learningRate(), batch), png);
        log.printf(Locale.ROOT, "validation accuracy %.2f%% after %d epoch(s), %.1f s in all%nsaved %s (state dict, %s: Linear(%d, %d)) and %s%n",
                100 * lastAccuracy, epochs, (System.nanoTime() - start) / 1e9, out, head, old.inFeatures, numClasses, png);
        return 0;
    }

    /** Where the model's classification head is: the first Linear among the places torchvision puts it. */
    static String headPath(Module net) {
        for (String path : List.of("fc", "classifier.6", "classifier")) {
            try {
                if (net.getSubmodule(path) instanceof Linear) return path;
            } catch (IllegalArgumentException notThere) {
                // try the next place
            }
        }
        throw new IllegalArgumentException(net.typeName() + " has no Linear head at fc, classifier.6 or classifier to replace");
    }

    private double learningRate() { return lr != null ? lr : 0.001; }

    private Optimizer optimizer(List<Tensor> params) {
        double rate = learningRate();
        return switch (optimizer) {
            case adam -> Adam.builder(params).lr(rate).build();
            case sgd -> SGD.builder(params).lr(rate).momentum(0.9).build();
            case rmsprop -> RMSprop.builder(params).lr(rate).build();
        };
    }

    /** {loss, accuracy} over a loader, in eval mode without autograd. */
    static double[] evaluate(Module net, DataLoader<Sample, Batch> loader, CrossEntropyLoss criterion) {
        net.eval();
        double lossSum = 0;
        long correct = 0, seen = 0;
        try (var g = Torch.noGrad(); BatchIterator<Batch> it = loader.iterator()) {
            while (it.hasNext()) {
                Batch b = it.next();
                Tensor logits = net.forward(b.inputs());
                lossSum += criterion.forward(logits, b.targets()).item() * b.size();
                correct += correct(logits, b.targets());
                seen += b.size();
            }
        }
        return seen == 0 ? new double[]{Double.NaN, 0} : new double[]{lossSum / seen, (double) correct / seen};
    }

    static int correct(Tensor logits, Tensor targets) {
        return (int) logits.argmax(1, false).eq(targets).to(DType.INT64).sum().itemLong();
    }

    static String chartName(String pth) {
        int dot = pth.lastIndexOf('.');
        return (dot > 0 ? pth.substring(0, dot) : pth) + ".png";
    }

    private static String shapeText(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : "x").append(shape[i]);
        return sb.toString();
    }
}
