//! The directory generator (`gatehouse-bench run --users N`): a tenant's users with realistic
//! property distributions (departments, job titles by seniority, countries with their cities,
//! phones and languages, hire dates, employee types) and managers forming one tree, all derived
//! from a seed and the user's index — so the same seed gives the same directory, and the load
//! generator can name any seeded user (its id, its UPN) without reading the database.
//!
//! [`load`] writes the users through the store's tenant transactions (`insert_user`,
//! `set_manager`) in large batches (refreshing the planner's statistics after the first and the
//! last), with one Argon2id hash computed once and stored for every user
//! (the password is [`SEEDED_PASSWORD`]), so seeding a million users hashes once, not a million
//! times.

use std::time::{Duration, Instant};

use gatehouse_domain::authz::{self, Ownership, Principal, UserKind};
use gatehouse_domain::ids::{ObjectId, TenantId};
use gatehouse_domain::password::{PasswordHash, PasswordHasher};
use gatehouse_domain::random::SeededRandom;
use gatehouse_domain::user::{User, UserPrincipalName, UserProfile, UserType};
use gatehouse_store::Store;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::seed_data::{
    COUNTRIES, DEPARTMENTS, EMPLOYEE_TYPES, EXECUTIVE_TITLES, GIVEN_NAMES, LANGUAGES, LEVELS,
    SURNAMES, weighted,
};

/// The password of every seeded user.
pub const SEEDED_PASSWORD: &str = "Seeded-Directory-Pa55!";
/// Users written per transaction.
pub const BATCH: usize = 5_000;
/// The instant seeded data is dated from (hire dates count back from it), fixed so the same seed
/// gives the same values on any day.
const EPOCH: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// A generated directory: how many users, from which seed, in which domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub seed: u64,
    pub users: usize,
    /// The tenant's domain the user principal names are in.
    pub domain: String,
}

/// How long seeding took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedStats {
    pub users: usize,
    pub seconds: f64,
    /// Users written per second (storage layer, no password hashing).
    pub users_per_s: f64,
}

/// SplitMix64: a fixed, well-mixed hash of a 64-bit input (the generator's only randomness, so
/// the values never depend on a library's version).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Directory {
    /// The `salt`-th random number of user `index`.
    fn roll(&self, index: usize, salt: u64) -> u64 {
        mix(mix(self.seed ^ mix(index as u64)) ^ salt)
    }

    /// The object id of user `index` (a random-looking version 4 GUID).
    pub fn user_id(&self, index: usize) -> ObjectId {
        let (a, b) = (self.roll(index, 1), self.roll(index, 2));
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8..].copy_from_slice(&b.to_be_bytes());
        ObjectId::from_uuid(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// The manager of user `index`: none for user 0 (the chief executive), else an earlier user,
    /// so the managers form one tree with about seven direct reports per manager.
    pub fn manager(&self, index: usize) -> Option<usize> {
        if index == 0 {
            return None;
        }
        let low = (index - 1) / 10;
        let high = (index - 1) / 5;
        Some(low + (self.roll(index, 3) % (high - low + 1) as u64) as usize)
    }

    /// How many managers are above user `index`.
    pub fn depth(&self, index: usize) -> usize {
        let mut depth = 0;
        let mut at = index;
        while let Some(m) = self.manager(at) {
            depth += 1;
            at = m;
        }
        depth
    }

    /// Whether user `index` has direct reports (some later user may pick it as manager).
    pub fn is_manager(&self, index: usize) -> bool {
        index == 0 || 5 * index < self.users
    }

    /// The department of user `index`.
    pub fn department(&self, index: usize) -> &'static str {
        weighted(DEPARTMENTS, |d| d.1, self.roll(index, 4)).0
    }

    /// The departments, most common first, for filters that should match many users.
    pub fn departments() -> impl Iterator<Item = &'static str> {
        DEPARTMENTS.iter().map(|d| d.0)
    }

    /// The lower-case user principal name of user `index`.
    pub fn upn(&self, index: usize) -> String {
        let (given, surname) = self.names(index);
        format!("{given}.{surname}.{index}@{}", self.domain).to_lowercase()
    }

    fn names(&self, index: usize) -> (&'static str, &'static str) {
        let given = GIVEN_NAMES[(self.roll(index, 5) % GIVEN_NAMES.len() as u64) as usize];
        let surname = SURNAMES[(self.roll(index, 6) % SURNAMES.len() as u64) as usize];
        (given, surname)
    }

    fn job_title(&self, index: usize, department: &str) -> String {
        let roles = DEPARTMENTS
            .iter()
            .find(|d| d.0 == department)
            .map_or(&[][..], |d| d.2);
        let role = roles[(self.roll(index, 7) % roles.len().max(1) as u64) as usize];
        match self.depth(index) {
            d if d < EXECUTIVE_TITLES.len() => EXECUTIVE_TITLES[d].to_owned(),
            2 => format!("Vice President, {department}"),
            3 => format!("Director, {department}"),
            _ if self.is_manager(index) => format!("{role} Manager"),
            _ => format!("{}{role}", weighted(LEVELS, |l| l.1, self.roll(index, 8)).0),
        }
    }

    /// User `index` with every generated property, its password set to `password`.
    pub fn user(&self, index: usize, password: &PasswordHash) -> User {
        let (given, surname) = self.names(index);
        let upn = self.upn(index);
        let alias = upn.split('@').next().unwrap_or_default().to_owned();
        let department = self.department(index);
        let (country, code, _, cities, phone) = weighted(COUNTRIES, |c| c.2, self.roll(index, 9));
        let city = cities[(self.roll(index, 10) % cities.len() as u64) as usize];
        let hired = OffsetDateTime::from_unix_timestamp(
            EPOCH - (self.roll(index, 11) % (15 * 365 * 86_400)) as i64,
        )
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let digits = |salt| format!("{:07}", self.roll(index, salt) % 10_000_000);
        let mut profile = UserProfile::default();
        let mut text = |name: &'static str, value: String| {
            profile.text.insert(name, value);
        };
        text("givenName", given.to_owned());
        text("surname", surname.to_owned());
        text("mail", upn.clone());
        text("jobTitle", self.job_title(index, department));
        text("department", department.to_owned());
        text("companyName", "Contoso".to_owned());
        text(
            "officeLocation",
            format!(
                "{city} {}/{}",
                1 + self.roll(index, 12) % 6,
                1 + self.roll(index, 13) % 12
            ),
        );
        text("employeeId", format!("E{index:07}"));
        text(
            "employeeType",
            weighted(EMPLOYEE_TYPES, |t| t.1, self.roll(index, 14))
                .0
                .to_owned(),
        );
        text("city", city.to_owned());
        text("country", country.to_owned());
        text("usageLocation", code.to_owned());
        text(
            "preferredLanguage",
            LANGUAGES
                .iter()
                .find(|(c, _)| *c == code)
                .map_or("en-US", |(_, l)| l)
                .to_owned(),
        );
        if self.roll(index, 15) % 10 < 7 {
            text("mobilePhone", format!("{phone} 55{}", digits(16)));
        }
        if self.roll(index, 17) % 10 < 8 {
            profile
                .collections
                .insert("businessPhones", vec![format!("{phone} 44{}", digits(18))]);
        }
        profile.employee_hire_date = Some(hired);
        profile.show_in_address_list = Some(true);
        let created = hired;
        User {
            id: self.user_id(index),
            user_principal_name: UserPrincipalName::parse(&upn)
                .unwrap_or_else(|e| unreachable!("generated UPN {upn} is invalid: {e}")),
            display_name: format!("{given} {surname}"),
            mail_nickname: alias,
            account_enabled: self.roll(index, 19) % 100 >= 3,
            user_type: UserType::Member,
            password: Some(password.clone()),
            created,
            last_password_change: Some(created),
            sign_in_sessions_valid_from: None,
            profile,
            deleted: None,
        }
    }
}

/// The proofs the seeder's writes need: it acts as an application holding `User.ReadWrite.All`
/// (the permission a provisioning tool would be granted), through the same decision Graph uses.
fn seeder() -> Principal {
    Principal {
        app_roles: Some(vec!["User.ReadWrite.All".to_owned()]),
        ..Principal::new(Vec::new(), UserKind::Member, Vec::new())
    }
}

/// The hash every seeded user gets: [`SEEDED_PASSWORD`] with the server's Argon2id parameters,
/// computed once.
pub fn seeded_password_hash(seed: u64) -> gatehouse_domain::Result<PasswordHash> {
    PasswordHasher::default().hash(SEEDED_PASSWORD, &SeededRandom::new(seed))
}

/// Writes `dir`'s users into `tenant` through `store`, `batch` per transaction, each with the
/// password hash `hash`, calling `progress` with the number written after each batch.
pub async fn load(
    store: &Store,
    tenant: TenantId,
    dir: &Directory,
    hash: &PasswordHash,
    batch: usize,
    mut progress: impl FnMut(usize, Duration),
) -> anyhow::Result<SeedStats> {
    let started = Instant::now();
    let manager_proof = authz::decide(&seeder(), authz::USERS_MANAGER_UPDATE, Ownership::NoTarget)?;
    let mut done = 0;
    while done < dir.users {
        let end = (done + batch.max(1)).min(dir.users);
        let mut tx = store.write(tenant).await?;
        for index in done..end {
            let user = dir.user(index, hash);
            tx.insert_user(&user).await?;
            if let Some(m) = dir.manager(index) {
                tx.set_manager(&manager_proof, user.id, Some(dir.user_id(m)))
                    .await?;
            }
        }
        tx.commit().await?;
        if done == 0 || end == dir.users {
            // The planner's statistics after the first batch and at the end, as a bulk import
            // should: with those of a near-empty table PostgreSQL reads users by id through
            // `users_deleted`, scanning the tenant's users on every statement.
            store.analyze().await?;
        }
        done = end;
        progress(done, started.elapsed());
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(SeedStats {
        users: dir.users,
        seconds,
        users_per_s: dir.users as f64 / seconds.max(1e-9),
    })
}

/// A stable 64-bit seed from a text (the `--seed` option accepts any word).
pub fn seed_from(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| mix(h ^ u64::from(b)))
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
