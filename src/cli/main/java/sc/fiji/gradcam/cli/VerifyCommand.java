package sc.fiji.gradcam.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.bioimageio.BioimageioPackage;
import sc.fiji.gradcam.bioimageio.PackageCache;
import sc.fiji.gradcam.bioimageio.PackageVerifier;

/** {@code gradcam verify}: runs a BioImage.IO package's test inputs and compares with its test outputs. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Run a BioImage.IO model package's test inputs through its TensorFlow SavedModel (with the "
                + "described pre- and postprocessing) and compare with its test outputs within the package's "
                + "tolerance. Exit 0: every output passes; 1: some output fails; 2: the package cannot be used.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "rdf.yaml|pkg.zip|DIR",
            description = "The package: its .zip, its rdf.yaml / bioimageio.yaml, or the folder holding it.")
    Path model;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where packages and weights are unpacked (default: "
            + "-D" + PackageCache.DIR_PROPERTY + ", else $XDG_CACHE_HOME/gradcam/bioimageio, else "
            + "~/.cache/gradcam/bioimageio).")
    Path cache;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PackageCache c = cache != null ? new PackageCache(cache, PackageCache.Limits.DEFAULT) : PackageCache.defaults();
        PackageVerification v = PackageVerifier.verify(BioimageioPackage.open(model, c));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(toMap(v)));
        } else {
            print(v, out);
        }
        out.flush();
        return v.passed() ? 0 : 1;
    }

    static Map<String, Object> toMap(PackageVerification v) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", v.model());
        o.put("name", v.name());
        o.put("format_version", v.formatVersion());
        o.put("saved_model", v.savedModel());
        o.put("passed", v.passed());
        List<Map<String, Object>> outs = new ArrayList<>();
        for (PackageVerification.OutputCheck c : v.outputs()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", c.id());
            e.put("shape", c.shape());
            e.put("max_abs_diff", c.maxAbsDiff());
            e.put("mismatches", c.mismatches());
            e.put("allowed_mismatches", c.allowed());
            e.put("relative_tolerance", c.relativeTolerance());
            e.put("absolute_tolerance", c.absoluteTolerance());
            e.put("passed", c.passed());
            outs.add(e);
        }
        o.put("outputs", outs);
        o.put("notes", v.notes());
        return o;
    }

    static void print(PackageVerification v, PrintWriter out) {
        out.println("Model:    " + v.name() + " (format " + v.formatVersion() + ") from " + v.model());
        out.println("Weights:  " + v.savedModel());
        out.printf("%-20s %-20s %12s %12s %9s %9s %9s  %s%n", "output", "shape", "max |diff|", "mismatches",
                "allowed", "rtol", "atol", "result");
        for (PackageVerification.OutputCheck c : v.outputs()) {
            out.printf("%-20s %-20s %12s %12d %9d %9.1e %9.1e  %s%n", c.id(),
                    Arrays.toString(c.shape()).replace(" ", ""),
                    c.maxAbsDiff() == 0 ? "0" : String.format("%.3g", c.maxAbsDiff()), c.mismatches(), c.allowed(),
                    c.relativeTolerance(), c.absoluteTolerance(), c.passed() ? "PASS" : "FAIL");
        }
        v.notes().forEach(n -> out.println("Note:     " + n));
        out.println(v.passed() ? "PASS: every output matches the package's test output."
                : "FAIL: the model does not reproduce the package's test outputs within its tolerance.");
    }
}
