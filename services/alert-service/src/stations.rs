//! AirKorea stations and their readings, for choosing an alert's station and previewing it
//! (`alert.v1.AirQualityService`), and for the runs of air-quality alerts. Without
//! `AIR_QUALITY_API_KEY` there is no source, and everything here answers FAILED_PRECONDITION.

use std::sync::Arc;

use alert_airquality::{AirQuality, AirQualityError, Measurement, NearbyStation, Station};
use alert_proto::v1 as pb;
use tracing::warn;

use crate::{
    domain::StationName,
    error::{Error, Result},
};

const MAX_LIMIT: u32 = 50;
const DEFAULT_SEARCH_LIMIT: u32 = 10;
const DEFAULT_NEAREST_LIMIT: u32 = 5;

fn limit(requested: u32, default: u32) -> Result<usize> {
    match requested {
        0 => Ok(default as usize),
        1..=MAX_LIMIT => Ok(requested as usize),
        _ => Err(Error::InvalidLimit { max: MAX_LIMIT }),
    }
}

/// A parsed `SearchStations` request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub query: String,
    pub limit: usize,
}

impl TryFrom<pb::SearchStationsRequest> for SearchQuery {
    type Error = Error;

    fn try_from(request: pb::SearchStationsRequest) -> Result<SearchQuery> {
        let query = request.query.trim();
        if query.is_empty() {
            return Err(Error::EmptyQuery);
        }
        Ok(SearchQuery {
            query: query.to_owned(),
            limit: limit(request.limit, DEFAULT_SEARCH_LIMIT)?,
        })
    }
}

/// A parsed `NearestStations` request.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestQuery {
    pub latitude: f64,
    pub longitude: f64,
    pub limit: usize,
}

fn coordinate(value: f64, field: &'static str, bound: f64) -> Result<f64> {
    if value.is_finite() && (-bound..=bound).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidCoordinate {
            field,
            min: -bound,
            max: bound,
        })
    }
}

impl TryFrom<pb::NearestStationsRequest> for NearestQuery {
    type Error = Error;

    fn try_from(request: pb::NearestStationsRequest) -> Result<NearestQuery> {
        Ok(NearestQuery {
            latitude: coordinate(request.latitude, "latitude", 90.0)?,
            longitude: coordinate(request.longitude, "longitude", 180.0)?,
            limit: limit(request.limit, DEFAULT_NEAREST_LIMIT)?,
        })
    }
}

/// The air-quality source, if configured.
#[derive(Clone, Debug)]
pub struct Stations {
    source: Option<AirQuality>,
}

impl Stations {
    pub fn new(source: Option<AirQuality>) -> Stations {
        Stations { source }
    }

    fn source(&self) -> Result<&AirQuality> {
        self.source.as_ref().ok_or(Error::AirQualityNotConfigured)
    }

    /// Refuses air-quality content without a source, and a station AirKorea does not list. When
    /// the list cannot be had (AirKorea down) any name is accepted: its runs will tell.
    pub async fn ensure_known(&self, station: &StationName) -> Result<()> {
        let source = self.source()?;
        match source.stations().await {
            Ok(stations) if stations.iter().any(|known| known.name == station.as_str()) => Ok(()),
            Ok(_) => Err(Error::UnknownStation {
                field: "content.air_quality.station",
                station: station.as_str().to_owned(),
            }),
            Err(error) => {
                warn!(station = station.as_str(), %error, "station list unavailable, station accepted unchecked");
                Ok(())
            }
        }
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<Vec<Station>> {
        self.source()?
            .search_stations(&query.query, query.limit)
            .await
            .map_err(Error::AirQuality)
    }

    pub async fn nearest(&self, query: &NearestQuery) -> Result<Vec<NearbyStation>> {
        self.source()?
            .nearest_stations(query.latitude, query.longitude, query.limit)
            .await
            .map_err(Error::AirQuality)
    }

    /// The latest reading of a station, for the editor's preview.
    pub async fn reading(&self, station: &str) -> Result<Arc<Measurement>> {
        let station = station.trim();
        if station.is_empty() {
            return Err(Error::TextEmpty { field: "station" });
        }
        self.source()?
            .measurement(station)
            .await
            .map_err(|error| match error {
                AirQualityError::UnknownStation(station) => Error::UnknownStation {
                    field: "station",
                    station,
                },
                other => Error::AirQuality(other),
            })
    }

    /// The latest reading of a station for a run, or why there is none.
    pub async fn reading_for_run(&self, station: &StationName) -> Result<Arc<Measurement>, String> {
        let Some(source) = &self.source else {
            return Err(AirQualityError::NotConfigured.to_string());
        };
        source
            .measurement(station.as_str())
            .await
            .map_err(|error| error.to_string())
    }
}
