//! Unit tests of the MySQL normal forms: defaults, checks and type names as a model writes
//! them and as MariaDB 10.11 and MySQL 8 report them back must compare equal, and things that
//! differ must not.

use super::normalize;
use super::{normalize_mysql_check, normalize_mysql_default, normalize_mysql_type};

fn same_default(a: &str, b: &str) -> bool {
    normalize_mysql_default(a) == normalize_mysql_default(b)
}

#[test]
fn defaults_compare_equal_when_they_mean_the_same() {
    for (model, reported) in [
        ("CURRENT_TIMESTAMP", "current_timestamp()"),
        ("now()", "current_timestamp()"),
        ("CURRENT_TIMESTAMP(6)", "current_timestamp(6)"),
        ("CURRENT_TIMESTAMP(0)", "current_timestamp()"),
        // A DATETIME(6) column declared `DEFAULT CURRENT_TIMESTAMP` reports its precision.
        ("CURRENT_TIMESTAMP", "current_timestamp(6)"),
        ("CURRENT_DATE", "curdate()"),
        ("'1.5'", "1.50"),
        ("1", "1.00"),
        ("+1e3", "1000"),
        ("true", "1"),
        ("FALSE", "0"),
        ("(1 + 2)", "1+2"),
        ("(`a` + 1)", "a + 1"),
        ("CONCAT('a', 'b')", "concat('a','b')"),
        ("\"abc\"", "'abc'"),
        ("'it\\'s'", "'it''s'"),
        ("_utf8mb4\\'x\\'", "'x'"),
        ("'2020-01-01 00:00:00'", "'2020-01-01 00:00:00.000000'"),
        ("-1", "-1"),
    ] {
        assert!(same_default(model, reported), "{model} vs {reported}");
    }
    for (a, b) in [
        ("'abc'", "'ABC'"),
        ("1", "2"),
        ("'abc '", "'abc'"),
        ("'2020-01-01 00:00:00.5'", "'2020-01-01 00:00:00'"),
        ("(1 + 2) * 3", "1 + 2 * 3"),
        ("'a'", "a"),
    ] {
        assert!(!same_default(a, b), "{a} vs {b}");
    }
}

fn same_check(a: &str, b: &str) -> bool {
    normalize_mysql_check(a) == normalize_mysql_check(b)
}

#[test]
fn checks_compare_equal_across_model_mariadb_and_mysql8_spellings() {
    for (model, reported) in [
        ("age >= 0 AND name != 'x'", "`age` >= 0 and `name` <> 'x'"),
        (
            "age >= 0 AND name != 'x'",
            "((`age` >= 0) and (`name` <> _utf8mb4\\'x\\'))",
        ),
        ("LENGTH(b) > 0", "octet_length(`b`) > 0"),
        ("a % 2 = 0", "`a` MOD 2 = 0"),
        ("upper(b) = \"X\"", "ucase(`b`) = 'X'"),
        (
            "a != 3 && a IS NOT NULL || a BETWEEN 1 AND 5",
            "`a` <> 3 and `a` is not null or `a` between 1 and 5",
        ),
        ("b IN ('x', 'y')", "`b` in ('x','y')"),
        ("a = 1.5", "`a` = 1.50"),
        ("a <> TRUE", "`a` <> 1"),
    ] {
        assert!(same_check(model, reported), "{model} vs {reported}");
    }
    for (a, b) in [
        ("name <> 'x'", "name <> 'X'"),
        ("a >= 0", "a > 0"),
        ("a >= 0", "b >= 0"),
        ("a = 'it''s'", "a = 'its'"),
    ] {
        assert!(!same_check(a, b), "{a} vs {b}");
    }
}

#[test]
fn types_compare_equal_when_mysql_treats_them_as_one() {
    for (a, b) in [
        ("INT(11)", "int"),
        ("int(10) unsigned", "INT UNSIGNED"),
        ("ENUM('a', 'b')", "enum('a','b')"),
        ("YEAR(4)", "year"),
        ("INTEGER", "int(11)"),
        ("BOOL", "tinyint(1)"),
        ("NUMERIC", "decimal(10,0)"),
        ("DEC(8)", "decimal(8,0)"),
        ("double precision", "DOUBLE"),
        ("MEDIUMINT", "mediumint(9)"),
    ] {
        assert_eq!(
            normalize_mysql_type(a),
            normalize_mysql_type(b),
            "{a} vs {b}"
        );
    }
    for (a, b) in [
        ("tinyint(1)", "tinyint(4)"),
        ("enum('A')", "enum('a')"),
        ("int unsigned", "int"),
        ("varchar(10)", "varchar(20)"),
        ("decimal(10,2)", "decimal(10,3)"),
    ] {
        assert_ne!(
            normalize_mysql_type(a),
            normalize_mysql_type(b),
            "{a} vs {b}"
        );
    }
}

#[test]
fn unescaping_touches_only_text_escaped_outside_literals() {
    assert_eq!(unescape_reported_for_test("`a` = 'x\\'y'"), "`a` = 'x\\'y'");
    assert_eq!(
        unescape_reported_for_test("`a` = _utf8mb4\\'x\\'"),
        "`a` = _utf8mb4'x'"
    );
    assert_eq!(
        normalize::json_valid_column("(json_valid(`Doc`))").as_deref(),
        Some("doc")
    );
    assert_eq!(normalize::json_valid_column("json_valid(`a`) and 1"), None);
}

fn unescape_reported_for_test(s: &str) -> String {
    normalize::unescape_reported(s).into_owned()
}
