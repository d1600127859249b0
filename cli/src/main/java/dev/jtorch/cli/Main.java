package dev.jtorch.cli;

import dev.jtorch.models.KernelWarmup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/** The {@code jtorch} command. Each subcommand is a class of its own. */
@Command(name = "jtorch", mixinStandardHelpOptions = true, version = "jtorch 0.1.0",
        description = "A deep-learning engine in Java that speaks PyTorch.")
public final class Main implements Runnable {

    /**
     * The subcommands, in the order the usage lists them. Added to the command line by
     * {@link #commandLine}, not declared in the annotation: picocli reflects over every declared
     * subcommand and its options on start-up, 0.05-0.1 s of a 1 s {@code jtorch run}.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(DemoCommand.class, BenchCommand.class, InspectCommand.class,
            ConvertCommand.class, ScanCommand.class, FinetuneCommand.class, SummaryCommand.class, RunCommand.class,
            PredictCommand.class);

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, print the stack trace, not only the one-line message (or set JTORCH_DEBUG).")
    boolean debug;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        // Before picocli (0.2 s of class loading and reflection): the earlier the JIT warm-up
        // starts, the more of the kernels are compiled when `run` reaches its forward pass
        // (measured: forward 0.75 s -> 0.17 s, the whole command 1.33 s -> 1.14 s).
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("predict")) && !asksForHelp(args)) KernelWarmup.start();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(out, err, args));
    }

    /**
     * Runs the command line with the given streams and returns the exit status: 0 on success, 1
     * when the command failed (one line on {@code err} starting {@code error:}, the stack trace too
     * with {@code --debug}), 2 for a usage error.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter e = cmd.getErr();
            if (debugRequested(parsed)) ex.printStackTrace(e);
            else e.println("error: " + oneLine(ex));
            e.flush();
            return 1;
        });
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** Whether {@code args} ask for usage or version only (which the warm-up would only slow down). */
    private static boolean asksForHelp(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) return true;
        }
        return false;
    }

    /**
     * The command line with only the subcommand that {@code args} starts with, or with all of
     * them when it starts with none (usage, --version, a misspelt name that picocli then
     * suggests a correction for).
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        Class<?> named = args.length == 0 ? null : SUBCOMMANDS.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(args[0])).findFirst().orElse(null);
        for (Class<?> c : named == null ? SUBCOMMANDS : List.of(named)) cli.addSubcommand(c);
        return cli;
    }

    private static boolean debugRequested(ParseResult parsed) {
        if (System.getenv("JTORCH_DEBUG") != null) return true;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    /** The message of an error on one line; exceptions that say little on their own get a word more. */
    static String oneLine(Throwable ex) {
        String message = switch (ex) {
            case NoSuchFileException e when e.getReason() == null -> e.getFile() + ": no such file";
            case AccessDeniedException e -> e.getFile() + ": permission denied";
            default -> ex.getMessage();
        };
        if (message == null || message.isBlank()) message = ex.getClass().getSimpleName();
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
