//! What a scenario's directory holds after the program has run.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

/// The type of a directory entry, with what matters about its contents.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A directory (its entries are listed separately).
    Dir,
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A symbolic link and what it says.
    Symlink(Vec<u8>),
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A device or anything else.
    Other,
}

/// One entry of the tree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    /// The path relative to the scenario directory, `/`-separated.
    pub path: Vec<u8>,
    /// Permission bits (`mode & 0o7777`); 0 for symlinks.
    pub mode: u32,
    /// Type and contents.
    pub kind: Kind,
}

/// Every entry under a directory (not the directory itself), sorted by path.
/// Symlinks are recorded, not followed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    /// The entries, sorted.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Read the tree under `root`. Unreadable entries are recorded as
    /// files whose contents say why.
    pub fn snapshot(root: &Path) -> Tree {
        let mut nodes = Vec::new();
        walk(root, &mut Vec::new(), &mut nodes);
        nodes.sort();
        Tree { nodes }
    }

    /// Apply `f` to every path, file content and link target, then sort again.
    pub fn map_bytes(&self, mut f: impl FnMut(&[u8]) -> Vec<u8>) -> Tree {
        let mut nodes: Vec<Node> = self
            .nodes
            .iter()
            .map(|node| Node {
                path: f(&node.path),
                mode: node.mode,
                kind: match &node.kind {
                    Kind::File(bytes) => Kind::File(f(bytes)),
                    Kind::Symlink(bytes) => Kind::Symlink(f(bytes)),
                    other => other.clone(),
                },
            })
            .collect();
        nodes.sort();
        Tree { nodes }
    }

    /// The node at `path`, if any.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.iter().find(|node| node.path == path.as_bytes())
    }
}

fn walk(dir: &Path, prefix: &mut Vec<u8>, out: &mut Vec<Node>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let before = prefix.len();
        if !prefix.is_empty() {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(entry.file_name().as_bytes());
        let path = entry.path();
        let (mode, kind) = match fs::symlink_metadata(&path) {
            Err(err) => (0, Kind::File(format!("<unreadable: {err}>").into_bytes())),
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o7777;
                let t = meta.file_type();
                if t.is_dir() {
                    (mode, Kind::Dir)
                } else if t.is_symlink() {
                    let target = fs::read_link(&path)
                        .map(|t| t.as_os_str().as_bytes().to_vec())
                        .unwrap_or_default();
                    (0, Kind::Symlink(target))
                } else if t.is_file() {
                    let contents = fs::read(&path)
                        .unwrap_or_else(|err| format!("<unreadable: {err}>").into_bytes());
                    (mode, Kind::File(contents))
                } else if t.is_fifo() {
                    (mode, Kind::Fifo)
                } else if t.is_socket() {
                    (mode, Kind::Socket)
                } else {
                    (mode, Kind::Other)
                }
            }
        };
        let is_dir = kind == Kind::Dir;
        out.push(Node {
            path: prefix.clone(),
            mode,
            kind,
        });
        if is_dir {
            walk(&path, prefix, out);
        }
        prefix.truncate(before);
    }
}
