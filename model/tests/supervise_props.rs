//! The supervise machine (`dt_core::supervise::Supervise`) against the
//! reference model (`dt_model::supervise::ModelSupervise`): the same random
//! event sequences, with a fake clock moving forward by random amounts, fork
//! answers with fresh pids, exits of the service and of other pids, and every
//! control byte. After each step the actions emitted, the status, the
//! deadline and whether it exited must agree.
//!
//= spec/supervise.md#sup-6
//= spec/supervise.md#sup-17
//= spec/supervise.md#sup-18
//= spec/supervise.md#sup-20
#![allow(clippy::unwrap_used)]

use dt_core::supervise::{
    Action, Backoff, Command, Config, Event, ExitKind, Extensions, GiveUp, Order, Pid, StatusText,
    Supervise, SuperviseExt,
};
use dt_core::{label, Errno, Mono, Now};
use dt_model::supervise::ModelSupervise;
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

/// Service pids are handed out from here; smaller pids are "other children".
const FIRST_PID: i32 = 100;

fn at(ms: u64) -> Now {
    Now {
        mono: Mono(ms * 1_000_000),
        wall: label::from_unix(
            i64::try_from(ms / 1000).unwrap(),
            u32::try_from(ms % 1000).unwrap() * 1_000_000,
        ),
    }
}

/// One step: time moves on, then one event arrives.
#[derive(Clone, Debug)]
struct Step {
    advance_ms: u64,
    event: Event,
}

/// The model, the clock and the pids; `EXT`: with extension files drawn at
/// random (else none, and the model is 0.76's).
#[derive(Clone, Debug)]
struct Reference<const EXT: bool> {
    cfg: Config,
    ext: Extensions,
    /// The driver's random number (the same at every start).
    random: u32,
    model: ModelSupervise,
    now_ms: u64,
    /// The next fresh pid.
    next_pid: i32,
    /// What the model emitted at the last step (or at `new`).
    last: Vec<Order>,
}

fn any_backoff() -> impl Strategy<Value = Backoff> {
    (
        1u32..4,
        0u32..6,
        1u32..6,
        proptest::option::of((1u32..4, 1u32..20)),
    )
        .prop_map(|(initial, more, reset, give_up)| Backoff {
            initial,
            max: initial + more,
            reset,
            give_up: give_up.map(|(count, window)| GiveUp { count, window }),
        })
}

fn any_extensions() -> impl Strategy<Value = Extensions> {
    (
        proptest::option::weighted(0.7, 1u32..4),
        any::<bool>(),
        any::<bool>(),
        proptest::option::weighted(0.7, 1u32..4),
        proptest::option::weighted(0.6, any_backoff()),
        proptest::option::weighted(0.5, 3u32..10),
        (any::<bool>(), proptest::option::weighted(0.6, 1u32..4)),
    )
        .prop_map(
            |(
                timeout_kill,
                stop_group,
                finish,
                timeout_finish,
                backoff,
                notification_fd,
                (notify, watchdog),
            )| {
                Extensions {
                    timeout_kill,
                    stop_group,
                    finish,
                    timeout_finish: timeout_finish.filter(|_| finish),
                    backoff,
                    notification_fd,
                    notify,
                    watchdog: watchdog.filter(|_| notify),
                }
            },
        )
}

fn any_command() -> impl Strategy<Value = Command> {
    proptest::sample::select(Command::ALL.to_vec())
}

fn any_errno() -> impl Strategy<Value = Errno> {
    proptest::sample::select(vec![Errno::EAGAIN, Errno::ENOMEM])
}

fn any_exit() -> impl Strategy<Value = ExitKind> {
    prop_oneof![
        (0u8..=255).prop_map(ExitKind::Exited),
        (1i32..32).prop_map(ExitKind::Signaled),
    ]
}

impl<const EXT: bool> ReferenceStateMachine for Reference<EXT> {
    type State = Reference<EXT>;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Reference<EXT>> {
        let ext = if EXT {
            any_extensions().boxed()
        } else {
            Just(Extensions::default()).boxed()
        };
        let random = prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()];
        (any::<bool>(), ext, random)
            .prop_map(|(down_file, ext, random)| {
                let cfg = Config { down_file };
                let (model, last) = ModelSupervise::with_extensions(cfg, ext, random, at(0));
                Reference {
                    cfg,
                    ext,
                    random,
                    model,
                    now_ms: 0,
                    next_pid: FIRST_PID,
                    last,
                }
            })
            .boxed()
    }

    fn transitions(state: &Reference<EXT>) -> BoxedStrategy<Step> {
        let next_pid = state.next_pid;
        if state.model.forking() {
            // The driver answers a Spawn at once (a fork takes a moment).
            return prop_oneof![
                4 => (0u64..3, 0i32..3).prop_map(move |(advance_ms, k)| Step {
                    advance_ms,
                    event: Event::SpawnSucceeded { pid: Pid(next_pid + k) },
                }),
                1 => (0u64..3, any_errno()).prop_map(|(advance_ms, errno)| Step {
                    advance_ms,
                    event: Event::SpawnFailed { errno },
                }),
            ]
            .boxed();
        }
        let to_deadline = state
            .model
            .deadline()
            .map(|d| (d.0 / 1_000_000).saturating_sub(state.now_ms))
            .unwrap_or(0);
        let advance = prop_oneof![
            3 => Just(0u64),
            4 => 0u64..1500,
            2 => Just(to_deadline),
            1 => to_deadline..to_deadline + 100,
            1 => Just(61_000u64),
        ];
        let service = if state.model.pid() != 0 {
            state.model.pid()
        } else if state.model.finish_pid() != 0 {
            state.model.finish_pid()
        } else {
            1
        };
        let event = prop_oneof![
            8 => any_command().prop_map(Event::Control),
            5 => Just(Event::Tick),
            4 => any_exit().prop_map(move |status| Event::ChildExited { pid: Pid(service), status }),
            1 => (1i32..5, any_exit()).prop_map(|(pid, status)| Event::ChildExited { pid: Pid(pid), status }),
            1 => (FIRST_PID..next_pid.max(FIRST_PID + 1), any_exit())
                .prop_map(|(pid, status)| Event::ChildExited { pid: Pid(pid), status }),
            2 => Just(Event::Started),
            1 => Just(Event::SpawnSucceeded { pid: Pid(next_pid) }),
            1 => any_errno().prop_map(|errno| Event::SpawnFailed { errno }),
            //= spec/extensions.md#ext-11
            3 => Just(Event::Ready { pid: Pid(service) }),
            1 => (1i32..5).prop_map(|pid| Event::Ready { pid: Pid(pid) }),
            //= spec/extensions.md#ext-14
            3 => Just(Event::Watchdog { pid: Pid(service) }),
            //= spec/extensions.md#ext-13
            2 => proptest::sample::select(vec![&b"busy"[..], b"", b"idle\tnow"])
                .prop_map(move |text| Event::StatusText { pid: Pid(service), text: StatusText::new(text) }),
        ];
        (advance, event)
            .prop_map(|(advance_ms, event)| Step { advance_ms, event })
            .boxed()
    }

    fn preconditions(state: &Reference<EXT>, step: &Step) -> bool {
        match step.event {
            // Pids are fresh: never one handed out before.
            Event::SpawnSucceeded { pid } => pid.0 >= state.next_pid,
            // Only children that may exist exit.
            Event::ChildExited { pid, .. } => pid.0 < state.next_pid,
            _ => true,
        }
    }

    fn apply(mut state: Reference<EXT>, step: &Step) -> Reference<EXT> {
        state.now_ms += step.advance_ms;
        state.last = state.model.step_ext(at(state.now_ms), step.event);
        if let Event::SpawnSucceeded { pid } = step.event {
            state.next_pid = state.next_pid.max(pid.0 + 1);
        }
        state
    }
}

/// 0.76's actions as orders.
fn orders(actions: Vec<Action>) -> Vec<Order> {
    actions.into_iter().map(Order::from).collect()
}

struct CoreAgainstModel;

impl StateMachineTest for CoreAgainstModel {
    type SystemUnderTest = Supervise;
    type Reference = Reference<false>;

    fn init_test(reference: &Reference<false>) -> Supervise {
        let (core, first) = Supervise::new(reference.cfg, at(0));
        assert_eq!(orders(first), reference.last, "actions of new");
        core
    }

    fn apply(mut core: Supervise, reference: &Reference<false>, step: Step) -> Supervise {
        let actions = core.handle(at(reference.now_ms), step.event);
        assert_eq!(
            orders(actions),
            reference.last,
            "actions for {step:?} at {} ms",
            reference.now_ms
        );
        core
    }

    fn check_invariants(core: &Supervise, reference: &Reference<false>) {
        assert_eq!(core.status(), reference.model.status(), "status");
        assert_eq!(core.next_deadline(), reference.model.deadline(), "deadline");
        assert_eq!(core.next_deadline(), core.next_deadline(), "idempotent");
        assert_eq!(core.has_exited(), reference.model.gone(), "exited");
    }
}

/// The extended machine, its `ReadConfig` answered at once (as the driver
/// does) with the files the model reads once.
struct ExtAgainstModel<const EXT: bool>;

impl<const EXT: bool> StateMachineTest for ExtAgainstModel<EXT> {
    type SystemUnderTest = SuperviseExt;
    type Reference = Reference<EXT>;

    fn init_test(reference: &Reference<EXT>) -> SuperviseExt {
        let (core, first) = SuperviseExt::new(reference.cfg, at(0));
        assert_eq!(first, reference.last, "orders of new");
        core
    }

    fn apply(mut core: SuperviseExt, reference: &Reference<EXT>, step: Step) -> SuperviseExt {
        let now = at(reference.now_ms);
        let mut got = core.handle(now, step.event);
        if got.last() == Some(&Order::ReadConfig) {
            got.pop();
            got.extend(core.handle(
                now,
                Event::Configured {
                    ext: reference.ext,
                    random: reference.random,
                },
            ));
        }
        assert_eq!(
            got, reference.last,
            "orders for {step:?} at {} ms with {:?}",
            reference.now_ms, reference.ext
        );
        core
    }

    fn check_invariants(core: &SuperviseExt, reference: &Reference<EXT>) {
        assert_eq!(core.status(), reference.model.status(), "status");
        assert_eq!(core.next_deadline(), reference.model.deadline(), "deadline");
        assert_eq!(core.has_exited(), reference.model.gone(), "exited");
        assert_eq!(core.extra(), reference.model.extra(), "extra");
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    })]

    #[test]
    fn core_agrees_with_the_model(sequential 1..60 => CoreAgainstModel);

    /// Without extension files the extended machine is 0.76's.
    //= spec/extensions.md#ext-1
    #[test]
    fn the_extended_machine_without_files_agrees_with_the_model(
        sequential 1..60 => ExtAgainstModel<false>
    );

    /// With extension files, the extended machine and the extended model.
    //= spec/extensions.md#ext-3
    //= spec/extensions.md#ext-4
    //= spec/extensions.md#ext-5
    //= spec/extensions.md#ext-6
    //= spec/extensions.md#ext-7
    //= spec/extensions.md#ext-9
    //= spec/extensions.md#ext-10
    //= spec/extensions.md#ext-11
    //= spec/extensions.md#ext-13
    //= spec/extensions.md#ext-14
    #[test]
    fn the_extended_machine_agrees_with_the_extended_model(
        sequential 1..60 => ExtAgainstModel<true>
    );
}
