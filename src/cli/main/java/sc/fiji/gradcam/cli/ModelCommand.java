package sc.fiji.gradcam.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;

/** A subcommand that loads one model and reports on it, as text or as one JSON object. */
abstract class ModelCommand implements Callable<Integer> {

    @Mixin
    ModelArgs modelArgs;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (LoadedModel m = ModelLoader.load(modelArgs.path(), modelArgs.options())) {
            report(m, spec.commandLine().getOut());
            return 0;
        }
    }

    /** Prints what the command reports about the loaded model. */
    abstract void report(LoadedModel model, PrintWriter out);
}
