//! The 18-byte `supervise/status` record shared by supervise, svc, svstat and
//! svok, byte-compatible with daemontools 0.76 in both directions.
//!
//! | bytes | content |
//! |---|---|
//! | 0..12 | TAI64N stamp of the last pid change, big-endian |
//! | 12..16 | pid of the service, little-endian, 0 when it is not running |
//! | 16 | 1 when the service is paused (written only while pid ≠ 0) |
//! | 17 | `u` want up, `d` want down, 0 neither (after `svc -o`) |

use tai64::{Tai64, Tai64N};

/// Length of the record on disk.
//= spec/status-file.md#status-1
pub const STATUS_LEN: usize = 18;

/// What the service is meant to be doing, byte 17 of the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Want {
    /// `u`: keep the service running.
    Up,
    /// `d`: keep the service stopped.
    Down,
    /// 0: neither; the service was started with `o` and is not restarted.
    /// Readers treat any byte other than `u` and `d` this way.
    Neither,
}

impl Want {
    /// The byte supervise writes for this want.
    pub fn byte(self) -> u8 {
        match self {
            Want::Up => b'u',
            Want::Down => b'd',
            Want::Neither => 0,
        }
    }

    /// The want a reader sees in byte 17.
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            b'u' => Want::Up,
            b'd' => Want::Down,
            _ => Want::Neither,
        }
    }
}

/// One `supervise/status` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct StatusRecord {
    /// When the pid last changed (the service started or was reaped).
    #[cfg_attr(feature = "arbitrary", arbitrary(with = arbitrary_stamp))]
    pub stamp: Tai64N,
    /// The running service's pid, or 0.
    pub pid: u32,
    /// Byte 16 is non-zero.
    pub paused: bool,
    /// Byte 17.
    pub want: Want,
}

/// Why bytes read from a status file are not a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusError {
    /// Fewer than 18 bytes; svstat reports this as `bad format`.
    Short {
        /// How many bytes there were.
        len: usize,
    },
}

impl StatusRecord {
    /// The 18 bytes supervise writes for this record.
    //= spec/status-file.md#status-1
    //= spec/status-file.md#status-2
    pub fn encode(&self) -> [u8; STATUS_LEN] {
        let mut out = [0u8; STATUS_LEN];
        out[..8].copy_from_slice(&self.stamp.0 .0.to_be_bytes());
        out[8..12].copy_from_slice(&self.stamp.1.to_be_bytes());
        out[12..16].copy_from_slice(&self.pid.to_le_bytes());
        out[16] = u8::from(self.paused);
        out[17] = self.want.byte();
        out
    }

    /// Read a record the way 0.76's readers do: the first 18 bytes count,
    /// anything after them is ignored, fewer is an error. Every field is
    /// taken as it is (a nanosecond field of 10^9 or more is not rejected).
    //= spec/status-file.md#status-3
    pub fn decode(bytes: &[u8]) -> Result<Self, StatusError> {
        let Some(record) = bytes.get(..STATUS_LEN) else {
            return Err(StatusError::Short { len: bytes.len() });
        };
        let word = |range: std::ops::Range<usize>| -> [u8; 4] {
            let mut four = [0u8; 4];
            four.copy_from_slice(&record[range]);
            four
        };
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&record[..8]);
        Ok(StatusRecord {
            stamp: Tai64N(
                Tai64(u64::from_be_bytes(secs)),
                u32::from_be_bytes(word(8..12)),
            ),
            pid: u32::from_le_bytes(word(12..16)),
            paused: record[16] != 0,
            want: Want::from_byte(record[17]),
        })
    }
}

/// Any stamp a record can carry: every 12 bytes decode, so the nanoseconds
/// are any `u32`, 10^9 and more included.
#[cfg(feature = "arbitrary")]
fn arbitrary_stamp(u: &mut arbitrary::Unstructured<'_>) -> arbitrary::Result<Tai64N> {
    Ok(Tai64N(Tai64(u.arbitrary()?), u.arbitrary()?))
}

#[cfg(test)]
mod tests;
