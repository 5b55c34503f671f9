use super::*;
use proptest::prelude::*;

/// A record observed on Debian's 0.76 supervise (`od -tx1` of a live service).
const OBSERVED_UP: [u8; 18] = [
    0x40, 0x00, 0x00, 0x00, 0x6b, 0x05, 0x9d, 0x65, 0x2e, 0x28, 0x66, 0x0c, 0x5a, 0x15, 0x00, 0x00,
    0x00, 0x75,
];

//= spec/status-file.md#status-1
//= spec/status-file.md#status-2
#[test]
fn decodes_a_record_written_by_daemontools() {
    let record = StatusRecord::decode(&OBSERVED_UP).expect("18 bytes");
    assert_eq!(record.pid, 5466);
    assert_eq!(
        record.stamp,
        Tai64N(Tai64(0x4000_0000_6b05_9d65), 0x2e28_660c)
    );
    assert!(!record.paused);
    assert_eq!(record.want, Want::Up);
    assert_eq!(record.encode(), OBSERVED_UP);
}

//= spec/status-file.md#status-2
#[test]
fn want_bytes_are_u_d_and_nul() {
    assert_eq!(Want::Up.byte(), b'u');
    assert_eq!(Want::Down.byte(), b'd');
    assert_eq!(Want::Neither.byte(), 0);
    assert_eq!(Want::from_byte(b'x'), Want::Neither);
}

//= spec/status-file.md#status-3
#[test]
fn short_files_are_bad_format_and_long_ones_are_cut() {
    assert_eq!(
        StatusRecord::decode(&[]),
        Err(StatusError::Short { len: 0 })
    );
    assert_eq!(
        StatusRecord::decode(&OBSERVED_UP[..17]),
        Err(StatusError::Short { len: 17 })
    );
    let mut long = OBSERVED_UP.to_vec();
    long.extend_from_slice(b"trailing junk");
    assert_eq!(
        StatusRecord::decode(&long),
        StatusRecord::decode(&OBSERVED_UP)
    );
}

//= spec/status-file.md#status-3
#[test]
fn any_non_zero_pause_byte_reads_as_paused() {
    let mut bytes = OBSERVED_UP;
    bytes[16] = 0x80;
    assert!(StatusRecord::decode(&bytes).expect("18 bytes").paused);
}

fn any_want() -> impl Strategy<Value = Want> {
    prop_oneof![Just(Want::Up), Just(Want::Down), Just(Want::Neither)]
}

proptest! {
    //= spec/status-file.md#status-1
    #[test]
    fn decode_inverts_encode(secs: u64, nanos: u32, pid: u32, paused: bool, want in any_want()) {
        let record = StatusRecord { stamp: Tai64N(Tai64(secs), nanos), pid, paused, want };
        prop_assert_eq!(StatusRecord::decode(&record.encode()), Ok(record));
    }

    //= spec/status-file.md#status-3
    #[test]
    fn decode_is_total(bytes: Vec<u8>) {
        match StatusRecord::decode(&bytes) {
            Ok(record) => {
                prop_assert!(bytes.len() >= STATUS_LEN);
                prop_assert_eq!(&record.encode()[..16], &bytes[..16]);
            }
            Err(StatusError::Short { len }) => prop_assert!(len < STATUS_LEN),
        }
    }
}
