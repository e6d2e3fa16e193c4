package sc.fiji.gradcam.api.batch;

import java.nio.file.Path;
import java.util.List;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * A batch run: which images, where to, what to explain and how the outputs look. The defaults are the same for
 * every front end: every plane of a stack, the Fire LUT at opacity 0.5, 8 planes per session run, nothing replaced
 * (a folder holding any planned output is refused) unless {@code overwrite} or {@code resume}.
 *
 * @param input an image file or a folder of images
 * @param glob with a folder, only names matching this glob (null: every image)
 * @param out the output folder
 * @param request what to explain
 * @param lut the overlay colour map
 * @param opacity the overlay opacity, in [0, 1]
 * @param allPlanes every plane of stacks (else the first)
 * @param batch planes per session run
 * @param overwrite replace existing outputs
 * @param resume continue an earlier run into {@code out}: complete images are kept, the others done
 * @param runFiles the front end's own files of a run (e.g. {@code summary.json}, a montage): refused like the outputs
 * @param columns the {@code predictions.csv} columns
 */
public record BatchOptions(Path input, String glob, Path out, ExplainRequest request, ColorMap lut, double opacity,
        boolean allPlanes, int batch, boolean overwrite, boolean resume, List<Path> runFiles,
        List<PredictionsCsv.Column> columns) {

    public static final ColorMap DEFAULT_LUT = ColorMap.FIRE;
    public static final double DEFAULT_OPACITY = 0.5;
    public static final int DEFAULT_BATCH = 8;

    public BatchOptions {
        runFiles = List.copyOf(runFiles);
        columns = List.copyOf(columns);
    }

    /** The shared defaults for these images, folder and request. */
    public static BatchOptions of(Path input, Path out, ExplainRequest request, List<PredictionsCsv.Column> columns) {
        return new BatchOptions(input, null, out, request, DEFAULT_LUT, DEFAULT_OPACITY, true, DEFAULT_BATCH, false,
                false, List.of(), columns);
    }

    public BatchOptions withGlob(String g) {
        return new BatchOptions(input, g, out, request, lut, opacity, allPlanes, batch, overwrite, resume, runFiles,
                columns);
    }

    public BatchOptions withLook(ColorMap l, double o) {
        return new BatchOptions(input, glob, out, request, l, o, allPlanes, batch, overwrite, resume, runFiles, columns);
    }

    public BatchOptions withPlanes(boolean all, int perRun) {
        return new BatchOptions(input, glob, out, request, lut, opacity, all, perRun, overwrite, resume, runFiles,
                columns);
    }

    public BatchOptions withExisting(boolean replace, boolean cont) {
        return new BatchOptions(input, glob, out, request, lut, opacity, allPlanes, batch, replace, cont, runFiles,
                columns);
    }

    public BatchOptions withRunFiles(List<Path> files) {
        return new BatchOptions(input, glob, out, request, lut, opacity, allPlanes, batch, overwrite, resume, files,
                columns);
    }

    public BatchOptions withRequest(ExplainRequest r) {
        return new BatchOptions(input, glob, out, r, lut, opacity, allPlanes, batch, overwrite, resume, runFiles,
                columns);
    }
}
