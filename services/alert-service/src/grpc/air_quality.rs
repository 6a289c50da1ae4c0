//! `alert.v1.AirQualityService` over [`Stations`].

use alert_airquality::{Measurement, Reading, Station};
use alert_platform::identity::caller_user_id;
use alert_proto::v1::{self as pb, air_quality_service_server::AirQualityService};
use chrono::SecondsFormat;
use tonic::{Request, Response, Status};

use crate::{
    domain::content::grade_to_proto,
    stations::{NearestQuery, SearchQuery, Stations},
};

pub struct AirQualityGrpc {
    stations: Stations,
}

impl AirQualityGrpc {
    pub fn new(stations: Stations) -> AirQualityGrpc {
        AirQualityGrpc { stations }
    }
}

fn station_to_proto(station: Station) -> pb::Station {
    pb::Station {
        name: station.name,
        address: station.address,
        latitude: station.latitude,
        longitude: station.longitude,
    }
}

fn reading_to_proto(reading: &Reading) -> pb::PollutantReading {
    pb::PollutantReading {
        value: reading.value,
        grade: grade_to_proto(reading.value.and(reading.grade)).into(),
    }
}

fn measurement_to_proto(measurement: &Measurement) -> pb::StationReading {
    pb::StationReading {
        station: measurement.station.clone(),
        measured_at: measurement
            .measured_at
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        pm10: Some(reading_to_proto(&measurement.pm10)),
        pm25: Some(reading_to_proto(&measurement.pm25)),
        worse_grade: grade_to_proto(measurement.worse_grade()).into(),
    }
}

#[tonic::async_trait]
impl AirQualityService for AirQualityGrpc {
    async fn search_stations(
        &self,
        request: Request<pb::SearchStationsRequest>,
    ) -> Result<Response<pb::SearchStationsResponse>, Status> {
        caller_user_id(&request)?;
        let query = SearchQuery::try_from(request.into_inner())?;
        let stations = self.stations.search(&query).await?;
        Ok(Response::new(pb::SearchStationsResponse {
            stations: stations.into_iter().map(station_to_proto).collect(),
        }))
    }

    async fn nearest_stations(
        &self,
        request: Request<pb::NearestStationsRequest>,
    ) -> Result<Response<pb::NearestStationsResponse>, Status> {
        caller_user_id(&request)?;
        let query = NearestQuery::try_from(request.into_inner())?;
        let stations = self.stations.nearest(&query).await?;
        Ok(Response::new(pb::NearestStationsResponse {
            stations: stations
                .into_iter()
                .map(|nearby| pb::NearbyStation {
                    station: Some(station_to_proto(nearby.station)),
                    distance_km: nearby.distance_km,
                })
                .collect(),
        }))
    }

    async fn get_station_reading(
        &self,
        request: Request<pb::GetStationReadingRequest>,
    ) -> Result<Response<pb::GetStationReadingResponse>, Status> {
        caller_user_id(&request)?;
        let measurement = self.stations.reading(&request.get_ref().station).await?;
        Ok(Response::new(pb::GetStationReadingResponse {
            reading: Some(measurement_to_proto(&measurement)),
        }))
    }
}
