//! readproctitle: show the latest bytes of stdin in the last argument, for
//! `ps` to display (svscanboot feeds it svscan's errors).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_core::proctitle::ProcTitle;
use dt_os::proctitle::LastArgument;

dt_bins::entry!(program);

//= spec/svscan.md#title-1
fn program() {
    let Some(mut argument) = LastArgument::get() else {
        std::process::exit(100);
    };
    let Some(mut title) = ProcTitle::new(argument.len()) else {
        std::process::exit(100);
    };
    argument.write(title.bytes());
    let result = dt_os::filter::run(|input, _| {
        if let Some(input) = input {
            title.feed(input);
            argument.write(title.bytes());
        }
    });
    std::process::exit(if result.is_ok() { 0 } else { 111 });
}
