//! The config file `lomi login` writes: `$LOMI_CONFIG_DIR`, else `$XDG_CONFIG_HOME/lomi`,
//! else `~/.config/lomi`, holding `config.toml` with the API key, readable by its owner
//! only (mode 0600 on Unix).

use std::io::Read;
use std::path::PathBuf;

use crate::Failure;

/// The config file's path.
fn path() -> Result<PathBuf, Failure> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = var("LOMI_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("lomi")))
        .or_else(|| var("HOME").map(|d| d.join(".config").join("lomi")))
        .ok_or_else(|| {
            Failure::Input("no config folder: set HOME, XDG_CONFIG_HOME or LOMI_CONFIG_DIR".into())
        })?;
    Ok(dir.join("config.toml"))
}

/// The key `lomi login` kept, if any.
pub fn api_key() -> Result<Option<String>, Failure> {
    let path = path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::Input(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Failure::Input(format!("{} is not TOML: {e}", path.display())))?;
    Ok(doc
        .get("api_key")
        .and_then(|v| v.as_str())
        .map(str::to_string))
}

/// `lomi login`: the key from standard input into the config file.
pub fn login() -> Result<(), Failure> {
    let mut key = String::new();
    std::io::stdin()
        .read_to_string(&mut key)
        .map_err(|e| Failure::Input(format!("cannot read the key from standard input: {e}")))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(Failure::Input(
            "no key on standard input (e.g. `printf %s \"$KEY\" | lomi login`)".into(),
        ));
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Failure::Input(
            "the key has spaces or control characters".into(),
        ));
    }
    let path = path()?;
    let mut doc = toml_edit::DocumentMut::new();
    doc["api_key"] = toml_edit::value(key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Input(format!("cannot create {}: {e}", dir.display())))?;
    }
    write_private(&path, doc.to_string().as_bytes())
        .map_err(|e| Failure::Input(format!("cannot write {}: {e}", path.display())))?;
    println!("kept the key in {} (readable by you only)", path.display());
    Ok(())
}

/// Writes `bytes` to `path`, readable and writable by its owner only.
#[cfg(unix)]
fn write_private(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode through `open`: set it.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
