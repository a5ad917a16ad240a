//! The messages, as JSON, each set in the one module both sides read: the page and its engine
//! workers ([`worker`]), CPython's worker and the processes of its pool ([`cpython`]), the page
//! and its insight worker ([`insight`]), the playground in a frame and the page that embeds it
//! ([`host`]).

pub mod cpython;
pub mod host;
pub mod insight;
pub mod worker;
