//! Comparing the two sides' outcomes: either they must be the same after
//! normalisation, or the scenario states a known, deliberate deviation and
//! what each side must do.

use std::fmt::Write as _;

use nix::sys::signal::Signal;

use crate::normalise::{apply_all, Context, Normaliser};
use crate::outcome::{Outcome, Status};
use crate::render::{diff, first_difference, render};
use crate::tree::Tree;

/// An outcome with its normalisers applied: what is compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    /// How the program ended.
    pub status: Status,
    /// stdout, normalised.
    pub stdout: Vec<u8>,
    /// stderr, normalised.
    pub stderr: Vec<u8>,
    /// The directory afterwards, normalised.
    pub tree: Tree,
    /// Which step could not run, if any.
    pub interrupted: Option<String>,
}

impl Normalised {
    /// Apply `normalisers` to `outcome`.
    pub fn new(outcome: &Outcome, normalisers: &[Normaliser]) -> Normalised {
        let context = Context {
            dir: &outcome.dir,
            pid: outcome.pid,
        };
        let apply = |bytes: &[u8]| apply_all(normalisers, bytes, &context);
        Normalised {
            status: outcome.status,
            stdout: apply(&outcome.stdout),
            stderr: apply(&outcome.stderr),
            tree: outcome.tree.map_bytes(apply),
            interrupted: outcome.interrupted.clone(),
        }
    }
}

/// What one side must do in a [`Deviation`]. The status is always stated;
/// stdout and stderr are stated where they differ, and whatever neither
/// side states must be the same on both (the directory tree always must).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    status: Status,
    stdout: Option<Vec<u8>>,
    stderr: Option<Vec<u8>>,
}

impl Expect {
    /// The program exits with `code`.
    pub fn exit(code: i32) -> Expect {
        Expect::status(Status::Exited(code))
    }

    /// A signal kills the program (e.g. the reference's SIGSEGV).
    pub fn killed_by(signal: Signal) -> Expect {
        Expect::status(Status::Signaled(signal))
    }

    /// The program ends (or not) this way.
    pub fn status(status: Status) -> Expect {
        Expect {
            status,
            stdout: None,
            stderr: None,
        }
    }

    /// Its normalised stdout is exactly `bytes`.
    pub fn stdout(mut self, bytes: &[u8]) -> Expect {
        self.stdout = Some(bytes.to_vec());
        self
    }

    /// Its normalised stderr is exactly `bytes`.
    pub fn stderr(mut self, bytes: &[u8]) -> Expect {
        self.stderr = Some(bytes.to_vec());
        self
    }

    fn failures(&self, side: &str, got: &Normalised, out: &mut Vec<String>) {
        if got.status != self.status {
            out.push(format!(
                "{side}: status is {}, expected {}",
                got.status, self.status
            ));
        }
        let streams = [
            ("stdout", &self.stdout, &got.stdout),
            ("stderr", &self.stderr, &got.stderr),
        ];
        for (name, expected, got) in streams {
            if let Some(expected) = expected {
                if expected != got {
                    let detail = first_difference(name, expected, got)
                        .unwrap_or_default()
                        .replace("reference:", "expected: ")
                        .replace("ours:     ", "got:      ");
                    out.push(format!("{side}: {name} is not as expected; {detail}"));
                }
            }
        }
    }
}

/// A known, deliberate difference from 0.76 (see `spec/deviations.md`): what
/// the reference does and what ours does instead.
#[derive(Clone, Debug)]
pub struct Deviation {
    id: &'static str,
    why: &'static str,
    reference: Expect,
    ours: Expect,
}

impl Deviation {
    /// Deviation `id` (e.g. `DEV-1`), a one-line reason, and each side's behaviour.
    pub fn new(id: &'static str, why: &'static str, reference: Expect, ours: Expect) -> Deviation {
        Deviation {
            id,
            why,
            reference,
            ours,
        }
    }
}

/// The outcomes of one scenario on both sides.
#[derive(Clone, Debug)]
pub struct Pair {
    normalisers: Vec<Normaliser>,
    /// What Debian's 0.76 did.
    pub reference: Outcome,
    /// What ours did.
    pub ours: Outcome,
}

impl Pair {
    /// Pair two outcomes of a scenario with its normalisers.
    pub fn new(normalisers: Vec<Normaliser>, reference: Outcome, ours: Outcome) -> Pair {
        Pair {
            normalisers,
            reference,
            ours,
        }
    }

    /// Both outcomes, reference first.
    pub fn sides(&self) -> [&Outcome; 2] {
        [&self.reference, &self.ours]
    }

    /// Both outcomes normalised, reference first.
    pub fn normalised(&self) -> (Normalised, Normalised) {
        (
            Normalised::new(&self.reference, &self.normalisers),
            Normalised::new(&self.ours, &self.normalisers),
        )
    }

    /// Both sides behaved the same after normalisation; otherwise panic with
    /// a diff.
    pub fn assert_same(&self) {
        let (reference, ours) = self.normalised();
        if reference != ours {
            panic!(
                "ours differs from the reference\n{}",
                self.report(&reference, &ours)
            );
        }
    }

    /// Both sides behave as `deviation` states, and the same in everything
    /// it does not state; otherwise panic with what failed and a diff.
    pub fn assert_deviation(&self, deviation: Deviation) {
        let (reference, ours) = self.normalised();
        let (r, o) = (&deviation.reference, &deviation.ours);
        assert!(
            r.stdout.is_some() == o.stdout.is_some() && r.stderr.is_some() == o.stderr.is_some(),
            "deviation {} must state the same fields (stdout, stderr) for both sides",
            deviation.id
        );
        let mut failures = Vec::new();
        r.failures("reference", &reference, &mut failures);
        o.failures("ours", &ours, &mut failures);
        if r.stdout.is_none() && reference.stdout != ours.stdout {
            failures.push("stdout differs and the deviation does not say it may".into());
        }
        if r.stderr.is_none() && reference.stderr != ours.stderr {
            failures.push("stderr differs and the deviation does not say it may".into());
        }
        if reference.tree != ours.tree {
            failures.push("the directory trees differ".into());
        }
        if reference.interrupted != ours.interrupted {
            failures.push("the scenario's steps ran differently".into());
        }
        if !failures.is_empty() {
            panic!(
                "deviation {} ({}) does not hold:\n  {}\n{}",
                deviation.id,
                deviation.why,
                failures.join("\n  "),
                self.report(&reference, &ours)
            );
        }
    }

    /// Both sides, a diff and the first differing byte of each stream.
    pub fn report(&self, reference: &Normalised, ours: &Normalised) -> String {
        let (left, right) = (render(reference), render(ours));
        let mut text = String::new();
        let names: Vec<&str> = self.normalisers.iter().map(Normaliser::name).collect();
        let _ = writeln!(text, "normalised: {}", names.join(", "));
        let _ = writeln!(
            text,
            "--- reference (0.76), ran in {}",
            self.reference.dir.display()
        );
        let _ = writeln!(text, "+++ ours, ran in {}", self.ours.dir.display());
        let _ = writeln!(text, "{}", diff(&left, &right));
        for (name, l, r) in [
            ("stdout", &reference.stdout, &ours.stdout),
            ("stderr", &reference.stderr, &ours.stderr),
        ] {
            if let Some(detail) = first_difference(name, l, r) {
                let _ = writeln!(text, "{detail}");
            }
        }
        text
    }
}
