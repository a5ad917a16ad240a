//! What the page does to teach: predict first ([`predict`]), the notebook's decision in three
//! questions ([`decision`]) and the compact view's result line ([`compact`]).

pub mod compact;
pub mod decision;
pub mod predict;
