//! The Rust type of each column: [`SqlType`] -> Rust type (the mapping docs/schema/codegen.md
//! documents per dialect), the `use` line and the `cinnabar` feature it needs, and the
//! `length` / `precision` / `scale` attributes that keep the declared type. Used by the
//! planner (`plan.rs`).

use cinnabar_core::types::SqlType;

/// Something a generated module imports from `cinnabar` for a field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Import {
    /// `use cinnabar::chrono::{..}` of this name.
    Chrono(&'static str),
    /// `use cinnabar::rust_decimal::Decimal;`
    Decimal,
    /// `use cinnabar::uuid::Uuid;`
    Uuid,
    /// `use cinnabar::serde_json;` (the type is written `serde_json::Value`).
    Json,
}

impl Import {
    /// The `cinnabar` cargo feature the import needs.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Import::Chrono(_) => "chrono",
            Import::Decimal => "decimal",
            Import::Uuid => "uuid",
            Import::Json => "json",
        }
    }
}

/// A column's Rust type without `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RustType {
    /// The type as written in the struct.
    pub text: String,
    /// What it needs imported.
    pub imports: Vec<Import>,
    /// Whether it can be (part of) a primary key: the derive's key type must be `Hash + Eq`.
    pub keyable: bool,
    /// Whether it is one of the integer types the derive lets the database generate.
    pub generated_key: bool,
}

impl RustType {
    fn plain(text: &str, keyable: bool) -> Self {
        RustType {
            text: text.to_string(),
            imports: Vec::new(),
            keyable,
            generated_key: false,
        }
    }

    fn imported(text: &str, imports: &[Import], keyable: bool) -> Self {
        RustType {
            text: text.to_string(),
            imports: imports.to_vec(),
            keyable,
            generated_key: false,
        }
    }

    /// A type given with `--type-override`: written as given, importing nothing.
    pub(crate) fn overridden(text: &str) -> Self {
        RustType {
            text: text.to_string(),
            imports: Vec::new(),
            keyable: true,
            generated_key: matches!(text, "i16" | "i32" | "i64"),
        }
    }
}

/// The Rust type read from and written to a column of `sql_type` (what the derive's
/// `ColumnType` impls declare for it); `None` for a type this mapping does not know (a
/// `SqlType` added after it), whose column is skipped with a warning.
pub(crate) fn rust_type(sql_type: &SqlType) -> Option<RustType> {
    Some(match sql_type {
        SqlType::SmallInt => int("i16"),
        SqlType::Integer => int("i32"),
        SqlType::BigInt => int("i64"),
        SqlType::Float => RustType::plain("f32", false),
        SqlType::Double => RustType::plain("f64", false),
        SqlType::Boolean => RustType::plain("bool", true),
        SqlType::Text(_) => RustType::plain("String", true),
        SqlType::Blob => RustType::plain("Vec<u8>", true),
        SqlType::Date => RustType::imported("NaiveDate", &[Import::Chrono("NaiveDate")], true),
        SqlType::Time => RustType::imported("NaiveTime", &[Import::Chrono("NaiveTime")], true),
        SqlType::DateTime => {
            RustType::imported("NaiveDateTime", &[Import::Chrono("NaiveDateTime")], true)
        }
        SqlType::DateTimeTz => RustType::imported(
            "DateTime<Utc>",
            &[Import::Chrono("DateTime"), Import::Chrono("Utc")],
            true,
        ),
        SqlType::Uuid => RustType::imported("Uuid", &[Import::Uuid], true),
        SqlType::Decimal(..) => RustType::imported("Decimal", &[Import::Decimal], true),
        SqlType::Json => RustType::imported("serde_json::Value", &[Import::Json], false),
        _ => return None,
    })
}

/// A dialect-neutral SQL spelling of `sql_type` for comments and warnings.
pub(crate) fn sql_type_label(sql_type: &SqlType) -> String {
    match sql_type {
        SqlType::SmallInt => "SMALLINT".into(),
        SqlType::Integer => "INTEGER".into(),
        SqlType::BigInt => "BIGINT".into(),
        SqlType::Float => "REAL".into(),
        SqlType::Double => "DOUBLE".into(),
        SqlType::Boolean => "BOOLEAN".into(),
        SqlType::Text(Some(n)) => format!("VARCHAR({n})"),
        SqlType::Text(None) => "TEXT".into(),
        SqlType::Blob => "BLOB".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Time => "TIME".into(),
        SqlType::DateTime => "TIMESTAMP".into(),
        SqlType::DateTimeTz => "TIMESTAMP WITH TIME ZONE".into(),
        SqlType::Uuid => "UUID".into(),
        SqlType::Decimal(p, s) => format!("NUMERIC({p}, {s})"),
        SqlType::Json => "JSON".into(),
        other => format!("{other:?}"),
    }
}

fn int(text: &str) -> RustType {
    RustType {
        generated_key: true,
        ..RustType::plain(text, true)
    }
}

/// The attributes that keep a declared type the field type alone would not give
/// (`length = 50` for `VARCHAR(50)`, `precision = 10, scale = 2` for `NUMERIC(10, 2)`), or
/// a problem to report when the type cannot be kept.
pub(crate) fn type_attributes(sql_type: &SqlType) -> Result<Vec<String>, String> {
    match *sql_type {
        SqlType::Text(Some(0)) => Err("a text length of 0 cannot be declared; the field is unbounded text".into()),
        SqlType::Text(Some(n)) => Ok(vec![format!("length = {n}")]),
        SqlType::Decimal(0, _) => Err(
            "a decimal without precision cannot be declared; the derive's default NUMERIC(28, 10) is used".into(),
        ),
        SqlType::Decimal(p, s) if s > p => Err(format!(
            "scale {s} exceeds precision {p}; the derive's default NUMERIC(28, 10) is used"
        )),
        SqlType::Decimal(p, s) => Ok(vec![format!("precision = {p}"), format!("scale = {s}")]),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sql_type_has_a_rust_type() {
        let cases = [
            (SqlType::SmallInt, "i16"),
            (SqlType::Integer, "i32"),
            (SqlType::BigInt, "i64"),
            (SqlType::Float, "f32"),
            (SqlType::Double, "f64"),
            (SqlType::Boolean, "bool"),
            (SqlType::Text(None), "String"),
            (SqlType::Text(Some(3)), "String"),
            (SqlType::Blob, "Vec<u8>"),
            (SqlType::Date, "NaiveDate"),
            (SqlType::Time, "NaiveTime"),
            (SqlType::DateTime, "NaiveDateTime"),
            (SqlType::DateTimeTz, "DateTime<Utc>"),
            (SqlType::Uuid, "Uuid"),
            (SqlType::Decimal(10, 2), "Decimal"),
            (SqlType::Json, "serde_json::Value"),
        ];
        for (sql, rust) in cases {
            assert_eq!(rust_type(&sql).unwrap().text, rust, "{sql:?}");
        }
        assert!(!rust_type(&SqlType::Double).unwrap().keyable);
        assert!(rust_type(&SqlType::Integer).unwrap().generated_key);
        assert!(!rust_type(&SqlType::Text(None)).unwrap().generated_key);
    }

    #[test]
    fn declared_sizes_become_attributes() {
        assert_eq!(
            type_attributes(&SqlType::Text(Some(50))).unwrap(),
            ["length = 50"]
        );
        assert_eq!(
            type_attributes(&SqlType::Decimal(10, 2)).unwrap(),
            ["precision = 10", "scale = 2"]
        );
        assert!(type_attributes(&SqlType::Decimal(0, 0)).is_err());
        assert!(type_attributes(&SqlType::Text(Some(0))).is_err());
        assert!(type_attributes(&SqlType::BigInt).unwrap().is_empty());
    }
}
