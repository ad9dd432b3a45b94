#!/usr/bin/env python3
"""Extracts the UCI optical handwritten digits from scikit-learn's package into www/data/digits.bin.

Run through `make data-digits`, which makes a virtualenv with the pinned scikit-learn and calls this script; the
output is committed, so nobody needs to run it again unless the format changes. The bytes are taken from the
package's own `sklearn/datasets/data/digits.csv.gz` (1797 rows: 64 pixel values 0..16, then the label) and checked
against `sklearn.datasets.load_digits()`.

Format of digits.bin (all integers little-endian; documented again in www/data/README.md and src/data/digits.rs):
    offset  size  field
    0       4     magic b"DIGT"
    4       1     format version (1)
    5       1     image height in pixels (8)
    6       1     image width in pixels (8)
    7       1     largest pixel value (16)
    8       2     number of images N (1797), u16
    10      1     number of classes (10)
    11      1     reserved, 0
    12      4     FNV-1a 32-bit hash of every byte after the header, u32
    16      N*H*W pixel values, one byte each, image after image, rows top to bottom, 0 = background
    16+N*H*W N     labels, one byte each
"""

import gzip
import hashlib
import importlib.resources
import struct
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_digits

MAGIC = b"DIGT"
VERSION = 1


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def main(out_path: str) -> None:
    raw = (importlib.resources.files("sklearn.datasets.data") / "digits.csv.gz").read_bytes()
    rows = np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",", dtype=np.int64)
    pixels, labels = rows[:, :64], rows[:, 64]
    assert rows.shape == (1797, 65), rows.shape
    assert pixels.min() >= 0 and pixels.max() == 16 and set(labels.tolist()) == set(range(10))
    # The same numbers as the public loader gives.
    ref = load_digits()
    assert np.array_equal(ref.data.astype(np.int64), pixels) and np.array_equal(ref.target, labels)

    body = pixels.astype(np.uint8).tobytes() + labels.astype(np.uint8).tobytes()
    header = MAGIC + struct.pack("<BBBBHBBI", VERSION, 8, 8, 16, len(labels), 10, 0, fnv1a32(body))
    assert len(header) == 16
    data = header + body
    with open(out_path, "wb") as f:
        f.write(data)
    counts = np.bincount(labels, minlength=10).tolist()
    print(f"scikit-learn {sklearn.__version__}: wrote {out_path}, {len(data)} bytes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}, per class {counts}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "www/data/digits.bin")
