//! Test helper for supervise's `notify` (spec/extensions.md EXT-13): a
//! stand-in for a service that speaks systemd's notification protocol.
//!
//! `notify-send FILE MESSAGE [PROGRAM ARG...]`: wait until FILE exists
//! (`-` for no wait), remove it, send MESSAGE as one datagram to
//! `$NOTIFY_SOCKET`, then exec PROGRAM with its arguments (so the pid that
//! sent stays the service's), or exit 0. Exits 111 if it cannot send.
//! Meant to be run from a service's `./run` by the tests, which create FILE
//! when the service is to speak; it checks for FILE every 10 ms.
//!
//! `notify-send +flood MESSAGE`: send MESSAGE again and again, as fast as
//! the socket takes it, until killed (a service flooding its supervise).

use std::ffi::OsStr;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, message, rest @ ..] = args.as_slice() else {
        eprintln!("notify-send: usage: notify-send FILE MESSAGE [PROGRAM ARG...]");
        std::process::exit(100);
    };
    if file == "+flood" {
        flood(message);
    }
    if file != "-" {
        while !Path::new(file).exists() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = std::fs::remove_file(file);
    }
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else {
        eprintln!("notify-send: NOTIFY_SOCKET is not set");
        std::process::exit(111);
    };
    let sent = UnixDatagram::unbound().and_then(|s| send(&s, message, &socket));
    if let Err(e) = sent {
        eprintln!("notify-send: unable to send: {e}");
        std::process::exit(111);
    }
    if let [program, args @ ..] = rest {
        let e = Command::new(program).args(args).exec();
        eprintln!("notify-send: unable to run {program}: {e}");
        std::process::exit(111);
    }
}

/// Send `message` to `socket`: a path, or, after `@`, an abstract name (as
/// systemd's clients read `$NOTIFY_SOCKET`).
fn send(sender: &UnixDatagram, message: &str, socket: &OsStr) -> std::io::Result<usize> {
    match socket.as_bytes().strip_prefix(b"@") {
        Some(name) => {
            let address = SocketAddr::from_abstract_name(name)?;
            sender.send_to_addr(message.as_bytes(), &address)
        }
        None => sender.send_to(message.as_bytes(), socket),
    }
}

/// Send `message` to `$NOTIFY_SOCKET` forever, ignoring failures.
fn flood(message: &str) -> ! {
    let socket = std::env::var_os("NOTIFY_SOCKET").unwrap_or_default();
    let Ok(sender) = UnixDatagram::unbound() else {
        std::process::exit(111);
    };
    loop {
        if send(&sender, message, &socket).is_err() {
            std::thread::yield_now();
        }
    }
}
