//! svstatus, black-box, on services run by our supervise: every JSON member
//! checked against the status file itself, the log member, the errors, and
//! the Prometheus exposition of a scan directory read back with a parser of
//! the text format's line grammar.

mod monitor;

#[path = "../../core/src/report/json_check.rs"]
mod json_check;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use dt_tests::fixture::TempDir;
use json_check::Value;
use monitor::{pid, ready_service, run, service, stamp, status, svc, tai_now, Supervisor};

/// svstatus on `dirs` (run in `cwd`): its lines, parsed.
fn svstatus(cwd: &Path, dirs: &[&str]) -> Vec<Value> {
    let ran = run("svstatus", dirs, cwd);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (Some(0), ""),
        "svstatus {dirs:?}"
    );
    let text = ran.stdout_text();
    assert!(text.ends_with('\n'), "{text:?}");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| json_check::parse(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert_eq!(lines.len(), dirs.len(), "one line per directory: {text}");
    lines
}

fn int(value: &Value, key: &str) -> i128 {
    value
        .get(key)
        .and_then(Value::as_i128)
        .unwrap_or_else(|| panic!("no integer {key} in {value:?}"))
}

fn boolean(value: &Value, key: &str) -> bool {
    value
        .get(key)
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("no boolean {key} in {value:?}"))
}

fn string<'a>(value: &'a Value, key: &str) -> &'a str {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string {key} in {value:?}"))
}

/// The status members of `value` agree with `record`, read before the run,
/// and `seconds` lies between what it was before and after the run.
fn agrees(value: &Value, record: &[u8; 18], tai_before: u64, tai_after: u64) {
    assert_eq!(value.get("ok"), Some(&Value::Bool(true)), "{value:?}");
    assert_eq!(int(value, "pid"), i128::from(pid(record)));
    assert_eq!(boolean(value, "up"), pid(record) != 0);
    assert_eq!(boolean(value, "paused"), record[16] != 0);
    let want = match record[17] {
        b'u' => "up",
        b'd' => "down",
        _ => "none",
    };
    assert_eq!(string(value, "want"), want);
    let (secs, nanos) = stamp(record);
    let since = value.get("since").expect("since");
    assert_eq!(
        int(since, "unix"),
        i128::from(secs) - i128::from(dt_tests::tai64::UNIX_EPOCH_TAI)
    );
    assert_eq!(int(since, "nanos"), i128::from(nanos));
    assert_eq!(
        string(since, "tai64n"),
        format!("@{secs:016x}{nanos:08x}"),
        "the label of bytes 0..12"
    );
    let seconds = int(value, "seconds");
    let low = i128::from(tai_before.saturating_sub(secs));
    let high = i128::from(tai_after.saturating_sub(secs));
    assert!(
        (low..=high).contains(&seconds),
        "{seconds} not in {low}..={high}"
    );
    assert_eq!(value.get("supervise_running"), Some(&Value::Bool(true)));
}

//= spec/status-json.md#json-1
//= spec/status-json.md#json-3
//= spec/status-json.md#json-5
//= spec/status-json.md#json-6
//= spec/status-json.md#json-7
#[test]
fn json_fields_match_the_status_files_of_a_service_and_its_log() {
    let tmp = TempDir::new("svstatus-json");
    let s = tmp.path().join("s");
    service(&s, false);
    service(&s.join("log"), true);
    let main = Supervisor::start(&s);
    let log = Supervisor::start(&s.join("log"));
    let up = main.await_status("the service to start", |r| pid(r) != 0);
    let log_down = log.await_status("the log's first record", |_| true);

    let before = tai_now();
    let lines = svstatus(tmp.path(), &["s"]);
    let after = tai_now();
    let value = &lines[0];
    assert_eq!(value.keys()[..2], ["schema", "dir"]);
    assert_eq!(int(value, "schema"), 1);
    assert_eq!(string(value, "dir"), "s");
    assert!(boolean(value, "normally_up"));
    assert!(value.get("error").is_none());
    agrees(value, &up, before, after);
    let log_value = value.get("log").expect("a log member");
    assert_eq!(string(log_value, "dir"), "s/log");
    assert!(
        !boolean(log_value, "normally_up"),
        "the log has a down file"
    );
    agrees(log_value, &log_down, before, after);
    assert!(!boolean(log_value, "up"));

    // Paused, then down: the members follow the record.
    svc("-p", &s);
    let paused = main.await_status("the paused flag", |r| r[16] == 1);
    let before = tai_now();
    let value = &svstatus(tmp.path(), &["s"])[0];
    agrees(value, &paused, before, tai_now());
    assert!(boolean(value, "paused"));
    svc("-cd", &s);
    let down = main.await_status("the service to stop", |r| pid(r) == 0 && r[17] == b'd');
    let before = tai_now();
    let value = &svstatus(tmp.path(), &[&s.to_string_lossy()])[0];
    agrees(value, &down, before, tai_now());
    assert_eq!(string(value, "want"), "down");
    assert_eq!(string(value, "dir"), s.to_string_lossy());

    // Gone: supervise not running, in svstat's words.
    svc("-x", &s);
    assert_eq!(main.exit_code(), Some(0));
    let value = &svstatus(tmp.path(), &["s"])[0];
    assert_eq!(value.get("ok"), Some(&Value::Bool(false)));
    assert_eq!(value.get("supervise_running"), Some(&Value::Bool(false)));
    let error = value.get("error").expect("error");
    assert_eq!(string(error, "step"), "open supervise/ok");
    assert_eq!(string(error, "errno"), "ENXIO");
    assert_eq!(string(error, "text"), "supervise not running");
    assert!(value.get("up").is_none() && value.get("pid").is_none());
    let svstat = run("svstat", &["s"], tmp.path()).stdout_text();
    assert_eq!(svstat, format!("s: {}\n", string(error, "text")));
    drop(log);
}

//= spec/status-json.md#json-2
//= spec/status-json.md#json-4
//= spec/status-json.md#json-7
#[test]
fn errors_and_names_that_are_not_utf8() {
    let tmp = TempDir::new("svstatus-errors");
    let plain = tmp.path().join("plain");
    fs::create_dir(&plain).expect("mkdir");
    let odd = std::ffi::OsStr::from_bytes(b"odd\xff\"name");
    let args = [
        std::ffi::OsStr::new("missing"),
        std::ffi::OsStr::new("plain"),
        odd,
    ];
    let ran = monitor::Running::start("svstatus", &args, tmp.path()).finish();
    assert_eq!(ran.code, Some(0));
    let text = ran.stdout_text();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| json_check::parse(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3);

    let missing = &lines[0];
    let error = missing.get("error").expect("error");
    assert_eq!(string(error, "step"), "chdir");
    assert_eq!(string(error, "errno"), "ENOENT");
    assert_eq!(int(error, "errno_number"), 2);
    assert_eq!(
        string(error, "text"),
        "unable to chdir: file does not exist"
    );
    assert!(missing.get("normally_up").is_none() && missing.get("log").is_none());

    // No supervise ever ran: svstat's words, and "not running".
    let plain = &lines[1];
    let error = plain.get("error").expect("error");
    assert_eq!(
        string(error, "text"),
        "unable to open supervise/ok: file does not exist"
    );
    assert_eq!(plain.get("supervise_running"), Some(&Value::Bool(false)));
    assert!(boolean(plain, "normally_up"));
    assert!(
        plain.get("log").is_none(),
        "no log directory, no log member"
    );

    let odd = &lines[2];
    assert_eq!(string(odd, "dir"), "odd\u{fffd}\"name");
    assert!(boolean(odd, "dir_lossy"));
    assert_eq!(string(odd, "dir_hex"), "6f6464ff226e616d65");
}

//= spec/status-json.md#json-8
#[test]
fn usage_and_write_errors() {
    let tmp = TempDir::new("svstatus-usage");
    for args in [&[][..], &["-p"], &["-p", "a", "b"]] {
        let ran = run("svstatus", args, tmp.path());
        assert_eq!(ran.code, Some(100), "{args:?}");
        assert_eq!(ran.stderr, "svstatus: usage: svstatus [ -p ] dir ...\n");
        assert!(ran.stdout.is_empty());
    }
    let ran = run("svstatus", &["-Z", "a"], tmp.path());
    assert_eq!(ran.code, Some(100));
    assert_eq!(
        ran.stderr,
        "svstatus: illegal option -- Z\nsvstatus: usage: svstatus [ -p ] dir ...\n"
    );
    // A full disk: the monitor is told.
    let full = std::process::Command::new(dt_tests::Side::Ours.program("svstatus"))
        .arg("x")
        .current_dir(tmp.path())
        .stdout(fs::File::create("/dev/full").expect("/dev/full"))
        .output()
        .expect("run svstatus");
    assert_eq!(full.status.code(), Some(111));
    assert_eq!(
        String::from_utf8_lossy(&full.stderr),
        "svstatus: fatal: unable to write output: out of disk space\n"
    );
}

/// One sample: family, label value, value.
type Sample = (String, String, String);

/// Read an exposition with the text format's line grammar (comments `#
/// HELP name text` and `# TYPE name type`; samples `name{label="value",...}
/// value`), checking what svstatus promises on top: each family once, HELP
/// then TYPE gauge before its samples, samples of a family together, only
/// the `service` label, no series twice.
fn parse_exposition(text: &str) -> Vec<Sample> {
    fn is_name(s: &str) -> bool {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    /// A quoted label value: its text and the rest of the line after the
    /// closing quote.
    fn label_value(s: &str) -> (String, &str) {
        let mut chars = s.strip_prefix('"').expect("opening quote").char_indices();
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (out, &s[i + 2..]),
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('n') => out.push('\n'),
                    other => panic!("bad escape \\{other:?} in {s:?}"),
                },
                c => out.push(c),
            }
        }
        panic!("unterminated label value {s:?}")
    }
    assert!(text.ends_with('\n'), "the last line ends with a newline");
    let mut families: Vec<String> = Vec::new();
    let mut typed = false;
    let mut samples: Vec<Sample> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("# HELP name text");
            assert!(is_name(name) && !help.trim().is_empty(), "{line}");
            assert!(!families.iter().any(|f| f == name), "{name} twice");
            families.push(name.to_owned());
            typed = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let family = families.last().expect("HELP before TYPE");
            assert_eq!(rest, format!("{family} gauge"));
            typed = true;
            continue;
        }
        assert!(!line.starts_with('#'), "unknown comment {line}");
        assert!(typed, "sample before its family's TYPE: {line}");
        let open = line.find('{').expect("{");
        let name = &line[..open];
        assert_eq!(Some(name), families.last().map(String::as_str), "{line}");
        let rest = &line[open + 1..];
        let (key, rest) = rest.split_once('=').expect("label=");
        assert_eq!(key, "service");
        let (service, rest) = label_value(rest);
        let value = rest
            .strip_prefix("} ")
            .expect("the end of the labels and a blank before the value");
        assert!(value.parse::<f64>().is_ok_and(f64::is_finite), "{line}");
        let sample = (name.to_owned(), service, value.to_owned());
        assert!(
            !samples.iter().any(|s| s.0 == sample.0 && s.1 == sample.1),
            "series twice: {line}"
        );
        samples.push(sample);
    }
    samples
}

//= spec/status-json.md#prom-1
//= spec/status-json.md#prom-2
//= spec/status-json.md#prom-3
#[test]
fn prometheus_exposition_of_a_scan_directory() {
    let tmp = TempDir::new("svstatus-prom");
    let scan = tmp.path().join("service");
    service(&scan.join("web"), false);
    service(&scan.join("web/log"), false);
    service(&scan.join("cron"), true);
    service(&scan.join("never"), false);
    service(&scan.join(".hidden"), false);
    service(&tmp.path().join("elsewhere"), false);
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), scan.join("linked")).expect("symlink");
    std::os::unix::fs::symlink("nowhere", scan.join("dangling")).expect("symlink");
    fs::write(scan.join("README"), b"not a service").expect("write");
    let quoted = scan.join("say \"hi\"\\");
    service(&quoted, true);
    let web = Supervisor::start(&scan.join("web"));
    let web_log = Supervisor::start(&scan.join("web/log"));
    let cron = Supervisor::start(&scan.join("cron"));
    let linked = Supervisor::start(&scan.join("linked"));
    web.await_status("web up", |r| pid(r) != 0);
    web_log.await_status("web/log up", |r| pid(r) != 0);
    cron.await_status("cron's record", |_| true);
    linked.await_status("linked up", |r| pid(r) != 0);

    let ran = run("svstatus", &["-p", "service"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    let text = ran.stdout_text();
    let samples = parse_exposition(&text);
    let value: BTreeMap<(String, String), String> = samples
        .iter()
        .map(|(f, s, v)| ((f.clone(), s.clone()), v.clone()))
        .collect();
    let get = |family: &str, service: &str| {
        value
            .get(&(format!("daemontools_service_{family}"), service.to_owned()))
            .map(String::as_str)
    };
    // Every service, in byte order, and their logs; no dot names, no files.
    let services: Vec<&str> = samples
        .iter()
        .filter(|(f, _, _)| f == "daemontools_service_status_ok")
        .map(|(_, s, _)| s.as_str())
        .collect();
    assert_eq!(
        services,
        [
            "cron",
            "dangling",
            "linked",
            "never",
            "say \"hi\"\\",
            "web",
            "web/log"
        ]
    );
    assert_eq!(get("up", "web"), Some("1"));
    assert_eq!(get("up", "web/log"), Some("1"));
    assert_eq!(get("up", "linked"), Some("1"));
    assert_eq!(get("up", "cron"), Some("0"));
    assert_eq!(get("normally_up", "cron"), Some("0"));
    assert_eq!(get("want_up", "web"), Some("1"));
    assert_eq!(get("want_down", "cron"), Some("1"));
    assert_eq!(get("paused", "web"), Some("0"));
    assert_eq!(get("supervise_running", "web"), Some("1"));
    // Never supervised: not running, and nothing made up about its state.
    assert_eq!(get("status_ok", "never"), Some("0"));
    assert_eq!(get("supervise_running", "never"), Some("0"));
    assert_eq!(get("up", "never"), None);
    assert_eq!(get("seconds", "never"), None);
    assert_eq!(get("status_ok", "dangling"), Some("0"));
    assert_eq!(get("normally_up", "dangling"), None);
    // The timestamp is the record's stamp.
    let record = status(&scan.join("web")).expect("web's record");
    let (secs, nanos) = stamp(&record);
    let unix = i128::from(secs) - i128::from(dt_tests::tai64::UNIX_EPOCH_TAI);
    assert_eq!(
        get("since_timestamp_seconds", "web").map(str::to_owned),
        Some(format!("{unix}.{nanos:09}"))
    );
    assert!(
        text.contains("{service=\"say \\\"hi\\\"\\\\\"}"),
        "escaped label: {text}"
    );
}

//= spec/status-json.md#prom-1
//= spec/status-json.md#prom-4
#[test]
fn the_documented_atomic_write_replaces_the_file_only_on_success() {
    let tmp = TempDir::new("svstatus-atomic");
    service(&tmp.path().join("service/a"), true);
    let collector = tmp.path().join("textfile");
    fs::create_dir(&collector).expect("mkdir");
    let mut path = std::ffi::OsString::from(dt_tests::Side::Ours.bin_dir());
    path.push(":/usr/bin:/bin");
    let write = |scan: &str| {
        std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "svstatus -p {scan} > textfile/daemontools.prom.$$ && \
                 mv textfile/daemontools.prom.$$ textfile/daemontools.prom"
            ))
            .env("PATH", &path)
            .current_dir(tmp.path())
            .output()
            .expect("run sh")
    };
    let ok = write("service");
    assert!(ok.status.success(), "{ok:?}");
    let first = fs::read_to_string(collector.join("daemontools.prom")).expect("the file");
    parse_exposition(&first);
    assert!(first.contains("daemontools_service_status_ok{service=\"a\"} 0"));

    let failed = write("missing");
    assert!(!failed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&failed.stderr),
        "svstatus: fatal: unable to read directory missing: file does not exist\n"
    );
    assert_eq!(
        fs::read_to_string(collector.join("daemontools.prom")).expect("the file"),
        first,
        "a failed run leaves the last good file"
    );
}

/// The readiness members: `"ready":false` while the service has not said it
/// is ready, then `true` with the moment; none for a service without
/// `notification-fd`.
//= spec/extensions.md#ext-12
//= spec/status-json.md#json-9
#[test]
fn readiness_members_follow_the_service() {
    let tmp = TempDir::new("svstatus-ready");
    let s = tmp.path().join("s");
    ready_service(&s);
    let plain = tmp.path().join("plain");
    service(&plain, false);
    let sup = Supervisor::start(&s);
    let other = Supervisor::start(&plain);
    sup.await_status("the service to start", |r| pid(r) != 0);
    other.await_status("the other service to start", |r| pid(r) != 0);
    let lines = svstatus(tmp.path(), &["s", "plain"]);
    assert!(!boolean(&lines[0], "ready"), "{:?}", lines[0]);
    assert_eq!(lines[0].get("ready_since"), None);
    assert_eq!(lines[1].get("ready"), None);
    fs::write(tmp.path().join("ready"), "").expect("create ready");
    let before = tai_now();
    let ready = dt_tests::wait::until_or_panic("the service to say it is ready", || {
        let line = svstatus(tmp.path(), &["s"]).remove(0);
        line.get("ready")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .then_some(line)
    });
    let after = tai_now();
    let since = ready.get("ready_since").expect("ready_since");
    let label = string(since, "tai64n");
    assert_eq!(label.len(), 25, "{label}");
    let seconds = int(&ready, "ready_seconds");
    assert!(
        seconds >= 0 && seconds <= i128::from(after - before) + 1,
        "{seconds}"
    );
}

/// What the extension lines say of a restart put off (`backoff`) is in the
/// object, as svstat shows it.
//= spec/extensions.md#ext-15
#[test]
fn a_restart_put_off_is_a_member() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new("svstatus-backoff");
    let s = tmp.path().join("s");
    fs::create_dir(&s).expect("mkdir s");
    fs::write(s.join("run"), "#!/bin/sh\nexit 1\n").expect("write run");
    fs::set_permissions(s.join("run"), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::write(s.join("backoff"), "1000 1000\n").expect("write backoff");
    let _sup = Supervisor::start(&s);
    let line = dt_tests::wait::until_or_panic("the restart to be put off", || {
        let line = svstatus(tmp.path(), &["s"]).remove(0);
        line.get("restart").is_some().then_some(line)
    });
    let restart = line.get("restart").expect("restart");
    assert_eq!(int(restart, "attempt"), 1);
    let left = int(restart, "in_seconds");
    assert!((1..=1000).contains(&left), "{left}");
    assert_eq!(line.get("finishing_pid"), None);
    assert_eq!(line.get("given_up_after"), None);
    assert!(!boolean(&line, "up"));
}
