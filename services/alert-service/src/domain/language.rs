//! The language a user's notifications are written in.

use alert_airquality::Language;
use alert_proto::v1 as pb;

use crate::error::{Error, Result};

/// A language from its protobuf number: UNSPECIFIED means Korean, the default.
pub fn language_from_proto(language: i32) -> Result<Language> {
    match pb::Language::try_from(language) {
        Ok(pb::Language::Unspecified | pb::Language::Ko) => Ok(Language::Ko),
        Ok(pb::Language::En) => Ok(Language::En),
        Err(_) => Err(Error::UnknownLanguage(language)),
    }
}

pub fn language_to_proto(language: Language) -> pb::Language {
    match language {
        Language::Ko => pb::Language::Ko,
        Language::En => pb::Language::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_means_korean_and_unknown_numbers_are_refused() {
        assert_eq!(language_from_proto(0).unwrap(), Language::Ko);
        assert_eq!(
            language_from_proto(pb::Language::En.into()).unwrap(),
            Language::En
        );
        assert!(matches!(
            language_from_proto(7),
            Err(Error::UnknownLanguage(7))
        ));
        for language in [Language::Ko, Language::En] {
            assert_eq!(
                language_from_proto(language_to_proto(language).into()).unwrap(),
                language
            );
        }
    }
}
