//! What a run did and the one record of it: a run's id ([`id`]), spans on one shared clock and
//! the report a run ends with ([`timeline`]), figures computed from spans ([`stats`]), the record
//! behind every row, message and export ([`record`]) and the learner's guess it keeps
//! ([`prediction`]), and how a run is told in words ([`wording`]).

pub mod id;
pub mod prediction;
pub mod record;
pub mod stats;
pub mod timeline;
pub mod wording;
