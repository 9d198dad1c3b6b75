//! Version columns (`Model::VERSION`): the version an object was loaded with, the next one
//! an UPDATE writes, and the error for an UPDATE or DELETE that matched no row (a version
//! conflict, or a row gone).

use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use crate::baseline::Baseline;
use crate::model::Model;

/// The error for an UPDATE or DELETE of one object that matched `n` rows instead of one.
/// With a version column that is a version conflict (the row changed or went since the
/// load): [`ErrorKind::StaleData`]; without, the row is gone: [`ErrorKind::NoRow`].
pub(super) fn row_count_error<T: Model>(verb: &str, base: &T, n: u64) -> Error {
    let key = base.key();
    match T::VERSION {
        Some(v) => {
            let version = base
                .column_value(v)
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            Error::new(
                ErrorKind::StaleData,
                format!(
                    "{verb} of {} {key:?} at version {version} matched {n} rows: another transaction changed or deleted it since it was loaded; reload it and try again (see Session::transaction_with_retry)",
                    T::model_name()
                ),
            )
        }
        None => Error::new(
            ErrorKind::NoRow,
            format!(
                "{verb} of {} {key:?} matched {n} rows; was it deleted by another transaction?",
                T::model_name()
            ),
        ),
    }
}

/// The version an object was loaded with (`base`), for the next UPDATE's WHERE and bump.
pub(super) fn version_of<T: Model>(base: &T) -> Result<Option<i64>> {
    let Some(v) = T::VERSION else {
        return Ok(None);
    };
    version_value::<T>(v, base.column_value(v)?)
}

/// As [`version_of`], from a baseline.
pub(super) fn version_in<T: Model>(base: &Baseline<T>) -> Result<Option<i64>> {
    match T::VERSION {
        None => Ok(None),
        Some(v) => version_value::<T>(v, base.column_value(v)?),
    }
}

fn version_value<T: Model>(v: usize, value: ValueRef<'_>) -> Result<Option<i64>> {
    match value {
        ValueRef::Int(n) => Ok(Some(n)),
        other => Err(Error::new(
            ErrorKind::Conversion,
            format!(
                "{}.{}: a version column holds an integer, found {other:?}",
                T::table().name,
                T::COLUMNS[v]
            ),
        )),
    }
}

/// Sets a version column to its next value: 1 for a new object (`previous` is `None`),
/// else `previous + 1`.
pub(super) fn bump_version<T: Model>(value: &mut T, previous: Option<i64>) -> Result<()> {
    let Some(v) = T::VERSION else {
        return Ok(());
    };
    let next = match previous {
        None => 1,
        Some(n) => n.checked_add(1).ok_or_else(|| {
            Error::new(
                ErrorKind::Conversion,
                format!(
                    "{}.{}: version {n} cannot grow",
                    T::table().name,
                    T::COLUMNS[v]
                ),
            )
        })?,
    };
    value
        .set_column(v, ValueRef::Int(next))
        .map_err(|e| e.context(format_args!("{}.{}", T::table().name, T::COLUMNS[v])))
}
