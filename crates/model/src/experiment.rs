//! The page's contract: what an experiment is ([`config`]), every parameter declared once
//! ([`params`]), reading and writing the URL ([`url`]), the notices that explain what was not
//! taken as given ([`notice`]), how a course page presents the experiment ([`lesson`]) and what a
//! `code=` link may hold ([`code_link`]). Nothing here knows of runs, messages or the lab.

pub mod code_link;
pub mod config;
pub mod lesson;
pub mod notice;
pub mod params;
pub mod url;
