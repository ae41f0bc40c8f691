//! Pulse surveys: campaigns (an instrument version pinned at creation, sent to organisations and
//! their respondents), invitation links stored only as hashes, answers per respondent, submission,
//! reminders through the outbox. Every write is one transaction with an audit entry.

mod answers;
mod campaigns;
mod respondents;
#[cfg(test)]
mod tests;

pub use answers::SurveyAnswer;
pub use campaigns::{Campaign, NewCampaign};
pub use respondents::{IssuedLink, LinkMail, NewRecipient, RecipientOrganisation, Respondent};
