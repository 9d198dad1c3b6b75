//! The context a recipe builds into: it turns hostile seeds into unique, recognisable
//! identifiers and values and records each use, with what the compile must refuse.
//!
//! Markers: identifiers carry `⟦iN⟧` (or `⟦sN⟧` for the static names of typed columns),
//! text and blob values `⟪vN⟫`, integers and floats a unique number of ten or more digits.
//! No hostile fragment contains a marker bracket, so the oracle can find each use.

use cinnabar_core::dialect::Dialect;
use cinnabar_core::{ErrorKind, Value};

use super::hostile::{Name, Poison, ValueSeed, NUL};

/// One identifier the recipe handed to the builder.
#[derive(Debug, Clone)]
pub(crate) struct IdentUse {
    /// The identifier, exactly as given to the builder.
    pub(crate) name: String,
    /// Its marker, if marked.
    pub(crate) marker: Option<String>,
    /// May legitimately be absent from the SQL and unchecked (e.g. the operand of an
    /// empty `IN ()`).
    pub(crate) droppable: bool,
    /// Checked, but may be absent from the SQL (e.g. MySQL's upsert names no conflict target).
    pub(crate) unrendered: bool,
}

/// How a value is recognised in the SQL text and among the bound parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Probe {
    /// A text or blob value holding this marker.
    Marker(String),
    /// A number with this decimal spelling (at least ten digits).
    Number(String),
}

/// One value the recipe handed to the builder.
#[derive(Debug, Clone)]
pub(crate) struct ValueUse {
    /// The value.
    pub(crate) value: Value,
    /// How to recognise it, when it can be recognised.
    pub(crate) probe: Option<Probe>,
    /// May legitimately be absent from the parameters.
    pub(crate) droppable: bool,
    /// May legitimately be bound more than once (a row-value comparison the dialect expands
    /// to AND/OR repeats its operands).
    pub(crate) duplicable: bool,
}

/// The dialects a refusal applies to.
pub(crate) type OnDialects = Box<dyn Fn(&dyn Dialect) -> bool>;

/// A refusal the compile must (or, inside a droppable part, may) produce on some dialects.
pub(crate) struct Refusal {
    /// The error kind.
    pub(crate) kind: ErrorKind,
    /// The dialects it applies to.
    pub(crate) on: OnDialects,
    /// Whether the refusal is certain (false inside a droppable part).
    pub(crate) certain: bool,
    /// What it is about, for failure messages.
    pub(crate) why: &'static str,
}

impl std::fmt::Debug for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} ({})", self.kind, self.why)
    }
}

/// What one recipe used.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    next: u32,
    droppable: u32,
    unrendered: u32,
    /// The clause being built where window functions are refused (`WHERE`, ...).
    pub(crate) window_ban: Option<&'static str>,
    /// The SELECT about to be built is an operand of a set operation (FOR UPDATE refused
    /// there); the SELECT takes it, so the subqueries inside it do not see it.
    pub(crate) set_operand: bool,
    /// Identifiers, in the order handed out.
    pub(crate) idents: Vec<IdentUse>,
    /// Values, in the order handed out.
    pub(crate) values: Vec<ValueUse>,
    /// Refusals expected besides the identifier checks.
    pub(crate) refusals: Vec<Refusal>,
    /// Words the SQL may contain beyond the keywords (validated function names).
    pub(crate) bare_words: Vec<String>,
}

impl Ctx {
    fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// The identifier for `name`: its fragments around a fresh marker, then its poison.
    pub(crate) fn ident(&mut self, name: &Name) -> String {
        let n = self.fresh();
        let marker = name.marked.then(|| format!("⟦i{n}⟧"));
        let mut s = String::new();
        s.push_str(&name.pre);
        if let Some(m) = &marker {
            s.push_str(m);
        }
        match name.poison {
            Poison::None => {}
            Poison::Nul => s.push_str(NUL),
            Poison::Long(chars) => {
                let pad = if name.pad.is_empty() { "x" } else { name.pad };
                while s.chars().count() + name.post.chars().count() < chars {
                    s.push_str(pad);
                }
            }
        }
        s.push_str(&name.post);
        self.record_ident(s.clone(), marker);
        s
    }

    /// Records a name the recipe did not get from [`Ctx::ident`] (a typed column's static
    /// name), with its marker if it has one.
    pub(crate) fn record_ident(&mut self, name: String, marker: Option<String>) {
        let droppable = self.droppable > 0;
        let unrendered = self.unrendered > 0;
        self.idents.push(IdentUse {
            name,
            marker,
            droppable,
            unrendered,
        });
    }

    /// The value for `seed`, made unique and recognisable where its type allows.
    pub(crate) fn value(&mut self, seed: &ValueSeed) -> Value {
        let n = self.fresh();
        let marker = format!("⟪v{n}⟫");
        let (value, probe) = match seed {
            ValueSeed::Text(a, b) => (
                Value::Text(format!("{a}{marker}{b}")),
                Some(Probe::Marker(marker)),
            ),
            ValueSeed::Blob(a, b) => {
                let mut bytes = a.clone();
                bytes.extend_from_slice(marker.as_bytes());
                bytes.extend_from_slice(b);
                (Value::Blob(bytes), Some(Probe::Marker(marker)))
            }
            ValueSeed::MarkedInt(k) => {
                // Ten or more digits with a run of zeros: no LIMIT the dialects write
                // (u64::MAX, i64::MAX) contains one.
                let sign = if k % 2 == 0 { 1 } else { -1 };
                let v = sign * (i64::from(n) * 1_000_000_007 + i64::from(*k % 1000));
                (
                    Value::Int(v),
                    Some(Probe::Number(v.unsigned_abs().to_string())),
                )
            }
            ValueSeed::MarkedReal(k) => {
                let v = f64::from(n) * 1_000_000_007.0 + f64::from(*k % 1000) + 0.25;
                (
                    Value::Real(v),
                    Some(Probe::Number(format!("{}", v.trunc()))),
                )
            }
            ValueSeed::Int(v) => (Value::Int(*v), None),
            ValueSeed::Real(v) => (Value::Real(*v), None),
            ValueSeed::Bool(b) => (Value::Bool(*b), None),
            ValueSeed::Null => (Value::Null, None),
        };
        let droppable = self.droppable > 0;
        self.values.push(ValueUse {
            value: value.clone(),
            probe,
            droppable,
            duplicable: false,
        });
        value
    }

    /// Expects the compile to refuse with `kind` on the dialects `on` says.
    pub(crate) fn refuse(
        &mut self,
        kind: ErrorKind,
        on: impl Fn(&dyn Dialect) -> bool + 'static,
        why: &'static str,
    ) {
        let certain = self.droppable == 0;
        self.refusals.push(Refusal {
            kind,
            on: Box::new(on),
            certain,
            why,
        });
    }

    /// Builds a part the compiler may leave out of the SQL (the operand of an empty
    /// `IN ()`): what it uses may be absent, and what it would refuse may pass.
    pub(crate) fn droppable<T>(&mut self, f: impl FnOnce(&mut Ctx) -> T) -> T {
        self.droppable += 1;
        let t = f(self);
        self.droppable -= 1;
        t
    }

    /// Builds names the compiler checks but a dialect may not write (a conflict target).
    pub(crate) fn unrendered<T>(&mut self, f: impl FnOnce(&mut Ctx) -> T) -> T {
        self.unrendered += 1;
        let t = f(self);
        self.unrendered -= 1;
        t
    }

    /// Builds the expressions of a clause where databases refuse window functions.
    pub(crate) fn in_clause<T>(
        &mut self,
        clause: &'static str,
        f: impl FnOnce(&mut Ctx) -> T,
    ) -> T {
        let outer = self.window_ban.replace(clause);
        let t = f(self);
        self.window_ban = outer;
        t
    }

    /// Builds a whole SELECT: window functions are allowed again inside it.
    pub(crate) fn in_select<T>(&mut self, f: impl FnOnce(&mut Ctx) -> T) -> T {
        let outer = self.window_ban.take();
        let t = f(self);
        self.window_ban = outer;
        t
    }

    /// Builds a set operation's operand.
    pub(crate) fn set_operand<T>(&mut self, f: impl FnOnce(&mut Ctx) -> T) -> T {
        self.set_operand = true;
        let t = f(self);
        self.set_operand = false;
        t
    }

    /// Uses again a name handed out before (a CTE referred to by its name), recording the
    /// new use.
    pub(crate) fn reuse(&mut self, name: &str) -> String {
        let marker = self
            .idents
            .iter()
            .find(|u| u.name == name)
            .and_then(|u| u.marker.clone());
        self.record_ident(name.to_owned(), marker);
        name.to_owned()
    }

    /// A hostile name the builder must refuse and never write (a function name): its
    /// fragments around a fresh `⟦rN⟧` marker, which the oracle finds anywhere outside a
    /// used quoted identifier.
    pub(crate) fn rejected_name(&mut self, pre: &str, post: &str) -> String {
        let n = self.fresh();
        format!("{pre}⟦r{n}⟧{post}")
    }

    /// Allows `word` to appear bare in the SQL (a function name the builder validated).
    pub(crate) fn allow_word(&mut self, word: &str) {
        self.bare_words.push(word.to_owned());
    }

    /// Marks the values handed out since `since` (a length of [`Ctx::values`]) as ones a
    /// row-value expansion may bind more than once.
    pub(crate) fn duplicable_since(&mut self, since: usize) {
        for v in &mut self.values[since..] {
            v.duplicable = true;
        }
    }
}
