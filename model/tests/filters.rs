//! The fast chunked filters in core against the byte-at-a-time models.

use dt_core::tai64n::Stamper;
use dt_core::tai64nlocal::{CivilTime, LocalFilter, LocalZone};
use proptest::prelude::*;

/// A made-up zone: any calendar will do to compare parsing and plumbing, as
/// long as both sides use the same one and it refuses some times.
struct FakeZone;

impl LocalZone for FakeZone {
    fn civil(&mut self, unix: i64) -> Option<CivilTime> {
        if unix.unsigned_abs() > 1 << 40 {
            return None;
        }
        let u = unix.rem_euclid(1 << 30);
        Some(CivilTime {
            years_since_1900: (unix / 31_557_600) as i32,
            month: (u % 12 + 1) as u8,
            day: (u % 28 + 1) as u8,
            hour: (u % 24) as u8,
            minute: (u % 60) as u8,
            second: (u / 7 % 60) as u8,
        })
    }
}

fn chunks(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts {
        out.push(input[start..cut].to_vec());
        start = cut;
    }
    out.push(input[start..].to_vec());
    out
}

fn log_like() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            "@[0-9a-f]{24}[ .][ -~]{0,10}",
            "@4000000[0-9a-f]{17}[ -~]{0,4}",
            "@[0-9a-fA-F]{0,30}[ -~]{0,4}",
            "[ -~]{0,12}",
        ],
        0..10,
    )
    .prop_map(|lines| lines.join("\n").into_bytes())
}

proptest! {
    //= spec/tai64n.md#tai64n-1
    #[test]
    fn tai64n_matches_the_model(input: Vec<u8>, cuts: Vec<usize>) {
        let label = b"@4000000069249dd12e28660c";
        let mut stamper = Stamper::new();
        let mut out = Vec::new();
        for chunk in chunks(&input, &cuts) {
            stamper.feed(&chunk, label, &mut out);
        }
        prop_assert_eq!(out, dt_model::filters::tai64n(&input, label));
    }

    //= spec/tai64n.md#tai64nlocal-1
    //= spec/tai64n.md#tai64nlocal-3
    #[test]
    fn tai64nlocal_matches_the_model(input in log_like(), cuts: Vec<usize>) {
        let mut filter = LocalFilter::new();
        let mut out = Vec::new();
        for chunk in chunks(&input, &cuts) {
            filter.feed(&chunk, &mut FakeZone, &mut out);
        }
        filter.finish(&mut FakeZone, &mut out);
        prop_assert_eq!(out, dt_model::filters::tai64nlocal(&input, &mut FakeZone));
    }
}
