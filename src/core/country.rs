//! SPEC §3 (customers.csv, `country`): a customer's country as exports write it — an ISO 3166
//! alpha-2 or alpha-3 code, or its name in a Nordic language or English (Tripletex and Fiken
//! write `Norge`, e-conomic free text). A name not known here is the caller's finding, never a
//! guess.

/// ISO 3166 alpha-2 code and the names and alpha-3 code that mean it, in lower case.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("SE", &["swe", "sverige", "sweden", "ruotsi", "svíþjóð", "schweden"]),
    ("NO", &["nor", "norge", "noreg", "norway", "norja", "noregur", "norwegen"]),
    ("DK", &["dnk", "danmark", "denmark", "tanska", "danmörk", "dänemark"]),
    ("FI", &["fin", "finland", "suomi", "finnland", "finnland"]),
    ("IS", &["isl", "island", "iceland", "islanti", "ísland"]),
    ("FO", &["fro", "färöarna", "færøerne", "færøyane", "færøyene", "faroe islands", "färsaaret", "føroyar"]),
    ("GL", &["grl", "grönland", "grønland", "greenland", "grönlanti", "kalaallit nunaat"]),
    ("AX", &["ala", "åland", "ahvenanmaa", "aland islands", "åland islands"]),
    ("EE", &["est", "estland", "estonia", "viro", "eesti"]),
    ("LV", &["lva", "lettland", "letland", "latvia", "latvija"]),
    ("LT", &["ltu", "litauen", "lithuania", "liettua", "lietuva"]),
    ("DE", &["deu", "tyskland", "germany", "saksa", "deutschland"]),
    (
        "GB",
        &[
            "gbr",
            "storbritannien",
            "storbritannia",
            "united kingdom",
            "uk",
            "england",
            "iso-britannia",
            "britannia",
            "great britain",
        ],
    ),
    ("IE", &["irl", "irland", "ireland", "irlanti"]),
    (
        "NL",
        &[
            "nld",
            "nederländerna",
            "nederland",
            "nederlandene",
            "holland",
            "netherlands",
            "the netherlands",
            "alankomaat",
            "hollanti",
        ],
    ),
    ("BE", &["bel", "belgien", "belgia", "belgium", "belgique"]),
    ("LU", &["lux", "luxemburg", "luxembourg"]),
    ("FR", &["fra", "frankrike", "frankrig", "france", "ranska"]),
    ("ES", &["esp", "spanien", "spania", "spain", "espanja", "españa"]),
    ("PT", &["prt", "portugal", "portugali"]),
    ("IT", &["ita", "italien", "italia", "italy"]),
    ("CH", &["che", "schweiz", "sveits", "switzerland", "sveitsi", "suisse"]),
    ("AT", &["aut", "österrike", "østerrike", "østrig", "austria", "itävalta", "österreich"]),
    ("PL", &["pol", "polen", "poland", "puola", "polska"]),
    ("CZ", &["cze", "tjeckien", "tsjekkia", "tjekkiet", "czech republic", "czechia", "tšekki", "tsekki"]),
    ("SK", &["svk", "slovakien", "slovakia", "slovakiet"]),
    ("HU", &["hun", "ungern", "ungarn", "hungary", "unkari"]),
    ("SI", &["svn", "slovenien", "slovenia"]),
    ("HR", &["hrv", "kroatien", "kroatia", "croatia", "kroatia"]),
    ("GR", &["grc", "grekland", "hellas", "grækenland", "greece", "kreikka"]),
    ("RO", &["rou", "rumänien", "romania", "rumænien", "romania"]),
    ("BG", &["bgr", "bulgarien", "bulgaria"]),
    ("CY", &["cyp", "cypern", "kypros", "cyprus"]),
    ("MT", &["mlt", "malta"]),
    (
        "US",
        &[
            "usa",
            "förenta staterna",
            "amerikas forente stater",
            "usa",
            "united states",
            "united states of america",
            "yhdysvallat",
            "amerika",
        ],
    ),
    ("CA", &["can", "kanada", "canada"]),
    ("CN", &["chn", "kina", "china", "kiina"]),
    ("JP", &["jpn", "japan", "japani"]),
    ("IN", &["ind", "indien", "india", "intia"]),
    ("AU", &["aus", "australien", "australia"]),
    ("UA", &["ukr", "ukraina", "ukraine"]),
    ("RU", &["rus", "ryssland", "russland", "rusland", "russia", "venäjä"]),
    ("TR", &["tur", "turkiet", "tyrkia", "tyrkiet", "turkey", "türkiye", "turkki"]),
];

/// The alpha-2 code of a country written as a code or a name (any case, surrounding blanks
/// and a trailing full stop ignored), or `None` when it is not known.
pub fn country_code(text: &str) -> Option<[u8; 2]> {
    let t = text.trim().trim_end_matches('.').trim();
    let upper = |b: &[u8]| [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
    if let &[a, b] = t.as_bytes()
        && a.is_ascii_alphabetic()
        && b.is_ascii_alphabetic()
    {
        let code = upper(&[a, b]);
        // `UK` is what people write for the United Kingdom; ISO says GB.
        return Some(if &code == b"UK" { *b"GB" } else { code });
    }
    let lower = t.to_lowercase();
    COUNTRIES
        .iter()
        .find(|(_, names)| names.contains(&lower.as_str()))
        .map(|(code, _)| upper(code.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_the_nordic_languages_and_english() {
        for (text, code) in [
            ("SE", b"SE"),
            ("se", b"SE"),
            ("Norge", b"NO"),
            ("Noreg", b"NO"),
            ("NORWAY", b"NO"),
            ("Sverige", b"SE"),
            ("Danmark", b"DK"),
            ("Suomi", b"FI"),
            (" Finland ", b"FI"),
            ("Island", b"IS"),
            ("Iceland", b"IS"),
            ("Tyskland", b"DE"),
            ("Deutschland", b"DE"),
            ("Saksa", b"DE"),
            ("NOR", b"NO"),
            ("UK", b"GB"),
            ("Storbritannien", b"GB"),
            ("Færøerne", b"FO"),
        ] {
            assert_eq!(country_code(text), Some(*code), "{text}");
        }
        for unknown in ["Narnia", "", "Norr", "12", "S"] {
            assert_eq!(country_code(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn no_name_means_two_countries() {
        let mut seen = std::collections::HashMap::new();
        for (code, names) in COUNTRIES {
            for name in *names {
                if let Some(other) = seen.insert(*name, *code) {
                    assert_eq!(other, *code, "{name}");
                }
            }
        }
    }
}
