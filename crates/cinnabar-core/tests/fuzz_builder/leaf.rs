//! Leaves of the expression tree: columns with hostile names (untyped `ColumnRef`s and the
//! typed `Column` handles the derive emits), hostile bound values, `COUNT(*)`, and a value
//! the typed layer cannot store (a `u64` past `i64::MAX`, which must be refused).

use cinnabar_core::sql::{count_star, Bindable, Column, ColumnRef, Expr, Expression};
use cinnabar_core::types::kind;
use cinnabar_core::ErrorKind;
use proptest::prelude::*;

use super::hostile::{self, Name, ValueSeed};
use super::{Ctx, Gen};

/// Static hostile names for typed columns (`Column::new` takes `&'static str`), each with
/// its own `⟦sN⟧` marker.
const STATIC_NAMES: &[(&str, &str)] = &[
    ("stu\"dents⟦s0⟧", "na`me⟦s1⟧"),
    ("t'; DROP TABLE x; --⟦s2⟧", "c?$1:name⟦s3⟧"),
    ("]]⟦s4⟧[", "/*!⟦s5⟧*/"),
    ("名前⟦s6⟧\u{202e}", "\\⟦s7⟧\\\""),
];

/// A column: qualified or bare, with hostile names.
pub(crate) fn column() -> BoxedStrategy<Gen<Expr>> {
    prop_oneof![
        3 => (hostile::name(), hostile::name()).prop_map(|(t, c)| qualified(t, c)),
        1 => hostile::name().prop_map(bare),
        1 => (0..STATIC_NAMES.len(), any::<bool>()).prop_map(|(i, text)| typed(i, text)),
    ]
    .boxed()
}

fn qualified(t: Name, c: Name) -> Gen<Expr> {
    Gen::new(move |ctx| {
        let table = ctx.ident(&t);
        let name = ctx.ident(&c);
        Expr::Column(ColumnRef::qualified(table, name))
    })
}

fn bare(c: Name) -> Gen<Expr> {
    Gen::new(move |ctx| Expr::Column(ColumnRef::bare(ctx.ident(&c))))
}

fn typed(i: usize, text: bool) -> Gen<Expr> {
    Gen::new(move |ctx: &mut Ctx| {
        let (table, name) = STATIC_NAMES[i];
        for s in [table, name] {
            let marker = s.find('⟦').map(|a| {
                let end = s[a..].find('⟧').map_or(s.len(), |e| a + e + '⟧'.len_utf8());
                s[a..end].to_owned()
            });
            ctx.record_ident(s.to_owned(), marker);
        }
        if text {
            Column::<(), String>::new(table, name, 0).expr()
        } else {
            Column::<(), i64>::new(table, name, 0).expr()
        }
    })
}

/// A bound value.
pub(crate) fn value() -> BoxedStrategy<Gen<Expr>> {
    hostile::value().prop_map(value_gen).boxed()
}

/// The recipe for one value.
pub(crate) fn value_gen(seed: ValueSeed) -> Gen<Expr> {
    Gen::new(move |ctx| Expr::value(ctx.value(&seed)))
}

/// A `u64` beyond `i64::MAX` through the typed layer: an `Expr::Invalid` the compile must
/// refuse with `Conversion` on every dialect.
pub(crate) fn unstorable() -> BoxedStrategy<Gen<Expr>> {
    ((i64::MAX as u64 + 1)..=u64::MAX)
        .prop_map(|v| {
            Gen::new(move |ctx: &mut Ctx| {
                ctx.refuse(ErrorKind::Conversion, |_| true, "a u64 past i64::MAX");
                <u64 as Bindable<kind::Integer>>::into_operand(v)
            })
        })
        .boxed()
}

/// Any leaf.
pub(crate) fn strategy() -> BoxedStrategy<Gen<Expr>> {
    prop_oneof![
        200 => column(),
        200 => value(),
        50 => Just(Gen::new(|_| count_star().expr())),
        1 => unstorable(),
    ]
    .boxed()
}
