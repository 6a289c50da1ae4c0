//! The stub itself, read raw: it must look like the real API, or the tests above prove little.

use alert_testkit::{AirKoreaStub, StubMeasurement, StubMode};
use serde_json::Value;

async fn get(stub: &AirKoreaStub, path_and_query: &str) -> (String, String) {
    let url = format!("{}/{path_and_query}", stub.base_url());
    let response = reqwest::get(url).await.unwrap();
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_measurement_answer_has_the_real_envelope_with_strings_and_null_flags() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "-", "", "2024-05-01 24:00"),
    );

    let (_, body) = get(
        &stub,
        "ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty?serviceKey=k&returnType=json\
         &numOfRows=1&pageNo=1&stationName=%EC%A2%85%EB%A1%9C%EA%B5%AC&dataTerm=DAILY&ver=1.3",
    )
    .await;
    let json: Value = serde_json::from_str(&body).unwrap();

    let response = &json["response"];
    assert_eq!(response["header"]["resultCode"], "00");
    assert_eq!(response["header"]["resultMsg"], "NORMAL_CODE");
    assert_eq!(response["body"]["totalCount"], 1);
    assert_eq!(response["body"]["pageNo"], 1);
    assert_eq!(response["body"]["numOfRows"], 1);
    let item = &response["body"]["items"][0];
    assert_eq!(item["pm10Value"], "35");
    assert_eq!(item["pm10Grade1h"], "2");
    assert_eq!(item["pm25Value"], "-");
    assert_eq!(item["pm25Grade1h"], "");
    assert_eq!(item["pm10Flag"], Value::Null);
    assert_eq!(item["dataTime"], "2024-05-01 24:00");
}

#[tokio::test]
async fn a_station_list_page_has_coordinates_as_strings() {
    let stub = AirKoreaStub::start().await;
    let (_, body) = get(
        &stub,
        "MsrstnInfoInqireSvc/getMsrstnList?serviceKey=k&returnType=json&numOfRows=2&pageNo=2",
    )
    .await;
    let json: Value = serde_json::from_str(&body).unwrap();
    let page = &json["response"]["body"];
    assert_eq!(page["pageNo"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["items"][0]["dmX"].is_string());
    assert!(page["totalCount"].as_u64().unwrap() > 2);
}

#[tokio::test]
async fn gateway_errors_are_xml_whatever_was_asked() {
    let stub = AirKoreaStub::start().await;
    let path = "ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty?serviceKey=k&returnType=json&stationName=x";
    for (mode, code) in [
        (StubMode::QuotaExceeded, "22"),
        (StubMode::KeyNotRegistered, "30"),
    ] {
        stub.set_mode(mode);
        let (content_type, body) = get(&stub, path).await;
        assert!(content_type.starts_with("text/xml"), "{content_type}");
        assert!(body.starts_with("<OpenAPI_ServiceResponse>"), "{body}");
        assert!(
            body.contains(&format!("<returnReasonCode>{code}</returnReasonCode>")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_request_without_a_key_is_refused_like_the_gateway_does() {
    let stub = AirKoreaStub::start().await;
    let (_, body) = get(&stub, "MsrstnInfoInqireSvc/getMsrstnList?returnType=json").await;
    assert!(
        body.contains("SERVICE_KEY_IS_NOT_REGISTERED_ERROR"),
        "{body}"
    );
}
