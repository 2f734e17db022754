//! A plan's evidence: each bounded figure, as a share of its bound, against the searched value,
//! with the answer marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, OUTCOME_COLOURS, Plot, empty, err, text};
use crate::engine::Outcome;
use crate::montecarlo::Figure;
use crate::planner::plan::{Answer, Finding, Plan, PlanKind};

/// The evidence chart of a plan.
pub struct PlanChart<'a>(pub &'a Plan);

const COLOURS: [RGBColor; 4] =
    [BLUE, RGBColor(0xEF, 0x6C, 0x00), RGBColor(0x2E, 0x7D, 0x32), RGBColor(0x6A, 0x1B, 0x9A)];

impl Plot for PlanChart<'_> {
    fn name(&self) -> &'static str {
        "plan"
    }

    fn title(&self) -> String {
        match self.0.question.minimise {
            Some(f) => format!("plan {}: {} against the value searched", self.0.question.kind.name(), f.key()),
            None => format!("plan {}: each bound's figure against the value searched", self.0.question.kind.name()),
        }
    }

    fn caption(&self) -> String {
        if self.0.question.minimise.is_some() {
            return "Each point is one evaluated value (the same replications and seed every time); the \
                    whisker is the 95% interval over replications; the red line marks the lowest, and \
                    the shaded band the values whose paired difference from it holds zero: the \
                    replications cannot tell them apart."
                .to_owned();
        }
        "Each point is one evaluated value (the same replications and seed every time); its height \
         is the figure as a share of its bound, so 100% is the bound; the whisker is the 95% \
         interval over replications; the red line marks the answer."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let plan = self.0;
        if plan.evidence.is_empty() {
            return empty(root, &self.title(), "Nothing was evaluated.");
        }
        // A minimised figure is drawn as it is (a limit of 1), bounded ones as a share of the bound.
        let minimised = plan.question.minimise;
        let bounds: Vec<(Figure, f64)> = match minimised {
            Some(f) => vec![(f, 1.0)],
            None => plan.question.bounds.iter().map(|b| (b.figure, b.at_most)).collect(),
        };
        let xs: Vec<f64> = plan.evidence.iter().map(|e| e.value).collect();
        let (x0, x1) =
            (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let pad = ((x1 - x0) * 0.05).max(1.0);
        let ratio = |v: f64, limit: f64| if limit > 0.0 { v / limit } else { v };
        let top = plan
            .evidence
            .iter()
            .flat_map(|e| bounds.iter().filter_map(|(k, l)| e.figures.get(k).map(|f| ratio(f.ci95[1].max(f.mean), *l))))
            .fold(if minimised.is_some() { 0.0 } else { 1.2 }, f64::max)
            .min(10.0)
            * if minimised.is_some() { 1.15 } else { 1.05 };
        let top = if top > 0.0 { top } else { 1.0 };
        let label_of = |x: f64| plan.evidence.iter().find(|e| e.value == x).map(|e| e.label.clone());
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(18.0))
            .margin(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), 0f64..top)
            .map_err(err)?;
        let sleep = plan.question.kind == PlanKind::Sleep;
        let unit = plan.evidence[0].label.split_whitespace().skip(1).collect::<Vec<_>>().join(" ");
        chart
            .configure_mesh()
            .x_desc(if sleep {
                "the sleep's maximum (minutes)".to_owned()
            } else {
                format!("value searched{}", if unit.is_empty() { String::new() } else { format!(" ({unit})") })
            })
            .x_label_formatter(&|x| if sleep { format!("{:.0}", x / 60.0) } else { format!("{x}") })
            .y_desc(minimised.map_or("figure ÷ bound".to_owned(), |f| f.key().to_owned()))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style(text(13.0))
            .axis_desc_style(text(14.0))
            .draw()
            .map_err(err)?;
        if let Answer::Minimum { indistinguishable: r, .. } = &plan.answer {
            let band = COLOURS[0].mix(0.15);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(r.from_seconds, 0.0), (r.to_seconds, top)],
                    band.filled(),
                )))
                .map_err(err)?
                .label(format!("indistinguishable: {} to {}", r.from, r.to))
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], band.filled()));
        } else {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x0 - pad, 1.0), (x1 + pad, 1.0)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
        }
        for (i, (key, limit)) in bounds.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let points: Vec<(f64, f64, f64, f64)> = plan
                .evidence
                .iter()
                .filter_map(|e| {
                    e.figures
                        .get(key)
                        .map(|f| (e.value, ratio(f.mean, *limit), ratio(f.ci95[0], *limit), ratio(f.ci95[1], *limit)))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1.min(top))), colour.stroke_width(1)))
                .map_err(err)?
                .label(key.key())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
            chart
                .draw_series(
                    points.iter().map(|p| {
                        PathElement::new(vec![(p.0, p.2.min(top)), (p.0, p.3.min(top))], colour.stroke_width(2))
                    }),
                )
                .map_err(err)?;
            chart
                .draw_series(points.iter().map(|p| Circle::new((p.0, p.1.min(top)), 4, colour.filled())))
                .map_err(err)?;
        }
        let answer = match &plan.answer {
            Answer::Sleep { seconds, .. } => Some(*seconds),
            Answer::Rate { status_manager_rate } => Some(*status_manager_rate),
            Answer::StateRate { state_system_rate } => Some(*state_system_rate),
            Answer::Servers { servers_per_window, .. } => Some(*servers_per_window),
            Answer::MaxRunTime { minutes, .. } => Some(*minutes),
            Answer::Minimum { seconds, .. } => Some(*seconds),
            Answer::Resource { .. } => match plan.finding {
                Finding::Resource { smallest, .. } => Some(smallest),
                _ => None,
            },
            Answer::None {} => None,
        };
        if let Some(a) = answer {
            let red = OUTCOME_COLOURS[Outcome::Failed as usize];
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(a, 0.0), (a, top)], red.stroke_width(2))))
                .map_err(err)?
                .label(format!("answer: {}", label_of(a).unwrap_or_default()))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(text(13.0))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
