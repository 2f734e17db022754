//! One server's run as a Gantt chart against its window.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::report::timeline::{RowKind, Timeline};

/// The Gantt chart of a traced server.
pub struct Gantt<'a>(pub &'a Timeline);

impl Plot for Gantt<'_> {
    fn name(&self) -> &'static str {
        "trace"
    }

    fn title(&self) -> String {
        format!("Server {} in window {}: {}", self.0.server, self.0.window, self.0.record.outcome.label())
    }

    fn caption(&self) -> String {
        "Each bar is a group, a step or a restart, from its start to its end in minutes from the \
         window's start; green succeeded, red failed, purple a restart, grey a group; the red line \
         is the window's end; ticks on the bottom row are status messages."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let t = self.0;
        let rows: Vec<_> =
            t.rows.iter().filter(|r| matches!(r.kind, RowKind::Group | RowKind::Step | RowKind::Restart)).collect();
        if rows.is_empty() {
            return empty(root, &self.title(), "The sequence did not run.");
        }
        let end = t.rows.iter().map(|r| t.minutes(r.end)).fold(t.minutes(t.window_end), f64::max);
        let right = end * 1.05 + 1.0;
        let lanes = rows.len() + 1;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(20.0))
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(360)
            .build_cartesian_2d(0f64..right, 0f64..lanes as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("minutes from the window's start")
            .label_style(text(13.0))
            .axis_desc_style(text(14.0))
            .draw()
            .map_err(err)?;
        let green = OUTCOME_COLOURS[Outcome::CompletedInWindow as usize];
        let red = OUTCOME_COLOURS[Outcome::Failed as usize];
        let purple = OUTCOME_COLOURS[Outcome::Stopped as usize];
        let grey = RGBColor(0x90, 0xA4, 0xAE);
        let label_size = if rows.len() > 24 { 10.0 } else { 13.0 };
        for (i, r) in rows.iter().enumerate() {
            // Row i fills the lane from lanes − i − 1 to lanes − i; the bottom lane is messages.
            let y = (lanes - i) as f64;
            let colour = match (r.kind, r.result.as_str()) {
                (RowKind::Group, _) => grey,
                (RowKind::Restart, _) => purple,
                (_, "succeeded") => green,
                _ => red,
            };
            let (x0, x1) = (t.minutes(r.start), t.minutes(r.end).max(t.minutes(r.start) + right / 400.0));
            chart
                .draw_series(std::iter::once(Rectangle::new([(x0, y - 0.8), (x1, y - 0.2)], colour.filled())))
                .map_err(err)?;
            let at = chart.backend_coord(&(0.0, y - 0.5));
            let full = format!("{}{}", "  ".repeat(r.depth as usize), r.name);
            let name = if full.chars().count() > 52 {
                format!("{}…", full.chars().take(51).collect::<String>())
            } else {
                full
            };
            root.draw(&Text::new(name, (at.0 - 8, at.1), text(label_size).pos(Pos::new(HPos::Right, VPos::Center))))
                .map_err(err)?;
        }
        chart
            .draw_series(t.rows.iter().filter(|r| r.kind == RowKind::Message).map(|r| {
                let x = t.minutes(r.start);
                PathElement::new(vec![(x, 0.15), (x, 0.85)], BLACK.stroke_width(1))
            }))
            .map_err(err)?;
        let at = chart.backend_coord(&(0.0, 0.5));
        root.draw(&Text::new("messages", (at.0 - 8, at.1), text(label_size).pos(Pos::new(HPos::Right, VPos::Center))))
            .map_err(err)?;
        let close = t.minutes(t.window_end);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(close, 0.0), (close, lanes as f64)],
                red.stroke_width(2),
            )))
            .map_err(err)?;
        Ok(())
    }
}
