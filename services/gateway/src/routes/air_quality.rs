//! `/air-quality/*`: AirKorea stations and their latest reading, for choosing an alert's station
//! and previewing it; served by alert-service's `AirQualityService`.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    AirQualityGrade, GetStationReadingRequest, NearestStationsRequest, PollutantReading,
    SearchStationsRequest, Station, StationReading,
};
use axum::{
    Json,
    extract::{Path, State},
};
use serde::{Deserialize, Serialize};

use super::{AppState, content::GradeJson, present};
use crate::{
    error::{Error, Result},
    extract::{Caller, QueryParams, optional_count},
};

const SERVICE: &str = "alert-service";

fn upstream(status: tonic::Status) -> Error {
    Error::upstream(SERVICE, status)
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    query: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NearestQuery {
    lat: Option<String>,
    lon: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StationJson {
    name: String,
    address: String,
    latitude: f64,
    longitude: f64,
}

impl From<Station> for StationJson {
    fn from(station: Station) -> Self {
        StationJson {
            name: station.name,
            address: station.address,
            latitude: station.latitude,
            longitude: station.longitude,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StationsJson {
    stations: Vec<StationJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearbyStationJson {
    #[serde(flatten)]
    station: StationJson,
    distance_km: f64,
}

#[derive(Debug, Serialize)]
pub struct NearbyStationsJson {
    stations: Vec<NearbyStationJson>,
}

/// One pollutant: `value` and `grade` are null when the station reported none.
#[derive(Debug, Serialize)]
pub struct PollutantJson {
    value: Option<u32>,
    grade: Option<GradeJson>,
}

impl From<Option<PollutantReading>> for PollutantJson {
    fn from(reading: Option<PollutantReading>) -> Self {
        let reading = reading.unwrap_or_default();
        PollutantJson {
            value: reading.value,
            grade: GradeJson::from_proto(reading.grade()),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadingJson {
    station: String,
    measured_at: String,
    pm10: PollutantJson,
    pm25: PollutantJson,
    worse_grade: Option<GradeJson>,
}

impl From<StationReading> for ReadingJson {
    fn from(reading: StationReading) -> Self {
        let worse_grade = AirQualityGrade::try_from(reading.worse_grade)
            .ok()
            .and_then(GradeJson::from_proto);
        ReadingJson {
            station: reading.station,
            measured_at: reading.measured_at,
            pm10: reading.pm10.into(),
            pm25: reading.pm25.into(),
            worse_grade,
        }
    }
}

/// A coordinate of the query string: required, a number.
fn coordinate(raw: Option<&str>, field: &str) -> Result<f64> {
    let raw = raw
        .map(str::trim)
        .filter(|raw| !raw.is_empty())
        .ok_or_else(|| Error::MissingField {
            field: field.to_owned(),
        })?;
    raw.parse()
        .map_err(|_| Error::invalid_field(field, format!("{field} must be a number, got {raw:?}")))
}

/// `GET /air-quality/stations?query=&limit=` → `{stations}` whose name or address contains the
/// query, an exact name first.
pub async fn search(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    QueryParams(query): QueryParams<SearchQuery>,
) -> Result<Json<StationsJson>> {
    let request = SearchStationsRequest {
        query: query.query.unwrap_or_default(),
        limit: optional_count(query.limit.as_deref(), "limit")?,
    };
    let response = state
        .air_quality
        .clone()
        .search_stations(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(StationsJson {
        stations: response
            .into_inner()
            .stations
            .into_iter()
            .map(StationJson::from)
            .collect(),
    }))
}

/// `GET /air-quality/stations/nearest?lat=&lon=&limit=` → `{stations}` nearest first, each with
/// its `distanceKm`.
pub async fn nearest(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    QueryParams(query): QueryParams<NearestQuery>,
) -> Result<Json<NearbyStationsJson>> {
    let request = NearestStationsRequest {
        latitude: coordinate(query.lat.as_deref(), "lat")?,
        longitude: coordinate(query.lon.as_deref(), "lon")?,
        limit: optional_count(query.limit.as_deref(), "limit")?,
    };
    let response = state
        .air_quality
        .clone()
        .nearest_stations(user_request(request, &user_id))
        .await
        .map_err(upstream)?;
    let stations = response
        .into_inner()
        .stations
        .into_iter()
        .map(|nearby| {
            Ok(NearbyStationJson {
                station: present(nearby.station, SERVICE, "station")?.into(),
                distance_km: nearby.distance_km,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Json(NearbyStationsJson { stations }))
}

/// `GET /air-quality/stations/{name}/reading` → the station's latest PM10 and PM2.5.
pub async fn reading(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    station: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Json<ReadingJson>> {
    let Path(station) = station.map_err(|rejection| {
        Error::invalid_field(
            "station",
            format!(
                "station in the path is malformed: {}",
                rejection.body_text()
            ),
        )
    })?;
    let response = state
        .air_quality
        .clone()
        .get_station_reading(user_request(GetStationReadingRequest { station }, &user_id))
        .await
        .map_err(upstream)?;
    Ok(Json(
        present(response.into_inner().reading, SERVICE, "reading")?.into(),
    ))
}
