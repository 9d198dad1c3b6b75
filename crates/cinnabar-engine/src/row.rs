//! Rows: the [`Row`] trait drivers implement for a row being read, the owned [`OwnedRow`]
//! and [`Rows`] returned by `Connection::execute`, and [`FromRow`] for mapping a row into
//! any struct (derived for models and for plain structs).

use std::sync::Arc;

use cinnabar_core::types::{FromSql, SqlType};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};

/// A row being read: positional access to borrowed values and column names.
pub trait Row {
    /// Number of columns.
    fn len(&self) -> usize;

    /// Whether the row has no columns.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Name of column `idx` as the database reported it.
    fn column_name(&self, idx: usize) -> &str;

    /// Value of column `idx`.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] if `idx` is out of range; a conversion error if the driver
    /// cannot represent the value.
    fn value(&self, idx: usize) -> Result<ValueRef<'_>>;

    /// Position of the column called `name`.
    fn index_of(&self, name: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.column_name(i) == name)
    }
}

/// Reads column `idx` as `T`, naming `what` (e.g. `students.name`) in any error.
///
/// # Errors
/// A conversion error naming the column and the Rust type.
#[inline]
pub fn get_at<T: FromSql>(row: &dyn Row, idx: usize, what: &str) -> Result<T> {
    let v = row.value(idx)?;
    T::from_sql(v).map_err(|e| e.context(format_args!("column {what}")))
}

/// Reads column `idx`, declared as `sql_type`, as `T` (see
/// [`FromSql::from_sql_column`]: a decimal comes back at the declared scale), naming `what`
/// in any error.
///
/// # Errors
/// A conversion error naming the column and the Rust type.
#[inline]
pub fn get_column_at<T: FromSql>(
    row: &dyn Row,
    idx: usize,
    what: &str,
    sql_type: SqlType,
) -> Result<T> {
    let v = row.value(idx)?;
    T::from_sql_column(v, sql_type).map_err(|e| e.context(format_args!("column {what}")))
}

/// Reads the column called `name` as `T`.
///
/// # Errors
/// [`ErrorKind::Misuse`] naming the column when the row has none of that name; a conversion
/// error naming the column and the Rust type.
pub fn get_named<T: FromSql>(row: &dyn Row, name: &str) -> Result<T> {
    let idx = row.index_of(name).ok_or_else(|| {
        let cols: Vec<&str> = (0..row.len()).map(|i| row.column_name(i)).collect();
        Error::new(
            ErrorKind::Misuse,
            format!(
                "the row has no column {name:?} (columns: {})",
                cols.join(", ")
            ),
        )
    })?;
    get_at(row, idx, name)
}

/// Builds a value from a row, by column name. Derived by `#[derive(FromRow)]` and
/// `#[derive(Model)]`.
pub trait FromRow: Sized {
    /// Builds `Self` from `row`.
    ///
    /// # Errors
    /// A missing column or a conversion error, naming the column.
    fn from_row(row: &dyn Row) -> Result<Self>;
}

macro_rules! tuple_from_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromSql),+> FromRow for ($($t,)+) {
            fn from_row(row: &dyn Row) -> Result<Self> {
                Ok(($(get_at::<$t>(row, $i, row.column_name($i))?,)+))
            }
        }
    };
}
tuple_from_row!(A 0);
tuple_from_row!(A 0, B 1);
tuple_from_row!(A 0, B 1, C 2);
tuple_from_row!(A 0, B 1, C 2, D 3);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4);
tuple_from_row!(A 0, B 1, C 2, D 3, E 4, F 5);

/// An owned row, as returned by [`Rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedRow {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl OwnedRow {
    /// A row with `columns` and `values`.
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        OwnedRow { columns, values }
    }

    /// Reads a column by position (`usize`) or name (`&str`).
    ///
    /// # Errors
    /// A missing column or a conversion error, naming the column.
    pub fn get<T: FromSql>(&self, column: impl ColumnIndex) -> Result<T> {
        let idx = column.resolve(self)?;
        get_at(self, idx, &self.columns[idx])
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Maps this row into `T` by column name.
    ///
    /// # Errors
    /// As [`FromRow::from_row`].
    pub fn to<T: FromRow>(&self) -> Result<T> {
        T::from_row(self)
    }
}

impl std::fmt::Display for OwnedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(")?;
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{v:?}")?;
        }
        f.write_str(")")
    }
}

impl Row for OwnedRow {
    fn len(&self) -> usize {
        self.values.len()
    }
    fn column_name(&self, idx: usize) -> &str {
        self.columns.get(idx).map(String::as_str).unwrap_or("")
    }
    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        self.values.get(idx).map(Value::as_ref).ok_or_else(|| {
            Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.values.len()
            ))
        })
    }
}

/// A column position or name.
pub trait ColumnIndex {
    /// Resolves to a position in `row`.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] naming the column when it does not exist.
    fn resolve(&self, row: &OwnedRow) -> Result<usize>;
}

impl ColumnIndex for usize {
    fn resolve(&self, row: &OwnedRow) -> Result<usize> {
        if *self < row.values.len() {
            Ok(*self)
        } else {
            Err(Error::misuse(format!(
                "column index {self} is out of range (row has {} columns)",
                row.values.len()
            )))
        }
    }
}

impl ColumnIndex for &str {
    fn resolve(&self, row: &OwnedRow) -> Result<usize> {
        row.index_of(self).ok_or_else(|| {
            Error::misuse(format!(
                "the row has no column {self:?} (columns: {})",
                row.columns.join(", ")
            ))
        })
    }
}

/// The result of executing a statement: rows (for queries) and the affected-row count.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    columns: Option<Arc<[String]>>,
    rows: Vec<OwnedRow>,
    affected: u64,
}

impl Rows {
    /// A result with `rows` and an affected-row count.
    pub fn new(columns: Arc<[String]>, rows: Vec<OwnedRow>, affected: u64) -> Self {
        Rows {
            columns: Some(columns),
            rows,
            affected,
        }
    }

    /// Rows affected by an INSERT, UPDATE or DELETE.
    pub fn rows_affected(&self) -> u64 {
        self.affected
    }

    /// Column names of the result.
    pub fn columns(&self) -> &[String] {
        self.columns.as_deref().unwrap_or(&[])
    }

    /// The rows.
    pub fn rows(&self) -> &[OwnedRow] {
        &self.rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<&OwnedRow> {
        self.rows.first()
    }

    /// Exactly one row.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] or [`ErrorKind::MultipleRows`].
    pub fn one(self) -> Result<OwnedRow> {
        let n = self.rows.len();
        let mut it = self.rows.into_iter();
        match (it.next(), n) {
            (Some(r), 1) => Ok(r),
            (None, _) => Err(Error::new(ErrorKind::NoRow, "expected one row, found none")),
            _ => Err(Error::new(
                ErrorKind::MultipleRows,
                format!("expected one row, found {n}"),
            )),
        }
    }

    /// The first column of the first row as `T`.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] when there is no row; a conversion error.
    pub fn scalar<T: FromSql>(&self) -> Result<T> {
        let row = self.rows.first().ok_or_else(|| {
            Error::new(ErrorKind::NoRow, "expected a row for a scalar, found none")
        })?;
        row.get(0usize)
    }

    /// Maps every row into `T` by column name.
    ///
    /// # Errors
    /// As [`FromRow::from_row`].
    pub fn map_into<T: FromRow>(&self) -> Result<Vec<T>> {
        self.rows.iter().map(|r| T::from_row(r)).collect()
    }
}

impl IntoIterator for Rows {
    type Item = OwnedRow;
    type IntoIter = std::vec::IntoIter<OwnedRow>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = &'a OwnedRow;
    type IntoIter = std::slice::Iter<'a, OwnedRow>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}
