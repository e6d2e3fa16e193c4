/**
 * BioImage.IO model packages (spec 0.4 and 0.5): reading a description ({@code rdf.yaml}, {@code *.bioimageio.yaml}
 * or a package {@code .zip}) into records ({@link sc.fiji.gradcam.bioimageio.ModelDescription}), unpacking packages
 * safely into a per-package cache folder ({@link sc.fiji.gradcam.bioimageio.PackageCache}), {@code .npy} files
 * ({@link sc.fiji.gradcam.bioimageio.Npy}), the described pre- and postprocessing on n-d float arrays
 * ({@link sc.fiji.gradcam.bioimageio.Processing}) and the {@code verify} runner
 * ({@link sc.fiji.gradcam.bioimageio.PackageVerifier}, the only class here that touches TensorFlow).
 *
 * <p>The package lives in the engine module, not in {@code sc.fiji.gradcam.api}, because its two libraries
 * (snakeyaml-engine, commons-compress) then ship in {@code Fiji.app/lib/gradcam} behind the engine's child-first
 * class loader, where they can never clash with another plugin's copy in Fiji's {@code jars/}; the parsing classes
 * import no TensorFlow type, so they could move to an engine-free module unchanged.
 *
 * <p>YAML is read with snakeyaml-engine (YAML 1.2 core schema), which only ever builds maps, lists, strings, numbers
 * and booleans: descriptions come from strangers, and a loader that can construct arbitrary Java types from tags
 * (as SnakeYAML 1.x's default constructor could) would let a description run code.
 */
package sc.fiji.gradcam.bioimageio;
