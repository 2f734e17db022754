//! Charts: one per file, each drawing itself on any plotters backend, rendered to SVG (for the
//! HTML report, crisp at any size) and PNG (for mail and slides).
//!
//! PNG text is drawn with DejaVu Sans, embedded in the binary: no system fonts are needed and
//! every machine renders the same pixels. SVG text names the font family and lets the viewer draw
//! it.

pub mod backtest;
pub mod differences;
pub mod end_cdf;
pub mod gantt;
pub mod heat_map;
pub mod latency;
pub mod load;
pub mod outcomes;
pub mod overrun_histogram;
pub mod plan;
pub mod resources;
pub mod sweep;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::ReportData;

/// Width of every chart, pixels.
pub const WIDTH: u32 = 960;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 540;
/// The font every chart uses.
pub const FONT: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font with plotters (once per process).
pub fn register_fonts() {
    REGISTER.call_once(|| {
        for family in ["sans-serif", "serif", "monospace"] {
            // The embedded font is a valid TrueType file: registration cannot fail.
            let _ = plotters::style::register_font(family, FontStyle::Normal, DEJAVU_SANS);
        }
    });
}

/// A chart drawing itself on any backend.
pub trait Plot {
    /// File name without extension, e.g. `overran-by-window`.
    fn name(&self) -> &'static str;
    /// The chart's title.
    fn title(&self) -> String;
    /// One sentence on how to read it.
    fn caption(&self) -> String;
    /// Draws the chart on a white area of [`WIDTH`] × [`HEIGHT`].
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// A chart rendered to files.
pub trait Chart {
    /// File name without extension.
    fn name(&self) -> &'static str;
    /// The chart's title.
    fn title(&self) -> String;
    /// One sentence on how to read it.
    fn caption(&self) -> String;
    /// The chart as an SVG document.
    fn svg(&self) -> Result<String, String>;
    /// The chart as a PNG image.
    fn png(&self) -> Result<Vec<u8>, String>;
}

impl<T: Plot> Chart for T {
    fn name(&self) -> &'static str {
        Plot::name(self)
    }
    fn title(&self) -> String {
        Plot::title(self)
    }
    fn caption(&self) -> String {
        Plot::caption(self)
    }
    fn svg(&self) -> Result<String, String> {
        register_fonts();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            self.draw(&root)?;
            root.present().map_err(err)?;
        }
        Ok(svg)
    }
    fn png(&self) -> Result<Vec<u8>, String> {
        register_fonts();
        let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            self.draw(&root)?;
            root.present().map_err(err)?;
        }
        encode_png(&rgb, WIDTH, HEIGHT)
    }
}

/// An error of plotters, as text.
pub fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Encodes 8-bit RGB pixels as a PNG.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// The charts of a run's report, in the order the report shows them: six, then the State
/// System's load when state messages were sent, then the resources' when the scenario has any.
pub fn report_charts(data: &ReportData) -> Vec<Box<dyn Chart + '_>> {
    let mut charts: Vec<Box<dyn Chart + '_>> = vec![
        Box::new(outcomes::Outcomes(data)),
        Box::new(heat_map::HeatMap(data)),
        Box::new(overrun_histogram::OverrunHistogram(data)),
        Box::new(end_cdf::EndCdf(data)),
        Box::new(load::Load(data, load::Inbox::StatusManager)),
        Box::new(latency::Latency(data)),
    ];
    if data.load.state_arrived.iter().any(|v| *v > 0.0) {
        charts.push(Box::new(load::Load(data, load::Inbox::StateSystem)));
    }
    if !data.resources.is_empty() {
        charts.push(Box::new(resources::Resources(data)));
    }
    charts
}

/// Colours of the outcomes, in `Outcome::ALL` order.
pub const OUTCOME_COLOURS: [RGBColor; 5] = [
    RGBColor(0x2E, 0x7D, 0x32),
    RGBColor(0xEF, 0x6C, 0x00),
    RGBColor(0xC6, 0x28, 0x28),
    RGBColor(0x6A, 0x1B, 0x9A),
    RGBColor(0x75, 0x75, 0x75),
];

/// The main series colour.
pub const BLUE: RGBColor = RGBColor(0x15, 0x65, 0xC0);

/// A text style of the chart font.
pub fn text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Draws "nothing to show" in the middle of a chart with no data.
pub fn empty<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str, why: &str) -> Result<(), String> {
    root.titled(title, text(22.0)).map_err(err)?;
    let style = text(18.0).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    root.draw(&Text::new(why.to_owned(), ((WIDTH / 2) as i32, (HEIGHT / 2) as i32), style)).map_err(err)?;
    Ok(())
}

/// A day name for hours since Monday 00:00 (days of the following week: "Mon+", "Tue+", …).
pub fn day_label(hours: f64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let day = (hours / 24.0).floor().max(0.0) as usize;
    let name = DAYS[day % 7];
    if day < 7 { name.to_owned() } else { format!("{name}{}", "+".repeat(day / 7)) }
}
