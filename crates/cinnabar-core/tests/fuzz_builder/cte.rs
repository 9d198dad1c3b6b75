//! Common table expressions: `WITH [RECURSIVE] name [(columns)] AS (query)`, one to three
//! of them (through `with`, `with_columns`, `with_recursive` and `Cte`), the main query
//! joining the first by name. Column lists of the wrong width and a name given twice must
//! be refused.

use cinnabar_core::sql::{Cte, Expr, JoinKind, Select, TableRef};
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::hostile::{self, Name};
use super::{select, Gen};

/// The width a query's select list says (a compound's is its first operand's).
fn width(s: &Select) -> Option<usize> {
    match &s.compound {
        Some(c) => width(&c.first),
        None if s.columns.is_empty() => None,
        None => Some(s.columns.len()),
    }
}

/// A SELECT with a WITH clause.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Select>> {
    let cte = (
        hostile::name(),
        prop::option::weighted(0.5, prop::collection::vec(hostile::name(), 1..4)),
        0u8..4,
        select::simple(e.clone()),
    );
    (
        prop::collection::vec(cte, 1..4),
        select::simple(e.clone()),
        prop::option::weighted(0.7, e),
    )
        .prop_map(|(ctes, main, join_on)| {
            Gen::new(move |ctx| {
                ctx.in_select(|ctx| {
                    let mut names: Vec<String> = Vec::new();
                    let mut built: Vec<(String, Vec<String>, Select, u8)> = Vec::new();
                    for (name, columns, how, query) in &ctes {
                        let name = ctx.ident(name);
                        let query = query.build(ctx);
                        let columns: Vec<String> = columns
                            .iter()
                            .flatten()
                            .map(|c: &Name| ctx.ident(c))
                            .collect();
                        if let Some(w) = width(&query) {
                            if !columns.is_empty() && w != columns.len() {
                                ctx.refuse(ErrorKind::Misuse, |_| true, "CTE column list width");
                            }
                        }
                        if names.contains(&name) {
                            ctx.refuse(ErrorKind::Misuse, |_| true, "a CTE name given twice");
                        }
                        names.push(name.clone());
                        built.push((name, columns, query, *how));
                    }
                    let mut s = main.build(ctx);
                    // (A compound takes no JOIN of its own, nor does a SELECT without FROM:
                    // the compile would refuse them.)
                    let joinable = s.compound.is_none() && s.from.is_some();
                    if let Some(on) = join_on.as_ref().filter(|_| joinable) {
                        let t = TableRef::new(ctx.reuse(&names[0]));
                        s = s.join(
                            JoinKind::Inner,
                            t,
                            ctx.in_clause("JOIN ... ON", |c| on.build(c)),
                        );
                    }
                    for (name, cols, query, how) in built {
                        s = match (how, cols.is_empty()) {
                            (0, true) => s.with(name, query),
                            (1, false) => s.with_columns(name, &cols, query),
                            (2, _) => s.with_recursive(name, &cols, query),
                            (3, _) => s.with_cte(Cte::new(name, query).columns(cols).recursive()),
                            _ => s.with_cte(Cte::new(name, query).columns(cols)),
                        };
                    }
                    s
                })
            })
        })
        .boxed()
}
