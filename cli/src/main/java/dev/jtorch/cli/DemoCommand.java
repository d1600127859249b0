package dev.jtorch.cli;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.cli.PatternImages.Pattern;
import dev.jtorch.models.Models;
import dev.jtorch.models.ResNet;
import dev.jtorch.models.TorchIO;
import dev.jtorch.nn.CrossEntropyLoss;
import dev.jtorch.nn.Dropout;
import dev.jtorch.nn.LoadReport;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in demo, the transfer-learning walkthrough end to end on generated images: pretrain a
 * ResNet-18 on one set of patterns, replace its {@code fc} with a new head, freeze the backbone,
 * fine-tune the head on new patterns, save, reload and evaluate.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Pretrain a ResNet-18 on generated images, then replace its head, freeze the backbone, "
                + "fine-tune, save, reload and evaluate. Needs nothing downloaded; about a minute on 2 cores.")
final class DemoCommand implements Runnable {

    @Option(names = "--out", description = "Directory for the checkpoints (default: a new temporary directory).")
    Path outDir;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Option(names = "--pretrain-epochs", defaultValue = "5") int pretrainEpochs;
    @Option(names = "--finetune-epochs", defaultValue = "10") int finetuneEpochs;
    @Option(names = "--seed", defaultValue = "0") long seed;

    private static final int SIZE = 32, BATCH = 32;

    @Override
    public void run() {
        out = spec.commandLine().getOut();
        try {
            runDemo();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void runDemo() throws java.io.IOException {
        long start = System.nanoTime();
        Torch.manualSeed(seed);
        Path dir = outDir != null ? Files.createDirectories(outDir) : Files.createTempDirectory("jtorch-demo");

        say("1/5", "generating images (%dx%d RGB): task A = stripes / checks / rings, task B = new patterns", SIZE, SIZE);
        PatternImages taskA = PatternImages.make(List.of(Pattern.HORIZONTAL_STRIPES, Pattern.VERTICAL_STRIPES,
                Pattern.CHECKS, Pattern.RINGS), 150, SIZE, seed);
        PatternImages taskB = PatternImages.make(List.of(Pattern.DIAGONAL_STRIPES, Pattern.DOTS, Pattern.RINGS),
                60, SIZE, seed + 1);
        PatternImages trainA = taskA.slice(0, 480), valA = taskA.slice(480, 600);
        PatternImages trainB = taskB.slice(0, 120), valB = taskB.slice(120, 180);
        out.printf(Locale.ROOT, "      task A: %d train / %d val images in %d classes %s%n", trainA.size(), valA.size(),
                taskA.classes().size(), taskA.classes());
        out.printf(Locale.ROOT, "      task B: %d train / %d val images in %d classes %s%n", trainB.size(), valB.size(),
                taskB.classes().size(), taskB.classes());

        say("2/5", "pretraining resnet18 from scratch on task A (Adam, lr 1e-3)");
        ResNet pretrained = Models.resnet18(taskA.classes().size());
        Optimizer pretrainOpt = Adam.builder(pretrained.parameters()).lr(1e-3).build();
        for (int epoch = 1; epoch <= pretrainEpochs; epoch++) trainEpoch(pretrained, pretrainOpt, trainA, valA, epoch);
        Path pretrainedFile = dir.resolve("pretrained.pth");
        TorchIO.save(pretrained.stateDict(), pretrainedFile);
        out.println("      saved " + pretrainedFile + " (a state dict torch.load reads)");

        say("3/5", "loading it into a fresh resnet18 and replacing fc with a new head for task B's %d classes",
                taskB.classes().size());
        ResNet model = Models.resnet18(taskA.classes().size());
        LoadReport report = model.loadStateDict(TorchIO.loadStateDict(pretrainedFile), true);
        out.println("      strict load: " + (report.isClean() ? "all keys matched" : report));
        model.setSubmodule("fc", newHead(taskB.classes().size()));
        out.println("      (fc): " + model.child("fc").toString().replace("\n", "\n      "));

        say("4/5", "freezing everything but fc, fine-tuning fc with Adam (lr 3e-3)");
        List<Tensor> trainable = new ArrayList<>();
        Map<String, Tensor> frozenBefore = new java.util.LinkedHashMap<>();
        for (var e : model.namedParameters().entrySet()) {
            boolean head = e.getKey().startsWith("fc.");
            e.getValue().requiresGrad_(head);
            if (head) trainable.add(e.getValue());
            else frozenBefore.put(e.getKey(), e.getValue().clone());
        }
        out.printf(Locale.ROOT, "      %d parameter tensors train, %d are frozen%n", trainable.size(), frozenBefore.size());
        Optimizer adam = Adam.builder(trainable).lr(3e-3).build();
        for (int epoch = 1; epoch <= finetuneEpochs; epoch++) trainEpoch(model, adam, trainB, valB, epoch);
        boolean unchanged = frozenBefore.entrySet().stream().allMatch(e ->
                java.util.Arrays.equals(e.getValue().toFloatArray(), model.namedParameters().get(e.getKey()).toFloatArray()));
        out.println("      frozen weights bitwise unchanged: " + (unchanged ? "yes" : "NO"));

        say("5/5", "saving the fine-tuned model, reloading it into a new one and evaluating");
        Path finetunedFile = dir.resolve("finetuned.pth");
        TorchIO.save(model.stateDict(), finetunedFile);
        ResNet reloaded = Models.resnet18(taskA.classes().size());
        reloaded.setSubmodule("fc", newHead(taskB.classes().size()));
        reloaded.loadStateDict(TorchIO.loadStateDict(finetunedFile), true);
        double before = accuracy(model, valB), after = accuracy(reloaded, valB);
        out.printf(Locale.ROOT, "      %s: task B validation accuracy %.1f%% (before saving: %.1f%%)%n",
                finetunedFile.getFileName(), 100 * after, 100 * before);
        out.printf(Locale.ROOT, "done in %.0f s; checkpoints in %s%n", (System.nanoTime() - start) / 1e9, dir);
    }

    /** The tutorial's replacement head: Sequential(OrderedDict(fc1, relu1, dropout1, fc2)). */
    private static Module newHead(int classes) {
        return Sequential.of(Map.entry("fc1", new Linear(512, 128)), Map.entry("relu1", new ReLU()),
                Map.entry("dropout1", new Dropout(0.5)), Map.entry("fc2", new Linear(128, classes)));
    }

    private void trainEpoch(Module model, Optimizer opt, PatternImages train, PatternImages val, int epoch) {
        model.train();
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        long t0 = System.nanoTime();
        double lossSum = 0;
        int correct = 0;
        Tensor perm = Torch.randperm(train.size());
        for (int from = 0; from < train.size(); from += BATCH) {
            Tensor idx = perm.slice(0, from, Math.min(from + BATCH, train.size()));
            Tensor x = train.images().indexSelect(0, idx), y = train.labels().indexSelect(0, idx);
            opt.zeroGrad();
            Tensor logits = model.forward(x);
            Tensor loss = lossFn.forward(logits, y);
            loss.backward();
            opt.step();
            lossSum += loss.item() * idx.numel();
            correct += (int) logits.argmax(1, false).eq(y).to(DType.INT64).sum().itemLong();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "      epoch %d  loss %.4f  train acc %5.1f%%  val acc %5.1f%%  %.0f img/s%n", epoch,
                lossSum / train.size(), 100.0 * correct / train.size(), 100 * accuracy(model, val), train.size() / seconds);
    }

    private static double accuracy(Module model, PatternImages data) {
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor predicted = model.forward(data.images()).argmax(1, false);
            return predicted.eq(data.labels()).to(DType.FLOAT32).mean().item();
        }
    }

    private void say(String step, String format, Object... args) {
        out.printf(Locale.ROOT, "step " + step + ": " + format + "%n", args);
        out.flush();
    }
}
