//! RFC 3339 timestamps (the audit event's `stageTimestamp`, `MicroTime`) to and from
//! nanoseconds since the Unix epoch, without a date library.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, c| {
        acc.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (RFC 3339; `t`/space accepted as the
/// separator) into nanoseconds since the epoch. Times before 1970 are rejected.
pub(crate) fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let min = digits(&b[14..16])?;
    let sec = digits(&b[17..19])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset_s: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(c @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let h = i64::from(digits(&b[i + 1..i + 3])?);
            let m = i64::from(digits(&b[i + 4..i + 6])?);
            let off = h * 3600 + m * 60;
            if *c == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs =
        days * 86_400 + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec) - offset_s;
    let secs = u64::try_from(secs).ok()?;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Broken-down UTC time of a nanosecond timestamp.
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u64,
    pub(crate) min: u64,
    pub(crate) sec: u64,
    pub(crate) nanos: u64,
}

pub(crate) fn civil(ns: u64) -> Civil {
    let secs = ns / 1_000_000_000;
    let nanos = ns % 1_000_000_000;
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        nanos,
    }
}

/// `HH:MM:SS.nnnnnnnnn` (UTC).
pub(crate) fn time_of_day(ns: u64, with_nanos: bool) -> String {
    let c = civil(ns);
    if with_nanos {
        format!("{:02}:{:02}:{:02}.{:09}", c.hour, c.min, c.sec, c.nanos)
    } else {
        format!("{:02}:{:02}:{:02}", c.hour, c.min, c.sec)
    }
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` (UTC).
pub(crate) fn date_time(ns: u64, with_nanos: bool) -> String {
    let c = civil(ns);
    format!(
        "{:04}-{:02}-{:02} {}",
        c.year,
        c.month,
        c.day,
        time_of_day(ns, with_nanos)
    )
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub(crate) fn iso8601(ns: u64) -> String {
    let c = civil(ns);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        c.year, c.month, c.day, c.hour, c.min, c.sec, c.nanos
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let t = parse_rfc3339("2018-10-25T13:58:49.730588Z").unwrap();
        assert_eq!(t, 1_540_475_929_730_588_000);
        assert_eq!(iso8601(t), "2018-10-25T13:58:49.730588000Z");
        assert_eq!(date_time(t, false), "2018-10-25 13:58:49");
        assert_eq!(time_of_day(t, true), "13:58:49.730588000");
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2018-10-25T15:58:49+02:00"),
            parse_rfc3339("2018-10-25T13:58:49Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00.123456789123Z").map(|t| t % 1_000_000_000),
            Some(123_456_789)
        );
        for bad in [
            "",
            "2018-10-25",
            "2018-13-25T13:58:49Z",
            "2018-10-25T13:58:49",
            "2018-10-25T13:58:49.Z",
            "1969-12-31T23:59:59Z",
            "2018-10-25T13:58:49Zjunk",
            "9999-99-99T99:99:99Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }
}
