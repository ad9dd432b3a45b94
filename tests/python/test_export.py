"""The independent check of the safetensors export and the PyTorch code (`make test-python`).

tests/export.rs (`python_fixture`) writes target/export-check/: per case the weights (.safetensors), the exported
PyTorch code (.py), and in cases.json a few raw images (the 8x8 digits as 0..16 values, or images in [0, 1]) with
the engine's float32 logits for them. This test, which shares no code with the Rust side:
1. reads each file with the `safetensors` package and checks the names, shapes and dtypes against the model spec
   in its metadata, parsed here from the documented syntax;
2. builds that spec from numpy layers (numpy_torch.py, written from PyTorch's documentation), loads the file with
   torch's strict load_state_dict rule, feeds the RAW images through the preprocessing (divide by the largest pixel
   value, bilinear resizing with align_corners=False) and checks the logits against the engine's;
3. runs the exported PyTorch code itself on those numpy layers (`logits(raw)`, `predict(raw)`), so the code, not
   only the weights, is what predicts like the engine;
4. shows that the check can fail: a transposed image, corner-aligned resizing, flipped kernels (convolution instead
   of cross-correlation), a channels-last flatten, and the wrong form or constant of GELU, leaky ReLU or SELU each
   move some logits far outside the tolerance, and so do BatchNorm on the batch's statistics (training mode) instead
   of the running ones, a BatchNorm whose running variance was not loaded, or a GroupNorm over one group.

The tolerance is derived, per logit, by numpy_torch: a bound on the error of any float32 evaluation of the same
network (sums of n products within gamma(n) * sum |w x|, activations within 8 u relative, propagated through the
layers), plus 1e-12 relative for the float64 reference itself. Being a worst case it is loose for deep sums: the
engine lands within 0.5 % of it on the deep nets and 5 % on the small ones, and it is 0.2 % of the logits' size for
the default net, which hides small differences such as GELU's erf form against its tanh form there; the `act_*`
cases (one hidden layer, short sums) have tight tolerances, so each activation's exact form shows in them.
"""

import json
import os
import re
import sys
import unittest

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_torch as nt  # noqa: E402

nt.install(load_file)
from torch import nn  # noqa: E402  (numpy_torch's)
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.environ.get("EXPORT_CHECK_DIR", os.path.join(ROOT, "target", "export-check"))

ACTIVATIONS = {
    "relu": lambda: nn.ReLU(),
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "tanh": lambda: nn.Tanh(),
    "sigmoid": lambda: nn.Sigmoid(),
    "gelu": lambda: nn.GELU(approximate="tanh"),
    "selu": lambda: nn.SELU(),
    "linear": lambda: nn.Identity(),
}


def parse_spec(text):
    """`conv(8_k5_p2)~relu~…` as (name, {key: number}); the bare number has the key ''."""
    steps = []
    for step in text.split("~"):
        m = re.fullmatch(r"([a-z_]+)(?:\((.*)\))?", step.strip())
        assert m, f"cannot read step {step!r}"
        args = {}
        for arg in filter(None, (m.group(2) or "").split("_")):
            key, number = re.fullmatch(r"([a-z]*)(-?[0-9.eE+-]+)", arg).groups()
            args[key] = float(number)
        steps.append((m.group(1), args))
    return steps


def build(spec, c, h, w):
    """The spec's layers as modules, with the documented defaults and PyTorch's output sizes."""
    layers, flat = [], False
    for name, a in parse_spec(spec):
        if name == "conv":
            out, k, s, p = int(a[""]), int(a.get("k", 3)), int(a.get("s", 1)), int(a.get("p", 0))
            layers.append(nn.Conv2d(c, out, k, stride=s, padding=p))
            c, h, w = out, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif name in ("maxpool", "avgpool"):
            k = int(a[""])
            s = int(a.get("s", k))
            layers.append((nn.MaxPool2d if name == "maxpool" else nn.AvgPool2d)(k, stride=s))
            h, w = (h - k) // s + 1, (w - k) // s + 1
        elif name == "flatten":
            layers.append(nn.Flatten())
            c, h, w, flat = c * h * w, 1, 1, True
        elif name == "dense":
            layers.append(nn.Linear(c, int(a[""])))
            c = int(a[""])
        elif name == "dropout":
            layers.append(nn.Dropout(a.get("", 0.5)))
        elif name == "bn":
            layers.append((nn.BatchNorm1d if flat else nn.BatchNorm2d)(c))
        elif name == "gn":
            layers.append(nn.GroupNorm(int(a[""]), c))
        else:
            layers.append(ACTIVATIONS[name]())
    if not flat:
        layers.append(nn.Flatten())  # logits: N×C×1×1 → N×C
    return nn.Sequential(*layers)


def compare(engine, ref):
    """(largest |engine − reference| / tolerance, tolerance per logit)."""
    tol = ref.err + 1e-12 * (1 + np.abs(ref.a))
    return float(np.max(np.abs(engine - ref.a) / tol)), tol


class Case:
    def __init__(self, entry):
        self.__dict__.update(entry)
        self.path = os.path.join(FIXTURE, self.weights)
        self.raw = np.array(self.raw, dtype=np.float64).reshape(self.raw_shape)
        n = self.raw_shape[0]
        self.engine = np.array(self.logits, dtype=np.float32).astype(np.float64).reshape(n, -1)
        with safe_open(self.path, framework="np") as f:
            self.metadata = f.metadata()
        self.input_shape = tuple(int(v) for v in self.metadata["input_shape"].split(","))

    def model(self):
        m = build(self.metadata["model"], *self.input_shape)
        m.load_state_dict(load_file(self.path))
        return m.eval()

    def preprocess(self, raw, align_corners=False):
        x = nt.as_tensor(raw, dtype=nt.float32) / self.max_value
        _, h, w = self.input_shape
        if x.shape[2:] != (h, w):
            x = F.interpolate(x, size=(h, w), mode="bilinear", align_corners=align_corners)
        return x


def load_cases():
    with open(os.path.join(FIXTURE, "cases.json")) as f:
        return [Case(entry) for entry in json.load(f)["cases"]]


CASES = load_cases()


class ExportTest(unittest.TestCase):
    def test_names_shapes_and_dtypes(self):
        for case in CASES:
            with self.subTest(case.name):
                tensors = load_file(case.path)
                expected = build(case.metadata["model"], *case.input_shape).state_dict()
                self.assertEqual(sorted(tensors), sorted(expected))
                for name, value in tensors.items():
                    # BatchNorm's step count is int64, as torch saves it; everything else float32.
                    dtype = np.int64 if name.endswith(".num_batches_tracked") else np.float32
                    self.assertEqual(value.dtype, dtype, name)
                    self.assertEqual(value.shape, expected[name].shape, name)
                    self.assertTrue(np.all(np.isfinite(value)), name)
                self.assertEqual(case.metadata["format"], "pt")
                self.assertEqual(case.metadata["producer"], "cnn-playground")

    def test_numpy_network_on_raw_inputs_matches_the_engine(self):
        for case in CASES:
            with self.subTest(case.name):
                ref = case.model()(case.preprocess(case.raw))
                ratio, tol = compare(case.engine, ref)
                print(f"\n  {case.name}: largest |engine − numpy| is {ratio:.3f} of the tolerance "
                      f"(tolerance {tol.min():.2e} … {tol.max():.2e}, logits up to {np.abs(ref.a).max():.2f})")
                self.assertLessEqual(ratio, 1.0)
                # The tolerance is a worst case, yet small beside the logits.
                self.assertLess(tol.max(), 1e-2 * (1 + np.abs(ref.a).max()))
                self.assertTrue(np.array_equal(ref.a.argmax(1), case.engine.argmax(1)))

    def test_exported_pytorch_code_predicts_like_the_engine(self):
        for case in CASES:
            with self.subTest(case.name):
                with open(os.path.join(FIXTURE, case.code)) as f:
                    code = f.read()
                namespace = {}
                cwd = os.getcwd()
                os.chdir(FIXTURE)  # the code loads its weights by file name
                try:
                    exec(compile(code, case.code, "exec"), namespace)
                finally:
                    os.chdir(cwd)
                out = namespace["logits"](case.raw)
                ratio, _ = compare(case.engine, out)
                self.assertLessEqual(ratio, 1.0)
                predicted = namespace["predict"](case.raw).numpy()
                self.assertTrue(np.array_equal(predicted, case.engine.argmax(1)))
                if case.raw_shape[1] == 1:
                    # One channel may come as N×H×W (sklearn's load_digits().images).
                    squeezed = namespace["logits"](case.raw[:, 0])
                    self.assertTrue(np.array_equal(squeezed.a, out.a))

    def test_the_check_catches_the_usual_export_mistakes(self):
        """Each mistake moves some case's logits far outside the tolerance (the largest ratio over the cases)."""
        worst = {}
        for case in CASES:
            model = case.model()
            mistakes = {}
            if case.raw_shape[2] == case.raw_shape[3] > 1:
                mistakes["transposed image"] = lambda: model(case.preprocess(case.raw.transpose(0, 1, 3, 2)))
            if case.raw_shape[2:] != [*case.input_shape[1:]]:
                mistakes["align_corners=True"] = lambda: model(case.preprocess(case.raw, align_corners=True))
            changed = {
                "flipped kernels": (nn.Conv2d, lambda m: setattr(m, "weight", m.weight[:, :, ::-1, ::-1].copy())),
                "erf GELU": (nn.GELU, lambda m: setattr(m, "approximate", "none")),
                "leaky slope 0.1": (nn.LeakyReLU, lambda m: setattr(m, "slope", 0.1)),
                "SELU without its scale": (nn.SELU, lambda m: setattr(m, "SCALE", 1.0)),
                "BatchNorm in training mode": (nn.BatchNorm2d, lambda m: m.train()),
                "BatchNorm without its running variance": (nn.BatchNorm1d, lambda m: setattr(m, "running_var",
                                                                                              np.ones_like(m.running_var))),
                "GroupNorm over one group": (nn.GroupNorm, lambda m: setattr(m, "groups", 1)),
            }
            for what, (kind, change) in changed.items():
                variant = case.model()
                hits = [change(m) for m in variant if isinstance(m, kind)]
                if hits:
                    mistakes[what] = lambda variant=variant: variant(case.preprocess(case.raw))

            def channels_last(x):
                for layer in model:
                    if isinstance(layer, nn.Flatten) and x.a.ndim == 4:
                        x = x.permute(0, 2, 3, 1)
                    x = layer(x)
                return x

            mistakes["channels-last flatten"] = lambda: channels_last(case.preprocess(case.raw))
            for what, run in mistakes.items():
                ratio, _ = compare(case.engine, run())
                print(f"\n  {case.name}, {what}: {ratio:.1f} times the tolerance", end="")
                worst[what] = max(worst.get(what, 0.0), ratio)
        print()
        for what, ratio in worst.items():
            with self.subTest(what):
                self.assertGreater(ratio, 10.0, f"{what} went unnoticed")
        self.assertEqual(len(worst), 10, sorted(worst))


if __name__ == "__main__":
    unittest.main(verbosity=2)
