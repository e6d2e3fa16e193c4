package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.DataLayout;

/**
 * The Grad-CAM variants pytorch-grad-cam users expect, for one image, from the same target-layer activations
 * {@code A^k} and gradients {@code G^k = dy_c/dA^k} as {@link GradCam} (one session run and one gradient graph serve
 * them all). Sums {@code Σ_ij} run over the feature map's positions; the raw map is at feature resolution:
 * <ul>
 *   <li><b>Grad-CAM++</b> (Chattopadhay et al. 2018, arXiv 1710.11063, eq. 19 with the exponential-score closed
 *       form, as pytorch-grad-cam computes it): {@code alpha^k_ij = G² / (2G² + (Σ_ab A^k_ab) G³ + eps)} (0 where
 *       G is 0),
 *       {@code w_k = Σ_ij alpha^k_ij ReLU(G^k_ij)}, map {@code ReLU(Σ_k w_k A^k)};</li>
 *   <li><b>XGrad-CAM</b> (Fu et al. 2020, arXiv 2008.02312): {@code w_k = Σ_ij G^k_ij A^k_ij / (Σ_ij A^k_ij + eps)},
 *       map {@code ReLU(Σ_k w_k A^k)};</li>
 *   <li><b>LayerCAM</b> (Jiang et al. 2021, IEEE TIP 30): map {@code ReLU(Σ_k ReLU(G^k_ij) A^k_ij)} per position;</li>
 *   <li><b>HiResCAM</b> (Draelos &amp; Carin 2020, arXiv 2011.08891): map {@code ReLU(Σ_k G^k_ij A^k_ij)} per
 *       position (Grad-CAM when G is the same at every position, as on a global-average-pooling head);</li>
 *   <li><b>EigenCAM</b> (Muhammad &amp; Yeasin 2020, arXiv 2008.00299): class-agnostic, no gradient: map
 *       {@code ReLU(p)}, p the projection of the activations (a matrix [positions, channels], channels centred)
 *       on their first principal axis ({@link PrincipalProjection});</li>
 *   <li><b>EigenGrad-CAM</b> (pytorch-grad-cam's {@code EigenGradCAM}): the same on {@code G ⊙ A}, element-wise,
 *       so class-discriminative.</li>
 * </ul>
 * The two Eigen maps differ from pytorch-grad-cam's in the sign of the projection: it keeps whatever sign its SVD
 * (numpy's or torch's) returns, so its maps are sometimes inverted; here it correlates positively with the per-position channel sum of A (of
 * {@code G ⊙ A} for EigenGrad-CAM).
 * Activations and gradients are NHWC or NCHW like {@link GradCam}'s; the map is {@code [h, w]} either way.
 */
public final class CamVariants {

    /** XGrad-CAM's {@code eps} in the denominator, pytorch-grad-cam's value. */
    public static final double XGRADCAM_EPS = 1e-7;
    /**
     * Grad-CAM++'s {@code eps} in the denominator of alpha, pytorch-grad-cam's value, so that maps match that library's
     * (it matters only where G is tiny: on tm_eyes, max |G| ≈ 6e-3, the eps-free maps differ by up to 0.02).
     */
    public static final double GRADCAM_PLUSPLUS_EPS = 1e-6;

    private CamVariants() {}

    /**
     * The raw map of {@code method} (a {@link Method#isCamVariant CAM variant} that needs no forward pass of its own,
     * not Score-CAM or Ablation-CAM) for image {@code n} of a batch.
     */
    public static float[] compute(Method method, float[] activations, float[] grad, int n, int h, int w, int k,
            DataLayout layout) {
        return compute(method, activations, grad, n, h, w, k, layout, false);
    }

    /**
     * As {@link #compute(Method, float[], float[], int, int, int, int, DataLayout)}; with {@code eigenSmooth}
     * (pytorch-grad-cam's {@code eigen_smooth}) the weighted activations ({@code w_k A^k}, {@code ReLU(G) ⊙ A},
     * {@code G ⊙ A}) are combined by their first principal component instead of summed ({@link GradCam#weightedMap});
     * EigenCAM and EigenGrad-CAM are projections already and do not change.
     */
    public static float[] compute(Method method, float[] activations, float[] grad, int n, int h, int w, int k,
            DataLayout layout, boolean eigenSmooth) {
        int offset = n * h * w * k;
        int positions = h * w;
        return switch (method) {
            case GRADCAM_PLUSPLUS -> GradCam.map(activations, offset, positions, k, layout,
                    gradCamPlusPlusWeights(activations, grad, offset, positions, k, layout), eigenSmooth);
            case XGRADCAM -> GradCam.map(activations, offset, positions, k, layout,
                    xGradCamWeights(activations, grad, offset, positions, k, layout), eigenSmooth);
            case LAYERCAM -> GradCam.weightedMap(activations, offset, positions, k, layout,
                    (c, i) -> Math.max(0, grad[i]), eigenSmooth);
            case HIRESCAM -> GradCam.weightedMap(activations, offset, positions, k, layout, (c, i) -> grad[i],
                    eigenSmooth);
            case EIGENCAM -> GradCam.principalMap(offset, positions, k, layout, (c, i) -> activations[i]);
            case EIGENGRADCAM -> GradCam.principalMap(offset, positions, k, layout,
                    (c, i) -> (double) grad[i] * activations[i]);
            default -> throw new IllegalArgumentException(method.title() + " is not a Grad-CAM variant computed from "
                    + "activations and gradients alone");
        };
    }

    /** Grad-CAM++'s channel weights {@code w_k = Σ_ij alpha^k_ij ReLU(G^k_ij)}. */
    public static double[] gradCamPlusPlusWeights(float[] activations, float[] grad, int offset, int positions,
            int channels, DataLayout layout) {
        double[] sumA = GradCam.channelSums(offset, positions, channels, layout, (c, i) -> activations[i]);
        return GradCam.channelSums(offset, positions, channels, layout,
                (c, i) -> gradCamPlusPlusTerm(grad[i], sumA[c]));
    }

    /** One position's share of Grad-CAM++'s weight: {@code alpha · ReLU(G)} for gradient g and the channel's Σ A. */
    static double gradCamPlusPlusTerm(double g, double sumA) {
        double g2 = g * g;
        double alpha = g != 0 ? g2 / (2 * g2 + sumA * g2 * g + GRADCAM_PLUSPLUS_EPS) : 0;
        return alpha * Math.max(0, g);
    }

    /** XGrad-CAM's channel weights {@code w_k = Σ_ij G^k_ij A^k_ij / (Σ_ij A^k_ij + eps)}. */
    public static double[] xGradCamWeights(float[] activations, float[] grad, int offset, int positions,
            int channels, DataLayout layout) {
        double[] sumA = GradCam.channelSums(offset, positions, channels, layout, (c, i) -> activations[i]);
        double[] weights = GradCam.channelSums(offset, positions, channels, layout,
                (c, i) -> (double) grad[i] * activations[i]);
        for (int c = 0; c < channels; c++) {
            weights[c] /= sumA[c] + XGRADCAM_EPS;
        }
        return weights;
    }

}
