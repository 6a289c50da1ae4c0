//! Title and body templates of air-quality alerts: text with `{placeholder}`s, checked when the
//! alert is saved so that a run never meets one it cannot fill.

use crate::error::{Error, Result};

/// What a template can say about a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Station,
    Pm10,
    Pm25,
    Pm10Grade,
    Pm25Grade,
    /// The worse grade of the two.
    Grade,
    /// The measurement time, HH:MM in Korea.
    Time,
}

impl Placeholder {
    const ALL: [(&'static str, Placeholder); 7] = [
        ("station", Placeholder::Station),
        ("pm10", Placeholder::Pm10),
        ("pm25", Placeholder::Pm25),
        ("pm10_grade", Placeholder::Pm10Grade),
        ("pm25_grade", Placeholder::Pm25Grade),
        ("grade", Placeholder::Grade),
        ("time", Placeholder::Time),
    ];

    fn named(name: &str) -> Option<Placeholder> {
        Placeholder::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, placeholder)| *placeholder)
    }

    /// `{station}, {pm10}, … or {time}`, for error messages.
    fn known_list() -> String {
        let names: Vec<String> = Placeholder::ALL
            .iter()
            .map(|(name, _)| format!("{{{name}}}"))
            .collect();
        let (last, rest) = names.split_last().expect("there are placeholders");
        format!("{} or {last}", rest.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Placeholder(Placeholder),
}

/// A parsed template; `{{` and `}}` stand for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

impl Template {
    /// Parses `raw`, naming `field` in the error when a placeholder is unknown or a brace is
    /// unmatched.
    pub fn parse(raw: &str, field: &'static str) -> Result<Template> {
        let mut segments = Vec::new();
        let mut text = String::new();
        let mut characters = raw.chars().peekable();
        while let Some(character) = characters.next() {
            match character {
                '{' if characters.peek() == Some(&'{') => {
                    characters.next();
                    text.push('{');
                }
                '}' if characters.peek() == Some(&'}') => {
                    characters.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match characters.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(Error::UnmatchedBrace { field }),
                            Some(other) => name.push(other),
                        }
                    }
                    let placeholder = Placeholder::named(name.trim()).ok_or_else(|| {
                        Error::UnknownPlaceholder {
                            field,
                            name,
                            known: Placeholder::known_list(),
                        }
                    })?;
                    if !text.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut text)));
                    }
                    segments.push(Segment::Placeholder(placeholder));
                }
                '}' => return Err(Error::UnmatchedBrace { field }),
                other => text.push(other),
            }
        }
        if !text.is_empty() {
            segments.push(Segment::Text(text));
        }
        Ok(Template { segments })
    }

    /// The text with every placeholder replaced by `value(placeholder)`.
    pub fn render(&self, value: impl Fn(Placeholder) -> String) -> String {
        let mut rendered = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => rendered.push_str(text),
                Segment::Placeholder(placeholder) => rendered.push_str(&value(*placeholder)),
            }
        }
        rendered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(placeholder: Placeholder) -> String {
        format!("<{placeholder:?}>")
    }

    #[test]
    fn placeholders_are_filled_and_doubled_braces_are_literal() {
        let template = Template::parse(
            "{station}: {{PM2.5}} {pm25} ({ pm25_grade }) at {time}",
            "title",
        )
        .unwrap();
        assert_eq!(
            template.render(fill),
            "<Station>: {PM2.5} <Pm25> (<Pm25Grade>) at <Time>"
        );
        assert_eq!(Template::parse("", "title").unwrap().render(fill), "");
        assert_eq!(
            Template::parse("미세먼지 {grade}", "title")
                .unwrap()
                .render(fill),
            "미세먼지 <Grade>"
        );
    }

    #[test]
    fn unknown_placeholders_and_unmatched_braces_are_refused_naming_the_field() {
        let error = Template::parse("PM {pm2.5}", "body").unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("body has an unknown placeholder {pm2.5}"),
            "{message}"
        );
        assert!(
            message.contains("{pm25_grade}, {grade} or {time}"),
            "{message}"
        );
        for raw in ["{station", "station}", "{sta{tion}"] {
            let error = Template::parse(raw, "title").unwrap_err();
            assert!(
                matches!(error, Error::UnmatchedBrace { field: "title" }),
                "{raw:?}: {error:?}"
            );
        }
    }
}
