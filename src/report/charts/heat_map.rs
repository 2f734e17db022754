//! The overran share of every window, as a day × start-time heat map.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Plot, err, text};
use crate::report::data::ReportData;

/// The overran-by-window heat map.
pub struct HeatMap<'a>(pub &'a ReportData);

/// White for none, deepening to dark red for the worst window.
fn shade(share: f64, worst: f64) -> RGBColor {
    let t = if worst > 0.0 { (share / worst).clamp(0.0, 1.0) } else { 0.0 };
    let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
    RGBColor(mix(255.0, 183.0), mix(255.0, 28.0), mix(255.0, 28.0))
}

impl Plot for HeatMap<'_> {
    fn name(&self) -> &'static str {
        "overran-by-window"
    }

    fn title(&self) -> String {
        "Overran share by window".to_owned()
    }

    fn caption(&self) -> String {
        "One cell per maintenance window (rows: days, columns: start times); the darker the cell, \
         the larger the share of its targeted servers that finished after the window closed."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let windows = &self.0.summary.windows;
        let mut days: Vec<&str> = Vec::new();
        let mut starts: Vec<&str> = Vec::new();
        for w in windows {
            if !days.contains(&w.day.as_str()) {
                days.push(&w.day);
            }
            if !starts.contains(&w.start.as_str()) {
                starts.push(&w.start);
            }
        }
        let worst = windows.iter().map(|w| w.overran.mean).fold(0.0, f64::max);
        let best = windows.iter().map(|w| w.overran.mean).fold(f64::INFINITY, f64::min);
        let (cols, rows) = (starts.len().max(1) as f64, days.len().max(1) as f64);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("{} (from {:.2}% to {:.2}%)", self.title(), best.min(worst) * 100.0, worst * 100.0),
                text(22.0),
            )
            .margin(20)
            .margin_top(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..cols, 0f64..rows)
            .map_err(err)?;
        chart.configure_mesh().disable_mesh().x_labels(0).y_labels(0).draw().map_err(err)?;
        let cell_text = if cols > 12.0 { 11.0 } else { 15.0 };
        for w in windows {
            let Some(c) = starts.iter().position(|s| *s == w.start) else { continue };
            let Some(r) = days.iter().position(|d| *d == w.day) else { continue };
            let (x, y) = (c as f64, rows - 1.0 - r as f64);
            let fill = shade(w.overran.mean, worst);
            chart
                .draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], fill.filled())))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], WHITE.stroke_width(2))))
                .map_err(err)?;
            let dark = worst > 0.0 && w.overran.mean / worst > 0.55;
            let at = chart.backend_coord(&(x + 0.5, y + 0.5));
            let style = text(cell_text).pos(Pos::new(HPos::Center, VPos::Center));
            let style = if dark { style.color(&WHITE) } else { style };
            root.draw(&Text::new(format!("{:.1}%", w.overran.mean * 100.0), at, style)).map_err(err)?;
        }
        for (c, start) in starts.iter().enumerate() {
            let at = chart.backend_coord(&(c as f64 + 0.5, 0.0));
            root.draw(&Text::new(
                start.to_string(),
                (at.0, at.1 + 8),
                text(14.0).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        for (r, day) in days.iter().enumerate() {
            let at = chart.backend_coord(&(0.0, rows - 1.0 - r as f64 + 0.5));
            root.draw(&Text::new(
                day.to_string(),
                (at.0 - 10, at.1),
                text(15.0).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
