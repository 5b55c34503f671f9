//! svstatus: the state of service directories as JSON Lines (one object
//! per directory, schema 1), or with `-p` of every service in a scan
//! directory in Prometheus' text exposition format.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::{die, fatal_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::report::options::{svstatus, Usage, SVSTATUS_USAGE};
use dt_core::report::{json, log_report, observe, prometheus, ServiceReport};
use dt_core::Errno;
use dt_os::monitor::listing;
use dt_os::service_dir::{CwdProbe, StartingDir};
use std::io::Write;

const PROG: &str = "svstatus";

dt_bins::entry!(program);

//= spec/status-json.md#json-8
fn program() {
    let args = dt_bins::args();
    let options = svstatus(&args).unwrap_or_else(|Usage(problem)| {
        tool::usage(&args, problem.as_ref(), PROG, SVSTATUS_USAGE, EXIT_USAGE)
    });
    let dirs = &args[options.dirs..];
    let start = StartingDir::open()
        .unwrap_or_else(|e| fatal("unable to open current directory".to_owned(), e));
    let mut out = Vec::new();
    if options.prometheus {
        //= spec/status-json.md#prom-1
        let scan = &dirs[0];
        let names = listing::services(scan)
            .unwrap_or_else(|e| fatal(format!("unable to read directory {}", show(scan)), e));
        let now = dt_os::clock::wall().0;
        let services: Vec<ServiceReport> = names
            .into_iter()
            .map(|name| {
                let mut path = scan.clone();
                path.push(b'/');
                path.extend_from_slice(&name);
                look(&start, name, &path)
            })
            .collect();
        out = prometheus::render(&services, now);
    } else {
        for dir in dirs {
            let service = look(&start, dir.clone(), dir);
            out.extend_from_slice(&json::render(&service, dt_os::clock::wall().0));
        }
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
        fatal(
            "unable to write output".to_owned(),
            Errno(e.raw_os_error().unwrap_or(0)),
        );
    }
}

/// Look at `path` and `path/log`, named `name` in the report.
fn look(start: &StartingDir, name: Vec<u8>, path: &[u8]) -> ServiceReport {
    let main = observe(&mut CwdProbe::new(path));
    back(start);
    let mut log_path = path.to_vec();
    log_path.extend_from_slice(b"/log");
    let log = log_report(observe(&mut CwdProbe::new(&log_path)));
    back(start);
    ServiceReport {
        dir: name,
        main,
        log,
    }
}

fn back(start: &StartingDir) {
    if let Err(e) = start.return_to() {
        fatal("unable to set directory".to_owned(), e);
    }
}

fn fatal(text: String, errno: Errno) -> ! {
    die(EXIT_TEMPORARY, &fatal_line(PROG, &text, Some(errno)))
}
