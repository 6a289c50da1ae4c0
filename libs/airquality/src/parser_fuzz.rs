//! Property tests: no body, however broken, makes the parsers panic, and a reading they accept
//! is never a made-up zero.

use proptest::prelude::*;

use crate::client::{measurement_from_body, station_page_from_body};

/// JSON-ish text built from the pieces real answers are made of, so the generator reaches deep
/// into the envelope instead of failing at the first byte.
fn answer_like() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("null".to_owned()),
        Just("\"-\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"통신장애\"".to_owned()),
        "\"[0-9]{1,6}(\\.[0-9]{1,3})?\"",
        "-?[0-9]{1,12}(\\.[0-9]{1,4})?",
        "\"20[0-9]{2}-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]\"",
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let field = prop_oneof![
        Just("dataTime"),
        Just("pm10Value"),
        Just("pm25Value"),
        Just("pm10Grade1h"),
        Just("pm25Grade1h"),
        Just("pm10Flag"),
        Just("pm25Flag"),
        Just("stationName"),
        Just("dmX"),
        Just("dmY"),
        Just("addr"),
    ];
    let item = prop::collection::vec((field, value.clone()), 0..8).prop_map(|pairs| {
        let fields: Vec<String> = pairs
            .into_iter()
            .map(|(name, value)| format!("\"{name}\":{value}"))
            .collect();
        format!("{{{}}}", fields.join(","))
    });
    (
        prop::collection::vec(item, 0..4),
        value,
        prop_oneof![Just("\"00\""), Just("\"03\""), Just("\"22\""), Just("0"), Just("null")],
    )
        .prop_map(|(items, total, code)| {
            format!(
                r#"{{"response":{{"body":{{"totalCount":{total},"items":[{}],"pageNo":1,"numOfRows":10}},"header":{{"resultMsg":"NORMAL_CODE","resultCode":{code}}}}}}}"#,
                items.join(",")
            )
        })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(status in 100u16..600, body in any::<String>()) {
        let _ = measurement_from_body("종로구", status, &body);
        let _ = station_page_from_body(status, &body);
    }

    #[test]
    fn truncated_or_corrupted_answers_never_panic(
        status in 100u16..600,
        body in answer_like(),
        cut in any::<prop::sample::Index>(),
    ) {
        let cut_at = cut.index(body.len() + 1);
        let truncated: String = body.chars().take(cut_at).collect();
        for text in [body.as_str(), truncated.as_str()] {
            let _ = station_page_from_body(status, text);
            if let Ok(measurement) = measurement_from_body("종로구", status, text) {
                for reading in [&measurement.pm10, &measurement.pm25] {
                    // A grade only ever comes with a value: nothing unavailable reads as "good".
                    prop_assert_eq!(reading.value.is_some(), reading.grade.is_some());
                }
            }
        }
    }

    #[test]
    fn gateway_xml_with_any_code_is_an_error(code in "[0-9]{1,3}", message in "[A-Z_]{0,40}") {
        let body = format!(
            "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>{message}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
        );
        prop_assert!(measurement_from_body("종로구", 200, &body).is_err());
    }
}
