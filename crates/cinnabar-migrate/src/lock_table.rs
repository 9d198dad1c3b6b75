//! The migration lock as a row of a lock table ([`MigrationLock::LockTable`]): where a
//! session's named lock does not exclude the other servers of the database (Galera's
//! `GET_LOCK` is local to a node), a row does, because rows are replicated and two servers
//! inserting the same key conflict. Used by [`LockedSession`](crate::lock::LockedSession).
//!
//! [`MigrationLock::LockTable`]: cinnabar_core::dialect::MigrationLock::LockTable

use std::time::{Duration, Instant};

use cinnabar_core::dialect::{check_identifier, compile_ddl, Dialect};
use cinnabar_core::schema::{Column, Table};
use cinnabar_core::sql::{CreateTable, Ddl};
use cinnabar_core::types::SqlType;
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use cinnabar_engine::{Connection, Row};

/// The lock row of one migration lock name: table `<name>_lock`, key `name`.
#[derive(Debug)]
pub(crate) struct LockRow {
    table: String,
    name: String,
    /// This run's identity, written in the row and required by the release.
    holder: String,
}

impl LockRow {
    /// The lock row for `name` (the version table's name), held as this process.
    pub(crate) fn new(name: &str) -> LockRow {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "an unknown host".to_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        LockRow {
            table: format!("{name}_lock"),
            name: name.to_owned(),
            holder: format!("process {} on {host} (run {nanos:x})", std::process::id()),
        }
    }

    fn quoted(&self, d: &dyn Dialect) -> Result<String> {
        check_identifier(d, &self.table, "table")?;
        let mut s = String::new();
        d.quote_identifier(&mut s, &self.table);
        Ok(s)
    }

    fn column(d: &dyn Dialect, name: &str) -> String {
        let mut s = String::new();
        d.quote_identifier(&mut s, name);
        s
    }

    fn placeholder(d: &dyn Dialect, n: usize) -> String {
        let mut s = String::new();
        d.write_placeholder(&mut s, n);
        s
    }

    /// `CREATE TABLE IF NOT EXISTS <name>_lock (name PRIMARY KEY, holder, acquired_at)`.
    fn create_sql(&self, d: &dyn Dialect) -> Result<String> {
        let table = Table::new(self.table.clone())
            .column(Column::new("name", SqlType::Text(Some(64))).primary_key())
            .column(Column::new("holder", SqlType::Text(Some(255))))
            .column(Column::new("acquired_at", SqlType::Text(Some(40))));
        compile_ddl(
            d,
            &Ddl::CreateTable(CreateTable {
                table,
                if_not_exists: true,
            }),
        )
    }

    /// Inserts the row, waiting up to `wait` while another run holds it; then the error
    /// names that run and says how to remove a row its process left behind.
    pub(crate) fn acquire(&self, conn: &mut Connection, wait: Duration) -> Result<()> {
        let d = conn.dialect();
        conn.execute_script(&self.create_sql(d)?)?;
        let now = d.utc_now_text_sql().ok_or_else(|| {
            Error::unsupported(format!(
                "the {} dialect has no expression for the current UTC time, which the lock row records",
                d.name()
            ))
        })?;
        let insert = format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ({}, {}, {now})",
            self.quoted(d)?,
            Self::column(d, "name"),
            Self::column(d, "holder"),
            Self::column(d, "acquired_at"),
            Self::placeholder(d, 1),
            Self::placeholder(d, 2),
        );
        let start = Instant::now();
        let mut pause = Duration::from_millis(25);
        loop {
            let params = [ValueRef::Text(&self.name), ValueRef::Text(&self.holder)];
            match conn.run(&insert, &params, None) {
                Ok(_) => return Ok(()),
                // Taken: the row is there, or another server inserted it at the same time
                // (a certification conflict on Galera).
                Err(e) if e.kind() == ErrorKind::UniqueViolation || d.is_retryable(&e) => {}
                Err(e) => return Err(e),
            }
            let waited = start.elapsed();
            if waited >= wait {
                let holder = self
                    .holder_of(conn)
                    .unwrap_or_else(|e| format!("(could not read the holder: {})", e.message()));
                return Err(Error::new(
                    ErrorKind::Busy,
                    format!(
                        "the migration lock {:?} (a row of table {}) was not free within {:.1} s; \
                         it is held by {holder}. Another migration is running: wait for it. If \
                         that process is gone, remove its row: DELETE FROM {} WHERE name = '{}'",
                        self.name,
                        self.table,
                        wait.as_secs_f64(),
                        self.table,
                        self.name.replace('\'', "''"),
                    ),
                ));
            }
            std::thread::sleep(pause.min(wait.saturating_sub(waited)));
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    /// Who holds it: the row's holder and since when, or `nobody` when it was just deleted.
    fn holder_of(&self, conn: &mut Connection) -> Result<String> {
        let d = conn.dialect();
        let sql = format!(
            "SELECT {}, {} FROM {} WHERE {} = {}",
            Self::column(d, "holder"),
            Self::column(d, "acquired_at"),
            self.quoted(d)?,
            Self::column(d, "name"),
            Self::placeholder(d, 1),
        );
        let mut found = None;
        conn.run(
            &sql,
            &[ValueRef::Text(&self.name)],
            Some(&mut |row: &dyn Row| {
                let holder = cinnabar_engine::get_at::<String>(row, 0, "holder")?;
                let since = cinnabar_engine::get_at::<String>(row, 1, "acquired_at")?;
                found = Some(format!("{holder} since {since}"));
                Ok(())
            }),
        )?;
        Ok(found.unwrap_or_else(|| "nobody any more (it was just released)".to_owned()))
    }

    /// Deletes the row if this run holds it; whether it did.
    pub(crate) fn release(&self, conn: &mut Connection) -> Result<bool> {
        let d = conn.dialect();
        let sql = format!(
            "DELETE FROM {} WHERE {} = {} AND {} = {}",
            self.quoted(d)?,
            Self::column(d, "name"),
            Self::placeholder(d, 1),
            Self::column(d, "holder"),
            Self::placeholder(d, 2),
        );
        let n = conn.run(
            &sql,
            &[ValueRef::Text(&self.name), ValueRef::Text(&self.holder)],
            None,
        )?;
        Ok(n == 1)
    }
}
