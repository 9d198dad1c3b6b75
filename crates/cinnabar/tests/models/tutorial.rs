//! The tutorial's model, exactly (`id`, `name`, `course`), used by `tests/tutorial.rs`; in a
//! file of its own so that `tests/schema_diff.rs` checks that it reflects exactly as declared.

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "students")]
pub(crate) struct Student {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub course: String,
}
