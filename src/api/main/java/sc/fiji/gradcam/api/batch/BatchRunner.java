package sc.fiji.gradcam.api.batch;

import ij.ImagePlus;
import ij.measure.Calibration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ExplainedImage;
import sc.fiji.gradcam.api.io.ExplanationWriter;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.api.io.MapFiles;
import sc.fiji.gradcam.api.io.PredictionRows;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * The batch runner behind every front end. {@link #check} refuses bad options before anything is written (one line
 * each, naming the fix); {@link #run} takes the output folder's {@link RunLock}, keeps the complete images of an
 * earlier run when resuming ({@link Resume}), and explains the rest in chunks of {@code batch} planes: each file
 * is read, explained and written on its own, so that any failure of one image (unreadable, a NaN, out of memory, a
 * TensorFlow error) is that image's error row and the run goes on. Each image's files are written under temporary
 * names and renamed when complete, then its rows are appended and flushed to {@code predictions.csv}: a killed run
 * leaves complete images and rows only.
 */
public final class BatchRunner {

    private BatchRunner() {}

    /**
     * The image files of a run, after checking everything that can be checked without the model: the input exists
     * and holds images, the output folder can be written and is not inside the input folder, the overlay options,
     * and (unless overwriting or resuming) that no planned output of the run exists yet.
     */
    public static List<Path> check(BatchOptions o) throws IOException {
        if (o.input() == null || !Files.exists(o.input())) {
            throw new IllegalArgumentException("The input " + o.input() + " does not exist. Fix: give an image file or "
                    + "a folder of images.");
        }
        if (!(o.opacity() >= 0 && o.opacity() <= 1)) {
            throw new IllegalArgumentException("The opacity must be between 0 and 1, not " + o.opacity() + ".");
        }
        if (o.batch() < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, not " + o.batch() + ".");
        }
        sc.fiji.gradcam.api.io.MaskFiles.check(o.request().region());
        if (o.overwrite() && o.resume()) {
            throw new IllegalArgumentException("Overwrite and resume exclude each other. Fix: resume to continue an "
                    + "earlier run, overwrite to start it again.");
        }
        Path out = o.out().toAbsolutePath().normalize();
        if (Files.isDirectory(o.input())) {
            Path in = o.input().toAbsolutePath().normalize();
            if (out.equals(in) || out.startsWith(in)) {
                throw new IllegalArgumentException("The output folder " + o.out() + " is " + (out.equals(in) ? "the"
                        : "inside the") + " input folder. Fix: choose an output folder outside " + o.input()
                        + ", so that results are never read as images.");
            }
        }
        checkWritable(out);
        List<Path> files = ImageFiles.list(o.input(), o.glob());
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No image files (" + String.join(", ", new java.util.TreeSet<>(
                    ImageFiles.EXTENSIONS)) + ") in " + o.input() + (o.glob() == null ? "" : " matching " + o.glob())
                    + ".");
        }
        if (!o.overwrite() && !o.resume()) {
            refuseExisting(o, files);
        }
        return files;
    }

    /**
     * The folder, or the nearest folder above it that exists (the run creates the rest), is a folder in which a file
     * can be created by whoever runs this (root or not); nothing is left behind.
     */
    static void checkWritable(Path out) {
        Path existing = out;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            if (existing == null || !Files.isDirectory(existing)) {
                throw new IOException((existing == null ? out : existing) + " is not a folder");
            }
            Path probe = Files.createTempFile(existing, ".gradcam-write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("The output folder " + out + " cannot be written (" + e.getMessage()
                    + "). Fix: choose a folder you can write to.");
        }
    }

    private static void refuseExisting(BatchOptions o, List<Path> files) {
        List<Path> planned = new ArrayList<>(o.runFiles());
        planned.add(o.out().resolve(ExplanationWriter.PREDICTIONS));
        for (Path f : files) {
            planned.addAll(planned(o, f).values());
        }
        List<Path> existing = ExplanationWriter.existing(planned);
        if (!existing.isEmpty()) {
            throw new IllegalArgumentException("The output folder " + o.out() + " already holds " + existing.size()
                    + " of the files this run writes (e.g. " + existing.get(0).getFileName() + "). Fix: resume the "
                    + "earlier run (--resume / resume), replace its files (--overwrite / overwrite), or choose another "
                    + "output folder.");
        }
    }

    /** The output key → file of one image, all targets. */
    static Map<String, Path> planned(BatchOptions o, Path file) {
        Map<String, Path> all = new LinkedHashMap<>();
        for (String t : o.request().targets()) {
            ExplanationWriter.plan(o.out(), name(file, t, o.request()), o.request().methods())
                    .forEach((k, v) -> all.put(t + "|" + k, v));
        }
        return all;
    }

    /** Runs the batch; what the listener hears is in file order. */
    public static BatchSummary run(ModelExplainer explainer, BatchOptions o, BatchListener listener) throws IOException {
        List<Path> files = check(o);
        explainer.validate(o.request());
        try (RunLock lock = RunLock.acquire(o.out())) {
            Set<Path> kept = o.resume() ? Resume.keepComplete(o, files) : Set.of();
            listener.resumed(kept);
            List<Path> todo = files.stream().filter(f -> !kept.contains(f)).toList();
            try (ExplanationWriter writer = new ExplanationWriter(o.out(), o.columns(), o.lut(), o.opacity(),
                    o.resume())) {
                return explainAll(explainer, o, todo, kept.size(), writer, listener);
            }
        }
    }

    /**
     * Explains exactly {@code files} (in this order) into {@code o.out()} as {@link #run} does (the same chunks,
     * preprocessing, writers and per-image isolation: a bad image is an error row, never an exception), but leaves
     * what a run shares to the caller: no {@link RunLock}, no {@code predictions.csv}, no resume and no check of the
     * input or of existing outputs ({@code o.input()} is not read). Each row (the cells of {@code o.columns()}) goes
     * to {@code rows} once its image's files are written; {@code rows} is closed at the end. For front ends that split
     * one run over many workers writing into one folder (the Spark job: each task calls this for its partition).
     */
    public static BatchSummary runFiles(ModelExplainer explainer, BatchOptions o, List<Path> files,
            PredictionRows rows, BatchListener listener) throws IOException {
        if (!(o.opacity() >= 0 && o.opacity() <= 1)) {
            throw new IllegalArgumentException("The opacity must be between 0 and 1, not " + o.opacity() + ".");
        }
        if (o.batch() < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, not " + o.batch() + ".");
        }
        try (ExplanationWriter writer = new ExplanationWriter(o.out(), o.columns(), o.lut(), o.opacity(), rows)) {
            return explainAll(explainer, o, files, 0, writer, listener);
        }
    }

    /** The run's loop: files read into chunks of at least {@code batch} planes, each chunk explained and written. */
    private static BatchSummary explainAll(ModelExplainer explainer, BatchOptions o, List<Path> todo, int kept,
            ExplanationWriter writer, BatchListener listener) throws IOException {
        Counts counts = new Counts();
        counts.kept = kept;
        int total = kept + todo.size();
        listener.progress(kept, total);
        List<Opened> chunk = new ArrayList<>();
        int planesInChunk = 0;
        long bytesInChunk = 0;
        for (int i = 0; i < todo.size(); i++) {
            if (listener.stopRequested()) {
                return counts.summary(total, true);
            }
            Opened opened = open(todo.get(i), o);
            chunk.add(opened);
            planesInChunk += Math.max(1, opened.images().size());
            bytesInChunk += opened.bytes();
            // a chunk holds its images open: large ones are explained before more are read
            if (planesInChunk >= o.batch() || bytesInChunk >= MemoryGuard.chunkBytes() || i == todo.size() - 1) {
                process(explainer, o, chunk, writer, listener, counts);
                listener.progress(kept + i + 1, total);
                chunk.clear();
                planesInChunk = 0;
                bytesInChunk = 0;
            }
        }
        return counts.summary(total, false);
    }

    private static final class Counts {
        int explained;
        int failed;
        int kept;

        BatchSummary summary(int files, boolean stopped) {
            return new BatchSummary(files, explained, failed, kept, stopped);
        }
    }

    /** A file read for explaining: its planes (0-based) and their images, or why it cannot be explained. */
    private record Opened(Path file, List<Integer> planes, List<InputImage> images, Calibration calibration,
            long bytes, String error) {}

    /** A plane's explanations (one per target), or why it was not explained. */
    private record Outcome(List<Explanation> perTarget, String error) {}

    private static Opened open(Path file, BatchOptions o) {
        try {
            ImagePlus imp = ImageFiles.open(file);
            int planes = o.allPlanes() ? ImagePlusImages.planes(imp) : 1;
            String tooLarge = MemoryGuard.check(imp, o.request());
            if (tooLarge != null) {
                return new Opened(file, List.of(), List.of(), null, 0, tooLarge);
            }
            List<Integer> explained = IntStream.range(0, planes).boxed().toList();
            List<InputImage> images = explained.stream().map(p -> ImagePlusImages.plane(imp, p)).toList();
            return new Opened(file, explained, images, imp.getCalibration(), MemoryGuard.imageBytes(imp), null);
        } catch (OutOfMemoryError e) {
            return new Opened(file, List.of(), List.of(), null, 0, MemoryGuard.outOfMemory("reading it"));
        } catch (IOException | RuntimeException e) {
            return new Opened(file, List.of(), List.of(), null, 0, oneLine(e));
        }
    }

    private static void process(ModelExplainer explainer, BatchOptions o, List<Opened> chunk,
            ExplanationWriter writer, BatchListener listener, Counts counts) throws IOException {
        if (o.request().region().kind() == sc.fiji.gradcam.api.Region.Kind.MASK_FILES) {
            // each file with its own mask
            for (Opened c : chunk) {
                if (c.error() != null) {
                    fail(c.file(), null, c.error(), writer, listener, counts);
                    continue;
                }
                BatchOptions own;
                try {
                    own = o.withRequest(o.request().withRegion(
                            sc.fiji.gradcam.api.io.MaskFiles.regionFor(o.request().region(), c.file())));
                } catch (IllegalArgumentException e) {
                    fail(c.file(), null, e.getMessage(), writer, listener, counts);
                    continue;
                }
                Iterator<Outcome> mine = explainEach(explainer, own, c.images()).iterator();
                record(c, c.planes().stream().map(p -> mine.next()).toList(), own, writer, listener, counts);
            }
            return;
        }
        List<InputImage> images = chunk.stream().flatMap(c -> c.images().stream()).toList();
        Iterator<Outcome> next = explainEach(explainer, o, images).iterator();
        for (Opened c : chunk) {
            if (c.error() != null) {
                fail(c.file(), null, c.error(), writer, listener, counts);
            } else {
                record(c, c.planes().stream().map(p -> next.next()).toList(), o, writer, listener, counts);
            }
        }
    }

    /**
     * One outcome per image, in order. A session run that fails (a NaN in one plane, out of memory, a TensorFlow
     * error) is retried image by image to find the one at fault.
     */
    private static List<Outcome> explainEach(ModelExplainer explainer, BatchOptions o, List<InputImage> images) {
        List<Outcome> out = new ArrayList<>();
        int step = Math.min(o.batch(), ModelExplainer.MAX_BATCH);
        for (int start = 0; start < images.size(); start += step) {
            List<InputImage> run = images.subList(start, Math.min(images.size(), start + step));
            try {
                explainer.explain(run, o.request()).forEach(perTarget -> out.add(new Outcome(perTarget, null)));
            } catch (OutOfMemoryError | RuntimeException e) {
                if (run.size() == 1) {
                    out.add(new Outcome(null, e instanceof OutOfMemoryError ? MemoryGuard.outOfMemory("explaining it")
                            : oneLine(e)));
                } else {
                    run.forEach(one -> out.addAll(explainEach(explainer, o, List.of(one))));
                }
            }
        }
        return out;
    }

    /** Writes one file's maps per target and hears each plane; each failed plane becomes an error row. */
    private static void record(Opened image, List<Outcome> outcomes, BatchOptions o, ExplanationWriter writer,
            BatchListener listener, Counts counts) throws IOException {
        Path file = image.file();
        ExplainRequest request = o.request();
        List<Integer> done = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).error() == null) {
                done.add(i);
            }
        }
        boolean wrote = false;
        for (int j = 0; j < request.targets().size() && !done.isEmpty(); j++) {
            int target = j;
            List<Explanation> es = done.stream().map(i -> outcomes.get(i).perTarget().get(target)).toList();
            List<Integer> planes = done.stream().map(image.planes()::get).toList();
            try {
                long s = System.nanoTime();
                Map<String, Path> written = writer.write(new ExplainedImage(file, name(file, request.targets().get(j),
                        request), image.images().get(done.get(0)), image.calibration(), planes, es));
                double writeMs = (System.nanoTime() - s) / 1e6 / es.size();
                wrote = true;
                for (int k = 0; k < es.size(); k++) {
                    Map<String, Double> timings = new LinkedHashMap<>(es.get(k).timingsMs());
                    timings.put("write", writeMs);
                    listener.explained(file, planes.get(k) + 1, es.get(k), image.images().get(done.get(k)), written,
                            timings);
                }
            } catch (IOException | OutOfMemoryError | RuntimeException ex) {
                fail(file, null, "could not write its outputs: " + (ex instanceof OutOfMemoryError
                        ? MemoryGuard.outOfMemory("writing it") : oneLine(ex)), writer, listener, counts);
            }
        }
        if (wrote) {
            counts.explained++;
        }
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).error() != null) {
                fail(file, image.planes().get(i) + 1, outcomes.get(i).error(), writer, listener, counts);
            }
        }
    }

    private static void fail(Path file, Integer plane, String reason, ExplanationWriter writer, BatchListener listener,
            Counts counts) throws IOException {
        writer.failed(file, plane == null ? 0 : plane, reason);
        listener.failed(file, plane, reason);
        counts.failed++;
    }

    /** The output name of an image: its base name, with the target when a run has several. */
    public static String name(Path file, String target, ExplainRequest request) {
        return request.targets().size() == 1 ? ImageFiles.baseName(file)
                : ImageFiles.baseName(file) + "." + target.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    /** An exception as one line: its message (else its type), without line breaks. */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Whether every planned file exists (an image's outputs are complete): used when resuming. */
    static boolean complete(Map<String, Path> planned) {
        return planned.values().stream().allMatch(Files::isRegularFile);
    }

    static void replace(Path file, List<String> lines) throws IOException {
        Path tmp = MapFiles.temp(file);
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        MapFiles.moveIntoPlace(tmp, file);
    }
}
