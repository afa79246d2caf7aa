//! Table-driven tests of the `$filter` parser, the checks against a collection, `$search` and the
//! query options, with Graph's exact messages; plus a seeded random-input property test of the
//! parser (the fuzz target's deterministic sibling, run on every `cargo test`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::macros::datetime;
use uuid::uuid;

use super::collection::{Collection, Kind, Navigation, Ops, Property, Support};
use super::filter::{CompareOp, Filter, Literal, MAX_DEPTH, Path, parse_filter};
use super::options::QueryOptions;
use super::search::Search;
use crate::Error;

const EQ_IN: Ops = Ops::EQ.with(Ops::IN);
const NEG: Ops = Ops::NE.with(Ops::NOT);

static SKU: [Property; 1] = [Property::plain("skuId", Kind::Guid).filter(Ops::EQ, Ops::NOT)];
static EXT: [Property; 2] = [
    Property::plain("extensionAttribute1", Kind::String)
        .filter(Ops::NONE, EQ_IN.with(Ops::NE).with(Ops::RANGE)),
    Property::plain("extensionAttribute2", Kind::String)
        .filter(Ops::NONE, EQ_IN.with(Ops::NE).with(Ops::RANGE)),
];

static PROPERTIES: [Property; 12] = [
    Property::plain("id", Kind::Guid).filter(EQ_IN, NEG),
    Property::plain("displayName", Kind::String)
        .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::NULL))
        .sort(Support::Default)
        .searchable(),
    Property::plain("userPrincipalName", Kind::String)
        .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::ENDS_WITH))
        .sort(Support::Default)
        .searchable(),
    Property::plain("mail", Kind::String)
        .filter(
            EQ_IN.with(Ops::STARTS_WITH),
            Ops::NE.with(Ops::ENDS_WITH).with(Ops::NULL),
        )
        .searchable(),
    Property::plain("accountEnabled", Kind::Bool).filter(EQ_IN, NEG.with(Ops::RANGE)),
    Property::plain("createdDateTime", Kind::DateTime)
        .filter(Ops::EQ.with(Ops::RANGE), NEG.with(Ops::IN))
        .sort(Support::Advanced),
    Property::plain("extensionNumber", Kind::Int).filter(Ops::EQ.with(Ops::RANGE), NEG),
    Property::plain("proxyAddresses", Kind::StringCollection).filter(
        Ops::LAMBDA.with(Ops::EQ).with(Ops::STARTS_WITH),
        NEG.with(Ops::ENDS_WITH),
    ),
    Property::plain("assignedLicenses", Kind::ComplexCollection(&SKU))
        .filter(Ops::LAMBDA, Ops::NOT)
        .select_only(),
    Property::plain("onPremisesExtensionAttributes", Kind::Complex(&EXT)).select_only(),
    Property::plain("jobTitle", Kind::String),
    Property::plain("signInActivity", Kind::String).select_only(),
];

static USERS: Collection = Collection {
    name: "users",
    entity: "User",
    type_name: "microsoft.graph.user",
    properties: &PROPERTIES,
    navigations: &[
        Navigation {
            name: "manager",
            single: true,
        },
        Navigation {
            name: "memberOf",
            single: false,
        },
    ],
    default_page_size: 100,
    max_top: 999,
    directory: true,
};

fn path(p: &str) -> Path {
    Path(p.split('/').map(str::to_owned).collect())
}

fn cmp(p: &str, op: CompareOp, value: Literal) -> Filter {
    Filter::Compare {
        path: path(p),
        op,
        value,
    }
}

fn s(v: &str) -> Literal {
    Literal::String(v.to_owned())
}

#[test]
fn valid_filters_parse_to_their_tree() {
    use CompareOp::*;
    let guid = uuid!("6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11");
    let cases: Vec<(&str, Filter)> = vec![
        ("displayName eq 'Alex'", cmp("displayName", Eq, s("Alex"))),
        (
            "displayName EQ 'O''Brien'",
            cmp("displayName", Eq, s("O'Brien")),
        ),
        (
            "accountEnabled ne true",
            cmp("accountEnabled", Ne, Literal::Bool(true)),
        ),
        ("mail eq null", cmp("mail", Eq, Literal::Null)),
        (
            "extensionNumber ge -5",
            cmp("extensionNumber", Ge, Literal::Int(-5)),
        ),
        (
            "createdDateTime lt 2024-01-01T10:30:00Z",
            cmp(
                "createdDateTime",
                Lt,
                Literal::DateTime(datetime!(2024-01-01 10:30:00 UTC)),
            ),
        ),
        (
            "createdDateTime le 2024-01-01T10:30:00.5+02:00",
            cmp(
                "createdDateTime",
                Le,
                Literal::DateTime(datetime!(2024-01-01 10:30:00.5 +02:00)),
            ),
        ),
        (
            "createdDateTime gt 2021-11-01",
            cmp(
                "createdDateTime",
                Gt,
                Literal::DateTime(datetime!(2021-11-01 0:00 UTC)),
            ),
        ),
        (
            "id eq 6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11",
            cmp("id", Eq, Literal::Guid(guid)),
        ),
        (
            "id in ('a', 'b')",
            Filter::In {
                path: path("id"),
                values: vec![s("a"), s("b")],
            },
        ),
        (
            "startsWith(displayName, 'Al')",
            Filter::StartsWith {
                path: path("displayName"),
                prefix: "Al".into(),
            },
        ),
        (
            "ENDSWITH(mail,'@contoso.com')",
            Filter::EndsWith {
                path: path("mail"),
                suffix: "@contoso.com".into(),
            },
        ),
        (
            "a eq 1 or b eq 2 and c eq 3",
            Filter::Or(vec![
                cmp("a", Eq, Literal::Int(1)),
                Filter::And(vec![
                    cmp("b", Eq, Literal::Int(2)),
                    cmp("c", Eq, Literal::Int(3)),
                ]),
            ]),
        ),
        (
            "(a eq 1 or b eq 2) and c eq 3",
            Filter::And(vec![
                Filter::Or(vec![
                    cmp("a", Eq, Literal::Int(1)),
                    cmp("b", Eq, Literal::Int(2)),
                ]),
                cmp("c", Eq, Literal::Int(3)),
            ]),
        ),
        (
            "NOT(companyName eq 'Microsoft')",
            Filter::Not(Box::new(cmp("companyName", Eq, s("Microsoft")))),
        ),
        (
            "not startsWith(displayName, 'Conf')",
            Filter::Not(Box::new(Filter::StartsWith {
                path: path("displayName"),
                prefix: "Conf".into(),
            })),
        ),
        (
            "proxyAddresses/any(p:p eq 'smtp:a@contoso.com')",
            Filter::Any {
                path: path("proxyAddresses"),
                variable: "p".into(),
                predicate: Some(Box::new(cmp("p", Eq, s("smtp:a@contoso.com")))),
            },
        ),
        (
            "proxyAddresses/any (p:endsWith(p, 'OnMicrosoft.com'))",
            Filter::Any {
                path: path("proxyAddresses"),
                variable: "p".into(),
                predicate: Some(Box::new(Filter::EndsWith {
                    path: path("p"),
                    suffix: "OnMicrosoft.com".into(),
                })),
            },
        ),
        (
            "assignedLicenses/any(x:x/skuId eq 6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11)",
            Filter::Any {
                path: path("assignedLicenses"),
                variable: "x".into(),
                predicate: Some(Box::new(cmp("x/skuId", Eq, Literal::Guid(guid)))),
            },
        ),
        (
            "assignedLicenses/any()",
            Filter::Any {
                path: path("assignedLicenses"),
                variable: String::new(),
                predicate: None,
            },
        ),
        (
            "proxyAddresses/all(p:startswith(p,'smtp:'))",
            Filter::All {
                path: path("proxyAddresses"),
                variable: "p".into(),
                predicate: Box::new(Filter::StartsWith {
                    path: path("p"),
                    prefix: "smtp:".into(),
                }),
            },
        ),
        (
            "onPremisesExtensionAttributes/extensionAttribute1 eq 'x'",
            cmp(
                "onPremisesExtensionAttributes/extensionAttribute1",
                Eq,
                s("x"),
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_filter(text), Ok(expected), "{text}");
    }
}

#[test]
fn invalid_filters_get_graphs_messages() {
    let deep = format!(
        "{}a eq 1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let nots = format!("{}a eq 1", "not ".repeat(MAX_DEPTH + 1));
    let long = format!("displayName eq '{}'", "x".repeat(9000));
    let cases: Vec<(&str, String)> = vec![
        ("displayName eq", "Expression expected at position 14 in 'displayName eq'."),
        ("displayName eq \"x\"", "Syntax error: character '\"' is not valid at position 15 in 'displayName eq \"x\"'."),
        ("displayName eq 'x", "There is an unterminated string literal at position 15 in 'displayName eq 'x'."),
        ("displayName 'x'", "Syntax error at position 12 in 'displayName 'x''."),
        ("displayName eq 'x' and", "Expression expected at position 22 in 'displayName eq 'x' and'."),
        ("(displayName eq 'x'", "')' expected at position 19 in '(displayName eq 'x''."),
        ("displayName eq 'x')", "Syntax error at position 18 in 'displayName eq 'x')'."),
        ("contains(displayName,'x')", "An unknown function with name 'contains' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed."),
        ("startswith(displayName, 1)", "Syntax error at position 24 in 'startswith(displayName, 1)'."),
        ("id in ('a' 'b')", "')' or ',' expected at position 11 in 'id in ('a' 'b')'."),
        ("proxyAddresses/any(p p eq 'x')", "':' expected at position 21 in 'proxyAddresses/any(p p eq 'x')'."),
        ("a eq 2024-13-45", "Syntax error: character '2' is not valid at position 5 in 'a eq 2024-13-45'."),
        ("a eq 1 # b", "Syntax error: character '#' is not valid at position 7 in 'a eq 1 # b'."),
        ("", "Expression expected at position 0 in ''."),
    ]
    .into_iter()
    .map(|(t, m)| (t, format!("Invalid filter clause: {m}")))
    .collect();
    for (text, message) in cases {
        assert_eq!(
            parse_filter(text),
            Err(Error::InvalidQuery { message }),
            "{text}"
        );
    }
    for text in [deep, nots] {
        assert_eq!(
            parse_filter(&text),
            Err(Error::invalid_query(format!(
                "Invalid filter clause: The filter exceeds the maximum nesting depth of {MAX_DEPTH}."
            )))
        );
    }
    assert!(matches!(
        parse_filter(&long),
        Err(Error::InvalidQuery { .. })
    ));
}

fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn options(query: &[(&str, &str)], eventual: bool) -> Result<QueryOptions, Error> {
    QueryOptions::parse(&USERS, &pairs(query), eventual)
}

const ADVANCED: &str = "is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information";

#[test]
fn filters_are_checked_against_the_collection() {
    let unsupported = |p: &str| {
        Error::unsupported_query(format!(
            "Unsupported or invalid query filter clause specified for property '{p}' of resource 'User'."
        ))
    };
    let advanced = |op: &str| Error::unsupported_query(format!("Operator '{op}' {ADVANCED}"));
    let incompatible = |a: &str, b: &str, k: &str| {
        Error::invalid_query(format!(
            "Invalid filter clause: A binary operator with incompatible types was detected. Found operand types '{a}' and '{b}' for operator kind '{k}'."
        ))
    };
    // (filter, eventual + $count=true, expected error or None)
    let cases: Vec<(&str, bool, Option<Error>)> = vec![
        ("displayName eq 'a'", false, None),
        ("DISPLAYNAME eq 'a' and accountEnabled eq true", false, None),
        (
            "id in ('6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11')",
            false,
            None,
        ),
        ("startswith(userPrincipalName,'a')", false, None),
        ("createdDateTime ge 2024-01-01T00:00:00Z", false, None),
        ("proxyAddresses/any(p:p eq 'smtp:a@b.c')", false, None),
        (
            "assignedLicenses/any(x:x/skuId eq 6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11)",
            false,
            None,
        ),
        ("displayName ne 'a'", false, Some(advanced("ne"))),
        ("displayName ne 'a'", true, None),
        ("not(displayName eq 'a')", false, Some(advanced("not"))),
        ("not(displayName eq 'a')", true, None),
        (
            "endswith(mail,'@contoso.com')",
            false,
            Some(advanced("endsWith")),
        ),
        ("endswith(mail,'@contoso.com')", true, None),
        ("mail eq null", false, Some(advanced("eq"))),
        ("mail ne null", true, None),
        (
            "proxyAddresses/any(p:endswith(p,'.com'))",
            false,
            Some(advanced("endsWith")),
        ),
        (
            "onPremisesExtensionAttributes/extensionAttribute1 eq 'x'",
            false,
            Some(advanced("eq")),
        ),
        (
            "onPremisesExtensionAttributes/extensionAttribute1 eq 'x'",
            true,
            None,
        ),
        ("not(assignedLicenses/any())", true, None),
        (
            "endswith(displayName,'x')",
            true,
            Some(unsupported("displayName")),
        ),
        ("jobTitle eq 'x'", true, Some(unsupported("jobTitle"))),
        (
            "startswith(accountEnabled,'x')",
            true,
            Some(unsupported("accountEnabled")),
        ),
        ("not(mail eq 'x')", true, Some(unsupported("mail"))),
        (
            "proxyAddresses eq 'x'",
            true,
            Some(unsupported("proxyAddresses")),
        ),
        (
            "displayName/any(d:d eq 'x')",
            true,
            Some(unsupported("displayName")),
        ),
        (
            "onPremisesExtensionAttributes eq 'x'",
            true,
            Some(unsupported("onPremisesExtensionAttributes")),
        ),
        (
            "nope eq 'x'",
            false,
            Some(Error::invalid(
                "Property 'nope' does not exist as a declared property or extension property.",
            )),
        ),
        (
            "proxyAddresses/any(p:q eq 'x')",
            false,
            Some(Error::invalid(
                "Property 'q' does not exist as a declared property or extension property.",
            )),
        ),
        (
            "assignedLicenses/any(x:x/nope eq 1)",
            false,
            Some(Error::invalid(
                "Property 'nope' does not exist as a declared property or extension property.",
            )),
        ),
        (
            "accountEnabled eq 'true'",
            false,
            Some(incompatible("Edm.Boolean", "Edm.String", "Equal")),
        ),
        (
            "displayName eq 1",
            false,
            Some(incompatible("Edm.String", "Edm.Int32", "Equal")),
        ),
        (
            "createdDateTime ge 'yesterday'",
            false,
            Some(incompatible(
                "Edm.DateTimeOffset",
                "Edm.String",
                "GreaterThanOrEqual",
            )),
        ),
        (
            "id eq 'not-a-guid'",
            false,
            Some(incompatible("Edm.Guid", "Edm.String", "Equal")),
        ),
        (
            "extensionNumber gt null",
            true,
            Some(incompatible("Edm.Int32", "<null>", "GreaterThan")),
        ),
        ("startswith(id,'6fa')", true, Some(unsupported("id"))),
        (
            "id in ('1','2','3','4','5','6','7','8','9','10','11','12','13','14','15','16')",
            false,
            Some(Error::unsupported_query(
                "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.",
            )),
        ),
    ];
    for (filter, advanced, expected) in cases {
        let query: Vec<(&str, &str)> = if advanced {
            vec![("$filter", filter), ("$count", "true")]
        } else {
            vec![("$filter", filter)]
        };
        let result = options(&query, advanced);
        match expected {
            None => assert!(result.is_ok(), "{filter}: {result:?}"),
            Some(e) => assert_eq!(result, Err(e), "{filter}"),
        }
    }
}

#[test]
fn checked_filters_use_graphs_spelling_and_typed_literals() {
    let o = options(
        &[(
            "$filter",
            "ID eq '6FA1AD7E-3D4B-4C84-9B7C-7C2D2F0E6C11' and ASSIGNEDLICENSES/any(l:l/SKUID eq 6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11) and proxyaddresses/any(p:p eq 'x')",
        )],
        false,
    )
    .unwrap();
    let guid = Literal::Guid(uuid!("6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11"));
    assert_eq!(
        o.filter,
        Some(Filter::And(vec![
            cmp("id", CompareOp::Eq, guid.clone()),
            Filter::Any {
                path: path("assignedLicenses"),
                variable: "l".into(),
                predicate: Some(Box::new(cmp("skuId", CompareOp::Eq, guid))),
            },
            Filter::Any {
                path: path("proxyAddresses"),
                variable: "p".into(),
                predicate: Some(Box::new(Filter::Compare {
                    path: Path(vec![]),
                    op: CompareOp::Eq,
                    value: s("x"),
                })),
            },
        ]))
    );
}

#[test]
fn query_options_follow_graphs_rules() {
    let ok = |q: &[(&str, &str)], eventual: bool| options(q, eventual).unwrap();
    let sorting = Error::unsupported_query("Sorting not supported for current query.");
    let search_header = Error::unsupported_query(
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );

    let none = ok(&[("ConsistencyLevel", "x"), ("api-version", "1")], false);
    assert_eq!(none, QueryOptions::none(&USERS));
    assert_eq!(
        none.projection(&USERS),
        [
            "id",
            "displayName",
            "userPrincipalName",
            "mail",
            "accountEnabled",
            "createdDateTime",
            "extensionNumber",
            "proxyAddresses",
            "jobTitle"
        ]
    );

    // $count: silently ignored without the header; @odata.count with it.
    assert!(!ok(&[("$count", "true")], false).count);
    assert!(ok(&[("$COUNT", "TRUE")], true).count);
    assert!(!ok(&[("$count", "false")], true).count);
    assert_eq!(
        options(&[("$count", "yes")], true),
        Err(Error::invalid_query("'yes' is not a valid count option."))
    );

    // $top.
    assert_eq!(ok(&[("$top", "999")], false).top, 999);
    assert_eq!(ok(&[], false).top, 100);
    for bad in ["0", "1000"] {
        assert_eq!(
            options(&[("$top", bad)], false),
            Err(Error::unsupported_query(format!(
                "Invalid page size specified: '{bad}'. Must be between 1 and 999 inclusive."
            )))
        );
    }
    assert_eq!(
        options(&[("$top", "ten")], false),
        Err(Error::invalid_query(
            "Invalid value 'ten' for $top query option found. The $top query option requires a non-negative integer value."
        ))
    );

    // $select.
    let o = ok(
        &[("$select", "DisplayName, id,displayName,signInActivity")],
        false,
    );
    assert_eq!(o.select, ["displayName", "id", "signInActivity"]);
    assert_eq!(
        o.projection(&USERS),
        ["displayName", "id", "signInActivity"]
    );
    assert_eq!(
        options(&[("$select", "id,foo")], false),
        Err(Error::invalid(
            "Could not find a property named 'foo' on type 'microsoft.graph.user'."
        ))
    );

    // $orderby: default-sortable alone; with $filter or on an advanced property only in advanced queries.
    let o = ok(
        &[("$orderby", "displayName desc, userPrincipalName")],
        false,
    );
    assert_eq!(o.order_by.len(), 2);
    assert!(o.order_by[0].descending && !o.order_by[1].descending);
    assert_eq!(
        options(&[("$orderby", "createdDateTime")], false),
        Err(sorting.clone())
    );
    assert!(options(&[("$orderby", "createdDateTime"), ("$count", "true")], true).is_ok());
    assert_eq!(
        options(&[("$orderby", "jobTitle")], true),
        Err(sorting.clone())
    );
    assert_eq!(
        options(
            &[
                ("$orderby", "displayName"),
                ("$filter", "displayName eq 'a'")
            ],
            true
        ),
        Err(sorting.clone())
    );
    assert!(
        options(
            &[
                ("$orderby", "displayName"),
                ("$filter", "displayName eq 'a'"),
                ("$count", "true")
            ],
            true
        )
        .is_ok()
    );
    assert_eq!(
        options(&[("$orderby", "displayName sideways")], false),
        Err(Error::invalid_query(
            "Syntax error at position 20 in 'displayName sideways'."
        ))
    );

    // $search.
    assert_eq!(
        options(&[("$search", "\"displayName:al\"")], false),
        Err(search_header)
    );
    let o = ok(
        &[(
            "$search",
            "\"displayName:Al Wi\" OR \"mail:al\" AND \"userPrincipalName:x\"",
        )],
        true,
    );
    assert_eq!(
        o.search,
        Some(Search::Or(vec![
            Search::Term {
                property: "displayName",
                words: vec!["al".into(), "wi".into()]
            },
            Search::And(vec![
                Search::Term {
                    property: "mail",
                    words: vec!["al".into()]
                },
                Search::Term {
                    property: "userPrincipalName",
                    words: vec!["x".into()]
                },
            ]),
        ]))
    );
    assert_eq!(
        options(&[("$search", "\"jobTitle:x\"")], true),
        Err(Error::unsupported_query(
            "Unsupported or invalid query search clause specified for property 'jobTitle' of resource 'User'."
        ))
    );
    assert_eq!(
        options(&[("$search", "displayName:x")], true),
        Err(Error::invalid_query(
            "Syntax error: character 'd' is not valid at position 0 in 'displayName:x'."
        ))
    );

    // $expand.
    let o = ok(
        &[("$expand", "manager($select=id,displayName),memberOf")],
        false,
    );
    assert_eq!(o.expand.len(), 2);
    assert_eq!(o.expand[0].select, ["id", "displayName"]);
    assert_eq!(o.expand[1].limit, 20);
    assert_eq!(
        options(&[("$expand", "owners")], false),
        Err(Error::invalid(
            "Could not find a property named 'owners' on type 'microsoft.graph.user'."
        ))
    );
    assert_eq!(
        options(&[("$expand", "manager($expand=manager)")], false),
        Err(Error::unsupported_query(
            "The query option '$expand' is not supported inside $expand."
        ))
    );
    assert_eq!(
        options(&[("$expand", "manager"), ("$count", "true")], true),
        Err(Error::unsupported_query(
            "$expand is not currently supported with advanced queries."
        ))
    );

    // Other options.
    assert_eq!(
        ok(&[("$skiptoken", "abc")], false).skip_token.as_deref(),
        Some("abc")
    );
    assert_eq!(
        options(&[("$skip", "10")], false),
        Err(Error::invalid("'$skip' is not supported by the service."))
    );
    assert_eq!(
        options(&[("$format", "json")], false),
        Err(Error::invalid_query(
            "The query parameter '$format' is not supported."
        ))
    );
    assert_eq!(
        options(&[("$top", "1"), ("$TOP", "2")], false),
        Err(Error::invalid_query(
            "Query option '$top' was specified more than once, but it must be specified at most once."
        ))
    );
}

/// Random inputs assembled from filter fragments and random characters: the parser never panics,
/// and whatever it accepts, the collection checks accept or refuse with a query error.
#[test]
fn random_inputs_never_panic() {
    const FRAGMENTS: &[&str] = &[
        "displayName",
        "mail",
        "proxyAddresses",
        "assignedLicenses",
        "x",
        "p",
        "/",
        "any",
        "all",
        "(",
        ")",
        ",",
        ":",
        " eq ",
        " ne ",
        " gt ",
        " in ",
        " and ",
        " or ",
        "not ",
        "'a'",
        "''",
        "'",
        "null",
        "true",
        "12",
        "-3",
        "2024-01-01T00:00:00Z",
        "2024-01-01",
        "6fa1ad7e-3d4b-4c84-9b7c-7c2d2f0e6c11",
        "startswith(",
        "endswith(",
        " ",
        "é",
        "\u{0}",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(0x0da7a);
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..rng.gen_range(0..24) {
            if rng.gen_bool(0.9) {
                text.push_str(FRAGMENTS[rng.gen_range(0..FRAGMENTS.len())]);
            } else {
                text.push(char::from_u32(rng.gen_range(0..0x3000)).unwrap_or('?'));
            }
        }
        match parse_filter(&text) {
            Ok(_) => {
                let result = options(&[("$filter", &text), ("$count", "true")], true);
                assert!(
                    matches!(
                        result,
                        Ok(_)
                            | Err(Error::InvalidQuery { .. }
                                | Error::UnsupportedQuery { .. }
                                | Error::Invalid { .. })
                    ),
                    "{text:?}: {result:?}"
                );
            }
            Err(Error::InvalidQuery { .. }) => {}
            Err(other) => panic!("{text:?}: {other:?}"),
        }
    }
}
