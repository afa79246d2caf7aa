//! Fuzzes the network-facing OData parsers: `$filter` (parse, then check against the users
//! collection in an advanced query), and the same bytes as `$search`, `$orderby` and `$select`.
//! Any input must give a value or a query error, never a panic, a stack overflow or a hang.

#![no_main]

use gatehouse_domain::odata::collections::USERS;
use gatehouse_domain::odata::{QueryOptions, parse_filter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_filter(text);
    for option in [
        "$filter", "$search", "$orderby", "$select", "$expand", "$top",
    ] {
        let pairs = vec![
            (option.to_owned(), text.to_owned()),
            ("$count".to_owned(), "true".to_owned()),
        ];
        let _ = QueryOptions::parse(&USERS, &pairs, true);
    }
});
