//! One macro for the closed sets of words the domain stores as text (confidentiality, topics,
//! permissions, share states, …): an enum with its stored spelling, `ALL`, `as_str` and a
//! `parse` that names the offending field.

macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(field: &str, raw: &str) -> $crate::error::Result<Self> {
                match raw {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::error::Error::bad_input(field, format!("'{}' is not a {}", raw.chars().take(64).collect::<String>(), stringify!($name)))),
                }
            }
        }
    };
}

pub(crate) use text_enum;
