//! CHECK constraints that come from a model's validation rules ([`CheckRule`]): kept as data
//! and rendered per dialect (character length is `length()` on SQLite, `char_length()`
//! elsewhere; the column is quoted the dialect's way), so one model gives the right DDL on
//! every database and the diff compares them as each database reports them back.

use std::fmt;

use crate::dialect::Dialect;

/// A literal in a rule: a bound of `range` or an element of `one_of`.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleValue {
    /// An integer.
    Int(i64),
    /// A floating-point number (finite).
    Float(f64),
    /// Text.
    Text(String),
}

impl RuleValue {
    /// Writes the value as a SQL literal for `dialect` (text quoted and escaped the
    /// dialect's way).
    pub fn write_sql(&self, dialect: &dyn Dialect, out: &mut String) {
        match self {
            RuleValue::Int(i) => out.push_str(&i.to_string()),
            RuleValue::Float(f) => out.push_str(&float_text(*f)),
            RuleValue::Text(s) => dialect.write_string_literal(out, s),
        }
    }
}

/// `1.5`, `100.0`, `1e300`: Rust's shortest round-trip form, a numeric literal on every
/// backend.
fn float_text(f: f64) -> String {
    format!("{f:?}")
}

impl fmt::Display for RuleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleValue::Int(i) => write!(f, "{i}"),
            RuleValue::Float(x) => write!(f, "{}", float_text(*x)),
            RuleValue::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// A validation rule with a SQL form, as a CHECK constraint on one column.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CheckRule {
    /// The text's length in characters is within the bounds (inclusive).
    Length {
        /// The column.
        column: String,
        /// Fewest characters.
        min: Option<u64>,
        /// Most characters.
        max: Option<u64>,
    },
    /// The number is within the bounds (inclusive).
    Range {
        /// The column.
        column: String,
        /// Smallest value.
        min: Option<RuleValue>,
        /// Largest value.
        max: Option<RuleValue>,
    },
    /// The value is one of a list (`IN`).
    OneOf {
        /// The column.
        column: String,
        /// The allowed values.
        values: Vec<RuleValue>,
    },
}

impl CheckRule {
    /// The column the rule constrains.
    pub fn column(&self) -> &str {
        match self {
            CheckRule::Length { column, .. }
            | CheckRule::Range { column, .. }
            | CheckRule::OneOf { column, .. } => column,
        }
    }

    /// The rule's name as used in constraint names and errors: `length`, `range`, `one_of`.
    pub fn rule_name(&self) -> &'static str {
        match self {
            CheckRule::Length { .. } => "length",
            CheckRule::Range { .. } => "range",
            CheckRule::OneOf { .. } => "one_of",
        }
    }

    /// The constraint's name: `ck_<table>_<column>_<rule>`, cut with a hash beyond 63 bytes
    /// ([`shorten_generated_name`](super::shorten_generated_name)).
    pub fn constraint_name(&self, table: &str) -> String {
        super::shorten_generated_name(format!("ck_{table}_{}_{}", self.column(), self.rule_name()))
    }

    /// The condition as `dialect` writes it, e.g. `char_length("name") <= 100`.
    pub fn to_sql(&self, dialect: &dyn Dialect) -> String {
        let mut out = String::new();
        let mut col = String::new();
        dialect.quote_identifier(&mut col, self.column());
        match self {
            CheckRule::Length { min, max, .. } => {
                let subject = format!("{}({col})", dialect.char_length_function());
                bounds(
                    &mut out,
                    &subject,
                    min.map(|m| m.to_string()),
                    max.map(|m| m.to_string()),
                );
            }
            CheckRule::Range { min, max, .. } => {
                let lit = |v: &RuleValue| {
                    let mut s = String::new();
                    v.write_sql(dialect, &mut s);
                    s
                };
                bounds(&mut out, &col, min.as_ref().map(lit), max.as_ref().map(lit));
            }
            CheckRule::OneOf { values, .. } => {
                out.push_str(&col);
                out.push_str(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_sql(dialect, &mut out);
                }
                out.push(')');
            }
        }
        out
    }
}

fn bounds(out: &mut String, subject: &str, min: Option<String>, max: Option<String>) {
    match (min, max) {
        // Not BETWEEN: PostgreSQL reports it back as this form, and the subject may be a
        // call (`char_length(..)`).
        (Some(lo), Some(hi)) => {
            out.push_str(&format!("{subject} >= {lo} AND {subject} <= {hi}"));
        }
        (Some(lo), None) => out.push_str(&format!("{subject} >= {lo}")),
        (None, Some(hi)) => out.push_str(&format!("{subject} <= {hi}")),
        // A rule without bounds constrains nothing; the derive refuses it.
        (None, None) => out.push_str(&format!("{subject} IS NULL OR {subject} IS NOT NULL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};

    #[test]
    fn renders_per_dialect() {
        let len = CheckRule::Length {
            column: "name".into(),
            min: Some(1),
            max: Some(100),
        };
        assert_eq!(
            len.to_sql(&SqliteDialect),
            r#"length("name") >= 1 AND length("name") <= 100"#
        );
        assert_eq!(
            len.to_sql(&PostgresDialect),
            r#"char_length("name") >= 1 AND char_length("name") <= 100"#
        );
        assert_eq!(
            len.to_sql(&MySqlDialect),
            "char_length(`name`) >= 1 AND char_length(`name`) <= 100"
        );
        let one = CheckRule::OneOf {
            column: "st".into(),
            values: vec![
                RuleValue::Text("a'b\\c".into()),
                RuleValue::Text("d".into()),
            ],
        };
        assert_eq!(one.to_sql(&PostgresDialect), r#""st" IN ('a''b\c', 'd')"#);
        assert_eq!(one.to_sql(&MySqlDialect), r"`st` IN ('a''b\\c', 'd')");
        let range = CheckRule::Range {
            column: "score".into(),
            min: Some(RuleValue::Float(0.5)),
            max: None,
        };
        assert_eq!(range.to_sql(&SqliteDialect), r#""score" >= 0.5"#);
        assert_eq!(range.constraint_name("t"), "ck_t_score_range");
    }
}
