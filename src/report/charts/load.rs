//! The site's week at one inbox: messages arriving each minute and the backlog, with the
//! maintenance windows shaded — Status Manager's status messages, and, when the scenario sends
//! them, the State System's state messages.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, OUTCOME_COLOURS, Plot, day_label, empty, err, text};
use crate::engine::Outcome;
use crate::report::data::ReportData;

/// The site's two inboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// Status Manager (`statmgr.box`): status messages.
    StatusManager,
    /// The State System (`statesys.box`): software-update state messages.
    StateSystem,
}

/// The load-over-the-week chart of one inbox.
pub struct Load<'a>(pub &'a ReportData, pub Inbox);

impl Load<'_> {
    /// Per minute: arriving, and waiting at the minute's end.
    fn series(&self) -> (&[f64], &[f64]) {
        let load = &self.0.load;
        match self.1 {
            Inbox::StatusManager => (&load.arrived, &load.backlog),
            Inbox::StateSystem => (&load.state_arrived, &load.state_backlog),
        }
    }
}

impl Plot for Load<'_> {
    fn name(&self) -> &'static str {
        match self.1 {
            Inbox::StatusManager => "site-load",
            Inbox::StateSystem => "state-system-load",
        }
    }

    fn title(&self) -> String {
        match self.1 {
            Inbox::StatusManager => "Messages arriving at the site, and the backlog, over the week".to_owned(),
            Inbox::StateSystem => "State messages arriving at the State System, and its backlog".to_owned(),
        }
    }

    fn caption(&self) -> String {
        match self.1 {
            Inbox::StatusManager => {
                "Blue: status messages arriving at Status Manager each minute (left scale); orange: \
                 messages waiting at Status Manager (right scale); grey bands: the maintenance windows. A \
                 backlog that does not fall back to zero between windows means the site cannot keep up. \
                 State messages queue at the State System: its chart follows when the scenario sends them."
                    .to_owned()
            }
            Inbox::StateSystem => "Blue: software-update state messages arriving at the State System (statesys.box) \
                 each minute, in the clients' batches (left scale); orange: state messages waiting there \
                 (right scale); grey bands: the maintenance windows. Its workers and rate are its own \
                 (`state_system_rate`, `state_system_workers`); `plan infra --inbox state-system` sizes them."
                .to_owned(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (arrived, backlog) = self.series();
        let busiest = arrived.iter().copied().fold(0.0, f64::max);
        let backlog_top = backlog.iter().copied().fold(0.0, f64::max);
        if busiest <= 0.0 {
            return empty(root, &self.title(), "No message reached the site.");
        }
        // Days since Monday 00:00, to the last minute anything arrived or waited (at least the
        // week), in whole hours.
        let last = arrived.iter().zip(backlog).rposition(|(a, b)| *a > 0.0 || *b > 0.0).unwrap_or(0);
        let days = ((last as f64 + 1.0) / 60.0).ceil().max(168.0) / 24.0;
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), text(20.0))
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .right_y_label_area_size(70)
            .build_cartesian_2d(0f64..days, 0f64..busiest * 1.1)
            .map_err(err)?
            .set_secondary_coord(0f64..days, 0f64..(backlog_top * 1.1).max(1.0));
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(days.ceil() as usize + 1)
            .x_label_formatter(&|d| if d.fract() == 0.0 { day_label(d * 24.0) } else { String::new() })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("arriving per minute")
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        chart
            .configure_secondary_axes()
            .y_desc(match self.1 {
                Inbox::StatusManager => "waiting at Status Manager",
                Inbox::StateSystem => "waiting at the State System",
            })
            .label_style(text(14.0))
            .axis_desc_style(text(15.0))
            .draw()
            .map_err(err)?;
        let grey = RGBColor(0xE0, 0xE0, 0xE0);
        chart
            .draw_series(self.0.windows.iter().map(|(start, end)| {
                Rectangle::new([(start / 1_440.0, 0.0), (end / 1_440.0, busiest * 1.1)], grey.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                arrived.iter().enumerate().map(|(m, v)| (m as f64 / 1_440.0, *v)),
                BLUE.stroke_width(1),
            ))
            .map_err(err)?;
        let orange = OUTCOME_COLOURS[Outcome::Overran as usize];
        chart
            .draw_secondary_series(LineSeries::new(
                backlog.iter().enumerate().map(|(m, v)| (m as f64 / 1_440.0, *v)),
                orange.stroke_width(1),
            ))
            .map_err(err)?;
        Ok(())
    }
}
