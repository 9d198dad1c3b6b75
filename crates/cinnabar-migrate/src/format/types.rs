//! The dialect-neutral type names of revision files (`integer`, `varchar(120)`,
//! `decimal(10, 2)`, ...) and their [`SqlType`]s, both ways. A name that is none of these is a
//! type written verbatim (`Column::custom_type`). Used by the revision reader and writer.

use cinnabar_core::types::SqlType;

/// The neutral name of `t`, as the writer puts it in a file.
pub fn type_name(t: SqlType) -> String {
    match t {
        SqlType::SmallInt => "smallint".into(),
        SqlType::Integer => "integer".into(),
        SqlType::BigInt => "bigint".into(),
        SqlType::Float => "float".into(),
        SqlType::Double => "double".into(),
        SqlType::Boolean => "boolean".into(),
        SqlType::Text(None) => "text".into(),
        SqlType::Text(Some(n)) => format!("varchar({n})"),
        SqlType::Blob => "blob".into(),
        SqlType::Date => "date".into(),
        SqlType::Time => "time".into(),
        SqlType::DateTime => "timestamp".into(),
        SqlType::DateTimeTz => "timestamptz".into(),
        SqlType::Uuid => "uuid".into(),
        SqlType::Decimal(p, s) => format!("decimal({p}, {s})"),
        SqlType::Json => "json".into(),
        // A type added to core after this table: its debug name, which reads back as a
        // custom type until it is added here (the round-trip test lists every type).
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

/// The [`SqlType`] a neutral name stands for (case and spacing do not matter; `int`,
/// `bool`, `real`, `datetime` and `numeric(p, s)` are accepted as aliases), or `None` when
/// the name is not a neutral one (it is then a custom type).
pub fn parse_type(name: &str) -> Option<SqlType> {
    let lower: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let simple = match lower.as_str() {
        "smallint" => Some(SqlType::SmallInt),
        "integer" | "int" => Some(SqlType::Integer),
        "bigint" => Some(SqlType::BigInt),
        "float" | "real" => Some(SqlType::Float),
        "double" => Some(SqlType::Double),
        "boolean" | "bool" => Some(SqlType::Boolean),
        "text" => Some(SqlType::Text(None)),
        "blob" => Some(SqlType::Blob),
        "date" => Some(SqlType::Date),
        "time" => Some(SqlType::Time),
        "timestamp" | "datetime" => Some(SqlType::DateTime),
        "timestamptz" => Some(SqlType::DateTimeTz),
        "uuid" => Some(SqlType::Uuid),
        "json" => Some(SqlType::Json),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    let (head, args) = lower.strip_suffix(')')?.split_once('(')?;
    let args: Vec<&str> = args.split(',').collect();
    match (head, args.as_slice()) {
        ("varchar", [n]) => n.parse().ok().map(|n| SqlType::Text(Some(n))),
        ("decimal" | "numeric", [p, s]) => {
            let p: u8 = p.parse().ok()?;
            let s: u8 = s.parse().ok()?;
            (s <= p).then_some(SqlType::Decimal(p, s))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        let all = [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Float,
            SqlType::Double,
            SqlType::Boolean,
            SqlType::Text(None),
            SqlType::Text(Some(120)),
            SqlType::Blob,
            SqlType::Date,
            SqlType::Time,
            SqlType::DateTime,
            SqlType::DateTimeTz,
            SqlType::Uuid,
            SqlType::Decimal(10, 2),
            SqlType::Json,
        ];
        for t in all {
            assert_eq!(parse_type(&type_name(t)), Some(t), "{t:?}");
        }
    }

    #[test]
    fn aliases_case_and_spacing() {
        assert_eq!(parse_type("VARCHAR( 50 )"), Some(SqlType::Text(Some(50))));
        assert_eq!(parse_type("numeric(12,4)"), Some(SqlType::Decimal(12, 4)));
        assert_eq!(parse_type("Int"), Some(SqlType::Integer));
        assert_eq!(parse_type("inet"), None);
        assert_eq!(parse_type("decimal(2, 5)"), None);
        assert_eq!(parse_type("varchar(x)"), None);
        assert_eq!(parse_type("enum('a','b')"), None);
    }
}
