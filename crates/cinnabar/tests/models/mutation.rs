//! The models of `tests/mutation.rs`, in a file of their own so that `tests/schema_diff.rs`
//! checks that each reflects exactly as declared.
#![allow(dead_code)]

use cinnabar::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "people")]
pub(crate) struct Person {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub name: String,
    #[cinnabar(length = 100)]
    pub city: String,
    #[cinnabar(length = 100, unique)]
    pub email: Option<String>,
}

/// 71 columns: 1,000 rows of it need more bind parameters than one statement may carry
/// on any backend (SQLite 32,766; PostgreSQL and MySQL 65,535), so the flush must split
/// them by the parameter limit, not only by the 1,000-row batch size.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "wide_rows")]
pub(crate) struct Wide {
    #[cinnabar(primary_key)]
    pub id: i64,
    pub c00: i64,
    pub c01: i64,
    pub c02: i64,
    pub c03: i64,
    pub c04: i64,
    pub c05: i64,
    pub c06: i64,
    pub c07: i64,
    pub c08: i64,
    pub c09: i64,
    pub c10: i64,
    pub c11: i64,
    pub c12: i64,
    pub c13: i64,
    pub c14: i64,
    pub c15: i64,
    pub c16: i64,
    pub c17: i64,
    pub c18: i64,
    pub c19: i64,
    pub c20: i64,
    pub c21: i64,
    pub c22: i64,
    pub c23: i64,
    pub c24: i64,
    pub c25: i64,
    pub c26: i64,
    pub c27: i64,
    pub c28: i64,
    pub c29: i64,
    pub c30: i64,
    pub c31: i64,
    pub c32: i64,
    pub c33: i64,
    pub c34: i64,
    pub c35: i64,
    pub c36: i64,
    pub c37: i64,
    pub c38: i64,
    pub c39: i64,
    pub c40: i64,
    pub c41: i64,
    pub c42: i64,
    pub c43: i64,
    pub c44: i64,
    pub c45: i64,
    pub c46: i64,
    pub c47: i64,
    pub c48: i64,
    pub c49: i64,
    pub c50: i64,
    pub c51: i64,
    pub c52: i64,
    pub c53: i64,
    pub c54: i64,
    pub c55: i64,
    pub c56: i64,
    pub c57: i64,
    pub c58: i64,
    pub c59: i64,
    pub c60: i64,
    pub c61: i64,
    pub c62: i64,
    pub c63: i64,
    pub c64: i64,
    pub c65: i64,
    pub c66: i64,
    pub c67: i64,
    pub c68: i64,
    pub c69: i64,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "teams")]
pub(crate) struct Team {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub name: String,
    #[cinnabar(relation(foreign_key = team_id))]
    pub members: HasMany<Member>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "members")]
pub(crate) struct Member {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub name: String,
    #[cinnabar(foreign_key = "teams.id")]
    pub team_id: Option<i64>,
    #[cinnabar(relation(foreign_key = team_id))]
    pub team: BelongsTo<Team>,
}

/// A generated key that is not the first column.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "late_keys")]
pub(crate) struct LateKey {
    #[cinnabar(length = 100)]
    pub label: String,
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
}

/// A server default besides the generated key, read back after the INSERT.
#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "defaults_read_back")]
pub(crate) struct WithDefault {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub label: String,
    #[cinnabar(server_default = "7")]
    pub score: Option<i64>,
}

#[derive(Model, Debug, Clone)]
#[cinnabar(table = "shelves")]
pub(crate) struct Shelf {
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(length = 100)]
    pub name: String,
    #[cinnabar(relation(foreign_key = shelf_id))]
    pub books: HasMany<Book>,
}

/// A related model whose key is not its first column.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "books")]
pub(crate) struct Book {
    #[cinnabar(length = 100)]
    pub title: String,
    #[cinnabar(primary_key)]
    pub id: Option<i64>,
    #[cinnabar(foreign_key = "shelves.id")]
    pub shelf_id: Option<i64>,
    #[cinnabar(relation(foreign_key = shelf_id))]
    pub shelf: BelongsTo<Shelf>,
}
