//! The man pages in `man/`: one per program, each well-formed, each with the
//! sections an administrator looks for, a SYNOPSIS that agrees with the
//! usage line the binary prints, every complete message `spec/` quotes for
//! the program, and a deviations section for every deviation of
//! `spec/deviations.md` that concerns it.
//!
//! The pages are read by a small renderer for the handful of man(7) macros
//! they use (so the comparisons never depend on a formatter being
//! installed); when `groff` is installed every page must also format with
//! no warning at all (`groff -man -ww`), and when `lexgrog` is, its NAME
//! line must be one that `whatis` and `apropos` can index.

mod common;

use common::{program, workspace_root, Scratch, PROGRAMS};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A page reduced to plain text: the `.TH` arguments and each section's
/// text, in order.
struct Page {
    name: String,
    th: Vec<String>,
    sections: Vec<(String, Vec<String>)>,
}

impl Page {
    fn read(name: &str) -> Page {
        let path = page_path(name);
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{name}: cannot read {}: {e}", path.display()));
        render(name, &source)
    }

    /// The section's text with all white space runs made one space.
    fn section(&self, title: &str) -> Option<String> {
        self.sections
            .iter()
            .find(|(t, _)| t == title)
            .map(|(_, lines)| squeeze(&lines.join(" ")))
    }

    fn required(&self, title: &str) -> String {
        self.section(title)
            .unwrap_or_else(|| panic!("{}.8 has no {title} section", self.name))
    }

    /// The whole page as one line of text.
    fn text(&self) -> String {
        let all: Vec<&str> = self
            .sections
            .iter()
            .flat_map(|(t, lines)| {
                std::iter::once(t.as_str()).chain(lines.iter().map(String::as_str))
            })
            .collect();
        squeeze(&all.join(" "))
    }
}

fn page_path(name: &str) -> PathBuf {
    workspace_root().join("man").join(format!("{name}.8"))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split a macro line's arguments at blanks, honouring double quotes.
fn arguments(rest: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return args;
        };
        let mut arg = String::new();
        if first == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                arg.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                arg.push(c);
                chars.next();
                // An escaped blank (`\ `) belongs to the argument.
                if c == '\\' {
                    arg.extend(chars.next());
                }
            }
        }
        args.push(arg);
    }
}

/// The escapes the pages use, as plain text; anything else is an error, so
/// that a page cannot say something this test does not see.
fn unescape(page: &str, text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('f') => match chars.next() {
                Some('B' | 'I' | 'R' | 'P') => {}
                other => panic!("{page}.8: unknown font escape \\f{other:?} in {text:?}"),
            },
            Some('-') => out.push('-'),
            Some('e') => out.push('\\'),
            Some('&') => {}
            Some(' ') => out.push(' '),
            Some('(') => {
                let name: String = chars.by_ref().take(2).collect();
                out.push_str(match name.as_str() {
                    "bu" => "*",
                    "dq" => "\"",
                    "em" => "--",
                    _ => panic!("{page}.8: unknown special character \\({name} in {text:?}"),
                });
            }
            other => panic!("{page}.8: unknown escape \\{other:?} in {text:?}"),
        }
    }
    out
}

/// Reduce a page to plain text, knowing exactly the macros the pages use.
fn render(name: &str, source: &str) -> Page {
    let mut page = Page {
        name: name.to_owned(),
        th: Vec::new(),
        sections: Vec::new(),
    };
    let push = |page: &mut Page, text: String| match page.sections.last_mut() {
        Some((_, lines)) => lines.push(text),
        None if text.trim().is_empty() => {}
        None => panic!("{name}.8: text before the first .SH: {text:?}"),
    };
    for line in source.lines() {
        if line.starts_with(".\\\"") {
            continue;
        }
        let Some(request) = line.strip_prefix('.') else {
            assert!(
                !line.starts_with('\''),
                "{name}.8: a text line starts with a quote, which roff takes as a request: {line:?}"
            );
            let text = unescape(name, line);
            push(&mut page, text);
            continue;
        };
        let (mac, rest) = request.split_once(' ').unwrap_or((request, ""));
        let args: Vec<String> = arguments(rest).iter().map(|a| unescape(name, a)).collect();
        match mac {
            "TH" => page.th = args,
            "SH" => page.sections.push((args.join(" "), Vec::new())),
            "SS" => push(&mut page, args.join(" ")),
            "B" | "I" => {
                assert!(!args.is_empty(), "{name}.8: .{mac} without arguments");
                push(&mut page, args.join(" "));
            }
            "BR" | "RB" | "BI" | "IB" | "IR" | "RI" => push(&mut page, args.concat()),
            "IP" => push(&mut page, args.first().cloned().unwrap_or_default()),
            "TP" | "TQ" | "PP" | "LP" | "P" | "RS" | "RE" | "nf" | "fi" | "br" | "sp" => {}
            _ => panic!("{name}.8: macro .{mac} is not one the pages are meant to use"),
        }
    }
    page
}

/// Run `path` with `args` in an empty directory, stdin at /dev/null,
/// giving it a generous while to end; returns (exit code, stderr).
fn run(path: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let scratch = Scratch::new("usage");
    let mut child = Command::new(path)
        .args(args)
        .current_dir(scratch.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{} {args:?} did not end", path.display());
            }
        }
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot collect {}: {e}", path.display()));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_program_has_a_page_and_there_are_no_others() {
    let dir = workspace_root().join("man");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    found.sort();
    let wanted: Vec<String> = PROGRAMS.iter().map(|(n, _)| format!("{n}.8")).collect();
    assert_eq!(
        found, wanted,
        "man/ must hold exactly one section-8 page per program"
    );
}

#[test]
fn every_page_has_the_classic_sections() {
    for (name, _) in PROGRAMS {
        let page = Page::read(name);
        assert_eq!(
            page.th.get(..2),
            Some(&[name.to_uppercase(), "8".to_owned()][..]),
            "{name}.8: .TH must name the program in capitals and section 8"
        );
        let titles: Vec<&str> = page.sections.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(titles.first(), Some(&"NAME"), "{name}.8 starts with NAME");
        let name_line = page.required("NAME");
        assert!(
            name_line.starts_with(&format!("{name} - ")),
            "{name}.8: NAME must read `{name} \\- what it does`, not {name_line:?}"
        );
        let synopsis = page.required("SYNOPSIS");
        assert!(
            synopsis == name || synopsis.starts_with(&format!("{name} ")),
            "{name}.8: SYNOPSIS must start with the program name: {synopsis:?}"
        );
        for title in ["DESCRIPTION", "EXIT STATUS", "SEE ALSO"] {
            page.required(title);
        }
        assert_eq!(
            titles.last(),
            Some(&"SEE ALSO"),
            "{name}.8 ends with SEE ALSO"
        );
        let see_also = page.required("SEE ALSO");
        for reference in see_also.split(", ") {
            let Some(other) = reference.strip_suffix("(8)") else {
                continue;
            };
            assert!(
                PROGRAMS.iter().any(|(n, _)| *n == other) || other == "init",
                "{name}.8: SEE ALSO names {other}(8), which is not one of ours"
            );
        }
    }
}

#[test]
fn pages_of_programs_with_files_list_them() {
    let files: [(&str, &[&str]); 9] = [
        (
            "supervise",
            &[
                "run",
                "down",
                "supervise/lock",
                "supervise/control",
                "supervise/ok",
                "supervise/status",
            ],
        ),
        ("svc", &["dir/supervise/control"]),
        (
            "svstat",
            &["dir/down", "dir/supervise/ok", "dir/supervise/status"],
        ),
        ("svok", &["dir/supervise/ok"]),
        ("svscan", &["dir/name/", "dir/name/log/"]),
        ("svscanboot", &["/etc/service/"]),
        (
            "multilog",
            &["lock", "current", "@label.s", "@label.u", "state"],
        ),
        (
            "svstatus",
            &[
                "dir/down",
                "dir/supervise/ok",
                "dir/supervise/status",
                "dir/log/",
            ],
        ),
        (
            "svwait",
            &[
                "dir/supervise/ok",
                "dir/supervise/status",
                "dir/supervise/lock",
            ],
        ),
    ];
    for (name, wanted) in files {
        let section = Page::read(name).required("FILES");
        for file in wanted {
            assert!(
                section.split(' ').any(|word| word == *file),
                "{name}.8: FILES does not list {file}: {section:?}"
            );
        }
    }
}

/// What a program prints when its arguments are wrong.
enum Complaint {
    /// `<name>: usage: <synopsis>`, which must be in the SYNOPSIS.
    Usage,
    /// svc's `svc options: …` line, which must be in the page.
    Options,
    /// Nothing at all.
    Silent,
}

#[test]
fn the_synopsis_agrees_with_the_usage_the_binary_prints() {
    // Programs that take no options and have no usage message (svscan,
    // svscanboot, svstat, multilog, tai64n, tai64nlocal) are left out:
    // they have nothing to compare, and svscan or svscanboot would start
    // scanning.
    let cases: [(&str, &[&str], i32, Complaint); 14] = [
        ("supervise", &[], 100, Complaint::Usage),
        ("svok", &[], 100, Complaint::Usage),
        ("svc", &["-Z", "s"], 100, Complaint::Options),
        ("envdir", &["only-one"], 111, Complaint::Usage),
        ("envuidgid", &["root"], 100, Complaint::Usage),
        ("setuidgid", &["root"], 100, Complaint::Usage),
        ("softlimit", &["-Z"], 100, Complaint::Usage),
        ("setlock", &["-Z"], 100, Complaint::Usage),
        ("pgrphack", &[], 100, Complaint::Usage),
        ("fghack", &[], 100, Complaint::Usage),
        ("readproctitle", &["abc"], 100, Complaint::Silent),
        ("svstatus", &[], 100, Complaint::Usage),
        ("svstatus", &["-p", "a", "b"], 100, Complaint::Usage),
        ("svwait", &["-t", "soon", "s"], 100, Complaint::Usage),
    ];
    for (name, args, code, complaint) in cases {
        let (status, stderr) = run(program(name), args);
        assert_eq!(
            status,
            Some(code),
            "{name} {args:?}: exit status; stderr {stderr:?}"
        );
        let page = Page::read(name);
        let exit_status = page.required("EXIT STATUS");
        assert!(
            exit_status.contains(&code.to_string()),
            "{name}.8: EXIT STATUS does not mention {code}: {exit_status:?}"
        );
        let last = stderr.lines().last().unwrap_or_default();
        match complaint {
            Complaint::Usage => {
                let prefix = format!("{name}: usage: ");
                let Some(usage) = last.strip_prefix(&prefix) else {
                    panic!("{name} {args:?}: expected a usage line, got {stderr:?}");
                };
                let synopsis = page.required("SYNOPSIS");
                assert!(
                    synopsis.contains(&squeeze(usage)),
                    "{name}.8: SYNOPSIS {synopsis:?} does not match the usage {usage:?}"
                );
                assert!(
                    page.text().contains(&squeeze(last)),
                    "{name}.8 does not quote the usage line {last:?}"
                );
            }
            Complaint::Options => assert!(
                page.text().contains(&squeeze(last)) && last.starts_with("svc options: "),
                "{name}.8 does not quote the line {last:?}"
            ),
            Complaint::Silent => assert_eq!(stderr, "", "{name} {args:?} prints nothing"),
        }
    }
}

/// Every backquoted span in `spec/*.md` that is a complete message of one
/// of the programs (`<prog>: fatal: …`, `warning:` or `usage:`, with no
/// elided part), its `<placeholders>` turned into the words the page sets
/// in italics.
fn spec_messages() -> BTreeMap<String, Vec<String>> {
    let dir = workspace_root().join("spec");
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        for span in text.split('`').skip(1).step_by(2) {
            let span = squeeze(span);
            if span.contains('…') {
                continue;
            }
            let Some((prog, rest)) = span.split_once(": ") else {
                continue;
            };
            let is_message = ["fatal: ", "warning: ", "usage: "]
                .iter()
                .any(|kind| rest.starts_with(kind));
            if is_message && PROGRAMS.iter().any(|(n, _)| *n == prog) {
                // The spec writes `<err>` and `<error>` alike; the pages
                // say `error`.
                let plain = span.replace("<err>", "<error>").replace(['<', '>'], "");
                messages.entry(prog.to_owned()).or_default().push(plain);
            }
        }
    }
    messages
}

#[test]
fn every_message_the_spec_quotes_is_in_the_page() {
    let messages = spec_messages();
    assert!(
        messages.values().map(Vec::len).sum::<usize>() >= 20,
        "the spec should quote a good number of messages; found {messages:?}"
    );
    let mut missing = Vec::new();
    for (name, quoted) in &messages {
        let text = Page::read(name).text();
        for message in quoted {
            if !text.contains(message.as_str()) {
                missing.push(format!("{name}.8: {message}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "messages quoted in spec/ but not in the pages:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_deviation_is_in_its_programs_page() {
    let path = workspace_root().join("spec/deviations.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut seen = 0;
    for heading in text.lines().filter_map(|l| l.strip_prefix("### ")) {
        let (id, title) = heading.split_once(' ').unwrap_or((heading, ""));
        let first = title.split(' ').next().unwrap_or_default();
        let prog = first.strip_suffix("'s").unwrap_or(first);
        assert!(
            PROGRAMS.iter().any(|(n, _)| *n == prog),
            "{id}'s title should start with the program it concerns: {title:?}"
        );
        let section = Page::read(prog).section("DEVIATIONS FROM 0.76");
        assert!(
            section
                .as_ref()
                .is_some_and(|s| s.contains(&format!("({id})"))),
            "{prog}.8 has no entry for {id} in DEVIATIONS FROM 0.76"
        );
        seen += 1;
    }
    assert!(
        seen >= 10,
        "spec/deviations.md lists DEV-1 to DEV-10 at least"
    );
}

#[test]
fn every_page_formats_without_warnings() {
    let probe = Command::new("groff")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        println!("skipped: groff is not installed here, so the pages were not formatted");
        return;
    }
    for (name, _) in PROGRAMS {
        let output = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(page_path(name))
            .output()
            .unwrap_or_else(|e| panic!("cannot run groff: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.is_empty(),
            "{name}.8 does not format cleanly: {}\n{stderr}",
            output.status
        );
    }
}

#[test]
fn every_name_line_can_be_indexed_by_whatis() {
    let probe = Command::new("lexgrog")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        println!("skipped: lexgrog (man-db) is not installed here");
        return;
    }
    for (name, _) in PROGRAMS {
        let output = Command::new("lexgrog")
            .arg(page_path(name))
            .output()
            .unwrap_or_else(|e| panic!("cannot run lexgrog: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains(&format!(": \"{name} - ")),
            "lexgrog cannot index {name}.8: {stdout}"
        );
    }
}
