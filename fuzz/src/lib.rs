//! Fuzz target bodies, shared by the libFuzzer binaries and the corpus tests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
