//! The per-push crypto cost measured alone: aes128gcm encryption of a 200-byte payload with
//! `web-push` on the ring backend the sender installs (an ephemeral P-256 key pair, ECDH with
//! the browser's key, HKDF, AES-128-GCM); for scale, the two elliptic-curve operations alone
//! (the floor for any sender) and one VAPID JWT signature (which the sender does once per
//! push-service origin, not per push).
//!
//! `cargo run --release -p alert-webpush --example crypto_cost` (`ITERATIONS`, default 20000).

use std::time::Instant;

use alert_webpush::{VapidKeys, install_crypto_backend};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use web_push::{ContentEncoding, SubscriptionInfo, WebPushMessageBuilder};

fn main() {
    let iterations: u32 = std::env::var("ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    install_crypto_backend();
    let payload = vec![b'x'; 200];
    // Any P-256 public key serves as the browser's; distinct ones like a real fan-out.
    let browsers: Vec<SubscriptionInfo> = (0..1000)
        .map(|i| {
            SubscriptionInfo::new(
                format!("https://push.example.com/{i}"),
                VapidKeys::generate().public_key_base64url(),
                "BTBZMqHH6r4Tts7J_aSIgg".to_owned(),
            )
        })
        .collect();

    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..iterations {
        let mut builder = WebPushMessageBuilder::new(&browsers[i as usize % browsers.len()]);
        builder.set_payload(ContentEncoding::Aes128Gcm, &payload);
        bytes += builder
            .build()
            .expect("encrypts")
            .payload
            .map_or(0, |p| p.content.len());
    }
    let encrypt = started.elapsed() / iterations;

    let browser_keys: Vec<Vec<u8>> = (0..1000)
        .map(|_| VapidKeys::generate().public_key_bytes().to_vec())
        .collect();
    let rng = ring::rand::SystemRandom::new();
    let started = Instant::now();
    for i in 0..iterations {
        let ephemeral = EphemeralPrivateKey::generate(&ECDH_P256, &rng).expect("key pair");
        std::hint::black_box(ephemeral.compute_public_key().expect("public key"));
        let peer = UnparsedPublicKey::new(&ECDH_P256, &browser_keys[i as usize % 1000]);
        std::hint::black_box(agree_ephemeral(ephemeral, &peer, <[u8]>::to_vec).expect("ecdh"));
    }
    let ecdh = started.elapsed() / iterations;

    let keys = VapidKeys::generate();
    let started = Instant::now();
    for i in 0..iterations / 10 {
        std::hint::black_box(keys.sign_jwt(
            "https://push.example.com",
            "mailto:a@b.c",
            u64::from(i),
        ));
    }
    let sign = started.elapsed() / (iterations / 10);

    let per_core = 1.0 / encrypt.as_secs_f64();
    println!(
        "encrypt 200 B (aes128gcm, ECDH P-256): {:.1} µs/push, {:.0} pushes/s per core ({} bytes on the wire each)",
        encrypt.as_secs_f64() * 1e6,
        per_core,
        bytes / iterations as usize
    );
    println!(
        "ephemeral P-256 key pair + ECDH alone (ring): {:.1} µs",
        ecdh.as_secs_f64() * 1e6
    );
    println!(
        "VAPID JWT ES256 signature: {:.1} µs (once per push-service origin and 11 h)",
        sign.as_secs_f64() * 1e6
    );
}
