//! [`KeyHash`]: key values as hash-map keys, for grouping loaded children by foreign key.

use cinnabar_core::ValueRef;

/// A hashable form of a key value, for grouping loaded children by foreign key. It borrows
/// the value (no copy per row); integers and booleans compare as integers.
#[derive(Debug, Clone)]
pub(crate) enum KeyHash<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    /// A typed value (UUID, date, decimal) in the text form databases that lack its type
    /// store: equal to the same [`KeyHash::Text`], so a parent's typed key finds children whose
    /// foreign key came back from the row as text.
    TextForm(String),
    Blob(&'a [u8]),
    Other(ValueRef<'a>),
}

impl<'a> KeyHash<'a> {
    pub(crate) fn of(v: ValueRef<'a>) -> KeyHash<'a> {
        match v {
            ValueRef::Null => KeyHash::Null,
            ValueRef::Int(i) => KeyHash::Int(i),
            ValueRef::Bool(b) => KeyHash::Int(i64::from(b)),
            ValueRef::Text(s) => KeyHash::Text(s),
            ValueRef::Blob(b) => KeyHash::Blob(b),
            other => match other.text_form() {
                Some(t) => KeyHash::TextForm(t),
                None => KeyHash::Other(other),
            },
        }
    }
}

impl PartialEq for KeyHash<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (KeyHash::Null, KeyHash::Null) => true,
            (KeyHash::Int(a), KeyHash::Int(b)) => a == b,
            (KeyHash::Text(a), KeyHash::Text(b)) => a == b,
            (KeyHash::TextForm(a), KeyHash::TextForm(b)) => a == b,
            (KeyHash::Text(a), KeyHash::TextForm(b)) | (KeyHash::TextForm(b), KeyHash::Text(a)) => {
                *a == b.as_str()
            }
            (KeyHash::Blob(a), KeyHash::Blob(b)) => a == b,
            (KeyHash::Other(a), KeyHash::Other(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for KeyHash<'_> {}

impl std::hash::Hash for KeyHash<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        /// Feeds formatted text to the hasher without building a string.
        struct Feed<'h, H>(&'h mut H);
        impl<H: std::hash::Hasher> std::fmt::Write for Feed<'_, H> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.write(s.as_bytes());
                Ok(())
            }
        }
        // Text and TextForm are equal when their text is: they hash alike.
        let tag: u8 = match self {
            KeyHash::Null => 0,
            KeyHash::Int(_) => 1,
            KeyHash::Text(_) | KeyHash::TextForm(_) => 2,
            KeyHash::Blob(_) => 3,
            KeyHash::Other(_) => 4,
        };
        tag.hash(state);
        match self {
            KeyHash::Null => {}
            KeyHash::Int(i) => i.hash(state),
            KeyHash::Text(s) => s.hash(state),
            KeyHash::TextForm(s) => s.as_str().hash(state),
            KeyHash::Blob(b) => b.hash(state),
            // Equal values print alike (0.0 and -0.0, equal as floats, hash alike too).
            KeyHash::Other(ValueRef::Real(f)) => (f + 0.0).to_bits().hash(state),
            KeyHash::Other(v) => {
                let _ = std::fmt::Write::write_fmt(&mut Feed(state), format_args!("{v:?}"));
            }
        }
    }
}
