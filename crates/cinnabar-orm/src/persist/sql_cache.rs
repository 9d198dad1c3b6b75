//! The flush's SQL text, compiled by the connection's dialect once per statement [`Shape`]
//! (which columns, how many rows) and kept per session and model in a [`SqlCache`]; and the
//! WHERE of one object's UPDATE or DELETE (`row_condition`).

use std::sync::Arc;

use cinnabar_core::dialect::compile;
use cinnabar_core::sql::{ColumnRef, Delete, Expr, Insert, Statement, Update};
use cinnabar_core::Result;
use cinnabar_engine::Connection;
use rustc_hash::FxHashMap;

use super::column_set::ColumnSet;
use crate::identity::Registry;
use crate::model::Model;

/// The shape of a flush statement: what its SQL text depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Shape {
    Insert {
        mask: ColumnSet,
        rows: usize,
        returning: bool,
    },
    Update {
        mask: ColumnSet,
    },
    Delete {
        rows: usize,
    },
    MaxKey,
}

/// Compiled flush statements by shape.
#[derive(Default)]
pub(crate) struct SqlCache(FxHashMap<Shape, Arc<str>>);

impl<T: Model> Registry<T> {
    /// The SQL text of `shape`, compiled at its first use.
    pub(super) fn cached_sql(&mut self, conn: &Connection, shape: Shape) -> Result<Arc<str>> {
        if let Some(s) = self.sql.0.get(&shape) {
            return Ok(s.clone());
        }
        let table = T::table();
        let cols = T::COLUMNS;
        let stmt: Statement = match &shape {
            Shape::Insert {
                mask,
                rows,
                returning,
            } => {
                let mut ins =
                    Insert::into(table.name.as_str()).columns(mask.iter().map(|i| cols[i]));
                ins = ins.param_rows(*rows);
                if *returning {
                    for i in (0..cols.len()).filter(|&i| !mask.contains(i)) {
                        ins = ins.returning(cols[i]);
                    }
                }
                ins.into()
            }
            Shape::Update { mask } => {
                let mut up = Update::table(table.name.as_str());
                for i in mask.iter() {
                    up = up.set(cols[i], Expr::Param);
                }
                up.filter(row_condition::<T>()).into()
            }
            Shape::MaxKey => {
                let k = T::GENERATED_KEY.unwrap_or(T::PRIMARY_KEY[0]);
                cinnabar_core::sql::Select::from(table.name.as_str())
                    .column(Expr::Func {
                        func: cinnabar_core::sql::Function::Max,
                        args: vec![Expr::Column(ColumnRef::bare(cols[k]))],
                        distinct: false,
                    })
                    .into()
            }
            Shape::Delete { rows } => {
                let cond = if *rows == 1 {
                    row_condition::<T>()
                } else {
                    let pk = T::PRIMARY_KEY[0];
                    Expr::InList {
                        expr: Box::new(Expr::Column(ColumnRef::bare(cols[pk]))),
                        list: vec![Expr::Param; *rows],
                        negated: false,
                    }
                };
                Delete::from(table.name.as_str()).filter(cond).into()
            }
        };
        let sql: Arc<str> = compile(conn.dialect(), &stmt)?.sql.into();
        self.sql.0.insert(shape, sql.clone());
        Ok(sql)
    }
}

/// `pk = ? [AND ...]`, and `AND version = ?` for a model with a version column: the WHERE
/// of the flush's UPDATE and DELETE of one object (parameters: the key, then the version).
fn row_condition<T: Model>() -> Expr {
    let conds: Vec<Expr> = T::PRIMARY_KEY
        .iter()
        .chain(T::VERSION.as_ref())
        .map(|&i| {
            Expr::Column(ColumnRef::bare(T::COLUMNS[i]))
                .binary(cinnabar_core::sql::BinOp::Eq, Expr::Param)
        })
        .collect();
    if conds.len() == 1 {
        conds.into_iter().next().unwrap_or(Expr::And(Vec::new()))
    } else {
        Expr::And(conds)
    }
}
