//! DDL rendering: CREATE TABLE, CREATE INDEX and DROP TABLE for any [`Dialect`].
//!
//! Used by `create_all`/`drop_all` in the engine. Server defaults are SQL written by the
//! schema's author and are emitted as written; everything else is quoted or typed.

use super::Dialect;
use crate::schema::{ForeignKey, Index, Table};

/// `CREATE TABLE [IF NOT EXISTS] ...` for `table`.
pub fn create_table(d: &dyn Dialect, table: &Table, if_not_exists: bool) -> String {
    let mut out = String::from("CREATE TABLE ");
    if if_not_exists {
        out.push_str("IF NOT EXISTS ");
    }
    d.quote_identifier(&mut out, &table.name);
    out.push_str(" (");
    let pk: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    let inline_pk = pk.len() == 1
        && table
            .columns
            .iter()
            .any(|c| c.primary_key && c.autoincrement);
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.quote_identifier(&mut out, &c.name);
        out.push(' ');
        if inline_pk && c.primary_key {
            out.push_str(&d.autoincrement_primary_key(c));
            continue;
        }
        let keyed = c.primary_key
            || c.unique
            || c.index
            || table.uniques.iter().any(|u| u.columns.contains(&c.name))
            || table.indexes.iter().any(|i| i.columns.contains(&c.name))
            || table
                .foreign_keys
                .iter()
                .any(|f| f.columns.contains(&c.name));
        out.push_str(&d.column_type(c, keyed));
        if !c.nullable || c.primary_key {
            out.push_str(" NOT NULL");
        }
        if let Some(def) = &c.server_default {
            out.push_str(" DEFAULT ");
            let simple = def
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-');
            if simple {
                out.push_str(def);
            } else {
                out.push('(');
                out.push_str(def);
                out.push(')');
            }
        }
    }
    if !pk.is_empty() && !inline_pk {
        out.push_str(", PRIMARY KEY (");
        push_idents(d, &mut out, &pk);
        out.push(')');
    }
    // A unique column is a table constraint, as SQLAlchemy writes it: the same index on
    // every database, and the form SQLite keeps in its schema text, where SQLAlchemy's
    // inspector (`get_unique_constraints`) looks for it.
    for c in table.columns.iter().filter(|c| c.unique && !c.primary_key) {
        out.push_str(", UNIQUE (");
        d.quote_identifier(&mut out, &c.name);
        out.push(')');
    }
    for u in &table.uniques {
        out.push_str(", ");
        if let Some(n) = &u.name {
            out.push_str("CONSTRAINT ");
            d.quote_identifier(&mut out, n);
            out.push(' ');
        }
        out.push_str("UNIQUE (");
        push_idents(d, &mut out, &u.columns);
        out.push(')');
    }
    for fk in &table.foreign_keys {
        if fk.use_alter && d.alter_add_foreign_key() {
            continue;
        }
        out.push_str(", ");
        push_foreign_key(d, &mut out, fk);
    }
    out.push(')');
    out.push_str(d.create_table_suffix());
    out
}

/// `ALTER TABLE <table> ADD CONSTRAINT fk_.. FOREIGN KEY ..`: a `use_alter` foreign key,
/// added after every table exists.
pub fn add_foreign_key(d: &dyn Dialect, table: &str, fk: &ForeignKey) -> String {
    let mut out = String::from("ALTER TABLE ");
    d.quote_identifier(&mut out, table);
    out.push_str(" ADD CONSTRAINT ");
    d.quote_identifier(&mut out, &fk.constraint_name(table));
    out.push(' ');
    push_foreign_key(d, &mut out, fk);
    out
}

/// Drops a `use_alter` foreign key (before its tables are dropped).
pub fn drop_foreign_key(d: &dyn Dialect, table: &str, fk: &ForeignKey) -> String {
    let mut out = String::from("ALTER TABLE ");
    d.quote_identifier(&mut out, table);
    out.push_str(d.drop_foreign_key_keyword());
    d.quote_identifier(&mut out, &fk.constraint_name(table));
    out
}

fn push_foreign_key(d: &dyn Dialect, out: &mut String, fk: &ForeignKey) {
    out.push_str("FOREIGN KEY (");
    push_idents(d, out, &fk.columns);
    out.push_str(") REFERENCES ");
    d.quote_identifier(out, &fk.ref_table);
    out.push_str(" (");
    push_idents(d, out, &fk.ref_columns);
    out.push(')');
    if let Some(a) = fk.on_delete {
        out.push_str(" ON DELETE ");
        out.push_str(a.as_sql());
    }
    if let Some(a) = fk.on_update {
        out.push_str(" ON UPDATE ");
        out.push_str(a.as_sql());
    }
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] ...` for `index` on `table`.
pub fn create_index(d: &dyn Dialect, table: &str, index: &Index, if_not_exists: bool) -> String {
    let mut out = String::from("CREATE ");
    if index.unique {
        out.push_str("UNIQUE ");
    }
    out.push_str("INDEX ");
    if if_not_exists && d.index_exists_sql().is_none() {
        out.push_str("IF NOT EXISTS ");
    }
    d.quote_identifier(&mut out, &index.name);
    out.push_str(" ON ");
    d.quote_identifier(&mut out, table);
    out.push_str(" (");
    push_idents(d, &mut out, &index.columns);
    out.push(')');
    out
}

/// `DROP TABLE [IF EXISTS] ...`.
pub fn drop_table(d: &dyn Dialect, table: &str, if_exists: bool) -> String {
    let mut out = String::from("DROP TABLE ");
    if if_exists {
        out.push_str("IF EXISTS ");
    }
    d.quote_identifier(&mut out, table);
    out
}

/// `"a", "b", "c"`: quoted identifiers separated by commas.
fn push_idents<S: AsRef<str>>(d: &dyn Dialect, out: &mut String, names: &[S]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        d.quote_identifier(out, name.as_ref());
    }
}
