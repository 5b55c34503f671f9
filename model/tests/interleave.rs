//! Exhaustive interleaving models of the protocols that cross processes
//! (`dt_model::interleave`): every interleaving within each bound is
//! explored and the state count printed and asserted; each model's broken
//! variant must be caught, with the shortest trace printed.
//!
//! Bounds and state counts are recorded in `spec/models.md`.

use dt_model::interleave::{
    explore, LogPipeModel, PipeBounds, PipeKeeping, Stats, StatusBounds, StatusFileModel,
    WriterProtocol,
};

fn report(name: &str, bound: &str, stats: Stats) {
    println!(
        "{name} ({bound}): {} states, {} transitions, {} terminal, depth {}",
        stats.states, stats.transitions, stats.terminal, stats.depth
    );
}

const STATUS_BOUNDS: StatusBounds = StatusBounds {
    records: 3,
    writer_kills: 1,
    reads: 2,
};

/// The writer replaces the record three times (each write of the 18
/// bytes whole or cut in two at any byte, a SIGKILL and restart anywhere
/// once) while the reader opens and reads `status` twice (each read whole
/// or cut in two at any byte): every read gives exactly the record
/// `status` named when it was opened, whole, and records never go back.
//= spec/status-file.md#status-4
//= spec/models.md#model-1
#[test]
fn status_readers_see_the_old_record_or_the_new_one_never_a_mix() {
    let model = StatusFileModel {
        protocol: WriterProtocol::RenameOver,
        bounds: STATUS_BOUNDS,
    };
    let stats = explore(&model).unwrap_or_else(|v| panic!("{v}"));
    report(
        "status file, rename over",
        &format!("{STATUS_BOUNDS:?}, writes and reads cut at every byte"),
        stats,
    );
    assert!(stats.states > 10_000, "too few states: {stats:?}");
    assert!(stats.terminal > 0);
}

/// Without the rename the same exploration finds a torn read, whether the
/// writer truncates first (a short record) or overwrites in place (a mix
/// of two records): the model can fail.
//= spec/models.md#model-1
#[test]
fn writing_in_place_tears_records() {
    for protocol in [
        WriterProtocol::InPlaceTruncate,
        WriterProtocol::InPlaceOverwrite,
    ] {
        let model = StatusFileModel {
            protocol,
            bounds: STATUS_BOUNDS,
        };
        let violation = match explore(&model) {
            Ok(stats) => panic!("{protocol:?}: no torn read in {stats:?}"),
            Err(violation) => violation,
        };
        println!("{protocol:?}: {violation}");
        assert!(violation.problem.starts_with("torn read"), "{violation}");
    }
}

const PIPE_BOUNDS: PipeBounds = PipeBounds {
    lines: 5,
    line_len: 3,
    capacity: 5,
    read_max: 4,
    service_kills: 2,
    logger_kills: 3,
};

/// The service writes five 3-byte lines into a 5-byte pipe (one write per
/// line, which goes in whole or waits), the logger reads 1 to 4 bytes at a
/// time and appends the whole lines it holds; the service may be killed
/// twice and the logger three times, anywhere, each restarted by its
/// supervise.
/// Accepted bytes are those a write put into the pipe; each is then in
/// exactly one place (the log, the pipe, the logger's hands, or the hands
/// of a logger that died), the log is the accepted stream in order less
/// what dead loggers held, every log line is one line whole or the tail of
/// one whose head died with a logger, and at the end the pipe is drained.
//= spec/svscan.md#scan-6
//= spec/models.md#model-2
#[test]
fn the_log_pipe_loses_only_what_a_dying_logger_held() {
    let model = LogPipeModel {
        keeping: PipeKeeping::Svscan,
        bounds: PIPE_BOUNDS,
    };
    let stats = explore(&model).unwrap_or_else(|v| panic!("{v}"));
    report(
        "log pipe kept by svscan",
        &format!("{PIPE_BOUNDS:?}"),
        stats,
    );
    assert!(stats.states > 40_000, "too few states: {stats:?}");
    assert!(stats.terminal > 0);
}

/// If each new logger got a new pipe (nobody keeping the old one), what was
/// in the old pipe when the logger died would be lost: the exploration
/// finds it.
//= spec/models.md#model-2
#[test]
fn a_pipe_recreated_on_restart_loses_what_it_held() {
    let model = LogPipeModel {
        keeping: PipeKeeping::RecreatedOnRestart,
        bounds: PIPE_BOUNDS,
    };
    let violation = match explore(&model) {
        Ok(stats) => panic!("nothing lost in {stats:?}"),
        Err(violation) => violation,
    };
    println!("recreated pipe: {violation}");
    assert!(
        violation.problem.contains("in the pipe are lost"),
        "{violation}"
    );
}
