//! [`ShapeKey`]: a query's shape as a few integers, for the common queries of one model (its
//! table alone, `filter`s comparing its columns with values, `LIMIT`/`OFFSET`). It keys the
//! query's SQL text in the model's registry without writing the statement out as text
//! (`crate::load::load_query`; any other query keeps the text key of `compile_key_into`).
//!
//! Two queries with the same key compile to the same SQL: the key holds everything the SQL
//! text depends on (which form the filter takes, each comparison's column and operator, the
//! LIMIT and OFFSET numbers, which are written into the text), and the values, which only
//! the bound parameters depend on, are collected in the order the compiler binds them.

use cinnabar_core::sql::{BinOp, ColumnRef, Expr, Select, TableRef};
use cinnabar_core::{Value, ValueRef};

use crate::model::Model;

/// Comparisons a key holds at most (a query with more takes the text key).
const MAX_TERMS: usize = 6;

/// A query's shape; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ShapeKey {
    /// LIMIT + 1 (0: none), OFFSET + 1 (0: none), the filter's form (0 none, 1 one
    /// comparison, 2 a conjunction), then per comparison `column << 8 | operator`.
    words: [u64; 3 + MAX_TERMS],
}

impl ShapeKey {
    /// The key of `select`, a query of `T` without its select list, pushing the values it
    /// binds onto `params`; `None` (and `params` as it was) for any other shape.
    pub(crate) fn of<'a, T: Model>(
        select: &'a Select,
        params: &mut Vec<ValueRef<'a>>,
    ) -> Option<ShapeKey> {
        // Destructured in full, so that a new part of a SELECT cannot go unseen here.
        let Select {
            columns,
            from,
            joins,
            filter,
            group_by,
            having,
            order_by,
            limit,
            offset,
            distinct,
            lock,
            with,
            compound,
        } = select;
        if !columns.is_empty()
            || !with.is_empty()
            || compound.is_some()
            || !joins.is_empty()
            || !group_by.is_empty()
            || having.is_some()
            || !order_by.is_empty()
            || *distinct
            || lock.is_some()
        {
            return None;
        }
        let TableRef {
            name,
            alias,
            subquery,
        } = from.as_ref()?;
        if alias.is_some() || subquery.is_some() || name.as_ref() != T::table().name.as_str() {
            return None;
        }
        let mut words = [0u64; 3 + MAX_TERMS];
        words[0] = plus_one(*limit)?;
        words[1] = plus_one(*offset)?;
        let start = params.len();
        let ok = match filter {
            None => true,
            Some(Expr::And(terms)) if !terms.is_empty() && terms.len() <= MAX_TERMS => {
                words[2] = 2;
                terms
                    .iter()
                    .enumerate()
                    .all(|(i, t)| term::<T>(t, &mut words[3 + i], params))
            }
            Some(t) => {
                words[2] = 1;
                term::<T>(t, &mut words[3], params)
            }
        };
        if !ok {
            params.truncate(start);
            return None;
        }
        Some(ShapeKey { words })
    }

    /// The key [`ShapeKey::of`] gives the `Select` a compact query
    /// ([`Compact`](super::compact::Compact)) stands for: `terms` (column index, operator)
    /// ANDed in order, then LIMIT and OFFSET. `None` where `of` has none (an operator other
    /// than a comparison, too many terms, a LIMIT of `u64::MAX`).
    pub(crate) fn of_terms(
        terms: impl ExactSizeIterator<Item = (usize, BinOp)>,
        limit: Option<u64>,
        offset: Option<u64>,
    ) -> Option<ShapeKey> {
        let n = terms.len();
        if n > MAX_TERMS {
            return None;
        }
        let mut words = [0u64; 3 + MAX_TERMS];
        words[0] = plus_one(limit)?;
        words[1] = plus_one(offset)?;
        // One filter is the comparison itself, several a conjunction (`Select::add_filter`).
        words[2] = match n {
            0 => 0,
            1 => 1,
            _ => 2,
        };
        for (word, (column, op)) in words[3..].iter_mut().zip(terms) {
            *word = (column as u64) << 8 | op_code(&op)?;
        }
        Some(ShapeKey { words })
    }
}

/// The key's code of a comparison operator; `None` for any other.
fn op_code(op: &BinOp) -> Option<u64> {
    Some(match op {
        BinOp::Eq => 1,
        BinOp::Ne => 2,
        BinOp::Lt => 3,
        BinOp::Le => 4,
        BinOp::Gt => 5,
        BinOp::Ge => 6,
        _ => return None,
    })
}

fn plus_one(n: Option<u64>) -> Option<u64> {
    match n {
        None => Some(0),
        Some(n) => n.checked_add(1),
    }
}

/// One comparison `T.column <op> value` (a non-NULL value: a NULL one is written `IS NULL`)
/// into `word`, its value onto `params`.
fn term<'a, T: Model>(e: &'a Expr, word: &mut u64, params: &mut Vec<ValueRef<'a>>) -> bool {
    let Expr::Binary { op, left, right } = e else {
        return false;
    };
    let (Expr::Column(ColumnRef { table, name }), Expr::Value(v)) = (&**left, &**right) else {
        return false;
    };
    if matches!(v, Value::Null) || table.as_deref() != Some(T::table().name.as_str()) {
        return false;
    }
    let Some(op) = op_code(op) else {
        return false;
    };
    let Some(column) = T::COLUMNS.iter().position(|n| *n == name.as_ref()) else {
        return false;
    };
    *word = (column as u64) << 8 | op;
    params.push(v.as_ref());
    true
}
