//! INSERT: rows of bound values (`Insert::values`) or of expressions (subqueries included),
//! `INSERT ... SELECT` (`Insert::select`), DEFAULT VALUES, parameter-slot rows (`param_rows`), ON CONFLICT DO NOTHING / DO UPDATE,
//! and RETURNING (refused where the dialect has none).

use cinnabar_core::dialect::DmlKind;
use cinnabar_core::sql::{Expr, Insert, OnConflict, Statement};
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::hostile::{self, Name, ValueSeed};
use super::Gen;

/// What fills the rows.
#[derive(Debug, Clone)]
enum Rows {
    /// No columns, no rows: DEFAULT VALUES.
    Defaults,
    /// Rows of bound values through `Insert::values`.
    Values(Vec<Vec<ValueSeed>>),
    /// Rows of expressions.
    Exprs(Vec<Vec<Gen<Expr>>>),
    /// `n` rows of parameter slots.
    Slots(usize),
    /// `INSERT ... SELECT` of the same width (set operations and WITH included).
    Select(Gen<cinnabar_core::sql::Select>),
}

/// Rows of `width` columns (strategies made once, not per case).
fn rows(e: &BoxedStrategy<Gen<Expr>>, width: usize) -> BoxedStrategy<(usize, Rows)> {
    let vals = prop::collection::vec(prop::collection::vec(hostile::value(), width..=width), 1..4);
    let exprs = prop::collection::vec(prop::collection::vec(e.clone(), width..=width), 1..3);
    let query = prop_oneof![
        3 => super::select::with_width(e.clone(), width),
        1 => super::compound::of_width(e.clone(), width),
    ];
    prop_oneof![
        1 => Just(Rows::Defaults),
        3 => vals.prop_map(Rows::Values),
        3 => exprs.prop_map(Rows::Exprs),
        1 => (1usize..4).prop_map(Rows::Slots),
        2 => query.prop_map(Rows::Select),
    ]
    .prop_map(move |r| (width, r))
    .boxed()
}

/// An INSERT.
pub(crate) fn strategy(e: BoxedStrategy<Gen<Expr>>) -> BoxedStrategy<Gen<Statement>> {
    let rows = prop_oneof![rows(&e, 1), rows(&e, 2), rows(&e, 3)];
    let conflict = prop::option::weighted(
        0.3,
        (
            any::<bool>(),
            prop::collection::vec(hostile::name(), 1..3),
            prop::collection::vec(hostile::name(), 1..3),
        ),
    );
    (
        hostile::name(),
        prop::collection::vec(hostile::name(), 4),
        rows,
        conflict,
        super::returning(),
    )
        .prop_map(|(table, cols, (width, rows), conflict, returning)| {
            Gen::new(move |ctx| {
                let mut ins = Insert::into(ctx.ident(&table));
                if !matches!(rows, Rows::Defaults) {
                    let names: Vec<String> = cols[..width].iter().map(|n| ctx.ident(n)).collect();
                    ins = ins.columns(names);
                }
                match &rows {
                    Rows::Defaults => {}
                    Rows::Values(vals) => {
                        for row in vals {
                            let row: Vec<_> = row.iter().map(|v| ctx.value(v)).collect();
                            ins = ins.values(row);
                        }
                    }
                    Rows::Exprs(exprs) => {
                        for row in exprs {
                            let row =
                                ctx.in_clause("INSERT ... VALUES", |c| super::build_all(row, c));
                            ins.rows.push(row);
                        }
                    }
                    Rows::Slots(n) => ins = ins.param_rows(*n),
                    Rows::Select(q) => ins = ins.select(q.build(ctx)),
                }
                if let Some((update, target, set)) = &conflict {
                    ins = ins.on_conflict(on_conflict(ctx, *update, target, set));
                }
                for r in &returning {
                    ins = ins.returning(ctx.ident(r));
                }
                if !returning.is_empty() {
                    ctx.refuse(
                        ErrorKind::Unsupported,
                        |d| !d.supports_returning_in(DmlKind::Insert),
                        "RETURNING",
                    );
                }
                Statement::from(ins)
            })
        })
        .boxed()
}

/// The conflict clause: its names are checked on every dialect but MySQL writes only some of
/// them.
fn on_conflict(ctx: &mut super::Ctx, update: bool, target: &[Name], set: &[Name]) -> OnConflict {
    ctx.unrendered(|ctx| {
        let target = target.iter().map(|n| ctx.ident(n).into()).collect();
        if update {
            let columns = set.iter().map(|n| ctx.ident(n).into()).collect();
            OnConflict::Update { target, columns }
        } else {
            OnConflict::DoNothing { target }
        }
    })
}
