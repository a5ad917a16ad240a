//! A learner's guess of a run's speedup and what it met, as the run's record keeps it (predict
//! first: `teaching::predict` asks for the guess and says what the gap means).

use crate::json::{Fields, FromJson, Json, ToJson};

/// A run's guess and what it met: the speedup measured against its baseline and the error
/// `|guess − measured| / measured` (both absent while the run has no baseline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// The guessed speedup.
    pub guess: f64,
    /// The measured speedup.
    pub measured: Option<f64>,
    /// `|guess − measured| / measured`.
    pub error: Option<f64>,
}

impl Prediction {
    /// A guess not measured yet.
    pub fn new(guess: f64) -> Self {
        Prediction {
            guess,
            measured: None,
            error: None,
        }
    }

    /// Sets the measured speedup, and the error from it.
    pub fn measure(&mut self, speedup: Option<f64>) {
        self.measured = speedup.filter(|m| *m > 0.0 && m.is_finite());
        self.error = self
            .measured
            .map(|m| ((self.guess - m).abs() / m * 1e4).round() / 1e4);
    }
}

impl ToJson for Prediction {
    fn to_json(&self) -> Json {
        Json::obj([
            ("guess", self.guess.to_json()),
            ("measured", self.measured.to_json()),
            ("error", self.error.to_json()),
        ])
    }
}

impl FromJson for Prediction {
    fn from_json(value: &Json) -> Result<Self, String> {
        let f = Fields::of(value, "a prediction")?;
        Ok(Prediction {
            guess: f.req("guess")?,
            measured: f.req("measured")?,
            error: f.req("error")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_the_gap_over_the_measurement() {
        let mut p = Prediction::new(4.0);
        p.measure(Some(0.98));
        assert_eq!(p.measured, Some(0.98));
        assert_eq!(p.error, Some(3.0816));
        let mut none = Prediction::new(2.0);
        none.measure(None);
        assert_eq!((none.measured, none.error), (None, None));
        none.measure(Some(0.0));
        assert_eq!(none.error, None, "never divides by zero");
    }
}
