//! Pieces of `round_trip.rs`: the models, the other tool's database, the generated crate.
#![allow(dead_code)]

pub mod generated_crate;
pub mod models;
pub mod tool;

pub(crate) use super::support;
