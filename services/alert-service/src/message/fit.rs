//! Keeping a notification within one Web Push message.
//!
//! notifier-service refuses (INTERNAL, so the run fails for good) a message whose payload is over
//! `alert_webpush::MAX_PAYLOAD_BYTES`. The payload is JSON it builds around our title and body
//! (`NotifyCommand::payload`): `{"title","body","url","tag","alertId","deliveryId"}`. A long
//! template with a long station name, or a plain body of 1,000 Korean characters (3,000 bytes),
//! would not fit; the body, then the title, is cut at a character and ends with "…" instead.

use super::Message;

/// `alert_webpush::MAX_PAYLOAD_BYTES`; a test holds the two equal.
pub const PUSH_PAYLOAD_LIMIT_BYTES: usize = 3052;

/// The payload's keys and punctuation with empty values.
const EMPTY_PAYLOAD: &str =
    r#"{"title":"","body":"","url":"","tag":"","alertId":"","deliveryId":""}"#;
/// Delivery ids are UUIDs.
const DELIVERY_ID_BYTES: usize = 36;
const ELLIPSIS: char = '…';

/// Bytes of `character` inside a JSON string.
fn escaped_len(character: char) -> usize {
    match character {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        control if u32::from(control) < 0x20 => 6,
        other => other.len_utf8(),
    }
}

fn escaped(text: &str) -> usize {
    text.chars().map(escaped_len).sum()
}

/// `text` cut to at most `budget` escaped bytes, ending with "…" when cut.
fn truncated(text: &str, budget: usize) -> String {
    if escaped(text) <= budget {
        return text.to_owned();
    }
    let room = budget.saturating_sub(ELLIPSIS.len_utf8());
    let mut used = 0;
    let mut kept: String = text
        .chars()
        .take_while(|character| {
            used += escaped_len(*character);
            used <= room
        })
        .collect();
    kept.truncate(kept.trim_end().len());
    if budget >= ELLIPSIS.len_utf8() {
        kept.push(ELLIPSIS);
    }
    kept
}

/// The message, cut where needed so that its payload with `url` and `alert_id` (also the tag)
/// fits in one push.
pub fn fit_to_push(message: Message, url: &str, alert_id: &str) -> Message {
    let envelope = EMPTY_PAYLOAD.len() + escaped(url) + 2 * escaped(alert_id) + DELIVERY_ID_BYTES;
    let budget = PUSH_PAYLOAD_LIMIT_BYTES.saturating_sub(envelope);
    if escaped(&message.title) >= budget {
        return Message {
            title: truncated(&message.title, budget),
            body: String::new(),
        };
    }
    let body = truncated(&message.body, budget - escaped(&message.title));
    Message {
        title: message.title,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALERT_ID: &str = "0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f";

    /// The payload as notifier-service writes it.
    fn payload(message: &Message, url: &str) -> String {
        format!(
            r#"{{"title":{},"body":{},"url":{},"tag":{},"alertId":{},"deliveryId":"{}"}}"#,
            json(&message.title),
            json(&message.body),
            json(url),
            json(ALERT_ID),
            json(ALERT_ID),
            "0".repeat(DELIVERY_ID_BYTES)
        )
    }

    fn json(text: &str) -> String {
        let mut quoted = String::from('"');
        for character in text.chars() {
            match character {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                '\n' => quoted.push_str("\\n"),
                '\r' => quoted.push_str("\\r"),
                '\t' => quoted.push_str("\\t"),
                '\u{8}' => quoted.push_str("\\b"),
                '\u{c}' => quoted.push_str("\\f"),
                control if u32::from(control) < 0x20 => {
                    quoted.push_str(&format!("\\u{:04x}", u32::from(control)));
                }
                other => quoted.push(other),
            }
        }
        quoted.push('"');
        quoted
    }

    #[test]
    fn a_message_that_fits_is_unchanged() {
        let message = Message {
            title: "종로구 미세먼지 나쁨".into(),
            body: "PM10 95 µg/m³".into(),
        };
        assert_eq!(fit_to_push(message.clone(), "/", ALERT_ID), message);
    }

    #[test]
    fn a_long_body_is_cut_with_an_ellipsis_to_exactly_fit() {
        for (case, body) in [
            ("korean", "미세먼지".repeat(400)),
            ("quotes and newlines", "\"a\"\n".repeat(800)),
            ("controls", "\u{1}".repeat(600)),
        ] {
            let message = Message {
                title: "제목 \"quoted\"".into(),
                body,
            };
            let fitted = fit_to_push(message.clone(), "https://alerts.example/app", ALERT_ID);
            let size = payload(&fitted, "https://alerts.example/app").len();
            assert!(size <= PUSH_PAYLOAD_LIMIT_BYTES, "{case}: {size} bytes");
            assert!(
                size > PUSH_PAYLOAD_LIMIT_BYTES - 8,
                "{case}: cut too much, {size} bytes"
            );
            assert_eq!(fitted.title, message.title, "{case}: the title is kept");
            assert!(fitted.body.ends_with('…'), "{case}");
            assert!(
                message.body.starts_with(fitted.body.trim_end_matches('…')),
                "{case}"
            );
        }
    }

    #[test]
    fn an_impossibly_long_title_is_cut_too() {
        let message = Message {
            title: "가".repeat(2000),
            body: "body".into(),
        };
        let fitted = fit_to_push(message, "/", ALERT_ID);
        assert!(payload(&fitted, "/").len() <= PUSH_PAYLOAD_LIMIT_BYTES);
        assert!(fitted.title.ends_with('…'));
        assert_eq!(fitted.body, "");
    }
}
