//! Test support for black-box tests of the built binaries.
#![warn(missing_docs)]
