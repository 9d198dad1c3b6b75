//! PostgreSQL type names (as `format_type` spells them) ↔ [`SqlType`]: the names the
//! PostgreSQL dialect writes map back to the type it writes them for; any other keeps its
//! spelling in `Column::custom_type` and gets the nearest type. Used by the PostgreSQL
//! catalog; the table is in docs/schema/reflection.md.

use super::build::type_args;
use crate::types::SqlType;

/// What `pg_type.typtype` says a column's type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeKind {
    /// A base type (`b`), or anything not listed below.
    Base,
    /// An enum (`e`): its labels are text.
    Enum,
    /// A domain (`d`) over the base type given beside it.
    Domain,
}

/// The [`SqlType`] of a column whose type `format_type` spells `name`, and `name` itself when
/// the PostgreSQL dialect would not write it for that type. `base` is a domain's underlying
/// type (also spelled by `format_type`).
pub(crate) fn pg_type(name: &str, kind: TypeKind, base: Option<&str>) -> (SqlType, Option<String>) {
    match kind {
        TypeKind::Enum => (SqlType::Text(None), Some(name.to_string())),
        TypeKind::Domain => {
            let (t, _) = pg_type(base.unwrap_or("text"), TypeKind::Base, None);
            (t, Some(name.to_string()))
        }
        TypeKind::Base => match dialect_name(name) {
            Some(t) => (t, None),
            None => (nearest(name), Some(name.to_string())),
        },
    }
}

/// The type the PostgreSQL dialect renders as `name` (see `PostgresDialect::column_type`:
/// it writes `VARCHAR(n)`, `TIMESTAMP`, `DOUBLE PRECISION`, ..., which the server reports as
/// `character varying(n)`, `timestamp without time zone`, `double precision`).
fn dialect_name(name: &str) -> Option<SqlType> {
    Some(match name {
        "smallint" => SqlType::SmallInt,
        "integer" => SqlType::Integer,
        "bigint" => SqlType::BigInt,
        "real" => SqlType::Float,
        "double precision" => SqlType::Double,
        "boolean" => SqlType::Boolean,
        "text" => SqlType::Text(None),
        "bytea" => SqlType::Blob,
        "date" => SqlType::Date,
        "time without time zone" => SqlType::Time,
        "timestamp without time zone" => SqlType::DateTime,
        "timestamp with time zone" => SqlType::DateTimeTz,
        "uuid" => SqlType::Uuid,
        "jsonb" => SqlType::Json,
        _ => {
            let base = &name[..name.find('(')?];
            match (base, type_args(name)?.as_slice()) {
                ("character varying", [n]) if !name.ends_with("[]") => SqlType::Text(Some(*n)),
                ("numeric", [p, s]) if !name.ends_with("[]") => {
                    SqlType::Decimal(u8::try_from(*p).ok()?, u8::try_from(*s).ok()?)
                }
                _ => return None,
            }
        }
    })
}

/// The nearest type for a name the dialect does not write.
fn nearest(name: &str) -> SqlType {
    if name.ends_with("[]") {
        return SqlType::Text(None);
    }
    let base = name.split('(').next().unwrap_or(name).trim();
    let args = type_args(name).unwrap_or_default();
    match base {
        "json" => SqlType::Json,
        "character varying" | "character" | "bpchar" => SqlType::Text(args.first().copied()),
        "numeric" => match args.as_slice() {
            [p, s] => match (u8::try_from(*p), u8::try_from(*s)) {
                (Ok(p), Ok(s)) => SqlType::Decimal(p, s),
                _ => SqlType::Decimal(28, 10),
            },
            // Unbounded: what a plain `rust_decimal::Decimal` field declares.
            _ => SqlType::Decimal(28, 10),
        },
        "oid" => SqlType::BigInt,
        _ => {
            // `time(3) without time zone`, `timestamp(0) with time zone`: the precision is
            // all that differs.
            let unsized_name = match name.find('(').zip(name.find(')')) {
                Some((open, close)) if open < close => {
                    format!("{}{}", &name[..open], &name[close + 1..])
                }
                _ => name.to_string(),
            };
            match unsized_name.as_str() {
                "time without time zone" | "time with time zone" => SqlType::Time,
                "timestamp without time zone" => SqlType::DateTime,
                "timestamp with time zone" => SqlType::DateTimeTz,
                _ => SqlType::Text(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(name: &str) -> (SqlType, Option<String>) {
        pg_type(name, TypeKind::Base, None)
    }

    #[test]
    fn dialect_names_map_back_without_a_custom_type() {
        assert_eq!(
            base("character varying(20)"),
            (SqlType::Text(Some(20)), None)
        );
        assert_eq!(base("numeric(10,2)"), (SqlType::Decimal(10, 2), None));
        assert_eq!(base("jsonb"), (SqlType::Json, None));
        assert_eq!(base("double precision"), (SqlType::Double, None));
        assert_eq!(
            base("timestamp with time zone"),
            (SqlType::DateTimeTz, None)
        );
    }

    #[test]
    fn other_names_keep_their_spelling() {
        let custom = |s: &str| Some(s.to_string());
        assert_eq!(base("json"), (SqlType::Json, custom("json")));
        assert_eq!(
            base("character varying"),
            (SqlType::Text(None), custom("character varying"))
        );
        assert_eq!(
            base("character(5)"),
            (SqlType::Text(Some(5)), custom("character(5)"))
        );
        assert_eq!(base("inet"), (SqlType::Text(None), custom("inet")));
        assert_eq!(
            base("integer[]"),
            (SqlType::Text(None), custom("integer[]"))
        );
        assert_eq!(
            base("character varying(20)[]"),
            (SqlType::Text(None), custom("character varying(20)[]"))
        );
        assert_eq!(
            base("numeric"),
            (SqlType::Decimal(28, 10), custom("numeric"))
        );
        assert_eq!(
            base("timestamp(3) without time zone"),
            (SqlType::DateTime, custom("timestamp(3) without time zone"))
        );
        assert_eq!(
            pg_type("mood", TypeKind::Enum, None),
            (SqlType::Text(None), custom("mood"))
        );
        assert_eq!(
            pg_type("positive_int", TypeKind::Domain, Some("integer")),
            (SqlType::Integer, custom("positive_int"))
        );
    }
}
