package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.MapImage;

/** Guided Grad-CAM: Guided Backpropagation times the upsampled Grad-CAM map, pointwise, per channel. */
public final class GuidedGradCam {

    private GuidedGradCam() {}

    public static MapImage combine(MapImage guided, MapImage cam) {
        int plane = guided.width() * guided.height();
        float[] out = new float[guided.data().length];
        for (int c = 0; c < guided.channels(); c++) {
            for (int j = 0; j < plane; j++) {
                out[c * plane + j] = guided.data()[c * plane + j] * cam.data()[j];
            }
        }
        return new MapImage(guided.width(), guided.height(), guided.channels(), out);
    }
}
