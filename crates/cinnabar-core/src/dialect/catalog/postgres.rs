//! The PostgreSQL catalog: `pg_catalog` queries restricted to `current_schema()`, one per
//! kind of object for the whole schema (tables; columns with `format_type`, `pg_attrdef`
//! through `pg_get_expr` and `attidentity`; primary keys, UNIQUE, FOREIGN KEY and CHECK
//! constraints from `pg_constraint`; indexes from `pg_index` that back no constraint, with
//! `pg_get_expr(indpred)` for partial ones). Returned by `PostgresDialect::catalog()`; run by
//! the engine's `Inspector`.

use super::build::{add_index, add_unique, Cells, TableSet};
use super::normalize::{default_key, pg_check_key};
use super::postgres_types::{pg_type, TypeKind};
use super::{strip_outer_parens, Catalog, CatalogQuery, CatalogRows, ObjectKind};
use crate::schema::{CheckConstraint, Column, ForeignKey, Index, ReferentialAction, Table};
use crate::{Result, Value};

/// How PostgreSQL describes its schema (the connection's `current_schema()`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PostgresCatalog;

/// `FROM` + `WHERE` restricting `c` (a `pg_class`) to the ordinary and partitioned tables of
/// the current schema (partitions are reflected through their parent only).
macro_rules! in_schema {
    () => {
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
         AND NOT c.relispartition "
    };
}

const QUERIES: &[CatalogQuery] = &[
    // 0
    CatalogQuery {
        kind: ObjectKind::Tables,
        sql: concat!(
            "SELECT c.relname::text FROM pg_catalog.pg_class c",
            in_schema!(),
            "ORDER BY c.relname"
        ),
    },
    // 1: columns (generated columns are not reflected).
    CatalogQuery {
        kind: ObjectKind::Columns,
        sql: concat!(
            "SELECT c.relname::text, a.attname::text, \
             pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
             pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, \
             t.typtype::text, \
             CASE WHEN t.typtype = 'd' \
             THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum",
            in_schema!(),
            "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' \
             ORDER BY c.relname, a.attnum"
        ),
    },
    // 2: primary-key columns.
    CatalogQuery {
        kind: ObjectKind::PrimaryKeys,
        sql: concat!(
            "SELECT c.relname::text, a.attname::text \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
             CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum",
            in_schema!(),
            "AND k.contype = 'p' ORDER BY c.relname, u.ord"
        ),
    },
    // 3: UNIQUE constraints and their columns.
    CatalogQuery {
        kind: ObjectKind::Uniques,
        sql: concat!(
            "SELECT c.relname::text, k.conname::text, a.attname::text \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
             CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum",
            in_schema!(),
            "AND k.contype = 'u' ORDER BY c.relname, k.oid, u.ord"
        ),
    },
    // 4: FOREIGN KEY constraints, column pairs in order (a partitioned parent's copies on
    // partitions are left out).
    CatalogQuery {
        kind: ObjectKind::ForeignKeys,
        sql: concat!(
            "SELECT c.relname::text, k.conname::text, r.relname::text, a.attname::text, \
             ra.attname::text, k.confupdtype::text, k.confdeltype::text \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
             JOIN pg_catalog.pg_class r ON r.oid = k.confrelid \
             CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, refnum, ord) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum \
             JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = u.refnum",
            in_schema!(),
            "AND k.contype = 'f' AND k.conparentid = 0 ORDER BY c.relname, k.oid, u.ord"
        ),
    },
    // 5: CHECK constraints as `CHECK (..)` text.
    CatalogQuery {
        kind: ObjectKind::Checks,
        sql: concat!(
            "SELECT c.relname::text, k.conname::text, pg_catalog.pg_get_constraintdef(k.oid) \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid",
            in_schema!(),
            "AND k.contype = 'c' ORDER BY c.relname, k.oid"
        ),
    },
    // 6: indexes that back no constraint, key columns in order (an expression has no name).
    CatalogQuery {
        kind: ObjectKind::Indexes,
        sql: concat!(
            "SELECT c.relname::text, ic.relname::text, i.indisunique, a.attname::text, \
             pg_catalog.pg_get_expr(i.indpred, i.indrelid) \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, ord) \
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid \
             AND a.attnum = u.attnum AND u.attnum > 0",
            in_schema!(),
            "AND u.ord <= i.indnkeyatts AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k \
             WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid \
             AND k.contype IN ('p', 'u', 'x')) \
             ORDER BY c.relname, ic.relname, u.ord"
        ),
    },
];

impl Catalog for PostgresCatalog {
    fn queries(&self) -> &'static [CatalogQuery] {
        QUERIES
    }

    /// `<table>_<column>_key`, cut as PostgreSQL cuts it: the single-column unique
    /// constraints reflection reports as `Column::unique` have that name.
    fn unnamed_unique_name(&self, table: &str, columns: &[String]) -> Option<String> {
        match columns {
            [column] => Some(pg_default_name(table, column, "key")),
            _ => None,
        }
    }

    fn assemble(&self, results: &[CatalogRows]) -> Result<Vec<Table>> {
        let rows = |i: usize| results.get(i).map_or(&[][..], |r| r.as_slice());
        let mut set = TableSet::new();
        for row in rows(0) {
            set.add(Cells::new(row, "PostgreSQL tables").text(0)?);
        }
        columns(&mut set, rows(1))?;
        for row in rows(2) {
            let r = Cells::new(row, "PostgreSQL primary keys");
            let Some(t) = set.get_mut(r.text(0)?) else {
                continue;
            };
            let column = r.text(1)?;
            if let Some(c) = t.columns.iter_mut().find(|c| c.name == column) {
                c.primary_key = true;
            }
        }
        uniques(&mut set, rows(3))?;
        foreign_keys(&mut set, rows(4))?;
        for row in rows(5) {
            let r = Cells::new(row, "PostgreSQL checks");
            let Some(t) = set.get_mut(r.text(0)?) else {
                continue;
            };
            t.checks.push(CheckConstraint {
                name: Some(r.text(1)?.to_string()),
                sql: check_condition(r.text(2)?),
                rule: None,
            });
        }
        indexes(&mut set, rows(6))?;
        Ok(set.into_sorted())
    }

    /// PostgreSQL stores a default as a parsed expression and prints it back with casts:
    /// the key drops casts (`'x'::character varying` is `'x'`, `'-1'::integer` is `-1`),
    /// reads `now()` as `CURRENT_TIMESTAMP` and `interval '1 day'` as `'1 day'`, drops
    /// enclosing parentheses, lower-cases words outside literals and spaces tokens evenly.
    fn normalize_default(&self, sql: &str) -> String {
        default_key(sql, true)
    }

    /// PostgreSQL prints a CHECK back parenthesised and with casts, `IN` as `= ANY (ARRAY[..])`,
    /// `LIKE` as `~~` and `BETWEEN` as two comparisons: the key undoes each, then applies the
    /// default normalisation.
    fn normalize_check(&self, sql: &str) -> String {
        pg_check_key(sql)
    }
}

/// `CHECK ((a > 0)) NOT VALID` → `a > 0`.
fn check_condition(def: &str) -> String {
    let def = def.trim();
    let def = def.strip_suffix("NOT VALID").unwrap_or(def).trim();
    let def = def.strip_suffix("NO INHERIT").unwrap_or(def).trim();
    let def = def.strip_prefix("CHECK").unwrap_or(def).trim();
    strip_outer_parens(def).to_string()
}

fn columns(set: &mut TableSet, rows: &[Vec<Value>]) -> Result<()> {
    for row in rows {
        let r = Cells::new(row, "PostgreSQL columns");
        let Some(t) = set.get_mut(r.text(0)?) else {
            continue;
        };
        let kind = match r.text(6)? {
            "e" => TypeKind::Enum,
            "d" => TypeKind::Domain,
            _ => TypeKind::Base,
        };
        let (sql_type, custom_type) = pg_type(r.text(2)?, kind, r.opt_text(7)?);
        let mut c = Column::new(r.text(1)?, sql_type);
        c.custom_type = custom_type;
        c.nullable = !r.flag(3)?;
        let default = r.opt_text(4)?;
        let identity = !r.text(5)?.is_empty();
        // `serial` is a sequence default; an identity column has none. Both are generated.
        let serial = default.is_some_and(|d| d.starts_with("nextval("));
        c.autoincrement = identity || serial;
        c.server_default = default.filter(|_| !serial).map(str::to_string);
        t.columns.push(c);
    }
    Ok(())
}

/// The name PostgreSQL gives an unnamed constraint: `<table>_<column>_<label>`, the longer
/// of table and column cut (a byte at a time, at a character boundary) until it fits 63
/// bytes, as the server's `makeObjectName` does.
pub(crate) fn pg_default_name(table: &str, column: &str, label: &str) -> String {
    const MAX: usize = 63;
    let avail = MAX - label.len() - 2;
    let (mut n1, mut n2) = (table.len(), column.len());
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    format!("{}_{}_{label}", clip(table, n1), clip(column, n2))
}

fn uniques(set: &mut TableSet, rows: &[Vec<Value>]) -> Result<()> {
    let mut found: Vec<(String, String, Vec<String>)> = Vec::new();
    for row in rows {
        let r = Cells::new(row, "PostgreSQL unique constraints");
        let (table, name, column) = (r.text(0)?, r.text(1)?, r.text(2)?);
        match found.last_mut() {
            Some((t, n, cols)) if t == table && n == name => cols.push(column.to_string()),
            _ => found.push((
                table.to_string(),
                name.to_string(),
                vec![column.to_string()],
            )),
        }
    }
    for (table, name, columns) in found {
        let Some(t) = set.get_mut(&table) else {
            continue;
        };
        let default = columns
            .first()
            .map(|c| pg_default_name(&table, c, "key"))
            .filter(|_| columns.len() == 1);
        add_unique(t, Some(name), columns, default.as_deref());
    }
    Ok(())
}

fn action(code: &str) -> Option<ReferentialAction> {
    match code {
        "r" => Some(ReferentialAction::Restrict),
        "c" => Some(ReferentialAction::Cascade),
        "n" => Some(ReferentialAction::SetNull),
        "d" => Some(ReferentialAction::SetDefault),
        // `a`, NO ACTION: what an undeclared action means.
        _ => None,
    }
}

fn foreign_keys(set: &mut TableSet, rows: &[Vec<Value>]) -> Result<()> {
    let mut found: Vec<(String, ForeignKey)> = Vec::new();
    for row in rows {
        let r = Cells::new(row, "PostgreSQL foreign keys");
        let (table, name) = (r.text(0)?, r.text(1)?);
        let (column, ref_column) = (r.text(3)?, r.text(4)?);
        match found.last_mut() {
            Some((t, fk)) if t == table && fk.name.as_deref() == Some(name) => {
                fk.columns.push(column.to_string());
                fk.ref_columns.push(ref_column.to_string());
            }
            _ => {
                let mut fk = ForeignKey::new(column, r.text(2)?, ref_column).named(name);
                fk.on_update = action(r.text(5)?);
                fk.on_delete = action(r.text(6)?);
                found.push((table.to_string(), fk));
            }
        }
    }
    for (table, fk) in found {
        if let Some(t) = set.get_mut(&table) {
            t.foreign_keys.push(fk);
        }
    }
    Ok(())
}

fn indexes(set: &mut TableSet, rows: &[Vec<Value>]) -> Result<()> {
    // (table, index, expression?) in query order: by table, then index name.
    let mut found: Vec<(String, Index, bool)> = Vec::new();
    for row in rows {
        let r = Cells::new(row, "PostgreSQL indexes");
        let (table, name) = (r.text(0)?, r.text(1)?);
        let column = r.opt_text(3)?;
        let same = found
            .last()
            .is_some_and(|(t, ix, _)| t == table && ix.name == name);
        if !same {
            let mut ix = Index::new(name, &[]);
            ix.unique = r.flag(2)?;
            ix.where_sql = r.opt_text(4)?.map(|w| strip_outer_parens(w).to_string());
            found.push((table.to_string(), ix, false));
        }
        let entry = found.last_mut();
        if let Some((_, ix, expression)) = entry {
            match column {
                Some(c) => ix.columns.push(c.to_string()),
                None => *expression = true,
            }
        }
    }
    for (table, ix, expression) in found {
        if expression {
            continue;
        }
        if let Some(t) = set.get_mut(&table) {
            add_index(t, ix);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_constraint_names_follow_the_server() {
        assert_eq!(
            pg_default_name("students", "email", "key"),
            "students_email_key"
        );
        let long_table = "t".repeat(60);
        let name = pg_default_name(&long_table, "email", "key");
        // 63 bytes: the table cut to 53, then `_email_key`.
        assert_eq!(name, format!("{}_email_key", "t".repeat(53)));
        assert_eq!(name.len(), 63);
    }

    #[test]
    fn check_text_loses_its_wrapper() {
        assert_eq!(check_condition("CHECK ((a > 0))"), "a > 0");
        assert_eq!(
            check_condition("CHECK (((a > 0) AND (b < 1))) NOT VALID"),
            "(a > 0) AND (b < 1)"
        );
    }
}
