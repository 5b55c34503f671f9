//! svscanboot: start svscan on the service directory with its errors shown
//! by readproctitle, as Debian's 0.76 script does (it is that script, run by
//! /bin/sh).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{die, fatal_line, EXIT_TEMPORARY};
use std::os::unix::process::CommandExt;

/// Debian's script, with the scan directory and the search path as
/// positional parameters.
const SCRIPT: &str = r#"PATH=$2

exec </dev/null
exec >/dev/null
exec 2>/dev/null

svc -dx "$1"/* "$1"/*/log

env - PATH=$PATH svscan "$1" 2>&1 | \
env - PATH=$PATH readproctitle service errors: $3
"#;

/// 0.76's search path.
const PATH: &str =
    "/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin";

dt_bins::entry!(program);

//= spec/svscan.md#boot-1
fn program() {
    let dir = std::env::var_os("SVSCANDIR").unwrap_or_else(|| "/etc/service".into());
    let path = search_path(
        std::env::current_exe()
            .ok()
            .as_deref()
            .and_then(|p| p.parent()),
    );
    let error = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg("svscanboot")
        .arg(dir)
        .arg(path)
        .arg(".".repeat(400))
        .exec();
    let errno = dt_core::Errno(error.raw_os_error().unwrap_or(0));
    die(
        EXIT_TEMPORARY,
        &fatal_line("svscanboot", "unable to run /bin/sh", Some(errno)),
    );
}

/// 0.76's PATH, with the directory holding this program added after
/// `/command` when it is not already in it, so that an installation outside
/// the usual places still finds its own svc, svscan and readproctitle.
fn search_path(own_dir: Option<&std::path::Path>) -> String {
    match own_dir.and_then(|d| d.to_str()) {
        Some(own) if !PATH.split(':').any(|p| p == own) => {
            PATH.replacen("/command:", &format!("/command:{own}:"), 1)
        }
        _ => PATH.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/svscan.md#boot-1
    #[test]
    fn the_search_path_is_0_76s_plus_our_own_directory() {
        assert_eq!(search_path(Some("/usr/bin".as_ref())), PATH);
        assert!(search_path(Some("/opt/dt/bin".as_ref()))
            .starts_with("/command:/opt/dt/bin:/usr/local/bin:"));
        assert_eq!(search_path(None), PATH);
    }
}
