//! The transitions of the opt-in extensions (`spec/extensions.md`): the
//! timers of `timeout-kill` and `timeout-finish`, the process group of
//! `stop-group`, `./finish`, the restart backoff and the extension lines (EXT-7). None
//! of them does anything for a machine whose extension files are all
//! absent (and the classic machine never has any).

use super::{Child, Finish, Machine, Phase, Resume};
use crate::process::{ExitKind, Pid, Sig};
use crate::status::Want;
use crate::supervise::backoff::wall_after;
use crate::supervise::config::Extensions;
use crate::supervise::extra::{Extra, Note, Readiness};
use crate::supervise::notify::StatusText;
use crate::supervise::order::{Order, Target};
use crate::{Errno, Mono, Now};

impl Machine {
    /// What the extension lines should say now.
    //= spec/extensions.md#ext-7
    pub(in crate::supervise) fn extra(&self) -> Extra {
        Extra {
            finishing: match self.finish {
                Some(Finish::Running { pid, .. }) | Some(Finish::Over { pid: Some(pid) }) => {
                    Some(pid)
                }
                _ => None,
            },
            restart: self.restart.map(|(_, wall)| (wall, self.attempt)),
            given_up: self.given_up.then_some(self.attempt),
            ready: self.ready,
            status: self.note,
        }
    }

    /// The service process said what it is doing (`STATUS=`): kept for the
    /// process that runs, until it is reaped.
    //= spec/extensions.md#ext-13
    pub(super) fn on_status_text(&mut self, pid: Pid, text: StatusText, out: &mut Vec<Order>) {
        let running = matches!(self.child, Child::Up { pid: p, .. } if p == pid);
        if running && self.ext.notify {
            self.note = Some(Note { pid, text });
            self.sync_extra(out);
        }
    }

    /// The service process said it is ready (`notification-fd`): noted once
    /// per run, for the process that was given the pipe and is not yet
    /// known to have exited.
    //= spec/extensions.md#ext-11
    pub(super) fn on_ready(&mut self, now: Now, pid: Pid, out: &mut Vec<Order>) {
        let running = matches!(self.child, Child::Up { pid: p, .. } if p == pid);
        if let Some(ready @ Readiness { since: None, .. }) = &mut self.ready {
            if running && ready.pid == pid {
                ready.since = Some(now.wall);
                self.sync_extra(out);
            }
        }
    }

    /// The extensions' timers that are due (none in classic mode).
    //= spec/extensions.md#ext-3
    pub(super) fn fire_timers(&mut self, now: Now, out: &mut Vec<Order>) {
        if let Some(kill) = self.kill {
            if now.mono >= kill.at {
                self.kill = None;
                out.push(Order::Signal {
                    target: kill.target,
                    sig: Sig::Kill,
                });
            }
        }
        //= spec/extensions.md#ext-6
        if let Some(Finish::Running {
            pid,
            kill_at: Some(at),
            target,
        }) = self.finish
        {
            if now.mono >= at {
                self.finish = Some(Finish::Running {
                    pid,
                    kill_at: None,
                    target,
                });
                out.push(Order::Signal {
                    target,
                    sig: Sig::Kill,
                });
            }
        }
        if !self.paused && self.watchdog.is_some_and(|at| now.mono >= at) {
            self.fire_watchdog(now, out);
        }
    }

    /// `watchdog` seconds for the current run (only with `notify`).
    //= spec/extensions.md#ext-14
    pub(super) fn watchdog_secs(&self) -> Option<u32> {
        self.ext.watchdog.filter(|_| self.ext.notify)
    }

    /// `WATCHDOG=1` from the running service: its deadline starts again.
    //= spec/extensions.md#ext-14
    pub(super) fn on_watchdog(&mut self, now: Now, pid: Pid) {
        let running = matches!(self.child, Child::Up { pid: p, .. } if p == pid);
        if let (true, Some(_), Some(secs)) = (running, self.watchdog, self.watchdog_secs()) {
            self.watchdog = Some(now.mono.after_secs(u64::from(secs)));
        }
    }

    /// A paused service was continued (`c`, or `d`'s SIGCONT): it has the
    /// whole `watchdog` period again from now.
    //= spec/extensions.md#ext-14
    pub(super) fn rearm_watchdog(&mut self, now: Now) {
        if let (Some(_), Some(secs)) = (self.watchdog, self.watchdog_secs()) {
            self.watchdog = Some(now.mono.after_secs(u64::from(secs)));
        }
    }

    /// The watchdog's deadline passed without `WATCHDOG=1`: stop the
    /// service as `d` would (TERM, CONT, the `timeout-kill` promise) but
    /// leave it wanted as it is, so it is restarted.
    //= spec/extensions.md#ext-14
    fn fire_watchdog(&mut self, now: Now, out: &mut Vec<Order>) {
        self.watchdog = None;
        let (Child::Up { pid, .. }, Some(secs)) = (self.child, self.watchdog_secs()) else {
            return;
        };
        out.push(Order::WarnWatchdog { secs });
        self.signal(Sig::Term, out);
        self.signal(Sig::Cont, out);
        if let (Some(secs), None) = (self.ext.timeout_kill, self.kill) {
            self.kill = Some(super::KillTimer {
                at: now.mono.after_secs(u64::from(secs)),
                target: self.target(pid),
                revocable: false,
            });
        }
    }

    /// `./finish` started: it runs while the loop goes on.
    //= spec/extensions.md#ext-5
    //= spec/extensions.md#ext-6
    pub(super) fn on_finish_spawned(
        &mut self,
        now: Now,
        pid: Pid,
        then: Resume,
        out: &mut Vec<Order>,
    ) {
        if pid.0 <= 0 {
            self.finish = Some(Finish::Over { pid: None });
            self.on_spawn_failed(now, Errno::EINVAL, then, out);
            return;
        }
        self.finish = Some(Finish::Running {
            pid,
            kill_at: self
                .ext
                .timeout_finish
                .map(|secs| now.mono.after_secs(u64::from(secs))),
            target: self.target(pid),
        });
        self.sync_extra(out);
        self.run(now, then, out);
    }

    /// Write the extension lines if what they should say has changed.
    //= spec/extensions.md#ext-7
    pub(super) fn sync_extra(&mut self, out: &mut Vec<Order>) {
        let extra = self.extra();
        if extra != self.extra_written {
            self.extra_written = extra;
            out.push(Order::WriteExtra(extra));
        }
    }

    //= spec/extensions.md#ext-2
    pub(super) fn on_configured(&mut self, ext: Extensions, then: Resume, out: &mut Vec<Order>) {
        self.ext = ext;
        out.push(Order::SpawnRun {
            own_group: ext.stop_group,
            notification_fd: ext.notification_fd,
            notify_socket: ext.notify,
            watchdog_secs: ext.watchdog.filter(|_| ext.notify),
        });
        self.phase = Phase::Spawning {
            then,
            finish: false,
        };
    }

    /// What follows the end of `./run` (after `./finish`, if it ran): exit
    /// if asked to, else start it again if wanted up (or asked to while
    /// `./finish` ran). Whether the loop turn stops here.
    //= spec/supervise.md#sup-16
    //= spec/extensions.md#ext-5
    pub(super) fn after_run(&mut self, now: Now, out: &mut Vec<Order>) -> bool {
        if self.exit_requested {
            self.exit(out);
            return true;
        }
        if std::mem::take(&mut self.start_after_finish) {
            self.reset_backoff();
            self.start(Resume::ControlByte, out);
            return true;
        }
        if self.want != Want::Up {
            return false;
        }
        //= spec/extensions.md#ext-9
        //= spec/extensions.md#ext-10
        if let (Some(backoff), 1..) = (self.ext.backoff, self.attempt) {
            let window = backoff.give_up.filter(|g| {
                let count = usize::try_from(g.count).unwrap_or(usize::MAX);
                self.failures.len() >= count
                    && self.failures.front().is_some_and(|first| {
                        now.mono.0.saturating_sub(first.0)
                            <= u64::from(g.window).saturating_mul(Mono::SECOND)
                    })
            });
            if window.is_some() {
                self.given_up = true;
            } else {
                let millis = backoff.delay_millis(self.attempt, self.random);
                self.restart = Some((
                    now.mono.after_nanos(millis.saturating_mul(1_000_000)),
                    wall_after(now.wall, millis),
                ));
            }
            self.sync_extra(out);
            return false;
        }
        self.start(Resume::ControlByte, out);
        true
    }

    /// `backoff`: count the run just reaped as a success or a failure.
    //= spec/extensions.md#ext-10
    pub(super) fn count_run(&mut self, now: Now) {
        let Some(backoff) = self.ext.backoff else {
            return;
        };
        if backoff.was_success(self.run_started, now.mono) {
            self.attempt = 0;
            self.failures.clear();
        } else {
            self.attempt = self.attempt.saturating_add(1);
            self.failures.push_back(now.mono);
            let keep = backoff
                .give_up
                .map_or(0, |g| usize::try_from(g.count).unwrap_or(usize::MAX));
            while self.failures.len() > keep {
                self.failures.pop_front();
            }
        }
    }

    /// A start asked for by `u` or `o`: the count starts again.
    //= spec/extensions.md#ext-10
    pub(super) fn reset_backoff(&mut self) {
        self.attempt = 0;
        self.failures.clear();
    }

    /// Spawn `./finish <exit code> <signal>` for a run that ended `how`.
    //= spec/extensions.md#ext-5
    pub(super) fn start_finish(&mut self, how: ExitKind, out: &mut Vec<Order>) {
        let (code, signal) = match how {
            ExitKind::Exited(code) => (i32::from(code), 0),
            ExitKind::Signaled(signal) => (-1, signal),
        };
        out.push(Order::SpawnFinish {
            code,
            signal,
            own_group: self.ext.stop_group,
        });
        self.phase = Phase::Spawning {
            then: Resume::ControlByte,
            finish: true,
        };
    }

    /// `u` and `o` start the service if it is not running; while `./finish`
    /// runs, once it is over.
    //= spec/supervise.md#sup-8
    //= spec/extensions.md#ext-5
    pub(super) fn start_if_down(&mut self, out: &mut Vec<Order>) {
        if self.pid().is_none() {
            if self.finish.is_some() {
                self.start_after_finish = true;
            } else {
                self.reset_backoff();
                self.start(Resume::NextTurn, out);
            }
        }
    }

    /// `u` or `o` revoke the stop of the running service, and with it the
    /// SIGKILL promised for it (not one promised for an earlier group).
    //= spec/extensions.md#ext-3
    pub(super) fn revoke_kill(&mut self) {
        if let (Some(kill), Some(pid)) = (self.kill, self.pid()) {
            let theirs = matches!(kill.target, Target::Pid(p) | Target::Group(p) if p == pid);
            if theirs && kill.revocable {
                self.kill = None;
            }
        }
    }

    /// A SIGKILL still promised to an earlier group is sent before a new
    /// `./run` starts and before supervise exits.
    //= spec/extensions.md#ext-4
    pub(super) fn kill_now(&mut self, out: &mut Vec<Order>) {
        if let Some(kill) = self.kill.take() {
            out.push(Order::Signal {
                target: kill.target,
                sig: Sig::Kill,
            });
        }
    }

    /// Where signals for the service go: its group with `stop-group` (as
    /// read when it started), else the pid.
    //= spec/extensions.md#ext-4
    pub(super) fn target(&self, pid: Pid) -> Target {
        if self.ext.stop_group {
            Target::Group(pid)
        } else {
            Target::Pid(pid)
        }
    }
}
