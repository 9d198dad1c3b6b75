//! SQLite's [`TableRebuild`]: the pragmas and `sqlite_master` queries of the documented
//! 12-step table rebuild (<https://www.sqlite.org/lang_altertable.html>, "Making Other Kinds
//! Of Table Schema Changes"), the versions from which ALTER TABLE can rename and drop
//! columns, and what SQLite's own ALTER TABLE refuses. Returned by
//! `SqliteDialect::table_rebuild()`.

use super::catalog::tokens::{tokenize, Tok};
use super::rebuild::{ServerVersion, TableRebuild};
use super::Dialect;
use crate::schema::{Column, Table};
use crate::sql::AlterAction;

/// SQLite's table rebuild.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SqliteRebuild;

/// `ALTER TABLE .. RENAME COLUMN` appeared in SQLite 3.25.0.
const RENAME_COLUMN_SINCE: ServerVersion = ServerVersion::new(3, 25, 0);
/// `ALTER TABLE .. DROP COLUMN` appeared in 3.35.0; 3.35.5 fixed the last of the bugs that
/// could corrupt a database with it.
const DROP_COLUMN_SINCE: ServerVersion = ServerVersion::new(3, 35, 5);

impl TableRebuild for SqliteRebuild {
    fn version_sql(&self) -> &'static str {
        "SELECT sqlite_version()"
    }

    fn alter_min_version(&self, action: &AlterAction) -> Option<ServerVersion> {
        match action {
            AlterAction::RenameColumn { .. } => Some(RENAME_COLUMN_SINCE),
            AlterAction::DropColumn(_) => Some(DROP_COLUMN_SINCE),
            _ => None,
        }
    }

    fn refuses_natively(&self, table: &Table, action: &AlterAction) -> Option<String> {
        match action {
            AlterAction::AddColumn(c) => add_column_refusal(c),
            AlterAction::DropColumn(name) => drop_column_refusal(self, table, name),
            _ => None,
        }
    }

    fn foreign_keys_enabled_sql(&self) -> &'static str {
        "PRAGMA foreign_keys"
    }

    fn foreign_keys_sql(&self, on: bool) -> &'static str {
        if on {
            "PRAGMA foreign_keys = ON"
        } else {
            "PRAGMA foreign_keys = OFF"
        }
    }

    fn legacy_rename_sql(&self, on: bool) -> &'static str {
        if on {
            "PRAGMA legacy_alter_table = ON"
        } else {
            "PRAGMA legacy_alter_table = OFF"
        }
    }

    fn legacy_rename_enabled_sql(&self) -> &'static str {
        "PRAGMA legacy_alter_table"
    }

    fn write_foreign_key_check(&self, dialect: &dyn Dialect, out: &mut String, table: &str) {
        out.push_str("PRAGMA foreign_key_check(");
        dialect.quote_identifier(out, table);
        out.push(')');
    }

    fn table_definition_sql(&self) -> &'static str {
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE"
    }

    fn dependents_sql(&self) -> &'static str {
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE type IN ('trigger', 'view') AND sql IS NOT NULL ORDER BY rowid"
    }

    fn referencing_sql(&self) -> &'static str {
        "SELECT m.name, f.\"to\" FROM sqlite_master AS m \
         JOIN pragma_foreign_key_list(m.name) AS f \
         WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE \
         AND m.name <> ?1 COLLATE NOCASE ORDER BY m.name"
    }

    fn unkept_features(&self, create_sql: &str) -> Vec<&'static str> {
        let toks = tokenize(create_sql, true);
        let word = |i: usize, kw: &str| toks.get(i).is_some_and(|t| t.is_kw(create_sql, kw));
        let mut out = Vec::new();
        let mut push = |what: &'static str| {
            if !out.contains(&what) {
                out.push(what);
            }
        };
        let mut depth = 0usize;
        let mut closed = false;
        for (i, t) in toks.iter().enumerate() {
            match t.kind {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth = depth.saturating_sub(1);
                    closed |= depth == 0;
                }
                _ => {}
            }
            if word(i, "AUTOINCREMENT") {
                push("AUTOINCREMENT");
            } else if word(i, "COLLATE") {
                push("a COLLATE clause");
            } else if word(i, "GENERATED")
                || (word(i, "AS") && toks.get(i + 1).is_some_and(|n| n.kind == Tok::Open))
            {
                push("a generated column");
            } else if word(i, "ON") && word(i + 1, "CONFLICT") {
                push("an ON CONFLICT clause");
            } else if word(i, "DEFERRED") {
                push("a deferred foreign key (INITIALLY DEFERRED)");
            } else if closed && depth == 0 && word(i, "WITHOUT") && word(i + 1, "ROWID") {
                push("WITHOUT ROWID");
            } else if closed && depth == 0 && word(i, "STRICT") {
                push("STRICT");
            }
        }
        out
    }

    fn mentions(&self, sql: &str, identifier: &str) -> bool {
        tokenize(sql, true).iter().any(|t| match &t.kind {
            Tok::Word => t.text(sql).eq_ignore_ascii_case(identifier),
            Tok::Ident(name) => name.eq_ignore_ascii_case(identifier),
            _ => false,
        })
    }

    fn rename_identifier(&self, dialect: &dyn Dialect, sql: &str, from: &str, to: &str) -> String {
        let mut out = String::with_capacity(sql.len() + to.len());
        let mut done = 0;
        for t in tokenize(sql, true) {
            let hit = match &t.kind {
                Tok::Word => t.text(sql).eq_ignore_ascii_case(from),
                Tok::Ident(name) => name.eq_ignore_ascii_case(from),
                _ => false,
            };
            if hit {
                out.push_str(&sql[done..t.start]);
                dialect.quote_identifier(&mut out, to);
                done = t.end;
            }
        }
        out.push_str(&sql[done..]);
        out
    }
}

/// SQLite's ADD COLUMN needs a default for a NOT NULL column (even on an empty table) and a
/// constant default.
fn add_column_refusal(c: &Column) -> Option<String> {
    if c.primary_key && c.autoincrement {
        return None;
    }
    match c.server_default.as_deref().map(str::trim) {
        None if !c.nullable => Some(format!(
            "SQLite cannot add the NOT NULL column {:?} without a default",
            c.name
        )),
        Some(d)
            if d.starts_with('(')
                || ["CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"]
                    .iter()
                    .any(|k| d.eq_ignore_ascii_case(k)) =>
        {
            Some(format!(
                "SQLite cannot add the column {:?} with a default that is not a constant ({d})",
                c.name
            ))
        }
        _ => None,
    }
}

/// SQLite's DROP COLUMN fails when anything else in the table names the column.
fn drop_column_refusal(r: &SqliteRebuild, table: &Table, name: &str) -> Option<String> {
    let same = |c: &String| c.eq_ignore_ascii_case(name);
    let column = table
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name));
    let why = if column.is_some_and(|c| c.primary_key) {
        "it is part of the primary key".to_string()
    } else if column.is_some_and(|c| c.unique)
        || table.uniques.iter().any(|u| u.columns.iter().any(same))
    {
        "a UNIQUE constraint covers it".to_string()
    } else if let Some(ix) = table.all_indexes().iter().find(|ix| {
        ix.columns.iter().any(same) || ix.where_sql.as_deref().is_some_and(|w| r.mentions(w, name))
    }) {
        format!("the index {:?} uses it", ix.name)
    } else if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(same))
    {
        "a foreign key uses it".to_string()
    } else if table.checks.iter().any(|c| r.mentions(&c.sql, name)) {
        "a CHECK constraint names it".to_string()
    } else {
        return None;
    };
    Some(format!(
        "SQLite cannot drop column {name:?} of table {:?} with ALTER TABLE: {why}",
        table.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey};
    use crate::types::SqlType;

    #[test]
    fn versions_parse_and_order() {
        let v = ServerVersion::parse("3.45.1").unwrap();
        assert_eq!(v, ServerVersion::new(3, 45, 1));
        assert_eq!(
            ServerVersion::parse("15.4 (Debian)").unwrap(),
            ServerVersion::new(15, 4, 0)
        );
        assert_eq!(
            ServerVersion::parse("10.11.6-MariaDB").unwrap(),
            ServerVersion::new(10, 11, 6)
        );
        assert!(ServerVersion::parse("x.1").is_err());
        assert!(ServerVersion::parse("3").is_err());
        assert!(ServerVersion::new(3, 24, 9) < RENAME_COLUMN_SINCE);
        assert!(ServerVersion::new(3, 35, 4) < DROP_COLUMN_SINCE);
        assert_eq!(v.to_string(), "3.45.1");
    }

    #[test]
    fn unkept_features_are_found_outside_literals() {
        let r = SqliteRebuild;
        assert!(r
            .unkept_features("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT DEFAULT 'COLLATE')")
            .is_empty());
        assert!(r
            .unkept_features("CREATE TABLE t (a INTEGER CHECK (CAST(a AS TEXT) <> ''))")
            .is_empty());
        assert_eq!(
            r.unkept_features("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)"),
            ["AUTOINCREMENT"]
        );
        assert_eq!(
            r.unkept_features("CREATE TABLE t (a TEXT COLLATE NOCASE, b AS (a || 'x'))"),
            ["a COLLATE clause", "a generated column"]
        );
        assert_eq!(
            r.unkept_features("CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID, STRICT"),
            ["WITHOUT ROWID", "STRICT"]
        );
        assert_eq!(
            r.unkept_features("CREATE TABLE \"strict\" (\"without\" INT, rowid_x INT)"),
            Vec::<&str>::new()
        );
        assert_eq!(
            r.unkept_features("CREATE TABLE t (a INT UNIQUE ON CONFLICT REPLACE)"),
            ["an ON CONFLICT clause"]
        );
    }

    #[test]
    fn mentions_reads_identifiers_not_literals() {
        let r = SqliteRebuild;
        let sql = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET \"Name\" = 'age'; END";
        assert!(r.mentions(sql, "name"));
        assert!(!r.mentions(sql, "age"));
        assert!(r.mentions("CREATE VIEW v AS SELECT [age] FROM t", "AGE"));
        assert_eq!(
            r.rename_identifier(
                &super::super::SqliteDialect,
                "AGE >= 0 AND [age] < 'age' /* age */",
                "age",
                "years"
            ),
            "\"years\" >= 0 AND \"years\" < 'age' /* age */"
        );
    }

    #[test]
    fn native_refusals() {
        let r = SqliteRebuild;
        let t = Table::new("t")
            .column(Column::new("id", SqlType::BigInt).primary_key())
            .column(Column::new("a", SqlType::Integer).index())
            .column(Column::new("b", SqlType::Integer))
            .column(Column::new("c", SqlType::Integer))
            .column(Column::new("p", SqlType::BigInt))
            .foreign_key(ForeignKey::new("p", "t", "id"))
            .check(None, "c > 0");
        let drop = |c: &str| r.refuses_natively(&t, &AlterAction::DropColumn(c.into()));
        assert!(drop("id").unwrap().contains("primary key"));
        assert!(drop("a").unwrap().contains("ix_t_a"));
        assert!(drop("p").unwrap().contains("foreign key"));
        assert!(drop("C").unwrap().contains("CHECK"));
        assert_eq!(drop("b"), None);
        let add = |c: Column| r.refuses_natively(&t, &AlterAction::AddColumn(c));
        assert!(add(Column::new("d", SqlType::Integer)).is_some());
        assert_eq!(
            add(Column::new("d", SqlType::Integer).server_default("0")),
            None
        );
        assert_eq!(add(Column::new("d", SqlType::Integer).nullable()), None);
        assert!(
            add(Column::new("d", SqlType::Integer).server_default("CURRENT_TIMESTAMP")).is_some()
        );
        assert!(add(Column::new("d", SqlType::Integer).server_default("(1 + 1)")).is_some());
        assert_eq!(
            r.alter_min_version(&AlterAction::RenameColumn {
                from: "a".into(),
                to: "b".into()
            }),
            Some(RENAME_COLUMN_SINCE)
        );
        assert_eq!(
            r.alter_min_version(&AlterAction::RenameTable("x".into())),
            None
        );
    }
}
