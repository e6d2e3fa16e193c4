/**
 * Test fixtures: small seeded image-classifier SavedModels built with TF Java, for tests and benchmarks.
 *
 * <p>{@link sc.fiji.gradcam.testmodels.TestModels#build} writes {@code saved_model.pb} + {@code variables/}
 * for one of four {@link sc.fiji.gradcam.testmodels.Architecture}s in one of two
 * {@link sc.fiji.gradcam.testmodels.SaveStyle}s:
 *
 * <ul>
 *   <li>{@code TF1_GRAPH}: all layer ops at the top level ({@code image} → {@code dense/Softmax:0}), empty
 *       function library; weights are {@code VarHandleOp}s read by top-level {@code ReadVariableOp}s.
 *   <li>{@code FUNCTION_CALL}: top level = {@code serving_default_image}, {@code VarHandleOp}s,
 *       {@code StatefulPartitionedCall} (f = {@code __inference_signature_wrapper_*}) and the saver; the wrapper
 *       calls {@code __inference_<arch>_layer_call_and_return_conditional_losses_*} through a nested
 *       {@code StatefulPartitionedCall}; that function takes the variables as {@code DT_RESOURCE} arguments and
 *       holds every layer. Output tensor {@code StatefulPartitionedCall:0}.
 * </ul>
 *
 * <p>Both styles use the TF1 saver ({@code save/Const:0}, {@code save/control_dependency:0},
 * {@code save/restore_all}), so DJL and {@code SavedModelBundle.load(dir, "serve")} restore the weights.
 * The same spec with a different style gives the same weights and outputs. So does another
 * {@link sc.fiji.gradcam.testmodels.Layout}: an {@code [N, C, H, W]} input transposed once, or onnx-tf's
 * channels-first feature maps (GAP and VGG).
 */
package sc.fiji.gradcam.testmodels;
