//! One station's latest PM10 and PM2.5 readings.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone as _};
use serde::{Deserialize, Serialize};

use crate::grades::{Grade, Pollutant};

/// One pollutant's latest 1-hour reading. `value: None` = unavailable ("-", empty, or a flag
/// such as 통신장애/점검및교정): never shown as 0 or "good".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub value: Option<u32>,
    pub grade: Option<Grade>,
}

/// The latest hourly measurement of one station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub station: String,
    /// dataTime, KST (+09:00); "2024-01-01 24:00" means 2024-01-02 00:00.
    pub measured_at: DateTime<FixedOffset>,
    pub pm10: Reading,
    pub pm25: Reading,
}

impl Measurement {
    pub fn reading(&self, pollutant: Pollutant) -> &Reading {
        match pollutant {
            Pollutant::Pm10 => &self.pm10,
            Pollutant::Pm25 => &self.pm25,
        }
    }

    /// The worse of the two grades that are available; None if neither is.
    pub fn worse_grade(&self) -> Option<Grade> {
        self.pm10.grade.max(self.pm25.grade)
    }
}

impl Reading {
    /// A reading that is not available.
    pub const UNAVAILABLE: Reading = Reading {
        value: None,
        grade: None,
    };

    /// Builds a reading from the API's fields: the value string, the 1-hour grade code and the
    /// flag. A flag (통신장애, 점검및교정, …) or a value that is not a number makes the reading
    /// unavailable, whatever the grade says.
    pub fn from_api(
        pollutant: Pollutant,
        value: Option<&str>,
        grade_code: Option<&str>,
        flag: Option<&str>,
    ) -> Reading {
        if flag.is_some_and(|flag| !flag.trim().is_empty()) {
            return Reading::UNAVAILABLE;
        }
        let Some(value) = value.and_then(parse_micrograms) else {
            return Reading::UNAVAILABLE;
        };
        let grade = grade_code
            .and_then(Grade::from_code)
            .unwrap_or_else(|| Grade::for_value(pollutant, value));
        Reading {
            value: Some(value),
            grade: Some(grade),
        }
    }
}

/// "35" → 35; "35.4" → 35 (rounded); "-", "", negative or absurd values → None.
fn parse_micrograms(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Ok(value) = text.parse::<u32>() {
        return Some(value);
    }
    let value = text.parse::<f64>().ok()?;
    // No station has ever measured 10,000 µg/m³; beyond that it is a broken value.
    (value.is_finite() && (0.0..10_000.0).contains(&value)).then(|| value.round() as u32)
}

/// Korea Standard Time, which `dataTime` is written in.
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// Parses `dataTime` ("2024-01-01 13:00", KST). The API writes midnight as "24:00" of the
/// previous day.
pub fn parse_data_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let (date, time) = text.trim().split_once(' ')?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let (hour, minute) = time.trim().split_once(':')?;
    let hour: u32 = hour.parse().ok()?;
    let minute: u32 = minute.parse().ok()?;
    let (date, hour) = if hour == 24 && minute == 0 {
        (date.succ_opt()?, 0)
    } else {
        (date, hour)
    };
    let naive = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0)?);
    kst().from_local_datetime(&naive).single()
}

/// Formats a time as the API's `dataTime` (hours 01:00..24:00, so midnight is "24:00" of the
/// day before).
pub fn format_data_time(at: DateTime<FixedOffset>) -> String {
    let at = at.with_timezone(&kst());
    if at.time() == NaiveTime::MIN {
        let day_before = at - Duration::days(1);
        format!("{} 24:00", day_before.format("%Y-%m-%d"))
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(value: &str, grade: &str, flag: Option<&str>) -> Reading {
        Reading::from_api(Pollutant::Pm25, Some(value), Some(grade), flag)
    }

    #[test]
    fn missing_values_are_unavailable_never_zero_or_good() {
        for value in ["-", "", " ", "abc", "-5", "NaN", "inf", "1e9"] {
            assert_eq!(
                reading(value, "1", None),
                Reading::UNAVAILABLE,
                "value {value:?}"
            );
        }
        assert_eq!(
            Reading::from_api(Pollutant::Pm10, None, None, None),
            Reading::UNAVAILABLE
        );
    }

    #[test]
    fn a_flag_makes_the_reading_unavailable_even_with_a_value() {
        assert_eq!(reading("12", "1", Some("통신장애")), Reading::UNAVAILABLE);
        assert_eq!(reading("12", "1", Some("점검및교정")), Reading::UNAVAILABLE);
        assert_eq!(reading("12", "1", Some("")).value, Some(12));
    }

    #[test]
    fn the_api_grade_wins_and_a_missing_grade_is_computed() {
        assert_eq!(reading("40", "2", None).grade, Some(Grade::Moderate));
        // The API's 1-hour grade may differ from the 24-hour standard; we show what it says.
        assert_eq!(reading("10", "3", None).grade, Some(Grade::Bad));
        assert_eq!(reading("40", "", None).grade, Some(Grade::Bad));
        assert_eq!(reading("40", "-", None).grade, Some(Grade::Bad));
        assert_eq!(reading("35.4", "", None).value, Some(35));
    }

    #[test]
    fn data_time_24_00_is_midnight_of_the_next_day_in_kst() {
        let midnight = parse_data_time("2024-12-31 24:00").unwrap();
        assert_eq!(midnight.to_rfc3339(), "2025-01-01T00:00:00+09:00");
        let afternoon = parse_data_time("2024-01-01 13:00").unwrap();
        assert_eq!(afternoon.to_rfc3339(), "2024-01-01T13:00:00+09:00");
        for bad in [
            "",
            "2024-01-01",
            "2024-01-01 24:30",
            "2024-01-01 25:00",
            "01/01/2024 13:00",
        ] {
            assert_eq!(parse_data_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn data_time_formats_back_as_the_api_writes_it() {
        for text in ["2024-12-31 24:00", "2024-01-01 13:00", "2024-02-29 01:00"] {
            assert_eq!(format_data_time(parse_data_time(text).unwrap()), text);
        }
    }

    #[test]
    fn worse_grade_ignores_an_unavailable_pollutant() {
        let measurement = Measurement {
            station: "종로구".into(),
            measured_at: parse_data_time("2024-01-01 13:00").unwrap(),
            pm10: reading("20", "1", None),
            pm25: Reading::UNAVAILABLE,
        };
        assert_eq!(measurement.worse_grade(), Some(Grade::Good));
        assert_eq!(measurement.reading(Pollutant::Pm25), &Reading::UNAVAILABLE);
        let nothing = Measurement {
            pm10: Reading::UNAVAILABLE,
            ..measurement
        };
        assert_eq!(nothing.worse_grade(), None);
    }
}
