//! aes128gcm decryption for Web Push (RFC 8291 on RFC 8188), written from the
//! RFCs with `p256`, `hkdf` and `aes-gcm` so that it checks the sender
//! independently of the `web-push`/`ece` crates the sender uses.

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// Header: salt(16) | rs(4) | idlen(1); keyid follows.
const HEADER_LEN: usize = 21;
const TAG_LEN: usize = 16;
const KEY_INFO: &[u8] = b"Content-Encoding: aes128gcm\0";
const NONCE_INFO: &[u8] = b"Content-Encoding: nonce\0";
const WEBPUSH_INFO: &[u8] = b"WebPush: info\0";

/// Why a body did not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecryptError(String);

fn fail<T>(reason: impl Into<String>) -> Result<T, DecryptError> {
    Err(DecryptError(reason.into()))
}

/// Decrypts an `aes128gcm` Web Push body with the user agent's private key
/// and auth secret: header `salt | rs | idlen | keyid` (keyid = the sender's
/// ephemeral public key, 65 bytes), one record, padding ending in 0x02.
pub fn decrypt_aes128gcm(
    ua_secret: &SecretKey,
    auth_secret: &[u8],
    body: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    if body.len() < HEADER_LEN {
        return fail(format!(
            "body is {} bytes, shorter than the 21-byte aes128gcm header",
            body.len()
        ));
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let idlen = body[20] as usize;
    if rs < TAG_LEN + 2 {
        return fail(format!("record size {rs} is below the minimum of 18"));
    }
    if idlen != 65 {
        return fail(format!(
            "keyid must be the sender's 65-byte public key, idlen is {idlen}"
        ));
    }
    if body.len() < HEADER_LEN + idlen {
        return fail("body ends inside the keyid");
    }
    let keyid = &body[HEADER_LEN..HEADER_LEN + idlen];
    let record = &body[HEADER_LEN + idlen..];
    if record.len() < TAG_LEN + 1 {
        return fail(format!(
            "record is {} bytes, too short for a tag and a padding delimiter",
            record.len()
        ));
    }
    if record.len() > rs {
        return fail(format!(
            "body holds more than one record (record {} bytes, rs {rs}); Web Push uses one",
            record.len()
        ));
    }
    if keyid[0] != 0x04 {
        return fail("keyid is not an uncompressed P-256 point");
    }
    let as_public = PublicKey::from_sec1_bytes(keyid)
        .map_err(|_| DecryptError("keyid is not a P-256 point".into()))?;

    // RFC 8291 §3.3-3.4.
    let ecdh = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_public.as_affine());
    let ua_public = ua_secret.public_key().to_encoded_point(false);
    let mut key_info = Vec::with_capacity(WEBPUSH_INFO.len() + 130);
    key_info.extend_from_slice(WEBPUSH_INFO);
    key_info.extend_from_slice(ua_public.as_bytes());
    key_info.extend_from_slice(keyid);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth_secret), ecdh.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| DecryptError("HKDF expand failed".into()))?;

    // RFC 8188 §2.2-2.3.
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(KEY_INFO, &mut cek)
        .and_then(|()| prk.expand(NONCE_INFO, &mut nonce))
        .map_err(|_| DecryptError("HKDF expand failed".into()))?;

    // Single record, sequence number 0: the nonce is used as is.
    let cipher =
        Aes128Gcm::new_from_slice(&cek).map_err(|_| DecryptError("bad CEK length".into()))?;
    let mut padded = cipher
        .decrypt(Nonce::from_slice(&nonce), record)
        .map_err(|_| {
            DecryptError(
                "AES-GCM authentication failed (wrong keys, or the body was altered)".into(),
            )
        })?;

    // Padding: data | 0x02 | 0x00* for the last record.
    let Some(delimiter_at) = padded.iter().rposition(|&b| b != 0) else {
        return fail("no padding delimiter in the record");
    };
    match padded[delimiter_at] {
        0x02 => {}
        0x01 => {
            return fail("padding delimiter 0x01 marks a non-final record; expected one record");
        }
        other => return fail(format!("padding delimiter is {other:#04x}, expected 0x02")),
    }
    padded.truncate(delimiter_at);
    Ok(padded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alert_webpush::b64;

    // RFC 8291 appendix A.
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn ua() -> SecretKey {
        SecretKey::from_slice(&b64::decode_lenient(UA_PRIVATE).unwrap()).unwrap()
    }

    #[test]
    fn decrypts_the_rfc_8291_example() {
        let body = b64::decode_lenient(BODY).unwrap();
        let plain = decrypt_aes128gcm(&ua(), &b64::decode_lenient(AUTH).unwrap(), &body).unwrap();
        assert_eq!(plain, b"When I grow up, I want to be a watermelon");
    }

    #[test]
    fn rejects_altered_or_malformed_bodies() {
        let auth = b64::decode_lenient(AUTH).unwrap();
        let body = b64::decode_lenient(BODY).unwrap();
        let check = |body: &[u8], auth: &[u8], expected: &str| {
            let err = decrypt_aes128gcm(&ua(), auth, body).unwrap_err();
            assert!(err.to_string().contains(expected), "{err} / {expected}");
        };

        let mut flipped = body.clone();
        *flipped.last_mut().unwrap() ^= 1;
        check(&flipped, &auth, "authentication failed");

        let mut flipped_ct = body.clone();
        flipped_ct[90] ^= 0x80;
        check(&flipped_ct, &auth, "authentication failed");

        check(&body, &[0u8; 16], "authentication failed");
        check(&body[..10], &auth, "shorter than the 21-byte");
        check(&body[..50], &auth, "ends inside the keyid");
        check(&body[..86 + 10], &auth, "too short");

        let mut idlen = body.clone();
        idlen[20] = 64;
        check(&idlen, &auth, "idlen is 64");

        let mut rs = body.clone();
        rs[16..20].copy_from_slice(&20u32.to_be_bytes());
        check(&rs, &auth, "more than one record");

        let mut rs_small = body.clone();
        rs_small[16..20].copy_from_slice(&5u32.to_be_bytes());
        check(&rs_small, &auth, "below the minimum");

        let mut keyid = body.clone();
        keyid[21] = 0x02;
        check(&keyid, &auth, "not an uncompressed");

        let mut off_curve = body.clone();
        off_curve[22] ^= 1;
        check(&off_curve, &auth, "not a P-256 point");
    }
}
