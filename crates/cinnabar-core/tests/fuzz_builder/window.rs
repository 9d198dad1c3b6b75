//! Window functions: `ROW_NUMBER()`, `RANK()`, `DENSE_RANK()` and aggregates `OVER
//! (PARTITION BY .. ORDER BY .. ROWS|RANGE BETWEEN ..)`. The compile must refuse one in a
//! clause databases evaluate before windows (WHERE, JOIN ON, GROUP BY, HAVING, UPDATE SET,
//! INSERT VALUES) or inside another window (its function's arguments, PARTITION BY, ORDER
//! BY), OVER on anything but an aggregate (without DISTINCT), a ranking function or a
//! function called by name, and a frame that starts after it ends.

use cinnabar_core::sql::{
    count_star, dense_rank, rank, row_number, Expr, Expression, FrameBound, OrderBy, TypedExpr,
    Window,
};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::{Ctx, Gen};

fn bound() -> impl Strategy<Value = FrameBound> {
    prop_oneof![
        Just(FrameBound::UnboundedPreceding),
        (0u64..4).prop_map(FrameBound::Preceding),
        Just(FrameBound::CurrentRow),
        (0u64..4).prop_map(FrameBound::Following),
        Just(FrameBound::UnboundedFollowing),
        Just(FrameBound::Preceding(u64::MAX)),
        Just(FrameBound::Following(u64::MAX)),
    ]
}

/// Where a bound sits, from the partition's first row to its last.
fn position(b: FrameBound) -> i128 {
    match b {
        FrameBound::UnboundedPreceding => i128::MIN,
        FrameBound::Preceding(n) => -i128::from(n),
        FrameBound::CurrentRow => 0,
        FrameBound::Following(n) => i128::from(n),
        FrameBound::UnboundedFollowing => i128::MAX,
    }
}

/// A frame databases accept: it does not start at the partition's end, end at its start,
/// or start after it ends.
fn valid_frame(start: FrameBound, end: FrameBound) -> bool {
    start != FrameBound::UnboundedFollowing
        && end != FrameBound::UnboundedPreceding
        && position(start) <= position(end)
}

/// Whether the compile refuses OVER on `func`: only an aggregate without DISTINCT,
/// `COUNT(*)`, a ranking function or a function called by name takes OVER (an invalid
/// expression reports its own error).
fn refuses_over(func: &Expr) -> bool {
    match func {
        Expr::Func { func, distinct, .. } => !func.is_aggregate() || *distinct,
        Expr::CountStar | Expr::Call { .. } | Expr::Invalid(_) | Expr::Ranking(_) => false,
        _ => true,
    }
}

/// The clause name of a windowed function's arguments.
const ARG: &str = "a window function's argument";

type Frame = Option<(bool, FrameBound, FrameBound)>;

/// A window function.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    let frame = prop::option::weighted(0.4, (any::<bool>(), bound(), bound()));
    (
        0u8..7,
        e.clone(),
        prop::collection::vec(e.clone(), 0..3),
        prop::collection::vec((e, any::<bool>()), 0..3),
        frame,
        prop::bool::weighted(0.95),
    )
        .prop_map(
            |(which, arg, partition, order, frame, dodge): (
                u8,
                Gen<Expr>,
                Vec<Gen<Expr>>,
                _,
                Frame,
                bool,
            )| {
                // `dodge`: most windows avoid what must be refused (a banned clause, OVER on
                // a non-function, a backwards frame), so most statements still compile.
                Gen::new(move |ctx: &mut Ctx| {
                    if ctx.window_ban.is_some() && dodge {
                        let x = TypedExpr::<kind::Text>::from_expr(arg.build(ctx));
                        return x.count().expr();
                    }
                    if ctx.window_ban.is_some() {
                        ctx.refuse(
                            ErrorKind::Misuse,
                            |_| true,
                            "a window function in WHERE / ON / GROUP BY / HAVING / SET",
                        );
                    }
                    let func: Option<Expr> = match which {
                        3 => Some(
                            TypedExpr::<kind::Text>::from_expr(
                                ctx.in_clause(ARG, |c| arg.build(c)),
                            )
                            .sum()
                            .expr(),
                        ),
                        4 => Some(count_star().expr()),
                        5 if dodge => Some(
                            TypedExpr::<kind::Text>::from_expr(
                                ctx.in_clause(ARG, |c| arg.build(c)),
                            )
                            .max()
                            .expr(),
                        ),
                        5 => {
                            // Any expression: OVER on a non-function must be refused.
                            let x = ctx.in_clause(ARG, |c| arg.build(c));
                            if refuses_over(&x) {
                                ctx.refuse(ErrorKind::Misuse, |_| true, "OVER on a non-function");
                            }
                            Some(x)
                        }
                        _ => None,
                    };
                    let mut w = Window::new();
                    for p in &partition {
                        w = w.partition_by(ctx.in_clause("PARTITION BY", |c| p.build(c)));
                    }
                    for (o, desc) in &order {
                        w = w.order_by(OrderBy {
                            expr: ctx.in_clause("a window's ORDER BY", |c| o.build(c)),
                            desc: *desc,
                        });
                    }
                    if let Some((rows, mut start, mut end)) = frame {
                        if dodge && !valid_frame(start, end) {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if !valid_frame(start, end) {
                            ctx.refuse(
                                ErrorKind::Misuse,
                                |_| true,
                                "a frame that starts after it ends",
                            );
                        }
                        w = if rows {
                            w.rows_between(start, end)
                        } else {
                            w.range_between(start, end)
                        };
                    }
                    match (which, func) {
                        (0, _) => row_number().over(w).expr(),
                        (1, _) => rank().over(w).expr(),
                        (2, _) => dense_rank().over(w).expr(),
                        (_, Some(f)) => TypedExpr::<kind::Text>::from_expr(f).over(w).expr(),
                        (_, None) => row_number().over(w).expr(),
                    }
                })
            },
        )
        .boxed()
}
