//! The time formats of Falco alerts, written out by hand (no libc, no time crate).

use std::fmt::Write as _;

const NS: u64 = 1_000_000_000;

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d is in 1..=31 and m in 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

fn push_date_time(out: &mut String, secs: i64) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    );
}

fn secs(ts_ns: u64) -> i64 {
    i64::try_from(ts_ns / NS).unwrap_or(i64::MAX)
}

/// `evt.time.iso8601` and the alert prefix with `time_format_iso_8601=true`:
/// `2016-08-04T16:17:57.881781397+0000` (always UTC, libsinsp's `%FT%T.%09u%z` on `gmtime`).
pub fn push_iso8601(out: &mut String, ts_ns: u64) {
    push_date_time(out, secs(ts_ns));
    let _ = write!(out, ".{:09}+0000", ts_ns % NS);
}

/// The time prefix of a log line (Falco's logger): `2016-08-04T16:17:57+0000` with
/// `time_format_iso_8601`, else the ctime form `Thu Aug  4 16:17:57 2016` (UTC).
pub fn push_log_time(out: &mut String, ts_ns: u64, iso: bool) {
    let secs = secs(ts_ns);
    if iso {
        push_date_time(out, secs);
        out.push_str("+0000");
        return;
    }
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wd = DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    let mon = MONTHS[(m as usize).saturating_sub(1) % 12];
    let _ = write!(
        out,
        "{wd} {mon} {d:2} {:02}:{:02}:{:02} {y}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    );
}

/// The `time` key of a JSON alert: `2016-08-04T16:17:57.881781397Z` (UTC).
pub fn push_iso8601_z(out: &mut String, ts_ns: u64) {
    push_date_time(out, secs(ts_ns));
    let _ = write!(out, ".{:09}Z", ts_ns % NS);
}

/// `evt.time` and Falco's default alert prefix: the wall-clock time of day with nanoseconds,
/// `16:17:57.881781397`, shifted by `utc_offset_secs` (libsinsp uses the local zone's offset
/// at start-up, the same for every event).
pub fn push_time_of_day(out: &mut String, ts_ns: u64, utc_offset_secs: i32) {
    let s = (secs(ts_ns).saturating_add(i64::from(utc_offset_secs))).rem_euclid(86_400);
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:09}",
        s / 3600,
        (s % 3600) / 60,
        s % 60,
        ts_ns % NS
    );
}

/// The local zone's offset from UTC in seconds at `now_secs` (seconds since the epoch),
/// as libsinsp's `gmt2local` computes it once: from `TZ` (`UTC`, `UTC0`, `:Area/City`, a
/// zone name under `/usr/share/zoneinfo`) or `/etc/localtime` (TZif). Zero when unknown.
///
/// Limitation: after a zone file's last transition the last transition's offset is used
/// (the POSIX rule in the file's footer is not evaluated).
pub fn local_utc_offset(now_secs: i64) -> i32 {
    let tz = std::env::var("TZ").ok();
    let path = match tz.as_deref() {
        None => "/etc/localtime".to_string(),
        Some(t) => {
            let t = t.strip_prefix(':').unwrap_or(t);
            if t.is_empty() || t == "UTC" || t == "UTC0" || t == "GMT" || t == "GMT0" {
                return 0;
            }
            if t.starts_with('/') {
                t.to_string()
            } else {
                format!("/usr/share/zoneinfo/{t}")
            }
        }
    };
    std::fs::read(path)
        .ok()
        .and_then(|data| tzif_offset(&data, now_secs))
        .unwrap_or(0)
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be_i64(data: &[u8], at: usize) -> Option<i64> {
    let b = data.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(i64::from_be_bytes(a))
}

/// The UTC offset a TZif file gives at `now_secs`.
fn tzif_offset(data: &[u8], now_secs: i64) -> Option<i32> {
    if data.get(0..4)? != b"TZif" {
        return None;
    }
    let counts = |base: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = usize::try_from(be_u32(data, base + 20 + 4 * i)?).ok()?;
        }
        Some(c)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0)?;
    let v1_len = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let version = *data.get(4)?;
    // Version 2+ repeats the data with 64-bit times after the version-1 block.
    let (base, tsize) = if version >= b'2' {
        (44 + v1_len, 8usize)
    } else {
        (0, 4usize)
    };
    let [_, _, _, timecnt, typecnt, _] = counts(base)?;
    if typecnt == 0 {
        return None;
    }
    let times = base + 44;
    let idxs = times + timecnt * tsize;
    let types = idxs + timecnt;
    let read_time = |i: usize| -> Option<i64> {
        if tsize == 8 {
            be_i64(data, times + 8 * i)
        } else {
            be_u32(data, times + 4 * i).map(|v| i64::from(v.cast_signed()))
        }
    };
    let mut ty = None;
    for i in 0..timecnt {
        if read_time(i)? <= now_secs {
            ty = Some(usize::from(*data.get(idxs + i)?));
        } else {
            break;
        }
    }
    let ty = match ty {
        Some(t) => t,
        // Before the first transition: the first standard-time type (or type 0).
        None => (0..typecnt)
            .find(|&t| data.get(types + 6 * t + 4) == Some(&0))
            .unwrap_or(0),
    };
    let off = be_u32(data, types + 6 * ty)?;
    Some(off.cast_signed())
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_times() {
        // 2016-08-04T16:17:57 UTC was a Thursday.
        let ts = 1_470_327_477_881_781_397;
        let mut s = String::new();
        push_log_time(&mut s, ts, true);
        assert_eq!(s, "2016-08-04T16:17:57+0000");
        s.clear();
        push_log_time(&mut s, ts, false);
        assert_eq!(s, "Thu Aug  4 16:17:57 2016");
        s.clear();
        push_log_time(&mut s, 0, false);
        assert_eq!(s, "Thu Jan  1 00:00:00 1970");
    }

    use super::*;

    const TS: u64 = 1_470_327_477_881_781_397;

    #[test]
    fn formats() {
        let mut s = String::new();
        push_iso8601(&mut s, TS);
        assert_eq!(s, "2016-08-04T16:17:57.881781397+0000");
        s.clear();
        push_iso8601_z(&mut s, TS);
        assert_eq!(s, "2016-08-04T16:17:57.881781397Z");
        s.clear();
        push_time_of_day(&mut s, TS, 0);
        assert_eq!(s, "16:17:57.881781397");
        s.clear();
        push_time_of_day(&mut s, TS, 2 * 3600);
        assert_eq!(s, "18:17:57.881781397");
        s.clear();
        push_time_of_day(&mut s, TS, -17 * 3600);
        assert_eq!(s, "23:17:57.881781397");
        s.clear();
        push_iso8601_z(&mut s, 0);
        assert_eq!(s, "1970-01-01T00:00:00.000000000Z");
        s.clear();
        push_iso8601(&mut s, 951_782_400 * NS + 5);
        assert_eq!(s, "2000-02-29T00:00:00.000000005+0000");
        s.clear();
        push_iso8601(&mut s, u64::MAX);
        assert!(s.ends_with("+0000"));
    }

    #[test]
    fn tzif_parsing() {
        // A hand-built version-1 TZif: one transition at t=1000 from type 0 (+3600) to
        // type 1 (+7200, dst).
        let mut d = b"TZif".to_vec();
        d.push(0);
        d.extend([0u8; 15]);
        for c in [0u32, 0, 0, 1, 2, 4] {
            d.extend(c.to_be_bytes());
        }
        d.extend(1000u32.to_be_bytes());
        d.push(1);
        d.extend(3600i32.to_be_bytes());
        d.extend([0, 0]);
        d.extend(7200i32.to_be_bytes());
        d.extend([1, 0]);
        d.extend(b"A\0B\0");
        assert_eq!(tzif_offset(&d, 10), Some(3600));
        assert_eq!(tzif_offset(&d, 5000), Some(7200));
        assert_eq!(tzif_offset(b"nope", 0), None);
        assert_eq!(tzif_offset(&d[..30], 0), None);
    }
}
