//! svwait: wait until services are up, down, up for a while, or without
//! their supervise, watching their `supervise/` directories for changes.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::{die, fatal_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::report::options::{svwait, Usage, SVWAIT_USAGE};
use dt_core::report::wait::{worth_a_look, Decision, Waiter, EXIT_TIMED_OUT};
use dt_core::report::{observe, Step};
use dt_core::Errno;
use dt_os::clock;
use dt_os::monitor::watch::Watcher;
use dt_os::service_dir::{CwdProbe, StartingDir};

const PROG: &str = "svwait";

dt_bins::entry!(program);

//= spec/svwait.md#wait-4
//= spec/svwait.md#wait-5
fn program() {
    let args = dt_bins::args();
    let options = svwait(&args).unwrap_or_else(|Usage(problem)| {
        tool::usage(&args, problem.as_ref(), PROG, SVWAIT_USAGE, EXIT_USAGE)
    });
    let dirs = &args[options.dirs..];
    let start = StartingDir::open()
        .unwrap_or_else(|e| fatal("unable to open current directory".to_owned(), e));
    let mut watcher =
        Watcher::new().unwrap_or_else(|e| fatal("unable to start watching".to_owned(), e));
    let waiter = Waiter::new(&options, clock::now());
    let mut changed = false;
    loop {
        // Watch first, then look: a change after the look cannot be missed.
        for dir in dirs {
            if let Err(e) = watcher.watch(dir) {
                fatal(format!("unable to watch {}", show(&e.path)), e.errno);
            }
        }
        let mut reports = Vec::with_capacity(dirs.len());
        for dir in dirs {
            reports.push(observe(&mut CwdProbe::new(dir)));
            if let Err(e) = start.return_to() {
                fatal("unable to set directory".to_owned(), e);
            }
        }
        let until = match waiter.decide(&reports, clock::now(), changed) {
            Decision::Reached => std::process::exit(0),
            Decision::TimedOut { dir } => {
                let text = format!("timed out waiting for {}", show(&dirs[dir]));
                die(EXIT_TIMED_OUT, &fatal_line(PROG, &text, None))
            }
            Decision::Failed { dir, step, errno } => fatal(failure(&dirs[dir], step), errno),
            Decision::Wait { until } => until,
        };
        changed = false;
        while !changed && clock::mono() < until {
            let seen = watcher
                .wait(until)
                .unwrap_or_else(|e| fatal("unable to wait for changes".to_owned(), e));
            changed = seen
                .iter()
                .any(|(place, name, change)| worth_a_look(*place, name, *change));
        }
    }
}

/// What could not be done to `dir` at `step`.
//= spec/svwait.md#wait-7
fn failure(dir: &[u8], step: Step) -> String {
    let dir = show(dir);
    match step {
        Step::Chdir => format!("unable to chdir to {dir}"),
        Step::StatDown => format!("unable to stat {dir}/down"),
        Step::OpenOk => format!("unable to open {dir}/supervise/ok"),
        Step::OpenStatus => format!("unable to open {dir}/supervise/status"),
        Step::ReadStatus => format!("unable to read {dir}/supervise/status"),
    }
}

fn fatal(text: String, errno: Errno) -> ! {
    die(EXIT_TEMPORARY, &fatal_line(PROG, &text, Some(errno)))
}
