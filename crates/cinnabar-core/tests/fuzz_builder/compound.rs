//! Set operations: `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT` chains of two to four
//! operands of one width (operands with their own ORDER BY / LIMIT included, which SQLite
//! gets as derived tables), with ORDER BY / LIMIT / OFFSET on the whole.

use cinnabar_core::sql::{Expr, OrderBy, Select, SetOp};
use proptest::prelude::*;

use super::{select, Gen};

fn ops() -> impl Strategy<Value = SetOp> {
    prop::sample::select(vec![
        SetOp::Union,
        SetOp::UnionAll,
        SetOp::Intersect,
        SetOp::Except,
    ])
}

/// A compound SELECT of `width` columns.
pub(crate) fn of_width(e: BoxedStrategy<Gen<Expr>>, width: usize) -> BoxedStrategy<Gen<Select>> {
    let operand = select::with_width(e.clone(), width);
    (
        operand.clone(),
        prop::collection::vec((ops(), operand), 1..4),
        prop::collection::vec((e, any::<bool>()), 0..2),
        prop::option::weighted(0.3, 0u64..100),
        prop::option::weighted(0.2, 0u64..100),
    )
        .prop_map(|(first, rest, order, limit, offset)| {
            // The whole compound is one SELECT: window functions allowed again inside.
            Gen::new(move |ctx| {
                ctx.in_select(|ctx| {
                    let mut s = ctx.set_operand(|c| first.build(c));
                    for (op, operand) in &rest {
                        let o = ctx.set_operand(|c| operand.build(c));
                        s = match op {
                            SetOp::Union => s.union(o),
                            SetOp::UnionAll => s.union_all(o),
                            SetOp::Intersect => s.intersect(o),
                            _ => s.except(o),
                        };
                    }
                    for (o, desc) in &order {
                        s = s.order_by(OrderBy {
                            expr: o.build(ctx),
                            desc: *desc,
                        });
                    }
                    if let Some(n) = limit {
                        s = s.limit(n);
                    }
                    if let Some(n) = offset {
                        s = s.offset(n);
                    }
                    s
                })
            })
        })
        .boxed()
}

/// A compound SELECT of one to three columns.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Select>> {
    prop_oneof![
        of_width(e.clone(), 1),
        of_width(e.clone(), 2),
        of_width(e, 3)
    ]
    .boxed()
}
