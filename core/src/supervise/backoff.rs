//! Restart backoff (`spec/extensions.md` EXT-9, EXT-10): the delay before
//! the n-th restart in a row of a service that keeps dying, and when to give
//! up. Pure arithmetic; the machine keeps the counts, the driver supplies the
//! random number (core has no randomness of its own).

use crate::time::Mono;
use crate::Tai64N;

/// What the `backoff` file says: `initial max [reset [count window]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Backoff {
    /// Seconds before the first restart in a row (≥ 1).
    pub initial: u32,
    /// The longest delay, in seconds (≥ `initial`).
    pub max: u32,
    /// A run that lasted at least this many seconds was a success: the next
    /// restart is immediate and the count starts again (≥ 1; `max` unless
    /// given).
    pub reset: u32,
    /// Give up after `count` failures within `window` seconds.
    pub give_up: Option<GiveUp>,
}

/// The optional end of the `backoff` file: stop restarting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct GiveUp {
    /// How many failures (≥ 1).
    pub count: u32,
    /// Within how many seconds (≥ 1).
    pub window: u32,
}

impl Backoff {
    /// The `backoff` file's numbers, or `None` if they are not 2, 3 or 5
    /// numbers within the bounds above.
    //= spec/extensions.md#ext-9
    pub fn from_numbers(numbers: &[u32]) -> Option<Backoff> {
        let (initial, max, reset, give_up) = match *numbers {
            [initial, max] => (initial, max, max, None),
            [initial, max, reset] => (initial, max, reset, None),
            [initial, max, reset, count, window] => {
                (initial, max, reset, Some(GiveUp { count, window }))
            }
            _ => return None,
        };
        let sane = initial >= 1
            && max >= initial
            && reset >= 1
            && give_up.is_none_or(|g| g.count >= 1 && g.window >= 1);
        sane.then_some(Backoff {
            initial,
            max,
            reset,
            give_up,
        })
    }

    /// The nominal delay before restart number `attempt` (≥ 1) in a row, in
    /// seconds: `initial` doubled `attempt - 1` times, at most `max`.
    //= spec/extensions.md#ext-9
    pub fn nominal_secs(&self, attempt: u32) -> u32 {
        let doublings = attempt.saturating_sub(1);
        let delay = if doublings >= 32 {
            u64::MAX
        } else {
            u64::from(self.initial) << doublings
        };
        u32::try_from(delay.min(u64::from(self.max))).unwrap_or(self.max)
    }

    /// The delay before restart number `attempt`, in milliseconds: the
    /// nominal delay less up to a quarter of it, `random / 2³²` of that
    /// quarter (so never more than `max`, never less than three quarters of
    /// the nominal delay).
    //= spec/extensions.md#ext-9
    pub fn delay_millis(&self, attempt: u32, random: u32) -> u64 {
        let nominal = u128::from(self.nominal_secs(attempt)) * 1000;
        let jitter = ((nominal / 4) * u128::from(random)) >> 32;
        u64::try_from(nominal - jitter).unwrap_or(u64::MAX)
    }

    /// Whether a run from `started` to `ended` lasted long enough to reset
    /// the count.
    //= spec/extensions.md#ext-10
    pub fn was_success(&self, started: Mono, ended: Mono) -> bool {
        ended.0.saturating_sub(started.0) >= u64::from(self.reset).saturating_mul(Mono::SECOND)
    }
}

/// `wall` moved `millis` milliseconds later.
pub(super) fn wall_after(wall: Tai64N, millis: u64) -> Tai64N {
    let nanos = u64::from(wall.1) + (millis % 1000) * 1_000_000;
    let secs = wall
        .0
         .0
        .saturating_add(millis / 1000)
        .saturating_add(nanos / 1_000_000_000);
    Tai64N(
        tai64::Tai64(secs),
        u32::try_from(nanos % 1_000_000_000).unwrap_or(0),
    )
}
