//! Time as plain values: a monotonic instant for deadlines and the wall clock
//! as a TAI64N stamp for labels and status records.

use tai64::Tai64N;

/// A monotonic instant in nanoseconds since an origin chosen by the driver.
///
/// Only differences between `Mono` values mean anything. Unlike
/// `std::time::Instant` it can be built from a number, so tests, models and
/// fuzzers can make and shrink any time they like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Mono(pub u64);

impl Mono {
    /// One second in `Mono` units.
    pub const SECOND: u64 = 1_000_000_000;

    /// The instant `secs` whole seconds after the origin.
    pub const fn from_secs(secs: u64) -> Self {
        Mono(secs.saturating_mul(Self::SECOND))
    }

    /// This instant moved `nanos` later, saturating at the end of time.
    pub const fn after_nanos(self, nanos: u64) -> Self {
        Mono(self.0.saturating_add(nanos))
    }

    /// This instant moved `secs` whole seconds later, saturating.
    pub const fn after_secs(self, secs: u64) -> Self {
        self.after_nanos(secs.saturating_mul(Self::SECOND))
    }
}

/// The two clocks a machine may consult, sampled once by the driver per event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Now {
    /// Monotonic time, for deadlines (quiet periods, back-offs, rescans).
    pub mono: Mono,
    /// Wall-clock time as daemontools stamps it (see [`crate::label`]).
    pub wall: Tai64N,
}

impl Now {
    /// A convenient test and model clock: `secs` seconds after both origins,
    /// the wall clock starting at Unix time 0.
    pub fn at_secs(secs: u64) -> Self {
        Now {
            mono: Mono::from_secs(secs),
            wall: crate::label::from_unix(i64::try_from(secs).unwrap_or(i64::MAX), 0),
        }
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Now {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mono = Mono(u.arbitrary()?);
        let secs: u64 = u.arbitrary()?;
        let nanos = u.int_in_range(0..=999_999_999u32)?;
        Ok(Now {
            mono,
            wall: Tai64N(tai64::Tai64(secs), nanos),
        })
    }
}
