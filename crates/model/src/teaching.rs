//! What the page does to teach: predict first ([`predict`]) and the notebook's decision in three
//! questions ([`decision`]).

pub mod decision;
pub mod predict;
