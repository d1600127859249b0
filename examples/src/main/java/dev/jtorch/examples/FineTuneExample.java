package dev.jtorch.examples;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.data.Batch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.Image;
import dev.jtorch.data.ImageFolder;
import dev.jtorch.data.Sample;
import dev.jtorch.data.transforms.Compose;
import dev.jtorch.data.transforms.Normalize;
import dev.jtorch.data.transforms.Resize;
import dev.jtorch.data.transforms.ToTensor;
import dev.jtorch.data.transforms.Transform;
import dev.jtorch.models.Models;
import dev.jtorch.models.ResNet;
import dev.jtorch.models.TorchIO;
import dev.jtorch.models.weights.WeightsCatalog;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Linear;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.Optimizer;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * jtorch inside a plain Java program: load a PyTorch checkpoint, classify images with it, give it
 * a new head for two classes of our own, fine-tune only that head, save the result as a state
 * dict PyTorch loads, and load it back.
 *
 * <p>Usage: {@code FineTuneExample [WORK_DIR [CHECKPOINT.pth]]}. With no checkpoint, it saves a
 * randomly initialised ResNet-18 first, standing in for torchvision's file; with
 * torchvision's {@code resnet18-f37072fd.pth} the ImageNet labels it prints mean something.
 */
public final class FineTuneExample {

    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406}, IMAGENET_STD = {0.229, 0.224, 0.225};

    public static void main(String[] args) throws IOException {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "example-run"));
        Torch.manualSeed(0);

        // 1. The checkpoint: a state dict as torch.save(model.state_dict(), path) writes it.
        Path checkpoint = args.length > 1 ? Path.of(args[1]) : work.resolve("resnet18.pth");
        if (!Files.exists(checkpoint)) TorchIO.save(Models.resnet18().stateDict(), checkpoint);
        ResNet model = Models.resnet18(checkpoint);
        System.out.println("loaded " + checkpoint);

        // 2. Images in torchvision's ImageFolder layout (one folder per class), preprocessed as for ImageNet.
        Path images = drawImages(work.resolve("images"), 12);
        Transform<Image, Tensor> preprocess = Compose.of(new Resize(64)).then(new ToTensor())
                .then(new Normalize(IMAGENET_MEAN, IMAGENET_STD));
        ImageFolder data = new ImageFolder(images, preprocess);
        System.out.println(data.size() + " images in classes " + data.classes());

        // 3. Predict with the checkpoint's own 1000-class head.
        List<String> labels = WeightsCatalog.get("resnet18", "IMAGENET1K_V1").categories();
        model.eval();
        try (var noGrad = Torch.noGrad()) {
            Tensor probabilities = model.forward(data.get(0).input().unsqueeze(0)).softmax(1);
            int best = (int) probabilities.argmax(1, false).itemLong();
            System.out.printf("%s: %s (%.3f)%n", data.samples().get(0).path().getFileName(), labels.get(best),
                    probabilities.select(1, best).item());
        }

        // 4. A new head for our classes; everything else frozen; fine-tune the head.
        model.setSubmodule("fc", new Linear(512, data.classes().size()));
        List<Tensor> head = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            p.requiresGrad_(name.startsWith("fc."));
            if (name.startsWith("fc.")) head.add(p);
        });
        Optimizer optimizer = Adam.builder(head).lr(1e-2).build();
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        DataLoader<Sample, Batch> loader = DataLoader.builder(data, Batch::collate).batchSize(8).shuffle(true).build();
        for (int epoch = 1; epoch <= 5; epoch++) {
            model.eval();               // the frozen backbone keeps its batch-norm statistics
            double lossSum = 0;
            for (Batch batch : loader) {
                optimizer.zeroGrad();
                Tensor loss = lossFn.forward(model.forward(batch.inputs()), batch.targets());
                loss.backward();
                optimizer.step();
                lossSum += loss.item() * batch.size();
            }
            System.out.printf("epoch %d: loss %.4f, accuracy %.1f%%%n", epoch, lossSum / data.size(),
                    100 * accuracy(model, data));
        }

        // 5. Save for PyTorch (torch.load reads it), load into a fresh model, compare.
        Path fineTuned = work.resolve("fine_tuned.pth");
        TorchIO.save(model.stateDict(), fineTuned);
        ResNet reloaded = Models.resnet18(data.classes().size());
        reloaded.loadStateDict(TorchIO.loadStateDict(fineTuned), true);
        double before = accuracy(model, data), after = accuracy(reloaded, data);
        System.out.printf("saved %s; reloaded accuracy %.1f%% (before saving %.1f%%)%n", fineTuned, 100 * after, 100 * before);
        if (before != after) {
            System.err.println("the reloaded model disagrees with the saved one");
            System.exit(1);
        }
    }

    private static double accuracy(ResNet model, ImageFolder data) {
        model.eval();
        try (var noGrad = Torch.noGrad()) {
            List<Tensor> inputs = new ArrayList<>();
            long[] targets = new long[data.size()];
            for (int i = 0; i < data.size(); i++) {
                inputs.add(data.get(i).input());
                targets[i] = data.get(i).target();
            }
            Tensor predicted = model.forward(Torch.stack(inputs, 0)).argmax(1, false);
            return predicted.eq(Torch.tensor(targets, targets.length)).to(DType.FLOAT32).mean().item();
        }
    }

    /** {@code perClass} PNGs each of horizontal and vertical stripes, in random colours. */
    private static Path drawImages(Path root, int perClass) throws IOException {
        Random random = new Random(0);
        for (String kind : List.of("horizontal", "vertical")) {
            Path dir = Files.createDirectories(root.resolve(kind));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(80, 80, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(random.nextInt(0x1000000)));
                g.fillRect(0, 0, 80, 80);
                g.setColor(new Color(random.nextInt(0x1000000)));
                int period = 6 + random.nextInt(10);
                for (int at = random.nextInt(period); at < 80; at += period) {
                    if (kind.equals("horizontal")) g.fillRect(0, at, 80, period / 2);
                    else g.fillRect(at, 0, period / 2, 80);
                }
                g.dispose();
                ImageIO.write(img, "png", dir.resolve(kind + "_" + i + ".png").toFile());
            }
        }
        return root;
    }

    private FineTuneExample() {}
}
