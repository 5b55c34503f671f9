//! svstatus' renderers and svwait's rule on arbitrary reports: the JSON is
//! one line that a strict parser accepts and that names the directory, the
//! exposition keeps the text format's line grammar, and svwait's decision
//! never panics and names a time to look again that is in the future.

#[path = "../../core/src/report/json_check.rs"]
mod json_check;

use arbitrary::{Arbitrary, Unstructured};
use dt_core::report::options::{Goal, Svwait};
use dt_core::report::wait::{Decision, Waiter, FALLBACK_NANOS};
use dt_core::report::{json, prometheus, Report, ServiceReport};
use dt_core::{Now, Tai64};

/// The input: a report, a time, a goal, then the directory name as plain
/// bytes (all the rest of the input), so a seed file ends in a readable name.
#[derive(Debug)]
pub struct ReportInput {
    /// What the look found in the directory.
    pub main: Report,
    /// What it found in `dir/log`, if anything.
    pub log: Option<Report>,
    /// The clock, for svstatus (its TAI64 second) and svwait.
    pub now: Now,
    /// What svwait waits for, and how.
    pub wait: (Goal, bool, Option<u64>, bool),
    /// The directory argument, any bytes.
    pub dir: Vec<u8>,
}

impl<'a> Arbitrary<'a> for ReportInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ReportInput {
            main: u.arbitrary()?,
            log: u.arbitrary()?,
            now: u.arbitrary()?,
            wait: u.arbitrary()?,
            dir: u.arbitrary()?,
        })
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ReportInput {
            main: u.arbitrary()?,
            log: u.arbitrary()?,
            now: u.arbitrary()?,
            wait: u.arbitrary()?,
            dir: u.take_rest().to_vec(),
        })
    }
}

/// `json::render`, `prometheus::render` and `Waiter::decide` on an
/// arbitrary report.
//= spec/status-json.md#json-1
//= spec/status-json.md#json-2
//= spec/status-json.md#prom-3
//= spec/svwait.md#wait-5
pub fn status_report(data: &[u8]) {
    let Ok(input) = ReportInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let service = ServiceReport {
        dir: input.dir.clone(),
        main: input.main,
        log: input.log,
    };
    let now = Tai64(input.now.wall.0 .0);
    let line = json::render(&service, now);
    let text = std::str::from_utf8(&line).expect("JSON is UTF-8");
    assert!(
        text.ends_with('\n') && text.matches('\n').count() == 1,
        "{text:?}"
    );
    let value = json_check::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(
        value.get("schema"),
        Some(&json_check::Value::Number("1".to_owned()))
    );
    let shown = value.get("dir").and_then(json_check::Value::as_str);
    assert_eq!(shown, Some(String::from_utf8_lossy(&input.dir).as_ref()));
    assert_eq!(value.get("log").is_some(), input.log.is_some());

    let exposition = prometheus::render(std::slice::from_ref(&service), now);
    let exposition = std::str::from_utf8(&exposition).expect("exposition is UTF-8");
    for line in exposition.lines() {
        if line.starts_with('#') {
            assert!(line.starts_with("# HELP ") || line.starts_with("# TYPE "));
            continue;
        }
        let (series, value) = line.rsplit_once("} ").expect("name{labels} value");
        assert!(series.starts_with("daemontools_service_") && series.contains("{service=\""));
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }

    let (goal, any, timeout_secs, changed) = input.wait;
    let options = Svwait {
        goal,
        any,
        timeout_secs,
        dirs: 1,
    };
    let waiter = Waiter::new(&options, input.now);
    let reports = [input.main, input.log.unwrap_or(input.main)];
    if let Decision::Wait { until } = waiter.decide(&reports, input.now, changed) {
        assert!(until > input.now.mono || input.now.mono.0 == u64::MAX);
        assert!(until <= input.now.mono.after_nanos(FALLBACK_NANOS));
    }
}
