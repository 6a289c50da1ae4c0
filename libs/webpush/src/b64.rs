//! base64url as Web Push writes it, and lenient decoding for keys that come from browsers and
//! config files.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decodes base64url with or without `=` padding, and also the standard
/// alphabet (`+` and `/`), since some clients serialise keys with `btoa`.
pub fn decode_lenient(input: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let normalised: String = input
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalised)
}

/// Encodes as base64url without padding (the Web Push wire format).
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_url_safe_standard_and_padded() {
        let bytes = [0xfb, 0xff, 0xfe, 0x01];
        assert_eq!(encode(&bytes), "-__-AQ");
        assert_eq!(decode_lenient("-__-AQ").unwrap(), bytes);
        assert_eq!(decode_lenient("-__-AQ==").unwrap(), bytes);
        assert_eq!(decode_lenient("+//+AQ==").unwrap(), bytes);
        assert_eq!(decode_lenient(" +//+AQ\n").unwrap(), bytes);
        assert!(decode_lenient("not base64!").is_err());
    }
}
