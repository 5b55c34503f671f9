//! System error numbers and daemontools' own words for them.
//!
//! daemontools never prints `strerror()`; it has its own table (`file does not
//! exist`, `temporary failure`, …). The table is an ordered list and the first
//! entry with a matching number wins, which matters where two names share a
//! number (on Linux `EWOULDBLOCK == EAGAIN` reads `temporary failure`).
//!
//! The numbers are Linux's (the same on every Linux architecture daemontools-rs
//! supports); `dt-os` checks them against the C library in its tests.

/// A raw system error number as the kernel reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Errno(pub i32);

macro_rules! errnos {
    ($($name:ident = $value:expr;)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                pub const $name: Errno = Errno($value);
            )*
        }
    };
}

errnos! {
    EPERM = 1; ENOENT = 2; ESRCH = 3; EINTR = 4; EIO = 5; ENXIO = 6; E2BIG = 7;
    ENOEXEC = 8; EBADF = 9; ECHILD = 10; EAGAIN = 11; ENOMEM = 12; EACCES = 13;
    EFAULT = 14; ENOTBLK = 15; EBUSY = 16; EEXIST = 17; EXDEV = 18; ENODEV = 19;
    ENOTDIR = 20; EISDIR = 21; EINVAL = 22; ENFILE = 23; EMFILE = 24; ENOTTY = 25;
    ETXTBSY = 26; EFBIG = 27; ENOSPC = 28; ESPIPE = 29; EROFS = 30; EMLINK = 31;
    EPIPE = 32; EDOM = 33; ERANGE = 34; EDEADLK = 35; ENAMETOOLONG = 36; ENOLCK = 37;
    ENOSYS = 38; ENOTEMPTY = 39; ELOOP = 40; EWOULDBLOCK = 11; ENOMSG = 42; EIDRM = 43;
    ENOSTR = 60; ETIME = 62; ENOSR = 63; ENONET = 64; EREMOTE = 66; ENOLINK = 67;
    EADV = 68; ESRMNT = 69; ECOMM = 70; EPROTO = 71; EMULTIHOP = 72; EBADMSG = 74;
    EREMCHG = 78; EUSERS = 87; ENOTSOCK = 88; EDESTADDRREQ = 89; EMSGSIZE = 90;
    EPROTOTYPE = 91; ENOPROTOOPT = 92; EPROTONOSUPPORT = 93; ESOCKTNOSUPPORT = 94;
    EOPNOTSUPP = 95; EPFNOSUPPORT = 96; EAFNOSUPPORT = 97; EADDRINUSE = 98;
    EADDRNOTAVAIL = 99; ENETDOWN = 100; ENETUNREACH = 101; ENETRESET = 102;
    ECONNABORTED = 103; ECONNRESET = 104; ENOBUFS = 105; EISCONN = 106; ENOTCONN = 107;
    ESHUTDOWN = 108; ETOOMANYREFS = 109; ETIMEDOUT = 110; ECONNREFUSED = 111;
    EHOSTDOWN = 112; EHOSTUNREACH = 113; EALREADY = 114; EINPROGRESS = 115;
    ESTALE = 116; EDQUOT = 122;
}

/// daemontools' table, in its order; the first match wins.
//= spec/errors.md#err-1
//= spec/errors.md#err-2
const TABLE: &[(Errno, &str)] = &[
    (Errno(0), "no error"),
    (Errno::EINTR, "interrupted system call"),
    (Errno::ENOMEM, "out of memory"),
    (Errno::ENOENT, "file does not exist"),
    (Errno::ETXTBSY, "text busy"),
    (Errno::EIO, "input/output error"),
    (Errno::EEXIST, "file already exists"),
    (Errno::ETIMEDOUT, "timed out"),
    (Errno::EINPROGRESS, "operation in progress"),
    (Errno::EAGAIN, "temporary failure"),
    (Errno::EWOULDBLOCK, "input/output would block"),
    (Errno::EPIPE, "broken pipe"),
    (Errno::EPERM, "permission denied"),
    (Errno::EACCES, "access denied"),
    (Errno::ENXIO, "device not configured"),
    (Errno::EPROTO, "protocol error"),
    (Errno::EISDIR, "is a directory"),
    (Errno::ECONNREFUSED, "connection refused"),
    (Errno::ENOTDIR, "not a directory"),
    (Errno::ESRCH, "no such process"),
    (Errno::E2BIG, "argument list too long"),
    (Errno::ENOEXEC, "exec format error"),
    (Errno::EBADF, "file descriptor not open"),
    (Errno::ECHILD, "no child processes"),
    (Errno::EDEADLK, "operation would cause deadlock"),
    (Errno::EFAULT, "bad address"),
    (Errno::ENOTBLK, "not a block device"),
    (Errno::EBUSY, "device busy"),
    (Errno::EXDEV, "cross-device link"),
    (Errno::ENODEV, "device does not support operation"),
    (Errno::EINVAL, "invalid argument"),
    (Errno::ENFILE, "system cannot open more files"),
    (Errno::EMFILE, "process cannot open more files"),
    (Errno::ENOTTY, "not a tty"),
    (Errno::EFBIG, "file too big"),
    (Errno::ENOSPC, "out of disk space"),
    (Errno::ESPIPE, "unseekable descriptor"),
    (Errno::EROFS, "read-only file system"),
    (Errno::EMLINK, "too many links"),
    (Errno::EDOM, "input out of range"),
    (Errno::ERANGE, "output out of range"),
    (Errno::EALREADY, "operation already in progress"),
    (Errno::ENOTSOCK, "not a socket"),
    (Errno::EDESTADDRREQ, "destination address required"),
    (Errno::EMSGSIZE, "message too long"),
    (Errno::EPROTOTYPE, "incorrect protocol type"),
    (Errno::ENOPROTOOPT, "protocol not available"),
    (Errno::EPROTONOSUPPORT, "protocol not supported"),
    (Errno::ESOCKTNOSUPPORT, "socket type not supported"),
    (Errno::EOPNOTSUPP, "operation not supported"),
    (Errno::EPFNOSUPPORT, "protocol family not supported"),
    (Errno::EAFNOSUPPORT, "address family not supported"),
    (Errno::EADDRINUSE, "address already used"),
    (Errno::EADDRNOTAVAIL, "address not available"),
    (Errno::ENETDOWN, "network down"),
    (Errno::ENETUNREACH, "network unreachable"),
    (Errno::ENETRESET, "network reset"),
    (Errno::ECONNABORTED, "connection aborted"),
    (Errno::ECONNRESET, "connection reset"),
    (Errno::ENOBUFS, "out of buffer space"),
    (Errno::EISCONN, "already connected"),
    (Errno::ENOTCONN, "not connected"),
    (Errno::ESHUTDOWN, "socket shut down"),
    (Errno::ETOOMANYREFS, "too many references"),
    (Errno::ELOOP, "symbolic link loop"),
    (Errno::ENAMETOOLONG, "file name too long"),
    (Errno::EHOSTDOWN, "host down"),
    (Errno::EHOSTUNREACH, "host unreachable"),
    (Errno::ENOTEMPTY, "directory not empty"),
    (Errno::EUSERS, "too many users"),
    (Errno::EDQUOT, "disk quota exceeded"),
    (Errno::ESTALE, "stale NFS file handle"),
    (Errno::EREMOTE, "too many levels of remote in path"),
    (Errno::ENOLCK, "no locks available"),
    (Errno::ENOSYS, "system call not available"),
    (Errno::ENOSTR, "not a stream device"),
    (Errno::ETIME, "timer expired"),
    (Errno::ENOSR, "out of stream resources"),
    (Errno::ENOMSG, "no message of desired type"),
    (Errno::EBADMSG, "bad message type"),
    (Errno::EIDRM, "identifier removed"),
    (Errno::ENONET, "machine not on network"),
    (Errno::ENOLINK, "link severed"),
    (Errno::EADV, "advertise error"),
    (Errno::ESRMNT, "srmount error"),
    (Errno::ECOMM, "communication error"),
    (Errno::EMULTIHOP, "multihop attempted"),
    (Errno::EREMCHG, "remote address changed"),
];

/// `TABLE` as [`Errno::describe`] reads it, made at compile time: the
/// numbers, all the words in one byte string, and where each entry's words
/// end. A table of `&str` holds addresses, which the loader must fix up in
/// every process at start-up (a private page of relocated data in each of a
/// thousand supervise processes); these hold none.
struct Packed {
    numbers: [i32; ENTRIES],
    ends: [u16; ENTRIES],
    words: [u8; WORDS],
}

const ENTRIES: usize = TABLE.len();

const WORDS: usize = {
    let mut total = 0;
    let mut entry = 0;
    while entry < ENTRIES {
        total += TABLE[entry].1.len();
        entry += 1;
    }
    total
};

static PACKED: Packed = {
    let mut packed = Packed {
        numbers: [0; ENTRIES],
        ends: [0; ENTRIES],
        words: [0; WORDS],
    };
    let mut end = 0;
    let mut entry = 0;
    while entry < ENTRIES {
        let (errno, words) = TABLE[entry];
        let words = words.as_bytes();
        let mut byte = 0;
        while byte < words.len() {
            packed.words[end] = words[byte];
            end += 1;
            byte += 1;
        }
        assert!(
            end <= u16::MAX as usize,
            "errno table too long for u16 ends"
        );
        packed.numbers[entry] = errno.0;
        packed.ends[entry] = end as u16;
        entry += 1;
    }
    packed
};

impl Errno {
    /// daemontools' words for this error, `unknown error` for a number its
    /// table does not know.
    //= spec/errors.md#err-1
    //= spec/errors.md#err-3
    pub fn describe(self) -> &'static str {
        let Some(entry) = PACKED.numbers.iter().position(|&n| n == self.0) else {
            return "unknown error";
        };
        let start = entry.checked_sub(1).map_or(0, |before| PACKED.ends[before]);
        let words = &PACKED.words[usize::from(start)..usize::from(PACKED.ends[entry])];
        // Always UTF-8: the bytes were copied whole from `TABLE`'s strings.
        std::str::from_utf8(words).unwrap_or("unknown error")
    }

    /// Every entry of the table, in order (for tests and documentation).
    pub fn table() -> &'static [(Errno, &'static str)] {
        TABLE
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/errors.md#err-1
    #[test]
    fn common_errors_read_as_daemontools_prints_them() {
        assert_eq!(Errno::ENOENT.describe(), "file does not exist");
        assert_eq!(Errno::EACCES.describe(), "access denied");
        assert_eq!(Errno::ENXIO.describe(), "device not configured");
        assert_eq!(Errno::ELOOP.describe(), "symbolic link loop");
        assert_eq!(Errno::ENOSPC.describe(), "out of disk space");
    }

    //= spec/errors.md#err-2
    #[test]
    fn would_block_reads_as_temporary_failure() {
        assert_eq!(Errno::EWOULDBLOCK.describe(), "temporary failure");
    }

    //= spec/errors.md#err-3
    #[test]
    fn unknown_numbers_are_unknown_errors() {
        assert_eq!(Errno(-1).describe(), "unknown error");
        assert_eq!(Errno(4095).describe(), "unknown error");
    }

    #[test]
    fn the_packed_table_reads_as_the_table() {
        for (index, (errno, words)) in TABLE.iter().enumerate() {
            let first = TABLE.iter().position(|(e, _)| e == errno);
            if first == Some(index) {
                assert_eq!(errno.describe(), *words, "errno {}", errno.0);
            }
        }
    }

    #[test]
    fn snapshot_of_the_whole_table() {
        let rendered: String = Errno::table()
            .iter()
            .map(|(errno, words)| format!("{:>3} {words}\n", errno.0))
            .collect();
        insta::assert_snapshot!(rendered);
    }
}
