//! The `Topic` header (RFC 8030 §5.4): at most 32 characters of the base64url
//! alphabet. A push service replaces a stored message with a newer one of the
//! same topic.

use sha2::{Digest as _, Sha256};

use crate::b64;

/// Longest topic RFC 8030 allows.
pub const MAX_TOPIC_LEN: usize = 32;

/// Makes a topic valid for the `Topic` header.
///
/// A topic that is already valid is kept as is. Anything else (too long, or
/// characters outside `A-Z a-z 0-9 - _`) is replaced by the first 32
/// characters of base64url(SHA-256(topic)): deterministic, so the same
/// logical topic still replaces earlier messages, and without the collisions
/// that stripping characters would cause. An empty topic means none.
pub fn sanitize_topic(topic: &str) -> Option<String> {
    if topic.is_empty() {
        return None;
    }
    if topic.len() <= MAX_TOPIC_LEN && topic.bytes().all(is_base64url_byte) {
        return Some(topic.to_owned());
    }
    let digest = Sha256::digest(topic.as_bytes());
    let mut hashed = b64::encode(&digest);
    hashed.truncate(MAX_TOPIC_LEN);
    Some(hashed)
}

fn is_base64url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_topics_are_kept() {
        assert_eq!(sanitize_topic("alert-42_x").as_deref(), Some("alert-42_x"));
        let max = "A".repeat(32);
        assert_eq!(sanitize_topic(&max), Some(max.clone()));
        assert_eq!(sanitize_topic(""), None);
    }

    #[test]
    fn invalid_topics_are_hashed_deterministically() {
        for raw in [
            "A".repeat(33),
            "alert 42".to_owned(),
            "alert:0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f".to_owned(),
            "ünïcödé".to_owned(),
            "a=b".to_owned(),
        ] {
            let t = sanitize_topic(&raw).unwrap();
            assert_eq!(t.len(), 32, "{raw}");
            assert!(t.bytes().all(is_base64url_byte), "{t}");
            assert_eq!(sanitize_topic(&raw).unwrap(), t, "deterministic");
        }
        assert_ne!(sanitize_topic("alert 1"), sanitize_topic("alert 2"));
        assert_ne!(sanitize_topic("alert 1"), sanitize_topic("alert1"));
    }
}
