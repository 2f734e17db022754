//! How late the late servers were: a histogram of overrun minutes.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;

/// The overrun histogram.
pub struct OverrunHistogram<'a>(pub &'a ReportData);

impl Plot for OverrunHistogram<'_> {
    fn name(&self) -> &'static str {
        "overrun-minutes"
    }

    fn title(&self) -> String {
        "How long past the window the late servers ran".to_owned()
    }

    fn caption(&self) -> String {
        "Minutes past the window's end for the servers that overran, all replications pooled; each \
         bar is the share of those servers, the last one holds everything beyond the 99.5th percentile."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let bins = &self.0.overrun_bins;
        if bins.is_empty() {
            return empty(root, &self.title(), "No server overran its window.");
        }
        let width = bins[0].high - bins[0].low;
        let right = bins.last().map_or(1.0, |b| if b.high.is_finite() { b.high } else { b.low + width });
        let top = bins.iter().map(|b| b.share).fold(0.0, f64::max) * 1.15;
        let o = &self.0.summary.overrun_minutes;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("{} (p50 {:.1} min, p95 {:.1} min, max {:.0} min)", self.title(), o.p50, o.p95, o.max),
                text(20.0),
            )
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..right, 0f64..top.max(1e-9))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("minutes past the window's end")
            .y_desc("share of servers that overran")
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        let colour = OUTCOME_COLOURS[Outcome::Overran as usize];
        chart
            .draw_series(bins.iter().map(|b| {
                let high = if b.high.is_finite() { b.high } else { b.low + width };
                Rectangle::new([(b.low, 0.0), (high, b.share)], colour.mix(0.85).filled())
            }))
            .map_err(err)?;
        Ok(())
    }
}
