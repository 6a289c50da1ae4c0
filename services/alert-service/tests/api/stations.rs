//! AirQualityService (choosing a station, previewing its reading) and air-quality content on
//! alerts: what is accepted, what is refused and how.

use alert_platform::error::status_reason;
use alert_proto::v1::{
    self as pb, AirQualityGrade as Grade, AirQualityMeasure as Measure,
    UnavailableMeasurementPolicy as Policy, air_quality_condition::Threshold,
    air_quality_service_client::AirQualityServiceClient, alert_content::Kind,
};
use alert_testkit::{StubMeasurement, StubMode};
use tonic::{Code, Status, transport::Channel};

use crate::helpers::{
    TestApp, air_quality_alert, as_user, assert_rejected, at_least_grade, spawn_app,
    spawn_app_with_air_korea, weekday_alert,
};

const USER: &str = "0190b7a4-1a2b-7c3d-8e9f-0a1b2c3d4e5f";

impl TestApp {
    fn air_quality(&self) -> AirQualityServiceClient<Channel> {
        AirQualityServiceClient::new(self.channel.clone())
    }

    async fn search(&self, query: &str, limit: u32) -> Result<Vec<pb::Station>, Status> {
        let request = pb::SearchStationsRequest {
            query: query.into(),
            limit,
        };
        Ok(self
            .air_quality()
            .search_stations(as_user(request, USER))
            .await?
            .into_inner()
            .stations)
    }

    async fn nearest(
        &self,
        latitude: f64,
        longitude: f64,
        limit: u32,
    ) -> Result<Vec<pb::NearbyStation>, Status> {
        let request = pb::NearestStationsRequest {
            latitude,
            longitude,
            limit,
        };
        Ok(self
            .air_quality()
            .nearest_stations(as_user(request, USER))
            .await?
            .into_inner()
            .stations)
    }

    async fn reading(&self, station: &str) -> Result<pb::StationReading, Status> {
        let request = pb::GetStationReadingRequest {
            station: station.into(),
        };
        Ok(self
            .air_quality()
            .get_station_reading(as_user(request, USER))
            .await?
            .into_inner()
            .reading
            .expect("a reading"))
    }
}

#[tokio::test]
async fn stations_are_found_by_name_and_by_distance_and_their_reading_previewed() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_measurement(
        "종로구",
        StubMeasurement::new("45", "2", "38", "3", "2026-11-30 08:00"),
    );
    stub.set_measurement(
        "중구",
        StubMeasurement::new("-", "", "12", "1", "2026-11-30 24:00"),
    );

    let found = app.search(" 종로 ", 0).await.unwrap();
    assert_eq!(found[0].name, "종로구", "{found:?}");
    assert_eq!(found[0].address, "서울 종로구 종로35길 19");
    let by_address = app.search("서울", 3).await.unwrap();
    assert_eq!(by_address.len(), 3, "the limit is kept: {by_address:?}");

    let nearest = app.nearest(37.5721, 127.0050, 2).await.unwrap();
    let names: Vec<_> = nearest
        .iter()
        .map(|nearby| nearby.station.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(names, ["종로구", "중구"], "nearest first");
    assert!(nearest[0].distance_km < 0.1, "{nearest:?}");
    assert!(nearest[0].distance_km < nearest[1].distance_km);

    let reading = app.reading("종로구").await.unwrap();
    assert_eq!(
        reading,
        pb::StationReading {
            station: "종로구".into(),
            measured_at: "2026-11-30T08:00:00+09:00".into(),
            pm10: Some(pb::PollutantReading {
                value: Some(45),
                grade: Grade::Moderate.into(),
            }),
            pm25: Some(pb::PollutantReading {
                value: Some(38),
                grade: Grade::Bad.into(),
            }),
            worse_grade: Grade::Bad.into(),
        }
    );
    let missing = app.reading("중구").await.unwrap();
    assert_eq!(
        missing.pm10,
        Some(pb::PollutantReading {
            value: None,
            grade: Grade::Unspecified.into()
        }),
        "\"-\" is no value, not zero"
    );
    assert_eq!(
        missing.measured_at, "2026-12-01T00:00:00+09:00",
        "24:00 is midnight"
    );
    assert_eq!(missing.worse_grade(), Grade::Good);
}

#[tokio::test]
async fn bad_station_queries_are_refused_naming_the_field() {
    let (app, _stub) = spawn_app_with_air_korea(&[]).await;
    let cases = [
        (
            "empty query",
            app.search("  ", 0).await.map(drop),
            "query",
            "must not be empty",
        ),
        (
            "limit too high",
            app.search("종로", 51).await.map(drop),
            "limit",
            "between 1 and 50",
        ),
        (
            "latitude",
            app.nearest(91.0, 127.0, 0).await.map(drop),
            "latitude",
            "from -90 to 90",
        ),
        (
            "longitude",
            app.nearest(37.0, f64::NAN, 0).await.map(drop),
            "longitude",
            "from -180 to 180",
        ),
        (
            "empty station",
            app.reading(" ").await.map(drop),
            "station",
            "must not be empty",
        ),
        (
            "unknown station",
            app.reading("없는역").await.map(drop),
            "station",
            "no AirKorea station is named \"없는역\"",
        ),
    ];
    for (case, result, field, fragment) in cases {
        let status = result.expect_err(case);
        assert_rejected(case, &status, Code::InvalidArgument, Some(field), fragment);
    }
}

#[tokio::test]
async fn airkorea_failures_are_unavailable_with_a_message_for_the_user() {
    let cases = [
        (
            StubMode::QuotaExceeded,
            "AIR_QUALITY_QUOTA_EXCEEDED",
            "daily request quota is used up",
        ),
        (
            StubMode::KeyNotRegistered,
            "AIR_QUALITY_KEY_REJECTED",
            "refuses this server's API key",
        ),
        (
            StubMode::Http(503),
            "AIR_QUALITY_UNAVAILABLE",
            "not answering right now",
        ),
        (
            StubMode::Delay(std::time::Duration::from_secs(3)),
            "AIR_QUALITY_UNAVAILABLE",
            "not answering right now",
        ),
    ];
    for (mode, reason, fragment) in cases {
        let (app, stub) = spawn_app_with_air_korea(&[("AIR_QUALITY_TIMEOUT", "200ms")]).await;
        stub.set_mode(mode.clone());
        let status = app.reading("종로구").await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable, "{mode:?}: {status:?}");
        assert!(
            status.message().contains(fragment),
            "{mode:?}: {}",
            status.message()
        );
        assert_eq!(status_reason(&status).as_deref(), Some(reason), "{mode:?}");
    }
}

#[tokio::test]
async fn without_a_key_air_quality_is_refused_and_plain_alerts_work() {
    let app = spawn_app().await;
    let status = app.search("종로", 0).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("AIR_QUALITY_API_KEY"),
        "{}",
        status.message()
    );

    let user_id = app.user_id("me@example.com").await;
    let status = app
        .alerts()
        .create_alert(as_user(
            air_quality_alert("종로구", None, Policy::Send),
            &user_id,
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert_eq!(
        status_reason(&status).as_deref(),
        Some("AIR_QUALITY_NOT_CONFIGURED")
    );
    let plain = app.create_alert(&user_id, weekday_alert()).await;
    assert!(matches!(
        plain.content.and_then(|content| content.kind),
        Some(Kind::Plain(_))
    ));
}

#[tokio::test]
async fn air_quality_alerts_need_a_listed_station_known_placeholders_and_a_sound_condition() {
    let (app, _stub) = spawn_app_with_air_korea(&[]).await;
    let user_id = app.user_id("me@example.com").await;
    let value_condition = |measure: Measure, value| {
        Some(pb::AirQualityCondition {
            measure: measure.into(),
            threshold: Some(Threshold::AtLeastValue(value)),
        })
    };
    let cases = [
        (
            "unknown station",
            air_quality_alert("없는역", None, Policy::Send),
            "content.air_quality.station",
            "no AirKorea station is named \"없는역\"",
        ),
        (
            "unknown placeholder",
            pb::CreateAlertRequest {
                body: "PM2.5 {pm2.5}".into(),
                ..air_quality_alert("종로구", None, Policy::Send)
            },
            "body",
            "unknown placeholder {pm2.5}",
        ),
        (
            "unmatched brace",
            pb::CreateAlertRequest {
                title: "{station".into(),
                ..air_quality_alert("종로구", None, Policy::Send)
            },
            "title",
            "unmatched brace",
        ),
        (
            "value out of range",
            air_quality_alert("종로구", value_condition(Measure::Pm10, 0), Policy::Send),
            "content.air_quality.condition",
            "1 to 1000",
        ),
        (
            "value of the worse",
            air_quality_alert("종로구", value_condition(Measure::Worse, 50), Policy::Send),
            "content.air_quality.condition",
            "compares grades",
        ),
        (
            "no grade",
            air_quality_alert(
                "종로구",
                at_least_grade(Measure::Pm25, Grade::Unspecified),
                Policy::Send,
            ),
            "content.air_quality.condition",
            "at_least_grade",
        ),
    ];
    for case in cases {
        app.assert_create_rejected(&user_id, case).await;
    }
    assert!(
        app.alerts_of(&user_id).await.is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn any_station_is_accepted_while_the_station_list_is_unavailable() {
    let (app, stub) = spawn_app_with_air_korea(&[]).await;
    stub.set_mode(StubMode::QuotaExceeded);
    let user_id = app.user_id("me@example.com").await;
    let alert = app
        .create_alert(&user_id, air_quality_alert("새 측정소", None, Policy::Send))
        .await;
    let Some(Kind::AirQuality(content)) = alert.content.and_then(|content| content.kind) else {
        panic!("air-quality content")
    };
    assert_eq!(content.station, "새 측정소");
}

#[tokio::test]
async fn an_alert_switches_between_plain_and_air_quality_content() {
    let (app, _stub) = spawn_app_with_air_korea(&[]).await;
    let user_id = app.user_id("me@example.com").await;
    let plain = app.create_alert(&user_id, weekday_alert()).await;
    let air_quality = air_quality_alert(
        "강남구",
        at_least_grade(Measure::Worse, Grade::VeryBad),
        Policy::Skip,
    )
    .content;

    let update = |request: pb::UpdateAlertRequest| {
        let mut client = app.alerts();
        let user_id = user_id.clone();
        async move { client.update_alert(as_user(request, &user_id)).await }
    };
    let switched = update(pb::UpdateAlertRequest {
        id: plain.id.clone(),
        title: Some(String::new()),
        content: air_quality.clone(),
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
    .alert
    .unwrap();
    assert_eq!(switched.content, air_quality);
    assert_eq!(switched.title, "", "the default title template");
    assert_eq!(switched.body, plain.body, "kept");

    let plain_content = Some(pb::AlertContent {
        kind: Some(Kind::Plain(pb::PlainContent {})),
    });
    let status = update(pb::UpdateAlertRequest {
        id: plain.id.clone(),
        content: plain_content.clone(),
        ..Default::default()
    })
    .await
    .unwrap_err();
    assert_rejected(
        "plain needs a title",
        &status,
        Code::InvalidArgument,
        Some("title"),
        "must not be empty",
    );
    let back = update(pb::UpdateAlertRequest {
        id: plain.id.clone(),
        title: Some("Fine dust".into()),
        content: plain_content.clone(),
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
    .alert
    .unwrap();
    assert_eq!(back.content, plain_content);
    assert_eq!(back.title, "Fine dust");
}

#[tokio::test]
async fn a_new_user_reads_korean_until_they_choose_english() {
    let app = spawn_app().await;
    let user_id = app.user_id("me@example.com").await;
    let me = app
        .auth()
        .get_me(as_user(pb::GetMeRequest {}, &user_id))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(me.language(), pb::Language::Ko);

    let status = app
        .auth()
        .update_settings(as_user(
            pb::UpdateSettingsRequest { language: Some(9) },
            &user_id,
        ))
        .await
        .unwrap_err();
    assert_rejected(
        "unknown language",
        &status,
        Code::InvalidArgument,
        Some("language"),
        "Korean or English",
    );
    let unchanged = app
        .auth()
        .update_settings(as_user(
            pb::UpdateSettingsRequest { language: None },
            &user_id,
        ))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(unchanged.language(), pb::Language::Ko);
}
