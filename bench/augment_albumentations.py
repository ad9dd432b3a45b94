"""Albumentations 2.0.8 on the benchmark pipeline at 224x224 RGB, images per second (median of 9 runs).

The pipeline is read from the file given as the first argument: the code our exporter writes for
bench/augment.rs's pipeline, so both sides run the same steps. Albumentations is timed on uint8 images (its usual
input; OpenCV and lookup tables underneath) and on float32 images in [0, 1] (what the playground computes on).
Run by bench/augment.sh.
"""

import statistics
import sys
import time

import albumentations as A
import cv2
import numpy as np

RUNS = 9
PER_RUN = 300
SIZE = 224


def rate(transform, img):
    rates = []
    for run in range(RUNS + 1):  # the first run warms up
        t = time.perf_counter()
        for _ in range(PER_RUN):
            transform(image=img)["image"]
        if run:
            rates.append(PER_RUN / (time.perf_counter() - t))
    return statistics.median(rates), sorted(rates)


def main():
    code = open(sys.argv[1]).read()
    scope = {}
    exec(code, scope)
    transform = scope["transform"]
    transform.set_random_seed(1)
    cv2.setNumThreads(1)  # one thread, as the native and wasm builds
    rng = np.random.default_rng(0)
    u8 = rng.integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8)
    f32 = rng.random((SIZE, SIZE, 3), dtype=np.float32)
    print(f"albumentations {A.__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}")
    print(code.strip())
    for name, img in [("uint8", u8), ("float32", f32)]:
        median, rates = rate(transform, img)
        print(f"albumentations {name:<7} on {SIZE}x{SIZE}x3: median {median:.0f} images/s "
              f"(runs: {' '.join(f'{r:.0f}' for r in rates)})")
        print(f"RESULT albumentations_{name} {median:.1f}")


if __name__ == "__main__":
    main()
