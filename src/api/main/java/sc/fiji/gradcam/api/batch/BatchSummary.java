package sc.fiji.gradcam.api.batch;

/**
 * The outcome of a batch run.
 *
 * @param files images in the run
 * @param explained files with at least one explained plane in this run
 * @param failed files or planes that could not be explained in this run
 * @param kept files kept from an earlier run ({@code resume})
 * @param stopped whether the run was stopped before the end
 */
public record BatchSummary(int files, int explained, int failed, int kept, boolean stopped) {}
