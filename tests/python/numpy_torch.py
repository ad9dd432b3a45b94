"""Just enough of PyTorch, in numpy, to run the playground's exported code without torch: the modules an exported
nn.Sequential uses, F.interpolate(mode="bilinear"), load_state_dict (strict, as torch's) and safetensors.torch.

Written from PyTorch's documentation, not from the playground's Rust code. Everything is computed in float64 from
the float32 weights, and every tensor carries, beside its values, a bound on how far a float32 computation of the
same expression can be from them (`err`), so the test can say how close the engine's float32 logits must be.

The bound (first order in u = 2^-24, the unit roundoff of float32):
- a sum of n products, in any order, with or without fused multiply-add, is off by at most
  gamma(n) * sum |w_i x_i| (Higham, Accuracy and Stability of Numerical Algorithms, section 3.1, eq. 3.5), with
  gamma(n) = n u / (1 - n u); an input that is itself off by e_i adds sum |w_i| e_i;
- an activation f with Lipschitz constant L turns an input error e into L e, and its float32 evaluation adds at most
  8 u |f| (tanh's rational approximation is within 3e-7 relative, about 5 u; exp, expm1 and a division are a few u;
  float32 constants such as SELU's are within u/2) plus, for GELU, 2 u absolute (the exponent's argument is rounded
  to about 5 u relative, and |y| * |argument| * 5 u stays below 1.4 u over the whole line);
- max pooling moves by at most the largest input error of its window, average pooling is a sum of k^2 terms and a
  division;
- a normalization y = (x - m) / sqrt(v + eps) * w + b (BatchNorm in eval mode: m, v the running statistics, exact;
  GroupNorm: the group's mean and biased variance, summed in float32 within gamma(M) as above, so off by dm and dv)
  is off by |w| * ((e + dm + u |x - m|) / s + |x^| * ds / s) + 3 u (|w x^| + |b|), where s = sqrt(v + eps),
  ds / s = (dv + u (v + eps)) / (2 (v + eps)) + 2 u (the sum with eps, the square root and the reciprocal);
- the bilinear upsampling of 0..16 pixels in float32, divided by 16, is within 16 u (14 u counted term by term for
  the three lerps of the engine, which divides the interpolated value by 16, a power of two).
"""

import math
import sys
import types

import numpy as np

U = 2.0**-24


def gamma(n):
    return n * U / (1 - n * U)


class Tensor:
    """Values (float64) and, per value, a bound on the error of a float32 computation of them."""

    def __init__(self, values, err=None):
        self.a = np.asarray(values, dtype=np.float64)
        self.err = np.zeros_like(self.a) if err is None else np.asarray(err, dtype=np.float64)

    @property
    def shape(self):
        return self.a.shape

    def dim(self):
        return self.a.ndim

    def size(self, d=None):
        return self.a.shape if d is None else self.a.shape[d]

    def numpy(self):
        return self.a

    def unsqueeze(self, d):
        return Tensor(np.expand_dims(self.a, d), np.expand_dims(self.err, d))

    def permute(self, *dims):
        return Tensor(self.a.transpose(dims), self.err.transpose(dims))

    def __truediv__(self, s):
        if not isinstance(s, (int, float)):
            raise TypeError("numpy_torch divides by Python numbers only")
        # x / s in float32 (or x times a rounded 1/s) is within 2 u, exact when s is a power of two.
        exact = math.frexp(s)[0] == 0.5
        return Tensor(self.a / s, self.err / abs(s) + (0 if exact else 2 * U * np.abs(self.a / s)))

    def argmax(self, dim=None):
        return Tensor(np.argmax(self.a, axis=dim))


float32 = "float32"


def as_tensor(data, dtype=None):
    if dtype not in (None, float32):
        raise NotImplementedError(f"dtype {dtype}")
    if isinstance(data, Tensor):
        return data
    # torch.float32: the raw values rounded to float32 first, as torch would.
    return Tensor(np.asarray(data).astype(np.float32))


class no_grad:
    def __call__(self, fn):
        return fn

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------------------------------------------- nn


class Module:
    training = True

    def __call__(self, x):
        return self.forward(x)

    def eval(self):
        return self.train(False)

    def train(self, mode=True):
        self.training = mode
        for m in getattr(self, "_modules", []):
            m.train(mode)
        return self

    def parameters_by_name(self):
        return {}


class Sequential(Module):
    def __init__(self, *modules):
        for m in modules:
            if not isinstance(m, Module):
                raise TypeError(f"{m!r} is not a Module")
        self._modules = list(modules)

    def __getitem__(self, i):
        return self._modules[i]

    def __len__(self):
        return len(self._modules)

    def forward(self, x):
        for m in self._modules:
            x = m(x)
        return x

    def state_dict(self):
        return {f"{i}.{k}": v for i, m in enumerate(self._modules) for k, v in m.parameters_by_name().items()}

    def load_state_dict(self, state_dict, strict=True):
        """torch's strict rule: the same keys (no missing, no unexpected) and the same shapes, or a RuntimeError."""
        own = self.state_dict()
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict: missing {missing}, unexpected {unexpected}")
        for key, value in state_dict.items():
            if key not in own:
                continue
            value = value.a if isinstance(value, Tensor) else np.asarray(value)
            if value.shape != own[key].shape:
                raise RuntimeError(f"size mismatch for {key}: {value.shape} in the file, {own[key].shape} in the model")
            index, name = key.split(".", 1)
            setattr(self._modules[int(index)], name, value if value.dtype == np.int64 else value.astype(np.float64))


def _pair(v):
    if isinstance(v, int):
        return v, v
    raise NotImplementedError(f"non-square argument {v!r}")


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros"):
        if dilation != 1 or groups != 1 or not bias or padding_mode != "zeros":
            raise NotImplementedError("dilation, groups, bias=False, padding_mode")
        self.k, self.stride, self.padding = _pair(kernel_size)[0], _pair(stride)[0], _pair(padding)[0]
        self.weight = np.zeros((out_channels, in_channels, self.k, self.k))
        self.bias = np.zeros(out_channels)

    def parameters_by_name(self):
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x):
        p, s, k = self.padding, self.stride, self.k
        if x.a.shape[1] != self.weight.shape[1]:
            raise RuntimeError(f"Conv2d expects {self.weight.shape[1]} channels, got {x.a.shape[1]}")

        def windows(v):
            v = np.pad(v, ((0, 0), (0, 0), (p, p), (p, p)))
            w = np.lib.stride_tricks.sliding_window_view(v, (k, k), axis=(2, 3))
            return w[:, :, ::s, ::s]  # N, C, OH, OW, k, k

        xa, xe = windows(x.a), windows(x.err)
        y = np.einsum("ncijkl,ockl->noij", xa, self.weight) + self.bias[None, :, None, None]
        w_abs = np.abs(self.weight)
        mag = np.einsum("ncijkl,ockl->noij", np.abs(xa) + xe, w_abs) + np.abs(self.bias)[None, :, None, None]
        taps = self.weight[0].size
        err = np.einsum("ncijkl,ockl->noij", xe, w_abs) + gamma(taps + 1) * mag
        return Tensor(y, err)


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        if not bias:
            raise NotImplementedError("bias=False")
        self.weight = np.zeros((out_features, in_features))
        self.bias = np.zeros(out_features)

    def parameters_by_name(self):
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x):
        if x.a.ndim != 2 or x.a.shape[1] != self.weight.shape[1]:
            raise RuntimeError(f"Linear expects N×{self.weight.shape[1]}, got {x.a.shape}")
        w_abs = np.abs(self.weight)
        mag = (np.abs(x.a) + x.err) @ w_abs.T + np.abs(self.bias)
        err = x.err @ w_abs.T + gamma(self.weight.shape[1] + 1) * mag
        return Tensor(x.a @ self.weight.T + self.bias, err)


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        if padding != 0 or ceil_mode:
            raise NotImplementedError("padding, ceil_mode")
        self.k = _pair(kernel_size)[0]
        self.s = self.k if stride is None else _pair(stride)[0]

    def windows(self, v):
        w = np.lib.stride_tricks.sliding_window_view(v, (self.k, self.k), axis=(2, 3))
        return w[:, :, :: self.s, :: self.s].reshape(w.shape[0], w.shape[1], -1, self.k * self.k)

    def out_shape(self, x):
        n, c, h, w = x.a.shape
        return n, c, (h - self.k) // self.s + 1, (w - self.k) // self.s + 1


class MaxPool2d(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        if dilation != 1 or return_indices:
            raise NotImplementedError("dilation, return_indices")
        super().__init__(kernel_size, stride, padding, ceil_mode)

    def forward(self, x):
        shape = self.out_shape(x)
        return Tensor(self.windows(x.a).max(-1).reshape(shape), self.windows(x.err).max(-1).reshape(shape))


class AvgPool2d(_Pool):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        if divisor_override is not None:
            raise NotImplementedError("divisor_override")
        super().__init__(kernel_size, stride, padding, ceil_mode)

    def forward(self, x):
        shape = self.out_shape(x)
        a, e = self.windows(x.a), self.windows(x.err)
        err = e.mean(-1) + gamma(self.k * self.k + 1) * (np.abs(a) + e).mean(-1)
        return Tensor(a.mean(-1).reshape(shape), err.reshape(shape))


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        if (start_dim, end_dim) != (1, -1):
            raise NotImplementedError("start_dim, end_dim")

    def forward(self, x):
        # Row-major: C, then H, then W, as torch.flatten on a contiguous NCHW tensor.
        n = x.a.shape[0]
        return Tensor(x.a.reshape(n, -1), x.err.reshape(n, -1))


class _Elementwise(Module):
    lipschitz = 1.0
    absolute = 0.0

    def forward(self, x):
        y = self.f(x.a)
        err = self.lipschitz * x.err + 8 * U * (np.abs(y) + self.lipschitz * x.err) + self.absolute * U
        return Tensor(y, err)


class ReLU(_Elementwise):
    def __init__(self, inplace=False):
        pass

    def f(self, z):
        return np.maximum(z, 0)


class LeakyReLU(_Elementwise):
    def __init__(self, negative_slope=0.01, inplace=False):
        self.slope = negative_slope
        self.lipschitz = max(1.0, abs(negative_slope))

    def f(self, z):
        return np.where(z > 0, z, self.slope * z)


class Tanh(_Elementwise):
    def f(self, z):
        return np.tanh(z)


class Sigmoid(_Elementwise):
    lipschitz = 0.25

    def f(self, z):
        return 1 / (1 + np.exp(-z))


class GELU(_Elementwise):
    # The largest slope of GELU (either form) is about 1.129, near z = 1.5.
    lipschitz = 1.13
    absolute = 2.0

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(approximate)
        self.approximate = approximate

    def f(self, z):
        if self.approximate == "tanh":
            return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
        return 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))


class SELU(_Elementwise):
    ALPHA = 1.6732632423543772848170429916717
    SCALE = 1.0507009873554804934193349852946
    # The largest slope: SCALE * ALPHA, just left of 0.
    lipschitz = SCALE * ALPHA

    def __init__(self, inplace=False):
        pass

    def f(self, z):
        return self.SCALE * np.where(z > 0, z, self.ALPHA * np.expm1(np.minimum(z, 0)))


EPS = 1e-5


def _normalized(x, e, m, dm, v, dv, w, b):
    """(x - m) / sqrt(v + eps) * w + b with its error bound (see the module docs); all arrays broadcast."""
    s = np.sqrt(v + EPS)
    xhat = (x - m) / s
    ds = (dv + U * (v + EPS)) / (2 * (v + EPS)) + 2 * U
    dxhat = (e + dm + U * np.abs(x - m)) / s + np.abs(xhat) * ds
    return Tensor(xhat * w + b, np.abs(w) * dxhat + 3 * U * (np.abs(w * xhat) + np.abs(b)))


class _BatchNorm(Module):
    """BatchNorm with its running statistics; eval mode normalizes by them, training mode by the batch's (without
    updating them here: the check only compares outputs)."""

    dims = None

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        if eps != EPS or not affine or not track_running_stats:
            raise NotImplementedError("eps, affine=False, track_running_stats=False")
        self.weight, self.bias = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.num_batches_tracked = np.zeros((), dtype=np.int64)

    def parameters_by_name(self):
        return {"weight": self.weight, "bias": self.bias, "running_mean": self.running_mean,
                "running_var": self.running_var, "num_batches_tracked": self.num_batches_tracked}

    def forward(self, x):
        if x.a.ndim != self.dims or x.a.shape[1] != self.weight.shape[0]:
            raise RuntimeError(f"{type(self).__name__}({self.weight.shape[0]}) got {x.a.shape}")
        shape = (1, -1) + (1,) * (self.dims - 2)
        per = lambda v: v.reshape(shape)  # noqa: E731
        if self.training:
            axes = (0,) + tuple(range(2, self.dims))
            m, v = x.a.mean(axis=axes, keepdims=True), x.a.var(axis=axes, keepdims=True)
            return Tensor((x.a - m) / np.sqrt(v + EPS) * per(self.weight) + per(self.bias))
        return _normalized(x.a, x.err, per(self.running_mean), 0.0, per(self.running_var), 0.0, per(self.weight),
                           per(self.bias))


class BatchNorm1d(_BatchNorm):
    dims = 2


class BatchNorm2d(_BatchNorm):
    dims = 4


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True):
        if eps != EPS or not affine:
            raise NotImplementedError("eps, affine=False")
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.groups = num_groups
        self.weight, self.bias = np.ones(num_channels), np.zeros(num_channels)

    def parameters_by_name(self):
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x):
        n, c = x.a.shape[:2]
        g = x.a.reshape(n, self.groups, -1)
        e = x.err.reshape(n, self.groups, -1)
        count = g.shape[2]
        m = g.mean(axis=2, keepdims=True)
        dm = e.mean(axis=2, keepdims=True) + gamma(count) * np.abs(g).mean(axis=2, keepdims=True) + U * np.abs(m)
        v = ((g - m) ** 2).mean(axis=2, keepdims=True)
        dv = 2 * (np.abs(g - m) * (e + dm)).mean(axis=2, keepdims=True) + dm**2 + gamma(count + 4) * v
        # γ and β per channel, laid out along each group's values.
        spatial = count // (c // self.groups)
        w = np.repeat(self.weight, spatial).reshape(1, self.groups, -1)
        b = np.repeat(self.bias, spatial).reshape(1, self.groups, -1)
        y = _normalized(g, e, m, dm, v, dv, w, b)
        return Tensor(y.a.reshape(x.a.shape), y.err.reshape(x.a.shape))


class Identity(Module):
    def __init__(self, *args, **kwargs):
        pass

    def forward(self, x):
        return x


class Dropout(Module):
    def __init__(self, p=0.5, inplace=False):
        if not 0 <= p <= 1:
            raise ValueError(p)
        self.p = p

    def forward(self, x):
        if self.training:
            raise NotImplementedError("numpy_torch runs dropout in eval mode only (call model.eval())")
        return x


# --------------------------------------------------------------------------------------------- functional


def _bilinear_taps(n_in, n_out, align_corners):
    """Per output index: the two source indices and the weight of the second (torch's upsample_bilinear2d)."""
    i = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = i * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum((i + 0.5) * (n_in / n_out) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, src - i0


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    if mode != "bilinear" or size is None or scale_factor is not None or antialias:
        raise NotImplementedError("numpy_torch interpolates bilinearly to a size only")
    (h, w), x = size, input
    r0, r1, fy = _bilinear_taps(x.a.shape[2], h, bool(align_corners))
    c0, c1, fx = _bilinear_taps(x.a.shape[3], w, bool(align_corners))

    def resize(v):
        rows = v[:, :, r0, :] * (1 - fy)[None, None, :, None] + v[:, :, r1, :] * fy[None, None, :, None]
        return rows[:, :, :, c0] * (1 - fx) + rows[:, :, :, c1] * fx

    # Weights are non-negative and sum to 1, so input errors pass through at most unchanged.
    return Tensor(resize(x.a), resize(x.err) + 16 * U * np.max(np.abs(x.a)))


# ------------------------------------------------------------------------------------------------ install


def install(load_file):
    """Registers torch, torch.nn, torch.nn.functional and safetensors.torch (whose load_file wraps `load_file`, a
    function returning numpy arrays) in sys.modules, so `import torch` in exported code finds these."""
    torch = types.ModuleType("torch")
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    for name in ("Tensor", "as_tensor", "no_grad", "float32"):
        setattr(torch, name, globals()[name])
    for name in ("Module", "Sequential", "Conv2d", "Linear", "MaxPool2d", "AvgPool2d", "Flatten", "ReLU", "LeakyReLU",
                 "Tanh", "Sigmoid", "GELU", "SELU", "Identity", "Dropout", "BatchNorm1d", "BatchNorm2d", "GroupNorm"):
        setattr(nn, name, globals()[name])
    functional.interpolate = interpolate
    nn.functional = functional
    torch.nn = nn
    st_torch = types.ModuleType("safetensors.torch")
    st_torch.load_file = lambda filename, device="cpu": {k: Tensor(v) for k, v in load_file(filename).items()}
    import safetensors

    safetensors.torch = st_torch
    sys.modules.update({"torch": torch, "torch.nn": nn, "torch.nn.functional": functional,
                        "safetensors.torch": st_torch})
