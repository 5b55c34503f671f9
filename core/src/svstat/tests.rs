use super::*;
use crate::status::Want;
use tai64::Tai64N;

const NOW: Tai64 = Tai64(0x4000_0000_6b05_9d65 + 42);

fn record(pid: u32, paused: bool, want: Want) -> StatusRecord {
    StatusRecord {
        stamp: Tai64N(Tai64(0x4000_0000_6b05_9d65), 0x2e28_660c),
        pid,
        paused,
        want,
    }
}

fn line(observation: Observation) -> String {
    String::from_utf8(render(b"/service/x", &observation)).expect("ascii")
}

/// Every combination of up/down, normally up/down, paused and want.
//= spec/svstat-output.md#svstat-1
//= spec/svstat-output.md#svstat-3
#[test]
fn every_status_line() {
    let mut all = String::new();
    for pid in [0, 12345] {
        for normally_up in [true, false] {
            for paused in [false, true] {
                for want in [Want::Up, Want::Down, Want::Neither] {
                    all.push_str(&line(Observation::Status {
                        record: record(pid, paused, want),
                        now: NOW,
                        normally_up,
                    }));
                }
            }
        }
    }
    insta::assert_snapshot!(all);
}

//= spec/svstat-output.md#svstat-3
#[test]
fn lines_observed_on_0_76() {
    let all_suffixes = Observation::Status {
        record: record(12345, true, Want::Down),
        now: NOW,
        normally_up: false,
    };
    assert_eq!(
        line(all_suffixes),
        "/service/x: up (pid 12345) 42 seconds, normally down, paused, want down\n"
    );
    let down = Observation::Status {
        record: record(0, false, Want::Up),
        now: NOW,
        normally_up: true,
    };
    assert_eq!(
        line(down),
        "/service/x: down 42 seconds, normally up, want up\n"
    );
}

//= spec/svstat-output.md#svstat-4
#[test]
fn a_stamp_in_the_future_is_zero_seconds() {
    let future = Observation::Status {
        record: record(7, false, Want::Up),
        now: Tai64(1),
        normally_up: true,
    };
    assert_eq!(line(future), "/service/x: up (pid 7) 0 seconds\n");
}

//= spec/svstat-output.md#svstat-2
#[test]
fn every_error_line() {
    let all: String = [
        Observation::ChdirFailed(Errno::ENOENT),
        Observation::StatDownFailed(Errno::EACCES),
        Observation::SuperviseNotRunning,
        Observation::OkOpenFailed(Errno::ENOENT),
        Observation::StatusOpenFailed(Errno::EACCES),
        Observation::StatusReadFailed(Errno::EIO),
        Observation::StatusBadFormat,
    ]
    .into_iter()
    .map(line)
    .collect();
    insta::assert_snapshot!(all);
}

//= spec/svstat-output.md#svstat-1
#[test]
fn the_directory_is_printed_as_given_bytes() {
    let out = render(b"odd\xffname", &Observation::SuperviseNotRunning);
    assert_eq!(out, b"odd\xffname: supervise not running\n");
}
