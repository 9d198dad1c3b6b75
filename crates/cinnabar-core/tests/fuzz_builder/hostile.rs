//! Hostile strings: quotes of every kind, escapes, comment openers, statement separators,
//! NUL bytes, placeholder and parameter spellings of every driver, format strings, unicode
//! look-alikes and invisible characters, SQL that reads as SQL, and very long runs. Used as
//! values and as identifiers (see [`Name`] and [`ValueSeed`]).

use proptest::prelude::*;

/// Fragments glued together into hostile strings. No fragment holds a marker bracket
/// (`⟦ ⟧ ⟪ ⟫`), so a marker found in SQL text can only come from the context.
pub(crate) const FRAGMENTS: &[&str] = &[
    "'",
    "''",
    "\"",
    "\"\"",
    "`",
    "``",
    "[",
    "]",
    "[x]",
    "\\",
    "\\'",
    "\\\"",
    "\\`",
    "\\\\",
    "--",
    "-- ",
    "--\n",
    "#",
    "# x\n",
    "/*",
    "*/",
    "/* c */",
    "/*!",
    "/*!50000 ",
    "/*M!",
    ";",
    "; ",
    "?",
    "?1",
    "?123",
    "$1",
    "$2",
    "$$",
    "$tag$",
    "E'",
    "e'\\'",
    "N'",
    "X'00'",
    ":name",
    ":1",
    "::",
    "::text",
    "@x",
    "@@version",
    "%s",
    "%d",
    "%",
    "_",
    "{}",
    "{0}",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\u{0b}",
    "\u{0c}",
    "é",
    "名前",
    "🦀",
    "\u{200b}",
    "\u{202e}",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\u{a0}",
    "ʼ",
    "＂",
    "＇",
    "‘",
    "’",
    "“",
    "”",
    "\u{7f}",
    "\u{1}",
    "a",
    "x",
    "1",
    "0x1F",
    "1e9",
    "NULL",
    "SELECT",
    "DROP TABLE students",
    "1=1",
    " OR 1=1",
    "'; DROP TABLE students; --",
    "\" OR \"\"=\"",
    "` OR 1 -- ",
    "') OR ('1'='1",
    " UNION SELECT password FROM users",
    "); DELETE FROM t; --",
    "$body$ x $body$",
    "*/ DROP TABLE t /*",
    "\\'; --",
];

/// The brackets of the context's markers, never produced here.
pub(crate) const MARKER_BRACKETS: [char; 4] = ['⟦', '⟧', '⟪', '⟫'];

/// The NUL byte, which no database accepts in a name.
pub(crate) const NUL: &str = "\0";

/// One fragment.
pub(crate) fn fragment() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(FRAGMENTS)
}

/// A hostile string: a few fragments, arbitrary characters, or a very long run.
pub(crate) fn string(max_len: usize) -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::collection::vec(fragment(), 0..6).prop_map(|v| v.concat()),
        2 => any::<String>().prop_map(|s| s
            .chars()
            .filter(|c| !MARKER_BRACKETS.contains(c))
            .take(24)
            .collect()),
        1 => (fragment(), 1..max_len.max(2)).prop_map(|(f, n)| f.repeat(n)),
    ]
    .boxed()
}

/// What can be wrong with a name on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poison {
    /// Nothing.
    None,
    /// A NUL byte in the middle: every dialect must refuse it.
    Nul,
    /// Padded with a fragment to about this many characters (multi-byte fragments make the
    /// byte and character limits disagree).
    Long(usize),
}

/// A hostile identifier before the context marks it.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    /// Text before the marker.
    pub(crate) pre: String,
    /// Text after the marker.
    pub(crate) post: String,
    /// Whether it carries a marker (unmarked names are checked structurally only).
    pub(crate) marked: bool,
    /// What is wrong with it on purpose.
    pub(crate) poison: Poison,
    /// The padding fragment for [`Poison::Long`].
    pub(crate) pad: &'static str,
}

/// A short hostile string for names: at most 12 characters, so only poisoned names reach
/// a dialect's limit.
fn short() -> BoxedStrategy<String> {
    string(4).prop_map(|s| s.chars().take(12).collect()).boxed()
}

/// A hostile identifier; about one in three hundred is poisoned (NUL, or long around and past
/// the limits of 63 bytes and 64 characters), so most statements compile.
pub(crate) fn name() -> BoxedStrategy<Name> {
    let poison = prop_oneof![
        598 => Just(Poison::None),
        1 => Just(Poison::Nul),
        1 => (50usize..130).prop_map(Poison::Long),
    ];
    (
        short(),
        short(),
        prop::bool::weighted(0.9),
        poison,
        fragment(),
    )
        .prop_map(|(pre, post, marked, poison, pad)| Name {
            pre,
            post,
            marked,
            poison,
            pad,
        })
        .boxed()
}

/// A value before the context marks it.
#[derive(Debug, Clone)]
pub(crate) enum ValueSeed {
    /// Text around a marker.
    Text(String, String),
    /// Bytes around a marker (NUL, invalid UTF-8 included).
    Blob(Vec<u8>, Vec<u8>),
    /// An integer the context makes unique and recognisable.
    MarkedInt(u16),
    /// A float the context makes unique and recognisable.
    MarkedReal(u16),
    /// An integer edge case (not recognisable in SQL text, counted only).
    Int(i64),
    /// A float edge case (NaN, infinities, -0.0, ...).
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// NULL.
    Null,
}

/// A hostile value.
pub(crate) fn value() -> BoxedStrategy<ValueSeed> {
    let edge_int = prop::sample::select(vec![0i64, 1, -1, i64::MIN, i64::MAX, 42]);
    let edge_real = prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.5,
        f64::MIN_POSITIVE,
        f64::MAX,
    ]);
    prop_oneof![
        8 => (string(400), string(400)).prop_map(|(a, b)| ValueSeed::Text(a, b)),
        2 => (
            prop::collection::vec(any::<u8>(), 0..12),
            prop::collection::vec(any::<u8>(), 0..12)
        )
            .prop_map(|(a, b)| ValueSeed::Blob(a, b)),
        2 => any::<u16>().prop_map(ValueSeed::MarkedInt),
        1 => any::<u16>().prop_map(ValueSeed::MarkedReal),
        1 => edge_int.prop_map(ValueSeed::Int),
        1 => edge_real.prop_map(ValueSeed::Real),
        1 => any::<bool>().prop_map(ValueSeed::Bool),
        1 => Just(ValueSeed::Null),
    ]
    .boxed()
}
