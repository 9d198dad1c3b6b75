//! The statement writers: a SELECT core (select list, FROM, JOIN, WHERE, GROUP BY, HAVING,
//! ORDER BY, LIMIT, FOR UPDATE), INSERT (with ON CONFLICT), UPDATE, DELETE, RETURNING and raw
//! `text()`. WITH, set operations and INSERT ... SELECT are in `statements.rs`.

use super::Writer;
use crate::dialect::identifiers::check_with;
use crate::dialect::DmlKind;
use crate::error::{Error, Result};
use crate::sql::{
    Delete, Expr, Insert, JoinKind, OnConflict, OrderBy, Select, Text, TextPiece, Update,
};

impl<'a> Writer<'_, 'a> {
    pub(super) fn where_clause(&mut self, filter: &'a Option<Expr>) -> Result<()> {
        if let Some(f) = filter {
            self.sql.push_str(" WHERE ");
            self.expr_in("WHERE", f)?;
        }
        Ok(())
    }

    pub(super) fn order_by(&mut self, list: &'a [OrderBy]) -> Result<()> {
        for (i, o) in list.iter().enumerate() {
            self.sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            self.operand(&o.expr)?;
            if o.desc {
                self.sql.push_str(" DESC");
            }
        }
        Ok(())
    }

    pub(super) fn returning<S: AsRef<str>>(&mut self, kind: DmlKind, cols: &[S]) -> Result<()> {
        if cols.is_empty() {
            return Ok(());
        }
        if !self.d.supports_returning_in(kind) {
            return Err(self.returning_unsupported(kind));
        }
        self.sql.push_str(" RETURNING ");
        self.comma_idents(cols)
    }

    /// A SELECT core: everything but WITH and set operations (see `statements.rs`).
    pub(super) fn select_core(&mut self, s: &'a Select) -> Result<()> {
        if s.from.is_none() && !s.joins.is_empty() {
            return Err(Error::misuse(
                "a SELECT with JOIN but no FROM: give it the table the joins start from \
                 (Select::from / select_from)",
            ));
        }
        self.sql.push_str("SELECT ");
        if s.distinct {
            self.sql.push_str("DISTINCT ");
        }
        if s.columns.is_empty() {
            self.sql.push('*');
        }
        for (i, item) in s.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(&item.expr)?;
            if let Some(a) = &item.alias {
                self.sql.push_str(" AS ");
                self.ident(a, "alias")?;
            }
        }
        if let Some(from) = &s.from {
            self.sql.push_str(" FROM ");
            self.table_ref(from)?;
        }
        for j in &s.joins {
            self.sql.push_str(match j.kind {
                JoinKind::Inner => " JOIN ",
                JoinKind::Left => " LEFT OUTER JOIN ",
                JoinKind::Right => " RIGHT OUTER JOIN ",
            });
            self.table_ref(&j.table)?;
            self.sql.push_str(" ON ");
            self.expr_in("JOIN ... ON", &j.on)?;
        }
        self.where_clause(&s.filter)?;
        if !s.group_by.is_empty() {
            self.sql.push_str(" GROUP BY ");
            let outer = self.window_ban.replace("GROUP BY");
            self.exprs(&s.group_by)?;
            self.window_ban = outer;
        }
        if let Some(h) = &s.having {
            self.sql.push_str(" HAVING ");
            self.expr_in("HAVING", h)?;
        }
        self.order_by(&s.order_by)?;
        if s.limit.is_some() || s.offset.is_some() {
            self.d.write_limit_offset(self.sql, s.limit, s.offset);
        }
        if let Some(lock) = s.lock {
            self.d.write_row_lock(self.sql, lock);
        }
        Ok(())
    }

    pub(super) fn insert(&mut self, s: &'a Insert) -> Result<()> {
        self.sql.push_str("INSERT INTO ");
        self.ident(&s.table, "table")?;
        if let Some(query) = &s.select {
            self.insert_select(s, query)?;
        } else if s.columns.is_empty() {
            if s.rows.iter().any(|r| !r.is_empty()) {
                return Err(Error::misuse(format!(
                    "INSERT INTO {} has values but no columns",
                    s.table
                )));
            }
            self.sql.push_str(self.d.default_values_clause());
        } else {
            self.sql.push_str(" (");
            self.comma_idents(&s.columns)?;
            self.sql.push_str(") VALUES ");
            if s.rows.is_empty() {
                return Err(Error::misuse(format!(
                    "INSERT INTO {} has columns but no rows",
                    s.table
                )));
            }
            for (i, row) in s.rows.iter().enumerate() {
                if row.len() != s.columns.len() {
                    return Err(Error::misuse(format!(
                        "INSERT INTO {}: row {} has {} values for {} columns",
                        s.table,
                        i + 1,
                        row.len(),
                        s.columns.len()
                    )));
                }
                if i > 0 {
                    self.sql.push_str(", ");
                }
                self.sql.push('(');
                // No window function in VALUES (a subquery there may have one).
                let outer = self.window_ban.replace("INSERT ... VALUES");
                let result = self.exprs(row);
                self.window_ban = outer;
                result?;
                self.sql.push(')');
            }
        }
        self.on_conflict(s)?;
        self.returning(DmlKind::Insert, &s.returning)
    }

    pub(super) fn on_conflict(&mut self, s: &'a Insert) -> Result<()> {
        if let Some(oc) = &s.on_conflict {
            let (OnConflict::DoNothing { target } | OnConflict::Update { target, .. }) = oc;
            let updated = match oc {
                OnConflict::Update { columns, .. } => columns.as_slice(),
                OnConflict::DoNothing { .. } => &[],
            };
            for c in target.iter().chain(updated) {
                check_with(self.d, self.limit, c, "column")?;
            }
            match &s.select {
                Some(_) => self
                    .d
                    .write_on_conflict_after_select(self.sql, &s.table, oc, &s.columns)?,
                None => self.d.write_on_conflict(self.sql, oc, &s.columns)?,
            }
        }
        Ok(())
    }

    pub(super) fn update(&mut self, s: &'a Update) -> Result<()> {
        if s.set.is_empty() {
            return Err(Error::misuse(format!(
                "UPDATE {} has no SET assignments",
                s.table
            )));
        }
        self.sql.push_str("UPDATE ");
        self.ident(&s.table, "table")?;
        self.sql.push_str(" SET ");
        for (i, (col, e)) in s.set.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.ident(col, "column")?;
            self.sql.push_str(" = ");
            self.expr_in("UPDATE ... SET", e)?;
        }
        self.where_clause(&s.filter)?;
        self.returning(DmlKind::Update, &s.returning)
    }

    pub(super) fn delete(&mut self, s: &'a Delete) -> Result<()> {
        self.sql.push_str("DELETE FROM ");
        self.ident(&s.table, "table")?;
        self.where_clause(&s.filter)?;
        self.returning(DmlKind::Delete, &s.returning)
    }

    pub(super) fn text(&mut self, t: &'a Text) -> Result<()> {
        if let Some(e) = &t.error {
            return Err(Error::conversion(e.clone()));
        }
        for piece in crate::sql::text::pieces(&t.sql, self.d.lex_rules()) {
            match piece {
                TextPiece::Sql(s) => self.sql.push_str(s),
                TextPiece::Param(name) => {
                    let v = t.value_of(name)?;
                    self.bind(v);
                }
            }
        }
        Ok(())
    }
}
