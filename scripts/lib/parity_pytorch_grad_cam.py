"""Peer side of the parity suite (docs/parity.md): pytorch-grad-cam and Captum on the trainer's SmallCnn.

Builds, in PyTorch, the network that sc.fiji.gradcam.training.SmallCnn builds in TensorFlow (3x3 SAME conv +
bias + ReLU blocks, 2x2 max-pool between blocks, global average (and max) pooling, dense, softmax), with random
weights from a fixed seed, runs the peers on two real RGB crops and writes .npy fixtures that
sc.fiji.gradcam.parity.PytorchGradCamParityTest (in `mvn verify`) compares this project's maps with.

Weights are written in TensorFlow's layout (conv kernels HWIO, dense [in, out]) under the graph's variable names
('/' written as '__'); the torch model is loaded from the same arrays, transposed to OIHW. Every map is written
for every image and class at feature resolution (the peer's get_cam_image output before its ReLU, recorded by
wrapping that method on the instance: the peer's own code computes it), and at input resolution (the peer's
__call__ output) for each image's top-1 class.

Run through scripts/compare-pytorch-grad-cam; never part of the Maven build.
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

import pytorch_grad_cam
import pytorch_grad_cam.ablation_cam
import pytorch_grad_cam.score_cam
from pytorch_grad_cam import (AblationCAM, EigenCAM, EigenGradCAM, FullGrad, GradCAM, GradCAMPlusPlus,
                              GuidedBackpropReLUModel, HiResCAM, LayerCAM, ScoreCAM, XGradCAM)
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget


class _Quiet:
    """tqdm stand-in: the peers wrap their channel loops in progress bars."""

    def __init__(self, iterable=None, *args, **kwargs):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)


pytorch_grad_cam.score_cam.tqdm.tqdm = _Quiet
pytorch_grad_cam.ablation_cam.tqdm.tqdm = _Quiet


def scope(convs, b, j):
    """The graph scope of conv j of block b (1-based), as SmallCnn names it: blockB, or blockB/convJ."""
    return f"block{b}" if convs[b - 1] == 1 else f"block{b}/conv{j}"


class SmallCnn(nn.Module):
    """The trainer's SmallCnn: blocks of `convs[b]` conv + ReLU, a 2x2 max-pool after every block but the last, the
    head 'avg' (gap), 'max' (gmp) or 'avg-max' (concat(gap, gmp)), dense to the logits; or 'flatten' (VGG-16's
    head): a pool after the last block too, flatten in TensorFlow's NHWC order, fc1 and fc2 (`fc` wide, ReLU)."""

    def __init__(self, channels, widths, classes, head, convs=None, fc=0, size=0):
        super().__init__()
        self.widths = widths
        self.convs = convs or [1] * len(widths)
        self.head = head
        c = channels
        for b, w in enumerate(widths, start=1):
            for j in range(1, self.convs[b - 1] + 1):
                setattr(self, f"conv{b}_{j}", nn.Conv2d(c, w, 3, padding=1))
                setattr(self, f"relu{b}_{j}", nn.ReLU())
                c = w
            if b < len(widths) or head == "flatten":
                setattr(self, f"pool{b}", nn.MaxPool2d(2))
        if head == "flatten":
            flat = (size >> len(widths)) ** 2 * c
            self.fc1, self.fc2 = nn.Linear(flat, fc), nn.Linear(fc, fc)
            # ReLU modules, as torchvision's VGG has them: the peer's Guided Backprop swaps nn.ReLU modules only
            self.fc1_relu, self.fc2_relu = nn.ReLU(), nn.ReLU()
            c = fc
        self.dense = nn.Linear(2 * c if head == "avg-max" else c, classes)

    def last_relu(self):
        return getattr(self, f"relu{len(self.widths)}_{self.convs[-1]}")

    def forward(self, x):
        for b in range(1, len(self.widths) + 1):
            for j in range(1, self.convs[b - 1] + 1):
                x = getattr(self, f"relu{b}_{j}")(getattr(self, f"conv{b}_{j}")(x))
            if b < len(self.widths) or self.head == "flatten":
                x = getattr(self, f"pool{b}")(x)
        if self.head == "flatten":
            x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras' Flatten on NHWC: height, width, channel
            return self.dense(self.fc2_relu(self.fc2(self.fc1_relu(self.fc1(x)))))
        gap, gmp = x.mean(dim=(2, 3)), x.amax(dim=(2, 3))
        pooled = {"avg": gap, "max": gmp}.get(self.head)
        if pooled is None:
            pooled = torch.cat([gap, gmp], dim=1)
        return self.dense(pooled)  # logits: ClassifierOutputTarget takes these, the project's default score


def tf_weights(channels, widths, convs, classes, head, rng, bias_sd, dense_gain, fc=0, size=0):
    """He-normal conv kernels (HWIO), Gaussian biases, a dense layer scaled so that the logits spread."""
    weights = {}
    c = channels
    for b, w in enumerate(widths, start=1):
        for j in range(1, convs[b - 1] + 1):
            weights[scope(convs, b, j) + "/kernel"] = rng.normal(0, np.sqrt(2.0 / (9 * c)), (3, 3, c, w)).astype(np.float32)
            weights[scope(convs, b, j) + "/bias"] = rng.normal(0, bias_sd, (w,)).astype(np.float32)
            c = w
    pooled = 2 * c if head == "avg-max" else c
    if head == "flatten":  # He-normal, as SmallCnn.initialValue draws them
        flat = (size >> len(widths)) ** 2 * c
        for name, fan_in, shape in (("fc1", flat, (flat, fc)), ("fc2", fc, (fc, fc))):
            weights[name + "/kernel"] = rng.normal(0, np.sqrt(2.0 / fan_in), shape).astype(np.float32)
            weights[name + "/bias"] = rng.normal(0, bias_sd, (fc,)).astype(np.float32)
        pooled = fc
    weights["dense/kernel"] = rng.normal(0, dense_gain * np.sqrt(1.0 / pooled), (pooled, classes)).astype(np.float32)
    weights["dense/bias"] = rng.normal(0, bias_sd, (classes,)).astype(np.float32)
    return weights


def load_into(net, weights):
    with torch.no_grad():
        for b in range(1, len(net.widths) + 1):
            for j in range(1, net.convs[b - 1] + 1):
                conv = getattr(net, f"conv{b}_{j}")
                name = scope(net.convs, b, j)
                conv.weight.copy_(torch.from_numpy(weights[name + "/kernel"].transpose(3, 2, 0, 1).copy()))
                conv.bias.copy_(torch.from_numpy(weights[name + "/bias"]))
        if net.head == "flatten":
            for name in ("fc1", "fc2"):
                getattr(net, name).weight.copy_(torch.from_numpy(weights[name + "/kernel"].T.copy()))
                getattr(net, name).bias.copy_(torch.from_numpy(weights[name + "/bias"]))
        net.dense.weight.copy_(torch.from_numpy(weights["dense/kernel"].T.copy()))
        net.dense.bias.copy_(torch.from_numpy(weights["dense/bias"]))
    net.eval()


def spread(net, weights, x, rng, target):
    """Redraws the dense layer until the logits are useful: each image's top-1 ahead of its second by at least
    target/4, different top-1 classes for the two images, and logits of both signs (random weights alone gave logits of
    one sign and one top-1 for every image, which would leave Ablation-CAM's |y_c| and class discrimination
    untested). The bias centres each class's logit over the images, plus noise. Draws from the same generator, so the weights are fixed by the seed; the kernel is then scaled so that
    the largest |logit| is `target`."""
    kernel, bias = weights["dense/kernel"], weights["dense/bias"]
    for attempt in range(1000):
        if attempt:
            kernel[:] = rng.normal(0, np.sqrt(1.0 / kernel.shape[0]), kernel.shape)
        bias[:] = 0
        load_into(net, weights)
        with torch.no_grad():
            z = net(x).numpy().astype(np.float64)
        # centred over the images (pooled features of two cells differ little next to what they share), plus noise
        offset = -z.mean(axis=0) + rng.normal(0, 0.25, z.shape[1]) * np.abs(z - z.mean(axis=0)).max()
        bias[:] = offset
        z = z + offset
        scale = target / np.abs(z).max()
        z = z * scale
        top = np.sort(z, axis=1)
        if ((top[:, -1] - top[:, -2]).min() >= target / 4 and len(set(z.argmax(axis=1))) == len(z)
                and (z > 0).any() and (z < 0).any() and all((r > 0).any() and (r < 0).any() for r in z)):
            kernel *= np.float32(scale)
            bias *= np.float32(scale)
            load_into(net, weights)
            return attempt
    raise RuntimeError("no dense layer in 1000 draws gives spread logits")


# the CAM methods both libraries have: fixture name -> pytorch-grad-cam class
CAMS = {
    "gradcam": GradCAM,
    "hirescam": HiResCAM,
    "gradcam-plusplus": GradCAMPlusPlus,
    "xgradcam": XGradCAM,
    "layercam": LayerCAM,
    "eigencam": EigenCAM,
    "eigengradcam": EigenGradCAM,
    "scorecam": ScoreCAM,
    "ablationcam": AblationCAM,
}
# methods whose eigen_smooth run differs from the plain one (the Eigen maps are projections already)
EIGEN_SMOOTHED = ["gradcam", "hirescam", "gradcam-plusplus", "xgradcam", "layercam", "scorecam", "ablationcam"]


class CenteredUpsampling(nn.Module):
    """UpsamplingBilinear2d with align_corners=False: pixel centres aligned, edges clamped (this project's resize)."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, x):
        return nn.functional.interpolate(x, size=self.size, mode="bilinear", align_corners=False)


class Negated:
    """A target whose score is minus the given one's: Grad-CAM of it is the counterfactual map (Selvaraju et al.,
    weights from -dy_c/dA), through pytorch-grad-cam's public target API."""

    def __init__(self, target):
        self.target = target

    def __call__(self, output):
        return -self.target(output)


def make_cam(name, net):
    cls = GradCAM if name == "counterfactual" else CAMS[name.split("@")[0]]
    return cls(model=net, target_layers=[net.last_relu()])


def recorded(cam):
    """Wraps the instance's get_cam_image: per call, its output (the pre-ReLU map at feature resolution), the
    per-position channel sums of A and of G * A it was given (the data this project's Eigen sign rule reads) and the
    target scores of the input of that call (the peer keeps the outputs of its last forward pass)."""
    calls = []
    original = cam.get_cam_image

    def wrapped(input_tensor, target_layer, targets, activations, grads, eigen_smooth=False):
        out = original(input_tensor, target_layer, targets, activations, grads, eigen_smooth)
        a = np.asarray(activations, dtype=np.float64)
        ga = np.asarray(grads, dtype=np.float64) * a if grads is not None else np.zeros_like(a)
        scores = [float(t(o)) for t, o in zip(targets, cam.outputs)]
        calls.append(dict(pre=np.array(out, dtype=np.float32), sum_a=a.sum(axis=1).astype(np.float32),
                          sum_ga=ga.sum(axis=1).astype(np.float32), scores=np.float32(scores)))
        return out

    cam.get_cam_image = wrapped
    return calls


def run_cam(name, net, x, targets, eigen_smooth=False, aug_smooth=False):
    """(pre-ReLU feature maps of every get_cam_image call, the peer's __call__ output at input resolution)."""
    centred = name.endswith("@centres")
    original = torch.nn.UpsamplingBilinear2d
    if centred:
        torch.nn.UpsamplingBilinear2d = CenteredUpsampling
    if name == "counterfactual":
        targets = [Negated(t) for t in targets]
    try:
        cam = make_cam(name, net)
        calls = recorded(cam)
        out = cam(input_tensor=x, targets=targets, eigen_smooth=eigen_smooth, aug_smooth=aug_smooth)
        transforms = list(cam.tta_transforms)
        cam.activations_and_grads.release()
    finally:
        torch.nn.UpsamplingBilinear2d = original
    return calls, np.asarray(out, dtype=np.float32), transforms


class JavaRandom:
    """java.util.Random (48-bit LCG, nextDouble, the polar nextGaussian): the noise this project's SmoothGrad draws."""

    MASK = (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & self.MASK
        self.spare = None

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & self.MASK
        return self.seed >> (48 - bits)

    def next_double(self):
        return ((self.next(26) << 27) + self.next(27)) * 2.0 ** -53

    def next_gaussian(self):
        if self.spare is not None:
            g, self.spare = self.spare, None
            return g
        while True:
            v1, v2 = 2 * self.next_double() - 1, 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        m = math.sqrt(-2 * math.log(s) / s)
        self.spare = v2 * m
        return v1 * m


# InputAttributions' SmoothGrad settings: samples, noise as a share of the input range (0..1 here), seed
SMOOTH_SAMPLES, SMOOTH_NOISE, SMOOTH_SEED = 25, 0.15, 20170612


def java_noise(n, h, w, c):
    """The noise InputAttributions adds, sigma * Random(seed).nextGaussian() per sample and NHWC value, as
    [n, c, h, w] float32 (a fresh generator per image and class there, so the same noise for each)."""
    r = JavaRandom(SMOOTH_SEED)
    g = np.array([SMOOTH_NOISE * r.next_gaussian() for _ in range(n * h * w * c)]).reshape(n, h, w, c)
    return torch.from_numpy(g.transpose(0, 3, 1, 2).astype(np.float32).copy())


def noise_tunnel(net, xs, target, nt_type):
    """Captum's NoiseTunnel over Saliency (abs=False) with this project's noise: torch.normal, which Captum draws its
    noise with, returns InputAttributions' Java noise for that one call (nothing else of Captum is changed)."""
    from captum.attr import NoiseTunnel, Saliency
    n, c, h, w = xs.shape
    noise = torch.cat([java_noise(SMOOTH_SAMPLES, h, w, c)] * n)  # repeat_interleave order: image-major
    original = torch.normal

    def normal(mean, std, *args, **kwargs):
        assert tuple(std.shape) == tuple(noise.shape), (std.shape, noise.shape)
        return noise.clone()

    torch.normal = normal
    try:
        return NoiseTunnel(Saliency(net)).attribute(xs, nt_type=nt_type, nt_samples=SMOOTH_SAMPLES,
                                                    stdevs=SMOOTH_NOISE, target=target, abs=False)
    finally:
        torch.normal = original


def captum_maps(net, x, top1):
    from captum.attr import InputXGradient, IntegratedGradients, Occlusion, Saliency
    xs = x.clone().requires_grad_(True)
    target = torch.from_numpy(top1.astype(np.int64))
    saliency = Saliency(net).attribute(xs, target=target, abs=False)
    ixg = InputXGradient(net).attribute(xs, target=target)
    ig = IntegratedGradients(net).attribute(xs, target=target, n_steps=50, method="gausslegendre")
    size = x.shape[-1]
    window = max(1, int(round(size / 8)))
    stride = max(1, window // 2)
    occ = Occlusion(net).attribute(x, target=target, sliding_window_shapes=(x.shape[1], window, window),
                                   strides=(x.shape[1], stride, stride), baselines=0)
    smooth = [(name, noise_tunnel(net, xs, target, kind)) for name, kind in
              [("smoothgrad", "smoothgrad"), ("smoothgrad-sq", "smoothgrad_sq"), ("vargrad", "vargrad")]]
    return [("gradient", saliency), ("input-x-gradient", ixg), ("integrated-gradients", ig), ("occlusion", occ)] + smooth


def nhwc(t):
    return t.detach().numpy().transpose(0, 2, 3, 1).astype(np.float32)


def write(out, name, array, log):
    path = os.path.join(out, name + ".npy")
    np.save(path, np.ascontiguousarray(array))
    log.append((name, list(np.shape(array))))


def run_net(spec, images, out, seed):
    os.makedirs(os.path.join(out, "weights"), exist_ok=True)
    convs = spec.get("convs") or [1] * len(spec["widths"])
    fc = spec.get("fc", 0)
    net = SmallCnn(3, spec["widths"], spec["classes"], spec["head"], convs, fc, images.shape[1])
    x = torch.from_numpy((images.astype(np.float64) / 255.0).astype(np.float32).transpose(0, 3, 1, 2).copy())
    if spec.get("weights"):  # a trained model's weights, as DumpSmallCnn wrote them
        weights = spec["weights"]
        load_into(net, weights)
        draws = -1
    else:
        rng = np.random.default_rng(seed)
        weights = tf_weights(3, spec["widths"], convs, spec["classes"], spec["head"], rng, spec["bias_sd"],
                             spec["dense_gain"], fc, images.shape[1])
        draws = spread(net, weights, x, rng, spec["logit_spread"])
        for k, v in weights.items():
            np.save(os.path.join(out, "weights", k.replace("/", "__") + ".npy"), v)
    n, classes = x.shape[0], spec["classes"]
    log = []

    # logits, activations and gradients at the target layer (the peer's own hooks)
    from pytorch_grad_cam.activations_and_gradients import ActivationsAndGradients
    hooks = ActivationsAndGradients(net, [net.last_relu()], None)
    grads = []
    for c in range(classes):
        logits = hooks(x)
        net.zero_grad()
        sum(ClassifierOutputTarget(c)(o) for o in logits).backward()
        grads.append(hooks.gradients[0].numpy())
    activations = hooks.activations[0].numpy()
    hooks.release()
    logits = logits.detach().numpy()
    top1 = logits.argmax(axis=1)
    write(out, "logits", logits, log)
    write(out, "activations", activations, log)
    write(out, "gradients", np.stack(grads, axis=1), log)  # [n, class, K, h, w]

    # every method, image and class at feature resolution, before the ReLU
    names = ([m for m in CAMS] + ["scorecam@centres"] + [m + "+eigen" for m in EIGEN_SMOOTHED]
             + ["scorecam@centres+eigen", "counterfactual", "counterfactual+eigen"])
    skip = spec.get("skip", [])  # methods left out on a large net (Score-CAM, Ablation-CAM: a pass per channel)
    names = [m for m in names if m.split("@")[0].replace("+eigen", "") not in skip]
    feature = []
    input_maps = {}
    for name in names:
        method, eigen = name.replace("+eigen", ""), name.endswith("+eigen")
        per_class = []
        for c in range(classes):
            calls, _, _ = run_cam(method, net, x, [ClassifierOutputTarget(c)] * n, eigen_smooth=eigen)
            assert len(calls) == 1, (name, len(calls))
            per_class.append(calls[0]["pre"])
        feature.append(np.stack(per_class, axis=1))  # [n, class, h, w]
        if not eigen and spec["input_maps"]:
            # the peer's own result at input resolution, each image's top-1 class (targets=None: its argmax)
            top = [ClassifierOutputTarget(int(c)) for c in top1] if method == "counterfactual" else None
            _, full, _ = run_cam(method, net, x, top)
            input_maps[method] = full
    write(out, "feature", np.stack(feature), log)
    write_names(out, "feature", names)
    if spec["input_maps"]:
        write(out, "input", np.stack([input_maps[m] for m in input_maps]), log)
        write_names(out, "input", list(input_maps))
    write(out, "top1", top1.astype(np.float32), log)

    # aug_smooth, each image's top-1 class given explicitly: the six de-augmented raw maps (the peer's
    # deaugment_mask on its feature maps) and the peer's smoothed result at input resolution
    aug_names = [m for m in [m for m in CAMS if m != "scorecam"] + ["scorecam@centres"] if m.split("@")[0] not in skip]
    aug_pre, aug_full = [], []
    aug_sums = aug_scores = None
    for method in aug_names:
        targets = [ClassifierOutputTarget(int(c)) for c in top1]
        calls, full, transforms = run_cam(method, net, x, targets, aug_smooth=True)
        assert len(calls) == len(transforms) == 6, (method, len(calls))

        def back(t, maps):
            return t.deaugment_mask(torch.from_numpy(np.ascontiguousarray(maps[:, None]))).numpy()[:, 0]

        aug_pre.append(np.stack([back(t, call["pre"]) for call, t in zip(calls, transforms)], axis=1))
        aug_full.append(full)
        if method == "eigengradcam":  # gradients of the same class: both sums for every augmented input
            aug_sums = np.stack([np.stack([back(t, call["sum_a"]), back(t, call["sum_ga"])], axis=1)
                                 for call, t in zip(calls, transforms)], axis=1)  # [n, 6, 2, h, w]
            aug_scores = np.stack([call["scores"] for call in calls], axis=1)  # [n, 6]
    write(out, "aug-feature", np.stack(aug_pre), log)  # [method, n, 6, h, w], de-augmented, before the ReLU
    write(out, "aug-sums", aug_sums, log)
    write(out, "aug-scores", aug_scores, log)
    if spec["input_maps"]:
        write(out, "aug-input", np.stack(aug_full), log)
    write_names(out, "aug", aug_names)

    # FullGrad, every image and class, the peer's result at input resolution (no target layer: it takes every Conv2d
    # with a bias by itself); deterministic, so the fixtures written before it keep their bytes
    full = []
    for c in range(classes):
        cam = FullGrad(model=net, target_layers=[])
        full.append(np.asarray(cam(input_tensor=x, targets=[ClassifierOutputTarget(c)] * n), dtype=np.float32))
        cam.activations_and_grads.release()
    write(out, "fullgrad", np.stack(full, axis=1), log)  # [n, class, h, w]

    if not spec["input_maps"]:
        return finish(out, spec, images, classes, seed, draws, log, logits)

    # Guided Backprop and Guided Grad-CAM (the peer README's product), top-1 class, one image at a time
    gb_model = GuidedBackpropReLUModel(model=net, device="cpu")
    guided = []
    for i in range(n):
        gb = gb_model(x[i:i + 1].clone(), target_category=int(top1[i]))
        grayscale = input_maps["gradcam"][i]
        guided.append(np.stack([gb, np.stack([grayscale] * 3, axis=-1) * gb]))
    write(out, "guided", np.stack(guided, axis=1).astype(np.float32), log)  # [gb|ggc, n, h, w, 3]

    # Captum, top-1 class
    if spec.get("captum"):
        maps = captum_maps(net, x, top1)
        write(out, "captum", np.stack([nhwc(a) for _, a in maps]), log)
        write_names(out, "captum", [k for k, _ in maps])

    return finish(out, spec, images, classes, seed, draws, log, logits)


def finish(out, spec, images, classes, seed, draws, log, logits):
    if spec.get("weights"):
        return log, logits  # DumpSmallCnn wrote net.properties
    with open(os.path.join(out, "net.properties"), "w") as f:
        f.write("# written by scripts/compare-pytorch-grad-cam (scripts/lib/parity_pytorch_grad_cam.py)\n")
        f.write(f"size={images.shape[1]}\nwidths={','.join(map(str, spec['widths']))}\n")
        f.write(f"convs={','.join(map(str, spec.get('convs') or [1] * len(spec['widths'])))}\n")
        f.write(f"classes={classes}\nhead={spec['head']}\nseed={seed}\ndense.draws={draws + 1}\n")
        if spec.get("fc"):
            f.write(f"fc={spec['fc']}\n")
        f.write(f"torch={torch.__version__}\nnumpy={np.__version__}\n")
    return log, logits


def write_names(out, name, names):
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write("\n".join(names) + "\n")


def crops(paths, size):
    from PIL import Image
    return np.stack([np.asarray(Image.open(p).convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.uint8)
                     for p in paths])


NETS = {
    # one conv per block, few channels: every method at feature and input resolution, Guided Backprop, Captum
    "tiny-avgmax": dict(widths=[6, 8, 12], classes=3, head="avg-max", bias_sd=0.05, dense_gain=1.0, logit_spread=2.0, input_maps=True, captum=True),
    # the classic CAM head (Grad-CAM = HiResCAM there, XGrad-CAM nearly): feature resolution only
    "tiny-gap": dict(widths=[6, 8, 12], classes=3, head="avg", bias_sd=0.05, dense_gain=1.0, logit_spread=2.0, input_maps=False, captum=False),
    # VGG-style two convs per block and a global max head (gradients at one position per channel): feature resolution
    # VGG-16 at full width (13 convs in 5 blocks of 2, 2, 3, 3, 3; pool, flatten, fc1 and fc2 of 4096; 3 classes) at
    # 224 x 224: generated on demand (`scripts/compare-pytorch-grad-cam --vgg16`, 553 MB of weights), never committed;
    # input-resolution maps and Guided Backprop too; Score-CAM and Ablation-CAM left out (512 passes each per image
    # and class), Captum too
    "vgg16": dict(widths=[64, 128, 256, 512, 512], convs=[2, 2, 3, 3, 3], head="flatten", fc=4096, classes=3, bias_sd=0.05,
                  dense_gain=1.0, logit_spread=2.0, input_maps=True, captum=False, skip=["scorecam", "ablationcam"],
                  size=224),
    "tiny-vgg-max": dict(widths=[6, 8, 12], convs=[2, 2, 2], classes=3, head="max", bias_sd=0.05, dense_gain=1.0,
                         logit_spread=2.0, input_maps=False, captum=False),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--images", nargs="+", required=True)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--seed", type=int, default=20260607)
    p.add_argument("--nets", default=",".join(n for n in NETS if "size" not in NETS[n]))
    p.add_argument("--trained", help="a net folder written by DumpSmallCnn (net.properties, weights/): that net only")
    a = p.parse_args()
    if a.trained:
        props = dict(line.strip().split("=", 1) for line in open(os.path.join(a.trained, "net.properties"))
                     if "=" in line and not line.startswith("#"))
        weights = {f[:-4].replace("__", "/"): np.load(os.path.join(a.trained, "weights", f))
                   for f in os.listdir(os.path.join(a.trained, "weights"))}
        name = os.path.basename(os.path.normpath(a.trained))
        NETS[name] = dict(widths=[int(w) for w in props["widths"].split(",")], classes=int(props["classes"]),
                          convs=[int(c) for c in props.get("convs", "").split(",") if c],
                          head=props["head"], weights=weights, input_maps=True, captum=True)
        a.nets = name
        a.size = int(props["size"])
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    sizes = {NETS[n]["size"] for n in a.nets.split(",") if "size" in NETS[n]}
    if len(sizes) > 1 or sizes and a.nets.split(",") != [n for n in a.nets.split(",") if "size" in NETS[n]]:
        raise SystemExit("parity: nets of different input sizes need separate runs (separate --out folders)")
    if sizes:
        a.size = sizes.pop()
    images = crops(a.images, a.size)
    np.save(os.path.join(a.out, "images.npy"), images)
    with open(os.path.join(a.out, "images.txt"), "w") as f:
        f.write("\n".join(os.path.basename(q) for q in a.images) + "\n")
    for k, name in enumerate(a.nets.split(",")):
        log, logits = run_net(NETS[name], images, os.path.join(a.out, name), a.seed + k)
        print(f"{name}: logits {np.round(logits, 3).tolist()}", file=sys.stderr)
        for entry, shape in log:
            print(f"  {entry} {shape}", file=sys.stderr)


if __name__ == "__main__":
    main()
