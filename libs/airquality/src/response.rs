//! Reading AirKorea's answers: the JSON envelope, its result codes, and the XML error body the
//! data.go.kr gateway sends even when JSON was asked for.
//!
//! Nothing here trusts the body: every field is optional and may be a string, a number or null,
//! and a body of any shape gives an error, never a panic.

use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;

use crate::error::{AirQualityError, Result};

/// One page of items and the total the API says there are.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub total_count: Option<u64>,
}

/// The API's "no data" result code: an empty page, not a failure.
const NO_DATA: u32 = 3;
/// "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"
const QUOTA_EXCEEDED: u32 = 22;
/// Access denied, key not registered, key expired, IP not registered.
const KEY_ERRORS: [u32; 4] = [20, 30, 31, 32];

/// Decodes a body into a page of `T`, or into the error it reports. Items that are not objects
/// of the expected shape are skipped; the caller decides whether what is left is enough.
pub(crate) fn decode_page<T: DeserializeOwned>(http_status: u16, body: &str) -> Result<Page<T>> {
    let trimmed = body.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('<') {
        return Err(xml_error(http_status, trimmed));
    }
    let envelope: Envelope = match serde_json::from_str(trimmed) {
        Ok(envelope) => envelope,
        Err(_) if !is_success(http_status) => {
            return Err(AirQualityError::http_status(http_status, &excerpt(trimmed)));
        }
        Err(error) => {
            return Err(AirQualityError::BadResponse(format!(
                "not the JSON envelope: {error}"
            )));
        }
    };
    let header = envelope.response.header;
    let code = header.result_code.unwrap_or_default();
    let message = header.result_msg.unwrap_or_default();
    match result_code_number(&code) {
        Some(0) if is_success(http_status) => {}
        Some(NO_DATA) => {
            return Ok(Page {
                items: Vec::new(),
                total_count: Some(0),
            });
        }
        Some(0) => return Err(AirQualityError::http_status(http_status, &message)),
        Some(_) => return Err(error_for_code(&code, &message)),
        None => {
            return Err(AirQualityError::BadResponse(format!(
                "result code {code:?} is not a number"
            )));
        }
    }
    let body = envelope.response.body.unwrap_or_default();
    Ok(Page {
        items: item_values(body.items)
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        total_count: body.total_count.and_then(|count| count.trim().parse().ok()),
    })
}

/// The error a result code stands for.
pub(crate) fn error_for_code(code: &str, message: &str) -> AirQualityError {
    match result_code_number(code) {
        Some(QUOTA_EXCEEDED) => AirQualityError::QuotaExceeded,
        Some(number) if KEY_ERRORS.contains(&number) => {
            AirQualityError::KeyRejected(format!("{message} (code {code})"))
        }
        _ => AirQualityError::Upstream {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    }
}

fn result_code_number(code: &str) -> Option<u32> {
    code.trim().parse().ok()
}

fn is_success(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

/// `<OpenAPI_ServiceResponse><cmmMsgHeader>…<returnReasonCode>30</returnReasonCode>…` from the
/// gateway, or `<response><header><resultCode>…` from the API itself.
fn xml_error(http_status: u16, body: &str) -> AirQualityError {
    let code = xml_text(body, "returnReasonCode").or_else(|| xml_text(body, "resultCode"));
    let message = xml_text(body, "returnAuthMsg")
        .or_else(|| xml_text(body, "resultMsg"))
        .or_else(|| xml_text(body, "errMsg"))
        .unwrap_or_default();
    match code {
        Some(code) if result_code_number(code).is_some_and(|number| number != 0) => {
            error_for_code(code, message)
        }
        _ if !is_success(http_status) => AirQualityError::http_status(http_status, message),
        _ => AirQualityError::BadResponse("an XML answer where JSON was asked for".into()),
    }
}

/// The text of the first `<tag>…</tag>`, trimmed.
fn xml_text<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let length = body[start..].find(&close)?;
    Some(body[start..start + length].trim())
}

/// The start of a body for an error message, on a character boundary.
fn excerpt(body: &str) -> String {
    body.chars().take(120).collect()
}

/// `items` is an array; some gateways wrap it as `{"item": [...]}` or `{"item": {...}}`.
fn item_values(items: Option<Value>) -> Vec<Value> {
    match items {
        Some(Value::Array(items)) => items,
        Some(Value::Object(mut wrapper)) => match wrapper.remove("item") {
            Some(Value::Array(items)) => items,
            Some(item @ Value::Object(_)) => vec![item],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[derive(Deserialize)]
struct Envelope {
    response: ResponsePart,
}

#[derive(Deserialize)]
struct ResponsePart {
    #[serde(default)]
    header: Header,
    #[serde(default)]
    body: Option<Body>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Header {
    #[serde(default, deserialize_with = "lenient_text")]
    result_code: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    result_msg: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Body {
    #[serde(default)]
    items: Option<Value>,
    #[serde(default, deserialize_with = "lenient_text")]
    total_count: Option<String>,
}

/// Accepts a string, a number or a boolean as text; null, objects and arrays as absent.
pub(crate) fn lenient_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Item {
        #[serde(default, deserialize_with = "lenient_text")]
        name: Option<String>,
    }

    fn decode(status: u16, body: &str) -> Result<Page<Item>> {
        decode_page(status, body)
    }

    const GATEWAY_KEY_ERROR: &str = "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n\t\t<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>\n\t\t<returnReasonCode>30</returnReasonCode>\n\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>";

    #[test]
    fn the_gateway_xml_error_is_read_even_when_json_was_asked() {
        let error = decode(200, GATEWAY_KEY_ERROR).unwrap_err();
        assert_eq!(
            error,
            AirQualityError::KeyRejected("SERVICE_KEY_IS_NOT_REGISTERED_ERROR (code 30)".into())
        );
        let quota = GATEWAY_KEY_ERROR
            .replace(
                "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
                "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR",
            )
            .replace(">30<", ">22<");
        assert_eq!(
            decode(200, &quota).unwrap_err(),
            AirQualityError::QuotaExceeded
        );
    }

    #[test]
    fn result_codes_map_to_clear_errors() {
        let json = |code: &str, message: &str| {
            format!(
                r#"{{"response":{{"header":{{"resultCode":"{code}","resultMsg":"{message}"}}}}}}"#
            )
        };
        let cases = [
            ("22", AirQualityError::QuotaExceeded),
            (
                "30",
                AirQualityError::KeyRejected(
                    "SERVICE_KEY_IS_NOT_REGISTERED_ERROR (code 30)".into(),
                ),
            ),
            (
                "31",
                AirQualityError::KeyRejected(
                    "SERVICE_KEY_IS_NOT_REGISTERED_ERROR (code 31)".into(),
                ),
            ),
            (
                "10",
                AirQualityError::Upstream {
                    code: "10".into(),
                    message: "SERVICE_KEY_IS_NOT_REGISTERED_ERROR".into(),
                },
            ),
        ];
        for (code, expected) in cases {
            let body = json(code, "SERVICE_KEY_IS_NOT_REGISTERED_ERROR");
            assert_eq!(decode(200, &body).unwrap_err(), expected, "code {code}");
        }
        let no_data = decode(200, &json("03", "NODATA_ERROR")).unwrap();
        assert!(no_data.items.is_empty());
    }

    #[test]
    fn items_and_total_count_are_read_leniently() {
        let body = r#"{"response":{"body":{"totalCount":3,"items":[{"name":"a"},7,{"name":5}],"pageNo":1,"numOfRows":10},"header":{"resultMsg":"NORMAL_CODE","resultCode":"00"}}}"#;
        let page = decode(200, body).unwrap();
        assert_eq!(page.total_count, Some(3));
        let names: Vec<_> = page.items.into_iter().map(|item| item.name).collect();
        assert_eq!(names, [Some("a".to_owned()), Some("5".to_owned())]);
        let wrapped = r#"{"response":{"body":{"totalCount":"1","items":{"item":{"name":"b"}}},"header":{"resultCode":"00"}}}"#;
        assert_eq!(decode(200, wrapped).unwrap().items.len(), 1);
    }

    #[test]
    fn http_errors_and_unreadable_bodies_are_errors() {
        assert_eq!(
            decode(503, "Service Unavailable").unwrap_err(),
            AirQualityError::Upstream {
                code: "HTTP 503".into(),
                message: "Service Unavailable".into()
            }
        );
        assert!(matches!(
            decode(200, "<html>oops</html>").unwrap_err(),
            AirQualityError::BadResponse(_)
        ));
        assert!(matches!(
            decode(200, "").unwrap_err(),
            AirQualityError::BadResponse(_)
        ));
        assert!(matches!(
            decode(200, r#"{"response":{"header":{"resultCode":"OK"}}}"#).unwrap_err(),
            AirQualityError::BadResponse(_)
        ));
        assert!(matches!(
            decode(500, "<html>oops</html>").unwrap_err(),
            AirQualityError::Upstream { .. }
        ));
    }
}
