//! Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`), for comparing requests and limits.

/// The value of a quantity in base units, or `None` if it is not one.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let mult: f64 = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0f64.powi(2),
        "Gi" => 1024.0f64.powi(3),
        "Ti" => 1024.0f64.powi(4),
        "Pi" => 1024.0f64.powi(5),
        "Ei" => 1024.0f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse::<i32>().ok()?.clamp(-30, 30)),
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    n.is_finite().then_some(n * mult)
}

/// True when both parse and are equal (relative tolerance 1e-9).
pub fn equal(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-12),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert!(equal("1", "1000m"));
        assert!(equal("256Mi", "268435456"));
        assert!(equal("1e3", "1k"));
        assert!(!equal("1Gi", "1G"));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1Qi"), None);
    }
}
