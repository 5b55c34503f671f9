//! The Prometheus text exposition format (version 0.0.4) of a whole scan
//! directory, for node-exporter's textfile collector.
//!
//! Every metric is a gauge with one label, `service`: the name of the
//! service directory inside the scan directory, or that name and `/log` for
//! its log service. Families come one after the other, each with its `# HELP`
//! and `# TYPE` lines, and within a family the services in byte order of
//! their names. A sample whose value the look did not reach (no record was
//! read, say) is left out rather than invented.

use super::observe::{Report, ServiceReport};
use super::text::push_label_value;
use crate::label;
use crate::status::Want;
use crate::svstat::elapsed_secs;
use tai64::Tai64;

/// One metric family: its name, its help text, and its value for a report.
struct Family {
    name: &'static str,
    help: &'static str,
    value: fn(&Report, Tai64) -> Option<String>,
}

fn flag(value: bool) -> String {
    String::from(if value { "1" } else { "0" })
}

//= spec/status-json.md#prom-2
const FAMILIES: &[Family] = &[
    Family {
        name: "daemontools_service_status_ok",
        help: "1 if supervise/status was read while supervise ran, 0 if not (see svstatus).",
        value: |r, _| Some(flag(r.record().is_some())),
    },
    Family {
        name: "daemontools_service_supervise_running",
        help: "1 if a supervise holds supervise/ok open, 0 if none does.",
        value: |r, _| r.supervise_running().map(flag),
    },
    Family {
        name: "daemontools_service_normally_up",
        help: "1 if the service directory has no down file, 0 if it has one.",
        value: |r, _| r.normally_up.map(flag),
    },
    Family {
        name: "daemontools_service_up",
        help: "1 if the service is running (its pid is not 0), 0 if not.",
        value: |r, _| r.record().map(|s| flag(s.pid != 0)),
    },
    Family {
        name: "daemontools_service_seconds",
        help: "Seconds since the service last started or stopped, as svstat counts them.",
        value: |r, now| r.record().map(|s| elapsed_secs(s, now).to_string()),
    },
    Family {
        name: "daemontools_service_since_timestamp_seconds",
        help: "Unix time at which the service last started or stopped.",
        value: |r, _| r.record().map(|s| unix_time(s.stamp)),
    },
    Family {
        name: "daemontools_service_paused",
        help: "1 if the service is paused (svc -p), 0 if not.",
        value: |r, _| r.record().map(|s| flag(s.paused)),
    },
    Family {
        name: "daemontools_service_want_up",
        help: "1 if supervise wants the service up, 0 if not.",
        value: |r, _| r.record().map(|s| flag(s.want == Want::Up)),
    },
    Family {
        name: "daemontools_service_want_down",
        help: "1 if supervise wants the service down, 0 if not.",
        value: |r, _| r.record().map(|s| flag(s.want == Want::Down)),
    },
    //= spec/extensions.md#ext-12
    Family {
        name: "daemontools_service_ready",
        help: "1 if the service said it is ready (notification-fd, notify), 0 if not yet; none without readiness.",
        value: |r, _| {
            let record = r.record()?;
            let ready = r.extra?.readiness_of(record.pid)?;
            Some(flag(ready.is_some()))
        },
    },
];

/// The names of every metric family, in the order they are written.
pub fn family_names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().map(|f| f.name)
}

/// A stamp's Unix time as an exact decimal: seconds, then nine digits of
/// nanoseconds (a nanosecond field of 10^9 or more carries into the
/// seconds, as the number it stands for).
fn unix_time(stamp: tai64::Tai64N) -> String {
    let total = i128::from(label::unix_secs(stamp.0)) * 1_000_000_000 + i128::from(stamp.1);
    let sign = if total < 0 { "-" } else { "" };
    let magnitude = total.unsigned_abs();
    format!(
        "{sign}{}.{:09}",
        magnitude / 1_000_000_000,
        magnitude % 1_000_000_000
    )
}

/// The exposition of `services` (each `dir` being the name inside the scan
/// directory) as seen at `now`, every line newline-terminated.
//= spec/status-json.md#prom-1
pub fn render(services: &[ServiceReport], now: Tai64) -> Vec<u8> {
    let mut series: Vec<(Vec<u8>, &Report)> = Vec::with_capacity(2 * services.len());
    for service in services {
        series.push((service.dir.clone(), &service.main));
        if let Some(log) = &service.log {
            let mut name = service.dir.clone();
            name.extend_from_slice(b"/log");
            series.push((name, log));
        }
    }
    series.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(256 + 64 * series.len() * FAMILIES.len());
    for family in FAMILIES {
        out.extend_from_slice(format!("# HELP {} {}\n", family.name, family.help).as_bytes());
        out.extend_from_slice(format!("# TYPE {} gauge\n", family.name).as_bytes());
        for (name, report) in &series {
            let Some(value) = (family.value)(report, now) else {
                continue;
            };
            out.extend_from_slice(family.name.as_bytes());
            //= spec/status-json.md#prom-3
            out.extend_from_slice(b"{service=");
            push_label_value(&mut out, name);
            out.extend_from_slice(b"} ");
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
    }
    out
}
