//! tai64n: put a TAI64N label in front of every line of stdin.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::EXIT_TEMPORARY;
use dt_core::{label, tai64n::Stamper};

dt_bins::entry!(program);

fn program() {
    let mut stamper = Stamper::new();
    let result = dt_os::filter::run(|input, out| {
        if let Some(input) = input {
            // One clock reading per chunk: every line in it arrived now.
            stamper.feed(input, &label::encode(&dt_os::clock::wall()), out);
        }
    });
    // 0.76 exits 111 without a word on a read or write error.
    std::process::exit(if result.is_ok() { 0 } else { EXIT_TEMPORARY });
}
