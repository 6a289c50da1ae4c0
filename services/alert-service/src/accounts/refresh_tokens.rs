//! Refresh tokens: 32 random bytes handed to the client once, stored only as a SHA-256 hash so a
//! leaked table cannot be replayed.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token, base64url without padding.
pub fn generate_refresh_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: lowercase hex SHA-256.
pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_are_stable() {
        let token = generate_refresh_token();
        assert_eq!(token.len(), 43);
        assert_ne!(token, generate_refresh_token());
        assert_eq!(hash_refresh_token(&token), hash_refresh_token(&token));
        assert_eq!(hash_refresh_token(&token).len(), 64);
    }
}
