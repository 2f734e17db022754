//! A back-test at a glance: for each overall figure, the interval one month of the projection
//! falls in (a line, the projected mean a dot on it) and the history's value (a diamond, red when
//! outside). Each figure has its own scale, from the lowest to the highest of the three.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BLUE, OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::planner::backtest::{Backtest, Verdict};
use crate::report::backtest::show_value;

/// The back-test chart.
pub struct BacktestChart<'a>(pub &'a Backtest);

impl Plot for BacktestChart<'_> {
    fn name(&self) -> &'static str {
        "backtest"
    }

    fn title(&self) -> String {
        format!("{}: projected against observed ({})", self.0.scenario, self.0.history)
    }

    fn caption(&self) -> String {
        "Each line is the interval that holds 95% of the projection's months of the history's size, \
         the dot on it the projected mean; the diamond is what the history shows, green inside the \
         interval, red outside. Every figure has its own scale; the numbers are the interval's ends."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let rows: Vec<_> = self.0.overall().collect();
        if rows.is_empty() {
            return empty(root, &self.title(), "The history gives no figure to compare.");
        }
        let n = rows.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(18.0))
            .margin(15)
            .x_label_area_size(10)
            .y_label_area_size(190)
            .right_y_label_area_size(80)
            .build_cartesian_2d(-0.15f64..1.15f64, 0f64..n)
            .map_err(err)?;
        chart.configure_mesh().disable_mesh().x_labels(0).y_labels(0).draw().map_err(err)?;
        let inside = OUTCOME_COLOURS[Outcome::CompletedInWindow as usize];
        let outside = OUTCOME_COLOURS[Outcome::Failed as usize];
        for (i, r) in rows.iter().enumerate() {
            let y = n - i as f64 - 0.5;
            let lo = r.low.min(r.observed);
            let hi = r.high.max(r.observed);
            let span = if hi > lo { hi - lo } else { 1.0 };
            let x = |v: f64| if hi > lo { (v - lo) / span } else { 0.5 };
            let left = chart.backend_coord(&(-0.15, y));
            root.draw(&Text::new(
                r.figure.label().to_owned(),
                (left.0 - 8, left.1),
                text(14.0).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            let right = chart.backend_coord(&(1.15, y));
            let colour = if r.verdict == Verdict::Inside { inside } else { outside };
            root.draw(&Text::new(
                r.verdict.key().to_owned(),
                (right.0 + 8, right.1),
                text(14.0).color(&colour).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x(r.low), y), (x(r.high), y)],
                    BLUE.stroke_width(3),
                )))
                .map_err(err)?;
            for end in [r.low, r.high] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x(end), y - 0.15), (x(end), y + 0.15)],
                        BLUE.stroke_width(2),
                    )))
                    .map_err(err)?;
                let at = chart.backend_coord(&(x(end), y - 0.15));
                root.draw(&Text::new(
                    show_value(r.figure, end),
                    (at.0, at.1 + 2),
                    text(11.0).pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(err)?;
            }
            chart.draw_series(std::iter::once(Circle::new((x(r.projected), y), 4, BLUE.filled()))).map_err(err)?;
            let at = chart.backend_coord(&(x(r.observed), y));
            let d = 7;
            root.draw(&Polygon::new(
                vec![(at.0, at.1 - d), (at.0 + d, at.1), (at.0, at.1 + d), (at.0 - d, at.1)],
                colour.filled(),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
