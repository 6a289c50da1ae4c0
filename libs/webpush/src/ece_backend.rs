//! The primitives under the `web-push` crate's aes128gcm encryption: an `ece` [`Cryptographer`]
//! on `ring` (P-256 ECDH, AES-128-GCM, randomness) and `hkdf`.
//!
//! `ece`'s own OpenSSL backend spends about three times what the two elliptic-curve operations
//! of a message need (key conversions and algorithm look-ups of OpenSSL 3 on every call, and a
//! full public-key validation by scalar multiplication); `ring` does the ephemeral key pair and
//! the ECDH in one pass over its P-256 code. `examples/crypto_cost.rs` measures both.
//! docs/decisions/0007-web-push-crypto-on-ring.md says why this is installed into `ece` rather
//! than the message encrypted without `web-push`.
//!
//! `ring` never reveals an ephemeral private key and cannot import one, which encryption never
//! needs. Key pairs imported from raw components (decryption, RFC 8291's test vectors) use the
//! `p256` crate instead.

use std::{any::Any, sync::Mutex};

use ece::{
    Cryptographer, EcKeyComponents, LocalKeyPair, RemotePublicKey,
    crypto::{EcCurve, set_cryptographer},
};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use ring::{
    aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey},
    agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey},
    rand::{SecureRandom as _, SystemRandom},
};
use sha2::Sha256;

/// An uncompressed P-256 point: `0x04 || x || y`.
const PUBLIC_KEY_LEN: usize = 65;

/// Makes `ece` (and so `web-push`) use [`RingCryptographer`]. Idempotent; [`PushSender`]
/// building calls it, so only code that uses `web-push` without a sender calls it itself.
///
/// [`PushSender`]: crate::PushSender
pub fn install_crypto_backend() {
    static BACKEND: RingCryptographer = RingCryptographer;
    // Fails only when a cryptographer is installed already, which is then this one: nothing
    // else in the program installs one.
    let _ = set_cryptographer(&BACKEND);
}

/// `ece`'s cryptographic primitives on `ring`.
#[derive(Debug, Default, Clone, Copy)]
pub struct RingCryptographer;

/// A browser's public key, checked for form; `ring` checks it is on the curve when it is used.
struct PeerPublicKey([u8; PUBLIC_KEY_LEN]);

impl RemotePublicKey for PeerPublicKey {
    fn as_raw(&self) -> ece::Result<Vec<u8>> {
        Ok(self.0.to_vec())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One message's ephemeral key pair. `ring` consumes the private key in the key agreement, so it
/// serves exactly one ECDH, as RFC 8291 asks of an application server's key.
struct OneTimeKeyPair {
    private: Mutex<Option<EphemeralPrivateKey>>,
    public: [u8; PUBLIC_KEY_LEN],
}

/// A key pair from raw components, for decryption.
struct ImportedKeyPair {
    secret: p256::SecretKey,
    public: [u8; PUBLIC_KEY_LEN],
}

impl LocalKeyPair for OneTimeKeyPair {
    fn pub_as_raw(&self) -> ece::Result<Vec<u8>> {
        Ok(self.public.to_vec())
    }

    fn raw_components(&self) -> ece::Result<EcKeyComponents> {
        // `ring` never reveals an ephemeral private key.
        Err(ece::Error::CryptoError)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LocalKeyPair for ImportedKeyPair {
    fn pub_as_raw(&self) -> ece::Result<Vec<u8>> {
        Ok(self.public.to_vec())
    }

    fn raw_components(&self) -> ece::Result<EcKeyComponents> {
        Ok(EcKeyComponents::new(
            self.secret.to_bytes().to_vec(),
            self.public.to_vec(),
        ))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn public_key_bytes(raw: &[u8]) -> ece::Result<[u8; PUBLIC_KEY_LEN]> {
    match <[u8; PUBLIC_KEY_LEN]>::try_from(raw) {
        Ok(bytes) if bytes[0] == 0x04 => Ok(bytes),
        _ => Err(ece::Error::InvalidKeyLength),
    }
}

fn aead_key(key: &[u8]) -> ece::Result<LessSafeKey> {
    UnboundKey::new(&AES_128_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| ece::Error::CryptoError)
}

fn nonce(iv: &[u8]) -> ece::Result<Nonce> {
    Nonce::try_assume_unique_for_key(iv).map_err(|_| ece::Error::CryptoError)
}

impl Cryptographer for RingCryptographer {
    fn generate_ephemeral_keypair(&self) -> ece::Result<Box<dyn LocalKeyPair>> {
        let private = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new())
            .map_err(|_| ece::Error::CryptoError)?;
        let public = private
            .compute_public_key()
            .map_err(|_| ece::Error::CryptoError)?;
        Ok(Box::new(OneTimeKeyPair {
            public: public_key_bytes(public.as_ref())?,
            private: Mutex::new(Some(private)),
        }))
    }

    fn import_key_pair(&self, components: &EcKeyComponents) -> ece::Result<Box<dyn LocalKeyPair>> {
        if *components.curve() != EcCurve::P256 {
            return Err(ece::Error::CryptoError);
        }
        let secret = p256::SecretKey::from_slice(components.private_key())
            .map_err(|_| ece::Error::InvalidKeyLength)?;
        let public = public_key_bytes(components.public_key())?;
        let derived = secret.public_key().to_encoded_point(false);
        if derived.as_bytes() != public.as_slice() {
            // The components disagree: refuse rather than encrypt to the wrong key.
            return Err(ece::Error::CryptoError);
        }
        Ok(Box::new(ImportedKeyPair { secret, public }))
    }

    fn import_public_key(&self, raw: &[u8]) -> ece::Result<Box<dyn RemotePublicKey>> {
        Ok(Box::new(PeerPublicKey(public_key_bytes(raw)?)))
    }

    fn compute_ecdh_secret(
        &self,
        remote: &dyn RemotePublicKey,
        local: &dyn LocalKeyPair,
    ) -> ece::Result<Vec<u8>> {
        let remote = public_key_bytes(&remote.as_raw()?)?;
        let local = local.as_any();
        if let Some(one_time) = local.downcast_ref::<OneTimeKeyPair>() {
            let private = one_time
                .private
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take()
                .ok_or(ece::Error::CryptoError)?;
            // Fails when the browser's key is not a point on the curve.
            return agreement::agree_ephemeral(
                private,
                &UnparsedPublicKey::new(&ECDH_P256, remote),
                <[u8]>::to_vec,
            )
            .map_err(|_| ece::Error::CryptoError);
        }
        if let Some(imported) = local.downcast_ref::<ImportedKeyPair>() {
            let remote =
                p256::PublicKey::from_sec1_bytes(&remote).map_err(|_| ece::Error::CryptoError)?;
            let shared =
                p256::ecdh::diffie_hellman(imported.secret.to_nonzero_scalar(), remote.as_affine());
            return Ok(shared.raw_secret_bytes().to_vec());
        }
        Err(ece::Error::CryptoError)
    }

    fn hkdf_sha256(
        &self,
        salt: &[u8],
        secret: &[u8],
        info: &[u8],
        len: usize,
    ) -> ece::Result<Vec<u8>> {
        let mut okm = vec![0; len];
        Hkdf::<Sha256>::new(Some(salt), secret)
            .expand(info, &mut okm)
            .map_err(|_| ece::Error::CryptoError)?;
        Ok(okm)
    }

    fn aes_gcm_128_encrypt(&self, key: &[u8], iv: &[u8], data: &[u8]) -> ece::Result<Vec<u8>> {
        let mut sealed = Vec::with_capacity(data.len() + AES_128_GCM.tag_len());
        sealed.extend_from_slice(data);
        aead_key(key)?
            .seal_in_place_append_tag(nonce(iv)?, Aad::empty(), &mut sealed)
            .map_err(|_| ece::Error::CryptoError)?;
        Ok(sealed)
    }

    fn aes_gcm_128_decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> ece::Result<Vec<u8>> {
        let mut opened = ciphertext_and_tag.to_vec();
        let plaintext_len = aead_key(key)?
            .open_in_place(nonce(iv)?, Aad::empty(), &mut opened)
            .map_err(|_| ece::Error::CryptoError)?
            .len();
        opened.truncate(plaintext_len);
        Ok(opened)
    }

    fn random_bytes(&self, dest: &mut [u8]) -> ece::Result<()> {
        SystemRandom::new()
            .fill(dest)
            .map_err(|_| ece::Error::CryptoError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use web_push::{ContentEncoding, SubscriptionInfo, WebPushMessageBuilder};

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_rfc_8291_example_encrypts_and_decrypts_byte_for_byte() {
        // ece's own check of a backend: RFC 8291 appendix A, with the application server's key
        // and salt fixed, must give the RFC's ciphertext, which must decrypt again.
        // The decryption half goes through ece's installed backend: install ours first rather
        // than rely on another test having done it.
        install_crypto_backend();
        ece::crypto::test_cryptographer(RingCryptographer);
    }

    /// RFC 8291 appendix A: the user agent's key pair and authentication secret.
    const UA_PRIVATE: &str = "ab5757a70dd4a53e553a6bbf71ffefea2874ec07a6b379e3c48f895a02dc33de";
    const UA_PUBLIC: &str = "042571b2becdfde360551aaf1ed0f4cd366c11cebe555f89bcb7b186a53339173168ece2ebe018597bd30479b86e3c8f8eced577ca59187e9246990db682008b0e";
    const AUTH: &str = "05305932a1c7eabe13b6cec9fda48882";

    #[test]
    fn web_push_messages_decrypt_with_the_browsers_key() {
        install_crypto_backend();
        let info = SubscriptionInfo::new(
            "https://push.example.com/x",
            &crate::b64::encode(&hex(UA_PUBLIC)),
            &crate::b64::encode(&hex(AUTH)),
        );
        let plaintext = b"When I grow up, I want to be a watermelon";
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, plaintext);
        let first = builder.build().unwrap().payload.unwrap().content;
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, plaintext);
        let second = builder.build().unwrap().payload.unwrap().content;
        assert_ne!(
            first[21..86],
            second[21..86],
            "a new ephemeral key for every message"
        );

        let browser = EcKeyComponents::new(hex(UA_PRIVATE), hex(UA_PUBLIC));
        for body in [first, second] {
            assert_eq!(
                ece::decrypt(&browser, &hex(AUTH), &body).unwrap(),
                plaintext
            );
        }
    }

    #[test]
    fn a_browser_key_off_the_curve_is_refused() {
        install_crypto_backend();
        let mut off_curve = hex(UA_PUBLIC);
        off_curve[64] ^= 1;
        let error = ece::encrypt(&off_curve, &hex(AUTH), b"hi").unwrap_err();
        assert!(matches!(error, ece::Error::CryptoError), "{error:?}");
        let error = ece::encrypt(&off_curve[..64], &hex(AUTH), b"hi").unwrap_err();
        assert!(matches!(error, ece::Error::InvalidKeyLength), "{error:?}");
    }

    #[test]
    fn an_ephemeral_key_serves_one_agreement() {
        let backend = RingCryptographer;
        let local = backend.generate_ephemeral_keypair().unwrap();
        let remote = backend.import_public_key(&hex(UA_PUBLIC)).unwrap();
        assert_eq!(
            backend
                .compute_ecdh_secret(&*remote, &*local)
                .unwrap()
                .len(),
            32
        );
        assert!(backend.compute_ecdh_secret(&*remote, &*local).is_err());
        assert!(local.raw_components().is_err());
    }
}
