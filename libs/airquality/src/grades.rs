//! The Korean fine-dust grades (좋음, 보통, 나쁨, 매우나쁨) and the words shown for them.

use serde::{Deserialize, Serialize};

/// The two pollutants an alert can talk about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pollutant {
    /// Fine dust, PM10 (미세먼지).
    Pm10,
    /// Ultrafine dust, PM2.5 (초미세먼지).
    Pm25,
}

/// Korean standard grades, ordered: Good < Moderate < Bad < VeryBad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    Good,
    Moderate,
    Bad,
    VeryBad,
}

/// The language a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Language {
    #[default]
    Ko,
    En,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 4] = [Grade::Good, Grade::Moderate, Grade::Bad, Grade::VeryBad];

    /// Korean standard: PM10 좋음 0–30, 보통 31–80, 나쁨 81–150, 매우나쁨 151+;
    /// PM2.5 좋음 0–15, 보통 16–35, 나쁨 36–75, 매우나쁨 76+ (µg/m³).
    pub fn for_value(pollutant: Pollutant, micrograms: u32) -> Grade {
        let [good_max, moderate_max, bad_max] = match pollutant {
            Pollutant::Pm10 => [30, 80, 150],
            Pollutant::Pm25 => [15, 35, 75],
        };
        match micrograms {
            value if value <= good_max => Grade::Good,
            value if value <= moderate_max => Grade::Moderate,
            value if value <= bad_max => Grade::Bad,
            _ => Grade::VeryBad,
        }
    }

    /// The API's grade codes "1".."4".
    pub fn from_code(code: &str) -> Option<Grade> {
        match code.trim() {
            "1" => Some(Grade::Good),
            "2" => Some(Grade::Moderate),
            "3" => Some(Grade::Bad),
            "4" => Some(Grade::VeryBad),
            _ => None,
        }
    }

    /// The API's grade code for this grade, "1".."4".
    pub fn code(self) -> &'static str {
        match self {
            Grade::Good => "1",
            Grade::Moderate => "2",
            Grade::Bad => "3",
            Grade::VeryBad => "4",
        }
    }

    /// 좋음/보통/나쁨/매우나쁨 or Good/Moderate/Bad/Very bad.
    pub fn word(self, language: Language) -> &'static str {
        match (language, self) {
            (Language::Ko, Grade::Good) => "좋음",
            (Language::Ko, Grade::Moderate) => "보통",
            (Language::Ko, Grade::Bad) => "나쁨",
            (Language::Ko, Grade::VeryBad) => "매우나쁨",
            (Language::En, Grade::Good) => "Good",
            (Language::En, Grade::Moderate) => "Moderate",
            (Language::En, Grade::Bad) => "Bad",
            (Language::En, Grade::VeryBad) => "Very bad",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_on_each_side_of_every_boundary_get_the_korean_standard_grade() {
        let cases = [
            (Pollutant::Pm10, 0, Grade::Good),
            (Pollutant::Pm10, 30, Grade::Good),
            (Pollutant::Pm10, 31, Grade::Moderate),
            (Pollutant::Pm10, 80, Grade::Moderate),
            (Pollutant::Pm10, 81, Grade::Bad),
            (Pollutant::Pm10, 150, Grade::Bad),
            (Pollutant::Pm10, 151, Grade::VeryBad),
            (Pollutant::Pm10, u32::MAX, Grade::VeryBad),
            (Pollutant::Pm25, 0, Grade::Good),
            (Pollutant::Pm25, 15, Grade::Good),
            (Pollutant::Pm25, 16, Grade::Moderate),
            (Pollutant::Pm25, 35, Grade::Moderate),
            (Pollutant::Pm25, 36, Grade::Bad),
            (Pollutant::Pm25, 75, Grade::Bad),
            (Pollutant::Pm25, 76, Grade::VeryBad),
        ];
        for (pollutant, value, expected) in cases {
            assert_eq!(
                Grade::for_value(pollutant, value),
                expected,
                "{pollutant:?} at {value} µg/m³"
            );
        }
    }

    #[test]
    fn grade_codes_round_trip_and_anything_else_is_no_grade() {
        for grade in Grade::ALL {
            assert_eq!(Grade::from_code(grade.code()), Some(grade));
        }
        for code in ["", "-", "0", "5", "01", "x", "1.0"] {
            assert_eq!(Grade::from_code(code), None, "code {code:?}");
        }
    }

    #[test]
    fn grades_are_ordered_from_good_to_very_bad() {
        assert!(Grade::Good < Grade::Moderate);
        assert!(Grade::Moderate < Grade::Bad);
        assert!(Grade::Bad < Grade::VeryBad);
    }

    #[test]
    fn grade_words_in_both_languages() {
        assert_eq!(Grade::VeryBad.word(Language::Ko), "매우나쁨");
        assert_eq!(Grade::VeryBad.word(Language::En), "Very bad");
        assert_eq!(Grade::Good.word(Language::default()), "좋음");
    }
}
