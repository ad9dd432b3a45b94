//! When an augmentation stops preserving the label: a short note per family, and the warnings a pipeline raises for
//! a sample. Text lives here, in Korean and English, keyed by stable names the page can also use.

use super::pipeline::{FiredStep, Kind, Pipeline};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// `ko` is Korean; anything else English (the page's fallback).
    pub fn parse(s: &str) -> Lang {
        if s == "ko" { Lang::Ko } else { Lang::En }
    }
}

/// The lecture's six families, in its order (keys of [`note`], values of [`Kind::family`]).
pub const FAMILIES: [&str; 6] = ["shift_crop", "flip", "rotation", "resize", "jitter", "noise"];

/// (family, English, Korean).
const NOTES: [(&str, &str, &str); 6] = [
    (
        "shift_crop",
        "Shifts and crops keep the label while the object stays in the frame. A large shift or a small crop can cut \
         the object out, and the model is then trained to see it where there is none.",
        "이동과 자르기는 물체가 화면 안에 남아 있는 동안에는 레이블을 보존합니다. 크게 옮기거나 작게 자르면 물체가 \
         잘려 나가고, 모델은 물체가 없는 곳에서 그것을 보도록 학습하게 됩니다.",
    ),
    (
        "flip",
        "A horizontal flip is safe for most photos, but not for text, digits or anything with a left and a right \
         (arrows, road signs). A vertical flip rarely matches real photos and turns a 6 into a mirrored 9 (only a \
         180° rotation gives a true 9).",
        "좌우 뒤집기는 대부분의 사진에 안전하지만 글자, 숫자, 좌우가 있는 것(화살표, 표지판)에는 그렇지 않습니다. \
         상하 뒤집기는 실제 사진에서 거의 보이지 않는 장면을 만들고, 6을 거울상 9로 바꿉니다(진짜 9가 되는 것은 \
         180° 회전뿐입니다).",
    ),
    (
        "rotation",
        "Small rotations (about ±15°) mimic a tilted camera. Past 90° the image is upside down: near 180° a 6 becomes \
         a 9, and for objects with an up and a down such images do not occur in real data.",
        "작은 회전(약 ±15°)은 기울어진 카메라를 흉내 냅니다. 90°를 넘으면 이미지가 뒤집힙니다. 180° 가까이 돌리면 6은 \
         9가 되고, 위아래가 있는 물체라면 실제 데이터에 없는 이미지가 됩니다.",
    ),
    (
        "resize",
        "Zooming teaches the model that size does not change the class. Shrinking without an antialiasing filter \
         aliases: fine patterns turn into false coarse ones (moiré) that real cameras do not produce.",
        "확대·축소는 크기가 달라도 클래스가 같다는 것을 가르칩니다. 안티에일리어싱 필터 없이 줄이면 에일리어싱이 \
         생겨 가는 무늬가 실제 카메라에는 없는 굵은 가짜 무늬(모아레)로 바뀝니다.",
    ),
    (
        "jitter",
        "Mild brightness and contrast changes mimic lighting. Strong ones can leave an almost black or flat grey \
         image, and a hue shift changes colours that may carry the label (a red light, a ripe fruit).",
        "약한 밝기·대비 변화는 조명 차이를 흉내 냅니다. 강하게 하면 거의 검거나 평평한 회색 이미지가 될 수 있고, \
         색조 변화는 레이블을 담은 색(빨간 신호등, 익은 과일)을 바꿉니다.",
    ),
    (
        "noise",
        "A little noise mimics sensor noise and makes the model less sensitive to single pixels. Heavy noise hides \
         the object; a model trained on it learns the noise, not the shape.",
        "약한 잡음은 센서 잡음을 흉내 내고 모델이 개별 픽셀에 덜 민감하게 만듭니다. 강한 잡음은 물체를 가리고, \
         그런 데이터로 학습한 모델은 모양이 아니라 잡음을 배웁니다.",
    ),
];

/// The note on when a family stops being label-preserving; `None` for an unknown family.
pub fn note(family: &str, lang: Lang) -> Option<&'static str> {
    NOTES.iter().find(|n| n.0 == family).map(|n| if lang == Lang::Ko { n.2 } else { n.1 })
}

/// A warning that the pipeline can change the label or make unrealistic data. `key` is stable (for the page's
/// translations and tests); `step` is the 0-based index of the step that raises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub key: &'static str,
    pub step: usize,
}

/// (key, English, Korean).
const RISKS: [(&str, &str, &str); 14] = [
    (
        "vflip_digit_6_9",
        "A vertical flip turns this 6 upside down and mirrors it: a mirrored 9, which no one writes (a 180° rotation \
         would give a true 9). The image keeps the label 6.",
        "상하 뒤집기는 이 6을 거꾸로 세우면서 좌우도 뒤집습니다. 아무도 쓰지 않는 거울상 9가 됩니다(진짜 9는 180° \
         회전에서 나옵니다). 이미지의 레이블은 그대로 6입니다.",
    ),
    (
        "rotation_digit_6_9",
        "Rotations past 90° can turn this 6 into a 9 (at 180°, a true 9), while the image keeps the label 6.",
        "90°를 넘는 회전은 이 6을 9로 바꿀 수 있습니다(180°에서는 진짜 9). 이미지의 레이블은 그대로 6입니다.",
    ),
    (
        "hflip_digit_mirror",
        "A mirrored 6 is not a digit anyone writes; the model learns shapes that never occur.",
        "좌우로 뒤집힌 6은 아무도 쓰지 않는 모양입니다. 모델이 실제로 없는 모양을 배웁니다.",
    ),
    (
        "hflip_text_mirror",
        "A horizontal flip mirrors the text and makes the arrow point left: the meaning changes.",
        "좌우 뒤집기는 글자를 거울상으로 만들고 화살표가 왼쪽을 가리키게 합니다. 의미가 바뀝니다.",
    ),
    (
        "vflip_text_upside_down",
        "A vertical flip turns the text upside down and mirrored.",
        "상하 뒤집기는 글자를 거꾸로 뒤집힌 거울상으로 만듭니다.",
    ),
    (
        "vflip_scene_upside_down",
        "A vertical flip puts the sky under the grass, a scene no camera sees.",
        "상하 뒤집기는 하늘을 풀밭 아래에 둡니다. 어떤 카메라도 찍지 않는 장면입니다.",
    ),
    (
        "vflip_orientation",
        "A vertical flip makes upside-down images, which rarely occur in real photos.",
        "상하 뒤집기는 거꾸로 된 이미지를 만듭니다. 실제 사진에는 드뭅니다.",
    ),
    (
        "rotation_over_90",
        "Rotations past 90° turn the image upside down.",
        "90°를 넘는 회전은 이미지를 거꾸로 뒤집습니다.",
    ),
    (
        "large_shift",
        "A shift of 30% or more can move the object out of the frame.",
        "30% 이상 이동하면 물체가 화면 밖으로 나갈 수 있습니다.",
    ),
    (
        "small_crop",
        "Crops under 20% of the area may miss the object entirely.",
        "면적의 20%보다 작게 자르면 물체를 완전히 놓칠 수 있습니다.",
    ),
    (
        "aliasing",
        "Shrinking by more than 2× without antialiasing creates moiré patterns that are not in the scene.",
        "안티에일리어싱 없이 2배 넘게 줄이면 장면에 없는 모아레 무늬가 생깁니다.",
    ),
    (
        "strong_jitter",
        "Strong colour jitter (0.8 or more) can make images almost black, flat grey or oversaturated.",
        "강한 색상 변화(0.8 이상)는 이미지를 거의 검게, 평평한 회색으로 또는 과포화되게 만들 수 있습니다.",
    ),
    (
        "heavy_noise",
        "Heavy noise (σ or amount 0.2 or more) hides the object.",
        "강한 잡음(σ 또는 비율 0.2 이상)은 물체를 가립니다.",
    ),
    (
        "hue_shift",
        "A hue shift over 0.1 turns colours into others (green sky, blue grass); colour may carry the label.",
        "0.1이 넘는 색조 변화는 색을 다른 색으로 바꿉니다(초록 하늘, 파란 풀). 색이 레이블을 담고 있을 수 있습니다.",
    ),
];

impl Risk {
    /// Every key [`Pipeline::label_risks`] can return.
    pub fn keys() -> Vec<&'static str> {
        RISKS.iter().map(|r| r.0).collect()
    }

    pub fn message(&self, lang: Lang) -> &'static str {
        RISKS.iter().find(|r| r.0 == self.key).map_or("", |r| if lang == Lang::Ko { r.2 } else { r.1 })
    }
}

impl Pipeline {
    /// The warnings for this pipeline on a built-in sample (`Some(name)`) or the user's own image (`None`).
    /// Steps with `p = 0` never run and raise nothing.
    pub fn label_risks(&self, sample: Option<&str>) -> Vec<Risk> {
        let mut risks = Vec::new();
        for (step, s) in self.steps.iter().enumerate().filter(|(_, s)| s.p > 0.0) {
            let mut add = |key| risks.push(Risk { key, step });
            match (s.kind, sample) {
                (Kind::VFlip, Some("digit6")) => add("vflip_digit_6_9"),
                (Kind::VFlip, Some("arrow")) => add("vflip_text_upside_down"),
                (Kind::VFlip, Some("scene")) => add("vflip_scene_upside_down"),
                (Kind::VFlip, Some("zoneplate")) => {}
                (Kind::VFlip, _) => add("vflip_orientation"),
                (Kind::HFlip, Some("digit6")) => add("hflip_digit_mirror"),
                (Kind::HFlip, Some("arrow")) => add("hflip_text_mirror"),
                (Kind::Rotate, _) if s.get("deg") > 90.0 => {
                    add(if sample == Some("digit6") { "rotation_digit_6_9" } else { "rotation_over_90" })
                }
                (Kind::Translate, _) if s.get("x") >= 0.3 || s.get("y") >= 0.3 => add("large_shift"),
                (Kind::ResizedCrop, _) if s.get("smin") < 0.2 => add("small_crop"),
                (Kind::Resize, _)
                    if s.get("min") < 0.5
                        && (s.word("interp") == "nearest" || s.word("interp") == "bilinear" && s.get("aa") == 0.0) =>
                {
                    add("aliasing")
                }
                (Kind::Jitter, _) => {
                    if ["b", "c", "s"].iter().any(|k| s.get(k) >= 0.8) {
                        add("strong_jitter");
                    }
                    if s.get("h") > 0.1 {
                        add("hue_shift");
                    }
                }
                (Kind::Noise, _) if s.get("sigma") >= 0.2 => add("heavy_noise"),
                (Kind::SaltPepper, _) if s.get("amount") >= 0.2 => add("heavy_noise"),
                _ => {}
            }
        }
        risks
    }
}

/// What one tile's drawn steps did to its orientation, where that can change the label of its source: `"upside_down"`
/// (turned past 90°, not mirrored: the 6 reads as a 9, the arrow points the other way), `"upside_down_mirrored"`
/// (turned past 90° and mirrored, as a vertical flip does: the 6 reads as a mirrored 9) or `"mirrored"` (a mirrored
/// digit or text).
/// Steps compose as elements of O(2): a rotation by θ then hflip is a mirror with −θ, vflip is hflip after 180°.
/// Sources without an up and a down (the scene, the zone plate) get none; an own image only `upside_down`.
pub fn tile_label_risk(fired: &[FiredStep], sample: Option<&str>) -> Option<&'static str> {
    let (mut angle, mut mirrored) = (0.0f64, false);
    for f in fired {
        match f.name {
            "hflip" => (angle, mirrored) = (-angle, !mirrored),
            "vflip" => (angle, mirrored) = (180.0 - angle, !mirrored),
            "rotate" => angle += f.params.iter().find(|p| p.0 == "angle").map_or(0.0, |p| p.1),
            _ => {}
        }
    }
    let turned = (angle + 180.0).rem_euclid(360.0) - 180.0; // in [−180, 180)
    let (upside_down, mirror_matters) = match sample {
        Some("digit6" | "arrow") => (true, true),
        None => (true, false),
        _ => (false, false),
    };
    if upside_down && turned.abs() > 90.0 {
        Some(if mirror_matters && mirrored { "upside_down_mirrored" } else { "upside_down" })
    } else if mirror_matters && mirrored {
        Some("mirrored")
    } else {
        None
    }
}
