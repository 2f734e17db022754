//! A comparison at a glance: each design's difference from the baseline, figure by figure, as a
//! share of the baseline's value, with its paired 95% interval.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BLUE, OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::montecarlo::Figure;
use crate::planner::compare::Comparison;
use crate::report::comparison::show_difference;

/// The figures the chart shows, with short labels.
const SHOWN: &[(Figure, &str)] = &[
    (Figure::Overran, "overran"),
    (Figure::Failed, "failed"),
    (Figure::NotStarted, "not started"),
    (Figure::OverrunMeanMinutes, "overrun minutes"),
    (Figure::RestartsPerServer, "restarts"),
    (Figure::RestartsOutsidePerServer, "restarts after window"),
    (Figure::PeakPerMinute, "peak messages/min"),
    (Figure::BacklogPeak, "backlog peak"),
    (Figure::LatencyMeanSeconds, "latency"),
    (Figure::DrainMinutes, "drain"),
];

/// One row of the chart: its label, the relative difference and interval (percent of the
/// baseline), or a note when the baseline is 0.
struct Row {
    label: String,
    value: Option<(f64, f64, f64)>,
    note: String,
}

/// The differences chart of a comparison.
pub struct Differences<'a>(pub &'a Comparison);

impl Plot for Differences<'_> {
    fn name(&self) -> &'static str {
        "differences"
    }

    fn title(&self) -> String {
        format!("Each design against {} (% of the baseline's value)", self.0.baseline)
    }

    fn caption(&self) -> String {
        "A dot is a design's difference from the baseline as a share of the baseline's value; the \
         line is its paired 95% interval. Left of zero is less (fewer overruns, less load); a line \
         that does not cross zero is a real difference. Figures that are 0 in the baseline are \
         listed with their absolute difference."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let mut rows: Vec<Row> = Vec::new();
        for v in &self.0.variants {
            for &(key, label) in SHOWN {
                let Some(m) = v.metrics.get(&key) else { continue };
                let name = format!("{}: {label}", v.scenario);
                if m.baseline.abs() > 0.0 {
                    let scale = 100.0 / m.baseline.abs();
                    let value = Some((m.difference * scale, m.ci95[0] * scale, m.ci95[1] * scale));
                    rows.push(Row { label: name, value, note: String::new() });
                } else {
                    rows.push(Row {
                        label: name,
                        value: None,
                        note: format!("baseline 0; {}", show_difference(key, m.difference)),
                    });
                }
            }
        }
        if rows.is_empty() {
            return empty(root, &self.title(), "There is no design to compare.");
        }
        let reach = rows
            .iter()
            .filter_map(|r| r.value)
            .flat_map(|(d, lo, hi)| [d.abs(), lo.abs(), hi.abs()])
            .fold(1.0, f64::max)
            .min(1_000.0)
            * 1.1;
        let n = rows.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(18.0))
            .margin(15)
            .x_label_area_size(35)
            .y_label_area_size(300)
            .build_cartesian_2d(-reach..reach, 0f64..n)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|x| format!("{x:+.0}%"))
            .label_style(text(13.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, n)], BLACK.stroke_width(1))))
            .map_err(err)?;
        let size = if rows.len() > 24 { 10.0 } else { 13.0 };
        let red = OUTCOME_COLOURS[Outcome::Failed as usize];
        for (i, Row { label: name, value, note }) in rows.iter().enumerate() {
            let y = n - i as f64 - 0.5;
            let at = chart.backend_coord(&(-reach, y));
            root.draw(&Text::new(name.clone(), (at.0 - 8, at.1), text(size).pos(Pos::new(HPos::Right, VPos::Center))))
                .map_err(err)?;
            match value {
                Some((d, lo, hi)) => {
                    let clamp = |x: f64| x.clamp(-reach, reach);
                    let significant = *lo > 0.0 || *hi < 0.0;
                    let colour = if significant { red } else { BLUE };
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(clamp(*lo), y), (clamp(*hi), y)],
                            colour.stroke_width(2),
                        )))
                        .map_err(err)?;
                    chart.draw_series(std::iter::once(Circle::new((clamp(*d), y), 4, colour.filled()))).map_err(err)?;
                }
                None => {
                    let at = chart.backend_coord(&(0.0, y));
                    root.draw(&Text::new(
                        note.clone(),
                        (at.0 + 6, at.1),
                        text(size).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}
