//! The `cinnabar` command line as a library: [`run`] is the whole binary, [`main`] the same
//! linked with an application's models (for `migrate revision --autogenerate`), [`codegen`] turns
//! reflected tables into `#[derive(Model)]` structs, [`database_url()`] finds the URL the way
//! every subcommand does. The facade re-exports this crate as `cinnabar::cli` (feature
//! `cli`); only the facade is public API.
//!
//! ```text
//! cinnabar codegen --database-url sqlite:///college.db > src/models.rs
//! cinnabar codegen --tables students,courses --out src/models
//! cinnabar migrate upgrade
//! ```

#![warn(clippy::unwrap_used)]

pub mod codegen;
mod command;
mod database_url;
mod migrate;

pub use command::{main, run, run_with_models, CommandError};
pub use database_url::{database_url, UrlSource, DATABASE_URL};
