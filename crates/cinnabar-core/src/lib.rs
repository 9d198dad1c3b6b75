//! Cinnabar's foundation: values and SQL types, schema objects, the expression language and
//! the per-dialect SQL compiler. No I/O happens here.
//!
//! Layering: this crate is the bottom; `cinnabar-engine` (drivers, pool, connections) builds
//! on it, `cinnabar-orm` on both, and the `cinnabar` facade re-exports the public surface.

#![warn(clippy::unwrap_used)]

pub mod dialect;
pub mod error;
pub mod schema;
pub mod sql;
pub mod types;
pub mod validation;
pub mod value;

pub use error::{Error, ErrorKind, Result};
pub use validation::{FieldError, ValidationErrors};
pub use value::{Value, ValueRef};
