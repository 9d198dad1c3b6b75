//! Small text writers every dialect and the compiler use: quoted identifiers
//! ([`quote_with`]) and decimal integers without `fmt` ([`push_u64`]).

/// Whether `bytes` holds `b`. Identifiers are short: a plain loop beats `memchr`'s setup,
/// which cost as much as the rest of writing a quoted name (the compiler asks twice per
/// identifier: for a NUL byte and for the quote character).
#[inline]
#[allow(clippy::manual_contains)] // deliberately not `contains`, which is `memchr`
pub(crate) fn has_byte(bytes: &[u8], b: u8) -> bool {
    if bytes.len() <= 32 {
        bytes.iter().any(|&c| c == b)
    } else {
        bytes.contains(&b)
    }
}

/// Quotes `ident` with `q`, doubling `q` inside it.
pub(crate) fn quote_with(out: &mut String, ident: &str, q: char) {
    out.reserve(ident.len() + 2);
    out.push(q);
    // An ASCII quote character never occurs inside another character's UTF-8 bytes.
    let quoted = if q.is_ascii() {
        has_byte(ident.as_bytes(), q as u8)
    } else {
        ident.contains(q)
    };
    if quoted {
        for ch in ident.chars() {
            if ch == q {
                out.push(q);
            }
            out.push(ch);
        }
    } else {
        out.push_str(ident);
    }
    out.push(q);
}

/// Appends a decimal integer without going through `fmt`.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // The buffer holds only ASCII digits.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote_char() {
        let mut s = String::new();
        quote_with(&mut s, "we\"ird; DROP TABLE x", '"');
        assert_eq!(s, "\"we\"\"ird; DROP TABLE x\"");
    }

    #[test]
    fn push_u64_writes_digits() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        assert_eq!(s, "0 18446744073709551615");
    }
}
