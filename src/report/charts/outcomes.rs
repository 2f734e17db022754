//! Outcome breakdown: the share of targeted servers with each outcome, with its 95% interval.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{OUTCOME_COLOURS, Plot, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;

/// The outcome breakdown chart.
pub struct Outcomes<'a>(pub &'a ReportData);

impl Plot for Outcomes<'_> {
    fn name(&self) -> &'static str {
        "outcomes"
    }

    fn title(&self) -> String {
        "How targeted servers ended the month".to_owned()
    }

    fn caption(&self) -> String {
        "Each bar is the share of targeted servers with that outcome, averaged over replications; \
         the whisker is the 95% confidence interval of that average."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let o = &self.0.summary.outcomes;
        let rows = [
            (Outcome::CompletedInWindow, &o.completed_in_window),
            (Outcome::Overran, &o.overran),
            (Outcome::Failed, &o.failed),
            (Outcome::Stopped, &o.stopped),
            (Outcome::NotStarted, &o.not_started),
        ];
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(22.0))
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(170)
            .build_cartesian_2d(0f64..1.0, 0f64..rows.len() as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(11)
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .x_desc("share of targeted servers")
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        let n = rows.len() as f64;
        for (i, (outcome, share)) in rows.iter().enumerate() {
            // The first outcome at the top.
            let y = n - 1.0 - i as f64;
            let colour = OUTCOME_COLOURS[*outcome as usize];
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (share.mean.min(1.0), y + 0.8)],
                    colour.filled(),
                )))
                .map_err(err)?;
            let (lo, hi) = (share.ci95[0].max(0.0), share.ci95[1].min(1.0));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(lo, y + 0.5), (hi, y + 0.5)],
                    BLACK.stroke_width(2),
                )))
                .map_err(err)?;
            let label_at = chart.backend_coord(&(share.mean.min(1.0), y + 0.5));
            let inside = share.mean > 0.75;
            let style = text(15.0).pos(Pos::new(if inside { HPos::Right } else { HPos::Left }, VPos::Center));
            let style = if inside { style.color(&WHITE) } else { style };
            let dx = if inside { -8 } else { 8 };
            root.draw(&Text::new(format!("{:.2}%", share.mean * 100.0), (label_at.0 + dx, label_at.1), style))
                .map_err(err)?;
            let name_at = chart.backend_coord(&(0.0, y + 0.5));
            root.draw(&Text::new(
                outcome.label(),
                (name_at.0 - 10, name_at.1),
                text(16.0).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
