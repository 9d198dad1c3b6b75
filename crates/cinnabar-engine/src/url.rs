//! Database URLs in SQLAlchemy's form: `sqlite:///college.db`, `sqlite:////abs/x.db`,
//! `sqlite://` (memory), `postgresql://user:pass@host:5432/db?sslmode=disable`,
//! `mysql://root@127.0.0.1:3306/test`.
//!
//! The password never appears in `Debug` or `Display` output, nor do the values of the
//! query parameters that carry secrets (`key`, `hexkey`: an encrypted SQLite file's key;
//! `password`): those print as `***`.

use std::fmt;

use cinnabar_core::{Error, ErrorKind, Result};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (embedded).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    backend: Backend,
    driver: Option<String>,
    username: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    database: Option<String>,
    query: Vec<(String, String)>,
}

fn url_error(url: &str, why: impl fmt::Display) -> Error {
    Error::new(
        ErrorKind::Url,
        format!("{why} in database URL {:?}", redact(url)),
    )
}

/// Splits what follows `://` into the authority and the path (with its leading `/`).
///
/// As in SQLAlchemy, a password may hold an unescaped `/` or `@`: the user name ends at the
/// first `:` and holds no `/`, and the userinfo ends at the last `@` before the first `/`
/// that follows the first `@`. Otherwise the authority ends at the first `/`.
fn split_authority(rest: &str) -> (&str, &str) {
    let userinfo_end = rest.find('@').and_then(|first| {
        let user = rest[..first].split(':').next().unwrap_or("");
        if user.contains('/') {
            return None;
        }
        let end = rest[first..].find('/').map_or(rest.len(), |i| first + i);
        rest[..end].rfind('@')
    });
    let host_start = userinfo_end.map_or(0, |at| at + 1);
    match rest[host_start..].find('/') {
        Some(i) => rest.split_at(host_start + i),
        None => (rest, ""),
    }
}

/// Query parameters whose values are secrets, shown as `***`.
const SECRET_PARAMS: [&str; 3] = ["key", "hexkey", "password"];

fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Hides the password and the secret query parameters of a URL string that may not parse.
fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, tail) = split_authority(rest);
        if let Some((userinfo, host)) = authority.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                out = format!("{scheme}://{user}:***@{host}{tail}");
            }
        }
    }
    // The query starts at the first `?` after the (already hidden) password.
    let from = out
        .find(":***@")
        .map(|i| i + 5)
        .or_else(|| out.find("://").map(|i| i + 3))
        .unwrap_or(0);
    let Some(q) = out[from..].find('?').map(|i| from + i) else {
        return out;
    };
    let query = out.split_off(q + 1);
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((k, _)) if is_secret_param(k) => {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
    }
    out
}

fn percent_decode(s: &str, url: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| url_error(url, "invalid percent-encoding"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| url_error(url, "percent-encoding is not UTF-8"))
}

impl Url {
    /// Parses a URL.
    ///
    /// # Errors
    /// [`ErrorKind::Url`] naming what is wrong: a missing `://`, an unknown backend, a bad
    /// port or percent-encoding.
    pub fn parse(url: &str) -> Result<Url> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| url_error(url, "missing \"://\" after the backend name"))?;
        let (name, driver) = match scheme.split_once('+') {
            Some((n, d)) => (n, Some(d.to_owned())),
            None => (scheme, None),
        };
        let backend = match name.to_ascii_lowercase().as_str() {
            "sqlite" => Backend::Sqlite,
            "postgresql" | "postgres" => Backend::Postgres,
            "mysql" | "mariadb" => Backend::MySql,
            other => {
                return Err(url_error(
                    url,
                    format!("unknown backend {other:?} (expected sqlite, postgresql or mysql)"),
                ))
            }
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let mut pairs = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            pairs.push((percent_decode(k, url)?, percent_decode(v, url)?));
        }
        let mut parsed = Url {
            backend,
            driver,
            username: None,
            password: None,
            host: None,
            port: None,
            database: None,
            query: pairs,
        };
        if backend == Backend::Sqlite {
            // sqlite:// and sqlite:///:memory: are in-memory; sqlite:///rel.db is relative,
            // sqlite:////abs.db absolute (the path is everything after the third slash).
            let path = match rest.strip_prefix('/') {
                Some(p) => p,
                None if rest.is_empty() => "",
                None => {
                    return Err(url_error(
                        url,
                        "a SQLite URL has no host: write sqlite:///relative.db or sqlite:////absolute.db",
                    ))
                }
            };
            let path = percent_decode(path, url)?;
            if !path.is_empty() && path != ":memory:" {
                parsed.database = Some(path);
            }
            return Ok(parsed);
        }
        let (authority, path) = split_authority(rest);
        let path = path.strip_prefix('/').unwrap_or(path);
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if let Some(u) = userinfo {
            let (user, pass) = match u.split_once(':') {
                Some((a, b)) => (a, Some(b)),
                None => (u, None),
            };
            if !user.is_empty() {
                parsed.username = Some(percent_decode(user, url)?);
            }
            if let Some(p) = pass {
                parsed.password = Some(percent_decode(p, url)?);
            }
        }
        let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
            let (h, after) = stripped
                .split_once(']')
                .ok_or_else(|| url_error(url, "unclosed '[' in host"))?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if !host.is_empty() {
            parsed.host = Some(percent_decode(host, url)?);
        }
        if let Some(p) = port {
            parsed.port = Some(
                p.parse::<u16>()
                    .map_err(|_| url_error(url, format!("invalid port {p:?}")))?,
            );
        }
        if !path.is_empty() {
            parsed.database = Some(percent_decode(path, url)?);
        }
        Ok(parsed)
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The `+driver` part of the scheme, if given.
    pub fn driver(&self) -> Option<&str> {
        self.driver.as_deref()
    }

    /// User name.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// Password (never printed by `Debug`/`Display`).
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Host.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Database name, or the file path for SQLite (`None`: in memory).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// A query parameter (a secret one, such as `key`, too: only `Display` and `Debug` hide
    /// those).
    pub fn query_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All query parameters.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// Removes a query parameter the engine itself reads (so drivers never see it) and
    /// returns its value.
    pub(crate) fn take_query_param(&mut self, key: &str) -> Option<String> {
        let i = self.query.iter().position(|(k, _)| k == key)?;
        Some(self.query.remove(i).1)
    }

    /// Whether this is an in-memory SQLite database.
    pub fn is_memory(&self) -> bool {
        self.backend == Backend::Sqlite && self.database.is_none()
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
            Backend::MySql => "mysql",
        };
        f.write_str(scheme)?;
        if let Some(d) = &self.driver {
            write!(f, "+{d}")?;
        }
        f.write_str("://")?;
        if self.backend == Backend::Sqlite {
            if let Some(db) = &self.database {
                write!(f, "/{db}")?;
            }
        } else {
            if let Some(u) = &self.username {
                f.write_str(u)?;
                if self.password.is_some() {
                    f.write_str(":***")?;
                }
                f.write_str("@")?;
            }
            if let Some(h) = &self.host {
                if h.contains(':') {
                    write!(f, "[{h}]")?;
                } else {
                    f.write_str(h)?;
                }
            }
            if let Some(p) = self.port {
                write!(f, ":{p}")?;
            }
            if let Some(db) = &self.database {
                write!(f, "/{db}")?;
            }
        }
        for (i, (k, v)) in self.query.iter().enumerate() {
            let v = if is_secret_param(k) { "***" } else { v };
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Url({self})")
    }
}

impl std::str::FromStr for Url {
    type Err = Error;
    fn from_str(s: &str) -> Result<Url> {
        Url::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        let u = Url::parse("sqlite:///college.db").unwrap();
        assert_eq!(u.database(), Some("college.db"));
        let u = Url::parse("sqlite:////tmp/abs.db").unwrap();
        assert_eq!(u.database(), Some("/tmp/abs.db"));
        assert!(Url::parse("sqlite://").unwrap().is_memory());
        assert!(Url::parse("sqlite:///:memory:").unwrap().is_memory());
        assert!(Url::parse("sqlite://host/x.db").is_err());
    }

    #[test]
    fn server_urls_decode_and_redact() {
        let u =
            Url::parse("postgresql://bob:p%40ss%3Aw@db.example:5433/app?sslmode=disable").unwrap();
        assert_eq!(u.backend(), Backend::Postgres);
        assert_eq!(u.username(), Some("bob"));
        assert_eq!(u.password(), Some("p@ss:w"));
        assert_eq!(u.host(), Some("db.example"));
        assert_eq!(u.port(), Some(5433));
        assert_eq!(u.database(), Some("app"));
        assert_eq!(u.query_param("sslmode"), Some("disable"));
        let shown = format!("{u} {u:?}");
        assert!(!shown.contains("p@ss"), "{shown}");
        assert!(shown.contains("bob:***@db.example:5433/app"), "{shown}");
        assert_eq!(
            Url::parse("mariadb://root@127.0.0.1:3306/test")
                .unwrap()
                .backend(),
            Backend::MySql
        );
    }

    #[test]
    fn secret_query_parameters_are_redacted() {
        let u = Url::parse("sqlite:///vault.db?key=s3cr%27t&timeout=2").unwrap();
        assert_eq!(u.query_param("key"), Some("s3cr't"));
        assert_eq!(u.to_string(), "sqlite:///vault.db?key=***&timeout=2");
        assert_eq!(
            format!("{u:?}"),
            "Url(sqlite:///vault.db?key=***&timeout=2)"
        );
        let u = Url::parse("postgresql://h/db?password=hunter2&sslmode=disable").unwrap();
        assert!(!u.to_string().contains("hunter2"), "{u}");
        assert_eq!(
            redact("sqlite:///v.db?HEXKEY=abcd&mode=ro"),
            "sqlite:///v.db?HEXKEY=***&mode=ro"
        );
        let e = Url::parse("sqlite:///v.db?key=s3cret&x=%zz").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert_eq!(
            redact("postgresql://u:pa?ss@h/db?password=x&a=b"),
            "postgresql://u:***@h/db?password=***&a=b"
        );
    }

    #[test]
    fn malformed_urls_are_url_errors() {
        for bad in [
            "college.db",
            "oracle://x/y",
            "postgresql://h:notaport/db",
            "mysql://u:%zz@h/d",
        ] {
            let e = Url::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
        }
        let e = Url::parse("postgresql://u:secret@h:bad/db").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
