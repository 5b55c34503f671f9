use super::*;
use crate::status::Want;
use crate::Now;

fn at(secs: u64) -> Now {
    Now::at_secs(secs)
}

//= spec/supervise.md#sup-2
#[test]
fn started_without_down_file_spawns_run() {
    let (mut sv, first) = Supervise::new(Config { down_file: false }, at(0));
    assert_eq!(first.len(), 1);
    assert_eq!(sv.handle(at(0), Event::Started), vec![Action::Spawn]);
    let acts = sv.handle(at(0), Event::SpawnSucceeded { pid: Pid(7) });
    assert_eq!(acts.len(), 1);
    assert_eq!(sv.status().pid, 7);
    assert_eq!(sv.status().want, Want::Up);
}
