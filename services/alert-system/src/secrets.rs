//! Development secrets for the embedded mode: made on first run and kept in the data directory,
//! so sessions and push subscriptions survive a restart. A secret the caller configured wins.

use std::{fs, io, path::Path};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use serde::{Deserialize, Serialize};

const FILE_NAME: &str = "dev-secrets.json";

/// The secrets the services need and a laptop does not have.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevSecrets {
    pub jwt_secret: String,
    pub vapid_private_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read or write {path}")]
    Io { path: String, source: io::Error },
    #[error("{path} is not a valid secrets file; delete it to make new secrets")]
    Corrupt {
        path: String,
        source: serde_json::Error,
    },
}

impl DevSecrets {
    /// Loads the secrets kept in `data_dir`, creating them on first run.
    pub fn load_or_create(data_dir: &Path) -> Result<DevSecrets, SecretsError> {
        let path = data_dir.join(FILE_NAME);
        let shown_path = path.display().to_string();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| SecretsError::Corrupt {
                path: shown_path,
                source,
            }),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let secrets = DevSecrets::generate();
                let json = serde_json::to_vec_pretty(&secrets).expect("secrets serialise");
                write_private(&path, &json).map_err(|source| SecretsError::Io {
                    path: shown_path.clone(),
                    source,
                })?;
                tracing::info!(path = %shown_path, "created development secrets");
                Ok(secrets)
            }
            Err(source) => Err(SecretsError::Io {
                path: shown_path,
                source,
            }),
        }
    }

    fn generate() -> DevSecrets {
        let mut jwt = [0u8; 48];
        rand::thread_rng().fill_bytes(&mut jwt);
        DevSecrets {
            jwt_secret: URL_SAFE_NO_PAD.encode(jwt),
            vapid_private_key: alert_webpush::VapidKeys::generate().private_key_base64url(),
        }
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::{io::Write, os::unix::fs::OpenOptionsExt};
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(contents)
    }
    #[cfg(not(unix))]
    {
        fs::write(path, contents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = DevSecrets::load_or_create(dir.path()).unwrap();
        let second = DevSecrets::load_or_create(dir.path()).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_eq!(first.vapid_private_key, second.vapid_private_key);
        assert!(first.jwt_secret.len() >= 32);
    }
}
