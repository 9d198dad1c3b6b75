//! Preparing statements: the per-connection statement cache, and declaring the types of
//! parameters the server could not infer (error 42P18), inside a savepoint when a
//! transaction is open.

use std::fmt::Write as _;
use std::sync::Arc;

use cinnabar_core::{Result, ValueRef};
use postgres::types::{Kind, Type};

use super::connection::{PostgresConnection, Prepared, Stmt, Unnamed};
use super::row::{decode_needs_storage, decode_of, Decode};
use super::STATEMENT_CACHE;

impl PostgresConnection {
    /// The cached statement for `sql` bound with `params`, if any.
    pub(super) fn cached(&self, sql: &str, params: &[ValueRef<'_>]) -> Option<&Prepared> {
        match self.untyped.get(sql) {
            None => self.cache.get(sql),
            Some(positions) => self
                .cache
                .get(&typed_key(sql, &declared_types(positions, params))),
        }
    }

    pub(super) fn prepare(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<Prepared> {
        if self.untyped.is_empty() {
            // The common case: one lookup.
            if let Some(p) = self.cache.get(sql) {
                return Ok(p.clone());
            }
        }
        let mut types = match self.untyped.get(sql) {
            None => {
                if let Some(p) = self.cache.get(sql) {
                    return Ok(p.clone());
                }
                Vec::new()
            }
            Some(positions) => {
                let types = declared_types(positions, params);
                if let Some(p) = self.cache.get(&typed_key(sql, &types)) {
                    return Ok(p.clone());
                }
                types
            }
        };
        // Behind a transaction pooler the callers (`pooled.rs`) describe inside a transaction,
        // so the statement used to describe is closed on the server connection that made it.
        // A failed prepare aborts an open transaction: try it in a savepoint, so a parameter
        // the server cannot type can be declared and the statement prepared again.
        // Behind a transaction pooler always: see `leftover_statement`.
        let guard = self.tx.open && (!params.is_empty() || self.pooled.is_some());
        let mut leftovers = 0;
        if guard {
            self.client
                .batch_execute("SAVEPOINT cinnabar_prepare")
                .map_err(|e| self.fail(e, sql))?;
        }
        let stmt = loop {
            match self.client.prepare_typed(sql, &types) {
                Ok(s) => break s,
                Err(e) => {
                    if let Some(name) = leftover_statement(&e)
                        .filter(|_| guard && self.pooled.is_some() && leftovers < 3)
                    {
                        // Another process's named statement left on this shared server
                        // connection (the client library numbers its names from s0 in every
                        // process): remove it and prepare again.
                        leftovers += 1;
                        let sql = format!(
                            "ROLLBACK TO SAVEPOINT cinnabar_prepare; DEALLOCATE \"{name}\""
                        );
                        self.client
                            .batch_execute(&sql)
                            .map_err(|e| self.fail(e, &sql))?;
                        continue;
                    }
                    let position = untyped_parameter(&e)
                        .filter(|&i| i < params.len() && !types.get(i).is_some_and(is_declared));
                    let Some(i) = position else {
                        // Any other error: as without the savepoint (a transaction stays
                        // aborted, as PostgreSQL does for every failed statement).
                        return Err(self.fail(e, sql));
                    };
                    if guard {
                        self.client
                            .batch_execute("ROLLBACK TO SAVEPOINT cinnabar_prepare")
                            .map_err(|e| self.fail(e, sql))?;
                    }
                    if self.untyped.len() >= STATEMENT_CACHE {
                        self.untyped.clear();
                    }
                    let positions = self.untyped.entry(sql.to_owned()).or_default();
                    positions.push(i);
                    types = declared_types(positions, params);
                }
            }
        };
        if guard {
            self.client
                .batch_execute("RELEASE SAVEPOINT cinnabar_prepare")
                .map_err(|e| self.fail(e, sql))?;
        }
        let decode: Arc<[Decode]> = stmt
            .columns()
            .iter()
            .map(|c| decode_of(c.type_()))
            .collect();
        let needs_storage = decode.iter().any(|&d| decode_needs_storage(d));
        let stmt = if self.pooled.is_some() {
            self.unnamed(stmt)
        } else {
            Stmt::Named(stmt)
        };
        let prepared = Prepared {
            stmt,
            decode,
            needs_storage,
            query: super::connection::is_query(sql),
        };
        if self.cache.len() >= STATEMENT_CACHE {
            if let Some(k) = self.cache.keys().next().cloned() {
                self.cache.remove(&k);
            }
        }
        let key = if types.is_empty() {
            sql.to_owned()
        } else {
            typed_key(sql, &types)
        };
        self.cache.insert(key, prepared.clone());
        Ok(prepared)
    }
}

impl PostgresConnection {
    /// Behind a transaction pooler: what to keep of a statement just described, which is
    /// dropped here (its Close goes out before the transaction's next message, to the same
    /// server connection).
    fn unnamed(&mut self, stmt: postgres::Statement) -> Stmt {
        let built_in = |t: &Type| Type::from_oid(t.oid()).is_some();
        let custom_columns = !stmt.columns().iter().all(|c| built_in(c.type_()));
        if custom_columns || !stmt.params().iter().all(built_in) {
            // Describing them looked their types up.
            self.note_type_lookups();
        }
        Stmt::Unnamed(Arc::new(Unnamed {
            params: stmt.params().to_vec(),
            columns: stmt.columns().iter().map(|c| c.type_().oid()).collect(),
            custom_columns,
        }))
    }
}

/// The type a parameter the server could not infer is declared with: the bound value's own
/// (a NULL as text, which any expression accepts).
pub(super) fn declared_type(v: ValueRef<'_>) -> Type {
    match v {
        ValueRef::Null | ValueRef::Text(_) => Type::TEXT,
        ValueRef::Bool(_) => Type::BOOL,
        ValueRef::Int(_) => Type::INT8,
        ValueRef::Real(_) => Type::FLOAT8,
        ValueRef::Blob(_) => Type::BYTEA,
        #[cfg(feature = "chrono")]
        ValueRef::Date(_) => Type::DATE,
        #[cfg(feature = "chrono")]
        ValueRef::Time(_) => Type::TIME,
        #[cfg(feature = "chrono")]
        ValueRef::DateTime(_) => Type::TIMESTAMP,
        #[cfg(feature = "chrono")]
        ValueRef::DateTimeUtc(_) => Type::TIMESTAMPTZ,
        #[cfg(feature = "uuid")]
        ValueRef::Uuid(_) => Type::UUID,
        #[cfg(feature = "decimal")]
        ValueRef::Decimal(_) => Type::NUMERIC,
        #[cfg(feature = "json")]
        ValueRef::Json(_) => Type::JSONB,
        _ => Type::TEXT,
    }
}

/// Oid 0: the server infers the parameter's type from the SQL.
pub(super) fn unspecified() -> Type {
    Type::new(String::new(), 0, Kind::Pseudo, String::new())
}

pub(super) fn is_declared(t: &Type) -> bool {
    t.oid() != 0
}

/// Parameter types for `prepare_typed`: the values' types at `positions`, the server's
/// inference before them (the list ends at the last declared one, so the server still counts
/// the parameters).
pub(super) fn declared_types(positions: &[usize], params: &[ValueRef<'_>]) -> Vec<Type> {
    let len = positions.iter().map(|&i| i + 1).max().unwrap_or(0);
    let mut types = vec![unspecified(); len.min(params.len())];
    for &i in positions {
        if let (Some(t), Some(&v)) = (types.get_mut(i), params.get(i)) {
            *t = declared_type(v);
        }
    }
    types
}

/// The cache key of `sql` prepared with declared `types`: the SQL, a NUL (never in SQL sent
/// to the server: the protocol forbids it) and the type OIDs.
pub(super) fn typed_key(sql: &str, types: &[Type]) -> String {
    let mut key = String::with_capacity(sql.len() + 1 + types.len() * 5);
    key.push_str(sql);
    key.push('\0');
    for t in types {
        let _ = write!(key, "{},", t.oid());
    }
    key
}

/// The name in a 42P05 error ("prepared statement "s3" already exists") when it is one the
/// client library generates (`s` and digits).
pub(super) fn leftover_statement(e: &postgres::Error) -> Option<String> {
    let db = e.as_db_error()?;
    if db.code().code() != "42P05" {
        return None;
    }
    let name = db.message().split('"').nth(1)?;
    let generated =
        name.len() > 1 && name.starts_with('s') && name[1..].bytes().all(|b| b.is_ascii_digit());
    generated.then(|| name.to_owned())
}

/// The 0-based position of the parameter a 42P18 error ("could not determine data type of
/// parameter $N") names.
pub(super) fn untyped_parameter(e: &postgres::Error) -> Option<usize> {
    let db = e.as_db_error()?;
    if db.code().code() != "42P18" {
        return None;
    }
    let digits = db.message().rsplit_once('$')?.1;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<usize>().ok()?.checked_sub(1)
}
