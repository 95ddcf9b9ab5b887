//! Timestamps as the providers send them. Nearly every answer uses strict RFC 3339
//! (`2026-06-09T12:01:33+00:00`, `…Z`, with or without fractional seconds); that form is read
//! by a small parser here, and everything else goes to chrono as before.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// A timestamp as RFC 3339 (any offset) or a zone-less ISO 8601 time (taken as UTC).
pub(super) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    strict_rfc3339(text).or_else(|| parse_time_general(text))
}

/// Every form [`parse_time`] accepts, through chrono's parsers.
fn parse_time_general(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

/// `YYYY-MM-DDTHH:MM:SS[.1-9 digits](Z|±HH:MM)` exactly, as chrono reads it. `None` for
/// anything else (lower-case `t`/`z`, a space, a leap second, more fraction digits,
/// surrounding blanks…), which is then left to chrono; so this never decides differently.
fn strict_rfc3339(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return None;
    }
    let (fixed, rest) = bytes.split_at(19);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| fixed[at] != byte) {
        return None;
    }
    let year = digits(&fixed[0..4])?;
    let (month, day) = (digits(&fixed[5..7])?, digits(&fixed[8..10])?);
    let (hour, minute) = (digits(&fixed[11..13])?, digits(&fixed[14..16])?);
    let second = digits(&fixed[17..19])?;
    let (nanos, zone) = match rest.split_first() {
        Some((b'.', fraction)) => {
            let length = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=9).contains(&length) {
                return None;
            }
            let nanos = digits(&fraction[..length])? * 10u32.pow(9 - length as u32);
            (nanos, &fraction[length..])
        }
        _ => (0, rest),
    };
    let offset_seconds = match zone {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), hours @ .., b':', _, _] if hours.len() == 2 => {
            let (hours, minutes) = (digits(hours)?, digits(&zone[4..6])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let at = date.and_time(time).and_utc();
    // Most answers are in UTC (`Z`): nothing to shift.
    match offset_seconds {
        0 => Some(at),
        _ => at.checked_sub_signed(TimeDelta::seconds(offset_seconds)),
    }
}

/// The value of a run of ASCII digits (at most 9, so it fits).
fn digits(run: &[u8]) -> Option<u32> {
    run.iter().try_fold(0u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(text: &str) -> Option<String> {
        strict_rfc3339(text).map(|time| time.to_rfc3339())
    }

    #[test]
    fn strict_form_with_z_offsets_and_fractions() {
        assert_eq!(
            at("2026-06-09T12:01:33Z").as_deref(),
            Some("2026-06-09T12:01:33+00:00")
        );
        assert_eq!(
            at("2026-06-09T12:01:33+02:30").as_deref(),
            Some("2026-06-09T09:31:33+00:00")
        );
        assert_eq!(
            at("2026-01-01T00:30:00-01:00").as_deref(),
            Some("2026-01-01T01:30:00+00:00")
        );
        assert_eq!(
            at("2024-02-29T23:59:59.5+00:00").as_deref(),
            Some("2024-02-29T23:59:59.500+00:00")
        );
        assert_eq!(
            at("2024-02-29T23:59:59.123456789Z").as_deref(),
            Some("2024-02-29T23:59:59.123456789+00:00")
        );
    }

    #[test]
    fn anything_else_is_left_to_chrono() {
        for text in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-06-09T24:00:00Z",
            "2026-06-09T12:60:00Z",
            "2026-06-09T12:00:60Z",
            "2026-06-09T12:00:00",
            "2026-06-09T12:00:00+24:00",
            "2026-06-09T12:00:00+0200",
            "2026-06-09T12:00:00.Z",
            "2026-06-09T12:00:00.1234567891Z",
            "2026-06-09t12:00:00z",
            "2026-06-09 12:00:00Z",
            " 2026-06-09T12:00:00Z",
            "2026-06-09T12:00:00Z ",
            "２026-06-09T12:00:00Z",
            "yesterday",
            "",
        ] {
            assert_eq!(at(text), None, "{text}");
        }
        // … and chrono still reads the forms it knows.
        assert_eq!(
            parse_time("2026-06-09t12:00:00z").map(|time| time.timestamp()),
            Some(1_781_006_400)
        );
        assert_eq!(
            parse_time(" 2026-06-09 12:00:00 ").map(|time| time.timestamp()),
            Some(1_781_006_400)
        );
        assert_eq!(parse_time("2023-02-29T00:00:00Z"), None);
    }

    proptest! {
        #[test]
        fn strict_parser_agrees_with_chrono(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?([Zz]|[+-][0-9]{2}:?[0-9]{2})?"
        ) {
            let chrono = DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|time| time.with_timezone(&Utc));
            if let Some(fast) = strict_rfc3339(&text) {
                prop_assert_eq!(Some(fast), chrono);
            }
            prop_assert_eq!(parse_time(&text), parse_time_general(&text));
        }

        #[test]
        fn valid_strict_times_take_the_fast_path(
            seconds in 0i64..253_402_300_799,
            nanos in 0u32..1_000_000_000,
            offset_minutes in -1439i32..=1439,
        ) {
            let Some(time) = DateTime::from_timestamp(seconds, nanos) else {
                return Ok(());
            };
            let Some(zone) = chrono::FixedOffset::east_opt(offset_minutes * 60) else {
                return Ok(());
            };
            let text = time
                .with_timezone(&zone)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            prop_assert_eq!(strict_rfc3339(&text), Some(time));
        }
    }
}
