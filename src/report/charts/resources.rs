//! The shared resources over one replication's week: for each resource, the activities present
//! on its busiest instance (highlighted), the most on any instance and the mean over instances,
//! where activities stop running at full speed, and — for shared resources — how much the
//! busiest instance stretched its activities.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{BLUE, OUTCOME_COLOURS, Plot, day_label, empty, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;
use crate::report::resource_view::ResourceView;

/// The resources chart of a report.
pub struct Resources<'a>(pub &'a ReportData);

/// Every this many minutes one point (the most in that stretch of minutes), so a week stays a
/// light drawing.
const POINT_MINUTES: usize = 10;

impl Plot for Resources<'_> {
    fn name(&self) -> &'static str {
        "resources"
    }

    fn title(&self) -> String {
        "Shared resources over the week (first replication)".to_owned()
    }

    fn caption(&self) -> String {
        "For each resource, top: activities present (downloads, scans, installs, restarts; slots: \
         holding and waiting) on its busiest instance in blue, the most on any instance in orange, \
         the mean over instances in grey, and the dashed line where activities stop running at \
         full speed; grey bands: the maintenance windows. Below, for shared resources: the busiest \
         instance's stretch, how many times longer than alone its activities take (1 = no \
         contention). Each point is the most in 10 minutes of the first replication."
            .to_owned()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let views = &self.0.resources;
        if views.is_empty() {
            return empty(root, &self.title(), "The scenario declares no shared resource.");
        }
        let root = root.titled(&self.title(), text(18.0)).map_err(err)?;
        // One band for the users of each resource, one more for the stretch of a shared one.
        let heights: Vec<u32> =
            views.iter().flat_map(|v| if v.kind == "shared" { vec![3, 2] } else { vec![3] }).collect();
        let mut areas = Vec::new();
        let mut rest = root;
        for (k, h) in heights.iter().enumerate() {
            if k + 1 == heights.len() {
                areas.push(rest.clone());
                break;
            }
            let (_, height) = rest.dim_in_pixel();
            let left: u32 = heights[k..].iter().sum();
            let (top, bottom) = rest.split_vertically(height * h / left.max(1));
            areas.push(top);
            rest = bottom;
        }
        let days = self.days();
        let mut area = areas.iter();
        for (k, v) in views.iter().enumerate() {
            if let Some(a) = area.next() {
                self.users(a, v, days, k == 0)?;
            }
            if v.kind == "shared"
                && let Some(a) = area.next()
            {
                self.stretch(a, v, days)?;
            }
        }
        Ok(())
    }
}

/// `series` as one point every [`POINT_MINUTES`]: the most in each stretch, at its start (days).
fn points(series: &[f64]) -> Vec<(f64, f64)> {
    series
        .chunks(POINT_MINUTES)
        .enumerate()
        .map(|(k, c)| ((k * POINT_MINUTES) as f64 / 1_440.0, c.iter().copied().fold(0.0, f64::max)))
        .collect()
}

impl Resources<'_> {
    /// Days from Monday 00:00 the chart spans: the week, or longer when runs went on.
    fn days(&self) -> f64 {
        let last = self.0.resources.iter().map(|v| v.most_users.len()).max().unwrap_or(0);
        ((last as f64 / 60.0).ceil().max(168.0) / 24.0).ceil()
    }

    /// One band of the chart: `caption` above, the days along, 0 to `top` up with `y_labels`
    /// labels written by `y_label`, and the maintenance windows shaded.
    fn panel<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
        caption: String,
        (days, top): (f64, f64),
        y_labels: usize,
        y_label: &dyn Fn(&f64) -> String,
    ) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String> {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, text(13.0))
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(55)
            .build_cartesian_2d(0f64..days, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days as usize + 1)
            .x_label_formatter(&|d| if d.fract() == 0.0 { day_label(d * 24.0) } else { String::new() })
            .y_labels(y_labels)
            .y_label_formatter(y_label)
            .label_style(text(11.0))
            .draw()
            .map_err(err)?;
        let grey = RGBColor(0xEE, 0xEE, 0xEE);
        chart
            .draw_series(
                self.0
                    .windows
                    .iter()
                    .map(|(start, end)| Rectangle::new([(start / 1_440.0, 0.0), (end / 1_440.0, top)], grey.filled())),
            )
            .map_err(err)?;
        Ok(chart)
    }

    /// The activities present on `v`'s instances; the legend on the first resource's band only.
    fn users<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        v: &ResourceView,
        days: f64,
        legend: bool,
    ) -> Result<(), String> {
        let top = v.most_users.iter().copied().fold(v.full_speed.unwrap_or(0.0), f64::max).max(1.0) * 1.1;
        let caption = format!(
            "{} ({}, {} instance{}; busiest: {}): activities present",
            v.name,
            v.kind,
            v.instances,
            if v.instances == 1 { "" } else { "s" },
            v.busiest
        );
        let mut chart = self.panel(area, caption, (days, top), 4, &|y| format!("{y:.0}"))?;
        let grey = RGBColor(0x9E, 0x9E, 0x9E);
        let orange = OUTCOME_COLOURS[Outcome::Overran as usize];
        chart
            .draw_series(LineSeries::new(points(&v.most_users), orange.stroke_width(1)))
            .map_err(err)?
            .label("most on any instance")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], orange.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(points(&v.mean_users), grey.stroke_width(1)))
            .map_err(err)?
            .label("mean over instances")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], grey.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(points(&v.busiest_users), BLUE.stroke_width(2)))
            .map_err(err)?
            .label("busiest instance")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE.stroke_width(2)));
        if let Some(full) = v.full_speed {
            chart
                .draw_series(DashedLineSeries::new(vec![(0.0, full), (days, full)], 6, 4, BLACK.stroke_width(1)))
                .map_err(err)?
                .label("full speed up to here")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(1)));
        }
        if !legend {
            return Ok(());
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(text(10.0))
            .draw()
            .map_err(err)?;
        Ok(())
    }

    fn stretch<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        v: &ResourceView,
        days: f64,
    ) -> Result<(), String> {
        let top = v.busiest_stretch.iter().copied().fold(1.0, f64::max) * 1.1;
        let caption = format!("{}: stretch on the busiest instance", v.name);
        let y_label = |y: &f64| if top < 3.0 { format!("{y:.1}×") } else { format!("{y:.0}×") };
        let mut chart = self.panel(area, caption, (days, top), 3, &y_label)?;
        chart.draw_series(LineSeries::new(points(&v.busiest_stretch), BLUE.stroke_width(1))).map_err(err)?;
        Ok(())
    }
}
