//! The free-text fields of an alert, trimmed and bounded in characters (not bytes: Korean text
//! is three bytes a character).

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

    pub fn into_inner(self) -> String {
        self.0
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
}
