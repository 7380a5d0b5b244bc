//! Quartiles and Tukey fences, for indicators whose threshold is "unusual
//! compared with everyone else" rather than a number fixed by law.
//!
//! Quantiles are Hyndman and Fan's type 8 (median-unbiased, R's
//! `quantile(type = 8)`), the estimator Cardinal uses, so fences computed
//! from the same values agree.

use crate::finding::count;

/// The `p`-quantile of ascending `sorted` values; `None` when there are none.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    let (first, last) = (*sorted.first()?, *sorted.last()?);
    // 1-based position h = (n + 1/3) p + 1/3; below the first value the
    // minimum, beyond the last the maximum, otherwise linear interpolation.
    let h = (n as f64 + 1.0 / 3.0) * p + 1.0 / 3.0;
    let j = h.floor();
    if j < 1.0 || p <= 0.0 {
        return Some(first);
    }
    if j >= n as f64 || p >= 1.0 {
        return Some(last);
    }
    let j = j as usize;
    let (a, b) = (sorted[j - 1], sorted[j]);
    Some(a + (h - j as f64) * (b - a))
}

/// First and third quartiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quartiles {
    pub q1: f64,
    pub q3: f64,
}

impl Quartiles {
    /// Quartiles of `values` (any order; non-finite values are not expected).
    pub(crate) fn of(values: &[f64]) -> Option<Quartiles> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Quartiles {
            q1: quantile(&sorted, 0.25)?,
            q3: quantile(&sorted, 0.75)?,
        })
    }

    /// Q3 + 1.5 IQR: values at or above it are high outliers.
    pub(crate) fn upper_fence(self) -> f64 {
        (self.q3 - self.q1).mul_add(1.5, self.q3)
    }

    /// Q1 - 1.5 IQR: values at or below it are low outliers.
    pub(crate) fn lower_fence(self) -> f64 {
        (self.q3 - self.q1).mul_add(-1.5, self.q1)
    }
}

/// A threshold an aggregate indicator compares against, and how it was set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fence {
    pub value: f64,
    /// The quartiles it came from; `None` when the pack fixed it.
    pub quartiles: Option<Quartiles>,
    /// For explanations: "the pack's threshold of 0.5" or "the upper fence ...".
    pub basis: String,
}

/// Which tail an indicator looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// Q3 + 1.5 IQR.
    Upper,
    /// Q1 - 1.5 IQR.
    Lower,
}

impl Fence {
    /// The pack's `threshold`, or the fence of `values`: `what` names the
    /// values in messages ("processes", "buyers"). `Err` when there are
    /// fewer than `minimum_sample` values to learn from.
    pub(crate) fn of(
        values: &[f64],
        fixed: Option<f64>,
        tail: Tail,
        minimum_sample: usize,
        what: &str,
    ) -> Result<Fence, String> {
        if let Some(value) = fixed {
            return Ok(Fence {
                value,
                quartiles: None,
                basis: format!("the pack's threshold of {}", show(value)),
            });
        }
        if values.len() < minimum_sample {
            return Err(format!(
                "only {} to compare (at least {minimum_sample} needed)",
                count(values.len() as i64, what)
            ));
        }
        let Some(q) = Quartiles::of(values) else {
            return Err("nothing to compare".into());
        };
        if q.q1 == q.q3 {
            // With no spread the fence equals the quartile, and "at or beyond
            // the fence" would flag everyone there (even both tails at once).
            return Err(format!(
                "Q1 = Q3 = {} over {}: no spread, so a fence cannot single anyone out",
                show(q.q1),
                count(values.len() as i64, what)
            ));
        }
        let (value, name) = match tail {
            Tail::Upper => (q.upper_fence(), "upper fence Q3 + 1.5 IQR"),
            Tail::Lower => (q.lower_fence(), "lower fence Q1 - 1.5 IQR"),
        };
        Ok(Fence {
            value,
            quartiles: Some(q),
            basis: format!(
                "the {name} of {} (Q1 {}, Q3 {}, over {})",
                show(value),
                show(q.q1),
                show(q.q3),
                count(values.len() as i64, what)
            ),
        })
    }

    /// A fence at or below zero singles nobody out among non-negative values
    /// (or everybody): refuse it, as Cardinal does, rather than flag at random.
    pub(crate) fn positive(self) -> Result<Fence, String> {
        if self.value > 0.0 {
            Ok(self)
        } else {
            Err(format!(
                "{} is not above 0, so it cannot single anyone out",
                self.basis
            ))
        }
    }
}

/// A number for explanations: up to four decimals, no trailing zeros.
pub(crate) fn show(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A share as a percentage for explanations: `0.1234` → `12.3 %`.
pub(crate) fn percent(x: f64) -> String {
    format!("{} %", show((x * 1000.0).round() / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_8_quantiles_match_hyndman_and_fan() {
        // n = 4: h(0.25) = 4.333 * 0.25 + 0.333 = 1.4167 → 1 + 0.4167 * (2 - 1);
        // h(0.75) = 3.5833 → 3 + 0.5833 * (4 - 3). R: quantile(1:4, c(.25,.75), type = 8)
        // gives 1.416667 and 3.583333.
        let q = Quartiles::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert!((q.q1 - 1.416_666_666_7).abs() < 1e-9, "{q:?}");
        assert!((q.q3 - 3.583_333_333_3).abs() < 1e-9, "{q:?}");
        // One value: every quantile is that value.
        assert_eq!(Quartiles::of(&[0.5]), Some(Quartiles { q1: 0.5, q3: 0.5 }));
        assert_eq!(Quartiles::of(&[]), None);
        // Tails clamp to the extremes: n = 2, h(0.25) = 0.9167 < 1 → min.
        assert_eq!(quantile(&[1.0, 9.0], 0.25), Some(1.0));
        assert_eq!(quantile(&[1.0, 9.0], 0.95), Some(9.0));
    }

    #[test]
    fn fences() {
        let q = Quartiles { q1: 0.05, q3: 0.07 };
        assert!((q.lower_fence() - 0.02).abs() < 1e-12);
        assert!((q.upper_fence() - 0.1).abs() < 1e-12);
        assert_eq!(show(0.125), "0.125");
        assert_eq!(show(2.0), "2");
        assert_eq!(percent(0.1234), "12.3 %");
    }

    #[test]
    fn a_fence_without_spread_is_refused() {
        // Ten equal ratios: Q1 = Q3 = 0.03, so both fences would be 0.03 and flag all ten.
        let equal = [0.03; 10];
        let err = Fence::of(&equal, None, Tail::Upper, 10, "process").err().unwrap();
        assert_eq!(
            err,
            "Q1 = Q3 = 0.03 over 10 processes: no spread, so a fence cannot single anyone out"
        );
        // The pack's own threshold still applies.
        assert!(Fence::of(&equal, Some(0.05), Tail::Upper, 10, "process").is_ok());
        // Some spread: a fence is learnt.
        let spread = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10];
        assert!(Fence::of(&spread, None, Tail::Lower, 10, "process").is_ok());
    }
}
