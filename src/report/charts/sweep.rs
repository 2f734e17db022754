//! A sweep at a glance: four headline figures across the swept values, with their 95% intervals.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, Plot, empty, err, text};
use crate::montecarlo::Figure;
use crate::planner::sweep::Sweep;

/// The figures a sweep shows first (its chart's panels and its table's columns), with titles.
pub const SWEEP_FIGURES: [(Figure, &str); 4] = [
    (Figure::Overran, "overran share"),
    (Figure::OverrunMeanMinutes, "mean overrun (minutes)"),
    (Figure::PeakPerMinute, "busiest minute at the site (messages)"),
    (Figure::BacklogPeak, "backlog peak (messages)"),
];

/// The chart of a sweep.
pub struct SweepChart<'a>(pub &'a Sweep);

impl Plot for SweepChart<'_> {
    fn name(&self) -> &'static str {
        "sweep"
    }

    fn title(&self) -> String {
        format!("{}: figures across {}", self.0.scenario, self.0.key)
    }

    fn caption(&self) -> String {
        "Each panel is one figure across the swept values (every value run with the same seed and \
         replications); points are means over replications, whiskers their 95% intervals."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let rows = &self.0.rows;
        if rows.is_empty() {
            return empty(root, &self.title(), "No value was run.");
        }
        let area = root.titled(&self.title(), text(18.0)).map_err(err)?;
        let numeric = rows.iter().all(|r| r.x.is_some());
        let xs: Vec<f64> =
            rows.iter().enumerate().map(|(i, r)| if numeric { r.x.unwrap_or(0.0) } else { i as f64 }).collect();
        let (x0, x1) =
            (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let pad = ((x1 - x0) * 0.06).max(0.5);
        let labels: Vec<String> = rows.iter().map(|r| r.value.clone()).collect();
        for (panel, (key, title)) in area.split_evenly((2, 2)).iter().zip(SWEEP_FIGURES) {
            let percent = key.is_share();
            let points: Vec<(f64, f64, f64, f64)> = rows
                .iter()
                .zip(&xs)
                .filter_map(|(r, x)| {
                    r.figures.iter().find(|(k, _)| *k == key).map(|(_, f)| (*x, f.mean, f.ci95[0], f.ci95[1]))
                })
                .collect();
            let scale = if percent { 100.0 } else { 1.0 };
            let top = points.iter().map(|p| p.3 * scale).fold(0.0, f64::max).max(1e-9) * 1.1;
            let mut chart = ChartBuilder::on(panel)
                .caption(title, text(14.0))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(55)
                .build_cartesian_2d((x0 - pad)..(x1 + pad), 0f64..top)
                .map_err(err)?;
            let label_at = |x: &f64| {
                if numeric {
                    labels
                        .get(xs.iter().position(|v| v == x).unwrap_or(usize::MAX))
                        .cloned()
                        .unwrap_or_else(|| format!("{x}"))
                } else {
                    labels.get(x.round() as usize).cloned().unwrap_or_default()
                }
            };
            chart
                .configure_mesh()
                .x_labels(if numeric { 6 } else { rows.len().min(8) })
                .x_label_formatter(&|x| if numeric { crate::scenario::overrides::number_text(*x) } else { label_at(x) })
                .y_label_formatter(&|y| {
                    if percent { format!("{y:.1}%") } else { crate::scenario::overrides::number_text(*y) }
                })
                .label_style(text(11.0))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1 * scale)), BLUE.stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| PathElement::new(vec![(p.0, p.2 * scale), (p.0, p.3 * scale)], BLUE.stroke_width(2))),
                )
                .map_err(err)?;
            chart.draw_series(points.iter().map(|p| Circle::new((p.0, p.1 * scale), 3, BLUE.filled()))).map_err(err)?;
        }
        Ok(())
    }
}
