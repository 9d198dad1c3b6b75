//! SQLite declared type names ↔ [`SqlType`]: the names the SQLite dialect writes map back to
//! the type it writes them for; any other name keeps its spelling in `Column::custom_type`
//! and gets the nearest type by SQLite's affinity rules. Used by the SQLite catalog; the
//! table is in docs/schema/reflection.md.

use super::build::type_args;
use crate::types::SqlType;

/// The [`SqlType`] of a column declared `declared`, and the declared name itself when the
/// SQLite dialect would not write that name for the type.
pub(crate) fn sqlite_type(declared: &str) -> (SqlType, Option<String>) {
    let declared = declared.trim();
    let canon: String = canonical(declared);
    if let Some(t) = dialect_name(&canon) {
        return (t, None);
    }
    (nearest(&canon), Some(declared.to_string()))
}

/// Upper case, no whitespace around `(`, `,`, `)`, single spaces elsewhere.
fn canonical(declared: &str) -> String {
    let upper = declared
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    upper
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" ,", ",")
        .replace(", ", ",")
        .replace(" )", ")")
}

/// The type the SQLite dialect renders as `canon` (see `SqliteDialect::column_type`).
fn dialect_name(canon: &str) -> Option<SqlType> {
    Some(match canon {
        // SMALLINT/INTEGER/BIGINT all render INTEGER: a SQLite integer is 64-bit.
        "INTEGER" => SqlType::BigInt,
        // FLOAT and DOUBLE both render REAL: a SQLite real is a double.
        "REAL" => SqlType::Double,
        "BOOLEAN" => SqlType::Boolean,
        // JSON renders TEXT too; TEXT reads back as text.
        "TEXT" => SqlType::Text(None),
        "BLOB" => SqlType::Blob,
        "DATE" => SqlType::Date,
        "TIME" => SqlType::Time,
        "DATETIME" => SqlType::DateTime,
        "TIMESTAMP" => SqlType::DateTimeTz,
        "CHAR(36)" => SqlType::Uuid,
        _ => {
            let args = type_args(canon)?;
            let base = &canon[..canon.find('(')?];
            match (base, args.as_slice()) {
                ("VARCHAR", [n]) => SqlType::Text(Some(*n)),
                ("NUMERIC", [p, s]) => {
                    SqlType::Decimal(u8::try_from(*p).ok()?, u8::try_from(*s).ok()?)
                }
                _ => return None,
            }
        }
    })
}

/// The nearest type for a name the dialect does not write, following SQLite's affinity
/// rules (INT → integer; CHAR/CLOB/TEXT → text; BLOB → bytes; REAL/FLOA/DOUB → double),
/// then well-known names of NUMERIC affinity (BOOL, DATE/TIME, UUID, JSON, DECIMAL).
fn nearest(canon: &str) -> SqlType {
    let base = canon.split('(').next().unwrap_or(canon);
    let args = type_args(canon).unwrap_or_default();
    if base.contains("INT") {
        return match base {
            "TINYINT" | "SMALLINT" | "INT2" => SqlType::SmallInt,
            "INT" | "INT4" | "MEDIUMINT" => SqlType::Integer,
            _ => SqlType::BigInt,
        };
    }
    if base.contains("CHAR") || base.contains("CLOB") || base.contains("TEXT") {
        return SqlType::Text(args.first().copied());
    }
    if base.contains("BLOB") {
        return SqlType::Blob;
    }
    if base.contains("REAL") || base.contains("FLOA") || base.contains("DOUB") {
        return SqlType::Double;
    }
    if base.contains("BOOL") {
        return SqlType::Boolean;
    }
    if base.contains("UUID") || base.contains("GUID") {
        return SqlType::Uuid;
    }
    if base.contains("JSON") {
        return SqlType::Json;
    }
    if base.contains("TIMESTAMP") {
        return SqlType::DateTimeTz;
    }
    if base.contains("DATETIME") {
        return SqlType::DateTime;
    }
    if base.contains("DATE") {
        return SqlType::Date;
    }
    if base.contains("TIME") {
        return SqlType::Time;
    }
    if base.contains("DEC") || base.contains("NUMERIC") {
        let p = args.first().and_then(|p| u8::try_from(*p).ok());
        let s = args.get(1).and_then(|s| u8::try_from(*s).ok()).unwrap_or(0);
        return match p {
            Some(p) => SqlType::Decimal(p, s),
            // No precision: what a plain `rust_decimal::Decimal` field declares.
            None => SqlType::Decimal(28, 10),
        };
    }
    SqlType::Text(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_names_map_back_without_a_custom_type() {
        assert_eq!(sqlite_type("INTEGER"), (SqlType::BigInt, None));
        assert_eq!(sqlite_type("integer"), (SqlType::BigInt, None));
        assert_eq!(sqlite_type("VARCHAR(20)"), (SqlType::Text(Some(20)), None));
        assert_eq!(
            sqlite_type("NUMERIC(10,2)"),
            (SqlType::Decimal(10, 2), None)
        );
        assert_eq!(
            sqlite_type("NUMERIC(10, 2)"),
            (SqlType::Decimal(10, 2), None)
        );
        assert_eq!(sqlite_type("CHAR(36)"), (SqlType::Uuid, None));
        assert_eq!(sqlite_type("TIMESTAMP"), (SqlType::DateTimeTz, None));
    }

    #[test]
    fn other_names_keep_their_spelling() {
        let custom = |s: &str| Some(s.to_string());
        assert_eq!(sqlite_type("INT"), (SqlType::Integer, custom("INT")));
        assert_eq!(
            sqlite_type("NVARCHAR(20)"),
            (SqlType::Text(Some(20)), custom("NVARCHAR(20)"))
        );
        assert_eq!(sqlite_type(""), (SqlType::Text(None), custom("")));
        assert_eq!(sqlite_type("double"), (SqlType::Double, custom("double")));
        assert_eq!(
            sqlite_type("DECIMAL(12,4)"),
            (SqlType::Decimal(12, 4), custom("DECIMAL(12,4)"))
        );
        assert_eq!(
            sqlite_type("NUMERIC(300, 2)"),
            (SqlType::Decimal(28, 10), custom("NUMERIC(300, 2)"))
        );
        assert_eq!(sqlite_type("money"), (SqlType::Text(None), custom("money")));
    }
}
