//! The only place that talks to JavaScript. Typed arrays in, typed arrays out; every core `Error` becomes a JS
//! `Error` whose `param` property names the setting at fault, so the page can show the message next to it.

/// Draws a chart on a target (see [`chart_target`]): `draw_chart!(canvas, |area| plot::draw_x(&area, …))` runs the
/// same drawing code on the canvas (returns `undefined`) or on plotters' SVG backend (returns the SVG document).
macro_rules! draw_chart {
    ($target:expr, |$area:ident| $draw:expr) => {
        match $crate::web::chart_target($target)? {
            $crate::web::ChartTarget::Canvas(backend) => {
                let $area = plotters::prelude::IntoDrawingArea::into_drawing_area(backend);
                $draw.map_err($crate::web::chart_error)?;
                Ok(wasm_bindgen::JsValue::UNDEFINED)
            }
            $crate::web::ChartTarget::Svg(svg) => {
                let mut text = String::new();
                {
                    let backend = plotters::prelude::SVGBackend::with_string(&mut text, (svg.width, svg.height));
                    let $area = plotters::prelude::IntoDrawingArea::into_drawing_area(backend);
                    $draw.map_err($crate::web::chart_error)?;
                    $area.present().map_err(|e| $crate::web::chart_error(e.to_string()))?;
                }
                Ok(wasm_bindgen::JsValue::from($crate::plot::svg_document(&text, &svg.title, &svg.link)))
            }
        }
    };
}

mod args;
mod augment;
mod catalog;
mod config;
mod data;
mod draw;
mod init;
mod probe;
mod session;
mod train;
mod train_view;
mod transfer;
mod verdict;

pub use augment::{AugmentView, augment_catalog, augment_notes};
pub use catalog::core_catalog;
pub use data::Dataset;
pub use draw::DrawModel;
pub use init::InitView;
pub use probe::{ProbeRun, draw_layer_histograms, draw_signal_layers};
pub use session::pytorch_script;
pub use session::{Session, check_settings, check_weights};
pub use train::{Trainer, TrainerSnapshot};
pub use train_view::{draw_confusion, draw_confusion_rows, draw_train_curves, run_colors, tiles_rgba};
pub use transfer::{transfer_model, transfer_plan, transfer_verdict, zoo_verify};
pub use verdict::{verdict_compare, verdict_learned, verdict_rules, verdict_steps_to_reach, verdict_still_learning};

use crate::error::Error;
use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: a Rust panic then reaches the console with its message, and the
/// page (which also catches the resulting `RuntimeError`) shows it instead of going dead.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Panics on purpose. It exists so the end-to-end tests can check that a panic inside the worker reaches the page
/// as an error and the worker is replaced; nothing else calls it.
#[wasm_bindgen]
pub fn self_test_panic() {
    panic!("self-test panic requested by the page");
}

/// A JS `Error` with the message and the properties `param`, `code` and `values` (an object of the numbers the
/// message quotes), so the page can translate it and put it next to the control at fault.
pub(crate) fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let values = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail; if it somehow did, the message still carries it all.
    for (name, value) in &e.values {
        let _ = js_sys::Reflect::set(&values, &(*name).into(), &(*value).into());
    }
    let _ = js_sys::Reflect::set(&err, &"param".into(), &e.param.as_str().into());
    let _ = js_sys::Reflect::set(&err, &"code".into(), &e.code.into());
    let _ = js_sys::Reflect::set(&err, &"values".into(), &values);
    err.into()
}

/// A plain JS object with these properties (setting a property on a fresh object cannot fail).
pub(crate) fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&o, &(*key).into(), value);
    }
    o.into()
}

/// A plotters drawing area on a canvas, sized in device pixels (param `canvas`, code `wrong_type` for anything but a
/// canvas element).
pub(crate) fn canvas_backend(canvas: JsValue) -> Result<plotters_canvas::CanvasBackend, JsValue> {
    let canvas = args::canvas("canvas", &canvas).map_err(js_error)?;
    plotters_canvas::CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| js_error(Error::invalid("canvas", "the canvas has no 2D context")))
}

/// The canvas's device pixels per CSS pixel: a number in [0.01, 16] (param `pixel_ratio`).
pub(crate) fn pixel_ratio(value: &JsValue) -> Result<f64, JsValue> {
    args::number("pixel_ratio", value)
        .and_then(|x| crate::error::check_range("pixel_ratio", x, 0.01, 16.0))
        .map_err(js_error)
}

/// An SVG document to draw a chart into instead of a canvas: its size in pixels, title and the view's link.
pub(crate) struct SvgTarget {
    pub width: u32,
    pub height: u32,
    pub title: String,
    pub link: String,
}

/// Where a chart goes.
pub(crate) enum ChartTarget {
    Canvas(plotters_canvas::CanvasBackend),
    Svg(SvgTarget),
}

/// The largest side of an SVG chart, in pixels.
pub const MAX_SVG_SIDE: usize = 16_384;

/// A chart's target (param `canvas`): a canvas element, or `{ svg: true, width, height, title, link }` for an SVG
/// document of `width × height` pixels (each 1 … [`MAX_SVG_SIDE`]; usually the canvas's own pixel size, so the
/// layout is the one on screen) whose `<title>` and `<metadata>` hold `title` and `link`.
pub(crate) fn chart_target(canvas: JsValue) -> Result<ChartTarget, JsValue> {
    let plain = canvas.is_object() && args::canvas("canvas", &canvas).is_err();
    if plain && js_sys::Reflect::get(&canvas, &"svg".into()).is_ok_and(|v| v.is_truthy()) {
        let read = || -> crate::Result<SvgTarget> {
            let c = config::Config::read(&canvas, "canvas", &["svg", "width", "height", "title", "link"])?;
            let side = |key| c.whole(key, 1.0, MAX_SVG_SIDE as f64).map(|v| v.unwrap_or(1) as u32);
            Ok(SvgTarget {
                width: side("width")?,
                height: side("height")?,
                title: c.string("title")?.unwrap_or_default(),
                link: c.string("link")?.unwrap_or_default(),
            })
        };
        return read().map(ChartTarget::Svg).map_err(js_error);
    }
    canvas_backend(canvas).map(ChartTarget::Canvas)
}

/// A picture of RGBA pixels (`width × height`, row-major: what a tile canvas holds) as an SVG document of one
/// rectangle per run of equal pixels in a row, drawn crisp (`shape-rendering="crispEdges"`), with the title and
/// link of `target` (`{ svg: true, width, height, title, link }`: its size is the displayed size the pixels are
/// scaled to). For the charts drawn as pixels (filters, activation maps, images, the augmentation grid).
#[wasm_bindgen]
pub fn rgba_svg(rgba: JsValue, width: JsValue, height: JsValue, target: JsValue) -> Result<String, JsValue> {
    let made = || -> crate::Result<String> {
        let w = args::count("width", &width, 1, MAX_SVG_SIDE)?;
        let h = args::count("height", &height, 1, MAX_SVG_SIDE)?;
        let rgba = args::bytes("rgba", &rgba, 1 << 26)?;
        if rgba.len() != w * h * 4 {
            return Err(Error::coded(
                "rgba",
                "shape_mismatch",
                format!("{} bytes are not {w}×{h} RGBA pixels", rgba.len()),
            )
            .with("got", rgba.len() as f64)
            .with("expected", (w * h * 4) as f64));
        }
        let c = config::Config::read(&target, "target", &["svg", "width", "height", "title", "link"])?;
        let side =
            |key, default: usize| c.whole(key, 1.0, MAX_SVG_SIDE as f64).map(|v| v.map_or(default, |v| v as usize));
        let (dw, dh) = (side("width", w)?, side("height", h)?);
        let title = c.string("title")?.unwrap_or_default();
        let link = c.string("link")?.unwrap_or_default();
        Ok(crate::plot::rgba_svg(&rgba, (w, h), (dw, dh), &title, &link))
    };
    made().map_err(js_error)
}

pub(crate) fn chart_error(message: String) -> JsValue {
    js_error(Error::invalid("chart", message))
}
