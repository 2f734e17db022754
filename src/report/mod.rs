//! Reports: the data behind a run's charts, and the exporters that turn a
//! [`crate::montecarlo::Summary`] and the planner's results into bytes — JSON, CSV, Markdown, HTML, and charts as SVG and PNG.
//!
//! Exporters return bytes or text and never touch files (one file per format here, one chart per
//! file under `charts/`); the command line writes them.

pub mod assumptions;
pub mod backtest;
pub mod bundle;
pub mod calibration;
pub mod charts;
pub mod comparison;
pub mod csv_style;
pub mod csv_writer;
pub mod data;
pub mod escape;
pub mod first_replication;
pub mod history_csv;
pub mod html;
pub mod json;
pub mod load_csv;
pub mod markdown;
pub mod plan;
pub mod resource_view;
pub mod servers_csv;
pub mod sweep;
pub mod table;
pub mod timeline;
pub mod windows_csv;
