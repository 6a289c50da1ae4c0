//! The client against the stub: what the API's answers and failures become.

use std::time::Duration;

use alert_airquality::{AirKoreaClient, AirQualityError, Grade, Reading};
use alert_testkit::{AirKoreaStub, StubMeasurement, StubMode, StubStation};

use crate::helpers::{DECODED_KEY, ENCODED_KEY, client, client_with_key, config};

#[tokio::test]
async fn a_measurement_carries_values_grades_and_the_kst_time() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("35", "2", "16", "2", "2024-05-01 13:00"),
    );

    let measurement = client(&stub).measurement("종로구").await.unwrap();

    assert_eq!(measurement.station, "종로구");
    assert_eq!(
        measurement.measured_at.to_rfc3339(),
        "2024-05-01T13:00:00+09:00"
    );
    assert_eq!(
        measurement.pm10,
        Reading {
            value: Some(35),
            grade: Some(Grade::Moderate)
        }
    );
    assert_eq!(
        measurement.pm25,
        Reading {
            value: Some(16),
            grade: Some(Grade::Moderate)
        }
    );
    assert_eq!(stub.measurement_calls_for("종로구"), 1);
}

#[tokio::test]
async fn missing_values_and_flagged_instruments_are_unavailable_never_zero() {
    let stub = AirKoreaStub::start().await;
    let client = client(&stub);
    let cases = [
        (
            "dash",
            StubMeasurement::new("-", "", "-", "", "2024-05-01 13:00"),
        ),
        (
            "empty",
            StubMeasurement::new("", "", "", "", "2024-05-01 13:00"),
        ),
        (
            "flags",
            StubMeasurement::new("12", "1", "5", "1", "2024-05-01 13:00")
                .with_flags(Some("통신장애"), Some("점검및교정")),
        ),
    ];
    for (case, item) in cases {
        stub.set_measurement("중구", item);
        let measurement = client.measurement("중구").await.unwrap();
        assert_eq!(measurement.pm10, Reading::UNAVAILABLE, "{case}: PM10");
        assert_eq!(measurement.pm25, Reading::UNAVAILABLE, "{case}: PM2.5");
        assert_eq!(measurement.worse_grade(), None, "{case}: no grade at all");
    }
}

#[tokio::test]
async fn one_flagged_pollutant_leaves_the_other_readable() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "중구",
        StubMeasurement::new("12", "1", "40", "3", "2024-05-01 13:00")
            .with_flags(Some("통신장애"), None),
    );
    let measurement = client(&stub).measurement("중구").await.unwrap();
    assert_eq!(measurement.pm10, Reading::UNAVAILABLE);
    assert_eq!(
        measurement.pm25,
        Reading {
            value: Some(40),
            grade: Some(Grade::Bad)
        }
    );
    assert_eq!(measurement.worse_grade(), Some(Grade::Bad));
}

#[tokio::test]
async fn missing_grades_are_computed_from_the_korean_standard() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "중구",
        StubMeasurement::new("151", "", "36", "-", "2024-05-01 13:00"),
    );
    let measurement = client(&stub).measurement("중구").await.unwrap();
    assert_eq!(measurement.pm10.grade, Some(Grade::VeryBad));
    assert_eq!(measurement.pm25.grade, Some(Grade::Bad));
}

#[tokio::test]
async fn midnight_written_as_24_00_is_the_start_of_the_next_day() {
    let stub = AirKoreaStub::start().await;
    stub.set_measurement(
        "중구",
        StubMeasurement::new("20", "1", "8", "1", "2024-12-31 24:00"),
    );
    let measurement = client(&stub).measurement("중구").await.unwrap();
    assert_eq!(
        measurement.measured_at.to_rfc3339(),
        "2025-01-01T00:00:00+09:00"
    );
}

#[tokio::test]
async fn a_station_without_data_is_an_unknown_station() {
    let stub = AirKoreaStub::start().await;
    let error = client(&stub).measurement("없는측정소").await.unwrap_err();
    assert_eq!(error, AirQualityError::UnknownStation("없는측정소".into()));
}

#[tokio::test]
async fn each_kind_of_failure_the_api_gives_maps_to_a_clear_error() {
    let stub = AirKoreaStub::start().await;
    let client = client(&stub);
    let json_error = |code: &str, msg: &str| StubMode::JsonError {
        code: code.into(),
        msg: msg.into(),
    };
    let cases = [
        (StubMode::QuotaExceeded, AirQualityError::QuotaExceeded),
        (
            StubMode::KeyNotRegistered,
            AirQualityError::KeyRejected("SERVICE_KEY_IS_NOT_REGISTERED_ERROR (code 30)".into()),
        ),
        (
            json_error("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"),
            AirQualityError::QuotaExceeded,
        ),
        (
            json_error("10", "INVALID_REQUEST_PARAMETER_ERROR"),
            AirQualityError::Upstream {
                code: "10".into(),
                message: "INVALID_REQUEST_PARAMETER_ERROR".into(),
            },
        ),
        (
            json_error("03", "NODATA_ERROR"),
            AirQualityError::UnknownStation("종로구".into()),
        ),
        (
            StubMode::Http(503),
            AirQualityError::Upstream {
                code: "HTTP 503".into(),
                message: "Service Unavailable".into(),
            },
        ),
    ];
    for (mode, expected) in cases {
        stub.set_mode(mode.clone());
        let error = client.measurement("종로구").await.unwrap_err();
        assert_eq!(error, expected, "stub mode {mode:?}");
    }
}

#[tokio::test]
async fn only_failures_a_retry_can_fix_are_transient() {
    let stub = AirKoreaStub::start().await;
    let client = client(&stub);
    let cases = [
        (StubMode::Http(503), true),
        (StubMode::Http(500), true),
        (StubMode::QuotaExceeded, false),
        (StubMode::KeyNotRegistered, false),
    ];
    for (mode, transient) in cases {
        stub.set_mode(mode.clone());
        let error = client.measurement("종로구").await.unwrap_err();
        assert_eq!(
            error.is_transient(),
            transient,
            "stub mode {mode:?}: {error}"
        );
    }
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let stub = AirKoreaStub::start().await;
    stub.set_mode(StubMode::Delay(Duration::from_secs(3)));
    let timeout = Duration::from_millis(200);
    let client = AirKoreaClient::new(config(&stub.base_url(), DECODED_KEY, timeout)).unwrap();

    let error = client.measurement("종로구").await.unwrap_err();

    assert_eq!(error, AirQualityError::Timeout(timeout));
    assert!(error.is_transient());
}

#[tokio::test]
async fn a_server_that_is_not_there_is_unreachable_and_the_error_does_not_leak_the_key() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/B552584", listener.local_addr().unwrap());
    drop(listener);
    let client =
        AirKoreaClient::new(config(&base_url, DECODED_KEY, Duration::from_secs(2))).unwrap();

    let error = client.measurement("종로구").await.unwrap_err();

    assert!(
        matches!(error, AirQualityError::Unreachable(_)),
        "{error:?}"
    );
    let text = format!("{error} {error:?}");
    assert!(
        !text.contains("Ab%2BcD") && !text.contains(DECODED_KEY),
        "{text}"
    );
}

#[tokio::test]
async fn the_key_arrives_the_same_whether_configured_encoded_or_decoded() {
    let stub = AirKoreaStub::start().await;
    stub.require_service_key(DECODED_KEY);
    for key in [DECODED_KEY, ENCODED_KEY] {
        let measurement = client_with_key(&stub, key).measurement("종로구").await;
        assert!(measurement.is_ok(), "key {key:?}: {measurement:?}");
        assert_eq!(
            stub.last_service_key().as_deref(),
            Some(DECODED_KEY),
            "key {key:?}"
        );
    }
    let wrong = client_with_key(&stub, "another-key")
        .measurement("종로구")
        .await;
    assert!(
        matches!(wrong, Err(AirQualityError::KeyRejected(_))),
        "{wrong:?}"
    );
}

#[tokio::test]
async fn the_station_list_maps_dm_x_to_latitude_and_dm_y_to_longitude() {
    let stub = AirKoreaStub::start().await;
    let stations = client(&stub).stations().await.unwrap();
    let jongno = stations
        .iter()
        .find(|station| station.name == "종로구")
        .unwrap();
    assert_eq!((jongno.latitude, jongno.longitude), (37.572025, 127.005028));
    assert_eq!(jongno.address, "서울 종로구 종로35길 19");
    assert_eq!(stations.len(), StubStation::defaults().len());
    assert_eq!(stub.station_list_calls(), 1);
}

#[tokio::test]
async fn the_whole_station_list_is_read_across_pages() {
    let stub = AirKoreaStub::start().await;
    let many: Vec<StubStation> = (0..2_500)
        .map(|n| {
            StubStation::new(
                &format!("측정소{n}"),
                "어딘가",
                33.0 + n as f64 / 1000.0,
                127.0,
            )
        })
        .collect();
    stub.set_stations(many);
    stub.set_page_size_limit(300);

    let stations = client(&stub).stations().await.unwrap();

    assert_eq!(stations.len(), 2_500);
    assert_eq!(stations[2_499].name, "측정소2499");
    assert_eq!(stub.station_list_calls(), 9, "2,500 rows at 300 a page");
}

#[tokio::test]
async fn station_list_failures_are_the_same_errors() {
    let stub = AirKoreaStub::start().await;
    stub.set_mode(StubMode::QuotaExceeded);
    assert_eq!(
        client(&stub).stations().await.unwrap_err(),
        AirQualityError::QuotaExceeded
    );
    stub.set_mode(StubMode::Normal);
    stub.set_stations(Vec::new());
    assert!(matches!(
        client(&stub).stations().await,
        Err(AirQualityError::BadResponse(_))
    ));
}
