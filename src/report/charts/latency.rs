//! Status-message latency by percentile: how long the slowest messages take to reach the
//! database.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;

/// The latency-percentile chart.
pub struct Latency<'a>(pub &'a ReportData);

/// Position on the "nines" axis: 0 at p0, 1 at p90, 2 at p99, 3 at p99.9, …
fn nines(percentile: f64) -> f64 {
    let rest = (100.0 - percentile) / 100.0;
    if rest <= 1e-5 { 5.0 } else { -rest.log10() }
}

impl Plot for Latency<'_> {
    fn name(&self) -> &'static str {
        "latency-percentiles"
    }

    fn title(&self) -> String {
        "Status-message latency by percentile".to_owned()
    }

    fn caption(&self) -> String {
        "From a server sending a message to its inbox having processed it — Status Manager for status \
         messages, the State System for state messages — all messages pooled: read a point as \
         \"this share of messages took at most this long\"; the right end is the slowest message."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let status = &self.0.latency_percentiles;
        let state = &self.0.state_latency_percentiles;
        if status.is_empty() && state.is_empty() {
            return empty(root, &self.title(), "No message was sent.");
        }
        let top = status.iter().chain(state).map(|p| p.1).fold(0.0, f64::max).max(1e-3) * 1.1;
        let (scale, unit) = if top < 2.0 {
            (1_000.0, "ms")
        } else if top < 600.0 {
            (1.0, "s")
        } else {
            (1.0 / 60.0, "min")
        };
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(22.0))
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..5.0, 0f64..top * scale)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|x| match x.round() as i64 {
                0 => "p0".to_owned(),
                1 => "p90".to_owned(),
                2 => "p99".to_owned(),
                3 => "p99.9".to_owned(),
                4 => "p99.99".to_owned(),
                _ => "max".to_owned(),
            })
            .x_desc("percentile")
            .y_desc(format!("latency ({unit})"))
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        for (points, colour, label) in
            [(status, BLUE, "status messages"), (state, OUTCOME_COLOURS[Outcome::Overran as usize], "state messages")]
        {
            if points.is_empty() {
                continue;
            }
            let xy: Vec<(f64, f64)> = points.iter().map(|(p, s)| (nines(*p), s * scale)).collect();
            chart
                .draw_series(LineSeries::new(xy.clone(), colour.stroke_width(3)))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3)));
            chart.draw_series(xy.iter().map(|p| Circle::new(*p, 4, colour.filled()))).map_err(err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(text(14.0))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
