//! The portable date/time functions: `extract` (and `.year()` ...), `current_date()`,
//! `current_timestamp()`, `add_days`, each spelled by the dialect (SQLite's `strftime`,
//! PostgreSQL's `date_part`, MariaDB's `DATE_ADD`).

use cinnabar_core::sql::{
    add_days, current_date, current_timestamp, extract, DatePart, DateTimeExpression, Expr,
    Expression, TypedExpr,
};
use cinnabar_core::types::kind;
use proptest::prelude::*;

use super::Gen;

const PARTS: &[DatePart] = &[
    DatePart::Year,
    DatePart::Month,
    DatePart::Day,
    DatePart::Hour,
    DatePart::Minute,
    DatePart::Second,
];

/// A date/time expression.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Expr>> {
    (0u8..5, prop::sample::select(PARTS), e.clone(), e)
        .prop_map(|(how, part, a, b)| {
            Gen::new(move |ctx| {
                let date = TypedExpr::<kind::Date>::from_expr;
                match how {
                    0 => extract(part, date(a.build(ctx))).expr(),
                    1 => TypedExpr::<kind::Timestamp>::from_expr(a.build(ctx))
                        .year()
                        .expr(),
                    2 => current_date().expr(),
                    3 => current_timestamp().expr(),
                    _ => {
                        let d = date(a.build(ctx));
                        add_days(d, TypedExpr::<kind::Integer>::from_expr(b.build(ctx))).expr()
                    }
                }
            })
        })
        .boxed()
}
