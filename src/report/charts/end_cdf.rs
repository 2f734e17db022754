//! When runs end relative to their window: the cumulative share of started runs that have ended,
//! against minutes from the window's end.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;

/// The run-end CDF.
pub struct EndCdf<'a>(pub &'a ReportData);

impl Plot for EndCdf<'_> {
    fn name(&self) -> &'static str {
        "run-end-vs-window"
    }

    fn title(&self) -> String {
        "When runs end, relative to the window's end".to_owned()
    }

    fn caption(&self) -> String {
        "The share of started runs that have ended (completed, failed or stopped) by each minute \
         before or after their window closes; where the curve crosses the red line is the share \
         done in time, and everything right of it ran late."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let cdf = &self.0.end_cdf;
        if cdf.is_empty() {
            return empty(root, &self.title(), "No run started.");
        }
        let length = self.0.window_minutes;
        let last = cdf.last().map_or(0.0, |p| p.0);
        // Show the whole window and up to the 99.9th percentile after it.
        let right = cdf.iter().find(|p| p.1 >= 0.999).map_or(last, |p| p.0).max(10.0) * 1.05;
        let left = -length;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(22.0))
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(left..right, 0f64..1.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("minutes from the window's end (negative: before it)")
            .y_desc("share of started runs ended")
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        let red = OUTCOME_COLOURS[Outcome::Failed as usize];
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, 1.0)], red.stroke_width(2))))
            .map_err(err)?
            .label("window closes")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
        let mut points: Vec<(f64, f64)> = vec![(left, 0.0)];
        let mut previous = 0.0;
        for &(x, share) in cdf {
            // A step function: flat until each recorded end, then up.
            points.push((x.max(left), previous));
            points.push((x.max(left), share));
            previous = share;
        }
        points.push((right, previous));
        chart
            .draw_series(LineSeries::new(points, BLUE.stroke_width(3)))
            .map_err(err)?
            .label("runs ended")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(text(14.0))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
