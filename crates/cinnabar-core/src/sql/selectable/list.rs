//! Select lists: one [`Selectable`] or a tuple of 1 to 12 of them ([`SelectList`]), read from
//! a row ([`ValueSource`]) into the item's output or the tuple of the items' outputs, and
//! [`SingleColumn`] for `scalar()`.

use std::borrow::Cow;

use super::{ReadAs, Selectable};
use crate::error::Result;
use crate::sql::select::SelectItem;
use crate::value::ValueRef;

/// Positional read access to a row of a typed select (the ORM adapts the engine's rows).
pub trait ValueSource {
    /// Value of column `idx`.
    ///
    /// # Errors
    /// When `idx` is out of range or the driver cannot represent the value.
    fn value(&self, idx: usize) -> Result<ValueRef<'_>>;

    /// How errors name column `idx` (its label or `table.column`).
    fn describe(&self, idx: usize) -> Cow<'_, str>;
}

/// A whole typed select list: one [`Selectable`] or a tuple of 1 to 12 of them, read from a
/// row into `Output` (the item's output, or the tuple of the items' outputs).
pub trait SelectList {
    /// What one row is read as.
    type Output;
    /// Number of select items.
    const WIDTH: usize;

    /// Appends the select items and how each is read.
    fn push_items(self, items: &mut Vec<SelectItem>, read_as: &mut Vec<ReadAs>);

    /// Reads one row.
    ///
    /// # Errors
    /// A conversion error naming the item (`select item 2 (avg_mark): ...`).
    fn decode_row(row: &dyn ValueSource) -> Result<Self::Output>;
}

/// Reads item `idx` of `row` as `S`, naming the item in any error.
fn decode_at<S: Selectable>(row: &dyn ValueSource, idx: usize) -> Result<S::Output> {
    S::decode(row.value(idx)?).map_err(|e| {
        e.context(format_args!(
            "select item {} ({})",
            idx + 1,
            row.describe(idx)
        ))
    })
}

impl<S: Selectable> SelectList for S {
    type Output = S::Output;
    const WIDTH: usize = 1;

    fn push_items(self, items: &mut Vec<SelectItem>, read_as: &mut Vec<ReadAs>) {
        items.push(self.select_item());
        read_as.push(S::READ_AS);
    }

    fn decode_row(row: &dyn ValueSource) -> Result<S::Output> {
        decode_at::<S>(row, 0)
    }
}

/// A select list of exactly one column, whose value [`SelectList::Output`] unwraps to:
/// what the ORM's `scalar()` returns.
pub trait SingleColumn: SelectList {
    /// The one column's Rust type.
    type Value;
    /// Unwraps a row.
    fn into_value(row: Self::Output) -> Self::Value;
}

impl<S: Selectable> SingleColumn for S {
    type Value = S::Output;
    fn into_value(row: S::Output) -> S::Output {
        row
    }
}

impl<A: Selectable> SingleColumn for (A,) {
    type Value = A::Output;
    fn into_value(row: (A::Output,)) -> A::Output {
        row.0
    }
}

macro_rules! tuple_select_list {
    ($n:expr; $($t:ident $i:tt),+) => {
        impl<$($t: Selectable),+> SelectList for ($($t,)+) {
            type Output = ($($t::Output,)+);
            const WIDTH: usize = $n;

            fn push_items(self, items: &mut Vec<SelectItem>, read_as: &mut Vec<ReadAs>) {
                $(
                    items.push(self.$i.select_item());
                    read_as.push($t::READ_AS);
                )+
            }

            fn decode_row(row: &dyn ValueSource) -> Result<Self::Output> {
                Ok(($(decode_at::<$t>(row, $i)?,)+))
            }
        }
    };
}

tuple_select_list!(1; A 0);
tuple_select_list!(2; A 0, B 1);
tuple_select_list!(3; A 0, B 1, C 2);
tuple_select_list!(4; A 0, B 1, C 2, D 3);
tuple_select_list!(5; A 0, B 1, C 2, D 3, E 4);
tuple_select_list!(6; A 0, B 1, C 2, D 3, E 4, F 5);
tuple_select_list!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_select_list!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_select_list!(9; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_select_list!(10; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_select_list!(11; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_select_list!(12; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
