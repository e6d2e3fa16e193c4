package sc.fiji.gradcam.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

/**
 * {@code gradcam}: explain TensorFlow image classifiers from the command line. Exit codes: 0 done,
 * 1 some images failed, 2 bad input (one line on stderr; the stack trace with {@code --verbose}), 3 an
 * internal error.
 */
@Command(name = "gradcam", mixinStandardHelpOptions = true, version = "gradcam-fiji 0.1.0",
        description = "Grad-CAM, Guided Backpropagation and Guided Grad-CAM for TensorFlow SavedModel classifiers.",
        subcommands = {InfoCommand.class, LayersCommand.class, ExplainCommand.class, VerifyCommand.class,
            SlideCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "Choose a command: info, layers, explain, verify or slide.");
    }

    /** Runs the tool and returns its exit code (for tests and the benchmark). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.matchedOption("--verbose") != null
                    || (parsed.subcommand() != null && parsed.subcommand().matchedOption("--verbose") != null);
            PrintWriter err = cmd.getErr();
            boolean user = e instanceof ModelException || e instanceof IllegalArgumentException
                    || e instanceof UnsupportedOperationException || e instanceof RuntimeUnavailableException
                    || e instanceof java.io.IOException;
            err.println("gradcam: error: " + e.getMessage()
                    + (verbose || user ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return user ? 2 : 3;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("gradcam: error: " + e.getMessage());
            err.println("Try 'gradcam " + e.getCommandLine().getCommandName() + " --help'.");
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
