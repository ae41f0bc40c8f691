//! Closed lists of choices: enumerations that parse from and print to a slug.

/// A closed list of choices that parses from and prints to its slug, which is also its name in
/// JSON: `ALL` in order, `as_str`, `parse` (trimmed; other text is refused naming `field`) and
/// `Display`.
///
/// `choice!(Name, "field", "message", { Variant => "slug", … })` has snake_case slugs and refuses
/// with the code `invalid-choice`; `choice!(Name in "kebab-case", "field", "code", "message", { … })`
/// names the case of its slugs and its refusal's code.
macro_rules! choice {
    ($(#[$m:meta])* $name:ident, $field:literal, $msg:literal, { $($v:ident => $s:literal),+ $(,)? }) => {
        choice!($(#[$m])* $name in "snake_case", $field, "invalid-choice", $msg, { $($v => $s),+ });
    };
    (
        $(#[$m:meta])* $name:ident in $case:literal, $field:literal, $code:literal, $msg:literal,
        { $($v:ident => $s:literal),+ $(,)? }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = $case)]
        pub enum $name { $($v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
            pub fn parse(s: &str) -> Result<Self, $crate::FieldError> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::FieldError::new($field, $code, $msg))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use choice;
