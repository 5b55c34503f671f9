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

/// A probe with canned answers, recording how far svstat got.
struct Canned {
    chdir: Result<(), Errno>,
    down: Result<(), Errno>,
    ok: Result<(), Errno>,
    status: Result<Vec<u8>, StatusReadError>,
    asked: Vec<&'static str>,
}

impl Canned {
    fn running(status: Vec<u8>) -> Self {
        Canned {
            chdir: Ok(()),
            down: Err(Errno::ENOENT),
            ok: Ok(()),
            status: Ok(status),
            asked: Vec::new(),
        }
    }
}

impl ServiceProbe for Canned {
    fn chdir(&mut self) -> Result<(), Errno> {
        self.asked.push("chdir");
        self.chdir
    }
    fn stat_down(&mut self) -> Result<(), Errno> {
        self.asked.push("down");
        self.down
    }
    fn open_ok(&mut self) -> Result<(), Errno> {
        self.asked.push("ok");
        self.ok
    }
    fn read_status(&mut self) -> Result<Vec<u8>, StatusReadError> {
        self.asked.push("status");
        self.status.clone()
    }
}

//= spec/svstat-output.md#svstat-2
#[test]
fn questions_are_asked_in_order_and_stop_at_the_first_failure() {
    let record = record(9, false, Want::Up).encode().to_vec();
    let mut probe = Canned::running(record.clone());
    assert!(matches!(
        observe(&mut probe, NOW),
        Observation::Status {
            normally_up: true,
            ..
        }
    ));
    assert_eq!(probe.asked, ["chdir", "down", "ok", "status"]);

    let mut probe = Canned {
        down: Err(Errno::EACCES),
        ..Canned::running(record.clone())
    };
    assert_eq!(
        observe(&mut probe, NOW),
        Observation::StatDownFailed(Errno::EACCES)
    );
    assert_eq!(probe.asked, ["chdir", "down"]);

    let mut probe = Canned {
        down: Ok(()),
        ok: Err(Errno::ENXIO),
        ..Canned::running(record.clone())
    };
    assert_eq!(observe(&mut probe, NOW), Observation::SuperviseNotRunning);

    let mut probe = Canned {
        ok: Err(Errno::ENOENT),
        ..Canned::running(record.clone())
    };
    assert_eq!(
        observe(&mut probe, NOW),
        Observation::OkOpenFailed(Errno::ENOENT)
    );

    let mut probe = Canned::running(record[..5].to_vec());
    assert_eq!(observe(&mut probe, NOW), Observation::StatusBadFormat);

    let mut probe = Canned {
        status: Err(StatusReadError::Read(Errno::EIO)),
        ..Canned::running(record)
    };
    assert_eq!(
        observe(&mut probe, NOW),
        Observation::StatusReadFailed(Errno::EIO)
    );
}

/// The extensions' lines come from after the record, in the same read;
/// 0.76's 18 bytes, or a record followed by nothing, give none.
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-8
#[test]
fn the_extensions_lines_follow_the_record() {
    let record = record(9, false, Want::Up).encode().to_vec();
    let mut probe = Canned::running(record.clone());
    assert_eq!(observe_with_extra(&mut probe, NOW).1, None);
    let mut with_lines = record.clone();
    with_lines.extend_from_slice(b"not-ready 9\nstatus 9 busy\n");
    let mut probe = Canned::running(with_lines.clone());
    let (observation, extra) = observe_with_extra(&mut probe, NOW);
    assert_eq!(observation, observe(&mut Canned::running(record), NOW));
    assert_eq!(probe.asked, ["chdir", "down", "ok", "status"]);
    let extra = extra.expect("lines after the record");
    assert_eq!(extra.readiness_of(9), Some(None));
    assert_eq!(extra_after_record(&with_lines[..18]), None);
    assert_eq!(extra_after_record(&with_lines[..5]), None);
    assert_eq!(extra_after_record(&with_lines), Some(extra));
}

//= spec/svstat-output.md#svok-1
#[test]
fn svok_verdicts() {
    assert_eq!(svok_verdict(Ok(())), SvokVerdict::Running);
    assert_eq!(svok_verdict(Err(Errno::ENXIO)), SvokVerdict::NotRunning);
    assert_eq!(svok_verdict(Err(Errno::ENOENT)), SvokVerdict::NotRunning);
    assert_eq!(
        svok_verdict(Err(Errno::ENOTDIR)),
        SvokVerdict::Failed(Errno::ENOTDIR)
    );
}

/// What the extension lines add to a status report, and that none, or
/// lines that say nothing, add nothing.
//= spec/extensions.md#ext-8
#[test]
fn extra_is_appended_only_when_it_says_something() {
    use crate::supervise::Extra;
    let observation = Observation::Status {
        record: record(0, false, Want::Up),
        now: NOW,
        normally_up: true,
    };
    let plain = render(b"/service/x", &observation);
    assert_eq!(render_with_extra(b"/service/x", &observation, None), plain);
    let empty = Extra::default();
    assert_eq!(
        render_with_extra(b"/service/x", &observation, Some(&empty)),
        plain
    );
    let finishing = Extra {
        finishing: Some(crate::process::Pid(77)),
        ..Extra::default()
    };
    assert_eq!(
        String::from_utf8(render_with_extra(
            b"/service/x",
            &observation,
            Some(&finishing)
        ))
        .expect("ascii"),
        "/service/x: down 42 seconds, normally up, want up, finishing\n"
    );
    let restarting = Extra {
        restart: Some((Tai64N(Tai64(NOW.0 + 8), 0), 4)),
        ..Extra::default()
    };
    assert_eq!(
        String::from_utf8(render_with_extra(
            b"/service/x",
            &observation,
            Some(&restarting)
        ))
        .expect("ascii"),
        "/service/x: down 42 seconds, normally up, want up, restarting in 8 seconds (attempt 4)\n"
    );
    for (at, left) in [
        (Tai64N(Tai64(NOW.0 + 7), 1), 8),
        (Tai64N(NOW, 0), 0),
        (Tai64N(NOW, 5), 1),
        (Tai64N(Tai64(NOW.0 - 1), 999_999_999), 0),
    ] {
        let extra = Extra {
            restart: Some((at, 1)),
            ..Extra::default()
        };
        let line =
            String::from_utf8(render_with_extra(b"x", &observation, Some(&extra))).expect("ascii");
        assert!(
            line.ends_with(&format!(", restarting in {left} seconds (attempt 1)\n")),
            "{line}"
        );
    }
    let given_up = Extra {
        given_up: Some(5),
        ..Extra::default()
    };
    assert_eq!(
        String::from_utf8(render_with_extra(
            b"/service/x",
            &observation,
            Some(&given_up)
        ))
        .expect("ascii"),
        "/service/x: down 42 seconds, normally up, want up, given up after 5 failures\n"
    );
    // Error reports are never extended.
    assert_eq!(
        render_with_extra(
            b"/service/x",
            &Observation::SuperviseNotRunning,
            Some(&finishing)
        ),
        render(b"/service/x", &Observation::SuperviseNotRunning)
    );
}

/// Readiness (`notification-fd`) follows 0.76's suffixes, for the record's
/// pid only: a line about another process says nothing.
//= spec/extensions.md#ext-8
//= spec/extensions.md#ext-11
#[test]
fn readiness_is_shown_for_the_running_pid_only() {
    use crate::process::Pid;
    use crate::supervise::{Extra, Readiness};
    let observation = Observation::Status {
        record: record(812, false, Want::Down),
        now: NOW,
        normally_up: false,
    };
    let show = |pid: i32, since: Option<Tai64N>| {
        let extra = Extra {
            ready: Some(Readiness {
                pid: Pid(pid),
                since,
            }),
            ..Extra::default()
        };
        String::from_utf8(render_with_extra(b"w", &observation, Some(&extra))).expect("ascii")
    };
    assert_eq!(
        show(812, None),
        "w: up (pid 812) 42 seconds, normally down, want down, not ready\n"
    );
    assert_eq!(
        show(812, Some(Tai64N(Tai64(NOW.0 - 12), 999_999_999))),
        "w: up (pid 812) 42 seconds, normally down, want down, ready 12 seconds\n"
    );
    // A moment in the future reads as 0, as the status's stamp does.
    assert_eq!(
        show(812, Some(Tai64N(Tai64(NOW.0 + 3), 0))),
        "w: up (pid 812) 42 seconds, normally down, want down, ready 0 seconds\n"
    );
    assert_eq!(
        show(813, None),
        "w: up (pid 812) 42 seconds, normally down, want down\n"
    );
}

/// A status text (`notify`) follows the readiness, for the record's pid
/// only.
//= spec/extensions.md#ext-8
//= spec/extensions.md#ext-13
#[test]
fn status_text_is_shown_for_the_running_pid_only() {
    use crate::process::Pid;
    use crate::supervise::{Extra, Note, Readiness, StatusText};
    let observation = Observation::Status {
        record: record(812, false, Want::Up),
        now: NOW,
        normally_up: true,
    };
    let show = |pid: i32| {
        let extra = Extra {
            ready: Some(Readiness {
                pid: Pid(812),
                since: None,
            }),
            status: Some(Note {
                pid: Pid(pid),
                text: StatusText::new(b"loading \xff"),
            }),
            ..Extra::default()
        };
        String::from_utf8(render_with_extra(b"w", &observation, Some(&extra))).expect("utf-8")
    };
    assert_eq!(
        show(812),
        "w: up (pid 812) 42 seconds, not ready, status: loading \u{fffd}\n"
    );
    assert_eq!(show(813), "w: up (pid 812) 42 seconds, not ready\n");
}
