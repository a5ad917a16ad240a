//! The page's components, one per file, each named after what it shows.

pub mod copy_button;
pub mod decision_helper;
pub mod embed_snippet;
pub mod experiment_panel;
pub mod fidelity;
pub mod gil_lane;
pub mod isolation_demo;
pub mod machine_info;
pub mod narrative;
pub mod notices;
pub mod number_field;
pub mod open_run;
pub mod prediction;
pub mod python_code;
pub mod python_lab;
pub mod race_result;
pub mod replay;
pub mod run_export;
pub mod runs_table;
pub mod select_field;
pub mod shown_run;
pub mod speedup_chart;
pub mod timeline;
