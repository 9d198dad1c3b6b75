//! MySQL/MariaDB column types (`information_schema.COLUMNS.COLUMN_TYPE`) mapped back to the
//! [`SqlType`] the MySQL dialect renders as that type; used by the MySQL catalog.
//!
//! A type the dialect never writes keeps its spelling in `Column::custom_type`, with the
//! nearest type its values read as in `sql_type`. The table is in
//! `docs/schema/reflection-mysql.md`.

use crate::dialect::{Dialect as _, MySqlDialect};
use crate::sql::tokens;
use crate::types::SqlType;

/// A `COLUMN_TYPE` split into its name, its parenthesised arguments and what follows.
#[derive(Debug, PartialEq, Eq)]
struct Parsed<'a> {
    /// Lower-cased: `int`, `varchar`, `enum`, ...
    base: String,
    /// Between the parentheses, as written: `11`, `10,2`, `'a','b'`.
    args: Option<&'a str>,
    /// Lower-cased words after the type: `unsigned`, `unsigned zerofill`, or empty.
    modifiers: String,
}

fn parse(column_type: &str) -> Parsed<'_> {
    let t = column_type.trim();
    let base_end = t
        .find(|c: char| c == '(' || c.is_whitespace())
        .unwrap_or(t.len());
    let base = t[..base_end].to_ascii_lowercase();
    let mut rest = &t[base_end..];
    let mut args = None;
    if rest.starts_with('(') {
        if let Some(close) = closing_paren(rest) {
            args = Some(&rest[1..close]);
            rest = &rest[close + 1..];
        }
    }
    Parsed {
        base,
        args,
        modifiers: rest
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    }
}

/// `column_type` split into its lower-cased name, its arguments as written and its
/// lower-cased modifiers (`int(10) unsigned` → `int`, `10`, `unsigned`).
pub(super) fn split(column_type: &str) -> (String, Option<&str>, String) {
    let p = parse(column_type);
    (p.base, p.args, p.modifiers)
}

/// The byte position of the parenthesis closing the one `s` starts with, outside quotes
/// (read by the lexer with MySQL's rules).
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for t in tokens(s, MySqlDialect.lex_rules()) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(t.start);
            }
        }
    }
    None
}

/// The arguments as numbers (`10,2` → `[10, 2]`); `None` when absent or not numbers.
fn numbers(args: Option<&str>) -> Option<Vec<u32>> {
    args?
        .split(',')
        .map(|a| a.trim().parse().ok())
        .collect::<Option<Vec<u32>>>()
}

/// The [`SqlType`] for a reported `COLUMN_TYPE`, and the type's spelling when the dialect
/// would not render that `SqlType` back as this type (then `Column::custom_type`).
///
/// MariaDB's JSON (`longtext` plus a `json_valid` check) is decided by the caller, which sees
/// the checks.
pub(super) fn map_type(column_type: &str) -> (SqlType, Option<String>) {
    let p = parse(column_type);
    let nums = numbers(p.args);
    let plain = p.modifiers.is_empty();
    // Integer display widths (`int(11)`, MariaDB and MySQL before 8.0.19) mean nothing for
    // the values, so `int(11)` and `int` are both what `INT` renders.
    let exact = match (p.base.as_str(), nums.as_deref()) {
        _ if !plain => None,
        ("tinyint", Some([1])) | ("boolean" | "bool", None) => Some(SqlType::Boolean),
        ("smallint", None | Some([_])) => Some(SqlType::SmallInt),
        ("int" | "integer", None | Some([_])) => Some(SqlType::Integer),
        ("bigint", None | Some([_])) => Some(SqlType::BigInt),
        ("float", None) => Some(SqlType::Float),
        ("double", None) => Some(SqlType::Double),
        ("varchar", Some([n])) => Some(SqlType::Text(Some(*n))),
        ("longtext", None) => Some(SqlType::Text(None)),
        ("longblob", None) => Some(SqlType::Blob),
        ("date", None) => Some(SqlType::Date),
        ("time", Some([6])) => Some(SqlType::Time),
        ("datetime", Some([6])) => Some(SqlType::DateTime),
        ("char", Some([36])) => Some(SqlType::Uuid),
        ("decimal", Some([p, s])) => match (u8::try_from(*p), u8::try_from(*s)) {
            (Ok(p), Ok(s)) => Some(SqlType::Decimal(p, s)),
            _ => None,
        },
        ("json", None) => Some(SqlType::Json),
        _ => None,
    };
    match exact {
        Some(t) => (t, None),
        None => (
            nearest(&p, nums.as_deref()),
            Some(column_type.trim().to_string()),
        ),
    }
}

/// The type a column of a type the dialect never writes reads as.
fn nearest(p: &Parsed<'_>, nums: Option<&[u32]>) -> SqlType {
    let unsigned = p.modifiers.contains("unsigned") || p.modifiers.contains("zerofill");
    match p.base.as_str() {
        "tinyint" | "year" => SqlType::SmallInt,
        "smallint" if unsigned => SqlType::Integer,
        "smallint" => SqlType::SmallInt,
        "mediumint" => SqlType::Integer,
        "int" | "integer" if unsigned => SqlType::BigInt,
        "int" | "integer" => SqlType::Integer,
        "bigint" | "serial" => SqlType::BigInt,
        "bool" | "boolean" => SqlType::Boolean,
        "bit" if nums == Some(&[1]) => SqlType::Boolean,
        "bit" => SqlType::BigInt,
        "float" => SqlType::Float,
        "double" | "real" => SqlType::Double,
        "decimal" | "numeric" | "fixed" | "dec" => match nums {
            Some([p, s]) => SqlType::Decimal(
                u8::try_from(*p).unwrap_or(u8::MAX),
                u8::try_from(*s).unwrap_or(u8::MAX),
            ),
            Some([p]) => SqlType::Decimal(u8::try_from(*p).unwrap_or(u8::MAX), 0),
            _ => SqlType::Decimal(10, 0),
        },
        "char" | "varchar" => SqlType::Text(nums.and_then(|n| n.first().copied())),
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => SqlType::Blob,
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" => SqlType::Blob,
        "date" => SqlType::Date,
        "time" => SqlType::Time,
        "datetime" => SqlType::DateTime,
        "timestamp" => SqlType::DateTimeTz,
        "uuid" => SqlType::Uuid,
        "json" => SqlType::Json,
        // tinytext, text, mediumtext, enum, set, inet4, inet6, anything unknown: text.
        _ => SqlType::Text(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_arguments_and_modifiers() {
        assert_eq!(
            parse("int(10) unsigned  zerofill"),
            Parsed {
                base: "int".into(),
                args: Some("10"),
                modifiers: "unsigned zerofill".into()
            }
        );
        let e = parse("enum('a)','B')");
        assert_eq!((e.base.as_str(), e.args), ("enum", Some("'a)','B'")));
        assert_eq!(parse("LONGTEXT").base, "longtext");
    }
}
