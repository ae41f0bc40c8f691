//! People administration (admins): every account of the installation, and deactivating and
//! reactivating a person. A deactivated person cannot sign in (form or API), and every session and
//! API token of theirs ends in the transaction that deactivates them, so their next request is
//! anonymous (a page) or refused with 401 (the API). Reactivating does not bring any of them back:
//! the person signs in afresh. Invitations they sent, their memberships and the audit trail stay.
//!
//! Nobody deactivates themself: an admin doing so could leave the installation without an admin by
//! accident. An operator on the server can still deactivate or reactivate anyone with
//! `urbis person deactivate|reactivate EMAIL` (audited with no person as the actor), which is also
//! how an installation that lost its last admin gets one back.

use crate::{Allowed, App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use urbis_domain::policy::{Action, Resource};
use urbis_store::network::{AccountEntry, Membership, Person};
use urbis_store::{Page, Paged};

/// Every account (active or deactivated), by name, optionally those whose name or e-mail contains
/// `search` (admins).
pub async fn accounts(app: &App, caller: &Caller, search: Option<&str>, page: Page) -> Result<Paged<AccountEntry>> {
    authorise(caller, Action::ManagePeople, &Resource::Installation)?;
    Ok(app.store.accounts(search, page).await?)
}

/// A person's account by id, if the caller may do `action` on people (admins). The caller is
/// authorised before the id is looked up, so that who may not manage people learns nothing about
/// which accounts exist.
pub async fn person_for(app: &App, caller: &Caller, id: &str, action: Action) -> Result<Allowed<Person>> {
    authorise(caller, action, &Resource::Installation)?;
    let id = parse_id("person", id)?;
    let person = app.store.person(id).await.map_err(AppError::or_not_found("person"))?;
    Allowed::new(caller, action, person, Resource::Installation)
}

/// A person's roles, for an admin looking at their account.
pub async fn roles(app: &App, caller: &Caller, person: &Allowed<Person>) -> Result<Vec<Membership>> {
    person.check(caller, Action::ManagePeople)?;
    Ok(app.store.memberships(person.id).await?)
}

/// The rule that nobody deactivates themself.
fn not_oneself(caller: &Caller, person: &Person) -> Result<()> {
    if caller.actor.person == Some(person.id) {
        return Err(AppError::refused(
            "person",
            "cannot-deactivate-self",
            "you cannot deactivate yourself: another admin must do it, so that the installation always keeps an admin",
        ));
    }
    Ok(())
}

/// Deactivate a person if still at `expected_version` (admins; never oneself): in one audited
/// transaction they are marked deactivated and every session and API token of theirs ends.
pub async fn deactivate_person(
    app: &App,
    caller: &Caller,
    person: &Allowed<Person>,
    expected_version: i64,
) -> Result<Person> {
    person.check(caller, Action::ManagePeople)?;
    not_oneself(caller, person)?;
    Ok(app.store.deactivate_person(Some(caller.person_id()?), person.id, expected_version).await?)
}

/// Reactivate a deactivated person if still at `expected_version` (admins). They sign in afresh:
/// no session or token of before comes back.
pub async fn reactivate_person(
    app: &App,
    caller: &Caller,
    person: &Allowed<Person>,
    expected_version: i64,
) -> Result<Person> {
    person.check(caller, Action::ManagePeople)?;
    Ok(app.store.reactivate_person(Some(caller.person_id()?), person.id, expected_version).await?)
}
