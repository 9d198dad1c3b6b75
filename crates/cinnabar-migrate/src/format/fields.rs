//! Typed access to the fields of one TOML table of a revision file, with errors that name
//! the file, the place (`up step 2 (add_column), column`) and the field, and a check that
//! no unknown field was written (a misspelt `nullabel = true` is an error, not ignored).
//! Used by the revision reader.

use cinnabar_core::{Error, Result};
use toml::{Table, Value};

/// One TOML table being read, and the fields read so far.
pub(super) struct Fields<'a> {
    table: &'a Table,
    file: &'a str,
    at: String,
    used: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// Reads `table`, found at `at` in `file`.
    pub(super) fn new(table: &'a Table, file: &'a str, at: impl Into<String>) -> Self {
        Fields {
            table,
            file,
            at: at.into(),
            used: Vec::new(),
        }
    }

    /// An error about field `key` of this table.
    pub(super) fn error(&self, key: &str, problem: impl std::fmt::Display) -> Error {
        let place = if self.at.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.at)
        };
        Error::misuse(format!("{}: {place}field `{key}`: {problem}", self.file))
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.push(key);
        self.table.get(key)
    }

    /// A required string.
    pub(super) fn string(&mut self, key: &'static str) -> Result<String> {
        self.opt_string(key)?
            .ok_or_else(|| self.error(key, "missing (a string is required)"))
    }

    /// An optional string.
    pub(super) fn opt_string(&mut self, key: &'static str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                Err(self.error(key, format!("expected a string, found {}", kind(other))))
            }
        }
    }

    /// An optional boolean, `false` when absent.
    pub(super) fn flag(&mut self, key: &'static str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(Value::Boolean(b)) => Ok(*b),
            Some(other) => Err(self.error(
                key,
                format!("expected true or false, found {}", kind(other)),
            )),
        }
    }

    /// A required array of strings (may be empty).
    pub(super) fn strings(&mut self, key: &'static str) -> Result<Vec<String>> {
        let Some(value) = self.get(key) else {
            return Err(self.error(key, "missing (an array of strings is required)"));
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                key,
                format!("expected an array of strings, found {}", kind(value)),
            ));
        };
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.error(
                    key,
                    format!("expected an array of strings, found {} in it", kind(other)),
                )),
            })
            .collect()
    }

    /// An optional rule literal: an integer, a float or (with `text`) a string.
    pub(super) fn opt_rule_value(
        &mut self,
        key: &'static str,
        text: bool,
    ) -> Result<Option<cinnabar_core::schema::RuleValue>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => self.rule_value(key, v, text).map(Some),
        }
    }

    /// A required array of rule literals (integers, floats, strings).
    pub(super) fn rule_values(
        &mut self,
        key: &'static str,
    ) -> Result<Vec<cinnabar_core::schema::RuleValue>> {
        let Some(value) = self.get(key) else {
            return Err(self.error(key, "missing (an array of values is required)"));
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                key,
                format!("expected an array of values, found {}", kind(value)),
            ));
        };
        items
            .iter()
            .map(|v| self.rule_value(key, v, true))
            .collect()
    }

    fn rule_value(
        &self,
        key: &'static str,
        v: &Value,
        text: bool,
    ) -> Result<cinnabar_core::schema::RuleValue> {
        use cinnabar_core::schema::RuleValue;
        match v {
            Value::Integer(i) => Ok(RuleValue::Int(*i)),
            Value::Float(f) if f.is_finite() => Ok(RuleValue::Float(*f)),
            Value::String(s) if text => Ok(RuleValue::Text(s.clone())),
            other => Err(self.error(
                key,
                format!(
                    "expected a number{}, found {}",
                    if text { " or a string" } else { "" },
                    kind(other)
                ),
            )),
        }
    }

    /// An optional non-negative integer.
    pub(super) fn opt_count(&mut self, key: &'static str) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) if *i >= 0 => Ok(Some(*i as u64)),
            Some(other) => Err(self.error(
                key,
                format!("expected a non-negative integer, found {}", kind(other)),
            )),
        }
    }

    /// A required table.
    pub(super) fn table(&mut self, key: &'static str) -> Result<Fields<'a>> {
        match self.get(key) {
            None => Err(self.error(key, "missing (a table is required)")),
            Some(Value::Table(t)) => Ok(Fields::new(t, self.file, self.sub(key))),
            Some(other) => Err(self.error(key, format!("expected a table, found {}", kind(other)))),
        }
    }

    /// An optional array of tables, empty when absent.
    pub(super) fn tables(&mut self, key: &'static str) -> Result<Vec<Fields<'a>>> {
        let Some(value) = self.get(key) else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = value else {
            return Err(self.error(
                key,
                format!("expected an array of tables, found {}", kind(value)),
            ));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Table(t) => out.push(Fields::new(
                    t,
                    self.file,
                    format!("{}[{}]", self.sub(key), i + 1),
                )),
                other => {
                    return Err(self.error(
                        key,
                        format!("expected an array of tables, found {} in it", kind(other)),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// Whether the table has `key` (without marking it read).
    pub(super) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    fn sub(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_string()
        } else {
            format!("{}, {key}", self.at)
        }
    }

    /// Fails when the table has a field that was not read.
    pub(super) fn finish(self) -> Result<()> {
        match self.table.keys().find(|k| !self.used.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => {
                let mut known = self.used.clone();
                known.sort_unstable();
                known.dedup();
                Err(self.error(
                    k,
                    format!("unknown field (known here: {})", known.join(", ")),
                ))
            }
        }
    }
}

/// What kind of TOML value `v` is, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

impl Fields<'_> {
    /// The same table, with messages placed at `at`.
    pub(super) fn rename(mut self, at: String) -> Self {
        self.at = at;
        self
    }
}
