//! The `network` capability: programmes, organisations (cities), people, roles, memberships, invitations.

use crate::choice::choice;
use crate::error::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
            }
        }
    };
}

/// A public URL identifier: 1–64 characters of `a-z`, `0-9` and single hyphens, not at either end.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);
string_newtype!(Slug);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(FieldError::new("slug", "invalid-slug", "must be 1–64 lowercase letters, digits and single hyphens"))
        }
    }
}

/// An e-mail address, trimmed and lower-cased. Checked for shape only (one `@`, a dot in the domain);
/// whether it receives mail is learnt by sending an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("email", "required", "enter an e-mail address"));
        }
        let invalid = || {
            FieldError::new(
                "email",
                "invalid-email",
                "enter an e-mail address in the correct format, like name@example.org",
            )
        };
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(invalid());
        }
        Ok(Email(s))
    }
}

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(String);
string_newtype!(CountryCode);

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let u = s.trim().to_ascii_uppercase();
        if u.len() == 2 && u.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(u))
        } else {
            Err(FieldError::new("country_code", "invalid-country", "must be an ISO 3166-1 alpha-2 code such as NL"))
        }
    }
}

/// A European region, after the UN statistical geoscheme (M49 sub-regions), used for peer groups and report
/// filters. One deliberate departure: Cyprus, which M49 files under Western Asia, counts as Southern Europe,
/// as the EU's own statistics do. Countries outside Europe are `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    NorthernEurope,
    WesternEurope,
    SouthernEurope,
    EasternEurope,
    Other,
}

impl Region {
    pub const ALL: [Region; 5] =
        [Region::NorthernEurope, Region::WesternEurope, Region::SouthernEurope, Region::EasternEurope, Region::Other];

    /// The region of a country (ISO 3166-1 alpha-2; `UK` and `EL` are accepted as the EU's own codes).
    pub fn of(country: &CountryCode) -> Region {
        match country.as_str() {
            "DK" | "EE" | "FI" | "IS" | "IE" | "LV" | "LT" | "NO" | "SE" | "GB" | "UK" | "FO" | "AX" | "IM" | "JE"
            | "GG" | "SJ" => Region::NorthernEurope,
            "AT" | "BE" | "FR" | "DE" | "LI" | "LU" | "MC" | "NL" | "CH" => Region::WesternEurope,
            "AL" | "AD" | "BA" | "HR" | "GI" | "GR" | "EL" | "VA" | "IT" | "MT" | "ME" | "MK" | "PT" | "SM" | "RS"
            | "SI" | "ES" | "XK" | "CY" => Region::SouthernEurope,
            "BY" | "BG" | "CZ" | "HU" | "MD" | "PL" | "RO" | "RU" | "SK" | "UA" => Region::EasternEurope,
            _ => Region::Other,
        }
    }

    /// Stable identifier used in URLs, CSV and message ids (`region-<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            Region::NorthernEurope => "northern-europe",
            Region::WesternEurope => "western-europe",
            Region::SouthernEurope => "southern-europe",
            Region::EasternEurope => "eastern-europe",
            Region::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Region, FieldError> {
        Region::ALL
            .into_iter()
            .find(|r| r.slug() == s.trim())
            .ok_or_else(|| FieldError::new("region", "unknown-region", "must be one of the listed regions"))
    }
}

/// A band of resident population, for comparing cities of like size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationBand {
    /// Fewer than 500,000 residents.
    Under500k,
    /// 500,000 to 999,999.
    From500kTo1m,
    /// 1,000,000 to 2,499,999.
    From1mTo2_5m,
    /// 2,500,000 or more.
    Over2_5m,
}

impl PopulationBand {
    pub const ALL: [PopulationBand; 4] = [
        PopulationBand::Under500k,
        PopulationBand::From500kTo1m,
        PopulationBand::From1mTo2_5m,
        PopulationBand::Over2_5m,
    ];

    pub fn of(population: u64) -> PopulationBand {
        match population {
            0..500_000 => PopulationBand::Under500k,
            500_000..1_000_000 => PopulationBand::From500kTo1m,
            1_000_000..2_500_000 => PopulationBand::From1mTo2_5m,
            _ => PopulationBand::Over2_5m,
        }
    }

    /// Stable identifier used in URLs, CSV and message ids (`population-<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            PopulationBand::Under500k => "under-500k",
            PopulationBand::From500kTo1m => "500k-1m",
            PopulationBand::From1mTo2_5m => "1m-2500k",
            PopulationBand::Over2_5m => "over-2500k",
        }
    }

    pub fn parse(s: &str) -> Result<PopulationBand, FieldError> {
        PopulationBand::ALL.into_iter().find(|b| b.slug() == s.trim()).ok_or_else(|| {
            FieldError::new("population_band", "unknown-population-band", "must be one of the listed population bands")
        })
    }
}

/// An IANA time-zone name known to the bundled tz database, e.g. `Europe/Helsinki`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZone(String);
string_newtype!(TimeZone);

impl TimeZone {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match chrono_tz::Tz::from_str(s.trim()) {
            Ok(tz) => Ok(TimeZone(tz.name().to_string())),
            Err(_) => Err(FieldError::new(
                "timezone",
                "invalid-timezone",
                "must be an IANA time zone such as Europe/Helsinki",
            )),
        }
    }
    pub fn tz(&self) -> chrono_tz::Tz {
        chrono_tz::Tz::from_str(&self.0).unwrap_or(chrono_tz::UTC)
    }
}

/// A point on the WGS84 globe.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    pub fn parse(latitude: f64, longitude: f64) -> Result<Self, FieldError> {
        if !(-90.0..=90.0).contains(&latitude) || !latitude.is_finite() {
            return Err(FieldError::new("latitude", "out-of-range", "must be between -90 and 90"));
        }
        if !(-180.0..=180.0).contains(&longitude) || !longitude.is_finite() {
            return Err(FieldError::new("longitude", "out-of-range", "must be between -180 and 180"));
        }
        Ok(Coordinates { latitude, longitude })
    }
}

/// A web address for a profile: `http` or `https`, a host, no spaces, at most 300 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(String);
string_newtype!(Website);

impl Website {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let invalid =
            || FieldError::new("website", "invalid-url", "enter a web address starting with https:// or http://");
        let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).ok_or_else(invalid)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if s.len() > 300
            || host.is_empty()
            || !host.contains('.')
            || s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        {
            return Err(invalid());
        }
        Ok(Website(s.to_string()))
    }
}

/// Check a required free-text field: trimmed, not empty, at most `max` characters, no control characters
/// other than line breaks and tabs.
pub fn required_text(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required", "must not be empty"));
    }
    optional_text(field, t, max)
}

/// Check an optional free-text field (empty allowed).
pub fn optional_text(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(FieldError::new(field, "too-long", format!("must be at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "control-characters", "must not contain control characters"));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// The bidirectional formatting characters refused in names and titles: the embeddings and
/// overrides (U+202A–U+202E) and isolates (U+2066–U+2069), which reorder the text around them (a
/// name shown in a list, a CSV cell, an e-mail or a log line can then read differently from what
/// it holds, the "Trojan Source" spoofing), and the invisible marks U+200E, U+200F and U+061C,
/// which let two names that look the same differ. Right-to-left names need none of them.
pub const BIDI_CONTROLS: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    '\u{200E}', '\u{200F}', '\u{061C}',
];

/// The one rule for names and titles (of people, organisations, services, campaigns, waves, plan
/// items…) beyond free text's: no bidirectional formatting characters ([`BIDI_CONTROLS`]).
pub fn no_bidi_controls(field: &str, s: &str) -> Result<(), FieldError> {
    match s.chars().find(|c| BIDI_CONTROLS.contains(c)) {
        Some(c) => Err(FieldError::new(
            field,
            "bidi-control",
            format!("must not contain bidirectional control characters (found U+{:04X})", c as u32),
        )),
        None => Ok(()),
    }
}

/// Check a required name or title: [`required_text`] and [`no_bidi_controls`].
pub fn required_name(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = required_text(field, s, max)?;
    no_bidi_controls(field, &t)?;
    Ok(t)
}

/// Check an optional name or title: [`optional_text`] and [`no_bidi_controls`].
pub fn optional_name(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = optional_text(field, s, max)?;
    no_bidi_controls(field, &t)?;
    Ok(t)
}

choice!(
    /// How an organisation takes part in a programme.
    ParticipationStatus in "kebab-case", "status", "invalid-choice", "must be participating, invited or declined",
    { Participating => "participating", Invited => "invited", Declined => "declined" }
);

choice!(
    /// What kind of organisation this is.
    OrganisationKind in "kebab-case", "kind", "invalid-choice", "must be city, partner, funder or university",
    { City => "city", Partner => "partner", Funder => "funder", University => "university" }
);

/// The state of an invitation at a given moment. `Expired` is derived from the expiry time of a
/// pending invitation, never stored, so it cannot go stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvitationState {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    /// Derive the state from the stored facts: an invitation is accepted or revoked once and for all;
    /// otherwise it is pending until it expires.
    pub fn derive(
        accepted_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        if accepted_at.is_some() {
            Self::Accepted
        } else if revoked_at.is_some() {
            Self::Revoked
        } else if now >= expires_at {
            Self::Expired
        } else {
            Self::Pending
        }
    }
}

/// How long an invitation link stays valid.
pub const INVITATION_VALIDITY_DAYS: i64 = 14;

/// A programme's dates must be in order.
pub fn check_programme_dates(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), FieldError> {
    if ends_on < starts_on {
        Err(FieldError::new("ends_on", "before-start", "must not be before the start date"))
    } else {
        Ok(())
    }
}

/// Minimum password length for accounts (NIST SP 800-63B: at least 8, we ask for 12), and a maximum
/// to bound hashing cost.
pub fn check_password(p: &str) -> Result<(), FieldError> {
    let n = p.chars().count();
    if n < 12 {
        Err(FieldError::new("password", "password-too-short", "must be at least 12 characters"))
    } else if n > 256 {
        Err(FieldError::new("password", "too-long", "must be at most 256 characters"))
    } else {
        Ok(())
    }
}

/// A checked change to an organisation's public profile. `None` leaves a field unchanged; an empty
/// website clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub description: Option<String>,
    pub website: Option<String>,
}

impl ProfileChange {
    pub const DESCRIPTION_MAX: usize = 4000;

    pub fn parse(description: Option<&str>, website: Option<&str>) -> Result<Self, crate::Invalid> {
        let mut errors = crate::Invalid::default();
        let description = description
            .and_then(|d| errors.take("description", optional_text("description", d, Self::DESCRIPTION_MAX)));
        let website = website.and_then(|w| {
            if w.trim().is_empty() {
                Some(String::new())
            } else {
                errors.take("website", Website::parse(w)).map(|w| w.as_str().to_string())
            }
        });
        errors.into_result()?;
        Ok(ProfileChange { description, website })
    }
}

/// A checked invitation: who is invited, under which name, to which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRequest {
    pub email: Email,
    pub name: String,
    pub role: crate::policy::Role,
}

impl InvitationRequest {
    pub fn parse(email: &str, name: &str, role: &str) -> Result<Self, crate::Invalid> {
        let mut errors = crate::Invalid::default();
        let email = errors.take("email", Email::parse(email));
        let name = errors.take("name", optional_name("name", name, 200));
        let role = errors.take("role", crate::policy::Role::parse(role));
        errors.into_result()?;
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) => Ok(InvitationRequest { email, name, role }),
            _ => Err(crate::Invalid::one("email", "required", "must not be empty")),
        }
    }
}

/// A checked new account made from an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub password: String,
    pub listed: bool,
}

impl NewAccount {
    pub fn parse(name: &str, password: &str, confirm: Option<&str>, listed: bool) -> Result<Self, crate::Invalid> {
        let mut errors = crate::Invalid::default();
        let name = errors.take("name", required_name("name", name, 200));
        errors.take("password", check_password(password));
        if let Some(c) = confirm
            && c != password
        {
            errors.0.push(FieldError::new("password_confirm", "password-mismatch", "must match the password"));
        }
        errors.into_result()?;
        Ok(NewAccount { name: name.unwrap_or_default(), password: password.to_string(), listed })
    }
}

/// A checked change of one's own password: the current one (to be verified), and the new one,
/// under the same rules as a new account's, typed twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl PasswordChange {
    pub fn parse(current: &str, new: &str, confirm: &str) -> Result<Self, crate::Invalid> {
        let mut errors = crate::Invalid::default();
        if current.is_empty() {
            errors.0.push(FieldError::new("current_password", "required", "must not be empty"));
        }
        if let Err(e) = check_password(new) {
            errors.0.push(FieldError { field: "new_password".into(), ..e });
        }
        if confirm != new {
            errors.0.push(FieldError::new("new_password_confirm", "password-mismatch", "must match the password"));
        }
        errors.into_result()?;
        Ok(PasswordChange { current: current.to_string(), new: new.to_string() })
    }
}

/// A checked change to one's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub locale: String,
}

impl AccountChange {
    pub fn parse(
        name: &str,
        job_title: &str,
        listed: bool,
        locale: &str,
        known_locales: &[&str],
    ) -> Result<Self, crate::Invalid> {
        let mut errors = crate::Invalid::default();
        let name = errors.take("name", required_name("name", name, 200));
        let job_title = errors.take("job_title", optional_name("job_title", job_title, 200));
        if !locale.is_empty() && !known_locales.contains(&locale) {
            errors.0.push(FieldError::new("locale", "invalid-choice", "must be one of the interface languages"));
        }
        errors.into_result()?;
        Ok(AccountChange {
            name: name.unwrap_or_default(),
            job_title: job_title.unwrap_or_default(),
            listed,
            locale: locale.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn regions_and_population_bands() {
        let c = |s: &str| CountryCode::parse(s).unwrap();
        assert_eq!(Region::of(&c("ee")), Region::NorthernEurope);
        assert_eq!(Region::of(&c("NL")), Region::WesternEurope);
        assert_eq!(Region::of(&c("CY")), Region::SouthernEurope);
        assert_eq!(Region::of(&c("SK")), Region::EasternEurope);
        assert_eq!(Region::of(&c("US")), Region::Other);
        for r in Region::ALL {
            assert_eq!(Region::parse(r.slug()), Ok(r));
        }
        assert!(Region::parse("atlantis").is_err());
        assert_eq!(PopulationBand::of(499_999), PopulationBand::Under500k);
        assert_eq!(PopulationBand::of(500_000), PopulationBand::From500kTo1m);
        assert_eq!(PopulationBand::of(1_000_000), PopulationBand::From1mTo2_5m);
        assert_eq!(PopulationBand::of(2_500_000), PopulationBand::Over2_5m);
        for b in PopulationBand::ALL {
            assert_eq!(PopulationBand::parse(b.slug()), Ok(b));
        }
        assert_eq!(PopulationBand::parse("huge").unwrap_err().field, "population_band");
    }

    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn slugs() {
        assert!(Slug::parse("digital-innovation-initiative").is_ok());
        assert!(Slug::parse("riga").is_ok());
        for bad in ["", "Riga", "-riga", "riga-", "ri--ga", "ri ga", "rīga", &"a".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.ORG ").unwrap().as_str(), "ana@example.org");
        assert_eq!(Email::parse("").unwrap_err().code, "required");
        for bad in ["ana", "ana@", "@example.org", "ana@example", "a b@example.org", "a@@example.org", "a@example..org"]
        {
            assert_eq!(Email::parse(bad).unwrap_err().code, "invalid-email", "{bad}");
        }
    }

    #[test]
    fn countries_timezones_coordinates() {
        assert_eq!(CountryCode::parse("lv").unwrap().as_str(), "LV");
        assert!(CountryCode::parse("LVA").is_err());
        assert!(CountryCode::parse("1A").is_err());
        assert_eq!(TimeZone::parse("Europe/Riga").unwrap().as_str(), "Europe/Riga");
        assert!(TimeZone::parse("Europe/Atlantis").is_err());
        assert!(Coordinates::parse(56.95, 24.1).is_ok());
        assert_eq!(Coordinates::parse(91.0, 0.0).unwrap_err().field, "latitude");
        assert_eq!(Coordinates::parse(0.0, -181.0).unwrap_err().field, "longitude");
        assert!(Coordinates::parse(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn websites() {
        assert!(Website::parse("https://www.riga.lv/en").is_ok());
        assert!(Website::parse("http://example.org").is_ok());
        for bad in ["riga.lv", "javascript:alert(1)", "https://", "https://localhost", "https://a.lv/\"x"] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields() {
        assert_eq!(required_text("name", "  Rīga ", 10).unwrap(), "Rīga");
        assert_eq!(required_text("name", "   ", 10).unwrap_err().code, "required");
        assert_eq!(optional_text("d", "ab\r\ncd", 10).unwrap(), "ab\ncd");
        assert_eq!(optional_text("d", "abc", 2).unwrap_err().code, "too-long");
        assert_eq!(optional_text("d", "a\u{0}b", 20).unwrap_err().code, "control-characters");
        assert!(check_password("short").is_err());
        assert!(check_password("correct horse battery").is_ok());
    }

    #[test]
    fn invitation_state_is_derived() {
        let t = |d| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
        assert_eq!(InvitationState::derive(None, None, t(10), t(5)), InvitationState::Pending);
        assert_eq!(InvitationState::derive(None, None, t(10), t(10)), InvitationState::Expired);
        assert_eq!(InvitationState::derive(Some(t(3)), None, t(10), t(20)), InvitationState::Accepted);
        assert_eq!(InvitationState::derive(None, Some(t(3)), t(10), t(20)), InvitationState::Revoked);
    }

    #[test]
    fn profile_invitation_account_inputs() {
        let p = ProfileChange::parse(Some(" A city. "), Some("")).unwrap();
        assert_eq!(p, ProfileChange { description: Some("A city.".into()), website: Some(String::new()) });
        let e = ProfileChange::parse(Some(&"x".repeat(4001)), Some("ftp://x.lv")).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["description", "website"]);
        assert_eq!(ProfileChange::parse(None, None).unwrap(), ProfileChange::default());

        let i = InvitationRequest::parse("Lead@Riga.example", "Laura", "city-lead").unwrap();
        assert_eq!(i.email.as_str(), "lead@riga.example");
        let e = InvitationRequest::parse("nope", "", "mayor").unwrap_err();
        assert_eq!(e.0.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["email", "role"]);

        assert!(NewAccount::parse("Laura", "long enough password", Some("long enough password"), true).is_ok());
        let e = NewAccount::parse("", "short", Some("other"), false).unwrap_err();
        assert_eq!(e.0.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["name", "password", "password_confirm"]);

        assert!(AccountChange::parse("Ana", "CDO", true, "de", &["en", "de"]).is_ok());
        assert_eq!(AccountChange::parse("Ana", "", true, "xx", &["en"]).unwrap_err().0[0].field, "locale");
    }

    #[test]
    fn statuses_round_trip() {
        for &s in ParticipationStatus::ALL {
            assert_eq!(ParticipationStatus::parse(s.as_str()).unwrap(), s);
        }
        assert!(ParticipationStatus::parse("maybe").is_err());
        for &k in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(k.as_str()).unwrap(), k);
        }
    }
}
