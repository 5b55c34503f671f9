//! The line filters run as programs. Besides checking the basics, this test
//! makes `cargo test` build dt-bins' binaries, which the differential tests
//! in `dt-tests` run.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `program` with `input` on stdin (small: it fits in the pipe).
fn run(program: &str, input: &[u8]) -> Output {
    let mut child = Command::new(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(input).expect("input written");
    drop(stdin);
    child
        .wait_with_output()
        .expect("the binary runs to the end")
}

/// `line` is `@` + 24 lowercase hex digits + a space + `rest`.
fn is_labelled(line: &[u8], rest: &[u8]) -> bool {
    line.len() == 26 + rest.len()
        && line[0] == b'@'
        && line[1..25]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        && line[25] == b' '
        && &line[26..] == rest
}

#[test]
fn tai64n_empty_input_gives_empty_output() {
    //= spec/tai64n.md#tai64n-3
    let out = run(env!("CARGO_BIN_EXE_tai64n"), b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    assert!(out.stderr.is_empty(), "{:?}", out.stderr);
}

#[test]
fn tai64n_labels_lines_and_keeps_the_partial_last_one() {
    //= spec/tai64n.md#tai64n-1
    //= spec/tai64n.md#tai64n-2
    let out = run(env!("CARGO_BIN_EXE_tai64n"), b"a\nb");
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<&[u8]> = out.stdout.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 2, "{:?}", String::from_utf8_lossy(&out.stdout));
    assert!(is_labelled(lines[0], b"a\n"), "{:?}", lines[0]);
    assert!(is_labelled(lines[1], b"b"), "{:?}", lines[1]);
}

#[test]
fn tai64nlocal_copies_lines_without_labels() {
    //= spec/tai64n.md#tai64nlocal-1
    let out = run(env!("CARGO_BIN_EXE_tai64nlocal"), b"plain\nno@label\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"plain\nno@label\n");
}
