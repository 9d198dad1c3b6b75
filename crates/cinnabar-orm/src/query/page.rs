//! Flask-SQLAlchemy's conveniences for web handlers: [`Query::paginate`] and its [`Page`],
//! and [`Query::first_or_404`] (with `Session::get_or_404` in `get.rs`), whose
//! [`ErrorKind::NoRow`] a web integration turns into a 404.

use cinnabar_core::sql::{ColumnRef, Expr, OrderBy};
use cinnabar_core::{Error, ErrorKind, FieldError, Result, ValidationErrors};

use super::{run_all, run_count, Query};
use crate::handle::Handle;
use crate::model::Model;

/// One page of a query's results, from [`Query::paginate`] (Flask-SQLAlchemy's
/// `Pagination`): the items and what a page footer needs. `page` counts from 1.
///
/// With the `serde` feature it serializes as an object with these field names (items as
/// their objects), ready to return from a JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Page<T> {
    /// This page's items, at most `per_page`.
    pub items: Vec<T>,
    /// How many rows the whole query matches.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for.
    pub per_page: u64,
    /// How many pages there are: `total / per_page` rounded up (0 when `total` is 0).
    pub pages: u64,
    /// Whether a page follows this one (`page < pages`).
    pub has_next: bool,
    /// Whether a page comes before this one (`page > 1`).
    pub has_prev: bool,
}

impl<T> Page<T> {
    /// A page of `items` with its counters computed from `total`, `page` and `per_page`.
    pub fn new(items: Vec<T>, total: u64, page: u64, per_page: u64) -> Self {
        let pages = if per_page == 0 {
            0
        } else {
            total.div_ceil(per_page)
        };
        Page {
            items,
            total,
            page,
            per_page,
            pages,
            has_next: page < pages,
            has_prev: page > 1,
        }
    }

    /// The next page's number, if there is one.
    pub fn next_page(&self) -> Option<u64> {
        self.has_next.then_some(self.page + 1)
    }

    /// The previous page's number, if there is one.
    pub fn prev_page(&self) -> Option<u64> {
        self.has_prev.then_some(self.page - 1)
    }

    /// The same page with each item turned into something else (a view or a JSON shape),
    /// the counters unchanged.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            pages: self.pages,
            has_next: self.has_next,
            has_prev: self.has_prev,
        }
    }
}

impl<T: Model> Query<'_, T> {
    /// Page `page` (from 1) of `per_page` results, with the total count: two statements, a
    /// `COUNT(*)` of the query and the page's rows (`LIMIT per_page OFFSET (page - 1) *
    /// per_page`; the second is skipped when the page starts past the last row). Eager
    /// loads given with [`Query::options`] run for the page's items. A query without
    /// `order_by` is ordered by primary key, so that pages neither overlap nor skip rows
    /// (SQL gives no order otherwise). A page past the last one is empty, not an error.
    ///
    /// ```
    /// # use cinnabar::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[cinnabar(table = "students")]
    /// # struct Student { #[cinnabar(primary_key)] id: Option<i64>, name: String }
    /// # fn main() -> cinnabar::Result<()> {
    /// # let engine = create_engine("sqlite://")?;
    /// # MetaData::new().with(Student::table().clone()).create_all(&engine)?;
    /// let mut session = Session::new(&engine);
    /// for i in 0..25 {
    ///     session.add(Student { id: None, name: format!("student {i}") });
    /// }
    /// session.commit()?;
    /// let page = session.query::<Student>().paginate(3, 10)?;
    /// assert_eq!((page.items.len(), page.total, page.pages), (5, 25, 3));
    /// assert!(page.has_prev && !page.has_next);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Validation`] naming the field `page` or `per_page` when it is 0, or when
    /// the page starts past what the database can count (so a handler passing query
    /// parameters through answers 422); [`ErrorKind::Misuse`] when the query already has a
    /// LIMIT or OFFSET; as [`Query::all`].
    pub fn paginate(self, page: u64, per_page: u64) -> Result<Page<Handle<T>>> {
        let (session, mut select, loaders) = self.into_parts()?;
        let offset = check_page(page, per_page)?;
        if select.limit.is_some() || select.offset.is_some() {
            return Err(Error::misuse(format!(
                "paginate sets LIMIT and OFFSET itself: build the {} query without limit() and offset()",
                T::model_name()
            )));
        }
        let total = run_count::<T>(session, select.clone())?;
        let total = u64::try_from(total).unwrap_or(0);
        if offset >= total {
            return Ok(Page::new(Vec::new(), total, page, per_page));
        }
        if select.order_by.is_empty() {
            let table = T::table().name.as_str();
            for &i in T::PRIMARY_KEY {
                select.order_by.push(OrderBy {
                    expr: Expr::Column(ColumnRef::qualified(table, T::COLUMNS[i])),
                    desc: false,
                });
            }
        }
        select.limit = Some(per_page);
        select.offset = Some(offset);
        let items = run_all(session, select, &loaders)?;
        Ok(Page::new(items, total, page, per_page))
    }

    /// The first matching object, or an [`ErrorKind::NoRow`] error naming the model
    /// (Flask-SQLAlchemy's `first_or_404`): `?` in a web handler answers 404.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] when nothing matches; as [`Query::first`].
    pub fn first_or_404(self) -> Result<Handle<T>> {
        match self.first()? {
            Some(h) => Ok(h),
            None => Err(Error::new(
                ErrorKind::NoRow,
                format!("no {} matches the query", T::model_name()),
            )),
        }
    }
}

/// Checks a page request and returns its OFFSET.
fn check_page(page: u64, per_page: u64) -> Result<u64> {
    let mut errors = ValidationErrors::new();
    if page == 0 {
        errors.push(
            FieldError::new("page", "range", "must be at least 1 (pages count from 1)")
                .with_value("0"),
        );
    }
    if per_page == 0 {
        errors.push(FieldError::new("per_page", "range", "must be at least 1").with_value("0"));
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    match (page - 1).checked_mul(per_page) {
        Some(offset) if i64::try_from(offset).is_ok() && i64::try_from(per_page).is_ok() => {
            Ok(offset)
        }
        _ => Err(Error::validation(ValidationErrors::from(
            FieldError::new(
                "page",
                "range",
                format!("page {page} of {per_page} rows starts past the largest row number a database can count"),
            )
            .with_value(page.to_string()),
        ))),
    }
}
