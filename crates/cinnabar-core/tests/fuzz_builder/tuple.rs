//! Row values: `(a, b) op (c, d)` (the `tuple(..)` builder and `Expr::Tuple`), `(a, b) [NOT]
//! IN ((..), ..)`, `(a, b) [NOT] IN (SELECT x, y ..)` and bare row values. Refused with
//! `Misuse`: widths that differ, an empty row value, an operator that is not a comparison, a
//! list entry that is not a row value; with `Unsupported` a row value the dialect cannot
//! write (`Dialect::supports_row_values`).
//!
//! [`row_refusals`] states the rules for a comparison where either side happens to be a row
//! value (`(a, b) + ?` and `(a, b) = ?` are refused); `compare.rs` and `arith.rs` call it
//! too. [`in_list_refusals`] does the same for IN lists (`predicates.rs`): `x IN ((a, b))`
//! is refused.

use cinnabar_core::sql::{tuple, BinOp, Expr, Expression, TypedExpr};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::{select, Ctx, Gen};

/// The number of values `e` stands for: a row value's width, else 1.
pub(crate) fn width(e: &Expr) -> usize {
    match e {
        Expr::Tuple(items) => items.len(),
        _ => 1,
    }
}

/// What the compile must refuse for `left op right` when either side is a row value: an
/// operator that is not a comparison; two row values of different widths (or empty); a row
/// value against anything but a row value or a subquery of its width.
/// Values handed out since `since` (the sides' own) may be bound more than once: a dialect
/// may expand the comparison to AND/OR.
pub(crate) fn row_refusals(ctx: &mut Ctx, op: BinOp, left: &Expr, right: &Expr, since: usize) {
    if !matches!(left, Expr::Tuple(_)) && !matches!(right, Expr::Tuple(_)) {
        return;
    }
    ctx.duplicable_since(since);
    let comparison = matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    );
    let widths_match = match (left, right) {
        (Expr::Tuple(l), Expr::Tuple(r)) => l.len() == r.len() && !l.is_empty(),
        (Expr::Tuple(row), Expr::Subquery(s)) | (Expr::Subquery(s), Expr::Tuple(row)) => {
            s.output_width() == Some(row.len())
        }
        _ => false,
    };
    if !comparison || !widths_match {
        ctx.refuse(
            ErrorKind::Misuse,
            |_| true,
            "row values of different widths or operator",
        );
    }
}

/// What the compile must refuse for `expr IN (list)` (a non-empty list): for a row value,
/// an entry that is not a row value of its width; for any other value, a row-value entry.
pub(crate) fn in_list_refusals(ctx: &mut Ctx, expr: &Expr, list: &[Expr]) {
    if list.is_empty() {
        return;
    }
    let refused = if matches!(expr, Expr::Tuple(_)) {
        let n = width(expr);
        n == 0
            || list
                .iter()
                .any(|r| !matches!(r, Expr::Tuple(_)) || width(r) != n)
    } else {
        list.iter().any(|r| matches!(r, Expr::Tuple(_)))
    };
    if refused {
        ctx.refuse(
            ErrorKind::Misuse,
            |_| true,
            "an IN list that does not match the row value",
        );
    }
}

/// A row value of `items`, refused when empty or where the dialect has none.
fn bare(ctx: &mut Ctx, items: Vec<Expr>) -> Expr {
    if items.is_empty() {
        ctx.refuse(ErrorKind::Misuse, |_| true, "an empty row value");
    }
    ctx.refuse(
        ErrorKind::Unsupported,
        |d| !d.supports_row_values(),
        "row values",
    );
    Expr::Tuple(items)
}

const OPS: &[BinOp] = &[
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
    BinOp::Add,
];

/// A row-value expression.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let row = prop::collection::vec(e.clone(), 0..4);
    // Mostly rows of one width (1 to 3), so most comparisons and lists compile; sometimes
    // rows of any widths, which must be refused.
    let of = |n: usize| prop::collection::vec(e.clone(), n..=n);
    let pair = prop_oneof![
        5 => (of(1), of(1)),
        5 => (of(2), of(2)),
        5 => (of(3), of(3)),
        1 => (row.clone(), row.clone()),
    ];
    let listed = prop_oneof![
        5 => (of(1), prop::collection::vec(of(1), 0..3)),
        5 => (of(2), prop::collection::vec(of(2), 0..3)),
        5 => (of(3), prop::collection::vec(of(3), 0..3)),
        1 => (row.clone(), prop::collection::vec(row.clone(), 0..3)),
    ];
    let queried = prop_oneof![
        5 => (of(1), select::with_width(e.clone(), 1)),
        5 => (of(2), select::with_width(e.clone(), 2)),
        5 => (of(3), select::with_width(e.clone(), 3)),
        1 => (row.clone(), select::simple(e.clone())),
    ];
    prop_oneof![
        // (a, b) op (c, d)
        (prop::sample::select(OPS), pair).prop_map(|(op, (l, r))| {
            Gen::new(move |ctx| {
                let since = ctx.values.len();
                let (l, r) = (super::build_all(&l, ctx), super::build_all(&r, ctx));
                let (left, right) = (Expr::Tuple(l), Expr::Tuple(r));
                row_refusals(ctx, op, &left, &right, since);
                match (op, left, right) {
                    (BinOp::Eq, Expr::Tuple(l), Expr::Tuple(r)) if l.len() == 2 && r.len() == 2 => {
                        let t = |v: Vec<Expr>| {
                            let mut it = v.into_iter().map(TypedExpr::<kind::Text>::from_expr);
                            let a = it
                                .next()
                                .unwrap_or_else(|| TypedExpr::from_expr(Expr::CountStar));
                            let b = it
                                .next()
                                .unwrap_or_else(|| TypedExpr::from_expr(Expr::CountStar));
                            tuple((a, b))
                        };
                        t(l).eq(t(r)).expr()
                    }
                    (op, l, r) => l.binary(op, r),
                }
            })
        }),
        // (a, b) [NOT] IN ((..), ..)
        (any::<bool>(), listed).prop_map(|(neg, (x, rows))| {
            Gen::new(move |ctx| {
                let since = ctx.values.len();
                let x = if rows.is_empty() {
                    ctx.droppable(|c| Expr::Tuple(super::build_all(&x, c)))
                } else {
                    Expr::Tuple(super::build_all(&x, ctx))
                };
                let list: Vec<Expr> = rows
                    .iter()
                    .map(|r| Expr::Tuple(super::build_all(r, ctx)))
                    .collect();
                in_list_refusals(ctx, &x, &list);
                ctx.duplicable_since(since);
                Expr::InList {
                    expr: Box::new(x),
                    list,
                    negated: neg,
                }
            })
        }),
        // (a, b) [NOT] IN (SELECT ..)
        (any::<bool>(), queried).prop_map(|(neg, (x, s))| {
            Gen::new(move |ctx| {
                let items = super::build_all(&x, ctx);
                let s = s.build(ctx);
                if s.output_width().is_some_and(|w| w != items.len()) {
                    ctx.refuse(
                        ErrorKind::Misuse,
                        |_| true,
                        "IN (subquery) of another width",
                    );
                }
                let x = bare(ctx, items);
                Expr::InSelect {
                    expr: Box::new(x),
                    select: Box::new(s),
                    negated: neg,
                }
            })
        }),
        // a bare row value
        prop_oneof![9 => prop::collection::vec(e.clone(), 1..4), 1 => row].prop_map(|items| {
            Gen::new(move |ctx| {
                let items = super::build_all(&items, ctx);
                bare(ctx, items)
            })
        }),
    ]
    .boxed()
}
