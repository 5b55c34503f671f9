//! svok: exit 0 if a supervise is running on the directory, 100 if not.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{die, fatal_line, usage_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::svstat::{svok_verdict, SvokVerdict};
use dt_os::service_dir::{chdir, open_ok};

dt_bins::entry!(program);

//= spec/svstat-output.md#svok-1
fn program() {
    let args = dt_bins::args();
    let Some(dir) = args.get(1) else {
        die(EXIT_USAGE, &usage_line("svok", "svok dir"));
    };
    if let Err(e) = chdir(dir) {
        let text = format!("unable to chdir to {}", show(dir));
        die(EXIT_TEMPORARY, &fatal_line("svok", &text, Some(e)));
    }
    match svok_verdict(open_ok()) {
        SvokVerdict::Running => std::process::exit(0),
        SvokVerdict::NotRunning => std::process::exit(EXIT_USAGE),
        SvokVerdict::Failed(e) => {
            let text = format!("unable to open {}/supervise/ok", show(dir));
            die(EXIT_TEMPORARY, &fatal_line("svok", &text, Some(e)))
        }
    }
}
