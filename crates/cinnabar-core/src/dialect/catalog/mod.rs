//! Reflection, the dialect's half: the catalog queries that read a live schema and the code
//! that turns their rows into [`Table`] values, the same values the models produce.
//!
//! A [`Catalog`] does no I/O. The engine's `Inspector` runs each of its queries once on a
//! connection (one query per kind of object for the whole schema, never one per table),
//! hands the rows back as owned [`Value`]s, and the catalog assembles the tables. Each
//! dialect returns its catalog from [`Dialect::catalog`](super::Dialect::catalog).
//!
//! The catalog also owns the normalisation the schema diff needs to compare a model with a
//! reflected table without false positives: how the database rewrites server defaults and
//! CHECK conditions, and whether its unique constraints are unique indexes.

mod build;
pub(crate) mod mysql;
mod normalize;
mod postgres;
mod postgres_types;
mod sqlite;
mod sqlite_text;
mod sqlite_types;
pub(crate) mod tokens;

pub(crate) use postgres::PostgresCatalog;
pub(crate) use sqlite::SqliteCatalog;

use crate::schema::{ReferentialAction, Table};
use crate::sql::{tokens, LexRules, TokenKind};
use crate::{Result, Value};

/// The kind of schema object a catalog query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// Table names (and anything read per table, e.g. SQLite's CREATE TABLE text).
    Tables,
    /// Columns of every table.
    Columns,
    /// Primary-key columns.
    PrimaryKeys,
    /// Foreign keys with their actions.
    ForeignKeys,
    /// Unique constraints.
    Uniques,
    /// Indexes.
    Indexes,
    /// CHECK constraints.
    Checks,
}

/// One catalog query: run once, without parameters, against the connection's current
/// schema (PostgreSQL `current_schema()`, MySQL `DATABASE()`, SQLite `main`).
#[derive(Debug, Clone, Copy)]
pub struct CatalogQuery {
    /// What it reads.
    pub kind: ObjectKind,
    /// The SQL text.
    pub sql: &'static str,
}

/// The rows one [`CatalogQuery`] returned, each column as an owned value.
pub type CatalogRows = Vec<Vec<Value>>;

/// How one dialect's database describes its schema.
pub trait Catalog: Send + Sync + std::fmt::Debug {
    /// The queries to run, in order.
    fn queries(&self) -> &'static [CatalogQuery];

    /// Builds every table of the schema from the rows of each query (`results[i]` holds the
    /// rows of `queries()[i]`), sorted by table name. Columns keep their ordinal order;
    /// types are mapped to [`SqlType`](crate::types::SqlType)s so that the dialect renders
    /// them back as the database reported them (a type it cannot map keeps its name in
    /// [`Column::custom_type`](crate::schema::Column#structfield.custom_type)).
    ///
    /// # Errors
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) naming the table and what
    /// could not be read.
    fn assemble(&self, results: &[CatalogRows]) -> Result<Vec<Table>>;

    /// A server default as this database reports it back, so that a model's default and a
    /// reflected one compare equal when they mean the same (e.g. PostgreSQL's
    /// `'x'::character varying` is `'x'`, MariaDB's `current_timestamp()` is
    /// `CURRENT_TIMESTAMP`). Applied to both sides by the diff.
    fn normalize_default(&self, sql: &str) -> String {
        strip_outer_parens(sql.trim()).to_string()
    }

    /// A CHECK condition as this database reports it back (applied to both sides by the
    /// diff): by default whitespace, identifier quotes and redundant outer parentheses are
    /// dropped and keywords outside literals are lower-cased.
    fn normalize_check(&self, sql: &str) -> String {
        default_normalize_check(sql)
    }

    /// Whether a UNIQUE constraint is the same object as a unique index on this database
    /// (MySQL and MariaDB), so reflection cannot tell which of the two a model declared and
    /// the diff treats them as one.
    fn unique_constraints_are_indexes(&self) -> bool {
        false
    }

    /// The name this database gives a UNIQUE constraint declared without one over `columns`
    /// of `table` (PostgreSQL: `<table>_<column>_key`), so the diff can drop a constraint that
    /// reflection reports without its name (as a column's `unique`). `None` when it cannot
    /// be known (the diff then uses the generated `uq_<table>_<columns>`).
    fn unnamed_unique_name(&self, table: &str, columns: &[String]) -> Option<String> {
        let _ = (table, columns);
        None
    }

    /// A foreign key's ON DELETE / ON UPDATE action as this database means it, so that a
    /// model's action and a reflected one compare equal when they behave the same (applied to
    /// both sides by the diff). By default an unspecified action is `NO ACTION`, so
    /// `Some(NoAction)` becomes `None`; MySQL/MariaDB also fold `RESTRICT` into `None`
    /// (InnoDB checks every foreign key immediately, so the three are one behaviour).
    fn normalize_action(&self, action: Option<ReferentialAction>) -> Option<ReferentialAction> {
        match action {
            Some(ReferentialAction::NoAction) => None,
            other => other,
        }
    }

    /// A type name written verbatim ([`Column::custom_type`](crate::schema::Column#structfield.custom_type))
    /// as this database reports it back, so that a model's custom type and a reflected one
    /// compare equal when they name the same type (applied to both sides by the diff). By
    /// default: trimmed, ASCII-lower-cased outside quotes, runs of whitespace made one space
    /// and spaces next to `(`, `)` and `,` removed (`ENUM('a', 'b')` is `enum('a','b')`).
    fn normalize_type(&self, sql: &str) -> String {
        default_normalize_type(sql)
    }
}

/// The default [`Catalog::normalize_type`].
pub(crate) fn default_normalize_type(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut pending_space = false;
    let tight = |c: char| matches!(c, '(' | ')' | ',');
    for t in tokens(sql.trim(), LexRules::default()) {
        if t.kind == TokenKind::Whitespace {
            pending_space = true;
            continue;
        }
        if pending_space && !t.text.starts_with(tight) && !out.ends_with(tight) && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        match t.kind {
            // Literals and quoted names as written.
            TokenKind::String | TokenKind::QuotedIdentifier => out.push_str(t.text),
            _ => out.push_str(&t.text.to_ascii_lowercase()),
        }
    }
    out
}

/// `sql` without parentheses that enclose all of it.
pub(crate) fn strip_outer_parens(mut sql: &str) -> &str {
    loop {
        let t = sql.trim();
        if t.len() >= 2 && t.starts_with('(') && t.ends_with(')') && encloses(t) {
            sql = &t[1..t.len() - 1];
        } else {
            return t;
        }
    }
}

/// The lexical rules the dialect-neutral helpers below read catalog text with: standard SQL
/// plus the identifier quotes any of the databases writes back (`` `..` ``, `[..]`).
fn neutral_rules() -> LexRules {
    LexRules {
        backquote_identifiers: true,
        bracket_identifiers: true,
        ..LexRules::default()
    }
}

/// Whether the parenthesis opening `t` closes at its last character (outside literals).
fn encloses(t: &str) -> bool {
    let mut depth = 0usize;
    for tok in tokens(t, neutral_rules()) {
        if tok.is_punct("(") {
            depth += 1;
        } else if tok.is_punct(")") {
            depth = depth.saturating_sub(1);
            if depth == 0 && tok.end() != t.len() {
                return false;
            }
        }
    }
    true
}

/// The default [`Catalog::normalize_check`].
pub(crate) fn default_normalize_check(sql: &str) -> String {
    let sql = strip_outer_parens(sql);
    let mut out = String::with_capacity(sql.len());
    for t in tokens(sql, neutral_rules()) {
        match t.kind {
            TokenKind::String => out.push_str(t.text),
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => {}
            _ if t.is_punct("(") || t.is_punct(")") => {}
            _ => {
                let name = t.name();
                let text = name.as_deref().unwrap_or(t.text);
                out.extend(text.chars().flat_map(char::to_lowercase));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_parens_are_stripped_only_when_they_enclose_everything() {
        assert_eq!(strip_outer_parens("((a >= 0))"), "a >= 0");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("('(' )"), "'('");
    }

    #[test]
    fn types_normalise_case_and_spacing_but_not_literals() {
        assert_eq!(
            default_normalize_type(" ENUM('A b',  'c' ) "),
            "enum('A b','c')"
        );
        assert_eq!(
            default_normalize_type("int  UNSIGNED\tzerofill"),
            "int unsigned zerofill"
        );
        assert_eq!(default_normalize_type("DECIMAL(10, 2)"), "decimal(10,2)");
    }

    #[test]
    fn an_unspecified_action_is_no_action_by_default() {
        #[derive(Debug)]
        struct Plain;
        impl Catalog for Plain {
            fn queries(&self) -> &'static [CatalogQuery] {
                &[]
            }
            fn assemble(&self, _: &[CatalogRows]) -> Result<Vec<Table>> {
                Ok(Vec::new())
            }
        }
        assert_eq!(
            Plain.normalize_action(Some(ReferentialAction::NoAction)),
            None
        );
        assert_eq!(
            Plain.normalize_action(Some(ReferentialAction::Restrict)),
            Some(ReferentialAction::Restrict)
        );
        assert_eq!(Plain.normalize_action(None), None);
    }

    #[test]
    fn checks_normalise_quotes_case_and_spacing() {
        assert_eq!(
            default_normalize_check("(\"age\" >= 0 AND name <> 'X Y')"),
            default_normalize_check("`age`>=0 and name<>'X Y'")
        );
        assert_ne!(
            default_normalize_check("name <> 'x'"),
            default_normalize_check("name <> 'X'")
        );
        // Read by the lexer: a doubled quote is one, a comment is nothing, a `)` inside a
        // literal closes nothing.
        assert_eq!(
            default_normalize_check("(\"A\"\"b\" > 0 /* (x */) AND (c <> ')')"),
            "a\"b>0andc<>')'"
        );
    }
}
