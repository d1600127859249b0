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
import dev.jtorch.optim.lr.CosineAnnealingLR;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in demo: why transfer learning works, shown in its numbers. A ResNet-18 is pretrained
 * on one set of generated patterns (task A, our stand-in for ImageNet); then a new task B with
 * only a handful of labelled images is learned twice, side by side: by a fresh ResNet-18 trained
 * from scratch, and by the pretrained one with its {@code fc} replaced and its backbone frozen.
 * The transferred model is saved, reloaded and evaluated again.
 *
 * <p>Everything is seeded and every kernel sums in an order that does not depend on the thread
 * count, so the losses and accuracies printed are the same on every run and machine; only the
 * timings vary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Transfer learning in numbers: pretrain a ResNet-18 on generated images, then learn a new task "
                + "from a few labelled images twice, from scratch and from the pretrained backbone, side by side. "
                + "Needs nothing downloaded; under a minute on 2 cores.")
final class DemoCommand implements Runnable {

    private static final int SIZE = 32, PRETRAIN_BATCH = 32, FEW_SHOT_BATCH = 8;
    private static final List<Pattern> TASK_A = List.of(Pattern.HORIZONTAL_STRIPES, Pattern.VERTICAL_STRIPES,
            Pattern.DIAGONAL_STRIPES, Pattern.CHECKS, Pattern.RINGS, Pattern.DOTS, Pattern.WAVES, Pattern.GRID);
    private static final List<Pattern> TASK_B = List.of(Pattern.ANTI_DIAGONAL_STRIPES, Pattern.DIAGONAL_GRID,
            Pattern.SQUARES, Pattern.SPOKES);

    @Option(names = "--out", description = "Directory for the checkpoints (default: a new temporary directory).")
    Path outDir;

    @Option(names = "--pretrain-epochs", defaultValue = "4", description = "Epochs on task A (default: ${DEFAULT-VALUE}).")
    int pretrainEpochs;

    @Option(names = "--finetune-epochs", defaultValue = "10",
            description = "Epochs on task B, for both models (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--per-class", defaultValue = "10",
            description = "Labelled task-B training images per class (default: ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--threads", description = "Threads for the kernels (default: all cores); the numbers do not change.")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for the images and the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public void run() {
        out = spec.commandLine().getOut();
        int threadsBefore = Torch.getNumThreads();
        if (threads != null) Torch.setNumThreads(threads);
        try {
            runDemo();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Torch.setNumThreads(threadsBefore);
        }
    }

    private void runDemo() throws IOException {
        long start = System.nanoTime();
        Torch.manualSeed(seed);
        Path dir = outDir != null ? Files.createDirectories(outDir) : Files.createTempDirectory("jtorch-demo");

        say("1/5", "generating %dx%d RGB images; nothing is downloaded", SIZE, SIZE);
        PatternImages taskA = PatternImages.make(TASK_A, 130, SIZE, seed);
        PatternImages trainA = taskA.slice(0, 100 * TASK_A.size()), valA = taskA.slice(trainA.size(), taskA.size());
        PatternImages taskB = PatternImages.make(TASK_B, perClass + 30, SIZE, seed + 1);
        PatternImages trainB = taskB.slice(0, perClass * TASK_B.size()), valB = taskB.slice(trainB.size(), taskB.size());
        describe("task A (pretraining)", trainA, valA);
        describe("task B (the new task)", trainB, valB);

        say("2/5", "pretraining resnet18 from scratch on task A (Adam, lr 1e-3, cosine schedule)");
        ResNet pretrained = Models.resnet18(TASK_A.size());
        Optimizer pretrainOpt = Adam.builder(pretrained.parameters()).lr(1e-3).build();
        // Annealed to zero over the run: with a constant rate the last epoch's weights land
        // anywhere in the noise of the final steps, and the features transferred vary with them.
        CosineAnnealingLR schedule = new CosineAnnealingLR(pretrainOpt, pretrainEpochs);
        for (int epoch = 1; epoch <= pretrainEpochs; epoch++) {
            EpochResult r = trainEpoch(pretrained, pretrainOpt, trainA, valA, PRETRAIN_BATCH);
            out.printf(Locale.ROOT, "      epoch %d  loss %.4f  val acc %5.1f%%  %.0f img/s%n", epoch, r.loss,
                    100 * r.valAccuracy, trainA.size() / r.seconds);
            schedule.step();
        }
        Path pretrainedFile = dir.resolve("pretrained.pth");
        TorchIO.save(pretrained.stateDict(), pretrainedFile);
        out.println("      saved " + pretrainedFile + " (a state dict torch.load reads)");

        say("3/5", "two models for task B's %d classes", TASK_B.size());
        ResNet scratch = Models.resnet18(TASK_B.size());
        List<Tensor> scratchParams = scratch.parameters();
        out.printf(Locale.ROOT, "      from scratch: a fresh resnet18, all %,d parameters trained (Adam, lr 1e-3)%n",
                count(scratchParams));
        ResNet transfer = Models.resnet18(TASK_A.size());
        LoadReport report = transfer.loadStateDict(TorchIO.loadStateDict(pretrainedFile), true);
        transfer.setSubmodule("fc", newHead(TASK_B.size()));
        List<Tensor> headParams = freezeAllButHead(transfer);
        Map<String, Tensor> frozenBefore = new LinkedHashMap<>();
        transfer.namedParameters().forEach((name, p) -> { if (!p.requiresGrad()) frozenBefore.put(name, p.clone()); });
        out.printf(Locale.ROOT, "      transfer: pretrained.pth loaded (%s), fc replaced, backbone frozen; %,d head "
                + "parameters trained (Adam, lr 3e-3)%n", report.isClean() ? "all keys matched" : report, count(headParams));
        out.println("      (fc): " + transfer.child("fc").toString().replace("\n", "\n      "));

        say("4/5", "learning task B from %d labelled images per class, side by side", perClass);
        Optimizer scratchOpt = Adam.builder(scratchParams).lr(1e-3).build();
        Optimizer headOpt = Adam.builder(headParams).lr(3e-3).build();
        out.println("      epoch |  from scratch: loss  val acc   time |  transfer: loss  val acc   time");
        EpochResult s = null, t = null;
        double scratchSeconds = 0, transferSeconds = 0;
        for (int epoch = 1; epoch <= finetuneEpochs; epoch++) {
            s = trainEpoch(scratch, scratchOpt, trainB, valB, FEW_SHOT_BATCH);
            t = trainEpoch(transfer, headOpt, trainB, valB, FEW_SHOT_BATCH);
            scratchSeconds += s.seconds;
            transferSeconds += t.seconds;
            out.printf(Locale.ROOT, "      %5d |              %6.4f   %5.1f%%  %4.1f s |          %6.4f   %5.1f%%  %4.1f s%n",
                    epoch, s.loss, 100 * s.valAccuracy, scratchSeconds, t.loss, 100 * t.valAccuracy, transferSeconds);
        }
        boolean unchanged = frozenBefore.entrySet().stream().allMatch(e ->
                Arrays.equals(e.getValue().toFloatArray(), transfer.namedParameters().get(e.getKey()).toFloatArray()));
        out.println("      frozen backbone bitwise unchanged: " + (unchanged ? "yes" : "NO"));

        say("5/5", "saving the transferred model, reloading it into a new one and evaluating");
        Path finetunedFile = dir.resolve("finetuned.pth");
        TorchIO.save(transfer.stateDict(), finetunedFile);
        ResNet reloaded = Models.resnet18(TASK_A.size());
        reloaded.setSubmodule("fc", newHead(TASK_B.size()));
        reloaded.loadStateDict(TorchIO.loadStateDict(finetunedFile), true);
        double before = accuracy(transfer, valB), after = accuracy(reloaded, valB);
        out.printf(Locale.ROOT, "      %s: task B validation accuracy %.1f%% (before saving: %.1f%%)%n",
                finetunedFile.getFileName(), 100 * after, 100 * before);
        out.printf(Locale.ROOT, "task B, %d images per class: from scratch %.1f%% after %.1f s of training; "
                        + "transferred %.1f%% after %.1f s (chance: %.1f%%)%n", perClass,
                s == null ? 0 : 100 * s.valAccuracy, scratchSeconds, t == null ? 0 : 100 * t.valAccuracy,
                transferSeconds, 100.0 / TASK_B.size());
        out.printf(Locale.ROOT, "done in %.0f s; checkpoints in %s%n", (System.nanoTime() - start) / 1e9, dir);
    }

    /** The tutorial's replacement head: Sequential(OrderedDict(fc1, relu1, dropout1, fc2)). */
    private static Module newHead(int classes) {
        return Sequential.of(Map.entry("fc1", new Linear(512, 128)), Map.entry("relu1", new ReLU()),
                Map.entry("dropout1", new Dropout(0.5)), Map.entry("fc2", new Linear(128, classes)));
    }

    /** Freezes every parameter outside {@code fc} and returns the ones inside it. */
    private static List<Tensor> freezeAllButHead(Module model) {
        List<Tensor> head = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            boolean inHead = name.startsWith("fc.");
            p.requiresGrad_(inHead);
            if (inHead) head.add(p);
        });
        return head;
    }

    private record EpochResult(double loss, double valAccuracy, double seconds) {}

    /**
     * One pass over {@code train} in seeded random batches, then validation accuracy. A model whose
     * backbone is frozen keeps that backbone in eval mode, so batch norm uses the statistics it
     * learned on task A instead of re-estimating them from a few images: what
     * {@code model.eval(); model.fc.train()} does in PyTorch.
     */
    private EpochResult trainEpoch(Module model, Optimizer opt, PatternImages train, PatternImages val,
                                   int batch) {
        boolean frozenBackbone = model.namedParameters().values().stream().anyMatch(p -> !p.requiresGrad());
        if (frozenBackbone) {
            model.eval();
            model.child("fc").train();
        } else {
            model.train();
        }
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        long t0 = System.nanoTime();
        double lossSum = 0;
        Tensor perm = Torch.randperm(train.size());
        for (int from = 0; from < train.size(); from += batch) {
            Tensor idx = perm.slice(0, from, Math.min(from + batch, train.size()));
            Tensor x = train.images().indexSelect(0, idx), y = train.labels().indexSelect(0, idx);
            opt.zeroGrad();
            Tensor loss = lossFn.forward(model.forward(x), y);
            loss.backward();
            opt.step();
            lossSum += loss.item() * idx.numel();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new EpochResult(lossSum / train.size(), accuracy(model, val), seconds);
    }

    private static double accuracy(Module model, PatternImages data) {
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor predicted = model.forward(data.images()).argmax(1, false);
            return predicted.eq(data.labels()).to(DType.FLOAT32).mean().item();
        }
    }

    private static long count(List<Tensor> params) {
        return params.stream().mapToLong(Tensor::numel).sum();
    }

    private void describe(String name, PatternImages train, PatternImages val) {
        out.printf(Locale.ROOT, "      %s: %d train / %d val images, %d classes %s%n", name, train.size(), val.size(),
                train.classes().size(), train.classes());
    }

    private void say(String step, String format, Object... args) {
        out.printf(Locale.ROOT, "step " + step + ": " + format + "%n", args);
        out.flush();
    }
}
