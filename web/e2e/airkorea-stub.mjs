// A local stand-in for the AirKorea Open API (data.go.kr service B552584), for the browser e2e
// test: the same answers as the Rust test kit's stub (libs/testkit/src/airkorea.rs): the JSON
// envelope with every value a string, "-" for a missing value, and the data.go.kr gateway's XML
// error body (HTTP 200) when the daily quota is used up or the key is not registered.

import { createServer } from "node:http";

const BASE_PATH = "/B552584";

/** A few real stations with their coordinates, as the station list gives them. */
export const STATIONS = [
  { name: "중구", address: "서울 중구 덕수궁길 15", latitude: 37.564639, longitude: 126.975961 },
  { name: "종로구", address: "서울 종로구 종로35길 19", latitude: 37.572025, longitude: 127.005028 },
  { name: "용산구", address: "서울 용산구 한남대로 136", latitude: 37.540033, longitude: 127.00485 },
  { name: "마포구", address: "서울 마포구 포은로6길 10", latitude: 37.555581, longitude: 126.905597 },
  { name: "강남구", address: "서울 강남구 학동로 426", latitude: 37.517562, longitude: 127.047325 },
  { name: "연산동", address: "부산 연제구 고분로 36", latitude: 35.181537, longitude: 129.080791 },
];

/** The last full hour in Korea as `dataTime` writes it ("YYYY-MM-DD HH:MM"; midnight is "24:00"
 * of the day before). */
export function latestDataTime(now = new Date()) {
  const kst = new Date(now.getTime() + 9 * 3600_000);
  kst.setUTCMinutes(0, 0, 0);
  let hour = kst.getUTCHours();
  if (hour === 0) {
    kst.setUTCDate(kst.getUTCDate() - 1);
    hour = 24;
  }
  const date = kst.toISOString().slice(0, 10);
  return `${date} ${String(hour).padStart(2, "0")}:00`;
}

/** One station's latest hour: values and 1-hour grade codes as strings ("-" / "" for none). */
export function measurement(pm10, pm10Grade, pm25, pm25Grade, dataTime = latestDataTime()) {
  return { pm10, pm10Grade, pm25, pm25Grade, dataTime };
}

function measurementItem(station, m) {
  return {
    so2Grade: "1", coFlag: null, khaiValue: "62", so2Value: "0.003", coValue: "0.4", pm25Flag: null,
    pm10Flag: null, o3Grade: "2", pm10Value: m.pm10, khaiGrade: "2", pm25Value: m.pm25, no2Flag: null,
    no2Grade: "1", o3Flag: null, pm25Grade: m.pm25Grade, so2Flag: null, dataTime: m.dataTime, coGrade: "1",
    no2Value: "0.021", stationName: station, mangName: "도시대기", pm10Grade: m.pm10Grade, o3Value: "0.034",
    pm10Value24: m.pm10, pm25Value24: m.pm25, pm10Grade1h: m.pm10Grade, pm25Grade1h: m.pm25Grade,
  };
}

function stationItem(station) {
  return {
    dmX: station.latitude.toFixed(6), item: "SO2, CO, O3, NO2, PM10, PM2.5", mangName: "도시대기", year: "1995",
    addr: station.address, stationName: station.name, dmY: station.longitude.toFixed(6),
  };
}

function envelope(items, totalCount, pageNo, numOfRows) {
  return JSON.stringify({
    response: {
      body: { totalCount, items, pageNo, numOfRows },
      header: { resultMsg: "NORMAL_CODE", resultCode: "00" },
    },
  });
}

/** The gateway's error body: XML, HTTP 200, whatever `returnType` asked for. */
function gatewayError(authMessage, code) {
  return "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n\t\t"
    + `<returnAuthMsg>${authMessage}</returnAuthMsg>\n\t\t<returnReasonCode>${code}</returnReasonCode>\n\t`
    + "</cmmMsgHeader>\n</OpenAPI_ServiceResponse>";
}

function positive(params, name, fallback) {
  const value = Number(params.get(name));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * Starts the stub on 127.0.0.1:0. Every station measures PM10 42 (보통) and PM2.5 18 (보통) for the
 * last full hour until `setMeasurement` says otherwise; `setQuotaExceeded(true)` makes every later
 * request get the quota error (code 22).
 */
export async function startAirKoreaStub() {
  const measurements = new Map(STATIONS.map((s) => [s.name, measurement("42", "2", "18", "2")]));
  const measurementCalls = new Map();
  let quotaExceeded = false;

  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://stub");
    const params = url.searchParams;
    const send = (body, type = "application/json;charset=UTF-8") => {
      response.writeHead(200, { "content-type": type });
      response.end(body);
    };
    const path = url.pathname.slice(BASE_PATH.length);
    const isMeasurement = path === "/ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty";
    const isStationList = path === "/MsrstnInfoInqireSvc/getMsrstnList";
    if (!url.pathname.startsWith(BASE_PATH) || (!isMeasurement && !isStationList)) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
      return;
    }
    const station = params.get("stationName") ?? "";
    if (isMeasurement) measurementCalls.set(station, (measurementCalls.get(station) ?? 0) + 1);
    const key = params.get("serviceKey") ?? params.get("ServiceKey");
    if (quotaExceeded) return send(gatewayError("LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", 22), "text/xml;charset=UTF-8");
    if (!key) return send(gatewayError("SERVICE_KEY_IS_NOT_REGISTERED_ERROR", 30), "text/xml;charset=UTF-8");
    if (params.get("returnType")?.toLowerCase() !== "json") {
      // The real API would answer XML data; the stub only speaks JSON, so it says so loudly.
      return send(gatewayError("INVALID_REQUEST_PARAMETER_ERROR(returnType)", 10), "text/xml;charset=UTF-8");
    }
    const rows = positive(params, "numOfRows", 10);
    const pageNo = positive(params, "pageNo", 1);
    const all = isMeasurement
      ? (measurements.has(station) ? [measurementItem(station, measurements.get(station))] : [])
      : STATIONS.map(stationItem);
    send(envelope(all.slice((pageNo - 1) * rows, pageNo * rows), all.length, pageNo, rows));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    /** For AIR_QUALITY_BASE_URL, like the real "https://apis.data.go.kr/B552584". */
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    setMeasurement(station, item) {
      measurements.set(station, item);
    },
    setQuotaExceeded(exceeded) {
      quotaExceeded = exceeded;
    },
    measurementCalls(station) {
      return measurementCalls.get(station) ?? 0;
    },
    close() {
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
