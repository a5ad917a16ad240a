//! What the page works out of a finished run, from its spans and GIL events alone: why each wait
//! happened ([`cause`]), where each lane's time went ([`lane_account`]), the chain of spans that
//! set the wall ([`critical_path`]), all three at once ([`explain`]), the replay's steps
//! ([`replay`]), the timeline's tracks ([`layout`]) and GIL lane ([`gil_lane`]), the trace file
//! ([`trace`]) and the model held against CPython ([`fidelity`]).

pub mod cause;
pub mod critical_path;
pub mod explain;
pub mod fidelity;
pub mod gil_lane;
pub mod lane_account;
pub mod layout;
pub mod replay;
pub mod trace;
