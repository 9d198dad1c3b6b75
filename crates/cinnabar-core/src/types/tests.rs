//! Unit tests of the conversions.

use super::*;
use crate::error::ErrorKind;

#[test]
fn integers_check_range() {
    assert_eq!(i32::from_sql(ValueRef::Int(7)).unwrap(), 7);
    let e = i32::from_sql(ValueRef::Int(i64::MAX)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("out of range for Rust i32"), "{e}");
    let e = u64::MAX.to_sql().unwrap_err();
    assert!(e.message().contains("i64::MAX"), "{e}");
    assert_eq!((i64::MAX as u64).to_sql().unwrap(), ValueRef::Int(i64::MAX));
}

#[test]
fn text_to_int_is_a_typed_error() {
    let e = i64::from_sql(ValueRef::Text("abc")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.message().contains("TEXT"), "{e}");
    assert!(e.message().contains("i64"), "{e}");
}

#[test]
fn option_maps_null() {
    assert_eq!(Option::<String>::from_sql(ValueRef::Null).unwrap(), None);
    assert_eq!(
        Option::<String>::from_sql(ValueRef::Text("a")).unwrap(),
        Some("a".to_string())
    );
    assert!(String::from_sql(ValueRef::Null).is_err());
    const _: () = assert!(<Option<i32> as ColumnType>::NULLABLE);
    const _: () = assert!(!<i32 as ColumnType>::NULLABLE);
}

#[cfg(feature = "decimal")]
#[test]
fn decimal_reads_integer_real_and_text_storage() {
    use rust_decimal::Decimal;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    // What SQLite's NUMERIC affinity leaves in a NUMERIC(5, 2) column.
    assert_eq!(Decimal::from_sql(ValueRef::Real(1.5)).unwrap(), d("1.5"));
    assert_eq!(Decimal::from_sql(ValueRef::Real(0.3)).unwrap(), d("0.3"));
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(-123.45)).unwrap(),
        d("-123.45")
    );
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(0.1 + 0.2)).unwrap(),
        d("0.30000000000000004")
    );
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(1e-7)).unwrap(),
        d("0.0000001")
    );
    assert_eq!(Decimal::from_sql(ValueRef::Int(3)).unwrap(), d("3"));
    assert_eq!(
        Decimal::from_sql(ValueRef::Text("1.50")).unwrap(),
        d("1.50")
    );
    // Decimal::MAX written, its nearest double (2^96) read back.
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(79228162514264337593543950335.0)).unwrap(),
        Decimal::MAX
    );
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(-79228162514264337593543950335.0)).unwrap(),
        Decimal::MIN
    );
    for bad in [1e29, f64::INFINITY, f64::NAN, -1e300] {
        let e = Decimal::from_sql(ValueRef::Real(bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion, "{bad}");
        assert!(e.message().contains("Decimal"), "{e}");
    }
    // Below rust_decimal's 28 fractional digits: rounded, not an error.
    assert_eq!(
        Decimal::from_sql(ValueRef::Real(1e-30)).unwrap(),
        Decimal::ZERO
    );
}

#[cfg(feature = "decimal")]
#[test]
fn decimal_fits_the_column_scale() {
    use rust_decimal::Decimal;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let ty = SqlType::Decimal(5, 2);
    let got = Decimal::from_sql_column(ValueRef::Real(1.5), ty).unwrap();
    assert_eq!(got.to_string(), "1.50");
    let got = Decimal::from_sql_column(ValueRef::Int(3), ty).unwrap();
    assert_eq!(got.to_string(), "3.00");
    let got = Decimal::from_sql_column(ValueRef::Real(2.675), ty).unwrap();
    assert_eq!(got, d("2.68"));
    let got = Option::<Decimal>::from_sql_column(ValueRef::Real(0.1), ty).unwrap();
    assert_eq!(got.map(|v| v.to_string()).as_deref(), Some("0.10"));
    assert_eq!(
        Option::<Decimal>::from_sql_column(ValueRef::Null, ty).unwrap(),
        None
    );
    // Other types ignore the column type.
    assert_eq!(i64::from_sql_column(ValueRef::Int(7), ty).unwrap(), 7);
}

#[test]
fn bool_accepts_only_zero_and_one() {
    assert!(bool::from_sql(ValueRef::Int(1)).unwrap());
    assert!(bool::from_sql(ValueRef::Int(2)).is_err());
}

#[cfg(feature = "decimal")]
#[test]
fn exact_numerics_read_into_integers_when_whole_and_floats_nearest() {
    use rust_decimal::Decimal;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    // MariaDB's SUM of integers (`DECIMAL`), PostgreSQL's SUM of BIGINT (`NUMERIC`).
    assert_eq!(i64::from_sql(ValueRef::Decimal(d("259"))).unwrap(), 259);
    assert_eq!(i64::from_sql(ValueRef::Decimal(d("150.00"))).unwrap(), 150);
    assert_eq!(i32::from_sql(ValueRef::Decimal(d("-7"))).unwrap(), -7);
    assert_eq!(u64::from_sql(ValueRef::Decimal(d("7"))).unwrap(), 7);
    assert_eq!(
        Option::<i64>::from_sql(ValueRef::Decimal(d("12"))).unwrap(),
        Some(12)
    );
    for (bad, why) in [
        (d("2.5"), "2.5"),
        (d("9223372036854775808"), "9223372036854775808"),
    ] {
        let e = i64::from_sql(ValueRef::Decimal(bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion);
        assert!(
            e.message().contains(why) && e.message().contains("i64"),
            "{e}"
        );
    }
    let e = i16::from_sql(ValueRef::Decimal(d("40000"))).unwrap_err();
    assert!(e.message().contains("i16"), "{e}");
    let e = u64::from_sql(ValueRef::Decimal(d("-1"))).unwrap_err();
    assert!(e.message().contains("u64"), "{e}");
    // Floats take the nearest value.
    assert_eq!(f64::from_sql(ValueRef::Decimal(d("75.25"))).unwrap(), 75.25);
    assert_eq!(f64::from_sql(ValueRef::Decimal(d("0.1"))).unwrap(), 0.1_f64);
}
