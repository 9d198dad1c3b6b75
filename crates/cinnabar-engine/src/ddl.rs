//! `create_all` / `drop_all` for a [`MetaData`], as SQLAlchemy's `Base.metadata.create_all(engine)`:
//! idempotent, in foreign-key dependency order, one transaction, DDL rendered by the dialect.

use cinnabar_core::dialect::{
    add_foreign_key, check_table, create_index, create_table, drop_foreign_key, drop_table, Dialect,
};
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Result, ValueRef};

use crate::connection::Connection;
use crate::engine::Engine;
use crate::row::Row;

/// Schema operations on a [`MetaData`] against an engine.
pub trait MetaDataExt {
    /// Creates every table and index that does not exist yet, parents before children.
    ///
    /// # Errors
    /// An invalid table (naming it and the column), a name longer than the backend keeps
    /// ([`ErrorKind::IdentifierTooLong`](cinnabar_core::ErrorKind::IdentifierTooLong), before
    /// any DDL runs) or holding a NUL byte (`Misuse`), a foreign-key cycle, database errors.
    fn create_all(&self, engine: &Engine) -> Result<()>;

    /// Drops every table that exists, children before parents.
    ///
    /// # Errors
    /// A name the backend would truncate (`IdentifierTooLong`: dropping it would drop the
    /// truncated namesake), a foreign-key cycle, database errors.
    fn drop_all(&self, engine: &Engine) -> Result<()>;

    /// The DDL `create_all` runs, one statement per entry.
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
        let mut out = Vec::new();
        let tables = self.sorted_tables()?;
        for table in &tables {
            table.validate()?;
            check_table(d, table)?;
            out.push(create_table(d, table, true));
            for index in table.all_indexes() {
                out.push(create_index(d, &table.name, &index, true));
            }
        }
        if d.alter_add_foreign_key() {
            for table in &tables {
                for fk in table.foreign_keys.iter().filter(|f| f.use_alter) {
                    out.push(add_foreign_key(d, &table.name, fk));
                }
            }
        }
        Ok(out)
    }

    fn create_all(&self, engine: &Engine) -> Result<()> {
        let d = engine.dialect();
        let tables = self.sorted_tables()?;
        for table in &tables {
            table.validate()?;
            check_table(d, table)?;
        }
        engine.begin(|conn: &mut Connection| {
            for table in &tables {
                conn.execute_script(&create_table(d, table, true))?;
                for index in table.all_indexes() {
                    if let Some(q) = d.index_exists_sql() {
                        if exists(conn, q, &table.name, &index.name)? {
                            continue;
                        }
                    }
                    conn.execute_script(&create_index(d, &table.name, &index, true))?;
                }
            }
            // Foreign keys that close a cycle, once every table exists.
            if d.alter_add_foreign_key() {
                for table in &tables {
                    for fk in table.foreign_keys.iter().filter(|f| f.use_alter) {
                        if !foreign_key_exists(conn, d, &table.name, fk)? {
                            conn.execute_script(&add_foreign_key(d, &table.name, fk))?;
                        }
                    }
                }
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
        engine.begin(|conn: &mut Connection| {
            if let Some(sql) = d.drop_all_prelude() {
                conn.execute_script(sql)?;
            }
            if d.alter_add_foreign_key() {
                for t in &tables {
                    for fk in t.foreign_keys.iter().filter(|f| f.use_alter) {
                        if foreign_key_exists(conn, d, &t.name, fk)? {
                            conn.execute_script(&drop_foreign_key(d, &t.name, fk))?;
                        }
                    }
                }
            }
            for t in &tables {
                conn.execute_script(&drop_table(d, &t.name, true))?;
            }
            Ok(())
        })
    }
}

/// Whether the `use_alter` foreign key `fk` of `table` exists.
fn foreign_key_exists(
    conn: &mut Connection,
    d: &dyn Dialect,
    table: &str,
    fk: &cinnabar_core::schema::ForeignKey,
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
