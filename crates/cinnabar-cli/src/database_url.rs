//! Where the command finds the database URL: `--database-url`, else the `DATABASE_URL`
//! environment variable, else `DATABASE_URL` in a `.env` file in the current directory (the
//! order diesel_cli and sqlx-cli use). Used by every subcommand that connects.

use std::fmt;
use std::path::{Path, PathBuf};

use cinnabar_core::{Error, Result};

/// The variable the URL is read from, in the environment and in `.env`.
pub const DATABASE_URL: &str = "DATABASE_URL";

/// Where [`database_url`] found the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// `--database-url`.
    Flag,
    /// The `DATABASE_URL` environment variable.
    Environment,
    /// `DATABASE_URL` in this `.env` file.
    DotEnv(PathBuf),
}

impl fmt::Display for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlSource::Flag => f.write_str("--database-url"),
            UrlSource::Environment => write!(f, "the {DATABASE_URL} environment variable"),
            UrlSource::DotEnv(path) => write!(f, "{DATABASE_URL} in {}", path.display()),
        }
    }
}

/// The database URL: `flag` when given, else the `DATABASE_URL` environment variable, else
/// `DATABASE_URL` in `dir/.env`. An empty value counts as not given.
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when none of the three gives a
/// URL (the message names all three), when `DATABASE_URL` is not UTF-8, or when `.env`
/// cannot be read or parsed (naming the file).
pub fn database_url(flag: Option<&str>, dir: &Path) -> Result<(String, UrlSource)> {
    let env = match std::env::var(DATABASE_URL) {
        Ok(v) => Some(v),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Error::misuse(format!(
                "the {DATABASE_URL} environment variable is not valid UTF-8"
            )))
        }
    };
    resolve(flag, env.as_deref(), dir)
}

/// [`database_url`] with the environment variable's value given.
fn resolve(flag: Option<&str>, env: Option<&str>, dir: &Path) -> Result<(String, UrlSource)> {
    let given = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if let Some(url) = given(flag) {
        return Ok((url, UrlSource::Flag));
    }
    if let Some(url) = given(env) {
        return Ok((url, UrlSource::Environment));
    }
    let path = dir.join(".env");
    if let Some(url) = from_dotenv(&path)? {
        return Ok((url, UrlSource::DotEnv(path)));
    }
    Err(Error::misuse(format!(
        "no database URL: pass --database-url URL, set the {DATABASE_URL} environment variable, \
         or put {DATABASE_URL}=URL in a .env file in the current directory ({})",
        dir.display()
    )))
}

/// `DATABASE_URL` from the `.env` file at `path` (the first one), if the file exists and
/// sets it to something non-empty.
fn from_dotenv(path: &Path) -> Result<Option<String>> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(e) if e.not_found() => return Ok(None),
        Err(e) => {
            return Err(Error::misuse(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    for item in iter {
        let (key, value) =
            item.map_err(|e| Error::misuse(format!("cannot parse {}: {e}", path.display())))?;
        if key == DATABASE_URL {
            let value = value.trim();
            return Ok((!value.is_empty()).then(|| value.to_string()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with_env(text: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = text {
            std::fs::write(dir.path().join(".env"), text).unwrap();
        }
        dir
    }

    #[test]
    fn flag_then_environment_then_dotenv() {
        let dir = dir_with_env(Some(
            "# comment\nOTHER=1\nDATABASE_URL=\"sqlite:///from-env-file.db\"\n",
        ));
        let d = dir.path();
        assert_eq!(
            resolve(Some("sqlite:///flag.db"), Some("sqlite:///env.db"), d).unwrap(),
            ("sqlite:///flag.db".into(), UrlSource::Flag)
        );
        assert_eq!(
            resolve(None, Some("sqlite:///env.db"), d).unwrap(),
            ("sqlite:///env.db".into(), UrlSource::Environment)
        );
        assert_eq!(
            resolve(Some(" "), Some(""), d).unwrap(),
            (
                "sqlite:///from-env-file.db".into(),
                UrlSource::DotEnv(d.join(".env"))
            )
        );
    }

    #[test]
    fn missing_url_names_the_three_ways() {
        for env_file in [None, Some("OTHER=1\n"), Some("DATABASE_URL=\n")] {
            let dir = dir_with_env(env_file);
            let e = resolve(None, None, dir.path()).unwrap_err();
            assert_eq!(e.kind(), cinnabar_core::ErrorKind::Misuse);
            for part in [
                "--database-url",
                "DATABASE_URL environment variable",
                ".env file",
            ] {
                assert!(e.message().contains(part), "{e}");
            }
        }
    }

    #[test]
    fn a_broken_env_file_is_named() {
        let dir = dir_with_env(Some("DATABASE_URL='unterminated\n"));
        let e = resolve(None, None, dir.path()).unwrap_err();
        assert!(e.message().contains(".env"), "{e}");
    }
}
