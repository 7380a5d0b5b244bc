//! Minimal inline SVG bar charts. Hand-drawn because they are two simple
//! shapes and the report must stay one dependency-free file.

use std::collections::BTreeMap;
use std::fmt::Write;

use mandate_model::{Finding, Severity};

fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#7a0019",
        Severity::High => "#c62828",
        Severity::Medium => "#e07b00",
        Severity::Low => "#2e7d32",
        Severity::Info => "#546e7a",
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per rule, coloured by the rule's severity.
pub fn bars_per_rule(by_rule: &BTreeMap<&str, Vec<&Finding>>) -> String {
    let max = by_rule.values().map(Vec::len).max().unwrap_or(0).max(1) as f64;
    let row = 26.0;
    let (label_w, bar_w) = (330.0, 560.0);
    let height = row * by_rule.len() as f64 + 10.0;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w} {height}" width="100%" role="img" aria-label="Findings per rule">"#,
        w = label_w + bar_w + 80.0
    );
    for (i, (rule, findings)) in by_rule.iter().enumerate() {
        let y = i as f64 * row + 5.0;
        let width = findings.len() as f64 / max * bar_w;
        let fill = findings.first().map_or("#999", |f| colour(f.severity));
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{label_w}" y="{y}" width="{width:.1}" height="18" fill="{fill}"><title>{label}: {n}</title></rect><text x="{nx:.1}" y="{ty}">{n}</text>"#,
            lx = label_w - 8.0,
            ty = y + 13.0,
            label = escape(rule),
            n = findings.len(),
            nx = label_w + width + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars per calendar month (every month between the first and the
/// last, so gaps show), stacked by severity.
pub fn bars_per_month(findings: &[Finding]) -> String {
    let mut months: BTreeMap<(i32, u32), BTreeMap<Severity, usize>> = BTreeMap::new();
    for finding in findings {
        let Some(month) = finding.occurred_at.as_deref().and_then(parse_month) else {
            continue;
        };
        *months
            .entry(month)
            .or_default()
            .entry(finding.severity)
            .or_default() += 1;
    }
    let (Some(&first), Some(&last)) = (months.keys().next(), months.keys().next_back()) else {
        return "<p>No dated findings.</p>".into();
    };
    let all_months = month_range(first, last);
    let max = months
        .values()
        .map(|m| m.values().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (plot_h, bar_w, left) = (220.0, (900.0 / all_months.len() as f64).clamp(2.0, 24.0), 40.0);
    let width = left + bar_w * all_months.len() as f64 + 40.0;
    let mut svg = format!(
        r##"<svg viewBox="0 0 {width:.0} {h}" width="100%" role="img" aria-label="Findings per month"><text x="0" y="12">{max}</text><line x1="{left}" y1="{plot_h}" x2="{width:.0}" y2="{plot_h}" stroke="#888"/>"##,
        h = plot_h + 40.0,
        max = max as usize,
    );
    for (i, month) in all_months.iter().enumerate() {
        let x = left + i as f64 * bar_w;
        let mut top = plot_h;
        if let Some(by_severity) = months.get(month) {
            for (severity, n) in by_severity.iter().rev() {
                let h = *n as f64 / max * (plot_h - 10.0);
                top -= h;
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{y}-{m:02}: {n} {s}</title></rect>"#,
                    w = (bar_w - 1.0).max(1.0),
                    c = colour(*severity),
                    y = month.0,
                    m = month.1,
                    s = severity.as_str(),
                );
            }
        }
        // Label each January, and the first month unless a January label follows too closely.
        if month.1 == 1 || (i == 0 && month.1 <= 5) {
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{ty}">{y}</text>"#,
                ty = plot_h + 16.0,
                y = month.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn parse_month(date: &str) -> Option<(i32, u32)> {
    let year = date.get(..4)?.parse().ok()?;
    let month = date.get(5..7)?.parse().ok()?;
    (1..=12).contains(&month).then_some((year, month))
}

fn month_range(first: (i32, u32), last: (i32, u32)) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let mut current = first;
    while current <= last {
        out.push(current);
        current = if current.1 == 12 {
            (current.0 + 1, 1)
        } else {
            (current.0, current.1 + 1)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_range_fills_gaps_across_years() {
        assert_eq!(
            month_range((2016, 11), (2017, 2)),
            vec![(2016, 11), (2016, 12), (2017, 1), (2017, 2)]
        );
        assert_eq!(parse_month("2017-04-06T13:32:10+02:00"), Some((2017, 4)));
        assert_eq!(parse_month("garbage"), None);
    }
}
