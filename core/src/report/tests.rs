use super::json_check::{self, Value};
use super::options::{self, Goal, Svstatus, Svwait, Usage};
use super::wait::{self, worth_a_look, Change, Decision, Place, Standing, Waiter};
use super::*;
use crate::getopt::Opt;
use crate::process::Pid;
use crate::status::{StatusRecord, Want};
use crate::supervise::{Extra, Note, Readiness, StatusText};
use crate::svstat::{self, Observation, ServiceProbe, StatusReadError};
use crate::{label, Errno, Mono, Now};
use proptest::prelude::*;
use tai64::{Tai64, Tai64N};

/// 2025-11-24, as in svstat's tests; the stamp daemontools made.
const STAMP: Tai64N = Tai64N(Tai64(0x4000_0000_6b05_9d65), 0x2e28_660c);
const NOW: Tai64 = Tai64(0x4000_0000_6b05_9d65 + 42);

fn record(pid: u32, paused: bool, want: Want) -> StatusRecord {
    StatusRecord {
        stamp: STAMP,
        pid,
        paused,
        want,
    }
}

fn status(pid: u32, paused: bool, want: Want, normally_up: bool) -> Report {
    Report {
        normally_up: Some(normally_up),
        outcome: Outcome::Status(record(pid, paused, want)),
        extra: None,
    }
}

fn failed(step: Step, errno: Option<Errno>) -> Report {
    let normally_up = match step {
        Step::Chdir | Step::StatDown => None,
        _ => Some(true),
    };
    Report {
        normally_up,
        outcome: Outcome::Failed { step, errno },
        extra: None,
    }
}

fn not_running() -> Report {
    Report {
        normally_up: Some(true),
        outcome: Outcome::NotRunning,
        extra: None,
    }
}

/// One report of each kind the look can end in.
fn every_kind() -> Vec<(&'static str, Report)> {
    vec![
        ("up", status(812, false, Want::Up, true)),
        (
            "up, normally down, paused, want down",
            status(812, true, Want::Down, false),
        ),
        (
            "down, normally up, want up",
            status(0, false, Want::Up, true),
        ),
        ("down after svc -o", status(0, false, Want::Neither, false)),
        ("not running", not_running()),
        ("chdir", failed(Step::Chdir, Some(Errno::ENOENT))),
        ("stat down", failed(Step::StatDown, Some(Errno::EACCES))),
        (
            "open ok, never ran",
            failed(Step::OpenOk, Some(Errno::ENOENT)),
        ),
        ("open ok", failed(Step::OpenOk, Some(Errno::EACCES))),
        ("open status", failed(Step::OpenStatus, Some(Errno::ENOENT))),
        ("read status", failed(Step::ReadStatus, Some(Errno::EIO))),
        ("bad format", failed(Step::ReadStatus, None)),
        ("unknown errno", failed(Step::OpenOk, Some(Errno(4095)))),
    ]
}

fn json(dir: &[u8], main: Report, log: Option<Report>) -> String {
    let line = json::render(
        &ServiceReport {
            dir: dir.to_vec(),
            main,
            log,
        },
        NOW,
    );
    String::from_utf8(line).expect("JSON output is UTF-8")
}

fn parsed(line: &str) -> Value {
    assert!(
        line.ends_with('\n') && line.matches('\n').count() == 1,
        "{line:?}"
    );
    json_check::parse(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

//= spec/status-json.md#json-1
//= spec/status-json.md#json-4
//= spec/status-json.md#json-5
//= spec/status-json.md#json-6
#[test]
fn every_json_object() {
    let mut all = String::new();
    for (what, report) in every_kind() {
        all.push_str(&format!("# {what}\n"));
        let line = json(b"/service/x", report, None);
        parsed(&line);
        all.push_str(&line);
    }
    insta::assert_snapshot!(all);
}

//= spec/status-json.md#json-7
#[test]
fn the_log_service_is_a_member_with_the_same_members() {
    let line = json(
        b"/service/x",
        status(812, false, Want::Up, true),
        Some(status(813, false, Want::Up, true)),
    );
    insta::assert_snapshot!(line);
    let value = parsed(&line);
    let log = value.get("log").expect("a log member");
    assert_eq!(
        log.get("dir").and_then(Value::as_str),
        Some("/service/x/log")
    );
    let main_keys: Vec<&str> = value
        .keys()
        .into_iter()
        .filter(|k| *k != "schema" && *k != "log")
        .collect();
    assert_eq!(log.keys(), main_keys);
    assert!(log.get("schema").is_none() && log.get("log").is_none());
    // A log whose look failed is still a member, with its error.
    let line = json(
        b"s",
        not_running(),
        Some(failed(Step::Chdir, Some(Errno::EACCES))),
    );
    let log = parsed(&line).get("log").cloned().expect("a log member");
    assert_eq!(log.get("ok"), Some(&Value::Bool(false)));
}

//= spec/status-json.md#json-7
#[test]
fn a_missing_log_directory_is_no_log_service() {
    for errno in [Errno::ENOENT, Errno::ENOTDIR] {
        assert_eq!(log_report(failed(Step::Chdir, Some(errno))), None);
    }
    let denied = failed(Step::Chdir, Some(Errno::EACCES));
    assert_eq!(log_report(denied), Some(denied));
    let up = status(1, false, Want::Up, true);
    assert_eq!(log_report(up), Some(up));
}

/// The member names of schema 1, in their order.
const ORDER: &[&str] = &[
    "schema",
    "dir",
    "dir_lossy",
    "dir_hex",
    "ok",
    "error",
    "normally_up",
    "supervise_running",
    "up",
    "pid",
    "since",
    "seconds",
    "paused",
    "want",
    "ready",
    "ready_since",
    "ready_seconds",
    "status_text",
    "finishing_pid",
    "restart",
    "given_up_after",
    "log",
];

/// Schema 1's members, pinned: a change here is a change of schema
/// (JSON-9), and new members may only be added after them.
//= spec/status-json.md#json-1
//= spec/status-json.md#json-4
//= spec/status-json.md#json-6
//= spec/status-json.md#json-9
#[test]
fn members_come_in_schema_order_and_status_members_only_with_a_record() {
    for (what, report) in every_kind() {
        let value = parsed(&json(b"d", report, Some(report)));
        let keys = value.keys();
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| {
                ORDER
                    .iter()
                    .position(|o| o == k)
                    .unwrap_or_else(|| panic!("{what}: {k}"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{what}: {keys:?}"
        );
        assert_eq!(value.get("schema"), Some(&Value::Number("1".into())));
        let ok = report.record().is_some();
        assert_eq!(value.get("ok"), Some(&Value::Bool(ok)), "{what}");
        assert_eq!(value.get("error").is_some(), !ok, "{what}");
        for member in ["up", "pid", "since", "seconds", "paused", "want"] {
            assert_eq!(value.get(member).is_some(), ok, "{what}: {member}");
        }
    }
}

//= spec/status-json.md#json-6
#[test]
fn status_members_carry_the_record() {
    let value = parsed(&json(b"d", status(812, true, Want::Down, false), None));
    assert_eq!(value.get("up"), Some(&Value::Bool(true)));
    assert_eq!(value.get("pid").and_then(Value::as_i128), Some(812));
    assert_eq!(value.get("seconds").and_then(Value::as_i128), Some(42));
    assert_eq!(value.get("paused"), Some(&Value::Bool(true)));
    assert_eq!(value.get("want").and_then(Value::as_str), Some("down"));
    let since = value.get("since").expect("since");
    assert_eq!(since.keys(), ["unix", "nanos", "tai64n"]);
    let unix = since.get("unix").and_then(Value::as_i128).expect("unix");
    assert_eq!(unix, i128::from(label::unix_secs(STAMP.0)));
    assert_eq!(
        since.get("nanos").and_then(Value::as_i128),
        Some(0x2e28_660c)
    );
    let tai64n = since.get("tai64n").and_then(Value::as_str).expect("tai64n");
    assert_eq!(label::parse(tai64n.as_bytes()), Ok(STAMP));
    // 2026-11-… is after 2025; the stamp's Unix time is 1,795,...
    assert_eq!(unix, 0x6b05_9d65 - 10);
    for (want, name) in [
        (Want::Up, "up"),
        (Want::Down, "down"),
        (Want::Neither, "none"),
    ] {
        let value = parsed(&json(b"d", status(0, false, want, true), None));
        assert_eq!(value.get("want").and_then(Value::as_str), Some(name));
        assert_eq!(value.get("up"), Some(&Value::Bool(false)));
        assert_eq!(value.get("pid").and_then(Value::as_i128), Some(0));
    }
}

/// svstat's report for what `report` says, if svstat would print an error.
fn svstat_observation(report: &Report) -> Option<Observation> {
    Some(match report.outcome {
        Outcome::Status(_) => return None,
        Outcome::NotRunning => Observation::SuperviseNotRunning,
        Outcome::Failed { step, errno } => match (step, errno) {
            (Step::Chdir, Some(e)) => Observation::ChdirFailed(e),
            (Step::StatDown, Some(e)) => Observation::StatDownFailed(e),
            (Step::OpenOk, Some(e)) => Observation::OkOpenFailed(e),
            (Step::OpenStatus, Some(e)) => Observation::StatusOpenFailed(e),
            (Step::ReadStatus, Some(e)) => Observation::StatusReadFailed(e),
            (_, None) => Observation::StatusBadFormat,
        },
    })
}

//= spec/status-json.md#json-4
#[test]
fn error_text_is_svstats_report_word_for_word() {
    for (what, report) in every_kind() {
        let Some(observation) = svstat_observation(&report) else {
            assert_eq!(report.error_text(), None);
            continue;
        };
        let line = String::from_utf8(svstat::render(b"d", &observation)).expect("text");
        let words = line.strip_prefix("d: ").and_then(|l| l.strip_suffix('\n'));
        assert_eq!(report.error_text().as_deref(), words, "{what}");
        let value = parsed(&json(b"d", report, None));
        let error = value.get("error").expect("error member");
        assert_eq!(error.keys(), ["step", "errno", "errno_number", "text"]);
        assert_eq!(error.get("text").and_then(Value::as_str), words, "{what}");
    }
}

//= spec/status-json.md#json-4
#[test]
fn errors_carry_the_step_and_the_errno_name_and_number() {
    let value = parsed(&json(b"d", not_running(), None));
    let error = value.get("error").expect("error");
    assert_eq!(
        error.get("step").and_then(Value::as_str),
        Some("open supervise/ok")
    );
    assert_eq!(error.get("errno").and_then(Value::as_str), Some("ENXIO"));
    assert_eq!(error.get("errno_number").and_then(Value::as_i128), Some(6));
    let value = parsed(&json(b"d", failed(Step::ReadStatus, None), None));
    let error = value.get("error").expect("error");
    assert_eq!(error.get("errno"), Some(&Value::Null));
    assert_eq!(error.get("errno_number"), Some(&Value::Null));
    let value = parsed(&json(b"d", failed(Step::OpenOk, Some(Errno(4095))), None));
    let error = value.get("error").expect("error");
    assert_eq!(error.get("errno"), Some(&Value::Null));
    assert_eq!(
        error.get("errno_number").and_then(Value::as_i128),
        Some(4095)
    );
    assert_eq!(errno_name::name(Errno::ENOENT), Some("ENOENT"));
    assert_eq!(errno_name::name(Errno::EWOULDBLOCK), Some("EAGAIN"));
    assert_eq!(errno_name::name(Errno(133)), Some("EHWPOISON"));
    for unnamed in [0, -1, 41, 58, 134, i32::MAX, i32::MIN] {
        assert_eq!(errno_name::name(Errno(unnamed)), None, "{unnamed}");
    }
}

//= spec/status-json.md#json-5
#[test]
fn supervise_running_is_known_once_supervise_ok_answered() {
    let running = |r: Report| r.supervise_running();
    assert_eq!(running(status(1, false, Want::Up, true)), Some(true));
    assert_eq!(running(not_running()), Some(false));
    assert_eq!(
        running(failed(Step::OpenOk, Some(Errno::ENOENT))),
        Some(false)
    );
    assert_eq!(running(failed(Step::OpenOk, Some(Errno::EACCES))), None);
    assert_eq!(running(failed(Step::Chdir, Some(Errno::ENOENT))), None);
    assert_eq!(running(failed(Step::StatDown, Some(Errno::EIO))), None);
    assert_eq!(
        running(failed(Step::OpenStatus, Some(Errno::ENOENT))),
        Some(true)
    );
    assert_eq!(running(failed(Step::ReadStatus, None)), Some(true));
    let value = parsed(&json(b"d", failed(Step::Chdir, Some(Errno::ENOENT)), None));
    assert!(value.get("normally_up").is_none() && value.get("supervise_running").is_none());
    let value = parsed(&json(b"d", failed(Step::OpenOk, Some(Errno::EACCES)), None));
    assert_eq!(value.get("normally_up"), Some(&Value::Bool(true)));
    assert!(value.get("supervise_running").is_none());
}

//= spec/status-json.md#json-2
#[test]
fn names_are_escaped_and_invalid_utf8_is_replaced_and_flagged() {
    let dir = b"/service/\"q\"\\b\n\t\x01\x7f\xe2\x80\xa8caf\xc3\xa9 \xff\xfe end";
    let line = json(dir, not_running(), None);
    insta::assert_snapshot!(line);
    let value = parsed(&line);
    assert_eq!(
        value.get("dir").and_then(Value::as_str),
        Some(String::from_utf8_lossy(dir).as_ref())
    );
    assert_eq!(value.get("dir_lossy"), Some(&Value::Bool(true)));
    let hex = value
        .get("dir_hex")
        .and_then(Value::as_str)
        .expect("dir_hex");
    assert_eq!(hex, text::hex(dir));
    // Valid UTF-8 is copied, not escaped, and not flagged.
    let value = parsed(&json("/service/café ☃".as_bytes(), not_running(), None));
    assert_eq!(
        value.get("dir").and_then(Value::as_str),
        Some("/service/café ☃")
    );
    assert!(value.get("dir_lossy").is_none() && value.get("dir_hex").is_none());
}

fn arb_report() -> impl Strategy<Value = Report> {
    let step = prop_oneof![
        Just(Step::Chdir),
        Just(Step::StatDown),
        Just(Step::OpenOk),
        Just(Step::OpenStatus),
        Just(Step::ReadStatus),
    ];
    let record = (
        any::<u64>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(secs, nanos, pid, paused, want)| StatusRecord {
            stamp: Tai64N(Tai64(secs), nanos),
            pid,
            paused,
            want: Want::from_byte(want),
        });
    let outcome = prop_oneof![
        record.prop_map(Outcome::Status),
        Just(Outcome::NotRunning),
        (step, proptest::option::of(any::<i32>())).prop_map(|(step, errno)| Outcome::Failed {
            step,
            errno: errno.map(Errno)
        }),
    ];
    // Readiness (EXT-12), a status text (EXT-13), about the record's pid
    // or another one; `./finish`, a restart put off, giving up (EXT-15).
    let extra = proptest::option::of((
        (
            any::<bool>(),
            proptest::option::of((any::<u64>(), 0u32..1_000_000_000)),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
        ),
        (
            proptest::option::of(1i32..i32::MAX),
            proptest::option::of((any::<u64>(), 0u32..1_000_000_000, any::<u32>())),
            proptest::option::of(any::<u32>()),
        ),
    ));
    (proptest::option::of(any::<bool>()), outcome, extra).prop_map(
        |(normally_up, outcome, extra)| {
            let extra = match (outcome, extra) {
                (
                    Outcome::Status(record),
                    Some(((same, since, text), (finishing, restart, given_up))),
                ) => {
                    let pid = Pid(if same {
                        i32::try_from(record.pid).unwrap_or(1)
                    } else {
                        7
                    });
                    Some(Extra {
                        ready: Some(Readiness {
                            pid,
                            since: since.map(|(secs, nanos)| Tai64N(Tai64(secs), nanos)),
                        }),
                        status: text.map(|text| Note {
                            pid,
                            text: StatusText::new(&text),
                        }),
                        finishing: finishing.map(Pid),
                        restart: restart
                            .map(|(secs, nanos, attempt)| (Tai64N(Tai64(secs), nanos), attempt)),
                        given_up,
                    })
                }
                _ => None,
            };
            Report {
                normally_up,
                outcome,
                extra,
            }
        },
    )
}

proptest! {
    /// Any name and any report give one line of valid JSON that names the
    /// directory exactly (or, for a name that is not UTF-8, readably and
    /// in hex).
    //= spec/status-json.md#json-1
    //= spec/status-json.md#json-2
    #[test]
    fn any_report_is_one_line_of_valid_json(
        dir in proptest::collection::vec(any::<u8>(), 0..40),
        main in arb_report(),
        log in proptest::option::of(arb_report()),
        now in any::<u64>(),
    ) {
        let line = json::render(&ServiceReport { dir: dir.clone(), main, log }, Tai64(now));
        let line = String::from_utf8(line).expect("UTF-8");
        prop_assert!(line.ends_with('\n'));
        prop_assert_eq!(line.matches('\n').count(), 1);
        let value = json_check::parse(&line).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
        let shown = value.get("dir").and_then(Value::as_str).map(str::to_owned);
        prop_assert_eq!(shown, Some(String::from_utf8_lossy(&dir).into_owned()));
        let lossy = std::str::from_utf8(&dir).is_err();
        prop_assert_eq!(value.get("dir_lossy").is_some(), lossy);
        prop_assert_eq!(value.get("log").is_some(), log.is_some());
        if let Some(record) = main.record() {
            let seconds = value.get("seconds").and_then(Value::as_i128);
            prop_assert_eq!(seconds, Some(i128::from(now.saturating_sub(record.stamp.0 .0))));
        }
    }

    /// Label values: any bytes give a quoted UTF-8 value with only the
    /// three escapes and no raw newline.
    //= spec/status-json.md#prom-3
    #[test]
    fn any_name_is_a_well_formed_label_value(name in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut out = Vec::new();
        text::push_label_value(&mut out, &name);
        let text = String::from_utf8(out).expect("UTF-8");
        prop_assert!(!text.contains('\n'));
        prop_assert_eq!(unescape_label(&text), Some(String::from_utf8_lossy(&name).into_owned()));
    }
}

/// A label value's text, if it is a well-formed quoted value.
fn unescape_label(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                'n' => out.push('\n'),
                _ => return None,
            },
            '"' | '\n' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// A probe that answers from a script and records the questions.
struct Scripted {
    chdir: Result<(), Errno>,
    stat_down: Result<(), Errno>,
    open_ok: Result<(), Errno>,
    status: Result<Vec<u8>, StatusReadError>,
    asked: Vec<&'static str>,
}

impl Scripted {
    fn up() -> Self {
        Scripted {
            chdir: Ok(()),
            stat_down: Err(Errno::ENOENT),
            open_ok: Ok(()),
            status: Ok(record(812, false, Want::Up).encode().to_vec()),
            asked: Vec::new(),
        }
    }
}

impl ServiceProbe for Scripted {
    fn chdir(&mut self) -> Result<(), Errno> {
        self.asked.push("chdir");
        self.chdir
    }
    fn stat_down(&mut self) -> Result<(), Errno> {
        self.asked.push("stat down");
        self.stat_down
    }
    fn open_ok(&mut self) -> Result<(), Errno> {
        self.asked.push("open ok");
        self.open_ok
    }
    fn read_status(&mut self) -> Result<Vec<u8>, StatusReadError> {
        self.asked.push("read status");
        self.status.clone()
    }
}

//= spec/status-json.md#json-3
#[test]
fn the_look_asks_svstats_questions_in_svstats_order() {
    let mut probe = Scripted::up();
    assert_eq!(observe(&mut probe), status(812, false, Want::Up, true));
    assert_eq!(
        probe.asked,
        ["chdir", "stat down", "open ok", "read status"]
    );

    let cases: Vec<(Scripted, Report, usize)> = vec![
        (
            Scripted {
                chdir: Err(Errno::ENOENT),
                ..Scripted::up()
            },
            failed(Step::Chdir, Some(Errno::ENOENT)),
            1,
        ),
        (
            Scripted {
                stat_down: Err(Errno::EACCES),
                ..Scripted::up()
            },
            failed(Step::StatDown, Some(Errno::EACCES)),
            2,
        ),
        (
            Scripted {
                open_ok: Err(Errno::ENXIO),
                ..Scripted::up()
            },
            not_running(),
            3,
        ),
        (
            Scripted {
                open_ok: Err(Errno::ENOENT),
                ..Scripted::up()
            },
            failed(Step::OpenOk, Some(Errno::ENOENT)),
            3,
        ),
        (
            Scripted {
                status: Err(StatusReadError::Open(Errno::ENOENT)),
                ..Scripted::up()
            },
            failed(Step::OpenStatus, Some(Errno::ENOENT)),
            4,
        ),
        (
            Scripted {
                status: Err(StatusReadError::Read(Errno::EIO)),
                ..Scripted::up()
            },
            failed(Step::ReadStatus, Some(Errno::EIO)),
            4,
        ),
        (
            Scripted {
                status: Ok(vec![0; 17]),
                ..Scripted::up()
            },
            failed(Step::ReadStatus, None),
            4,
        ),
    ];
    for (mut probe, expected, questions) in cases {
        assert_eq!(observe(&mut probe), expected);
        assert_eq!(probe.asked.len(), questions, "{expected:?}");
    }
    // A down file: normally down.
    let mut probe = Scripted {
        stat_down: Ok(()),
        ..Scripted::up()
    };
    assert_eq!(observe(&mut probe).normally_up, Some(false));
    // The same answers give svstat's observation.
    let mut probe = Scripted::up();
    let seen = svstat::observe(&mut probe, NOW);
    assert_eq!(
        seen,
        Observation::Status {
            record: record(812, false, Want::Up),
            now: NOW,
            normally_up: true
        }
    );
}

fn scan() -> Vec<ServiceReport> {
    vec![
        ServiceReport {
            dir: b"web".to_vec(),
            main: status(812, false, Want::Up, true),
            log: Some(status(813, false, Want::Up, true)),
        },
        ServiceReport {
            dir: b"cron".to_vec(),
            main: status(0, false, Want::Up, true),
            log: None,
        },
        ServiceReport {
            dir: b"batch".to_vec(),
            main: status(900, true, Want::Down, false),
            log: None,
        },
        ServiceReport {
            dir: b"gone".to_vec(),
            main: not_running(),
            log: Some(failed(Step::OpenOk, Some(Errno::ENOENT))),
        },
        ServiceReport {
            dir: b"odd \"name\"\\\n\xff".to_vec(),
            main: failed(Step::Chdir, Some(Errno::EACCES)),
            log: None,
        },
    ]
}

//= spec/status-json.md#prom-1
//= spec/status-json.md#prom-2
//= spec/status-json.md#prom-3
#[test]
fn the_exposition_of_a_scan_directory() {
    let text = String::from_utf8(prometheus::render(&scan(), NOW)).expect("UTF-8");
    insta::assert_snapshot!(text);
    check_exposition(&text);
}

//= spec/status-json.md#prom-2
#[test]
fn the_exposition_of_nothing_is_only_help_and_type() {
    let text = String::from_utf8(prometheus::render(&[], NOW)).expect("UTF-8");
    assert_eq!(text.lines().count(), 2 * prometheus::family_names().count());
    check_exposition(&text);
}

//= spec/status-json.md#prom-2
#[test]
fn the_since_timestamp_is_exact() {
    let one = |stamp: Tai64N| {
        let services = [ServiceReport {
            dir: b"s".to_vec(),
            main: Report {
                normally_up: Some(true),
                outcome: Outcome::Status(StatusRecord {
                    stamp,
                    pid: 1,
                    paused: false,
                    want: Want::Up,
                }),
                extra: None,
            },
            log: None,
        }];
        let text = String::from_utf8(prometheus::render(&services, NOW)).expect("UTF-8");
        text.lines()
            .find_map(|l| {
                l.strip_prefix("daemontools_service_since_timestamp_seconds{service=\"s\"} ")
            })
            .map(str::to_owned)
            .expect("a sample")
    };
    assert_eq!(
        one(label::from_unix(1_764_000_000, 123_456_500)),
        "1764000000.123456500"
    );
    assert_eq!(one(label::from_unix(0, 0)), "0.000000000");
    assert_eq!(one(label::from_unix(-1, 500)), "-0.999999500");
    assert_eq!(one(label::from_unix(5, 1_500_000_000)), "6.500000000");
}

/// The text exposition format's line grammar, as far as svstatus uses it:
/// `# HELP name text`, `# TYPE name gauge`, and `name{label="value",...}
/// number`; every family's HELP and TYPE come before its samples, each
/// family once, samples of one family together, no series twice.
fn check_exposition(text: &str) {
    fn is_name(s: &str) -> bool {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut families: Vec<String> = Vec::new();
    let mut typed = false;
    let mut series = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP name text");
            assert!(is_name(name) && !help.is_empty(), "{line}");
            assert!(!families.iter().any(|f| f == name), "family {name} twice");
            families.push(name.to_owned());
            typed = false;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            assert_eq!(
                Some(rest),
                families.last().map(|f| format!("{f} gauge")).as_deref()
            );
            typed = true;
        } else {
            assert!(typed, "a sample before its family's TYPE: {line}");
            let family = families.last().expect("a family");
            let open = line.find('{').expect("labels");
            assert_eq!(&line[..open], family.as_str(), "{line}");
            let close = line.rfind("} ").expect("end of labels");
            let labels = &line[open + 1..close];
            let value = &line[close + 2..];
            assert!(value.parse::<f64>().is_ok(), "value {value:?}");
            let (key, quoted) = labels.split_once('=').expect("label=value");
            assert_eq!(key, "service");
            assert!(unescape_label(quoted).is_some(), "label {quoted:?}");
            assert!(
                series.insert(format!("{family}{{{labels}}}")),
                "twice: {line}"
            );
        }
    }
}

#[test]
fn the_family_names_are_the_documented_ones() {
    let names: Vec<&str> = prometheus::family_names().collect();
    assert_eq!(
        names,
        [
            "daemontools_service_status_ok",
            "daemontools_service_supervise_running",
            "daemontools_service_normally_up",
            "daemontools_service_up",
            "daemontools_service_seconds",
            "daemontools_service_since_timestamp_seconds",
            "daemontools_service_paused",
            "daemontools_service_want_up",
            "daemontools_service_want_down",
            "daemontools_service_ready",
        ]
    );
}

/// The readiness gauge: only for a service whose extension lines tell
/// the readiness of its pid.
//= spec/extensions.md#ext-12
//= spec/status-json.md#prom-2
#[test]
fn the_ready_gauge() {
    let services = [
        (b"a".to_vec(), with_readiness(812, None)),
        (b"b".to_vec(), with_readiness(812, Some(STAMP))),
        (b"c".to_vec(), with_readiness(813, None)),
        (b"d".to_vec(), status(812, false, Want::Up, true)),
    ]
    .map(|(dir, main)| ServiceReport {
        dir,
        main,
        log: None,
    });
    let text = String::from_utf8(prometheus::render(&services, NOW)).expect("UTF-8");
    check_exposition(&text);
    let ready: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("daemontools_service_ready{"))
        .collect();
    assert_eq!(
        ready,
        [
            "daemontools_service_ready{service=\"a\"} 0",
            "daemontools_service_ready{service=\"b\"} 1",
        ]
    );
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

//= spec/status-json.md#json-8
//= spec/status-json.md#prom-1
#[test]
fn svstatus_command_lines() {
    let parse = |w: &[&str]| options::svstatus(&argv(w));
    assert_eq!(
        parse(&["svstatus", "a", "b"]),
        Ok(Svstatus {
            prometheus: false,
            dirs: 1
        })
    );
    assert_eq!(
        parse(&["svstatus", "-p", "/service"]),
        Ok(Svstatus {
            prometheus: true,
            dirs: 2
        })
    );
    assert_eq!(
        parse(&["svstatus", "--", "-p"]),
        Ok(Svstatus {
            prometheus: false,
            dirs: 2
        })
    );
    assert_eq!(parse(&["svstatus"]), Err(Usage(None)));
    assert_eq!(parse(&["svstatus", "-p"]), Err(Usage(None)));
    assert_eq!(parse(&["svstatus", "-p", "a", "b"]), Err(Usage(None)));
    assert_eq!(
        parse(&["svstatus", "-x", "a"]),
        Err(Usage(Some(Opt::Illegal(b'x'))))
    );
}

//= spec/svwait.md#wait-1
#[test]
fn svwait_command_lines() {
    let parse = |w: &[&str]| options::svwait(&argv(w));
    let plain = Svwait {
        goal: Goal::Up,
        any: false,
        timeout_secs: None,
        dirs: 1,
    };
    assert_eq!(parse(&["svwait", "s"]), Ok(plain));
    assert_eq!(
        parse(&["svwait", "-d", "s"]),
        Ok(Svwait {
            goal: Goal::Down,
            dirs: 2,
            ..plain
        })
    );
    assert_eq!(
        parse(&["svwait", "-x", "s"]),
        Ok(Svwait {
            goal: Goal::Gone,
            dirs: 2,
            ..plain
        })
    );
    assert_eq!(
        parse(&["svwait", "-U", "30", "-t5", "-o", "s", "t"]),
        Ok(Svwait {
            goal: Goal::UpFor(30),
            any: true,
            timeout_secs: Some(5),
            dirs: 5
        })
    );
    assert_eq!(
        parse(&["svwait", "-du", "-oa", "s"]),
        Ok(Svwait { dirs: 3, ..plain })
    );
    assert_eq!(
        parse(&["svwait", "-t", "0", "s"]),
        Ok(Svwait {
            timeout_secs: Some(0),
            dirs: 3,
            ..plain
        })
    );
    //= spec/extensions.md#ext-12
    assert_eq!(
        parse(&["svwait", "-r", "s"]),
        Ok(Svwait {
            goal: Goal::Ready,
            dirs: 2,
            ..plain
        })
    );
    assert_eq!(parse(&["svwait"]), Err(Usage(None)));
    assert_eq!(parse(&["svwait", "-d"]), Err(Usage(None)));
    for bad in ["", "x", "1.5", "-1", "+1", "99999999999999999999999"] {
        assert_eq!(
            parse(&["svwait", "-t", bad, "s"]),
            Err(Usage(None)),
            "{bad:?}"
        );
        assert_eq!(
            parse(&["svwait", "-U", bad, "s"]),
            Err(Usage(None)),
            "{bad:?}"
        );
    }
    assert_eq!(
        parse(&["svwait", "-t"]),
        Err(Usage(Some(Opt::MissingArgument(b't'))))
    );
    assert_eq!(
        parse(&["svwait", "-Z", "s"]),
        Err(Usage(Some(Opt::Illegal(b'Z'))))
    );
}

fn wall(secs_after_stamp: u64, nanos: u32) -> Tai64N {
    Tai64N(Tai64(STAMP.0 .0 + secs_after_stamp), nanos)
}

//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-3
#[test]
fn where_each_kind_of_report_stands() {
    let at = wall(10, 0);
    let table: Vec<String> = every_kind()
        .into_iter()
        .map(|(what, report)| {
            let cells: Vec<String> = [
                Goal::Up,
                Goal::Down,
                Goal::UpFor(5),
                Goal::UpFor(60),
                Goal::Gone,
            ]
            .into_iter()
            .map(|goal| match wait::standing(goal, &report, at) {
                Standing::Reached => "reached".to_owned(),
                Standing::NotYet { in_nanos: None } => "not yet".to_owned(),
                Standing::NotYet { in_nanos: Some(n) } => format!("in {n} ns"),
                Standing::Failed { step, errno } => format!("failed {} {}", step.name(), errno.0),
            })
            .collect();
            format!("{what:<40} | {}\n", cells.join(" | "))
        })
        .collect();
    insta::assert_snapshot!(table.concat());
}

//= spec/svwait.md#wait-2
#[test]
fn up_for_counts_nanoseconds_and_a_future_stamp_as_zero() {
    let up = status(1, false, Want::Up, true);
    let goal = Goal::UpFor(3);
    // The stamp is STAMP (nanos 0x2e28660c = 774,399,500).
    assert_eq!(
        wait::standing(goal, &up, wall(3, 0x2e28_660c)),
        Standing::Reached
    );
    assert_eq!(
        wait::standing(goal, &up, wall(3, 0x2e28_660b)),
        Standing::NotYet { in_nanos: Some(1) }
    );
    assert_eq!(
        wait::standing(goal, &up, Tai64N(Tai64(STAMP.0 .0 - 100), 0)),
        Standing::NotYet {
            in_nanos: Some(3_000_000_000)
        }
    );
    assert_eq!(
        wait::standing(Goal::UpFor(0), &up, wall(0, 0)),
        Standing::Reached
    );
}

fn now_at(mono_secs: u64) -> Now {
    // The wall clock exactly `mono_secs` after the stamp.
    Now {
        mono: Mono::from_secs(mono_secs),
        wall: wall(mono_secs, STAMP.1),
    }
}

fn waiter(goal: Goal, any: bool, timeout_secs: Option<u64>) -> Waiter {
    Waiter::new(
        &Svwait {
            goal,
            any,
            timeout_secs,
            dirs: 1,
        },
        now_at(0),
    )
}

//= spec/svwait.md#wait-4
//= spec/svwait.md#wait-5
#[test]
fn decisions() {
    let up = status(1, false, Want::Up, true);
    let down = status(0, false, Want::Down, true);
    let broken = failed(Step::OpenOk, Some(Errno::EACCES));
    let w = waiter(Goal::Up, false, Some(10));
    assert_eq!(w.deadline(), Some(Mono::from_secs(10)));
    assert_eq!(w.decide(&[up, up], now_at(1), false), Decision::Reached);
    // Reaching the goal wins over the timeout.
    assert_eq!(w.decide(&[up], now_at(99), false), Decision::Reached);
    assert_eq!(
        w.decide(&[up, down], now_at(10), false),
        Decision::TimedOut { dir: 1 }
    );
    assert_eq!(
        w.decide(&[up, down, broken], now_at(1), false),
        Decision::Failed {
            dir: 2,
            step: Step::OpenOk,
            errno: Errno::EACCES
        }
    );
    // Not there yet: look again at the fallback, the deadline, or soon
    // after a change, whichever comes first.
    let fallback = Mono::from_secs(1).after_nanos(wait::FALLBACK_NANOS);
    let w_forever = waiter(Goal::Up, false, None);
    assert_eq!(
        w_forever.decide(&[down], now_at(1), false),
        Decision::Wait { until: fallback }
    );
    assert_eq!(
        w_forever.decide(&[down], now_at(1), true),
        Decision::Wait {
            until: Mono::from_secs(1).after_nanos(wait::SETTLE_NANOS)
        }
    );
    assert_eq!(
        w.decide(&[down], now_at(8), false),
        Decision::Wait {
            until: Mono::from_secs(10)
        }
    );
    // -o: one is enough; -a: all.
    let any = waiter(Goal::Down, true, None);
    assert_eq!(any.decide(&[up, down], now_at(1), false), Decision::Reached);
    assert_eq!(
        any.decide(&[broken, down], now_at(1), false),
        Decision::Reached
    );
    assert_eq!(
        waiter(Goal::Down, false, None).decide(&[up, down], now_at(1), false),
        Decision::Wait { until: fallback }
    );
    // -U: time alone brings it there.
    let w = waiter(Goal::UpFor(3), false, None);
    assert_eq!(
        w.decide(&[up], now_at(1), false),
        Decision::Wait {
            until: Mono::from_secs(3)
        }
    );
    assert_eq!(w.decide(&[up], now_at(3), false), Decision::Reached);
    // -t 0: one look.
    let w = waiter(Goal::Up, false, Some(0));
    assert_eq!(
        w.decide(&[down], now_at(0), false),
        Decision::TimedOut { dir: 0 }
    );
    assert_eq!(w.decide(&[up], now_at(0), false), Decision::Reached);
}

proptest! {
    /// Whatever it sees, svwait either stops or names a time to look again
    /// that is after now and no later than its deadline and the fallback.
    //= spec/svwait.md#wait-5
    #[test]
    fn waiting_always_ends_or_names_a_time(
        reports in proptest::collection::vec(arb_report(), 1..4),
        up_for in any::<u16>(),
        any_of in any::<bool>(),
        timeout in proptest::option::of(0u64..100),
        now_secs in 0u64..200,
        changed in any::<bool>(),
    ) {
        let w = waiter(Goal::UpFor(u64::from(up_for)), any_of, timeout);
        let now = now_at(now_secs);
        match w.decide(&reports, now, changed) {
            Decision::Wait { until } => {
                prop_assert!(until > now.mono);
                prop_assert!(until <= now.mono.after_nanos(wait::FALLBACK_NANOS));
                if let Some(deadline) = w.deadline() {
                    prop_assert!(until <= deadline);
                }
            }
            Decision::TimedOut { dir } => {
                prop_assert!(w.deadline().is_some_and(|d| now.mono >= d));
                prop_assert!(dir < reports.len());
            }
            Decision::Failed { dir, .. } => prop_assert!(dir < reports.len()),
            Decision::Reached => {}
        }
    }
}

//= spec/svwait.md#wait-6
#[test]
fn which_changes_are_worth_a_look() {
    use Change::*;
    // What supervise does: its status rename, its lock and ok closing as it
    // exits, its directory appearing.
    assert!(worth_a_look(Place::Supervise, b"status", MovedIn));
    assert!(worth_a_look(Place::Supervise, b"status", ClosedWrite));
    assert!(worth_a_look(Place::Supervise, b"lock", ClosedWrite));
    assert!(worth_a_look(Place::Supervise, b"ok", ClosedRead));
    assert!(worth_a_look(Place::Supervise, b"ok", Created));
    assert!(worth_a_look(Place::Service, b"supervise", Created));
    assert!(worth_a_look(Place::Service, b"", WatchGone));
    assert!(worth_a_look(Place::Supervise, b"", Overflow));
    // Readiness (EXT-12) comes in the status file too: no other file.
    assert!(!worth_a_look(Place::Supervise, b"extra", MovedIn));
    // What svwait's own looks (and svstat's, svok's) do: open
    // supervise/ok for writing, read supervise/status.
    assert!(!worth_a_look(Place::Supervise, b"ok", ClosedWrite));
    assert!(!worth_a_look(Place::Supervise, b"status", ClosedRead));
    // The half-written record, the control pipe, other files.
    assert!(!worth_a_look(Place::Supervise, b"status.new", Created));
    assert!(!worth_a_look(Place::Supervise, b"status.new", ClosedWrite));
    assert!(!worth_a_look(Place::Supervise, b"control", ClosedWrite));
    assert!(!worth_a_look(Place::Service, b"down", Created));
    assert!(!worth_a_look(Place::Service, b"run", ClosedWrite));
}

/// A report of an up service whose extension lines say this about pid
/// `pid`'s readiness.
fn with_readiness(pid: i32, since: Option<Tai64N>) -> Report {
    Report {
        extra: Some(Extra {
            ready: Some(Readiness {
                pid: Pid(pid),
                since,
            }),
            ..Extra::default()
        }),
        ..status(812, false, Want::Up, true)
    }
}

/// svstatus' optional readiness members, after `"want"`, only for the
/// record's pid.
//= spec/extensions.md#ext-12
//= spec/status-json.md#json-9
#[test]
fn readiness_members() {
    let since = wall(30, 5);
    let value = parsed(&json(b"d", with_readiness(812, Some(since)), None));
    assert_eq!(value.get("ready"), Some(&Value::Bool(true)));
    assert_eq!(
        value.get("ready_seconds").and_then(Value::as_i128),
        Some(12)
    );
    let moment = value.get("ready_since").expect("ready_since");
    assert_eq!(moment.keys(), ["unix", "nanos", "tai64n"]);
    assert_eq!(moment.get("nanos").and_then(Value::as_i128), Some(5));
    let tai64n = moment.get("tai64n").and_then(Value::as_str).expect("label");
    assert_eq!(label::parse(tai64n.as_bytes()), Ok(since));
    let value = parsed(&json(b"d", with_readiness(812, None), None));
    assert_eq!(value.get("ready"), Some(&Value::Bool(false)));
    assert_eq!(value.get("ready_since"), None);
    assert_eq!(value.get("ready_seconds"), None);
    for other in [
        with_readiness(813, None),
        status(812, false, Want::Up, true),
    ] {
        let value = parsed(&json(b"d", other, None));
        assert_eq!(value.get("ready"), None);
    }
    assert_eq!(
        json(b"d", with_readiness(813, Some(since)), None),
        json(b"d", status(812, false, Want::Up, true), None)
    );
}

/// `svwait -r`: up and, where readiness is reported for the pid, ready.
//= spec/extensions.md#ext-12
#[test]
fn ready_waits_for_the_newline_where_there_is_one() {
    let at = wall(60, 0);
    let reached = |report: &Report| wait::standing(Goal::Ready, report, at) == Standing::Reached;
    assert!(!reached(&with_readiness(812, None)));
    assert!(reached(&with_readiness(812, Some(wall(50, 0)))));
    // No line for this pid (no notification-fd): up is enough.
    assert!(reached(&with_readiness(813, None)));
    assert!(reached(&status(812, false, Want::Up, true)));
    assert!(!reached(&status(0, false, Want::Up, true)));
    assert!(!reached(&not_running()));
}

/// The look takes what the extensions say from after the record, with
/// no question beyond svstat's; a short file has no record and no lines.
//= spec/extensions.md#ext-12
#[test]
fn the_look_takes_the_extensions_lines_from_after_the_record() {
    let with_lines = |record: &[u8]| {
        let mut bytes = record.to_vec();
        bytes.extend_from_slice(b"not-ready 812\n");
        Scripted {
            status: Ok(bytes),
            ..Scripted::up()
        }
    };
    let mut probe = with_lines(&record(812, false, Want::Up).encode());
    assert_eq!(observe(&mut probe), with_readiness(812, None));
    assert_eq!(
        probe.asked,
        ["chdir", "stat down", "open ok", "read status"]
    );
    let mut probe = with_lines(b"");
    assert_eq!(observe(&mut probe).extra, None);
}

/// svstatus' `status_text`, escaped as any string, for the record's pid.
//= spec/extensions.md#ext-13
#[test]
fn status_text_member() {
    use crate::supervise::{Note, StatusText};
    let with_text = |pid: i32| Report {
        extra: Some(Extra {
            status: Some(Note {
                pid: Pid(pid),
                text: StatusText::new(b"say \"hi\""),
            }),
            ..Extra::default()
        }),
        ..status(812, false, Want::Up, true)
    };
    let value = parsed(&json(b"d", with_text(812), None));
    assert_eq!(
        value.get("status_text").and_then(Value::as_str),
        Some("say \"hi\"")
    );
    assert_eq!(value.get("ready"), None);
    let value = parsed(&json(b"d", with_text(813), None));
    assert_eq!(value.get("status_text"), None);
}

/// svstatus shows what the extension lines say of `./finish`, a restart put
/// off and giving up, as svstat does, in optional members.
//= spec/extensions.md#ext-15
//= spec/status-json.md#json-9
#[test]
fn finish_and_backoff_members() {
    let with = |extra: Extra| Report {
        extra: Some(extra),
        ..status(0, false, Want::Up, true)
    };
    let value = parsed(&json(
        b"d",
        with(Extra {
            finishing: Some(Pid(77)),
            ..Extra::default()
        }),
        None,
    ));
    assert_eq!(
        value.get("finishing_pid").and_then(Value::as_i128),
        Some(77)
    );
    let at = Tai64N(Tai64(NOW.0 + 7), 1);
    let value = parsed(&json(
        b"d",
        with(Extra {
            restart: Some((at, 3)),
            given_up: None,
            ..Extra::default()
        }),
        None,
    ));
    let restart = value.get("restart").expect("restart");
    assert_eq!(restart.keys(), ["at", "in_seconds", "attempt"]);
    assert_eq!(restart.get("in_seconds").and_then(Value::as_i128), Some(8));
    assert_eq!(restart.get("attempt").and_then(Value::as_i128), Some(3));
    let label = restart
        .get("at")
        .and_then(|at| at.get("tai64n"))
        .and_then(Value::as_str)
        .expect("label");
    assert_eq!(label::parse(label.as_bytes()), Ok(at));
    let value = parsed(&json(
        b"d",
        with(Extra {
            given_up: Some(5),
            ..Extra::default()
        }),
        None,
    ));
    assert_eq!(
        value.get("given_up_after").and_then(Value::as_i128),
        Some(5)
    );
    // An empty file, or none, adds nothing.
    assert_eq!(
        json(b"d", with(Extra::default()), None),
        json(b"d", status(0, false, Want::Up, true), None)
    );
}
