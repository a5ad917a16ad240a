//! What a run did and the one record of it: spans on one shared clock and the report a run ends
//! with ([`timeline`]), figures computed from spans ([`stats`]) and the record behind every row,
//! message and export ([`record`]).

pub mod record;
pub mod stats;
pub mod timeline;
