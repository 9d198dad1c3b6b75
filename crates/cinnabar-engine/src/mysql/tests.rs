//! Tests of the driver as a whole: URL settings and connection errors.

use super::*;

#[test]
fn urls_are_checked_and_never_leak_the_password() {
    let url = Url::parse("mariadb://bob:s3cret@db.example/app?connect_timeout=2").unwrap();
    let d = MySqlDriver::from_url(&url).unwrap();
    assert_eq!(d.target, "bob@db.example:3306/app");
    assert!(!format!("{d:?}").contains("s3cret"));
    let bad = Url::parse("mysql://h/db?sql_mode=x';DROP").unwrap();
    assert_eq!(
        MySqlDriver::from_url(&bad).unwrap_err().kind(),
        ErrorKind::Url
    );
    let tls = Url::parse("mysql://h/db?ssl-mode=REQUIRED").unwrap();
    assert_eq!(
        MySqlDriver::from_url(&tls).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let off = Url::parse("mysql://h/db?sslmode=disabled").unwrap();
    assert!(MySqlDriver::from_url(&off).is_ok());
}

#[test]
fn unreachable_server_is_a_connection_error_without_password() {
    // Port 1 on loopback: nothing listens there.
    let url = Url::parse("mysql://root:sekret@127.0.0.1:1/nodb?connect_timeout=2").unwrap();
    let d = MySqlDriver::from_url(&url).unwrap();
    let e = d.connect().err().expect("connecting to port 1 must fail");
    assert_eq!(e.kind(), ErrorKind::Connection);
    let shown = e.to_string();
    assert!(shown.contains("127.0.0.1:1/nodb"), "{shown}");
    assert!(!shown.contains("sekret"), "{shown}");
}

#[test]
fn a_galera_node_is_mariadb_10_5_or_later_with_wsrep_on() {
    let rows = |on: &str, version: &str| {
        vec![
            ("version".to_owned(), version.to_owned()),
            ("wsrep_on".to_owned(), on.to_owned()),
        ]
    };
    let mariadb = "10.11.19-MariaDB-0+deb12u1";
    assert!(is_galera(&rows("ON", mariadb)));
    assert!(is_galera(&rows("ON", "11.4.2-MariaDB")));
    assert!(!is_galera(&rows("OFF", mariadb)));
    // No wsrep variable at all (MySQL 8, MariaDB without the patch).
    assert!(!is_galera(&[("version".to_owned(), "8.0.36".to_owned())]));
    // Percona XtraDB Cluster: wsrep, but no INSERT .. RETURNING.
    assert!(!is_galera(&rows("ON", "8.0.35-27.1")));
    // MariaDB before 10.5 has no INSERT .. RETURNING either.
    assert!(!is_galera(&rows("ON", "10.4.32-MariaDB")));
}
