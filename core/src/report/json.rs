//! Schema 1 of svstatus' JSON Lines: one object per service directory.
//!
//! ```text
//! {"schema":1,"dir":"/service/web","ok":true,"normally_up":true,
//!  "supervise_running":true,"up":true,"pid":812,
//!  "since":{"unix":1764000000,"nanos":123456500,"tai64n":"@400000006924810a075bcbf4"},
//!  "seconds":3605,"paused":false,"want":"up",
//!  "log":{"dir":"/service/web/log","ok":true,...}}
//! ```
//!
//! (on one line). Members appear in the order of `spec/status-json.md`;
//! those that depend on how far the look got are left out when it did not
//! get there, never written as `null`. Later additions (restart back-off,
//! readiness, …) come as new optional members; a consumer ignores members
//! it does not know, and the schema number changes only if a member of
//! schema 1 changes its meaning or type or disappears.

use super::observe::{Report, ServiceReport};
use super::text::{hex, push_json_string};
use super::{errno_name, Step};
use crate::label;
use crate::status::Want;
use crate::supervise::Extra;
use crate::svstat::{elapsed_secs, seconds_until};
use tai64::{Tai64, Tai64N};

/// The schema number every object carries.
//= spec/status-json.md#json-1
pub const SCHEMA: u32 = 1;

/// One JSON object on one line, newline included, for `service` as seen
/// at `now` (whole TAI64 seconds, as svstat counts).
//= spec/status-json.md#json-1
pub fn render(service: &ServiceReport, now: Tai64) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"{\"schema\":");
    out.extend_from_slice(SCHEMA.to_string().as_bytes());
    out.push(b',');
    members(&mut out, &service.dir, &service.main, now);
    if let Some(log) = &service.log {
        //= spec/status-json.md#json-7
        let mut dir = service.dir.clone();
        dir.extend_from_slice(b"/log");
        out.extend_from_slice(b",\"log\":{");
        members(&mut out, &dir, log, now);
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
    out
}

/// The members shared by a service and its log, without braces.
fn members(out: &mut Vec<u8>, dir: &[u8], report: &Report, now: Tai64) {
    //= spec/status-json.md#json-2
    out.extend_from_slice(b"\"dir\":");
    if push_json_string(out, dir) {
        out.extend_from_slice(b",\"dir_lossy\":true,\"dir_hex\":\"");
        out.extend_from_slice(hex(dir).as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b",\"ok\":");
    push_bool(out, report.record().is_some());
    //= spec/status-json.md#json-4
    if let (Some((step, errno)), Some(text)) = (report.failure(), report.error_text()) {
        error(out, step, errno, &text);
    }
    //= spec/status-json.md#json-5
    if let Some(normally_up) = report.normally_up {
        out.extend_from_slice(b",\"normally_up\":");
        push_bool(out, normally_up);
    }
    if let Some(running) = report.supervise_running() {
        out.extend_from_slice(b",\"supervise_running\":");
        push_bool(out, running);
    }
    //= spec/status-json.md#json-6
    if let Some(record) = report.record() {
        out.extend_from_slice(b",\"up\":");
        push_bool(out, record.pid != 0);
        out.extend_from_slice(format!(",\"pid\":{}", record.pid).as_bytes());
        out.extend_from_slice(b",\"since\":");
        moment(out, record.stamp);
        let seconds = elapsed_secs(record, now);
        out.extend_from_slice(format!(",\"seconds\":{seconds},\"paused\":").as_bytes());
        push_bool(out, record.paused);
        out.extend_from_slice(b",\"want\":\"");
        out.extend_from_slice(want_name(record.want).as_bytes());
        out.push(b'"');
        //= spec/extensions.md#ext-12
        match report
            .extra
            .and_then(|extra| extra.readiness_of(record.pid))
        {
            Some(Some(since)) => {
                out.extend_from_slice(b",\"ready\":true,\"ready_since\":");
                moment(out, since);
                let seconds = now.0.saturating_sub(since.0 .0);
                out.extend_from_slice(format!(",\"ready_seconds\":{seconds}").as_bytes());
            }
            Some(None) => out.extend_from_slice(b",\"ready\":false"),
            None => {}
        }
        //= spec/extensions.md#ext-13
        if let Some(text) = report.extra.and_then(|extra| extra.status_of(record.pid)) {
            out.extend_from_slice(b",\"status_text\":");
            push_json_string(out, text.as_bytes());
        }
        if let Some(extra) = report.extra {
            extension_members(out, &extra, now);
        }
    }
}

/// What the extension lines say of `./finish` and restarts (EXT-15).
//= spec/extensions.md#ext-15
fn extension_members(out: &mut Vec<u8>, extra: &Extra, now: Tai64) {
    if let Some(pid) = extra.finishing {
        out.extend_from_slice(format!(",\"finishing_pid\":{}", pid.0).as_bytes());
    }
    if let Some((at, attempt)) = extra.restart {
        out.extend_from_slice(b",\"restart\":{\"at\":");
        moment(out, at);
        let left = seconds_until(at, now);
        out.extend_from_slice(format!(",\"in_seconds\":{left},\"attempt\":{attempt}}}").as_bytes());
    }
    if let Some(failures) = extra.given_up {
        out.extend_from_slice(format!(",\"given_up_after\":{failures}").as_bytes());
    }
}

/// `{"unix":S,"nanos":N,"tai64n":"@…"}` for a moment.
//= spec/status-json.md#json-6
fn moment(out: &mut Vec<u8>, at: Tai64N) {
    let unix = label::unix_secs(at.0);
    out.extend_from_slice(format!("{{\"unix\":{unix},\"nanos\":{},\"tai64n\":\"", at.1).as_bytes());
    out.extend_from_slice(&label::encode(&at));
    out.extend_from_slice(b"\"}");
}

fn error(out: &mut Vec<u8>, step: Step, errno: Option<crate::Errno>, text: &str) {
    out.extend_from_slice(b",\"error\":{\"step\":");
    push_json_string(out, step.name().as_bytes());
    out.extend_from_slice(b",\"errno\":");
    match errno.and_then(errno_name::name) {
        Some(name) => {
            push_json_string(out, name.as_bytes());
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"errno_number\":");
    match errno {
        Some(errno) => out.extend_from_slice(errno.0.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"text\":");
    push_json_string(out, text.as_bytes());
    out.push(b'}');
}

/// `"up"`, `"down"` or `"none"` for byte 17.
//= spec/status-json.md#json-6
pub fn want_name(want: Want) -> &'static str {
    match want {
        Want::Up => "up",
        Want::Down => "down",
        Want::Neither => "none",
    }
}

fn push_bool(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { &b"true"[..] } else { &b"false"[..] });
}
