//! The free-text fields of an alert, trimmed and bounded in characters (not bytes: Korean text
//! is three bytes a character).

use super::{content::AlertContent, template::Template};
use crate::error::{Error, Result};

fn bounded(raw: &str, field: &'static str, required: bool, max: usize) -> Result<String> {
    let text = raw.trim();
    if required && text.is_empty() {
        return Err(Error::TextEmpty { field });
    }
    if text.chars().count() > max {
        return Err(Error::TextTooLong { field, max });
    }
    Ok(text.to_owned())
}

/// What the user calls the alert in lists: 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertName(String);

impl AlertName {
    pub fn parse(raw: &str) -> Result<AlertName> {
        bounded(raw, "name", true, 100).map(AlertName)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The notification's title: 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertTitle(String);

impl AlertTitle {
    pub fn parse(raw: &str) -> Result<AlertTitle> {
        bounded(raw, "title", true, 100).map(AlertTitle)
    }

    /// A title template of an air-quality alert: empty means the default.
    pub fn parse_template(raw: &str) -> Result<AlertTitle> {
        let title = bounded(raw, "title", false, 100)?;
        Template::parse(&title, "title")?;
        Ok(AlertTitle(title))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The notification's body: up to 1000 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertBody(String);

impl AlertBody {
    pub fn parse(raw: &str) -> Result<AlertBody> {
        bounded(raw, "body", false, 1000).map(AlertBody)
    }

    /// A body template of an air-quality alert: empty means the default.
    pub fn parse_template(raw: &str) -> Result<AlertBody> {
        let body = Self::parse(raw)?;
        Template::parse(&body.0, "body")?;
        Ok(body)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The title and body of an alert, read as its content needs them: plain text (a title is
/// required), or templates (empty meaning the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertText {
    pub title: AlertTitle,
    pub body: AlertBody,
}

impl AlertText {
    pub fn parse(content: &AlertContent, title: &str, body: &str) -> Result<AlertText> {
        Ok(match content {
            AlertContent::Plain => AlertText {
                title: AlertTitle::parse(title)?,
                body: AlertBody::parse(body)?,
            },
            AlertContent::AirQuality(_) => AlertText {
                title: AlertTitle::parse_template(title)?,
                body: AlertBody::parse_template(body)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(AlertName::parse(&"미세먼지".repeat(25)).is_ok());
        assert!(matches!(
            AlertName::parse(&"a".repeat(101)),
            Err(Error::TextTooLong { field: "name", .. })
        ));
        assert!(matches!(
            AlertTitle::parse("   "),
            Err(Error::TextEmpty { field: "title" })
        ));
        assert!(AlertBody::parse("").is_ok());
        assert!(matches!(
            AlertBody::parse(&"b".repeat(1001)),
            Err(Error::TextTooLong { field: "body", .. })
        ));
    }

    #[test]
    fn plain_text_is_literal_and_air_quality_text_is_a_template_that_may_be_empty() {
        let plain = AlertText::parse(&AlertContent::Plain, "Price {x}", "").unwrap();
        assert_eq!(plain.title.as_str(), "Price {x}");
        assert!(matches!(
            AlertText::parse(&AlertContent::Plain, "", ""),
            Err(Error::TextEmpty { field: "title" })
        ));

        let air_quality = AlertContent::AirQuality(super::super::content::AirQualityContent {
            station: super::super::content::StationName::parse("종로구").unwrap(),
            condition: None,
            when_unavailable: Default::default(),
        });
        let defaults = AlertText::parse(&air_quality, " ", "").unwrap();
        assert_eq!((defaults.title.as_str(), defaults.body.as_str()), ("", ""));
        assert!(matches!(
            AlertText::parse(&air_quality, "Price {x}", ""),
            Err(Error::UnknownPlaceholder { field: "title", .. })
        ));
        assert!(matches!(
            AlertText::parse(&air_quality, "", "{pm25"),
            Err(Error::UnmatchedBrace { field: "body" })
        ));
    }
}
