"""Peer side of scripts/compare-speed: how long pytorch-grad-cam takes on torchvision's VGG-16, ResNet-50 and
MobileNetV2 at full width (random weights: speed does not depend on them), one 224x224 image, the given number of
threads. Writes a JSON file of per-method times (ms, every run) and the networks' multiply-add counts, which
compare-speed puts beside this project's scripts/benchmark numbers.

Methods timed, as a pytorch-grad-cam user would call them (the peer's README and cam.py example):
  inference        model(x) under torch.no_grad()
  gradcam          GradCAM(model, target_layers)(x, targets=[ClassifierOutputTarget(c)])
  guided_gradcam   the gradcam call, GuidedBackpropReLUModel(model)(x, c), and their product (cam.py's cam_gb)
Target layers are the ones the peer's README names: vgg16 features[-1], resnet50 layer4[-1], mobilenet_v2
features[-1]. Never part of the Maven build.
"""

import argparse
import json
import platform
import time

import statistics
import sys


def network(kind):
    import torchvision

    if kind == "vgg16":
        m = torchvision.models.vgg16(weights=None)
        return m, [m.features[-1]]
    if kind == "resnet50":
        m = torchvision.models.resnet50(weights=None)
        return m, [m.layer4[-1]]
    if kind == "mobilenetv2":
        m = torchvision.models.mobilenet_v2(weights=None)
        return m, [m.features[-1]]
    raise SystemExit(f"speed_pytorch_grad_cam: unknown architecture {kind} (vgg16, resnet50, mobilenetv2)")


def multiply_adds(model, x):
    """Multiply-adds of one forward pass: convolutions and dense layers (the rest is a few per cent at most)."""
    import torch

    total = [0]

    def conv(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        total[0] += out.numel() * k

    def dense(m, inp, out):
        total[0] += m.in_features * m.out_features * out.shape[0]

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(dense))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return ms


def peer(argv):
    import numpy as np
    import torch
    from pytorch_grad_cam import GradCAM, GuidedBackpropReLUModel
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="vgg16,resnet50,mobilenetv2")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(1, 3, 224, 224)
    result = {"library": "pytorch-grad-cam", "torch": torch.__version__, "threads": a.threads,
              "python": platform.python_version(), "models": {}}
    for kind in a.models.split(","):
        model, layers = network(kind.strip())
        model.eval()
        with torch.no_grad():
            top = int(model(x).argmax())
        targets = [ClassifierOutputTarget(top)]
        cam = GradCAM(model=model, target_layers=layers)
        guided = GuidedBackpropReLUModel(model=model, device="cpu")

        def inference():
            with torch.no_grad():
                model(x)

        def gradcam():
            return cam(input_tensor=x, targets=targets)[0]

        def guided_gradcam():
            g = gradcam()
            gb = guided(x, target_category=top)
            return gb * g[:, :, None]

        r = {"multiply_adds": multiply_adds(model, x), "target_layer": type(layers[0]).__name__}
        for name, fn in (("inference", inference), ("gradcam", gradcam), ("guided_gradcam", guided_gradcam)):
            r[name + "_ms"] = timed(fn, a.warmup, a.runs)
            print(f"speed_pytorch_grad_cam: {kind} {name} median {np.median(r[name + '_ms']):.1f} ms",
                  file=sys.stderr)
        result["models"][kind] = r
        cam.activations_and_grads.release()
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


def table(argv):
    """Markdown on stdout: this project's scripts/benchmark JSON beside the peer's runs (before and after it)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--peer", nargs="+", required=True)
    ap.add_argument("--peak-gflops", type=float, default=0)
    a = ap.parse_args(argv)
    ours = {m["name"]: m for m in json.load(open(a.ours))["models"]}
    peers = [json.load(open(p)) for p in a.peer]
    med = statistics.median
    rows = []
    for kind in peers[0]["models"]:
        if kind not in ours:
            continue
        o = ours[kind]
        p = [q["models"][kind] for q in peers]

        def peer_range(key):
            v = [med(q[key + "_ms"]) for q in p]
            return min(v), max(v)

        cells = [kind]
        for key in ("inference", "gradcam", "guided_gradcam"):
            lo, hi = peer_range(key)
            mine = o[key + "_ms"]
            peer_txt = f"{lo:,.0f}" if round(lo) == round(hi) else f"{lo:,.0f}–{hi:,.0f}"
            cells += [peer_txt, f"{mine:,.1f}", f"{lo / mine:.1f}×"]
        cells += [f"{o['gradcam_ratio']:.2f}×", f"{o['guided_gradcam_ratio']:.2f}×"]
        flops = 2 * p[0]["multiply_adds"]
        gflops = flops / (o["inference_ms"] / 1000) / 1e9
        peer_gflops = flops / (min(peer_range("inference")) / 1000) / 1e9
        cells.append(f"{gflops:,.0f}" + (f" ({100 * gflops / a.peak_gflops:.0f} %)" if a.peak_gflops else ""))
        cells.append(f"{peer_gflops:,.0f}")
        t = o.get("throughput", {})
        cells.append(f"{t['8'] / t['1']:.2f}×" if "1" in t and "8" in t else "–")
        rows.append("| " + " | ".join(cells) + " |")
    print("| architecture | peer inference ms | inference ms | × | peer GradCAM ms | Grad-CAM ms | speed-up "
          "| peer GradCAM + GuidedBackprop ms | Guided Grad-CAM ms | speed-up | Grad-CAM ÷ inference "
          "| Guided Grad-CAM ÷ inference | GFLOP/s (of peak) | peer GFLOP/s | batch 8 ÷ batch 1 (images/s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "table":
        table(sys.argv[2:])
    else:
        peer(sys.argv[1:])
