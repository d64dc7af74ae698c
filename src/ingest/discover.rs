//! Finding the files to read under the paths a user gives.
//!
//! Folders are walked recursively in name order (so runs are reproducible), following
//! symbolic links; loops, unreadable folders and hidden files are reported or skipped,
//! never fatal.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::Skip;

/// Files found, with their sizes, and the paths that could not be read.
#[derive(Debug, Default, Clone)]
pub struct Discovered {
    pub files: Vec<(PathBuf, u64)>,
    pub errors: Vec<Skip>,
}

/// Walks `inputs` (files or folders).
pub fn discover(inputs: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    for input in inputs {
        if !input.exists() && input.symlink_metadata().is_err() {
            out.errors.push(Skip {
                path: input.display().to_string(),
                at: None,
                reason: "no such file or folder".into(),
            });
            continue;
        }
        let walker = WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    out.files.push((e.into_path(), size));
                }
                Ok(_) => {}
                Err(err) => {
                    let path = err
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| input.display().to_string());
                    let reason = if err.loop_ancestor().is_some() {
                        "symbolic link loop".to_string()
                    } else if let Some(io) = err.io_error() {
                        format!("cannot read: {io}")
                    } else {
                        err.to_string()
                    };
                    out.errors.push(Skip {
                        path,
                        at: None,
                        reason,
                    });
                }
            }
        }
    }
    out
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}
