//! The pipeline as copyable Python: torchvision.transforms.v2 (float tensors in [0, 1], as the playground) and
//! Albumentations 2.x (uint8 HWC arrays, so fill levels are 0–255). Argument names are those of torchvision 0.19+
//! and Albumentations 2.0.8. `size` is the (height, width) of the images, which crops need.
//! Where a library has no exact equivalent, a comment on the line says what differs.

use super::pipeline::{Kind, Pipeline, Step};

/// One transform call and, if the library differs from the playground, why.
type Line = (String, Option<&'static str>);

pub fn torchvision(pipeline: &Pipeline, size: (usize, usize)) -> String {
    let mut head = String::from(
        "import torch\nfrom torchvision.transforms import v2\nfrom torchvision.transforms.v2 import InterpolationMode\n",
    );
    if pipeline.steps.iter().any(|s| s.kind == Kind::SaltPepper) {
        head += "\n\ndef salt_and_pepper(img, amount, per_channel):\n    \
                 # Each pixel (or channel value) becomes 0 or 1 with probability `amount`, half each.\n    \
                 shape = img.shape if per_channel else img.shape[-2:]\n    \
                 hit = torch.rand(shape) < amount\n    \
                 salt = (torch.rand(shape) < 0.5).to(img.dtype)\n    \
                 return torch.where(hit, salt, img)\n";
    }
    if pipeline.steps.iter().any(|s| s.kind == Kind::Resize) {
        head += ZOOM_PY;
    }
    let mut lines: Vec<Line> =
        vec![("v2.ToImage()".into(), None), ("v2.ToDtype(torch.float32, scale=True)".into(), Some("values in [0, 1]"))];
    lines.extend(pipeline.steps.iter().map(|s| torch_step(s, size)));
    render(&head, pipeline, size, "v2.Compose", lines)
}

pub fn albumentations(pipeline: &Pipeline, size: (usize, usize)) -> String {
    let lines = pipeline.steps.iter().map(|s| album_step(s, size)).collect();
    render("import albumentations as A\nimport cv2\n", pipeline, size, "A.Compose", lines)
}

fn render(head: &str, pipeline: &Pipeline, (h, w): (usize, usize), compose: &str, lines: Vec<Line>) -> String {
    let mut out =
        format!("{head}\n# Playground pipeline aug={pipeline} for {h}×{w} images.\ntransform = {compose}([\n");
    for (code, why) in lines {
        out += &format!("    {code},");
        if let Some(why) = why {
            out += &format!("  # {why}");
        }
        out.push('\n');
    }
    out + "])\n"
}

/// The `resize` step in torchvision: `RandomAffine(scale=…)` would sample points, so it would skip the antialiasing
/// filter, keep fractional picture sizes and blend the picture's edge with the fill; this reproduces the step.
const ZOOM_PY: &str = "\n\ndef zoom(img, min_factor, max_factor, interpolation, antialias, fill=0.0):\n    \
    # The playground's resize step: scale the content about the centre by a factor drawn from\n    \
    # [min_factor, max_factor], on the same canvas.\n    \
    h, w = img.shape[-2:]\n    \
    factor = float(torch.empty(()).uniform_(min_factor, max_factor))\n    \
    if factor >= 1:\n        \
        # Zoom in: every output pixel samples the central window (upsampling, so no antialiasing).\n        \
        mode = InterpolationMode.NEAREST if interpolation == InterpolationMode.NEAREST_EXACT else interpolation\n        \
        return v2.functional.affine(img, angle=0.0, translate=[0, 0], scale=factor, shear=[0.0, 0.0], interpolation=mode)\n    \
    # Zoom out: resize the whole picture to whole pixels (halves round up), then pad it into the middle.\n    \
    sh, sw = max(1, int(h * factor + 0.5)), max(1, int(w * factor + 0.5))\n    \
    small = v2.functional.resize(img, [sh, sw], interpolation=interpolation, antialias=antialias)\n    \
    top, left = (h - sh) // 2, (w - sw) // 2\n    \
    return v2.functional.pad(small, [left, top, w - sw - left, h - sh - top], fill=fill)\n";

/// Resizing follows pixel centres (`NEAREST_EXACT`, as ours); affine warps go through `grid_sample`, whose only
/// nearest mode, `NEAREST`, rounds the mapped position as ours does.
fn torch_interp(step: &Step) -> &'static str {
    match (step.word("interp"), step.kind) {
        ("nearest", Kind::ResizedCrop) => "InterpolationMode.NEAREST_EXACT",
        ("nearest", _) => "InterpolationMode.NEAREST",
        _ => "InterpolationMode.BILINEAR",
    }
}

fn cv2_interp(step: &Step) -> &'static str {
    match step.word("interp") {
        "nearest" => "cv2.INTER_NEAREST",
        "area" => "cv2.INTER_AREA",
        _ => "cv2.INTER_LINEAR",
    }
}

/// `, fill=…` when the fill is not black, in the library's scale.
fn fill_arg(step: &Step, scale: f64) -> String {
    let fill = step.get("fill");
    if fill == 0.0 { String::new() } else { format!(", fill={}", (fill * scale * 1e6).round() / 1e6) }
}

fn torch_step(step: &Step, (h, w): (usize, usize)) -> Line {
    let g = |k| step.get(k);
    let (call, why): Line = match step.kind {
        Kind::Translate => {
            (format!("v2.RandomAffine(degrees=0, translate=({}, {}){})", g("x"), g("y"), fill_arg(step, 1.0)), None)
        }
        Kind::Crop => {
            let fill = if step.word("border") == "constant" { fill_arg(step, 1.0) } else { String::new() };
            (
                format!(
                    "v2.RandomCrop(size=({h}, {w}), padding={}, padding_mode=\"{}\"{fill})",
                    g("pad"),
                    step.word("border")
                ),
                None,
            )
        }
        Kind::ResizedCrop => (
            format!(
                "v2.RandomResizedCrop(size=({h}, {w}), scale=({}, {}), ratio=({}, {}), interpolation={}, antialias={})",
                g("smin"),
                g("smax"),
                g("rmin"),
                g("rmax"),
                torch_interp(step),
                if g("aa") == 1.0 || step.word("interp") == "area" { "True" } else { "False" }
            ),
            (step.word("interp") == "area")
                .then_some("torchvision has no area filter for tensors; antialiased bilinear is close"),
        ),
        Kind::HFlip => return (format!("v2.RandomHorizontalFlip(p={})", step.p), None),
        Kind::VFlip => return (format!("v2.RandomVerticalFlip(p={})", step.p), None),
        Kind::Rotate => (
            format!(
                "v2.RandomRotation(degrees={}, interpolation={}{})",
                g("deg"),
                torch_interp(step),
                fill_arg(step, 1.0)
            ),
            None,
        ),
        Kind::Resize => (
            format!(
                "v2.Lambda(lambda img: zoom(img, {}, {}, interpolation={}, antialias={}{}))",
                g("min"),
                g("max"),
                match step.word("interp") {
                    "nearest" => "InterpolationMode.NEAREST_EXACT",
                    _ => "InterpolationMode.BILINEAR",
                },
                if g("aa") == 1.0 || step.word("interp") == "area" { "True" } else { "False" },
                fill_arg(step, 1.0)
            ),
            match step.word("interp") {
                "area" => {
                    Some("torchvision has no area filter for tensors: bilinear (antialiased when shrinking) stands in")
                }
                "nearest" => Some("zooming in, grid_sample rounds ties to even where the playground rounds them up"),
                _ => None,
            },
        ),
        Kind::Jitter => {
            let args: Vec<String> = [("brightness", "b"), ("contrast", "c"), ("saturation", "s"), ("hue", "h")]
                .iter()
                .filter(|(_, k)| g(k) > 0.0)
                .map(|(name, k)| format!("{name}={}", g(k)))
                .collect();
            (format!("v2.ColorJitter({})", args.join(", ")), None)
        }
        Kind::Noise => (
            format!("v2.GaussianNoise(sigma={})", g("sigma")),
            (g("pc") == 0.0).then_some("torchvision draws per channel; the playground drew one value per pixel"),
        ),
        Kind::SaltPepper => (
            format!(
                "v2.Lambda(lambda img: salt_and_pepper(img, amount={}, per_channel={}))",
                g("amount"),
                if g("pc") == 1.0 { "True" } else { "False" }
            ),
            None,
        ),
    };
    if step.p < 1.0 { (format!("v2.RandomApply([{call}], p={})", step.p), why) } else { (call, why) }
}

fn album_step(step: &Step, (h, w): (usize, usize)) -> Line {
    let g = |k| step.get(k);
    let p = step.p;
    let constant = "border_mode=cv2.BORDER_CONSTANT";
    match step.kind {
        Kind::Translate => (
            format!(
                "A.Affine(translate_percent={{\"x\": (-{x}, {x}), \"y\": (-{y}, {y})}}, interpolation=cv2.INTER_NEAREST, {constant}{}, p={p})",
                fill_arg(step, 255.0),
                x = g("x"),
                y = g("y")
            ),
            Some("Albumentations shifts by fractional pixels; torchvision rounds to whole ones"),
        ),
        Kind::Crop => {
            let (mode, fill) = match step.word("border") {
                "reflect" => ("cv2.BORDER_REFLECT_101", String::new()),
                "edge" => ("cv2.BORDER_REPLICATE", String::new()),
                _ => ("cv2.BORDER_CONSTANT", fill_arg(step, 255.0)),
            };
            let pad = g("pad") as usize;
            (
                format!(
                    "A.Sequential([A.PadIfNeeded(min_height={}, min_width={}, border_mode={mode}{fill}, p=1.0), A.RandomCrop(height={h}, width={w}, p=1.0)], p={p})",
                    h + 2 * pad,
                    w + 2 * pad
                ),
                None,
            )
        }
        Kind::ResizedCrop => (
            format!(
                "A.RandomResizedCrop(size=({h}, {w}), scale=({}, {}), ratio=({}, {}), interpolation={}, p={p})",
                g("smin"),
                g("smax"),
                g("rmin"),
                g("rmax"),
                cv2_interp(step)
            ),
            (step.word("interp") == "bilinear" && g("aa") == 1.0)
                .then_some("OpenCV's linear filter does not antialias"),
        ),
        Kind::HFlip => (format!("A.HorizontalFlip(p={p})"), None),
        Kind::VFlip => (format!("A.VerticalFlip(p={p})"), None),
        Kind::Rotate => (
            format!(
                "A.Rotate(limit={}, interpolation={}, {constant}{}, p={p})",
                g("deg"),
                cv2_interp(step),
                fill_arg(step, 255.0)
            ),
            None,
        ),
        Kind::Resize => (
            format!(
                "A.Affine(scale=({}, {}), interpolation={}, {constant}{}, p={p})",
                g("min"),
                g("max"),
                cv2_interp(step),
                fill_arg(step, 255.0)
            ),
            Some(
                "zoom on the same canvas; A.Affine samples points: no antialiasing (aa1), no rounding of the picture to \
                 whole pixels, and the picture's edge blends with the fill",
            ),
        ),
        Kind::Jitter => (
            // Albumentations' defaults are not 0, so every strength is spelled out.
            format!(
                "A.ColorJitter(brightness={}, contrast={}, saturation={}, hue={}, p={p})",
                g("b"),
                g("c"),
                g("s"),
                g("h")
            ),
            None,
        ),
        Kind::Noise => (
            format!(
                "A.GaussNoise(std_range=({s}, {s}), mean_range=(0, 0), per_channel={}, p={p})",
                if g("pc") == 1.0 { "True" } else { "False" },
                s = g("sigma")
            ),
            None,
        ),
        Kind::SaltPepper => (
            format!("A.SaltAndPepper(amount=({a}, {a}), salt_vs_pepper=(0.5, 0.5), p={p})", a = g("amount")),
            (g("pc") == 1.0).then_some("Albumentations hits whole pixels; the playground hit single channel values"),
        ),
    }
}
