//! Fuzz target bodies, shared by the libFuzzer binaries in `fuzz_targets/`
//! and by the corpus replay in `tests/corpus.rs`.
//!
//! Each target is a `pub fn(&[u8])` that never returns an error: it panics
//! when a property fails, which is what libFuzzer (and `cargo test`) notice.
//! Every target checks that the code under test does not panic on any input,
//! and then the round trip or the invariant that its format promises.
//!
//! What this crate does **not** do: it has no I/O and no randomness of its
//! own. Where a target needs structure beyond the raw bytes (a chunking, an
//! svstat observation) it draws it from the same bytes with `arbitrary`, so
//! every input is reproducible from its file alone.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use arbitrary::{Arbitrary, Unstructured};
use dt_core::control::{self, Command};
use dt_core::label::{self, LabelError, LABEL_LEN};
use dt_core::status::{StatusError, StatusRecord, Want, STATUS_LEN};
use dt_core::svstat::{self, Observation};
use dt_core::tai64n::Stamper;
use dt_core::tai64nlocal::{civil_from_seconds, CivilTime, LocalFilter, LocalZone};

pub mod argv;
mod machines;
mod multilog;
mod status_report;
mod supervise_ext;

pub use argv::{envdir_value, setlock_argv, softlimit_argv, svc_argv};
pub use machines::{scan_events, supervise_events};
pub use multilog::{multilog_script, multilog_stream};
pub use status_report::{status_report, ReportInput};
pub use supervise_ext::supervise_ext_events;

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target, by the name of its binary and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("label_parse", label_parse),
    ("status_decode", status_decode),
    ("control_bytes", control_bytes),
    ("svstat_render", svstat_render),
    ("tai64n_stream", tai64n_stream),
    ("tai64nlocal_line", tai64nlocal_line),
    ("supervise_events", supervise_events),
    ("supervise_ext_events", supervise_ext_events),
    ("scan_events", scan_events),
    ("multilog_script", multilog_script),
    ("multilog_stream", multilog_stream),
    ("envdir_value", envdir_value),
    ("svc_argv", svc_argv),
    ("softlimit_argv", softlimit_argv),
    ("setlock_argv", setlock_argv),
    ("status_report", status_report),
];

/// `label::parse` on any bytes: it accepts exactly `@` and 24 lowercase hex
/// digits, reports the first reason for rejecting anything else, and what it
/// accepts encodes back to the same 25 bytes.
//= spec/tai64.md#tai-3
//= spec/tai64.md#tai-4
pub fn label_parse(data: &[u8]) {
    match label::parse(data) {
        Ok(stamp) => {
            assert_eq!(&label::encode(&stamp)[..], data, "encode(parse(x)) != x");
        }
        Err(LabelError::Length) => assert_ne!(data.len(), LABEL_LEN),
        Err(LabelError::MissingAt) => {
            assert_eq!(data.len(), LABEL_LEN);
            assert_ne!(data[0], b'@');
        }
        Err(LabelError::NotHex(pos)) => {
            assert_eq!(data.len(), LABEL_LEN);
            assert_eq!(data[0], b'@');
            assert!((1..LABEL_LEN).contains(&pos), "position {pos} out of range");
            assert!(!is_lower_hex(data[pos]), "byte {pos} is a digit");
            assert!(data[1..pos].iter().all(|&b| is_lower_hex(b)));
        }
        Err(other) => panic!("unexpected label error {other:?}"),
    }
    // Acceptance is exactly the grammar, whatever the error order.
    let grammatical =
        data.len() == LABEL_LEN && data[0] == b'@' && data[1..].iter().all(|&b| is_lower_hex(b));
    assert_eq!(label::parse(data).is_ok(), grammatical);
}

fn is_lower_hex(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'a'..=b'f')
}

/// `StatusRecord::decode` on any bytes: fewer than 18 is `Short` with the
/// length; otherwise only the first 18 count, the stamp and pid come back
/// byte for byte, byte 16 is a flag and byte 17 is `u`, `d` or "neither".
//= spec/status-file.md#status-1
//= spec/status-file.md#status-2
//= spec/status-file.md#status-3
pub fn status_decode(data: &[u8]) {
    let record = match StatusRecord::decode(data) {
        Ok(record) => record,
        Err(StatusError::Short { len }) => {
            assert!(data.len() < STATUS_LEN);
            assert_eq!(len, data.len());
            return;
        }
        Err(other) => panic!("unexpected status error {other:?}"),
    };
    assert!(data.len() >= STATUS_LEN);
    let encoded = record.encode();
    assert_eq!(encoded[..16], data[..16], "stamp or pid changed");
    assert_eq!(record.paused, data[16] != 0);
    assert_eq!(encoded[16], u8::from(data[16] != 0));
    let (want, byte) = match data[17] {
        b'u' => (Want::Up, b'u'),
        b'd' => (Want::Down, b'd'),
        _ => (Want::Neither, 0),
    };
    assert_eq!(record.want, want);
    assert_eq!(encoded[17], byte);
    // Trailing bytes are ignored, and a written record reads back the same.
    assert_eq!(StatusRecord::decode(&data[..STATUS_LEN]), Ok(record));
    assert_eq!(StatusRecord::decode(&encoded), Ok(record));
}

/// `control::parse` keeps exactly the eleven 0.76 command bytes, in order;
/// `svc_bytes` keeps each letter once, first-seen order, at most 20.
//= spec/control.md#ctl-1
//= spec/control.md#ctl-2
//= spec/control.md#ctl-3
pub fn control_bytes(data: &[u8]) {
    let kept: Vec<u8> = control::parse(data).map(Command::byte).collect();
    let expected: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| b"udoxpchaitk".contains(b))
        .collect();
    assert_eq!(kept, expected);
    for command in control::parse(data) {
        assert_eq!(Command::from_byte(command.byte()), Some(command));
    }

    let sent = control::svc_bytes(data.iter().copied());
    assert!(sent.len() <= 20);
    let mut first_seen = Vec::new();
    for &byte in data {
        if !first_seen.contains(&byte) {
            first_seen.push(byte);
        }
    }
    first_seen.truncate(20);
    assert_eq!(sent, first_seen);
}

/// The input to [`svstat_render`]: what svstat saw, in `arbitrary`'s layout,
/// then the directory name as plain bytes (all the rest of the input), so a
/// seed file ends in a readable name.
#[derive(Debug)]
pub struct SvstatInput {
    /// What the probe found there.
    pub observation: Observation,
    /// The directory argument, any bytes.
    pub dir: Vec<u8>,
}

impl<'a> Arbitrary<'a> for SvstatInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(SvstatInput {
            observation: u.arbitrary()?,
            dir: u.arbitrary()?,
        })
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(SvstatInput {
            observation: u.arbitrary()?,
            dir: u.take_rest().to_vec(),
        })
    }
}

/// `svstat::render` on an arbitrary directory and observation: the line is
/// the directory, `: `, a report without newlines and one newline; a status
/// report starts `up (pid P) S seconds` or `down S seconds`.
//= spec/svstat-output.md#svstat-1
//= spec/svstat-output.md#svstat-3
//= spec/svstat-output.md#svstat-4
pub fn svstat_render(data: &[u8]) {
    let Ok(input) = SvstatInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let line = svstat::render(&input.dir, &input.observation);
    assert!(line.starts_with(&input.dir), "line does not start with dir");
    let report = &line[input.dir.len()..];
    assert!(report.starts_with(b": "));
    assert_eq!(report.last(), Some(&b'\n'));
    let text = &report[2..report.len() - 1];
    assert!(!text.contains(&b'\n'), "newline inside the report");
    if !input.dir.contains(&b'\n') {
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    }
    let text = std::str::from_utf8(text).expect("the report is text");
    if let Observation::Status {
        record,
        now,
        normally_up,
    } = input.observation
    {
        let seconds = svstat::elapsed_secs(&record, now);
        assert_eq!(seconds, now.0.saturating_sub(record.stamp.0 .0));
        let up = record.pid != 0;
        let head = if up {
            format!("up (pid {}) {seconds} seconds", record.pid)
        } else {
            format!("down {seconds} seconds")
        };
        assert!(text.starts_with(&head), "{text:?} does not start {head:?}");
        let suffixes = [
            (up && !normally_up, ", normally down"),
            (!up && normally_up, ", normally up"),
            (up && record.paused, ", paused"),
            (!up && record.want == Want::Up, ", want up"),
            (up && record.want == Want::Down, ", want down"),
        ];
        let tail: String = suffixes
            .iter()
            .filter(|(shown, _)| *shown)
            .map(|(_, words)| *words)
            .collect();
        assert_eq!(&text[head.len()..], tail);
    }
}

/// A label daemontools made (`@4000000069249dd12e28660c`, 2025-11-24).
pub const LABEL: &[u8; LABEL_LEN] = b"@4000000069249dd12e28660c";

/// Split `data` into chunks (empty ones included) at points drawn from the
/// bytes themselves; once those are used up the rest is one chunk.
pub fn chunks(data: &[u8]) -> Vec<&[u8]> {
    let mut u = Unstructured::new(data);
    let mut rest = data;
    let mut out = Vec::new();
    while !rest.is_empty() {
        // Each draw from a non-empty range consumes a byte of `u`, so this
        // ends after at most `data.len()` draws.
        let len = if u.is_empty() {
            rest.len()
        } else {
            u.int_in_range(0..=rest.len().min(40)).unwrap_or(rest.len())
        };
        let (chunk, tail) = rest.split_at(len);
        out.push(chunk);
        rest = tail;
    }
    out
}

fn stamp(chunks: &[&[u8]]) -> Vec<u8> {
    let mut stamper = Stamper::new();
    let mut out = Vec::new();
    for chunk in chunks {
        stamper.feed(chunk, LABEL, &mut out);
    }
    out
}

/// The `tai64n` filter on `data`: whole, in arbitrary chunks and a byte at a
/// time it gives the same output as `dt_model`'s byte-at-a-time filter, and
/// that output is the input with `LABEL ` before each line.
//= spec/tai64n.md#tai64n-1
//= spec/tai64n.md#tai64n-2
//= spec/tai64n.md#tai64n-4
pub fn tai64n_stream(data: &[u8]) {
    let whole = stamp(&[data]);
    assert_eq!(whole, dt_model::filters::tai64n(data, LABEL), "model");
    let chunked = chunks(data);
    assert_eq!(chunked.concat(), data, "chunks lose or add bytes");
    assert_eq!(stamp(&chunked), whole, "chunked");
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(stamp(&bytes), whole, "byte at a time");
    let lines = data.split_inclusive(|&b| b == b'\n').count();
    assert_eq!(whole.len(), data.len() + lines * (LABEL_LEN + 1));
}

/// A deterministic stand-in for the C library's local time: UTC+01:00, but
/// it refuses every second that is 2 modulo 7, and any second whose year
/// does not fit (as `localtime` does).
#[derive(Debug, Default)]
pub struct FakeZone {
    /// How many times the filter asked.
    pub calls: usize,
}

impl LocalZone for FakeZone {
    fn civil(&mut self, unix: i64) -> Option<CivilTime> {
        self.calls += 1;
        if unix.rem_euclid(7) == 2 {
            return None;
        }
        civil_from_seconds(unix.checked_add(3600)?)
    }
}

fn localize(chunks: &[&[u8]]) -> Vec<u8> {
    let mut filter = LocalFilter::new();
    let mut zone = FakeZone::default();
    let mut out = Vec::new();
    for chunk in chunks {
        filter.feed(chunk, &mut zone, &mut out);
    }
    filter.finish(&mut zone, &mut out);
    out
}

/// The `tai64nlocal` filter on `data` with [`FakeZone`]: whole, in arbitrary
/// chunks and a byte at a time it gives the same output as `dt_model`'s
/// line-at-a-time filter; refused labels pass through, and every newline of
/// the input is kept.
//= spec/tai64n.md#tai64nlocal-1
//= spec/tai64n.md#tai64nlocal-2
//= spec/tai64n.md#tai64nlocal-3
//= spec/tai64n.md#tai64nlocal-4
pub fn tai64nlocal_line(data: &[u8]) {
    let whole = localize(&[data]);
    let model = dt_model::filters::tai64nlocal(data, &mut FakeZone::default());
    assert_eq!(whole, model, "model");
    assert_eq!(localize(&chunks(data)), whole, "chunked");
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(localize(&bytes), whole, "byte at a time");
    let newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(newlines(&whole), newlines(data));
    // Lines that do not start with `@` are copied as they are.
    for (input, output) in data
        .split_inclusive(|&b| b == b'\n')
        .zip(whole.split_inclusive(|&b| b == b'\n'))
    {
        if input.first() != Some(&b'@') {
            assert_eq!(input, output);
        }
    }
}
