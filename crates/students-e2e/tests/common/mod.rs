//! Helpers of the end-to-end tests.
#![allow(dead_code)]

pub(crate) mod browser;
