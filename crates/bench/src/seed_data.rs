//! The value tables the directory generator draws from, with weights shaped like a large
//! multinational's directory: a few big departments and many small ones, most staff in a handful
//! of countries, common given names and surnames from several regions.

/// `(department, weight, role nouns)`: a user's job title is a seniority prefix and one of its
/// department's role nouns.
pub const DEPARTMENTS: &[(&str, u32, &[&str])] = &[
    (
        "Engineering",
        22,
        &[
            "Software Engineer",
            "Site Reliability Engineer",
            "QA Engineer",
            "Data Engineer",
        ],
    ),
    (
        "Sales",
        16,
        &[
            "Account Executive",
            "Sales Representative",
            "Sales Engineer",
        ],
    ),
    (
        "Customer Support",
        11,
        &["Support Engineer", "Customer Success Manager"],
    ),
    (
        "Operations",
        10,
        &["Operations Analyst", "Logistics Coordinator"],
    ),
    (
        "Marketing",
        8,
        &[
            "Marketing Specialist",
            "Content Strategist",
            "Brand Manager",
        ],
    ),
    ("Research", 7, &["Research Scientist", "Applied Scientist"]),
    (
        "Information Technology",
        6,
        &["Systems Administrator", "Network Engineer", "IT Analyst"],
    ),
    (
        "Finance",
        6,
        &["Financial Analyst", "Accountant", "Controller"],
    ),
    ("Product", 5, &["Product Manager", "Product Designer"]),
    (
        "Human Resources",
        5,
        &["HR Business Partner", "Recruiter", "Compensation Analyst"],
    ),
    ("Legal", 2, &["Counsel", "Paralegal", "Compliance Officer"]),
    (
        "Facilities",
        2,
        &["Facilities Coordinator", "Office Manager"],
    ),
];

/// Seniority prefixes of individual contributors, with weights.
pub const LEVELS: &[(&str, u32)] = &[
    ("Associate ", 15),
    ("", 45),
    ("Senior ", 28),
    ("Principal ", 8),
    ("Distinguished ", 1),
];

/// `(country, ISO 3166 code, weight, cities, phone prefix)`.
pub const COUNTRIES: &[(&str, &str, u32, &[&str], &str)] = &[
    (
        "United States",
        "US",
        34,
        &["Seattle", "New York", "Austin", "San Francisco", "Chicago"],
        "+1",
    ),
    (
        "India",
        "IN",
        14,
        &["Bengaluru", "Hyderabad", "Pune"],
        "+91",
    ),
    ("United Kingdom", "GB", 9, &["London", "Manchester"], "+44"),
    ("Germany", "DE", 8, &["Berlin", "Munich", "Hamburg"], "+49"),
    ("Canada", "CA", 5, &["Toronto", "Vancouver"], "+1"),
    ("France", "FR", 5, &["Paris", "Lyon"], "+33"),
    ("Japan", "JP", 5, &["Tokyo", "Osaka"], "+81"),
    ("Brazil", "BR", 4, &["Sao Paulo", "Rio de Janeiro"], "+55"),
    ("Australia", "AU", 3, &["Sydney", "Melbourne"], "+61"),
    ("Netherlands", "NL", 3, &["Amsterdam"], "+31"),
    ("Singapore", "SG", 3, &["Singapore"], "+65"),
    ("Poland", "PL", 2, &["Warsaw", "Krakow"], "+48"),
    ("Spain", "ES", 2, &["Madrid", "Barcelona"], "+34"),
    ("Ireland", "IE", 2, &["Dublin"], "+353"),
    ("Mexico", "MX", 1, &["Mexico City"], "+52"),
];

/// Preferred languages by country code (the others get `en-US`).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("GB", "en-GB"),
    ("DE", "de-DE"),
    ("FR", "fr-FR"),
    ("JP", "ja-JP"),
    ("BR", "pt-BR"),
    ("NL", "nl-NL"),
    ("PL", "pl-PL"),
    ("ES", "es-ES"),
    ("MX", "es-MX"),
];

pub const GIVEN_NAMES: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Nancy",
    "Anthony",
    "Lisa",
    "Mark",
    "Emily",
    "Aarav",
    "Priya",
    "Vivaan",
    "Ananya",
    "Rohan",
    "Diya",
    "Arjun",
    "Isha",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Lukas",
    "Mia",
    "Leon",
    "Hannah",
    "Felix",
    "Lea",
    "Hugo",
    "Chloe",
    "Louis",
    "Manon",
    "Haruto",
    "Yui",
    "Sota",
    "Aoi",
    "Miguel",
    "Sofia",
    "Gabriel",
    "Alice",
    "Lucas",
    "Laura",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Mateo",
    "Valentina",
    "Wei",
    "Mei",
    "Jakub",
    "Zuzanna",
    "Sean",
    "Aoife",
];

pub const SURNAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Sharma",
    "Patel",
    "Singh",
    "Kumar",
    "Gupta",
    "Reddy",
    "Iyer",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Moreau",
    "Laurent",
    "Bernard",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Kowalski",
    "Nowak",
    "Murphy",
    "Kelly",
    "OBrien",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Nguyen",
    "Tan",
    "Lim",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Perez",
];

/// Job titles of people managers, by depth in the management tree (deeper levels are managers
/// of their department's role).
pub const EXECUTIVE_TITLES: &[&str] = &["Chief Executive Officer", "Executive Vice President"];

/// Employee types, with weights.
pub const EMPLOYEE_TYPES: &[(&str, u32)] = &[("Employee", 88), ("Contractor", 9), ("Intern", 3)];

/// Picks from `weights` with `roll` in `0..sum(weights)`.
pub fn weighted<T: Copy>(items: &[T], weight: impl Fn(&T) -> u32, roll: u64) -> T {
    let total: u64 = items.iter().map(|i| u64::from(weight(i))).sum();
    let mut roll = roll % total.max(1);
    for item in items {
        let w = u64::from(weight(item));
        if roll < w {
            return *item;
        }
        roll -= w;
    }
    items[items.len() - 1]
}
