//! A local stand-in for the AirKorea Open API (data.go.kr service B552584).
//!
//! It answers `ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty` and
//! `MsrstnInfoInqireSvc/getMsrstnList` in the real API's JSON shape (`response.header.resultCode`
//! and `resultMsg`, `response.body.items[]`, `totalCount`, `pageNo`, `numOfRows`, values as
//! strings, flags as null), and can fail as the real one does: the data.go.kr gateway's XML
//! error body for an exhausted quota (22) or an unregistered key (30), a JSON result code, a
//! slow answer, an HTTP error. It counts the requests it gets, per station too.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{FixedOffset, Timelike as _, Utc};
use serde_json::{Value, json};

use crate::server::Server;

/// One station's latest hour, as the API writes it: every field is a string ("-" or "" for a
/// missing value), flags are null unless the instrument reports a state (통신장애, 점검및교정).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubMeasurement {
    /// `pm10Value`, µg/m³.
    pub pm10: String,
    /// `pm25Value`, µg/m³.
    pub pm25: String,
    /// `pm10Grade1h`, "1".."4".
    pub pm10_grade_1h: String,
    /// `pm25Grade1h`, "1".."4".
    pub pm25_grade_1h: String,
    /// `pm10Flag`: null, or a state such as 통신장애.
    pub pm10_flag: Option<String>,
    /// `pm25Flag`: null, or a state such as 점검및교정.
    pub pm25_flag: Option<String>,
    /// "YYYY-MM-DD HH:MM" in KST, hours 01:00..24:00.
    pub data_time: String,
}

impl StubMeasurement {
    /// Values and their 1-hour grade codes ("1".."4", or "" for none) at `data_time`.
    pub fn new(
        pm10: &str,
        pm10_grade_1h: &str,
        pm25: &str,
        pm25_grade_1h: &str,
        data_time: &str,
    ) -> StubMeasurement {
        StubMeasurement {
            pm10: pm10.to_owned(),
            pm25: pm25.to_owned(),
            pm10_grade_1h: pm10_grade_1h.to_owned(),
            pm25_grade_1h: pm25_grade_1h.to_owned(),
            pm10_flag: None,
            pm25_flag: None,
            data_time: data_time.to_owned(),
        }
    }

    /// The same reading with instrument flags.
    pub fn with_flags(mut self, pm10_flag: Option<&str>, pm25_flag: Option<&str>) -> Self {
        self.pm10_flag = pm10_flag.map(str::to_owned);
        self.pm25_flag = pm25_flag.map(str::to_owned);
        self
    }

    /// The reading every default station starts with: PM10 42 (보통), PM2.5 18 (보통), for the
    /// last full hour.
    pub fn typical() -> StubMeasurement {
        StubMeasurement::new("42", "2", "18", "2", &latest_data_time())
    }

    fn to_item(&self, station: &str) -> Value {
        json!({
            "so2Grade": "1", "coFlag": null, "khaiValue": "62", "so2Value": "0.003",
            "coValue": "0.4", "pm25Flag": self.pm25_flag, "pm10Flag": self.pm10_flag,
            "o3Grade": "2", "pm10Value": self.pm10, "khaiGrade": "2", "pm25Value": self.pm25,
            "no2Flag": null, "no2Grade": "1", "o3Flag": null, "pm25Grade": self.pm25_grade_1h,
            "so2Flag": null, "dataTime": self.data_time, "coGrade": "1", "no2Value": "0.021",
            "stationName": station, "mangName": "도시대기", "pm10Grade": self.pm10_grade_1h,
            "o3Value": "0.034", "pm10Value24": self.pm10, "pm25Value24": self.pm25,
            "pm10Grade1h": self.pm10_grade_1h, "pm25Grade1h": self.pm25_grade_1h,
        })
    }
}

/// A station in the stub's station list.
#[derive(Debug, Clone, PartialEq)]
pub struct StubStation {
    /// `stationName`.
    pub name: String,
    /// `addr`.
    pub address: String,
    /// Sent as `dmX`.
    pub latitude: f64,
    /// Sent as `dmY`.
    pub longitude: f64,
}

impl StubStation {
    /// A station at a WGS84 point.
    pub fn new(name: &str, address: &str, latitude: f64, longitude: f64) -> StubStation {
        StubStation {
            name: name.to_owned(),
            address: address.to_owned(),
            latitude,
            longitude,
        }
    }

    /// A few real stations, with their coordinates as the station list gives them (rounded).
    pub fn defaults() -> Vec<StubStation> {
        vec![
            StubStation::new("중구", "서울 중구 덕수궁길 15", 37.564639, 126.975961),
            StubStation::new("종로구", "서울 종로구 종로35길 19", 37.572025, 127.005028),
            StubStation::new("용산구", "서울 용산구 한남대로 136", 37.540033, 127.00485),
            StubStation::new("마포구", "서울 마포구 포은로6길 10", 37.555581, 126.905597),
            StubStation::new(
                "서초구",
                "서울 서초구 신반포로15길 16",
                37.504547,
                126.994458,
            ),
            StubStation::new("강남구", "서울 강남구 학동로 426", 37.517562, 127.047325),
            StubStation::new(
                "송파구",
                "서울 송파구 백제고분로 236",
                37.502686,
                127.092509,
            ),
            StubStation::new("연산동", "부산 연제구 고분로 36", 35.181537, 129.080791),
        ]
    }

    fn to_item(&self) -> Value {
        json!({
            "dmX": format!("{:.6}", self.latitude), "item": "SO2, CO, O3, NO2, PM10, PM2.5",
            "mangName": "도시대기", "year": "1995", "addr": self.address,
            "stationName": self.name, "dmY": format!("{:.6}", self.longitude),
        })
    }
}

/// How the stub answers every request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StubMode {
    /// The data it holds.
    #[default]
    Normal,
    /// The gateway's XML error, `returnReasonCode` 22.
    QuotaExceeded,
    /// The gateway's XML error, `returnReasonCode` 30.
    KeyNotRegistered,
    /// A JSON envelope with this `resultCode` and `resultMsg` and no body.
    JsonError {
        /// `resultCode`, e.g. "10".
        code: String,
        /// `resultMsg`, e.g. "INVALID_REQUEST_PARAMETER_ERROR".
        msg: String,
    },
    /// The normal answer, after this long.
    Delay(Duration),
    /// This HTTP status with a short text body.
    Http(u16),
}

#[derive(Default)]
struct StubState {
    mode: StubMode,
    measurements: HashMap<String, StubMeasurement>,
    stations: Vec<StubStation>,
    page_size_limit: Option<usize>,
    required_key: Option<String>,
    measurement_calls: HashMap<String, usize>,
    station_list_calls: usize,
    last_service_key: Option<String>,
}

/// A real HTTP server on 127.0.0.1:0 answering in the real API's format. Stops when dropped.
pub struct AirKoreaStub {
    server: Server,
    state: Arc<Mutex<StubState>>,
}

impl AirKoreaStub {
    /// Starts with [`StubStation::defaults`], each measuring [`StubMeasurement::typical`].
    pub async fn start() -> AirKoreaStub {
        let stations = StubStation::defaults();
        let typical = StubMeasurement::typical();
        let state = Arc::new(Mutex::new(StubState {
            measurements: stations
                .iter()
                .map(|station| (station.name.clone(), typical.clone()))
                .collect(),
            stations,
            ..StubState::default()
        }));
        let router_state = Arc::clone(&state);
        let server = Server::start(move |_| {
            Router::new()
                .route(
                    "/B552584/ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty",
                    get(measurement),
                )
                .route(
                    "/B552584/MsrstnInfoInqireSvc/getMsrstnList",
                    get(station_list),
                )
                .with_state(router_state)
        })
        .await
        .expect("AirKoreaStub: could not bind 127.0.0.1:0");
        AirKoreaStub { server, state }
    }

    /// To put in AIR_QUALITY_BASE_URL (like the real "https://apis.data.go.kr/B552584").
    pub fn base_url(&self) -> String {
        format!("{}/B552584", self.server.origin())
    }

    /// Sets the latest hour of `station` (a station not in the list still gets measurements).
    pub fn set_measurement(&self, station: &str, item: StubMeasurement) {
        self.state().measurements.insert(station.to_owned(), item);
    }

    /// Forgets `station`'s measurements: the API then answers with no items.
    pub fn remove_measurement(&self, station: &str) {
        self.state().measurements.remove(station);
    }

    /// How every later request is answered.
    pub fn set_mode(&self, mode: StubMode) {
        self.state().mode = mode;
    }

    /// Replaces the station list.
    pub fn set_stations(&self, stations: Vec<StubStation>) {
        self.state().stations = stations;
    }

    /// Answers at most this many rows per page, whatever `numOfRows` asks.
    pub fn set_page_size_limit(&self, rows: usize) {
        self.state().page_size_limit = Some(rows);
    }

    /// Only this key (as the server decodes it) is accepted; others get the XML error 30.
    pub fn require_service_key(&self, key: &str) {
        self.state().required_key = Some(key.to_owned());
    }

    /// Measurement requests received, for every station.
    pub fn measurement_calls(&self) -> usize {
        self.state().measurement_calls.values().sum()
    }

    /// Measurement requests received for `station`.
    pub fn measurement_calls_for(&self, station: &str) -> usize {
        self.state()
            .measurement_calls
            .get(station)
            .copied()
            .unwrap_or(0)
    }

    /// Station-list requests received (one per page).
    pub fn station_list_calls(&self) -> usize {
        self.state().station_list_calls
    }

    /// The `serviceKey` of the last request, decoded as the real server decodes it (`%2B` →
    /// `+`, and a bare `+` → space): a key sent right arrives exactly as the portal shows it
    /// decoded.
    pub fn last_service_key(&self) -> Option<String> {
        self.state().last_service_key.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, StubState> {
        self.state.lock().expect("AirKoreaStub state lock poisoned")
    }
}

type SharedState = Arc<Mutex<StubState>>;
type Params = HashMap<String, String>;

/// What a request gets before its data is looked at: a failure, or go ahead (after a delay).
async fn gate(state: &SharedState, params: &Params) -> Option<Response> {
    let (mode, required_key) = {
        let mut state = state.lock().expect("AirKoreaStub state lock poisoned");
        let key = params
            .get("serviceKey")
            .or_else(|| params.get("ServiceKey"))
            .cloned();
        state.last_service_key = key;
        (state.mode.clone(), state.required_key.clone())
    };
    let key = params
        .get("serviceKey")
        .or_else(|| params.get("ServiceKey"));
    let key_accepted = match (&required_key, key) {
        (_, None) => false,
        (Some(required), Some(key)) => required == key,
        (None, Some(key)) => !key.is_empty(),
    };
    match mode {
        StubMode::QuotaExceeded => Some(gateway_error(
            "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR",
            22,
        )),
        StubMode::KeyNotRegistered => {
            Some(gateway_error("SERVICE_KEY_IS_NOT_REGISTERED_ERROR", 30))
        }
        _ if !key_accepted => Some(gateway_error("SERVICE_KEY_IS_NOT_REGISTERED_ERROR", 30)),
        StubMode::JsonError { code, msg } => Some(
            axum::Json(json!({"response": {"header": {"resultCode": code, "resultMsg": msg}}}))
                .into_response(),
        ),
        StubMode::Http(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some((status, status.canonical_reason().unwrap_or("Error")).into_response())
        }
        StubMode::Delay(delay) => {
            tokio::time::sleep(delay).await;
            None
        }
        StubMode::Normal => None,
    }
    .or_else(|| {
        let json_asked = params
            .get("returnType")
            .is_some_and(|kind| kind.eq_ignore_ascii_case("json"));
        // The real API would answer XML data; the stub only speaks JSON, so say so loudly.
        (!json_asked).then(|| gateway_error("INVALID_REQUEST_PARAMETER_ERROR(returnType)", 10))
    })
}

/// The data.go.kr gateway's error body: XML, HTTP 200, whatever `returnType` asked for.
fn gateway_error(auth_message: &str, code: u32) -> Response {
    let body = format!(
        "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n\t\t\
         <returnAuthMsg>{auth_message}</returnAuthMsg>\n\t\t\
         <returnReasonCode>{code}</returnReasonCode>\n\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>"
    );
    ([(header::CONTENT_TYPE, "text/xml;charset=UTF-8")], body).into_response()
}

/// The JSON envelope of a normal answer.
fn envelope(items: Vec<Value>, total_count: usize, page_number: usize, rows: usize) -> Response {
    axum::Json(json!({
        "response": {
            "body": {
                "totalCount": total_count,
                "items": items,
                "pageNo": page_number,
                "numOfRows": rows,
            },
            "header": {"resultMsg": "NORMAL_CODE", "resultCode": "00"},
        }
    }))
    .into_response()
}

fn number(params: &Params, name: &str, default: usize) -> usize {
    params
        .get(name)
        .and_then(|value| value.parse().ok())
        .filter(|value| *value > 0)
        .unwrap_or(default)
}

async fn measurement(State(state): State<SharedState>, Query(params): Query<Params>) -> Response {
    let station = params.get("stationName").cloned().unwrap_or_default();
    *state
        .lock()
        .expect("AirKoreaStub state lock poisoned")
        .measurement_calls
        .entry(station.clone())
        .or_default() += 1;
    if let Some(response) = gate(&state, &params).await {
        return response;
    }
    let item = state
        .lock()
        .expect("AirKoreaStub state lock poisoned")
        .measurements
        .get(&station)
        .map(|measurement| measurement.to_item(&station));
    let rows = number(&params, "numOfRows", 10);
    let page_number = number(&params, "pageNo", 1);
    let items: Vec<Value> = item.into_iter().collect();
    let total_count = items.len();
    let page = items
        .into_iter()
        .skip((page_number - 1).saturating_mul(rows))
        .take(rows)
        .collect();
    envelope(page, total_count, page_number, rows)
}

async fn station_list(State(state): State<SharedState>, Query(params): Query<Params>) -> Response {
    state
        .lock()
        .expect("AirKoreaStub state lock poisoned")
        .station_list_calls += 1;
    if let Some(response) = gate(&state, &params).await {
        return response;
    }
    let (stations, limit) = {
        let state = state.lock().expect("AirKoreaStub state lock poisoned");
        (state.stations.clone(), state.page_size_limit)
    };
    let asked_rows = number(&params, "numOfRows", 10);
    let rows = limit.map_or(asked_rows, |limit| asked_rows.min(limit));
    let page_number = number(&params, "pageNo", 1);
    let page = stations
        .iter()
        .skip((page_number - 1).saturating_mul(rows))
        .take(rows)
        .map(StubStation::to_item)
        .collect();
    envelope(page, stations.len(), page_number, rows)
}

/// The last full hour in KST, as `dataTime` writes it (midnight is "24:00" of the day before).
fn latest_data_time() -> String {
    let kst = FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    let now = Utc::now().with_timezone(&kst);
    let hour = now
        .with_minute(0)
        .and_then(|at| at.with_second(0))
        .and_then(|at| at.with_nanosecond(0))
        .expect("the start of an hour exists");
    if hour.hour() == 0 {
        let day_before = hour - chrono::Duration::days(1);
        format!("{} 24:00", day_before.format("%Y-%m-%d"))
    } else {
        hour.format("%Y-%m-%d %H:%M").to_string()
    }
}
