//! What the benchmarks read of a process's memory: the totals in
//! `/proc/<pid>/smaps_rollup`.

/// The KiB of `field` (`Pss`, `Private_Dirty`, `Anonymous`, ...) in the
/// memory totals of process `pid`; 0 if the process or the field is gone.
pub fn rollup_kib(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
