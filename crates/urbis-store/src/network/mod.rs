//! The `network` capability's repository: programmes, organisations and their participation,
//! people, memberships (roles) and invitations.

mod invitations;
mod memberships;
mod organisations;
pub mod outbox;
mod people;
mod programmes;

pub use invitations::{Acceptor, Invitation, NewInvitation};
pub use memberships::{Membership, TeamMember};
pub use organisations::{NewOrganisation, Organisation, OrganisationPatch};
pub use people::{AccountEntry, AccountUpdate, DirectoryEntry, NewPerson, Person};
pub use programmes::{CohortMember, Participation, Programme};

pub(crate) use organisations::insert_organisation;
pub(crate) use outbox::enqueue_mail_in;
pub use outbox::{Mail, OutboxKeys, OutgoingMail, Secret};
