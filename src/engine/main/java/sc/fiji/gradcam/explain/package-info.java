/**
 * The explanation methods of Selvaraju et al. (arXiv 1610.02391) — Grad-CAM, its counterfactual,
 * the vanilla gradient, Guided Backpropagation and Guided Grad-CAM — the Grad-CAM variants Grad-CAM++,
 * XGrad-CAM, LayerCAM, HiResCAM, EigenCAM and EigenGrad-CAM ({@link sc.fiji.gradcam.explain.CamVariants}, the Eigen
 * ones through {@link sc.fiji.gradcam.explain.PrincipalProjection}), the perturbation CAMs Score-CAM and Ablation-CAM
 * ({@code ScoreCam}, {@code AblationCam}: one forward pass per channel of the layer), and the {@link
 * sc.fiji.gradcam.explain.Explainer} facade that computes them for images in one session run (plus the perturbation
 * methods' forward passes).
 * ImgLib2 images out; no ImageJ or CLI types.
 */
package sc.fiji.gradcam.explain;
