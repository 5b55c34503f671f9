//! The services of a scan directory, as svstatus -p counts them.

use dt_core::Errno;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// The names in `dir` that are services: every name not starting with `.`
/// that is a directory (symbolic links followed) or that cannot be
/// `stat`ed (a dangling link is a broken service, not nothing), in byte
/// order. Reading the directory failing is the error.
//= spec/status-json.md#prom-1
pub fn services(dir: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
    let errno = |e: std::io::Error| Errno(e.raw_os_error().unwrap_or(0));
    let entries = std::fs::read_dir(OsStr::from_bytes(dir)).map_err(errno)?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(errno)?;
        let name = entry.file_name().as_bytes().to_vec();
        if name.first() == Some(&b'.') {
            continue;
        }
        let mut path = dir.to_vec();
        path.push(b'/');
        path.extend_from_slice(&name);
        let is_service = match nix::sys::stat::stat(OsStr::from_bytes(&path)) {
            Ok(st) => st.st_mode & libc::S_IFMT == libc::S_IFDIR,
            Err(_) => true,
        };
        if is_service {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_and_broken_links_not_dot_names_nor_files() {
        let root = std::env::temp_dir().join(format!("dt-os-listing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir(&root).expect("mkdir");
        for dir in ["b", "a", ".hidden", "c"] {
            std::fs::create_dir(root.join(dir)).expect("mkdir");
        }
        std::fs::write(root.join("file"), b"").expect("write");
        std::os::unix::fs::symlink("c", root.join("link")).expect("symlink");
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).expect("symlink");
        std::os::unix::fs::symlink("file", root.join("to-file")).expect("symlink");
        let found = services(root.as_os_str().as_bytes()).expect("listing");
        let _ = std::fs::remove_dir_all(&root);
        let names: Vec<&[u8]> = found.iter().map(Vec::as_slice).collect();
        assert_eq!(names, [&b"a"[..], b"b", b"c", b"dangling", b"link"]);
        assert_eq!(services(b"/nonexistent/dt-os"), Err(Errno::ENOENT));
    }
}
