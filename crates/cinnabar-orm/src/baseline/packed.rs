//! A row's column values packed into one byte buffer, the compact form of a [`Baseline`]
//! (super): per column, in table order, a tag byte and its payload.
//!
//! | tag | value | payload |
//! |---|---|---|
//! | 0 | NULL | none |
//! | 1, 2 | false, true | none |
//! | 3 | integer | zigzag LEB128 varint |
//! | 4 | real | 8 bytes, little-endian |
//! | 5, 6 | text, blob | varint length, then the bytes |
//!
//! Other values (dates, UUIDs, decimals, JSON) are not packed: the baseline is then a full
//! copy. Comparing a packed column with the object's column is comparing SQL values, as the
//! flush writes them.
//!
//! [`Baseline`]: super::Baseline

use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use crate::model::Model;
use crate::persist::column_set::ColumnSet;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const REAL: u8 = 4;
const TEXT: u8 = 5;
const BLOB: u8 = 6;

/// One packed column, borrowing the buffer.
#[derive(Debug, Clone, Copy)]
enum Col<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl<'a> Col<'a> {
    /// Whether the object's value `v` is this one (as SQL values: `f64` equality for reals).
    fn same(self, v: &ValueRef<'_>) -> bool {
        match (self, v) {
            (Col::Null, ValueRef::Null) => true,
            (Col::Bool(a), ValueRef::Bool(b)) => a == *b,
            (Col::Int(a), ValueRef::Int(b)) => a == *b,
            (Col::Real(a), ValueRef::Real(b)) => a == *b,
            (Col::Text(a), ValueRef::Text(b)) => a == b.as_bytes(),
            (Col::Blob(a), ValueRef::Blob(b)) => a == *b,
            _ => false,
        }
    }

    fn value(self) -> Result<ValueRef<'a>> {
        Ok(match self {
            Col::Null => ValueRef::Null,
            Col::Bool(b) => ValueRef::Bool(b),
            Col::Int(n) => ValueRef::Int(n),
            Col::Real(x) => ValueRef::Real(x),
            Col::Text(b) => ValueRef::Text(std::str::from_utf8(b).map_err(|_| damaged())?),
            Col::Blob(b) => ValueRef::Blob(b),
        })
    }
}

fn damaged() -> Error {
    Error::new(ErrorKind::Conversion, "a packed baseline is damaged")
}

fn varint_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Writes into a buffer sized by [`size`].
struct Out<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Out<'_> {
    fn push(&mut self, b: u8) {
        self.buf[self.pos] = b;
        self.pos += 1;
    }

    fn extend(&mut self, b: &[u8]) {
        self.buf[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.push(n as u8);
    }
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// The packed size of `v`, `None` for a value this format does not hold.
fn size(v: &ValueRef<'_>) -> Option<usize> {
    Some(
        1 + match v {
            ValueRef::Null | ValueRef::Bool(_) => 0,
            ValueRef::Int(n) => varint_len(zigzag(*n)),
            ValueRef::Real(_) => 8,
            ValueRef::Text(s) => varint_len(s.len() as u64) + s.len(),
            ValueRef::Blob(b) => varint_len(b.len() as u64) + b.len(),
            #[allow(unreachable_patterns)] // the other variants exist with core's features
            _ => return None,
        },
    )
}

fn put(out: &mut Out<'_>, v: &ValueRef<'_>) {
    match v {
        ValueRef::Null => out.push(NULL),
        ValueRef::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        ValueRef::Int(n) => {
            out.push(INT);
            out.varint(zigzag(*n));
        }
        ValueRef::Real(x) => {
            out.push(REAL);
            out.extend(&x.to_le_bytes());
        }
        ValueRef::Text(s) => {
            out.push(TEXT);
            out.varint(s.len() as u64);
            out.extend(s.as_bytes());
        }
        ValueRef::Blob(b) => {
            out.push(BLOB);
            out.varint(b.len() as u64);
            out.extend(b);
        }
        #[allow(unreachable_patterns)] // `size` refused them before
        _ => {}
    }
}

/// What [`put_at`] did.
enum Put {
    /// Written; the position after it.
    Done(usize),
    /// The buffer has no room for it.
    Full,
    /// Not one of the packed types.
    Unsupported,
}

/// Writes `v` at `pos` in `buf` with one bounds check (the common short cases first).
#[inline(always)]
fn put_at(buf: &mut [u8], pos: usize, v: &ValueRef<'_>) -> Put {
    let tag = |buf: &mut [u8], t: u8| match buf.get_mut(pos) {
        Some(b) => {
            *b = t;
            Put::Done(pos + 1)
        }
        None => Put::Full,
    };
    match v {
        ValueRef::Null => tag(buf, NULL),
        ValueRef::Bool(b) => tag(buf, if *b { TRUE } else { FALSE }),
        ValueRef::Int(n) => {
            let z = zigzag(*n);
            if z < 0x80 {
                return match buf.get_mut(pos..pos + 2) {
                    Some(dst) => {
                        dst[0] = INT;
                        dst[1] = z as u8;
                        Put::Done(pos + 2)
                    }
                    None => Put::Full,
                };
            }
            if z < 1 << 21 {
                // Keys up to two million: three bytes.
                let n = if z < 1 << 14 { 3 } else { 4 };
                return match buf.get_mut(pos..pos + n) {
                    Some(dst) => {
                        dst[0] = INT;
                        dst[1] = (z as u8) | 0x80;
                        if n == 3 {
                            dst[2] = (z >> 7) as u8;
                        } else {
                            dst[2] = ((z >> 7) as u8) | 0x80;
                            dst[3] = (z >> 14) as u8;
                        }
                        Put::Done(pos + n)
                    }
                    None => Put::Full,
                };
            }
            put_general(buf, pos, v)
        }
        ValueRef::Real(x) => match buf.get_mut(pos..pos + 9) {
            Some(dst) => {
                dst[0] = REAL;
                dst[1..].copy_from_slice(&x.to_le_bytes());
                Put::Done(pos + 9)
            }
            None => Put::Full,
        },
        ValueRef::Text(s) => put_bytes(buf, pos, TEXT, s.as_bytes(), v),
        ValueRef::Blob(b) => put_bytes(buf, pos, BLOB, b, v),
        #[allow(unreachable_patterns)] // the other variants exist with core's features
        _ => Put::Unsupported,
    }
}

#[inline(always)]
fn put_bytes(buf: &mut [u8], pos: usize, tag: u8, b: &[u8], v: &ValueRef<'_>) -> Put {
    if b.len() < 0x80 {
        return match buf.get_mut(pos..pos + 2 + b.len()) {
            Some(dst) => {
                dst[0] = tag;
                dst[1] = b.len() as u8;
                dst[2..].copy_from_slice(b);
                Put::Done(pos + 2 + b.len())
            }
            None => Put::Full,
        };
    }
    put_general(buf, pos, v)
}

/// [`put_at`] for the longer cases, through [`Out`].
fn put_general(buf: &mut [u8], pos: usize, v: &ValueRef<'_>) -> Put {
    let Some(n) = size(v) else {
        return Put::Unsupported;
    };
    match buf.get_mut(pos..pos + n) {
        Some(dst) => {
            let mut out = Out { buf: dst, pos: 0 };
            put(&mut out, v);
            Put::Done(pos + n)
        }
        None => Put::Full,
    }
}

/// Packs `value`'s columns into `inline` when they fit (returning their length), else into
/// a buffer of their own; `None` when a column cannot be read or is not one of the simple
/// types. One pass: a row that outgrows `inline` is moved to the buffer where it stops.
#[inline]
pub(super) fn pack<T: Model>(value: &T, inline: &mut [u8]) -> Option<Packed> {
    let mut pos = 0;
    for i in 0..T::COLUMNS.len() {
        let v = value.column_value(i).ok()?;
        match put_at(inline, pos, &v) {
            Put::Done(p) => pos = p,
            Put::Full => return pack_long(value, i, &inline[..pos]).map(Packed::Long),
            Put::Unsupported => return None,
        }
    }
    Some(Packed::Inline(pos))
}

/// Where [`pack`] put a row.
pub(super) enum Packed {
    /// The first this many bytes of the inline buffer.
    Inline(usize),
    /// A buffer of its own.
    Long(Box<[u8]>),
}

/// [`pack`]'s second half for a long row: `head` holds columns `..from`.
#[cold]
fn pack_long<T: Model>(value: &T, from: usize, head: &[u8]) -> Option<Box<[u8]>> {
    let mut total = head.len();
    for i in from..T::COLUMNS.len() {
        total += size(&value.column_value(i).ok()?)?;
    }
    let mut buf = vec![0u8; total].into_boxed_slice();
    buf[..head.len()].copy_from_slice(head);
    let mut pos = head.len();
    for i in from..T::COLUMNS.len() {
        match put_at(&mut buf, pos, &value.column_value(i).ok()?) {
            Put::Done(p) => pos = p,
            Put::Full | Put::Unsupported => return None,
        }
    }
    debug_assert_eq!(pos, total);
    Some(buf)
}

/// Reads the packed columns in order; `None` marks a damaged buffer (which only a bug
/// could make: the buffers are written by [`pack`] alone).
struct Cols<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cols<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cols { buf, pos: 0 }
    }

    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    #[inline]
    fn varint(&mut self) -> Option<u64> {
        let b = self.byte()?;
        if b < 0x80 {
            return Some(u64::from(b));
        }
        let mut n = u64::from(b & 0x7f);
        let mut shift = 7;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return None;
            }
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
            shift += 7;
        }
    }

    #[inline]
    fn bytes(&mut self, len: u64) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(usize::try_from(len).ok()?)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(b)
    }

    #[inline]
    fn next_col(&mut self) -> Option<Col<'a>> {
        Some(match self.byte()? {
            NULL => Col::Null,
            FALSE => Col::Bool(false),
            TRUE => Col::Bool(true),
            INT => Col::Int(unzigzag(self.varint()?)),
            REAL => {
                let b: [u8; 8] = self.bytes(8)?.try_into().ok()?;
                Col::Real(f64::from_le_bytes(b))
            }
            TEXT => {
                let len = self.varint()?;
                Col::Text(self.bytes(len)?)
            }
            BLOB => {
                let len = self.varint()?;
                Col::Blob(self.bytes(len)?)
            }
            _ => return None,
        })
    }
}

/// The recorded value of column `idx`.
pub(super) fn column(buf: &[u8], idx: usize) -> Result<ValueRef<'_>> {
    let mut cols = Cols::new(buf);
    for _ in 0..idx {
        cols.next_col().ok_or_else(damaged)?;
    }
    cols.next_col().ok_or_else(damaged)?.value()
}

/// Reads a varint at `pos` (one byte for short ones).
#[inline(always)]
fn varint_at(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let b = *buf.get(*pos)?;
    if b < 0x80 {
        *pos += 1;
        return Some(u64::from(b));
    }
    let mut n = u64::from(b & 0x7f);
    let mut shift = 7;
    let mut at = *pos + 1;
    loop {
        let b = *buf.get(at)?;
        at += 1;
        if shift >= 64 {
            return None;
        }
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            *pos = at;
            return Some(n);
        }
        shift += 7;
    }
}

/// Whether the packed column at `pos` is `v` (an unreadable column is not), moving `pos`
/// past it; `None` for a damaged buffer.
#[inline(always)]
fn same_at(buf: &[u8], pos: &mut usize, v: &Result<ValueRef<'_>>) -> Option<bool> {
    let tag = *buf.get(*pos)?;
    *pos += 1;
    Some(match tag {
        NULL => matches!(v, Ok(ValueRef::Null)),
        FALSE => matches!(v, Ok(ValueRef::Bool(false))),
        TRUE => matches!(v, Ok(ValueRef::Bool(true))),
        INT => {
            let n = unzigzag(varint_at(buf, pos)?);
            matches!(v, Ok(ValueRef::Int(m)) if *m == n)
        }
        REAL => {
            let b: [u8; 8] = buf.get(*pos..pos.checked_add(8)?)?.try_into().ok()?;
            *pos += 8;
            matches!(v, Ok(ValueRef::Real(y)) if *y == f64::from_le_bytes(b))
        }
        TEXT | BLOB => {
            let len = usize::try_from(varint_at(buf, pos)?).ok()?;
            let b = buf.get(*pos..pos.checked_add(len)?)?;
            *pos += len;
            match v {
                Ok(ValueRef::Text(s)) => tag == TEXT && s.as_bytes() == b,
                Ok(ValueRef::Blob(x)) => tag == BLOB && *x == b,
                _ => false,
            }
        }
        _ => return None,
    })
}

/// Adds to `mask` every column in which `current` differs from `buf` (a column that cannot
/// be read or compared counts as changed: its UPDATE then reports the error).
pub(super) fn changed_into<T: Model>(buf: &[u8], current: &T, mask: &mut ColumnSet) {
    let mut pos = 0;
    for i in 0..T::COLUMNS.len() {
        match same_at(buf, &mut pos, &current.column_value(i)) {
            Some(true) => {}
            Some(false) => mask.insert(i),
            None => {
                // Damaged (a bug): everything from here on counts as changed.
                (i..T::COLUMNS.len()).for_each(|j| mask.insert(j));
                return;
            }
        }
    }
}

/// Whether `current` differs from `buf` in any of the columns `which`.
pub(super) fn changed<T: Model>(buf: &[u8], current: &T, which: &[usize]) -> bool {
    let mut pos = 0;
    let mut left = which.len();
    for i in 0..T::COLUMNS.len() {
        if left == 0 {
            return false;
        }
        let v = if which.contains(&i) {
            left -= 1;
            current.column_value(i)
        } else {
            Ok(ValueRef::Null)
        };
        match same_at(buf, &mut pos, &v) {
            Some(same) if !same && which.contains(&i) => return true,
            Some(_) => {}
            None => return true,
        }
    }
    false
}

/// Sets `value`'s columns to the recorded ones (those that differ).
pub(super) fn restore<T: Model>(buf: &[u8], value: &mut T) {
    let mut cols = Cols::new(buf);
    for i in 0..T::COLUMNS.len() {
        let result = cols.next_col().ok_or_else(damaged).and_then(|c| {
            if value.column_value(i).is_ok_and(|v| c.same(&v)) {
                return Ok(());
            }
            value.set_column(i, c.value()?)
        });
        if let Err(e) = result {
            // The values came from this object's own columns, so they convert back; a
            // type whose `FromSql` refuses its own `ToSql` output keeps its current value.
            tracing::error!(
                target: "cinnabar::session",
                error = %e,
                "column {} of a {} could not be put back to its state before the change",
                T::COLUMNS[i],
                T::model_name()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(values: &[ValueRef<'_>]) -> Vec<u8> {
        let total: usize = values.iter().map(|v| size(v).expect("packable")).sum();
        let mut buf = vec![0u8; total];
        let mut out = Out {
            buf: &mut buf,
            pos: 0,
        };
        for v in values {
            put(&mut out, v);
        }
        assert_eq!(out.pos, total);
        buf
    }

    #[test]
    fn values_come_back_as_packed() {
        let values = [
            ValueRef::Null,
            ValueRef::Bool(false),
            ValueRef::Bool(true),
            ValueRef::Int(0),
            ValueRef::Int(-1),
            ValueRef::Int(63),
            ValueRef::Int(64),
            ValueRef::Int(i64::MIN),
            ValueRef::Int(i64::MAX),
            ValueRef::Real(-0.5),
            ValueRef::Real(f64::MAX),
            ValueRef::Text(""),
            ValueRef::Text("ünïcödé ✓"),
            ValueRef::Blob(&[]),
            ValueRef::Blob(&[0, 255, 128]),
        ];
        let buf = encode(&values);
        let mut cols = Cols::new(&buf);
        for v in &values {
            let c = cols.next_col().expect("decodes");
            assert!(c.same(v), "{v:?} came back as {c:?}");
            assert_eq!(c.value().expect("valid"), *v);
        }
        assert_eq!(cols.pos, buf.len());
        // Small integers take one byte after the tag; the extremes ten.
        assert_eq!(encode(&[ValueRef::Int(-64)]).len(), 2);
        assert_eq!(encode(&[ValueRef::Int(i64::MIN)]).len(), 11);
    }

    #[test]
    fn the_fast_writer_and_reader_agree_with_the_format() {
        let long = "é".repeat(100);
        let values = [
            ValueRef::Null,
            ValueRef::Bool(true),
            ValueRef::Int(63),
            ValueRef::Int(64),
            ValueRef::Int(-65),
            ValueRef::Int(8191),
            ValueRef::Int(8192),
            ValueRef::Int(-8193),
            ValueRef::Int(1 << 20),
            ValueRef::Int((1 << 20) - 1),
            ValueRef::Int(-(1 << 20) - 1),
            ValueRef::Int(i64::MIN),
            ValueRef::Real(3.25),
            ValueRef::Text(""),
            ValueRef::Text("short"),
            ValueRef::Text(&long),
            ValueRef::Blob(&[1; 200]),
        ];
        for v in &values {
            let expected = encode(std::slice::from_ref(v));
            let mut buf = vec![0u8; expected.len() + 3];
            match put_at(&mut buf, 3, v) {
                Put::Done(end) => assert_eq!(&buf[3..end], &expected[..], "{v:?}"),
                _ => panic!("{v:?} not written"),
            }
            let mut small = vec![0u8; expected.len() - 1];
            assert!(matches!(put_at(&mut small, 0, v), Put::Full), "{v:?}");
            let mut pos = 0;
            assert_eq!(same_at(&expected, &mut pos, &Ok(*v)), Some(true), "{v:?}");
            assert_eq!(pos, expected.len());
            let other = ValueRef::Text("other");
            let mut pos = 0;
            assert_eq!(
                same_at(&expected, &mut pos, &Ok(other)),
                Some(false),
                "{v:?}"
            );
            let mut pos = 0;
            let unreadable = Err(cinnabar_core::Error::misuse("unreadable"));
            assert_eq!(same_at(&expected, &mut pos, &unreadable), Some(false));
        }
    }

    #[test]
    fn different_values_and_types_are_not_the_same() {
        let buf = encode(&[ValueRef::Text("1"), ValueRef::Int(1), ValueRef::Null]);
        let mut cols = Cols::new(&buf);
        let text = cols.next_col().expect("decodes");
        assert!(!text.same(&ValueRef::Int(1)));
        assert!(!text.same(&ValueRef::Blob(b"1")));
        assert!(!text.same(&ValueRef::Text("2")));
        let int = cols.next_col().expect("decodes");
        assert!(!int.same(&ValueRef::Real(1.0)));
        assert!(!int.same(&ValueRef::Int(2)));
        let null = cols.next_col().expect("decodes");
        assert!(!null.same(&ValueRef::Text("")));
    }

    #[test]
    fn a_damaged_buffer_is_an_error_not_a_panic() {
        let buf = encode(&[ValueRef::Text("abc")]);
        for cut in 0..buf.len() {
            assert!(Cols::new(&buf[..cut]).next_col().is_none(), "cut at {cut}");
            assert!(column(&buf[..cut], 0).is_err(), "cut at {cut}");
        }
        assert!(Cols::new(&[99]).next_col().is_none());
        assert!(
            Cols::new(&[TEXT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
                .next_col()
                .is_none()
        );
    }
}
