//! Raw `text()` statements: a fixed SQL skeleton with `:name` markers, each bound to a
//! hostile value (a name bound twice keeps the last value; a marker used twice binds twice).

use cinnabar_core::sql::{text, Statement};
use proptest::prelude::*;

use super::hostile::{self, ValueSeed};
use super::Gen;

/// Skeleton pieces written between the markers: keywords and punctuation only.
const GLUE: &[&str] = &[", ", " = ", " AND ", " OR ", " + ", " IS NOT NULL AND "];

/// A `SELECT :p0, ...` statement over bound hostile values.
pub(crate) fn strategy() -> BoxedStrategy<Gen<Statement>> {
    prop::collection::vec((hostile::value(), prop::sample::select(GLUE)), 1..6)
        .prop_map(|parts: Vec<(ValueSeed, &'static str)>| {
            Gen::new(move |ctx| {
                let mut sql = String::from("SELECT (");
                for (i, (_, glue)) in parts.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(glue);
                    }
                    sql.push_str(&format!(":p{i}"));
                }
                sql.push(')');
                let mut t = text(sql);
                for (i, (seed, _)) in parts.iter().enumerate() {
                    t = t.bind(&format!("p{i}"), ctx.value(seed));
                }
                Statement::from(t)
            })
        })
        .boxed()
}
