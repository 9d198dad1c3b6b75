//! Running DDL: [`Connection::execute_ddl`] (what `Connection::execute` does with a
//! `Statement::Ddl`) and `create_all` / `drop_all` for a [`MetaData`], as SQLAlchemy's
//! `Base.metadata.create_all(engine)`: idempotent, in foreign-key dependency order, one
//! transaction, every statement a [`Ddl`] value compiled by the dialect
//! ([`compile_ddl`]) before the first one runs.

use cinnabar_core::dialect::{check_table, compile_ddl, Dialect};
use cinnabar_core::schema::{ForeignKey, MetaData};
use cinnabar_core::sql::{AlterAction, AlterTable, CreateIndex, CreateTable, Ddl, DropTable};
use cinnabar_core::{Result, ValueRef};

use crate::connection::Connection;
use crate::engine::Engine;
use crate::row::Row;

/// Schema operations on a [`MetaData`] against an engine.
pub trait MetaDataExt {
    /// Creates every table and index that does not exist yet, parents before children, with
    /// the tables' check constraints and named foreign keys; `use_alter` foreign keys are
    /// added once every table exists (where the database adds constraints with ALTER TABLE).
    ///
    /// # Errors
    /// An invalid table (naming it and the column), a name longer than the backend keeps
    /// ([`ErrorKind::IdentifierTooLong`](cinnabar_core::ErrorKind::IdentifierTooLong)) or
    /// holding a NUL byte (`Misuse`), a partial index on a database without them
    /// (`Unsupported`), all before any DDL runs; a foreign-key cycle, database errors.
    fn create_all(&self, engine: &Engine) -> Result<()>;

    /// Drops every table that exists, children before parents.
    ///
    /// # Errors
    /// A name the backend would truncate (`IdentifierTooLong`: dropping it would drop the
    /// truncated namesake), a foreign-key cycle, database errors.
    fn drop_all(&self, engine: &Engine) -> Result<()>;

    /// The DDL `create_all` runs, one statement per entry (on a database without
    /// `CREATE INDEX IF NOT EXISTS`, `create_all` skips an index the catalog already has, and
    /// it skips a `use_alter` foreign key that exists).
    ///
    /// # Errors
    /// As [`MetaDataExt::create_all`].
    fn create_all_sql(&self, engine: &Engine) -> Result<Vec<String>>;

    /// Adds the tables of `engine`'s database as reflection reads them (all of them, or
    /// those named in `only`), replacing tables of the same name: SQLAlchemy's
    /// `MetaData.reflect`. See [`Inspector`](crate::Inspector).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming a table of `only` the
    /// database does not have; `Unsupported` when the dialect cannot be reflected; database
    /// errors.
    fn reflect(&mut self, engine: &Engine, only: Option<&[&str]>) -> Result<()>;
}

impl MetaDataExt for MetaData {
    fn reflect(&mut self, engine: &Engine, only: Option<&[&str]>) -> Result<()> {
        crate::reflection::reflect_into(self, engine, only)
    }

    fn create_all_sql(&self, engine: &Engine) -> Result<Vec<String>> {
        let d = engine.dialect();
        compile_all(d, &create_all_statements(self, d)?)
    }

    fn create_all(&self, engine: &Engine) -> Result<()> {
        let d = engine.dialect();
        let statements = create_all_statements(self, d)?;
        let compiled = compile_all(d, &statements)?;
        engine.begin(|conn: &mut Connection| {
            for (ddl, sql) in statements.iter().zip(&compiled) {
                if let Ddl::AlterTable(AlterTable {
                    table,
                    action: AlterAction::AddForeignKey(fk),
                }) = ddl
                {
                    if foreign_key_exists(conn, d, table, fk)? {
                        continue;
                    }
                }
                conn.run_ddl(ddl, sql)?;
            }
            Ok(())
        })
    }

    fn drop_all(&self, engine: &Engine) -> Result<()> {
        let d = engine.dialect();
        let mut tables = self.sorted_tables()?;
        tables.reverse();
        for table in &tables {
            check_table(d, table)?;
        }
        // Foreign keys that close a cycle go first, each where it exists.
        let mut alter_fks = Vec::new();
        if d.alter_add_foreign_key() {
            for t in &tables {
                for fk in t.foreign_keys.iter().filter(|f| f.use_alter) {
                    let ddl = Ddl::from(AlterTable::new(
                        t.name.clone(),
                        AlterAction::DropForeignKey(fk.constraint_name(&t.name)),
                    ));
                    let sql = compile_ddl(d, &ddl)?;
                    alter_fks.push((t.name.as_str(), fk, ddl, sql));
                }
            }
        }
        let drops = tables
            .iter()
            .map(|t| {
                let ddl = Ddl::from(DropTable {
                    name: t.name.clone(),
                    if_exists: true,
                });
                compile_ddl(d, &ddl).map(|sql| (ddl, sql))
            })
            .collect::<Result<Vec<_>>>()?;
        engine.begin(|conn: &mut Connection| {
            if let Some(sql) = d.drop_all_prelude() {
                conn.execute_script(sql)?;
            }
            for (table, fk, ddl, sql) in &alter_fks {
                if foreign_key_exists(conn, d, table, fk)? {
                    conn.run_ddl(ddl, sql)?;
                }
            }
            for (ddl, sql) in &drops {
                conn.run_ddl(ddl, sql)?;
            }
            Ok(())
        })
    }
}

/// The statements of `create_all`, each table validated and its names checked first:
/// CREATE TABLE IF NOT EXISTS and its indexes per table in dependency order, then the
/// `use_alter` foreign keys.
fn create_all_statements(md: &MetaData, d: &dyn Dialect) -> Result<Vec<Ddl>> {
    let tables = md.sorted_tables()?;
    for table in &tables {
        table.validate()?;
        check_table(d, table)?;
    }
    let mut out = Vec::new();
    for table in &tables {
        out.push(Ddl::from(CreateTable {
            table: (**table).clone(),
            if_not_exists: true,
        }));
        for index in table.all_indexes() {
            out.push(Ddl::from(CreateIndex {
                table: table.name.clone(),
                index,
                if_not_exists: true,
            }));
        }
    }
    if d.alter_add_foreign_key() {
        for table in &tables {
            for fk in table.foreign_keys.iter().filter(|f| f.use_alter) {
                out.push(Ddl::from(AlterTable::new(
                    table.name.clone(),
                    AlterAction::AddForeignKey(fk.clone()),
                )));
            }
        }
    }
    Ok(out)
}

/// Each statement compiled, so that no DDL runs when one of them cannot be.
fn compile_all(d: &dyn Dialect, statements: &[Ddl]) -> Result<Vec<String>> {
    statements.iter().map(|s| compile_ddl(d, s)).collect()
}

impl Connection {
    /// Executes a DDL statement (what [`Connection::execute`] does with a
    /// `Statement::Ddl`). Where the dialect cannot write `IF NOT EXISTS` on CREATE INDEX or
    /// `IF EXISTS` on DROP INDEX (MySQL), the catalog is asked first and the statement skipped
    /// when the index already exists (or does not), so the request is honoured on every
    /// backend. Runs as a script: DDL never enters the prepared-statement cache.
    ///
    /// Note that MySQL and MariaDB commit the open transaction at each DDL statement;
    /// PostgreSQL and SQLite run DDL inside it.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> cinnabar_core::Result<()> {
    /// use cinnabar_core::schema::{Column, Table};
    /// use cinnabar_core::sql::{AlterAction, AlterTable, CreateTable};
    /// use cinnabar_core::types::SqlType;
    /// use cinnabar_core::ErrorKind;
    ///
    /// let engine = cinnabar_engine::create_engine("sqlite://")?;
    /// let mut conn = engine.connect()?;
    /// let table = Table::new("people").column(Column::new("age", SqlType::Integer));
    /// conn.execute(CreateTable { table, if_not_exists: true })?;
    /// conn.execute(AlterTable::new(
    ///     "people",
    ///     AlterAction::RenameColumn { from: "age".into(), to: "years".into() },
    /// ))?;
    /// // SQLite cannot drop a constraint with ALTER TABLE: a typed error, nothing sent.
    /// let e = conn
    ///     .execute(AlterTable::new("people", AlterAction::DropCheck("ck_people_1".into())))
    ///     .unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Unsupported);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
    /// ```
    ///
    /// # Errors
    /// As [`compile_ddl`] (`Unsupported` for a form the database lacks, naming the table and
    /// what was asked), then database errors.
    pub fn execute_ddl(&mut self, ddl: &Ddl) -> Result<()> {
        let sql = compile_ddl(self.dialect(), ddl)?;
        self.run_ddl(ddl, &sql)
    }

    /// Runs `sql`, the compiled `ddl`, honouring an index's IF [NOT] EXISTS through the
    /// catalog where the dialect cannot write it.
    fn run_ddl(&mut self, ddl: &Ddl, sql: &str) -> Result<()> {
        if let Some(q) = self.dialect().index_exists_sql() {
            let skip = match ddl {
                Ddl::CreateIndex(s) if s.if_not_exists => exists(self, q, &s.table, &s.index.name)?,
                Ddl::DropIndex(s) if s.if_exists => !exists(self, q, &s.table, &s.name)?,
                _ => false,
            };
            if skip {
                return Ok(());
            }
        }
        self.execute_script(sql)
    }
}

/// Whether the foreign key `fk` of `table` exists (never, where the dialect has no query).
fn foreign_key_exists(
    conn: &mut Connection,
    d: &dyn Dialect,
    table: &str,
    fk: &ForeignKey,
) -> Result<bool> {
    match d.foreign_key_exists_sql() {
        Some(q) => exists(conn, q, table, &fk.constraint_name(table)),
        None => Ok(false),
    }
}

/// Whether the catalog query `q`, given a table and an object name, returns a row.
fn exists(conn: &mut Connection, q: &str, table: &str, name: &str) -> Result<bool> {
    let params = [ValueRef::Text(table), ValueRef::Text(name)];
    let mut found = false;
    conn.run(
        q,
        &params,
        Some(&mut |_row: &dyn Row| {
            found = true;
            Ok(())
        }),
    )?;
    Ok(found)
}
