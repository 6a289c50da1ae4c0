//! alert-webpush's PushSender against the PushReceiver: the receiver decrypts
//! with its own RFC 8291 implementation and verifies VAPID independently.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alert_testkit::{BrowserSubscription, PushReceiver, PushSink, Response};
use alert_webpush::{
    EndpointError, EndpointPolicy, MAX_PAYLOAD_BYTES, PushOptions, PushSender, PushTarget,
    SendError, Urgency, VapidKeys, install_crypto_backend,
};
use web_push::{ContentEncoding, SubscriptionInfo, WebPushMessageBuilder};

const SUBJECT: &str = "mailto:ops@example.com";

fn sender_for(origins: &[&str], keys: VapidKeys) -> PushSender {
    PushSender::builder(keys, SUBJECT)
        .endpoint_policy(EndpointPolicy::from_comma_separated(&origins.join(",")).unwrap())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn target(browser: &BrowserSubscription) -> PushTarget {
    PushTarget {
        endpoint: browser.endpoint.clone(),
        p256dh: browser.p256dh.clone(),
        auth: browser.auth.clone(),
    }
}

fn options() -> PushOptions {
    PushOptions {
        ttl_seconds: 60,
        urgency: Urgency::High,
        topic: Some("alert-1".into()),
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Encrypts like a sender would, for hand-made requests.
fn encrypt_for(browser: &BrowserSubscription, payload: &[u8]) -> Vec<u8> {
    install_crypto_backend();
    let info = SubscriptionInfo::new(
        browser.endpoint.as_str(),
        browser.p256dh.as_str(),
        browser.auth.as_str(),
    );
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_payload(ContentEncoding::Aes128Gcm, payload);
    builder.build().unwrap().payload.unwrap().content
}

/// POSTs a hand-made push; returns the status.
async fn post_raw(
    endpoint: &str,
    authorization: Option<String>,
    ttl: Option<&str>,
    body: Vec<u8>,
) -> u16 {
    let mut request = reqwest::Client::new()
        .post(endpoint)
        .header("Content-Encoding", "aes128gcm")
        .body(body);
    if let Some(auth) = authorization {
        request = request.header("Authorization", auth);
    }
    if let Some(ttl) = ttl {
        request = request.header("TTL", ttl);
    }
    request.send().await.unwrap().status().as_u16()
}

fn vapid_header(keys: &VapidKeys, aud: &str, exp: u64) -> String {
    keys.authorization_header(&keys.sign_jwt(aud, SUBJECT, exp))
}

#[tokio::test]
async fn receiver_decrypts_the_exact_payload_and_sees_the_headers() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let keys = VapidKeys::generate();
    receiver.expect_vapid_key(&keys.public_key_base64url());
    let public = keys.public_key_base64url();
    let sender = sender_for(&[&receiver.origin()], keys);

    let payload = br#"{"title":"Disk almost full","body":"93% on /var","alertId":"a-1"}"#;
    let response = sender
        .send(&target(&browser), payload, &options())
        .await
        .unwrap();
    assert_eq!(
        response.status,
        201,
        "{response:?} {:?}",
        receiver.rejections()
    );
    assert!(response.is_success());

    let received = receiver.received();
    assert_eq!(received.len(), 1, "{:?}", receiver.rejections());
    let push = &received[0];
    assert_eq!(push.payload, payload);
    assert_eq!(push.payload_json().unwrap()["title"], "Disk almost full");
    assert_eq!(push.endpoint, browser.endpoint);
    assert_eq!(push.ttl, 60);
    assert_eq!(push.urgency.as_deref(), Some("high"));
    assert_eq!(push.topic.as_deref(), Some("alert-1"));
    assert_eq!(push.vapid_sub, SUBJECT);
    assert_eq!(push.vapid_key, public);
    let exp = push.vapid_exp;
    assert!(
        exp > now_unix() + 11 * 3600 && exp <= now_unix() + 12 * 3600,
        "exp {exp}"
    );
    assert_eq!(receiver.received_for(&browser.endpoint).len(), 1);
    assert!(receiver.rejections().is_empty());
    assert!(receiver.attempts().is_empty());
}

/// Sends `count` pushes at once to fresh browsers of an https `receiver` that nothing has sent to
/// yet, trusting its certificate; returns how many it accepted.
async fn burst_over_https(receiver: &PushReceiver, count: usize) -> usize {
    let keys = VapidKeys::generate();
    receiver.expect_vapid_key(&keys.public_key_base64url());
    let sender = PushSender::builder(keys, SUBJECT)
        .endpoint_policy(EndpointPolicy::from_comma_separated(&receiver.origin()).unwrap())
        .add_root_certificate_pem(receiver.certificate_pem().unwrap())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let options = options();
    let targets: Vec<PushTarget> = (0..count)
        .map(|_| target(&receiver.new_browser()))
        .collect();
    let sends = targets
        .iter()
        .map(|target| sender.send(target, b"over tls", &options));
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.unwrap().status, 201, "{:?}", receiver.rejections());
    }
    receiver.received().len()
}

#[tokio::test]
async fn a_push_service_that_offers_http2_gets_one_multiplexed_connection() {
    let receiver = PushReceiver::start_https(&["h2", "http/1.1"]).await;
    assert!(receiver.origin().starts_with("https://"));
    assert_eq!(
        burst_over_https(&receiver, 9).await,
        9,
        "every push decrypted"
    );
    assert_eq!(
        receiver.negotiated_protocols(),
        ["h2"],
        "nine pushes started at once to a new origin share one HTTP/2 connection"
    );
}

#[tokio::test]
async fn a_push_service_that_offers_only_http1_gets_http1_over_tls() {
    let receiver = PushReceiver::start_https(&["http/1.1"]).await;
    assert_eq!(
        burst_over_https(&receiver, 5).await,
        5,
        "every push decrypted"
    );
    let negotiated = receiver.negotiated_protocols();
    assert!(!negotiated.is_empty());
    assert!(
        negotiated.iter().all(|protocol| protocol == "http/1.1"),
        "{negotiated:?}"
    );
}

/// The first request to a push service goes alone, but one that hangs must not hold the rest up
/// beyond the connect timeout.
#[tokio::test]
async fn a_slow_first_push_to_a_new_origin_does_not_hold_up_the_next() {
    let receiver = PushReceiver::start().await;
    let keys = VapidKeys::generate();
    receiver.expect_vapid_key(&keys.public_key_base64url());
    let sender = PushSender::builder(keys, SUBJECT)
        .endpoint_policy(EndpointPolicy::from_comma_separated(&receiver.origin()).unwrap())
        .connect_timeout(Duration::from_millis(200))
        .request_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let slow = receiver.new_browser();
    receiver.respond_with(
        &slow.endpoint,
        Response::created().delayed(Duration::from_secs(20)),
    );
    let quick = receiver.new_browser();
    let options = options();
    let (slow_target, quick_target) = (target(&slow), target(&quick));
    let slow_send = sender.send(&slow_target, b"slow", &options);
    let quick_send = async {
        // Starts once the slow one holds the first contact.
        tokio::time::sleep(Duration::from_millis(50)).await;
        sender.send(&quick_target, b"quick", &options).await
    };
    tokio::select! {
        _ = slow_send => panic!("the slow push finished first: the quick one waited for it"),
        quick = quick_send => assert_eq!(quick.unwrap().status, 201),
    }
    assert_eq!(receiver.received_for(&quick.endpoint).len(), 1);
}

#[test]
fn a_root_certificate_that_is_not_pem_is_refused_when_building() {
    let built = PushSender::builder(VapidKeys::generate(), SUBJECT)
        .add_root_certificate_pem("not a certificate")
        .build();
    let Err(error) = built else {
        panic!("a bad root certificate was accepted")
    };
    assert!(error.to_string().contains("root certificate"), "{error}");
}

#[tokio::test]
async fn largest_and_empty_payloads_and_a_long_topic() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());

    let big: Vec<u8> = (0..MAX_PAYLOAD_BYTES).map(|i| (i % 251) as u8).collect();
    let long_topic = PushOptions {
        topic: Some("alert:0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f".into()),
        ..options()
    };
    assert_eq!(
        sender
            .send(&target(&browser), &big, &long_topic)
            .await
            .unwrap()
            .status,
        201
    );
    assert_eq!(
        sender
            .send(&target(&browser), b"", &options())
            .await
            .unwrap()
            .status,
        201
    );

    let received = receiver.received();
    assert_eq!(received.len(), 2, "{:?}", receiver.rejections());
    assert_eq!(received[0].payload, big);
    let topic = received[0].topic.clone().unwrap();
    assert_eq!(topic.len(), 32);
    assert_eq!(
        Some(topic),
        alert_webpush::sanitize_topic("alert:0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f")
    );
    assert!(received[1].payload.is_empty());
}

#[tokio::test]
async fn the_jwt_is_reused_per_origin() {
    let first = PushReceiver::start().await;
    let second = PushReceiver::start().await;
    let sender = sender_for(&[&first.origin(), &second.origin()], VapidKeys::generate());

    let a = first.new_browser();
    let b = first.new_browser();
    for browser in [&a, &b, &a] {
        let r = sender
            .send(&target(browser), b"x", &options())
            .await
            .unwrap();
        assert_eq!(r.status, 201);
    }
    let c = second.new_browser();
    assert_eq!(
        sender
            .send(&target(&c), b"x", &options())
            .await
            .unwrap()
            .status,
        201
    );

    let jwts: Vec<String> = first.received().into_iter().map(|p| p.vapid_jwt).collect();
    assert_eq!(jwts.len(), 3);
    assert!(jwts.iter().all(|j| j == &jwts[0]), "same origin, same JWT");
    let other = &second.received()[0].vapid_jwt;
    assert_ne!(
        other, &jwts[0],
        "another origin has its own JWT (aud differs)"
    );
}

#[tokio::test]
async fn a_tampered_body_is_rejected() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let keys = VapidKeys::generate();
    let auth = vapid_header(&keys, &receiver.origin(), now_unix() + 3600);

    // The hand-made path works when nothing is altered...
    let body = encrypt_for(&browser, b"hello");
    assert_eq!(
        post_raw(
            &browser.endpoint,
            Some(auth.clone()),
            Some("30"),
            body.clone()
        )
        .await,
        201
    );
    assert_eq!(receiver.received()[0].payload, b"hello");

    // ...and fails when one ciphertext byte is flipped.
    let mut tampered = body;
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert_eq!(
        post_raw(&browser.endpoint, Some(auth.clone()), Some("30"), tampered).await,
        400
    );
    let rejections = receiver.rejections();
    assert_eq!(rejections.len(), 1);
    assert!(
        rejections[0].starts_with("400: decryption failed"),
        "{rejections:?}"
    );

    // Encrypted for another browser: also undecryptable here.
    let stranger = receiver.new_browser();
    let foreign = encrypt_for(&stranger, b"not yours");
    assert_eq!(
        post_raw(&browser.endpoint, Some(auth), Some("30"), foreign).await,
        400
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn vapid_and_ttl_are_enforced() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let keys = VapidKeys::generate();
    let origin = receiver.origin();
    let body = || encrypt_for(&browser, b"x");
    let now = now_unix();

    let cases = [
        (None, Some("30"), 401, "missing Authorization"),
        (
            Some(vapid_header(&keys, &origin, now - 10)),
            Some("30"),
            401,
            "expired",
        ),
        (
            Some(vapid_header(&keys, &origin, now + 25 * 3600)),
            Some("30"),
            401,
            "24 hours",
        ),
        (
            Some(vapid_header(&keys, "http://127.0.0.1", now + 60)),
            Some("30"),
            401,
            "aud",
        ),
        (
            Some(vapid_header(&keys, &origin, now + 60)),
            None,
            400,
            "missing TTL",
        ),
        (
            Some(vapid_header(&keys, &origin, now + 60)),
            Some("soon"),
            400,
            "TTL header",
        ),
    ];
    for (i, (auth, ttl, status, reason)) in cases.into_iter().enumerate() {
        assert_eq!(
            post_raw(&browser.endpoint, auth, ttl, body()).await,
            status,
            "case {i}"
        );
        let last = receiver.rejections().pop().unwrap();
        assert!(last.contains(reason), "case {i}: {last}");
    }
    assert!(receiver.received().is_empty());

    // Unknown subscription.
    let unknown = format!("{origin}/push/does-not-exist");
    let auth = vapid_header(&keys, &origin, now + 60);
    assert_eq!(
        post_raw(&unknown, Some(auth), Some("30"), body()).await,
        404
    );
}

#[tokio::test]
async fn a_wrong_vapid_key_is_rejected_when_one_is_expected() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    receiver.expect_vapid_key(&VapidKeys::generate().public_key_base64url());
    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());

    let response = sender
        .send(&target(&browser), b"x", &options())
        .await
        .unwrap();
    assert_eq!(response.status, 403);
    assert!(
        response.body_excerpt.contains("applicationServerKey"),
        "{response:?}"
    );
    assert!(receiver.received().is_empty());
    let rejections = receiver.rejections();
    assert_eq!(rejections.len(), 1);
    assert!(rejections[0].starts_with("403:"), "{rejections:?}");
}

#[tokio::test]
async fn gone_and_unsubscribed_endpoints_answer_410() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    receiver.respond_with(&browser.endpoint, Response::Status(410));
    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());

    let response = sender
        .send(&target(&browser), b"bye", &options())
        .await
        .unwrap();
    assert_eq!(response.status, 410);
    assert!(response.is_gone());
    assert!(receiver.received().is_empty());
    let attempts = receiver.attempts();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, 410);
    assert_eq!(attempts[0].push.payload, b"bye");

    let other = receiver.new_browser();
    receiver.unsubscribe(&other.endpoint);
    let response = sender
        .send(&target(&other), b"x", &options())
        .await
        .unwrap();
    assert_eq!(response.status, 410);
    assert!(receiver.rejections()[0].contains("unsubscribed"));
}

#[tokio::test]
async fn queued_failures_then_success_with_retry_after() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    receiver.respond_with_sequence(
        &browser.endpoint,
        [
            Response::retry_after(429, 7),
            Response::Status(503),
            Response::created(),
        ],
    );
    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());
    let t = target(&browser);

    let first = sender.send(&t, b"1", &options()).await.unwrap();
    assert_eq!(
        (first.status, first.retry_after),
        (429, Some(Duration::from_secs(7)))
    );
    assert!(first.is_retryable());
    let second = sender.send(&t, b"2", &options()).await.unwrap();
    assert_eq!((second.status, second.retry_after), (503, None));
    let third = sender.send(&t, b"3", &options()).await.unwrap();
    assert_eq!(third.status, 201);
    // Queue used up: the default applies again.
    assert_eq!(sender.send(&t, b"4", &options()).await.unwrap().status, 201);

    let statuses: Vec<u16> = receiver.attempts().iter().map(|a| a.status).collect();
    assert_eq!(statuses, [429, 503]);
    let payloads: Vec<Vec<u8>> = receiver.received().into_iter().map(|p| p.payload).collect();
    assert_eq!(payloads, [b"3".to_vec(), b"4".to_vec()]);
    assert_eq!(receiver.request_count(), 4);
}

#[tokio::test]
async fn a_slow_push_service_times_out_as_retryable() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    receiver.respond_all_with(Response::created().delayed(Duration::from_secs(3)));
    let sender = PushSender::builder(VapidKeys::generate(), SUBJECT)
        .endpoint_policy(EndpointPolicy::from_comma_separated(&receiver.origin()).unwrap())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = sender
        .send(&target(&browser), b"x", &options())
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_default_policy_refuses_the_local_receiver() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let sender = sender_for(&[], VapidKeys::generate());
    let err = sender
        .send(&target(&browser), b"x", &options())
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::InvalidEndpoint(EndpointError::NotHttps)),
        "{err:?}"
    );
    assert_eq!(receiver.request_count(), 0);
}

#[tokio::test]
async fn wait_for_received_waits_and_gives_up() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let started = std::time::Instant::now();
    assert!(
        receiver
            .wait_for_received(1, Duration::from_millis(200))
            .await
            .is_empty()
    );
    assert!(started.elapsed() >= Duration::from_millis(200));

    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());
    let t = target(&browser);
    let send = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        for _ in 0..2 {
            sender.send(&t, b"x", &options()).await.unwrap();
        }
    });
    let got = receiver.wait_for_received(2, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 2);
    send.await.unwrap();

    receiver.clear();
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn browser_json_matches_push_subscription_to_json() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let json = browser.to_json();
    assert_eq!(json["endpoint"], browser.endpoint.as_str());
    assert_eq!(json["keys"]["p256dh"], browser.p256dh.as_str());
    assert_eq!(json["keys"]["auth"], browser.auth.as_str());
    assert!(
        browser
            .endpoint
            .starts_with(&format!("{}/push/", receiver.origin()))
    );
    assert_ne!(receiver.new_browser().endpoint, browser.endpoint);
    alert_webpush::SubscriptionKeys::parse(&browser.p256dh, &browser.auth).unwrap();
}

#[tokio::test]
async fn the_sink_counts_requests() {
    let sink = PushSink::start(201).await;
    let sender = sender_for(&[&sink.origin()], VapidKeys::generate());
    let browser = sink.new_browser();
    for _ in 0..5 {
        let r = sender
            .send(&target(&browser), b"payload", &options())
            .await
            .unwrap();
        assert_eq!(r.status, 201);
    }
    assert_eq!(sink.wait_for_count(5, Duration::from_secs(5)).await, 5);
    assert!(sink.bytes_received() >= 5 * (86 + 16 + 8));

    let gone = PushSink::start(410).await;
    let sender = sender_for(&[&gone.origin()], VapidKeys::generate());
    let r = sender
        .send(&target(&gone.new_browser()), b"x", &options())
        .await
        .unwrap();
    assert_eq!(r.status, 410);
    assert_eq!(gone.count(), 1);
}

#[tokio::test]
async fn a_stopped_receiver_refuses_connections() {
    let receiver = PushReceiver::start().await;
    let browser = receiver.new_browser();
    let sender = sender_for(&[&receiver.origin()], VapidKeys::generate());
    receiver.shutdown().await;
    let err = sender
        .send(&target(&browser), b"x", &options())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}
