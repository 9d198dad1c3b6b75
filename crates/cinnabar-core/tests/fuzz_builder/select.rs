//! SELECT: select lists with aliases, FROM a table, an aliased table or a derived table,
//! joins of every kind, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT/OFFSET, DISTINCT and row
//! locks, all through the `Select` builder. Refused with `Misuse`: JOIN without FROM, and
//! FOR UPDATE on a set operation's operand (a subquery, CTE or derived table may lock).

use cinnabar_core::sql::{Expr, Expression, JoinKind, RowLock, Select, TableRef, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::collection::SizeRange;
use proptest::prelude::*;

use super::hostile;
use super::Gen;

/// A table, an aliased table, or (when `sub` is given) a derived table.
fn table_ref(sub: Option<BoxedStrategy<Gen<Select>>>) -> BoxedStrategy<Gen<TableRef>> {
    let plain = hostile::name()
        .prop_map(|t| Gen::new(move |ctx| TableRef::new(ctx.ident(&t))))
        .boxed();
    let aliased = (hostile::name(), hostile::name())
        .prop_map(|(t, a)| {
            Gen::new(move |ctx| {
                let t = ctx.ident(&t);
                TableRef::aliased(t, ctx.ident(&a))
            })
        })
        .boxed();
    match sub {
        None => prop_oneof![2 => plain, 1 => aliased].boxed(),
        Some(sub) => {
            let derived = (sub, hostile::name()).prop_map(|(s, a)| {
                Gen::new(move |ctx| {
                    let s = s.build(ctx);
                    TableRef::subquery(s, ctx.ident(&a))
                })
            });
            prop_oneof![4 => plain, 2 => aliased, 1 => derived].boxed()
        }
    }
}

fn limit() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![
        4 => Just(None),
        2 => (0u64..1000).prop_map(Some),
        1 => prop::sample::select(vec![0, 1, u64::MAX, i64::MAX as u64 + 1]).prop_map(Some),
    ]
}

fn lock() -> impl Strategy<Value = Option<RowLock>> {
    prop_oneof![
        6 => Just(None),
        1 => prop::sample::select(vec![RowLock::Wait, RowLock::NoWait, RowLock::SkipLocked])
            .prop_map(Some),
    ]
}

/// A SELECT whose FROM and joins name tables, or a set operation over such SELECTs (used
/// inside expressions, derived tables and CTEs).
pub(crate) fn simple(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Select>> {
    prop_oneof![
        5 => build(e.clone(), None, None),
        1 => super::compound::strategy(e),
    ]
    .boxed()
}

/// A SELECT of exactly `width` columns (operands of set operations, INSERT ... SELECT).
pub(crate) fn with_width(e: BoxedStrategy<Gen<Expr>>, width: usize) -> BoxedStrategy<Gen<Select>> {
    build(e, None, Some(width))
}

/// A SELECT whose FROM and joins may also be derived tables.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Select>> {
    let sub = simple(e.clone());
    build(e, Some(sub), None)
}

fn build(
    e: BoxedStrategy<Gen<Expr>>,
    sub: Option<BoxedStrategy<Gen<Select>>>,
    width: Option<usize>,
) -> BoxedStrategy<Gen<Select>> {
    let width: SizeRange = match width {
        Some(w) => (w..=w).into(),
        None => (0..4).into(),
    };
    let opt_name = prop::option::weighted(0.3, hostile::name());
    let kinds = prop::sample::select(vec![JoinKind::Inner, JoinKind::Left, JoinKind::Right]);
    let head = (
        prop::collection::vec((e.clone(), opt_name), width),
        prop::option::weighted(0.9, table_ref(sub.clone())),
        prop::collection::vec((kinds, table_ref(sub), e.clone()), 0..3),
        prop::option::of(e.clone()),
        any::<bool>(),
    );
    let tail = (
        prop::collection::vec(e.clone(), 0..3),
        prop::option::weighted(0.3, e.clone()),
        prop::collection::vec((e, any::<bool>()), 0..3),
        limit(),
        limit(),
        lock(),
        prop::bool::weighted(0.9),
    );
    (head, tail)
        .prop_map(|(head, tail)| {
            let (columns, from, joins, filter, distinct) = head;
            let (group_by, having, order_by, limit, offset, lock, dodge) = tail;
            Gen::new(move |ctx| {
                // Taken before anything nested is built: it is this SELECT's own.
                let operand = std::mem::take(&mut ctx.set_operand);
                ctx.in_select(|ctx| {
                    let mut s = match &from {
                        Some(t) => Select {
                            from: Some(t.build(ctx)),
                            ..Select::default()
                        },
                        None => Select::default(),
                    };
                    for (x, alias) in &columns {
                        let x = x.build(ctx);
                        s = match alias {
                            Some(a) => s.column_as(x, ctx.ident(a)),
                            None => s.column(x),
                        };
                    }
                    // `dodge`: most selects without FROM take no JOIN, and most operands of
                    // set operations no FOR UPDATE (both refused), so most still compile.
                    let joins = if s.from.is_none() && dodge {
                        &[][..]
                    } else {
                        &joins[..]
                    };
                    for (kind, t, on) in joins {
                        let t = t.build(ctx);
                        s = s.join(*kind, t, ctx.in_clause("JOIN ... ON", |c| on.build(c)));
                    }
                    if let Some(f) = &filter {
                        s = s.filter(ctx.in_clause("WHERE", |c| f.build(c)));
                    }
                    for g in &group_by {
                        s = s.group_by(ctx.in_clause("GROUP BY", |c| g.build(c)));
                    }
                    if let Some(h) = &having {
                        s = s.having(ctx.in_clause("HAVING", |c| h.build(c)));
                    }
                    for (o, desc) in &order_by {
                        let o = TypedExpr::<kind::Text>::from_expr(o.build(ctx));
                        s = s.order_by(if *desc { o.desc() } else { o.asc() });
                    }
                    if let Some(n) = limit {
                        s = s.limit(n);
                    }
                    if let Some(n) = offset {
                        s = s.offset(n);
                    }
                    if distinct {
                        s = s.distinct();
                    }
                    if let Some(l) = lock.filter(|_| !operand || !dodge) {
                        if operand {
                            ctx.refuse(
                                ErrorKind::Misuse,
                                |_| true,
                                "FOR UPDATE on a set operation's operand",
                            );
                        }
                        s = s.for_update(l);
                    }
                    if s.from.is_none() && !s.joins.is_empty() {
                        ctx.refuse(ErrorKind::Misuse, |_| true, "JOIN without FROM");
                    }
                    s
                })
            })
        })
        .boxed()
}
