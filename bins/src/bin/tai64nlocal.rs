//! tai64nlocal: turn TAI64N labels at the start of lines into local time.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::EXIT_TEMPORARY;
use dt_core::tai64nlocal::LocalFilter;
use dt_os::localtime::SystemZone;

dt_bins::entry!(program);

fn program() {
    let mut zone = SystemZone::new();
    let mut filter = LocalFilter::new();
    let result = dt_os::filter::run(|input, out| match input {
        Some(input) => filter.feed(input, &mut zone, out),
        None => filter.finish(&mut zone, out),
    });
    // 0.76 exits 111 without a word on a read or write error.
    std::process::exit(if result.is_ok() { 0 } else { EXIT_TEMPORARY });
}
