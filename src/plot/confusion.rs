//! A confusion matrix: rows are true classes, columns predicted ones, each cell shaded by the share of its row (so a
//! class with few examples is as readable as a large one) and labelled with its count; the diagonal is outlined.

use super::{AXIS, Style, err};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CELL: RGBColor = RGBColor(46, 110, 190);
const WRONG: RGBColor = RGBColor(214, 84, 38);

/// `counts` is `classes × classes`, row = true class. `labels` names the classes; `true_word` and `predicted_word`
/// title the axes.
pub fn draw_confusion<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    counts: &[u32],
    labels: &[String],
    true_word: &str,
    predicted_word: &str,
    style: Style,
) -> Result<(), String> {
    let rows: Vec<usize> = (0..labels.len()).collect();
    draw_confusion_rows(area, counts, &rows, labels, true_word, predicted_word, style)
}

/// Some rows of a confusion matrix: `counts` is `rows.len() × classes`, row i the true class `rows[i]` (the label
/// trap shows the 6 and 9 rows).
pub fn draw_confusion_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    counts: &[u32],
    rows: &[usize],
    labels: &[String],
    true_word: &str,
    predicted_word: &str,
    style: Style,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(err)?;
    let k = labels.len();
    let n_rows = rows.len();
    if k == 0 || n_rows == 0 || counts.len() < n_rows * k || rows.iter().any(|&r| r >= k) {
        return area.present().map_err(err);
    }
    let (w, h) = area.dim_in_pixel();
    let px = |v: f64| style.px(v) as i32;
    let font = |size: f64, color: &RGBColor, hp: HPos, vp: VPos| {
        ("sans-serif", style.scale * size).into_font().color(color).pos(Pos::new(hp, vp))
    };
    let (left, top) = (px(44.0), px(36.0));
    let cell = ((w as i32 - left - px(4.0)) / k as i32).min((h as i32 - top - px(4.0)) / n_rows as i32).max(1);
    area.draw(&Text::new(
        predicted_word,
        (left + cell * k as i32 / 2, px(2.0)),
        font(11.0, &AXIS, HPos::Center, VPos::Top),
    ))
    .map_err(err)?;
    area.draw(&Text::new(true_word, (px(2.0), top - px(14.0)), font(11.0, &AXIS, HPos::Left, VPos::Top)))
        .map_err(err)?;
    for (i, &r) in rows.iter().enumerate() {
        let row = &counts[i * k..(i + 1) * k];
        let total: u32 = row.iter().sum();
        let y = top + i as i32 * cell;
        area.draw(&Text::new(
            labels[r].as_str(),
            (left - px(6.0), y + cell / 2),
            font(11.0, &AXIS, HPos::Right, VPos::Center),
        ))
        .map_err(err)?;
        for (c, &n) in row.iter().enumerate() {
            let x = left + c as i32 * cell;
            let share = if total > 0 { f64::from(n) / f64::from(total) } else { 0.0 };
            let color = if r == c { CELL } else { WRONG };
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], color.mix(share.sqrt() * 0.9).filled()))
                .map_err(err)?;
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], RGBColor(230, 230, 230).stroke_width(1)))
                .map_err(err)?;
            if n > 0 && cell >= px(14.0) {
                let ink = if share > 0.5 { WHITE } else { AXIS };
                area.draw(&Text::new(
                    n.to_string(),
                    (x + cell / 2, y + cell / 2),
                    font(10.0, &ink, HPos::Center, VPos::Center),
                ))
                .map_err(err)?;
            }
        }
    }
    for (c, label) in labels.iter().enumerate() {
        let x = left + c as i32 * cell + cell / 2;
        area.draw(&Text::new(label.as_str(), (x, top - px(2.0)), font(11.0, &AXIS, HPos::Center, VPos::Bottom)))
            .map_err(err)?;
    }
    area.present().map_err(err)
}
