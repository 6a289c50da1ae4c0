//! The AirKorea Open API (data.go.kr, service B552584), without caching.

use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use tracing::debug;
use url::{Url, form_urlencoded};

use crate::{
    error::{AirQualityError, Result},
    grades::Pollutant,
    measurement::{Measurement, Reading, parse_data_time},
    response::{Page, decode_page, lenient_text},
    station::Station,
};

/// Where the API lives (env `AIR_QUALITY_BASE_URL` overrides it).
pub const DEFAULT_BASE_URL: &str = "https://apis.data.go.kr/B552584";
/// How long one request may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

const MEASUREMENT_PATH: &str = "ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty";
const STATION_LIST_PATH: &str = "MsrstnInfoInqireSvc/getMsrstnList";
/// Rows per station-list page: the whole list (about 650 stations) fits in one.
const STATION_PAGE_ROWS: u64 = 1000;
/// A station list longer than this many pages is a server that ignores `pageNo`.
const MAX_STATION_PAGES: u64 = 50;
/// Larger answers are not AirKorea's (a 1,000-row station page is about 300 KB).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Where and how to reach AirKorea.
#[derive(Clone)]
pub struct AirKoreaConfig {
    /// Default "https://apis.data.go.kr/B552584" (env AIR_QUALITY_BASE_URL).
    pub base_url: Url,
    /// As issued: URL-encoded (contains '%') is sent as is; decoded is percent-encoded once.
    pub api_key: SecretString,
    /// Per-request timeout; default 5 s.
    pub timeout: Duration,
}

impl AirKoreaConfig {
    /// The production API with the default timeout.
    pub fn new(api_key: SecretString) -> AirKoreaConfig {
        AirKoreaConfig {
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default base URL parses"),
            api_key,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl std::fmt::Debug for AirKoreaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AirKoreaConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Asks AirKorea directly; every call is one or more upstream requests.
#[derive(Clone)]
pub struct AirKoreaClient {
    http: reqwest::Client,
    base_url: String,
    /// The key as it goes into the query string.
    encoded_key: SecretString,
    timeout: Duration,
}

impl std::fmt::Debug for AirKoreaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AirKoreaClient")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl AirKoreaClient {
    pub fn new(config: AirKoreaConfig) -> Result<AirKoreaClient> {
        let key = config.api_key.expose_secret().trim();
        if key.is_empty() {
            return Err(AirQualityError::NotConfigured);
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|error| AirQualityError::Unreachable(error.without_url().to_string()))?;
        Ok(AirKoreaClient {
            http,
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            encoded_key: encode_service_key(key).into(),
            timeout: config.timeout,
        })
    }

    /// How long one request may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty?stationName=..&dataTerm=DAILY&ver=1.3&returnType=json
    /// → the latest item (empty items → UnknownStation).
    pub async fn measurement(&self, station: &str) -> Result<Measurement> {
        let query = [
            ("returnType", "json"),
            ("numOfRows", "1"),
            ("pageNo", "1"),
            ("stationName", station),
            ("dataTerm", "DAILY"),
            ("ver", "1.3"),
        ];
        let (status, body) = self.get(MEASUREMENT_PATH, &query).await?;
        measurement_from_body(station, status, &body)
    }

    /// MsrstnInfoInqireSvc/getMsrstnList (all pages).
    pub async fn stations(&self) -> Result<Vec<Station>> {
        let mut stations = Vec::new();
        let mut rows_seen = 0;
        for page_number in 1..=MAX_STATION_PAGES {
            let rows = STATION_PAGE_ROWS.to_string();
            let page_number_text = page_number.to_string();
            let query = [
                ("returnType", "json"),
                ("numOfRows", rows.as_str()),
                ("pageNo", page_number_text.as_str()),
            ];
            let (status, body) = self.get(STATION_LIST_PATH, &query).await?;
            let page = station_page_from_body(status, &body)?;
            rows_seen += page.rows;
            stations.extend(page.stations);
            let page_rows = page.rows;
            let total = page.total_count.unwrap_or(rows_seen);
            if page_rows == 0 || rows_seen >= total {
                break;
            }
        }
        if stations.is_empty() {
            return Err(AirQualityError::BadResponse(
                "the station list is empty".into(),
            ));
        }
        debug!(
            stations = stations.len(),
            skipped = rows_seen as usize - stations.len(),
            "station list fetched"
        );
        Ok(stations)
    }

    /// The status and body of one request.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<(u16, String)> {
        let url = self.url(path, query)?;
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|error| self.transport_error(error))?;
        let status = response.status().as_u16();
        let body = read_limited(response)
            .await
            .map_err(|error| self.transport_error(error))?;
        Ok((status, String::from_utf8_lossy(&body?).into_owned()))
    }

    /// Builds the URL by hand so the key is sent exactly as encoded once: `Url`'s own query
    /// serializer would encode a pre-encoded key a second time.
    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url> {
        let rest = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        let text = format!(
            "{}/{path}?serviceKey={}&{rest}",
            self.base_url,
            self.encoded_key.expose_secret()
        );
        Url::parse(&text).map_err(|error| {
            AirQualityError::BadResponse(format!("cannot build the request URL: {error}"))
        })
    }

    /// Maps a transport failure, without the URL: it carries the service key.
    fn transport_error(&self, error: reqwest::Error) -> AirQualityError {
        if error.is_timeout() {
            AirQualityError::Timeout(self.timeout)
        } else {
            AirQualityError::Unreachable(alert_platform::error::error_chain(&error.without_url()))
        }
    }
}

/// The latest measurement in a getMsrstnAcctoRltmMesureDnsty answer.
pub(crate) fn measurement_from_body(station: &str, status: u16, body: &str) -> Result<Measurement> {
    let page: Page<MeasurementItem> = decode_page(status, body)?;
    let latest = page
        .items
        .into_iter()
        .filter_map(|item| item.into_measurement(station))
        .max_by_key(|measurement| measurement.measured_at);
    match latest {
        Some(measurement) => Ok(measurement),
        None if page.total_count.unwrap_or(0) == 0 => {
            Err(AirQualityError::UnknownStation(station.to_owned()))
        }
        None => Err(AirQualityError::BadResponse(
            "no item has a readable dataTime".into(),
        )),
    }
}

/// One page of getMsrstnList: the usable stations, how many rows it had, the total.
pub(crate) struct StationPage {
    pub stations: Vec<Station>,
    pub rows: u64,
    pub total_count: Option<u64>,
}

pub(crate) fn station_page_from_body(status: u16, body: &str) -> Result<StationPage> {
    let page: Page<StationItem> = decode_page(status, body)?;
    Ok(StationPage {
        rows: page.items.len() as u64,
        stations: page
            .items
            .into_iter()
            .filter_map(StationItem::into_station)
            .collect(),
        total_count: page.total_count,
    })
}

/// The key as it goes into the query: a key that is already URL-encoded (the portal's
/// "Encoding" key has `%2B`, `%2F`, `%3D`) is used as is; a decoded key is encoded once.
fn encode_service_key(key: &str) -> String {
    if key.contains('%') {
        key.to_owned()
    } else {
        form_urlencoded::byte_serialize(key.as_bytes()).collect()
    }
}

/// Reads the body, refusing one larger than any real answer. The outer error is the transport's,
/// the inner one a body too large.
async fn read_limited(
    mut response: reqwest::Response,
) -> std::result::Result<Result<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Ok(Err(AirQualityError::BadResponse(format!(
                "the answer is larger than {MAX_BODY_BYTES} bytes"
            ))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Ok(body))
}

/// One row of getMsrstnAcctoRltmMesureDnsty (ver 1.3); only what alerts use.
#[derive(Deserialize)]
struct MeasurementItem {
    #[serde(rename = "dataTime", default, deserialize_with = "lenient_text")]
    data_time: Option<String>,
    #[serde(rename = "pm10Value", default, deserialize_with = "lenient_text")]
    pm10_value: Option<String>,
    #[serde(rename = "pm25Value", default, deserialize_with = "lenient_text")]
    pm25_value: Option<String>,
    #[serde(rename = "pm10Grade1h", default, deserialize_with = "lenient_text")]
    pm10_grade_1h: Option<String>,
    #[serde(rename = "pm25Grade1h", default, deserialize_with = "lenient_text")]
    pm25_grade_1h: Option<String>,
    #[serde(rename = "pm10Flag", default, deserialize_with = "lenient_text")]
    pm10_flag: Option<String>,
    #[serde(rename = "pm25Flag", default, deserialize_with = "lenient_text")]
    pm25_flag: Option<String>,
}

impl MeasurementItem {
    fn into_measurement(self, station: &str) -> Option<Measurement> {
        Some(Measurement {
            station: station.to_owned(),
            measured_at: parse_data_time(self.data_time.as_deref()?)?,
            pm10: Reading::from_api(
                Pollutant::Pm10,
                self.pm10_value.as_deref(),
                self.pm10_grade_1h.as_deref(),
                self.pm10_flag.as_deref(),
            ),
            pm25: Reading::from_api(
                Pollutant::Pm25,
                self.pm25_value.as_deref(),
                self.pm25_grade_1h.as_deref(),
                self.pm25_flag.as_deref(),
            ),
        })
    }
}

/// One row of getMsrstnList. `dmX` is the latitude and `dmY` the longitude (WGS84), despite
/// the names.
#[derive(Deserialize)]
struct StationItem {
    #[serde(rename = "stationName", default, deserialize_with = "lenient_text")]
    station_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    addr: Option<String>,
    #[serde(rename = "dmX", default, deserialize_with = "lenient_text")]
    dm_x: Option<String>,
    #[serde(rename = "dmY", default, deserialize_with = "lenient_text")]
    dm_y: Option<String>,
}

impl StationItem {
    /// A station without a name or usable coordinates cannot be chosen, so it is left out.
    fn into_station(self) -> Option<Station> {
        let name = self.station_name?.trim().to_owned();
        let latitude: f64 = self.dm_x?.trim().parse().ok()?;
        let longitude: f64 = self.dm_y?.trim().parse().ok()?;
        let usable = !name.is_empty()
            && (-90.0..=90.0).contains(&latitude)
            && (-180.0..=180.0).contains(&longitude);
        usable.then(|| Station {
            name,
            address: self.addr.unwrap_or_default().trim().to_owned(),
            latitude,
            longitude,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoded_key_is_encoded_once_and_an_encoded_key_is_left_alone() {
        assert_eq!(encode_service_key("ab+c/d=="), "ab%2Bc%2Fd%3D%3D");
        assert_eq!(encode_service_key("ab%2Bc%2Fd%3D%3D"), "ab%2Bc%2Fd%3D%3D");
    }

    #[test]
    fn the_url_carries_the_key_once_encoded_and_the_station_name_encoded() {
        let mut config = AirKoreaConfig::new("ab+c/d==".to_owned().into());
        config.base_url = Url::parse("http://127.0.0.1:9/B552584/").unwrap();
        let client = AirKoreaClient::new(config).unwrap();
        let url = client
            .url(MEASUREMENT_PATH, &[("stationName", "종로구")])
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/B552584/ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty\
             ?serviceKey=ab%2Bc%2Fd%3D%3D&stationName=%EC%A2%85%EB%A1%9C%EA%B5%AC"
        );
    }

    #[test]
    fn an_empty_key_means_not_configured() {
        let error = AirKoreaClient::new(AirKoreaConfig::new(" ".to_owned().into())).unwrap_err();
        assert_eq!(error, AirQualityError::NotConfigured);
    }

    #[test]
    fn stations_without_usable_coordinates_are_left_out() {
        let item = |x: &str, y: &str| StationItem {
            station_name: Some("종로구".into()),
            addr: Some("서울 종로구".into()),
            dm_x: Some(x.into()),
            dm_y: Some(y.into()),
        };
        let station = item("37.572025", "127.005028").into_station().unwrap();
        assert_eq!(
            (station.latitude, station.longitude),
            (37.572025, 127.005028)
        );
        for (x, y) in [
            ("", "127.0"),
            ("37.5", "-"),
            ("127.0", "37.5e9"),
            ("NaN", "1"),
        ] {
            assert_eq!(item(x, y).into_station(), None, "dmX {x:?} dmY {y:?}");
        }
    }
}
