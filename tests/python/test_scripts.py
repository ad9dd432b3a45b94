"""The PyTorch scripts of runs, without PyTorch (`make test-python`).

tests/export.rs (`python_fixture_scripts`) writes target/export-check/scripts/: the script of a few Train runs
(digits with the defaults, with Adam and augmentation, with GroupNorm and dropout, and the generated symbols) and,
for the symbols, the `.npz` the page offers beside the script with a JSON of what it must hold. This test:
1. compiles every script with Python's own compiler (a syntax error, a bad indent or an unbalanced quote fails);
2. reads the `.npz`, which the Rust side wrote by hand (stored zip entries of `.npy` files), with numpy, and checks
   its arrays' names, dtypes, shapes and values against the JSON (the sum is over 78,400 values of float32 in
   [0, 1], summed in float64 on both sides: equal within 1e-6 relative);
3. runs each script's data and split part far enough to see that the index lists are disjoint, sorted and inside
   the data set (TRAIN, VAL, MEASURE_* are plain Python lists, read with `ast`).
`make test-torch` runs the scripts themselves in a real PyTorch.
"""

import ast
import glob
import json
import os
import unittest

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.join(os.environ.get("EXPORT_CHECK_DIR", os.path.join(ROOT, "target", "export-check")), "scripts")


def lists(text):
    """The module-level `NAME = [ints]` assignments of a script."""
    out = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = [ast.literal_eval(e) for e in node.value.elts]
    return out


class Scripts(unittest.TestCase):
    def scripts(self):
        found = sorted(glob.glob(os.path.join(DIR, "*.py")))
        self.assertGreaterEqual(len(found), 4, f"no scripts in {DIR}: run cargo test --test export python_fixture")
        return found

    def test_every_script_compiles(self):
        for path in self.scripts():
            with open(path, encoding="utf-8") as f:
                text = f.read()
            compile(text, path, "exec")  # raises SyntaxError with the line

    def test_a_broken_script_does_not_compile(self):
        # The check can fail: the same script with one line's indentation removed.
        with open(self.scripts()[0], encoding="utf-8") as f:
            text = f.read()
        broken = text.replace("\n    model.train()\n", "\nmodel.train()\n", 1)
        self.assertNotEqual(text, broken)
        with self.assertRaises(SyntaxError):
            compile(broken, "broken.py", "exec")

    def test_the_splits_are_disjoint_sorted_and_inside_the_data(self):
        for path in self.scripts():
            with open(path, encoding="utf-8") as f:
                found = lists(f.read())
            train, val = found["TRAIN"], found["VAL"]
            npz = path[: -len(".py")] + ".npz"
            if os.path.exists(npz):
                with np.load(npz) as arrays:
                    n = len(arrays["y"])
            else:
                n = 1797  # the digits
            self.assertEqual(train, sorted(set(train)), path)
            self.assertEqual(val, sorted(set(val)), path)
            self.assertFalse(set(train) & set(val), path)
            self.assertTrue(0 <= min(train + val) and max(train + val) < n, path)
            # The Train panel measures fixed subsets between steps; the transfer lab every image.
            self.assertTrue(set(found.get("MEASURE_TRAIN", train)) <= set(train), path)
            self.assertTrue(set(found.get("MEASURE_VAL", val)) <= set(val), path)

    def test_the_npz_holds_the_generated_images_and_labels(self):
        npzs = sorted(glob.glob(os.path.join(DIR, "*.npz")))
        self.assertTrue(npzs, "no .npz written")
        for path in npzs:
            if not os.path.exists(path[: -len(".npz")] + ".json"):
                continue
            with open(path[: -len(".npz")] + ".json", encoding="utf-8") as f:
                want = json.load(f)
            with np.load(path) as arrays:
                self.assertEqual(sorted(arrays.files), ["x", "y"])
                x, y = arrays["x"], arrays["y"]
            self.assertEqual(x.dtype, np.float32)
            self.assertEqual(y.dtype, np.int64)
            self.assertEqual(list(x.shape), want["shape"])
            self.assertEqual(y.shape, (want["shape"][0],))
            self.assertAlmostEqual(float(x.astype(np.float64).sum()) / want["sum"], 1.0, delta=1e-6)
            self.assertEqual(int(y.sum()), want["label_sum"])
            np.testing.assert_array_equal(x.reshape(-1)[:50], np.array(want["first"], dtype=np.float32))
            self.assertTrue(0.0 <= x.min() and x.max() <= 1.0)


if __name__ == "__main__":
    unittest.main()
