//! Column definitions in DDL: the type name (a [`Column::custom_type`] verbatim, else the
//! dialect's name for the [`SqlType`](crate::types::SqlType)), NOT NULL and DEFAULT. Shared by
//! CREATE TABLE, ADD COLUMN and the dialects' ALTER COLUMN writers (MySQL's `MODIFY COLUMN`
//! restates the whole definition).

use crate::dialect::Dialect;
use crate::schema::Column;
use crate::sql::ColumnChange;

/// The type `column` is declared with on `d`: its
/// [`custom_type`](Column#structfield.custom_type) verbatim when set, else
/// [`Dialect::column_type`]. `keyed` says whether a key, index or constraint covers the
/// column (MySQL declares such an unbounded text column `VARCHAR(255)`).
pub(crate) fn column_type_name<D: Dialect + ?Sized>(d: &D, column: &Column, keyed: bool) -> String {
    match &column.custom_type {
        Some(t) => t.clone(),
        None => d.column_type(column, keyed),
    }
}

/// Writes ` DEFAULT <sql>`: a default made of letters, digits, `_`, `.` and `-` (a number,
/// a keyword such as `CURRENT_TIMESTAMP`) as written, anything else in parentheses (MySQL
/// accepts an expression default only so).
pub(crate) fn write_default(out: &mut String, sql: &str) {
    out.push_str(" DEFAULT ");
    let simple = sql
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-');
    if simple {
        out.push_str(sql);
    } else {
        out.push('(');
        out.push_str(sql);
        out.push(')');
    }
}

/// The definition after a column's name in CREATE TABLE and ADD COLUMN: type, `NOT NULL`
/// (a primary-key column is never nullable) and the server default.
pub(crate) fn column_definition<D: Dialect + ?Sized>(
    d: &D,
    column: &Column,
    keyed: bool,
) -> String {
    let mut out = column_type_name(d, column, keyed);
    if !column.nullable || column.primary_key {
        out.push_str(" NOT NULL");
    }
    if let Some(def) = &column.server_default {
        write_default(&mut out, def);
    }
    out
}

/// Whether the column's own flags put a key or index on it: what ALTER TABLE, which sees
/// one column without its table, knows about [`column_type_name`]'s `keyed`.
pub(crate) fn keyed_by_flags(column: &Column) -> bool {
    column.primary_key || column.unique || column.index
}

/// The ANSI spelling of [`Dialect::write_alter_column`] (its default, and what a dialect
/// overriding one change calls for the others): `ALTER COLUMN "c" SET DATA TYPE t`,
/// `ALTER COLUMN "c" SET NOT NULL` / `DROP NOT NULL`, `ALTER COLUMN "c" SET DEFAULT e` /
/// `DROP DEFAULT`.
pub(crate) fn write_alter_column_ansi<D: Dialect + ?Sized>(
    d: &D,
    out: &mut String,
    column: &Column,
    change: ColumnChange,
) {
    out.push_str("ALTER COLUMN ");
    d.quote_identifier(out, &column.name);
    match change {
        ColumnChange::Type => {
            out.push_str(" SET DATA TYPE ");
            out.push_str(&column_type_name(d, column, keyed_by_flags(column)));
        }
        ColumnChange::Nullability if column.nullable && !column.primary_key => {
            out.push_str(" DROP NOT NULL");
        }
        ColumnChange::Nullability => out.push_str(" SET NOT NULL"),
        ColumnChange::Default => match &column.server_default {
            Some(sql) => {
                out.push_str(" SET");
                write_default(out, sql);
            }
            None => out.push_str(" DROP DEFAULT"),
        },
    }
}
