//! The words of an air-quality notification: the user's templates (or the defaults) filled in
//! with a reading, in Korean or English.

use alert_airquality::{Grade, Language, Measurement, Reading};

use crate::domain::template::{Placeholder, Template};

struct Words {
    title: &'static str,
    body: &'static str,
    /// What a missing value or grade reads as.
    no_data: &'static str,
    /// The line added when the reading could not be had.
    unavailable: &'static str,
}

const KOREAN: Words = Words {
    title: "{station} 미세먼지 {grade}",
    body: "미세먼지 {pm10}㎍/㎥ ({pm10_grade}), 초미세먼지 {pm25}㎍/㎥ ({pm25_grade}) · {time} 기준",
    no_data: "정보 없음",
    unavailable: "측정값을 가져오지 못했습니다.",
};

const ENGLISH: Words = Words {
    title: "{station} air quality: {grade}",
    body: "PM10 {pm10} µg/m³ ({pm10_grade}), PM2.5 {pm25} µg/m³ ({pm25_grade}) · measured {time}",
    no_data: "no data",
    unavailable: "The measurement is unavailable right now.",
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::Ko => &KOREAN,
        Language::En => &ENGLISH,
    }
}

/// A stored template, or the default one when it is empty. Stored templates were checked when
/// saved; one that no longer parses (a placeholder since removed) falls back to the default too.
fn template(stored: &str, default: &'static str, field: &'static str) -> Template {
    if !stored.is_empty()
        && let Ok(template) = Template::parse(stored, field)
    {
        return template;
    }
    Template::parse(default, field).expect("the default templates are valid")
}

/// Fills in templates for one language.
pub struct Writer {
    words: &'static Words,
    language: Language,
}

impl Writer {
    pub fn new(language: Language) -> Writer {
        Writer {
            words: words(language),
            language,
        }
    }

    fn value(&self, reading: Option<&Reading>) -> String {
        reading
            .and_then(|reading| reading.value)
            .map_or_else(|| "-".to_owned(), |value| value.to_string())
    }

    fn grade(&self, grade: Option<Grade>) -> String {
        grade
            .map_or(self.words.no_data, |grade| grade.word(self.language))
            .to_owned()
    }

    fn fill(
        &self,
        station: &str,
        measurement: Option<&Measurement>,
    ) -> impl Fn(Placeholder) -> String {
        move |placeholder| match placeholder {
            Placeholder::Station => station.to_owned(),
            Placeholder::Pm10 => self.value(measurement.map(|m| &m.pm10)),
            Placeholder::Pm25 => self.value(measurement.map(|m| &m.pm25)),
            Placeholder::Pm10Grade => self.grade(measurement.and_then(|m| m.pm10.grade)),
            Placeholder::Pm25Grade => self.grade(measurement.and_then(|m| m.pm25.grade)),
            Placeholder::Grade => self.grade(measurement.and_then(Measurement::worse_grade)),
            Placeholder::Time => measurement.map_or_else(
                || "-".to_owned(),
                |m| m.measured_at.format("%H:%M").to_string(),
            ),
        }
    }

    /// The title and body for a reading; `unavailable` adds the "measurement unavailable" line.
    pub fn write(
        &self,
        (title, body): (&str, &str),
        station: &str,
        measurement: &Measurement,
        unavailable: bool,
    ) -> (String, String) {
        let fill = self.fill(station, Some(measurement));
        let title = template(title, self.words.title, "title").render(&fill);
        let mut body = template(body, self.words.body, "body").render(&fill);
        if unavailable {
            body = self.with_notice(body);
        }
        (title, body)
    }

    /// The title and body without a reading: the default body is only the notice, a body of the
    /// user's own keeps its words (placeholders reading "-") above the notice.
    pub fn write_unavailable(
        &self,
        (title, body): (&str, &str),
        station: &str,
    ) -> (String, String) {
        let fill = self.fill(station, None);
        let title = template(title, self.words.title, "title").render(&fill);
        let body = if body.is_empty() {
            self.words.unavailable.to_owned()
        } else {
            self.with_notice(template(body, self.words.body, "body").render(&fill))
        };
        (title, body)
    }

    fn with_notice(&self, body: String) -> String {
        if body.is_empty() {
            self.words.unavailable.to_owned()
        } else {
            format!("{body}\n{}", self.words.unavailable)
        }
    }
}

#[cfg(test)]
mod tests {
    use alert_airquality::Pollutant;
    use chrono::DateTime;

    use super::*;

    fn measurement(pm10: Option<u32>, pm25: Option<u32>) -> Measurement {
        let reading = |value: Option<u32>, pollutant| Reading {
            value,
            grade: value.map(|value| Grade::for_value(pollutant, value)),
        };
        Measurement {
            station: "종로구".into(),
            measured_at: DateTime::parse_from_rfc3339("2026-03-02T08:00:00+09:00").unwrap(),
            pm10: reading(pm10, Pollutant::Pm10),
            pm25: reading(pm25, Pollutant::Pm25),
        }
    }

    #[test]
    fn the_default_message_in_korean_and_in_english() {
        let reading = measurement(Some(95), Some(40));
        assert_eq!(
            Writer::new(Language::Ko).write(("", ""), "종로구", &reading, false),
            (
                "종로구 미세먼지 나쁨".to_owned(),
                "미세먼지 95㎍/㎥ (나쁨), 초미세먼지 40㎍/㎥ (나쁨) · 08:00 기준".to_owned()
            )
        );
        assert_eq!(
            Writer::new(Language::En).write(("", ""), "종로구", &reading, false),
            (
                "종로구 air quality: Bad".to_owned(),
                "PM10 95 µg/m³ (Bad), PM2.5 40 µg/m³ (Bad) · measured 08:00".to_owned()
            )
        );
    }

    #[test]
    fn a_missing_value_reads_as_no_data_never_zero_or_good() {
        let (title, body) = Writer::new(Language::Ko).write(
            ("", "{pm25} {pm25_grade}"),
            "종로구",
            &measurement(Some(20), None),
            false,
        );
        assert_eq!(
            title, "종로구 미세먼지 좋음",
            "the worse of the available grades"
        );
        assert_eq!(body, "- 정보 없음");
    }

    #[test]
    fn the_users_templates_are_filled_in() {
        let (title, body) = Writer::new(Language::En).write(
            ("{{{station}}} {grade}", "mask? PM2.5 {pm25} at {time}"),
            "강남구",
            &measurement(Some(20), Some(80)),
            true,
        );
        assert_eq!(title, "{강남구} Very bad");
        assert_eq!(
            body,
            "mask? PM2.5 80 at 08:00\nThe measurement is unavailable right now."
        );
    }

    #[test]
    fn without_a_reading_the_default_body_is_the_notice_and_a_custom_body_keeps_its_words() {
        let writer = Writer::new(Language::Ko);
        assert_eq!(
            writer.write_unavailable(("", ""), "종로구"),
            (
                "종로구 미세먼지 정보 없음".to_owned(),
                "측정값을 가져오지 못했습니다.".to_owned()
            )
        );
        assert_eq!(
            writer
                .write_unavailable(("", "마스크 챙기기 ({pm25})"), "종로구")
                .1,
            "마스크 챙기기 (-)\n측정값을 가져오지 못했습니다."
        );
    }
}
