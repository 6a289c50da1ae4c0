//! Air-quality content over REST: station search, nearest stations, a station's reading, alert
//! content and runs, the language setting, and AirKorea's failures answered with their message.

use std::collections::HashMap;

use alert_proto::v1::{
    AirQualityCondition, AirQualityContent, AirQualityGrade, AirQualityMeasure, AlertContent,
    CreateAlertRequest, GetStationReadingRequest, Language, NearestStationsRequest,
    SearchStationsRequest, UnavailableMeasurementPolicy, UpdateAlertRequest, UpdateSettingsRequest,
    air_quality_condition::Threshold, alert_content::Kind,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::helpers::spawn_app;

#[tokio::test]
async fn stations_are_searched_and_found_near_a_point_as_the_signed_in_user() {
    let app = spawn_app().await;
    let search = app
        .call(
            Method::GET,
            "/air-quality/stations?query=%EC%A2%85%EB%A1%9C&limit=2",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.text);
    assert_eq!(
        search.json["stations"][0],
        json!({"name": "종로구", "address": "서울 종로구", "latitude": 37.57, "longitude": 127.0})
    );
    let (user, request) = app
        .recorder
        .last::<SearchStationsRequest>("AirQualityService/SearchStations");
    assert_eq!(user.as_deref(), Some("user-1"));
    assert_eq!(
        request,
        SearchStationsRequest {
            query: "종로".into(),
            limit: 2
        }
    );

    let nearest = app
        .call(
            Method::GET,
            "/air-quality/stations/nearest?lat=37.5720&lon=127.0050",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(nearest.status, StatusCode::OK, "{}", nearest.text);
    assert_eq!(nearest.json["stations"][0]["name"], "종로구");
    assert_eq!(nearest.json["stations"][0]["distanceKm"], 0.25);
    let (_, request) = app
        .recorder
        .last::<NearestStationsRequest>("AirQualityService/NearestStations");
    assert_eq!(
        (request.latitude, request.longitude, request.limit),
        (37.572, 127.005, 0)
    );
}

#[tokio::test]
async fn a_stations_reading_says_null_for_what_was_not_measured() {
    let app = spawn_app().await;
    let response = app
        .call(
            Method::GET,
            "/air-quality/stations/%EC%A2%85%EB%A1%9C%EA%B5%AC/reading",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.json,
        json!({"station": "종로구", "measuredAt": "2024-01-02T08:00:00+09:00",
               "pm10": {"value": 45, "grade": "moderate"}, "pm25": {"value": null, "grade": null},
               "worseGrade": "moderate"})
    );
    let (_, request) = app
        .recorder
        .last::<GetStationReadingRequest>("AirQualityService/GetStationReading");
    assert_eq!(request.station, "종로구", "the path is decoded");
}

#[tokio::test]
async fn nearest_needs_a_numeric_latitude_and_longitude() {
    let app = spawn_app().await;
    for (query, field) in [
        ("lon=127", "lat"),
        ("lat=north&lon=127", "lat"),
        ("lat=37", "lon"),
    ] {
        let response = app
            .call(
                Method::GET,
                &format!("/air-quality/stations/nearest?{query}"),
                Some("user-1"),
                None,
            )
            .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            response.json["error"]["field"], field,
            "{query}: {}",
            response.text
        );
    }
    assert!(!app.recorder.called("AirQualityService/NearestStations"));
}

#[tokio::test]
async fn an_exhausted_airkorea_quota_is_a_503_that_says_so() {
    let app = spawn_app().await;
    // What alert-service answers (alert_platform::error::into_status with a reason).
    app.recorder.fail("AirQualityService/GetStationReading", || {
        Status::with_error_details(
            Code::Unavailable,
            "AirKorea's daily request quota is used up: air-quality data is unavailable until it resets",
            ErrorDetails::with_error_info(
                "AIR_QUALITY_QUOTA_EXCEEDED",
                "alert-system",
                HashMap::<String, String>::new(),
            ),
        )
    });
    let response = app
        .call(
            Method::GET,
            "/air-quality/stations/x/reading",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json,
        json!({"error": {"code": "unavailable", "reason": "AIR_QUALITY_QUOTA_EXCEEDED",
            "message": "AirKorea's daily request quota is used up: air-quality data is unavailable until it resets"}})
    );

    // The same code without our reason stays opaque: it may come from anywhere.
    app.recorder
        .fail("AirQualityService/GetStationReading", || {
            Status::unavailable("dns error: apis.data.go.kr")
        });
    let response = app
        .call(
            Method::GET,
            "/air-quality/stations/x/reading",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!response.text.contains("dns"), "{}", response.text);
}

#[tokio::test]
async fn air_quality_content_is_forwarded_on_create_and_update_and_shown_on_alerts() {
    let app = spawn_app().await;
    let content = json!({"airQuality": {"station": "종로구",
        "condition": {"measure": "pm25", "atLeastValue": 36}, "whenUnavailable": "skip"}});
    let response = app
        .call(
            Method::POST,
            "/alerts",
            Some("user-1"),
            Some(json!({"name": "dust", "schedule": "0 8 * * *", "content": content})),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    assert_eq!(
        response.json["content"],
        json!({"plain": {}}),
        "the fake answers plain"
    );
    let expected = AlertContent {
        kind: Some(Kind::AirQuality(AirQualityContent {
            station: "종로구".into(),
            condition: Some(AirQualityCondition {
                measure: AirQualityMeasure::Pm25.into(),
                threshold: Some(Threshold::AtLeastValue(36)),
            }),
            when_unavailable: UnavailableMeasurementPolicy::Skip.into(),
        })),
    };
    let (_, request) = app
        .recorder
        .last::<CreateAlertRequest>("AlertService/CreateAlert");
    assert_eq!(request.content, Some(expected));
    assert_eq!(
        request.title, "",
        "an air-quality alert may leave the title to the default"
    );

    let response = app
        .call(
            Method::PATCH,
            "/alerts/alert-1",
            Some("user-1"),
            Some(json!({"content": {"airQuality": {"station": "중구",
                "condition": {"measure": "worse", "atLeastGrade": "veryBad"}}}})),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let (_, request) = app
        .recorder
        .last::<UpdateAlertRequest>("AlertService/UpdateAlert");
    let Some(Kind::AirQuality(content)) = request.content.and_then(|content| content.kind) else {
        panic!("air-quality content forwarded")
    };
    assert_eq!(
        content.condition.unwrap().threshold,
        Some(Threshold::AtLeastGrade(AirQualityGrade::VeryBad.into()))
    );
    assert_eq!(
        content.when_unavailable(),
        UnavailableMeasurementPolicy::Send,
        "the default"
    );
}

#[tokio::test]
async fn malformed_content_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"plain": {}, "airQuality": {"station": "중구"}}),
            "content",
        ),
        (
            json!({"airQuality": {"station": "중구",
            "condition": {"measure": "pm10", "atLeastGrade": "bad", "atLeastValue": 80}}}),
            "content.airQuality.condition",
        ),
        (
            json!({"airQuality": {"station": "중구", "condition": {"measure": "pm2.5"}}}),
            "content.airQuality.condition.measure",
        ),
        (
            json!({"airQuality": {"station": "중구", "whenUnavailable": "retry"}}),
            "content.airQuality.whenUnavailable",
        ),
        (json!({"airQuality": {}}), "content.airQuality.station"),
    ];
    for (content, field) in cases {
        let response = app
            .call(
                Method::POST,
                "/alerts",
                Some("user-1"),
                Some(json!({"name": "n", "schedule": "0 8 * * *", "content": content})),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::BAD_REQUEST,
            "{content}: {}",
            response.text
        );
        assert_eq!(
            response.json["error"]["field"], field,
            "{content}: {}",
            response.text
        );
    }
    assert!(!app.recorder.called("AlertService/CreateAlert"));
}

#[tokio::test]
async fn runs_are_listed_with_why_a_run_was_skipped() {
    let app = spawn_app().await;
    let response = app
        .call(
            Method::GET,
            "/alerts/alert-1/runs?limit=5",
            Some("user-1"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(
        response.json,
        json!({"runs": [
            {"scheduledTime": "2024-01-02T08:00:00+09:00", "outcome": "skipped", "deliveries": 0,
             "reason": "condition not met: PM2.5 is good (12 µg/m³), below bad",
             "createdAt": "2024-01-01T23:00:01Z"},
            {"scheduledTime": "2024-01-01T08:00:00+09:00", "outcome": "sent", "deliveries": 2,
             "createdAt": "2023-12-31T23:00:01Z"},
        ]})
    );
}

#[tokio::test]
async fn the_language_setting_is_changed_and_shown() {
    let app = spawn_app().await;
    let me = app
        .call(Method::GET, "/auth/me", Some("user-1"), None)
        .await;
    assert_eq!(me.json["user"]["language"], "ko");

    let response = app
        .call(
            Method::PATCH,
            "/auth/me",
            Some("user-1"),
            Some(json!({"language": "en"})),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.json["user"]["language"], "en");
    let (user, request) = app
        .recorder
        .last::<UpdateSettingsRequest>("AuthService/UpdateSettings");
    assert_eq!(user.as_deref(), Some("user-1"));
    assert_eq!(request.language, Some(Language::En.into()));

    let refused = app
        .call(
            Method::PATCH,
            "/auth/me",
            Some("user-1"),
            Some(json!({"language": "fr"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json["error"]["field"], "language");
}
