//! Email addresses and passwords as accounts accept them.

use std::{fmt, str::FromStr};

use email_address::EmailAddress;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// The longest address SMTP can carry (RFC 5321 path limit less the angle brackets).
const MAX_EMAIL_CHARS: usize = 254;
const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;

/// A syntactically valid email address, trimmed and lowercased so that one mailbox is one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email> {
        let email = raw.trim().to_lowercase();
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(Error::EmailTooLong);
        }
        // `email_address` accepts quoted and IP-literal forms; a dot in the domain keeps out
        // typos such as `me@gmail` without rejecting anything deliverable in practice.
        let parsed = EmailAddress::from_str(&email).map_err(|_| Error::InvalidEmail)?;
        if !parsed.domain().contains('.') || parsed.domain().starts_with('[') {
            return Err(Error::InvalidEmail);
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password of acceptable length; never logged or printed.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: &str) -> Result<Password> {
        let chars = raw.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(Error::PasswordLength);
        }
        Ok(Password(SecretString::from(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Someone@Example.COM ").unwrap().as_str(),
            "someone@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for raw in [
            "",
            "plain",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@[127.0.0.1]",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(Email::parse(&long), Err(Error::EmailTooLong)));
    }

    #[test]
    fn passwords_are_between_8_and_128_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
    }
}
