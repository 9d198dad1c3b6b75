//! What a failed validation reports: [`ValidationErrors`], a list of [`FieldError`]s, carried
//! by an [`Error`](crate::Error) of kind [`ErrorKind::Validation`](crate::ErrorKind::Validation).
//!
//! The ORM fills it before a flush writes anything, with every invalid field of every new or
//! changed object; a model's own `validate_with` function returns one too.

use std::fmt;

/// One invalid field of one object: which model and object, which field, which rule, a
/// message, and the value unless the field is marked `sensitive`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The model's name (`Student`). Filled in by the session when a model's own
    /// validation function leaves it empty.
    pub model: String,
    /// The object's primary key as text (`7`, `(1, 2)`), or `new` when it has none yet.
    pub key: String,
    /// The field's name as declared on the struct (a model-level rule may name several,
    /// comma-separated, or none: empty).
    pub field: String,
    /// The rule that failed: `length`, `range`, `one_of`, `pattern`, or the name a
    /// model's own validation function gives.
    pub rule: String,
    /// What is wrong, for a person: `must be at most 100 characters, is 120`.
    pub message: String,
    /// The invalid value as text, `None` for a field marked `sensitive` (and whenever the
    /// validation function did not give one).
    pub value: Option<String>,
}

impl FieldError {
    /// An error on `field` breaking `rule`; model and key are filled in by the session.
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            model: String::new(),
            key: String::new(),
            field: field.into(),
            rule: rule.into(),
            message: message.into(),
            value: None,
        }
    }

    /// Shows `value` in the error (leave it out for secrets).
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Names the model and the object's key.
    pub fn on(mut self, model: impl Into<String>, key: impl Into<String>) -> Self {
        self.model = model.into();
        self.key = key.into();
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.model, self.key)?;
        if !self.field.is_empty() {
            write!(f, " .{}", self.field)?;
        }
        write!(f, " ({}): {}", self.rule, self.message)?;
        if let Some(v) = &self.value {
            write!(f, " (value {v:?})")?;
        }
        Ok(())
    }
}

/// Every invalid field found by one validation, in the order found (objects in the order
/// they were added to the session, fields in declaration order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// An empty list.
    pub fn new() -> Self {
        ValidationErrors::default()
    }

    /// Adds an error on `field` breaking `rule` (see [`FieldError::new`]).
    pub fn add(
        &mut self,
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError::new(field, rule, message));
    }

    /// Adds an error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Moves every error of `other` to the end of this list.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.errors.extend(other.errors);
    }

    /// Whether nothing is invalid.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many invalid fields.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// The errors, in order.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The errors, to fill in model and key.
    pub fn errors_mut(&mut self) -> &mut [FieldError] {
        &mut self.errors
    }

    /// `Ok(())` when empty, else `Err(self)`: the usual end of a validation function.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        ValidationErrors {
            errors: vec![error],
        }
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{n} invalid field{}", if n == 1 { "" } else { "s" })?;
        for (i, e) in self.errors.iter().enumerate() {
            write!(f, "{}{e}", if i == 0 { ": " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_every_error_and_hides_missing_values() {
        let mut errs = ValidationErrors::new();
        errs.push(
            FieldError::new("name", "length", "must be at most 3 characters, is 5")
                .with_value("Alice")
                .on("Student", "new"),
        );
        errs.push(FieldError::new("pin", "pattern", "must match ^[0-9]{4}$").on("Card", "7"));
        assert_eq!(
            errs.to_string(),
            "2 invalid fields: Student new .name (length): must be at most 3 characters, is 5 \
             (value \"Alice\"); Card 7 .pin (pattern): must match ^[0-9]{4}$"
        );
        assert_eq!(errs.len(), 2);
        assert!(ValidationErrors::new().into_result().is_ok());
    }
}
