//! English and Bahasa Indonesia: the messages of the dashboard, the chat bot and the
//! customer notices, written in [Project Fluent](https://projectfluent.org) files
//! (`examples/noc/locales/{en,id}/*.ftl`, compiled into the binary) and looked up with
//! [`fluent_bundle`]; and numbers, rates and money written the way each language writes them
//! (`2.5 Mbps` / `2,5 Mbps`, `Rp 150,000` / `Rp 150.000`).
//!
//! Who sees which language: a dashboard user's own choice (the switch in the page header),
//! else their browser's `Accept-Language`, else the default (`language` in `noc.toml`); a
//! chat's own choice (`/lang id`), else its `language` in `noc.toml`, else the default.
//!
//! ```
//! use noc::i18n::Lang;
//! use noc::tr;
//!
//! assert_eq!(tr!(Lang::Id, "nav-alerts"), "Peringatan");
//! assert_eq!(tr!(Lang::En, "chat-no-router-called", name = "core"), "No router called core.");
//! assert_eq!(Lang::Id.si(2_500_000, "bps"), "2,5 Mbps");
//! assert_eq!(Lang::En.integer(150_000), "150,000");
//! ```
//!
//! Messages take their arguments as text, already formatted for the language (so Fluent's
//! own number formatting, which knows no grouping, is never used for display); numbers are
//! passed as numbers only where a message chooses a plural form (`$count`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language noc speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Bahasa Indonesia.
    Id,
}

impl Lang {
    /// Every language, in the order the language switch shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Id];

    /// The language's code: `en`, `id`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }

    /// The language's own name: `English`, `Bahasa Indonesia`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Id => "Bahasa Indonesia",
        }
    }

    /// A language from a code or a tag: `en`, `EN`, `en-US`, `id`, `id-ID`, `in` (the old
    /// code of Indonesian), `indonesia`, `english`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" | "english" | "inggris" => Some(Lang::En),
            "id" | "in" | "indonesia" | "indonesian" | "bahasa" => Some(Lang::Id),
            _ => None,
        }
    }

    /// The language a browser prefers most among those noc speaks, from an
    /// `Accept-Language` header (`id-ID,id;q=0.9,en;q=0.8`); `None` when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u32, Lang)> = None;
        for part in header.split(',').take(32) {
            let mut bits = part.split(';');
            let Some(lang) = bits.next().and_then(Lang::parse) else {
                continue;
            };
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .map_or(1000, |q| {
                    q.trim()
                        .parse::<f32>()
                        .map_or(0, |q| (q.clamp(0.0, 1.0) * 1000.0) as u32)
                });
            if q > 0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The decimal separator: `.` in English, `,` in Indonesian.
    fn decimal_mark(self) -> char {
        match self {
            Lang::En => '.',
            Lang::Id => ',',
        }
    }

    /// The thousands separator: `,` in English, `.` in Indonesian.
    pub fn group_mark(self) -> char {
        match self {
            Lang::En => ',',
            Lang::Id => '.',
        }
    }

    /// A whole number with thousands grouped: `150,000` / `150.000`.
    pub fn integer(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(self.group_mark());
            }
            out.push(c);
        }
        out
    }

    /// `x` with `places` decimals and grouped thousands: `1,234.5` / `1.234,5`. Not a
    /// number shows as `-`.
    pub fn decimal(self, x: f64, places: usize) -> String {
        if !x.is_finite() {
            return "-".into();
        }
        let s = format!("{:.*}", places, x.abs());
        let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
        let whole = int
            .parse::<i64>()
            .map_or_else(|_| int.to_owned(), |n| self.integer(n));
        let sign = if x < 0.0 && s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            "-"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}{}{frac}", self.decimal_mark())
        }
    }

    /// `v` with an SI prefix (k = 1000) and `unit`, one decimal: `2.5 Mbps` / `2,5 Mbps`,
    /// `512 B`.
    pub fn si(self, v: u64, unit: &str) -> String {
        let x = v as f64;
        match [(1e9, "G"), (1e6, "M"), (1e3, "k")]
            .into_iter()
            .find(|(d, _)| x >= *d)
        {
            Some((d, p)) => format!("{} {p}{unit}", self.decimal(x / d, 1)),
            None => format!("{v} {unit}"),
        }
    }

    /// A rate for pages: `2.5 Mbps` / `2,5 Mbps`.
    pub fn rate(self, bps: u64) -> String {
        self.si(bps, "bps")
    }

    /// A byte count for pages: `1.2 MB` / `1,2 MB`.
    pub fn bytes(self, v: u64) -> String {
        self.si(v, "B")
    }

    /// A percentage with one decimal when it has one: `12.5%` / `12,5%`, `40%`.
    pub fn percent(self, p: f64) -> String {
        let s = self.decimal(p, 1);
        let mark = format!("{}0", self.decimal_mark());
        format!("{}%", s.strip_suffix(&mark).unwrap_or(&s))
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Written as its code (`"en"`, `"id"`).
impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let s = String::deserialize(d)?;
        Lang::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "language {s:?}: \"en\" (English) or \"id\" (Bahasa Indonesia)"
            ))
        })
    }
}

/// An argument of a message: text (shown as is) or a number (for plural forms).
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// Text, shown as given.
    Text(Cow<'a, str>),
    /// A number; messages use it to choose a plural form.
    Number(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(s))
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Arg<'a> {
        Arg::Text(Cow::Borrowed(s.as_str()))
    }
}
impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

/// The message files, per language: (file, text).
const FILES: [(Lang, &[(&str, &str)]); 2] = [
    (
        Lang::En,
        &[
            ("common.ftl", include_str!("../locales/en/common.ftl")),
            ("admin.ftl", include_str!("../locales/en/admin.ftl")),
            ("network.ftl", include_str!("../locales/en/network.ftl")),
            ("billing.ftl", include_str!("../locales/en/billing.ftl")),
            ("customer.ftl", include_str!("../locales/en/customer.ftl")),
            ("chat.ftl", include_str!("../locales/en/chat.ftl")),
        ],
    ),
    (
        Lang::Id,
        &[
            ("common.ftl", include_str!("../locales/id/common.ftl")),
            ("admin.ftl", include_str!("../locales/id/admin.ftl")),
            ("network.ftl", include_str!("../locales/id/network.ftl")),
            ("billing.ftl", include_str!("../locales/id/billing.ftl")),
            ("customer.ftl", include_str!("../locales/id/customer.ftl")),
            ("chat.ftl", include_str!("../locales/id/chat.ftl")),
        ],
    ),
];

struct Catalog {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
    /// Per language, the messages for the dashboard's script (`js-…`), their variables left
    /// as `{$name}`.
    scripts: HashMap<Lang, std::collections::BTreeMap<String, String>>,
    /// Every message id (the same in both languages; the tests make sure).
    ids: Vec<String>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let mut bundles = HashMap::new();
    let mut scripts = HashMap::new();
    let mut ids = Vec::new();
    for (lang, files) in FILES {
        let mut js = Vec::new();
        let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        for (_, text) in files {
            // A syntax error drops only the broken entry (the tests refuse any); a duplicate
            // key keeps the first.
            let res = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(r, _)| r);
            for entry in res.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    if lang == Lang::En {
                        ids.push(m.id.name.to_owned());
                    }
                    if m.id.name.starts_with("js-") {
                        js.push(m.id.name.to_owned());
                    }
                }
            }
            bundle.add_resource_overriding(res);
        }
        let messages = js
            .into_iter()
            .filter_map(|id| {
                let pattern = bundle.get_message(&id)?.value()?;
                let mut errors = Vec::new();
                let text = bundle
                    .format_pattern(pattern, None, &mut errors)
                    .into_owned();
                Some((id, text))
            })
            .collect();
        scripts.insert(lang, messages);
        bundles.insert(lang, bundle);
    }
    ids.sort();
    ids.dedup();
    Catalog {
        bundles,
        scripts,
        ids,
    }
});

/// The message `key` in `lang` with `args`. A key that does not exist (the tests make sure
/// none is used) comes back as the key itself, never a panic.
pub fn format(lang: Lang, key: &str, args: &[(&str, Arg<'_>)]) -> String {
    let Some(bundle) = CATALOG.bundles.get(&lang) else {
        return key.to_owned();
    };
    let (id, attr) = match key.split_once('.') {
        Some((id, attr)) => (id, Some(attr)),
        None => (key, None),
    };
    let Some(msg) = bundle.get_message(id) else {
        tracing::debug!("no message {key} in {lang}");
        return key.to_owned();
    };
    let pattern = match attr {
        Some(a) => msg.get_attribute(a).map(|a| a.value()),
        None => msg.value(),
    };
    let Some(pattern) = pattern else {
        return key.to_owned();
    };
    let mut fargs = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        let v = match value {
            Arg::Text(s) => FluentValue::from(s.clone()),
            Arg::Number(n) => FluentValue::from(*n),
        };
        fargs.set(*name, v);
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// The messages the dashboard's script uses (keys starting `js-`) in `lang`, each with its
/// variables written `{$name}` for the script to fill in.
pub fn script_messages(lang: Lang) -> std::collections::BTreeMap<String, String> {
    CATALOG.scripts.get(&lang).cloned().unwrap_or_default()
}

/// Every message key: what a page must never show as text (a key comes back as itself when
/// its message is missing).
pub fn keys() -> &'static [String] {
    &CATALOG.ids
}

/// Whether `key` exists in `lang`.
pub fn has(lang: Lang, key: &str) -> bool {
    let (id, attr) = match key.split_once('.') {
        Some((id, attr)) => (id, Some(attr)),
        None => (key, None),
    };
    CATALOG
        .bundles
        .get(&lang)
        .and_then(|b| b.get_message(id))
        .is_some_and(|m| match attr {
            Some(a) => m.get_attribute(a).is_some(),
            None => m.value().is_some(),
        })
}

/// A message in a language: `tr!(lang, "key")`, `tr!(lang, "key", name = value, ...)`;
/// values are text (`&str`, `String`) or numbers (for plural forms). See [`format`].
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(,)?) => {
        $crate::i18n::format($lang, $key, &[])
    };
    ($lang:expr, $key:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::format(
            $lang,
            $key,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

#[cfg(test)]
mod tests;
