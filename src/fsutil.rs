//! File helpers shared by the modules that keep state beside the index.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Writes `dir/name` so that it is either absent or complete, even across a crash:
/// a temporary file, fsync, rename, fsync of the folder.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join(name))?;
    // Make the rename itself durable.
    fs::File::open(dir)?.sync_all()
}
