//! A TCP gate for outage tests: a proxy on 127.0.0.1 in front of a real address that the
//! test can close (every proxied connection is cut and new ones are dropped at once, as a
//! server that went down) and open again (as the server coming back).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub(crate) struct Gate {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Gate {
    /// A gate on an ephemeral 127.0.0.1 port in front of `upstream`, open.
    pub(crate) async fn start(upstream: SocketAddr) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the gate");
        let addr = listener.local_addr().expect("gate address");
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn({
            let open = open.clone();
            let links = links.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(Ordering::SeqCst) {
                        drop(inbound); // down: the client sees the connection closed
                        continue;
                    }
                    let link = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    links.lock().expect("links").push(link);
                }
            }
        });
        Gate {
            addr,
            open,
            links,
            accept,
        }
    }

    /// The address clients connect to.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Down: cuts every proxied connection and drops new ones.
    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    /// Back up: new connections are proxied again.
    pub(crate) fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
        self.accept.abort();
    }
}

/// `url` (`scheme://user@host:port/db?...`) with its host and port replaced by `addr`.
pub(crate) fn through(url: &str, addr: SocketAddr) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    let host_end = rest[host_start..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| host_start + i);
    format!(
        "{}{}{}{}",
        &url[..start],
        &rest[..host_start],
        addr,
        &rest[host_end..]
    )
}

/// The `host:port` of a server URL, resolved (the gate's upstream).
pub(crate) fn upstream(url: &str) -> SocketAddr {
    use std::net::ToSocketAddrs;
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let host_start = rest.find('@').map_or(0, |i| i + 1);
    let host_end = rest[host_start..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| host_start + i);
    let authority = &rest[host_start..host_end];
    let default_port = if url.starts_with("postgres") {
        5432
    } else {
        3306
    };
    let with_port = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:{default_port}")
    };
    with_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| panic!("cannot resolve {with_port}"))
}

#[test]
fn through_replaces_host_and_port() {
    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    assert_eq!(
        through(
            "postgresql://postgres@127.0.0.1:5432/test?search_path=s",
            addr
        ),
        "postgresql://postgres@127.0.0.1:4000/test?search_path=s"
    );
    assert_eq!(
        through("mysql://root@localhost/db", addr),
        "mysql://root@127.0.0.1:4000/db"
    );
}
