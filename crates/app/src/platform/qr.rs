//! QR codes for the wall: a workshop code's address as SVG (for the page and print) and
//! PNG (for slides). Dark modules on white with the standard four-module quiet zone, at
//! error correction level M (15 % of the code may be covered or smudged).

use qrcode::{Color, EcLevel, QrCode};

/// The standard quiet zone around a code, in modules.
const QUIET: usize = 4;

fn code(data: &str) -> anyhow::Result<QrCode> {
    Ok(QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)?)
}

/// The code as an SVG element of `size` CSS pixels with an accessible name.
pub fn svg(data: &str, size: u32, label: &str) -> anyhow::Result<String> {
    let code = code(data)?;
    let width = code.width();
    let total = width + 2 * QUIET;
    let mut path = String::new();
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let label = label.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" width=\"{size}\" height=\"{size}\" \
         role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\"><rect width=\"{total}\" height=\"{total}\" \
         fill=\"#ffffff\"/><path d=\"{path}\" fill=\"#000000\"/></svg>"
    ))
}

/// The code as a black-and-white PNG with `scale` pixels per module.
pub fn png(data: &str, scale: usize) -> anyhow::Result<Vec<u8>> {
    let code = code(data)?;
    let width = code.width();
    let side = (width + 2 * QUIET) * scale;
    let colours = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colours.iter().enumerate() {
        if *c == Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for y in my * scale..(my + 1) * scale {
                pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_drawn_as_svg_and_png() {
        let svg = svg("https://samby.dk/kode?c=ABC234", 320, "QR-kode").expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("aria-label=\"QR-kode\"") && svg.contains("h1v1h-1z"));
        let png = png("https://samby.dk/kode?c=ABC234", 8).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
        // Same data, same picture.
        assert_eq!(png, super::png("https://samby.dk/kode?c=ABC234", 8).expect("png"));
    }
}
