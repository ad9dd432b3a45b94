//! A chart as a standalone SVG document for download: plotters' SVG backend draws it with the same code as the
//! canvas (real `<text>` elements, not pixels), and [`svg_document`] adds a `<title>` and the view's link in
//! `<metadata>` (Dublin Core `source`), so a slide's figure can be traced back to the page that drew it.

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for XML (control characters other than tab and line breaks are
/// dropped: XML 1.0 does not allow them).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The SVG plotters wrote, with an XML declaration, `<title>` and `<metadata>` (the link) right after the opening
/// `<svg>` tag. Text that is not an `<svg>` element comes back unchanged but for the declaration.
pub fn svg_document(svg: &str, title: &str, link: &str) -> String {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let Some(open) = svg.find("<svg") else { return format!("{head}{svg}") };
    let Some(end) = svg[open..].find('>').map(|e| open + e + 1) else { return format!("{head}{svg}") };
    let meta = format!(
        "\n<title>{}</title>\n<metadata><dc:source xmlns:dc=\"http://purl.org/dc/elements/1.1/\">{}</dc:source></metadata>",
        xml_escape(title),
        xml_escape(link)
    );
    format!("{head}{}{meta}{}", &svg[..end], &svg[end..])
}

/// RGBA pixels (`size` = width × height, row-major; the bytes [`super::tiles_rgba`] makes and a tile canvas
/// holds) as an SVG document shown at `shown` pixels: one `<rect>` per run of equal pixels in a row, crisp edges, a
/// transparent pixel left out. Fewer bytes than `size` asks for leave the rest blank.
pub fn rgba_svg(rgba: &[u8], size: (usize, usize), shown: (usize, usize), title: &str, link: &str) -> String {
    let (w, h) = size;
    let mut body = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {w} {h}\" \
         shape-rendering=\"crispEdges\">\n",
        shown.0, shown.1
    );
    let pixel = |x: usize, y: usize| rgba.get((y * w + x) * 4..(y * w + x) * 4 + 4);
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let Some(p) = pixel(x, y) else { break };
            let mut end = x + 1;
            while end < w && pixel(end, y) == Some(p) {
                end += 1;
            }
            if p[3] > 0 {
                let opacity =
                    if p[3] == 255 { String::new() } else { format!(" fill-opacity=\"{:.3}\"", p[3] as f64 / 255.0) };
                body += &format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"1\" fill=\"#{:02X}{:02X}{:02X}\"{opacity}/>\n",
                    end - x,
                    p[0],
                    p[1],
                    p[2]
                );
            }
            x = end;
        }
    }
    body += "</svg>\n";
    svg_document(&body, title, link)
}
