//! Filing a statement's new objects in an empty identity map together at the end of the
//! statement instead of one by one, so the map is sized once for them rather than grown (and
//! every entry moved) by doubling as rows arrive: [`NewObjects`] (the state, for a load that
//! hands the map over per row: joined loading's related objects) and [`StatementLoad`] (a
//! statement's rows into one map: `load_query`, `load_rows`).

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use cinnabar_core::Result;
use cinnabar_engine::Row;

use super::materialize_in;
use crate::handle::{Handle, ObjectState, Shared};
use crate::identity::IdentityMap;
use crate::model::Model;

/// One statement's rows into `T`'s identity map, the map handed over per row.
///
/// When the map is empty as the statement starts (the first load of a model, the usual big
/// one) and the key is one integer, new objects are held aside while their keys strictly
/// increase (a table read in key order), and filed together when the statement ends
/// ([`NewObjects::file`]): one `reserve`, then inserts into a table that no longer grows.
/// Strictly increasing keys are all different, so no row of the statement can be a second
/// object for a key held aside, and the map (empty, and touched by nothing else while the
/// rows are read) holds none of them: each row is a new object, as it would have been. At
/// the first key that does not increase, or one that is not an integer, the objects held
/// aside are filed and the statement goes on row by row as [`materialize_in`] does.
pub(crate) struct NewObjects<T: Model> {
    generation: u64,
    refresh: bool,
    key_first: bool,
    /// Whether new objects are still being held aside.
    defer: bool,
    deferred: Vec<(T::Key, Handle<T>)>,
    /// The integer of the last key held aside.
    last: u64,
}

impl<T: Model> NewObjects<T> {
    /// The state of a load into `identity` (which must be the map every row is then read
    /// into, and touched by nothing else until [`NewObjects::file`]); `refresh` as for a
    /// locking read (objects already loaded take the row's values).
    pub(crate) fn new(
        identity: &IdentityMap<T::Key, Handle<T>>,
        generation: u64,
        refresh: bool,
    ) -> Self {
        NewObjects {
            generation,
            refresh,
            key_first: false,
            defer: identity.is_empty() && !refresh,
            deferred: Vec::new(),
            last: 0,
        }
    }

    /// Goes row by row from the start (no object held aside): for a load whose map other
    /// rows of the same statement also go into.
    pub(crate) fn row_by_row(mut self) -> Self {
        self.defer = false;
        self
    }

    /// Whether new objects are being held aside (rows then cost a whole decode each, even
    /// one of an object the session holds).
    pub(crate) fn batching(&self) -> bool {
        self.defer
    }

    /// As [`StatementLoad::row_inspect`], into `identity`.
    #[inline]
    pub(crate) fn row_inspect<V>(
        &mut self,
        identity: &mut IdentityMap<T::Key, Handle<T>>,
        shared: &Arc<Shared<T>>,
        row: &dyn Row,
        offset: usize,
        inspect: impl FnOnce(&T) -> V,
    ) -> Result<(Handle<T>, Option<V>)> {
        if !self.defer {
            let h = materialize_in(
                identity,
                shared,
                row,
                offset,
                self.generation,
                &mut self.key_first,
                self.refresh,
            )?;
            return Ok((h, None));
        }
        let obj = T::from_row_at(row, offset)?;
        self.decoded(identity, shared, obj, row, offset, inspect)
    }

    /// [`NewObjects::row_inspect`] for the row's `T` columns already decoded as `obj`.
    #[inline]
    pub(crate) fn decoded<V>(
        &mut self,
        identity: &mut IdentityMap<T::Key, Handle<T>>,
        shared: &Arc<Shared<T>>,
        obj: T,
        row: &dyn Row,
        offset: usize,
        inspect: impl FnOnce(&T) -> V,
    ) -> Result<(Handle<T>, Option<V>)> {
        let seen = inspect(&obj);
        if self.defer {
            if let Some(key) = obj.key() {
                if let Some(k) = int_key(&key) {
                    if self.deferred.is_empty() || k > self.last {
                        self.last = k;
                        let h =
                            Handle::tracked(obj, ObjectState::Persistent, shared, self.generation);
                        self.deferred.push((key, h.clone()));
                        return Ok((h, Some(seen)));
                    }
                }
            }
            // Not (or no longer) in increasing integer order: row by row from here on.
            self.file(identity);
        }
        let h = super::file_decoded(
            identity,
            shared,
            obj,
            row,
            offset,
            self.generation,
            &mut self.key_first,
            self.refresh,
        )?;
        Ok((h, Some(seen)))
    }

    /// Files the objects held aside into `identity` (the map the rows were read into) and
    /// stops holding new ones aside.
    pub(crate) fn file(&mut self, identity: &mut IdentityMap<T::Key, Handle<T>>) {
        self.defer = false;
        if self.deferred.is_empty() {
            return;
        }
        // The map was empty when the statement started and nothing was added since.
        debug_assert!(identity.is_empty());
        identity.reserve(self.deferred.len());
        // From the end, giving the list's memory back a step at a time as the map's fills,
        // so that the two are not both whole at once (the load's peak stays the map's).
        const STEP: usize = 1 << 15;
        while !self.deferred.is_empty() {
            let from = self.deferred.len().saturating_sub(STEP);
            for (key, h) in self.deferred.drain(from..) {
                identity.insert(key, h);
            }
            self.deferred.shrink_to(from);
        }
        self.deferred = Vec::new();
    }
}

/// A statement's rows into one identity map: [`NewObjects`] holding the map, filing what it
/// held aside when dropped (the statement ended, or failed after some rows), so every object
/// handed out is the map's.
pub(crate) struct StatementLoad<'m, T: Model> {
    identity: &'m mut IdentityMap<T::Key, Handle<T>>,
    shared: &'m Arc<Shared<T>>,
    new: NewObjects<T>,
}

impl<'m, T: Model> StatementLoad<'m, T> {
    /// A load into `identity`; `refresh` as for a locking read.
    pub(crate) fn new(
        identity: &'m mut IdentityMap<T::Key, Handle<T>>,
        shared: &'m Arc<Shared<T>>,
        generation: u64,
        refresh: bool,
    ) -> Self {
        let new = NewObjects::new(identity, generation, refresh);
        StatementLoad {
            identity,
            shared,
            new,
        }
    }

    /// The object for the row's `T` columns starting at `offset` (see
    /// [`materialize_in`]).
    #[inline]
    pub(crate) fn row(&mut self, row: &dyn Row, offset: usize) -> Result<Handle<T>> {
        Ok(self.row_inspect(row, offset, |_| ())?.0)
    }

    /// As [`StatementLoad::row`], also handing `inspect` the row's `T` columns as decoded
    /// (its result comes back beside the object), or `None` when the row was not decoded
    /// whole: a row matched to an object the session holds by its key alone.
    #[inline]
    pub(crate) fn row_inspect<V>(
        &mut self,
        row: &dyn Row,
        offset: usize,
        inspect: impl FnOnce(&T) -> V,
    ) -> Result<(Handle<T>, Option<V>)> {
        self.new
            .row_inspect(self.identity, self.shared, row, offset, inspect)
    }
}

impl<T: Model> Drop for StatementLoad<'_, T> {
    fn drop(&mut self) {
        self.new.file(self.identity);
    }
}

/// The key as one integer when it hashes as exactly one integer (`i64`, `i32`, `u64`, ..),
/// else `None`. Equal keys hash equally, so keys whose integers differ are different keys.
#[inline]
fn int_key<K: Hash>(key: &K) -> Option<u64> {
    let mut h = IntOnly::default();
    key.hash(&mut h);
    match h {
        IntOnly::One(i) => Some(i),
        _ => None,
    }
}

/// A "hasher" that records the one integer a key writes ([`int_key`]).
#[derive(Default)]
enum IntOnly {
    #[default]
    Nothing,
    One(u64),
    Other,
}

impl IntOnly {
    #[inline]
    fn int(&mut self, i: u64) {
        *self = match self {
            IntOnly::Nothing => IntOnly::One(i),
            _ => IntOnly::Other,
        };
    }
}

impl Hasher for IntOnly {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, _bytes: &[u8]) {
        *self = IntOnly::Other;
    }

    fn write_u8(&mut self, i: u8) {
        self.int(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.int(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.int(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.int(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.int(i as u64);
    }

    fn write_u128(&mut self, _i: u128) {
        *self = IntOnly::Other;
    }
}

#[cfg(test)]
mod tests {
    use super::int_key;

    #[test]
    fn only_keys_that_hash_as_one_integer_have_one() {
        assert_eq!(int_key(&7i64), Some(7));
        assert_eq!(int_key(&-1i64), Some(u64::MAX));
        assert_eq!(int_key(&7i32), Some(7));
        assert_eq!(int_key(&7u16), Some(7));
        assert_eq!(int_key(&(1i64, 2i64)), None);
        assert_eq!(int_key(&String::from("a")), None);
        assert_eq!(int_key(&vec![1u8]), None);
        assert_eq!(int_key(&7u128), None);
    }
}
