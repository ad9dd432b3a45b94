#!/usr/bin/env python3
"""Digits baselines: an RBF SVM and a linear model trained on exactly the project's digits training split.

Run through `make bench-digits` (the pinned scikit-learn virtualenv of `make data-digits`). The split is
reimplemented from src/data/split.rs (Xoshiro256++ seeded by SplitMix64, as rand_xoshiro's seed_from_u64, and
rng::derive / rng::below / rng::shuffle) and checked against the fingerprint the Rust tests pin, so both sides train
and validate on the same images. Prints the validation accuracy of each model, for the full training split and for
100 training images per class.
"""

import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
# tests/data.rs: DIGITS_SPLIT_FINGERPRINT
FINGERPRINT = 918_377_332


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Xoshiro256pp:
    def __init__(self, seed):
        s, x = [], seed
        for _ in range(4):  # SplitMix64 fills the state
            x = (x + GOLDEN) & M64
            s.append(mix64(x))
        self.s = s

    def next_u64(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M64
        result = (rotl((s[0] + s[3]) & M64, 23) + s[0]) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def derive(seed, keys):
    h = seed
    for k in keys:
        h = (mix64(h ^ mix64((k + GOLDEN) & M64)) + GOLDEN) & M64
    return h


def shuffle(rng, items):
    for i in range(len(items) - 1, 0, -1):
        j = (rng.next_u64() * (i + 1)) >> 64
        items[i], items[j] = items[j], items[i]


def stratified(labels, classes, val_fraction=0.25, train_per_class=None, seed=0):
    train, val = [], []
    for k in range(classes):
        members = [i for i, l in enumerate(labels) if l == k]
        n = len(members)
        shuffle(Xoshiro256pp(derive(seed, [k])), members)
        n_val = min(max(int(np.floor(val_fraction * n + 0.5)), 1), n - 1)
        n_train = n - n_val if train_per_class is None else min(train_per_class, n - n_val)
        val += members[:n_val]
        train += members[n_val:n_val + n_train]
    return sorted(train), sorted(val)


def fingerprint(train, val):
    words = train + [0xFFFFFFFF] + val
    h = 0x811C9DC5
    for b in b"".join(int(w).to_bytes(4, "little") for w in words):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def load(path):
    data = open(path, "rb").read()
    assert data[:4] == b"DIGT" and data[4] == 1
    h, w, n = data[5], data[6], int.from_bytes(data[8:10], "little")
    pixels = np.frombuffer(data, np.uint8, n * h * w, 16).reshape(n, h * w).astype(np.float64) / data[7]
    labels = np.frombuffer(data, np.uint8, n, 16 + n * h * w).astype(np.int64)
    return pixels, labels


def main(path):
    x, y = load(path)
    train, val = stratified(y.tolist(), 10)
    got = fingerprint(train, val)
    assert got == FINGERPRINT, f"split fingerprint {got} differs from the Rust side's {FINGERPRINT}"
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; digits 8x8 scaled to [0, 1]")
    print(f"split: DIGITS_SPLIT, fingerprint {got} (matches the Rust side), validation {len(val)} images")
    models = {
        "RBF SVM (SVC C=10, gamma=scale)": lambda: SVC(kernel="rbf", C=10.0, gamma="scale"),
        "linear (logistic regression, C=1)": lambda: LogisticRegression(C=1.0, max_iter=5000),
    }
    for per_class in [None, 100, 10]:
        tr, va = stratified(y.tolist(), 10, train_per_class=per_class)
        assert va == val
        for name, make in models.items():
            acc = make().fit(x[tr], y[tr]).score(x[va], y[va])
            size = "all" if per_class is None else f"{per_class}/class"
            print(f"RESULT train={size:<10} n_train={len(tr):<5} {name:<36} val_acc={acc:.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "www/data/digits.bin")
