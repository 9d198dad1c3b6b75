//! Pieces of `round_trip.rs`: the models, the other tool's database, the generated crate.
#![allow(dead_code)]

pub(crate) mod generated_crate;
pub(crate) mod models;
pub(crate) mod tool;

pub(crate) use super::support;
