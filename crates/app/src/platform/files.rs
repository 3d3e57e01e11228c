//! Uploaded files kept in a folder instead of the database, when the installation names one
//! (`--files-dir`). Each file is named by its row's id; a file is written in full under a
//! temporary name and then renamed, so a reader never sees half a file. Several instances
//! serving one installation must share the folder.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use uuid::Uuid;

/// The folder's path for a file.
fn path_of(dir: &Path, id: Uuid) -> PathBuf {
    dir.join(id.to_string())
}

/// Writes a file (before the row that names it is committed).
pub async fn put(dir: &Path, id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let part = dir.join(format!("{id}.part"));
    tokio::fs::write(&part, bytes).await?;
    tokio::fs::rename(&part, path_of(dir, id)).await
}

/// Reads a file.
pub async fn get(dir: &Path, id: Uuid) -> std::io::Result<Vec<u8>> {
    tokio::fs::read(path_of(dir, id)).await
}

/// Removes a file; one already gone is no error (its row was the record that counted).
pub async fn remove(dir: &Path, id: Uuid) -> std::io::Result<()> {
    match tokio::fs::remove_file(path_of(dir, id)).await {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_written_read_and_removed_by_its_id() {
        let dir = std::env::temp_dir().join(format!("samskab-files-{}", Uuid::new_v4()));
        let id = Uuid::new_v4();
        put(&dir, id, b"dagsorden").await.unwrap();
        assert_eq!(get(&dir, id).await.unwrap(), b"dagsorden");
        assert!(!dir.join(format!("{id}.part")).exists(), "no temporary file is left");
        remove(&dir, id).await.unwrap();
        assert_eq!(get(&dir, id).await.unwrap_err().kind(), ErrorKind::NotFound);
        remove(&dir, id).await.expect("removing twice is fine");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
