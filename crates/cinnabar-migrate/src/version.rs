//! The version table (`cinnabar_migrations` by default): one row per applied revision with
//! its checksum, when it was applied, how long it took, and how many of its steps are done
//! (`complete = false` is the "dirty at step k" state of a database without transactional
//! DDL). The [`Migrator`](crate::Migrator) reads and writes it through the SQL built here,
//! with identifiers quoted by the dialect and values bound; [`crate::offline`] writes the
//! same statements with literals.

use crate::lock::TxGuard;
use cinnabar_core::dialect::{check_identifier, compile_ddl, BeginMode, Dialect};
use cinnabar_core::schema::{Column, Table};
use cinnabar_core::sql::{CreateTable, Ddl};
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, Result, Value, ValueRef};
use cinnabar_engine::{Connection, Row};

/// One row of the version table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRevision {
    /// The revision's id.
    pub revision: String,
    /// The checksum recorded: of the whole file once complete; while dirty, of the steps
    /// done (see docs/migrations/applying.md).
    pub checksum: String,
    /// When it was applied (started), RFC 3339 UTC, by the database's clock.
    pub applied_at: String,
    /// How long applying it took, in milliseconds (0 for a stamp or an offline script).
    pub duration_ms: i64,
    /// How many up steps are done.
    pub steps_done: i64,
    /// How many up steps the revision has.
    pub steps_total: i64,
    /// Whether every step is done; `false` is the dirty state.
    pub complete: bool,
}

impl AppliedRevision {
    /// Whether the revision stopped part-way (dirty at step `steps_done`).
    pub fn is_dirty(&self) -> bool {
        !self.complete
    }
}

/// The version table's name and the SQL for it on one dialect.
#[derive(Debug, Clone)]
pub(crate) struct VersionTable {
    name: String,
}

const COLUMNS: [&str; 7] = [
    "revision",
    "checksum",
    "applied_at",
    "duration_ms",
    "steps_done",
    "steps_total",
    "complete",
];

impl VersionTable {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        VersionTable { name: name.into() }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The table as a core value, for its DDL.
    pub(crate) fn table(&self) -> Table {
        Table::new(self.name.clone())
            .column(Column::new("revision", SqlType::Text(Some(64))).primary_key())
            .column(Column::new("checksum", SqlType::Text(Some(64))).custom_type("CHAR(64)"))
            .column(Column::new("applied_at", SqlType::Text(Some(40))))
            .column(Column::new("duration_ms", SqlType::BigInt))
            .column(Column::new("steps_done", SqlType::Integer))
            .column(Column::new("steps_total", SqlType::Integer))
            .column(Column::new("complete", SqlType::Boolean))
    }

    /// `CREATE TABLE IF NOT EXISTS ...`.
    pub(crate) fn create_sql(&self, d: &dyn Dialect) -> Result<String> {
        compile_ddl(
            d,
            &Ddl::CreateTable(CreateTable {
                table: self.table(),
                if_not_exists: true,
            }),
        )
    }

    fn quoted(&self, d: &dyn Dialect) -> Result<String> {
        check_identifier(d, &self.name, "table")?;
        let mut s = String::new();
        d.quote_identifier(&mut s, &self.name);
        Ok(s)
    }

    fn column_list(d: &dyn Dialect) -> String {
        let mut s = String::new();
        for (i, c) in COLUMNS.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            d.quote_identifier(&mut s, c);
        }
        s
    }

    fn now(d: &dyn Dialect) -> Result<&'static str> {
        d.utc_now_text_sql().ok_or_else(|| {
            Error::unsupported(format!(
                "the {} dialect has no expression for the current UTC time, which the \
                 migrations version table records",
                d.name()
            ))
        })
    }

    /// `SELECT <columns> FROM t [WHERE revision = ?]`.
    fn select_sql(&self, d: &dyn Dialect, one: bool) -> Result<String> {
        let mut s = format!("SELECT {} FROM {}", Self::column_list(d), self.quoted(d)?);
        if one {
            s.push_str(" WHERE ");
            d.quote_identifier(&mut s, "revision");
            s.push_str(" = ");
            d.write_placeholder(&mut s, 1);
        }
        Ok(s)
    }

    /// `INSERT INTO t (...) VALUES (?, ?, <now>, ?, ?, ?, ?)`, or with the values given as
    /// literals when `literals` is set (offline scripts).
    pub(crate) fn insert_sql(
        &self,
        d: &dyn Dialect,
        literals: Option<&Literals>,
    ) -> Result<String> {
        let mut s = format!(
            "INSERT INTO {} ({}) VALUES (",
            self.quoted(d)?,
            Self::column_list(d)
        );
        match literals {
            None => {
                d.write_placeholder(&mut s, 1);
                s.push_str(", ");
                d.write_placeholder(&mut s, 2);
                s.push_str(", ");
                s.push_str(Self::now(d)?);
                for n in 3..=6 {
                    s.push_str(", ");
                    d.write_placeholder(&mut s, n);
                }
            }
            Some(l) => {
                s.push_str(&string_literal(&l.revision)?);
                s.push_str(", ");
                s.push_str(&string_literal(&l.checksum)?);
                s.push_str(", ");
                s.push_str(Self::now(d)?);
                s.push_str(&format!(
                    ", 0, {}, {}, {}",
                    l.steps_done,
                    l.steps_total,
                    bool_literal(l.complete)
                ));
            }
        }
        s.push(')');
        Ok(s)
    }

    /// `UPDATE t SET checksum = ?, duration_ms = ?, steps_done = ?, steps_total = ?, complete
    /// = ? WHERE revision = ?`, or with literals (duration 0). `steps_total` too: a dirty
    /// revision may gain steps before it is resumed.
    pub(crate) fn update_sql(
        &self,
        d: &dyn Dialect,
        literals: Option<&Literals>,
    ) -> Result<String> {
        let mut s = format!("UPDATE {} SET ", self.quoted(d)?);
        let set = [
            "checksum",
            "duration_ms",
            "steps_done",
            "steps_total",
            "complete",
        ];
        for (i, c) in set.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            d.quote_identifier(&mut s, c);
            s.push_str(" = ");
            match literals {
                None => d.write_placeholder(&mut s, i + 1),
                Some(l) => s.push_str(&match *c {
                    "checksum" => string_literal(&l.checksum)?,
                    "duration_ms" => "0".to_owned(),
                    "steps_done" => l.steps_done.to_string(),
                    "steps_total" => l.steps_total.to_string(),
                    _ => bool_literal(l.complete).to_owned(),
                }),
            }
        }
        s.push_str(" WHERE ");
        d.quote_identifier(&mut s, "revision");
        s.push_str(" = ");
        match literals {
            None => d.write_placeholder(&mut s, 6),
            Some(l) => s.push_str(&string_literal(&l.revision)?),
        }
        Ok(s)
    }

    /// `DELETE FROM t WHERE revision = ?` (or the literal).
    pub(crate) fn delete_sql(&self, d: &dyn Dialect, literal: Option<&str>) -> Result<String> {
        let mut s = format!("DELETE FROM {} WHERE ", self.quoted(d)?);
        d.quote_identifier(&mut s, "revision");
        s.push_str(" = ");
        match literal {
            None => d.write_placeholder(&mut s, 1),
            Some(id) => s.push_str(&string_literal(id)?),
        }
        Ok(s)
    }

    /// Creates the table when it is absent, in a write transaction (on SQLite that is the
    /// write lock, so two processes never race on it).
    pub(crate) fn ensure(&self, conn: &mut Connection, guard: &TxGuard) -> Result<()> {
        let sql = self.create_sql(conn.dialect())?;
        conn.transaction(|c| {
            guard.enter(c)?;
            c.execute_script(&sql)
        })
    }

    /// Every row, in no particular order.
    pub(crate) fn read_all(&self, conn: &mut Connection) -> Result<Vec<AppliedRevision>> {
        let sql = self.select_sql(conn.dialect(), false)?;
        self.read(conn, &sql, &[])
    }

    /// The row of `revision`, if any.
    pub(crate) fn read_one(
        &self,
        conn: &mut Connection,
        revision: &str,
    ) -> Result<Option<AppliedRevision>> {
        let sql = self.select_sql(conn.dialect(), true)?;
        Ok(self
            .read(conn, &sql, &[ValueRef::Text(revision)])?
            .into_iter()
            .next())
    }

    fn read(
        &self,
        conn: &mut Connection,
        sql: &str,
        params: &[ValueRef<'_>],
    ) -> Result<Vec<AppliedRevision>> {
        let mut out = Vec::new();
        let table = self.name.clone();
        conn.run(
            sql,
            params,
            Some(&mut |row: &dyn Row| {
                out.push(decode(row).map_err(|e| e.context(format!("reading {table}")))?);
                Ok(())
            }),
        )?;
        Ok(out)
    }

    /// Inserts the row of a revision being started (or stamped).
    pub(crate) fn insert(&self, conn: &mut Connection, row: &Literals) -> Result<()> {
        let sql = self.insert_sql(conn.dialect(), None)?;
        let steps_done = count(row.steps_done, "steps_done")?;
        let steps_total = count(row.steps_total, "steps_total")?;
        let params = [
            ValueRef::Text(&row.revision),
            ValueRef::Text(&row.checksum),
            ValueRef::Int(0),
            ValueRef::Int(steps_done),
            ValueRef::Int(steps_total),
            ValueRef::Bool(row.complete),
        ];
        conn.run(&sql, &params, None)?;
        Ok(())
    }

    /// Records progress (or completion) of a revision.
    pub(crate) fn update(
        &self,
        conn: &mut Connection,
        row: &Literals,
        duration_ms: i64,
    ) -> Result<()> {
        let sql = self.update_sql(conn.dialect(), None)?;
        let params = [
            ValueRef::Text(&row.checksum),
            ValueRef::Int(duration_ms),
            ValueRef::Int(count(row.steps_done, "steps_done")?),
            ValueRef::Int(count(row.steps_total, "steps_total")?),
            ValueRef::Bool(row.complete),
            ValueRef::Text(&row.revision),
        ];
        let n = conn.run(&sql, &params, None)?;
        if n != 1 {
            return Err(Error::misuse(format!(
                "the version table {} has no row for revision {} to update (was it removed \
                 while the migration ran?)",
                self.name, row.revision
            )));
        }
        Ok(())
    }

    /// Removes a revision's row.
    pub(crate) fn delete(&self, conn: &mut Connection, revision: &str) -> Result<()> {
        let sql = self.delete_sql(conn.dialect(), None)?;
        conn.run(&sql, &[ValueRef::Text(revision)], None)?;
        Ok(())
    }

    /// The statement that begins a revision's transaction (offline scripts).
    pub(crate) fn begin_sql(d: &dyn Dialect) -> &'static str {
        d.begin_sql(BeginMode::Immediate)
    }
}

/// The values of a row being written.
#[derive(Debug, Clone)]
pub(crate) struct Literals {
    pub(crate) revision: String,
    pub(crate) checksum: String,
    pub(crate) steps_done: usize,
    pub(crate) steps_total: usize,
    pub(crate) complete: bool,
}

fn count(n: usize, what: &str) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::conversion(format!("{what} {n} does not fit a BIGINT")))
}

fn decode(row: &dyn Row) -> Result<AppliedRevision> {
    use cinnabar_engine::get_at;
    Ok(AppliedRevision {
        revision: get_at(row, 0, "revision")?,
        checksum: text_trimmed(row, 1, "checksum")?,
        applied_at: get_at(row, 2, "applied_at")?,
        duration_ms: get_at(row, 3, "duration_ms")?,
        steps_done: get_at(row, 4, "steps_done")?,
        steps_total: get_at(row, 5, "steps_total")?,
        complete: get_at(row, 6, "complete")?,
    })
}

/// A CHAR column comes back padded on some servers.
fn text_trimmed(row: &dyn Row, i: usize, what: &str) -> Result<String> {
    let s: String = cinnabar_engine::get_at(row, i, what)?;
    Ok(s.trim_end().to_owned())
}

/// A string literal for an offline script. Revision ids and checksums are plain ASCII, and
/// anything else is refused rather than escaped, so the literal means the same on every
/// database (MySQL reads backslashes in literals as escapes).
pub(crate) fn string_literal(s: &str) -> Result<String> {
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    if !plain || s.is_empty() {
        return Err(Error::unsupported(format!(
            "{s:?} cannot be written into an offline SQL script: revision ids must be made of \
             ASCII letters, digits, '_', '-', '.' and ':'"
        )));
    }
    Ok(format!("'{s}'"))
}

fn bool_literal(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// Reads the first column of each row as an integer (`1` / `0` answers of lock queries).
pub(crate) fn first_int(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> Result<i64> {
    let mut got = None;
    conn.run(
        sql,
        params,
        Some(&mut |row: &dyn Row| {
            if got.is_none() {
                got = Some(match row.value(0)?.to_owned_value() {
                    Value::Int(i) => i,
                    Value::Bool(b) => i64::from(b),
                    Value::Null => 0,
                    other => {
                        return Err(Error::conversion(format!(
                            "expected an integer from the lock query, got {other:?}"
                        )))
                    }
                });
            }
            Ok(())
        }),
    )?;
    got.ok_or_else(|| {
        Error::new(
            cinnabar_core::ErrorKind::NoRow,
            "the lock query returned no row",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinnabar_core::dialect::{MySqlDialect, PostgresDialect, SqliteDialect};

    fn row() -> Literals {
        Literals {
            revision: "20260101000000".into(),
            checksum: "ab".repeat(32),
            steps_done: 1,
            steps_total: 3,
            complete: false,
        }
    }

    #[test]
    fn statements_quote_names_and_bind_values() {
        let v = VersionTable::new("cinnabar_migrations");
        assert_eq!(
            v.insert_sql(&PostgresDialect, None).unwrap(),
            "INSERT INTO \"cinnabar_migrations\" (\"revision\", \"checksum\", \"applied_at\", \
             \"duration_ms\", \"steps_done\", \"steps_total\", \"complete\") VALUES ($1, $2, \
             to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $3, $4, $5, $6)"
        );
        assert_eq!(
            v.update_sql(&MySqlDialect, None).unwrap(),
            "UPDATE `cinnabar_migrations` SET `checksum` = ?, `duration_ms` = ?, \
             `steps_done` = ?, `steps_total` = ?, `complete` = ? WHERE `revision` = ?"
        );
        assert_eq!(
            v.delete_sql(&SqliteDialect, Some("20260101000000"))
                .unwrap(),
            "DELETE FROM \"cinnabar_migrations\" WHERE \"revision\" = '20260101000000'"
        );
        assert_eq!(
            v.update_sql(&SqliteDialect, Some(&row())).unwrap(),
            format!(
                "UPDATE \"cinnabar_migrations\" SET \"checksum\" = '{}', \"duration_ms\" = 0, \
                 \"steps_done\" = 1, \"steps_total\" = 3, \"complete\" = FALSE WHERE \"revision\" = '20260101000000'",
                "ab".repeat(32)
            )
        );
        let create = v.create_sql(&MySqlDialect).unwrap();
        assert!(
            create.starts_with(
                "CREATE TABLE IF NOT EXISTS `cinnabar_migrations` (`revision` VARCHAR(64) NOT NULL, \
                 `checksum` CHAR(64) NOT NULL"
            ),
            "{create}"
        );
    }

    #[test]
    fn offline_literals_refuse_what_they_would_have_to_escape() {
        assert_eq!(string_literal("2026-01_a.b:c").unwrap(), "'2026-01_a.b:c'");
        for bad in ["", "it's", "a\\b", "a b", "é"] {
            let e = string_literal(bad).unwrap_err();
            assert_eq!(e.kind(), cinnabar_core::ErrorKind::Unsupported, "{bad:?}");
        }
        let long = VersionTable::new("x".repeat(70));
        assert_eq!(
            long.select_sql(&PostgresDialect, false).unwrap_err().kind(),
            cinnabar_core::ErrorKind::IdentifierTooLong
        );
    }
}
