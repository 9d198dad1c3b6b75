//! The session's methods that start a [`Query`]: `query`, and `get` / `get_for_update`, which
//! load one object by primary key (`get` from the identity map when it holds it).

use cinnabar_core::{Error, ErrorKind, Result};

use super::Query;
use crate::handle::{Handle, ObjectState};
use crate::model::Model;
use crate::session::Session;

impl Session {
    /// Starts a query for model `T` (SQLAlchemy's `session.query(Student)`).
    pub fn query<T: Model>(&mut self) -> Query<'_, T> {
        Query::new(self)
    }

    /// Loads the object with primary key `key`, from the identity map when it is there
    /// (no SQL), else with one SELECT.
    ///
    /// # Errors
    /// Database and conversion errors.
    pub fn get<T: Model>(&mut self, key: impl Into<T::Key>) -> Result<Option<Handle<T>>> {
        let key = key.into();
        let generation = self.generation();
        if let Some(h) = self.registry::<T>().identity.get(&key) {
            // Served from the identity map unless a commit or rollback expired it.
            let fresh = h
                .slot()
                .try_read()
                .is_some_and(|s| s.generation == generation || s.modified);
            if h.state() == ObjectState::Persistent && fresh {
                return Ok(Some(h.clone()));
            }
        }
        Query::<T>::new(self).filter_key(&key)?.one_or_none()
    }

    /// Loads the object with primary key `key`, as [`Session::get`], or returns an
    /// [`ErrorKind::NoRow`] error naming the model and the key (Flask-SQLAlchemy's
    /// `get_or_404`): `?` in a web handler answers 404.
    ///
    /// # Errors
    /// [`ErrorKind::NoRow`] when no row has that key (`no Student with key 7`); as
    /// [`Session::get`].
    pub fn get_or_404<T: Model>(&mut self, key: impl Into<T::Key>) -> Result<Handle<T>> {
        let key = key.into();
        match self.get::<T>(key.clone())? {
            Some(h) => Ok(h),
            None => Err(Error::new(
                ErrorKind::NoRow,
                format!("no {} with key {key:?}", T::model_name()),
            )),
        }
    }

    /// Loads the object with primary key `key` and locks its row until the transaction
    /// ends: always one `SELECT ... FOR UPDATE` (SQLite: the write lock, then the SELECT),
    /// beginning the session's transaction, and the object in the identity map is refreshed
    /// from the locked row. The pessimistic way to make `get`, change, `commit` safe under
    /// concurrency (see `docs/CONCURRENCY.md`).
    ///
    /// # Errors
    /// Database errors, including a lock wait timeout or deadlock
    /// ([`ErrorKind::is_retryable`](cinnabar_core::ErrorKind::is_retryable)); `Misuse` if a
    /// guard on the object is alive.
    pub fn get_for_update<T: Model>(
        &mut self,
        key: impl Into<T::Key>,
    ) -> Result<Option<Handle<T>>> {
        let key = key.into();
        Query::<T>::new(self)
            .filter_key(&key)?
            .with_for_update()
            .one_or_none()
    }
}
