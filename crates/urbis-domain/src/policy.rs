//! The one permission policy. Every route asks [`can`] before it reads private data or writes.
//!
//! Roles are held per programme or per organisation ([`Scope`]); `admin` is held globally.
//! Public visitors are an [`Actor`] with no person and no grants.

use crate::choice::choice;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

choice!(
    /// A role a person holds, globally, in a programme or in an organisation.
    Role in "kebab-case", "role", "invalid-role",
    "must be one of admin, programme-manager, city-lead, city-member, expert, reviewer",
    {
        Admin => "admin",
        ProgrammeManager => "programme-manager",
        CityLead => "city-lead",
        CityMember => "city-member",
        Expert => "expert",
        Reviewer => "reviewer",
    }
);

impl Role {
    /// The scope this role is held in when given in `organisation`'s team within `programme`.
    pub fn scope_in(self, programme: Uuid, organisation: Uuid) -> Scope {
        match self.scope_kind() {
            ScopeKind::Global => Scope::Global,
            ScopeKind::Programme => Scope::Programme(programme),
            ScopeKind::Organisation => Scope::Organisation(organisation),
        }
    }

    /// Where a role is held: admins globally, city roles on an organisation, the others on a programme.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Admin => ScopeKind::Global,
            Role::CityLead | Role::CityMember => ScopeKind::Organisation,
            Role::ProgrammeManager | Role::Expert | Role::Reviewer => ScopeKind::Programme,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    Global,
    Programme,
    Organisation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Scope {
    Global,
    Programme(Uuid),
    Organisation(Uuid),
}

impl Scope {
    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Global => ScopeKind::Global,
            Scope::Programme(_) => ScopeKind::Programme,
            Scope::Organisation(_) => ScopeKind::Organisation,
        }
    }
}

/// One role held in one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// Who is asking: a signed-in person with their grants, or an anonymous visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub person: Option<Uuid>,
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Actor::default()
    }
    pub fn person(id: Uuid, grants: Vec<Grant>) -> Self {
        Actor { person: Some(id), grants }
    }
    pub fn is_authenticated(&self) -> bool {
        self.person.is_some()
    }
    fn has(&self, role: Role, scope: Scope) -> bool {
        self.grants.iter().any(|g| g.role == role && g.scope == scope)
    }
    fn is_admin(&self) -> bool {
        self.has(Role::Admin, Scope::Global)
    }
    fn manages_any(&self, programmes: &[Uuid]) -> bool {
        programmes.iter().any(|p| self.has(Role::ProgrammeManager, Scope::Programme(*p)))
    }
    /// Programme staff: an admin, or a programme manager of one of these programmes.
    fn is_staff_of(&self, programmes: &[Uuid]) -> bool {
        self.is_admin() || self.manages_any(programmes)
    }
    /// A reviewer or expert of the programme.
    fn reviews_in(&self, programme: Uuid) -> bool {
        self.has(Role::Expert, Scope::Programme(programme)) || self.has(Role::Reviewer, Scope::Programme(programme))
    }
    /// Staff of a survey: of its programme, or, for a survey outside any programme, an admin or
    /// any programme manager.
    fn is_survey_staff(&self, programme: Option<Uuid>) -> bool {
        match programme {
            Some(p) => self.is_staff_of(&[p]),
            None => self.is_admin() || self.grants.iter().any(|g| g.role == Role::ProgrammeManager),
        }
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read something public (programme, city profile, people directory).
    Read,
    /// Read one's own account and roles.
    ReadOwnAccount,
    /// Change one's own account (name, listing consent, language, password).
    UpdateOwnAccount,
    /// Edit an organisation's profile.
    UpdateProfile,
    /// See an organisation's team with unlisted members and pending invitations.
    ReadTeam,
    /// Invite a person into an organisation's team with a role, or remove a member.
    ManageTeam,
    /// See every invitation of a programme.
    ReadInvitations,
    /// Revoke a pending invitation.
    RevokeInvitation,
    /// Read the audit log.
    ReadAudit,
    /// Start an assessment of an organisation.
    CreateAssessment,
    /// Answer an assessment's questions as a respondent.
    AnswerAssessment,
    /// Submit an assessment (locks it).
    SubmitAssessment,
    /// Reopen a submitted assessment.
    ReopenAssessment,
    /// Read an assessment that is not published.
    ReadAssessment,
    /// Read an assessment's individual answers: who answered, what each respondent answered, their
    /// evidence and comments, the spread between respondents and the experts' comments. Never
    /// public, published or not: publication shows scores, not who answered what.
    ReadAnswers,
    /// Publish or withdraw a city's scores (the city's choice).
    PublishAssessment,
    /// Confirm or adjust a submitted assessment's capability scores as an expert.
    ValidateAssessment,
    /// Add a diagnostic wave to a programme, or close one (freezing its results).
    ManageWaves,
    /// Add to or change a city's improvement plan.
    ManagePlan,
    /// Describe, plan, publish and measure a city's service (its team and programme staff).
    ManageService,
    /// Read a city's unpublished service and its indicators.
    ReadService,
    /// Create a pulse survey campaign, add recipients, open, close and send reminders; see its
    /// response rates.
    ManageSurvey,
    /// Read a pulse survey's aggregate report (counts, distributions, summaries).
    ReadSurveyReport,
    /// Read a pulse survey's individual responses (CSV exports, free-text answers).
    ReadSurveyResponses,
    /// Read a wave's cohort figures (distributions, quartiles, ranks) in a benchmark.
    ReadBenchmark,
    /// See every account of the installation, and deactivate or reactivate a person (admins).
    ManagePeople,
    /// Create, change, postpone and cancel a programme's events and their agendas (convenings).
    ManageEvents,
    /// Register oneself for an event, or cancel one's own registration (people of the programme).
    RegisterForEvent,
    /// See an event's registrations: who holds a place and who waits.
    ReadRegistrations,
    /// Grants: read a call (published ones are public, drafts are for programme staff).
    ReadCall,
    /// Grants: create, edit, open and close a call; assign reviewers, record the consensus and
    /// decide applications (programme staff).
    ManageCall,
    /// Grants: draft, change and submit an application for an organisation (its city team).
    ApplyForGrant,
    /// Grants: read an application (its applicant's team, programme staff, its assigned reviewers).
    ReadApplication,
    /// Grants: score an application (a reviewer or expert assigned to it, without a declared conflict).
    ReviewApplication,
    /// Grants: read an application's reviews (programme staff, and an assigned reviewer only once
    /// their own review is submitted: reviews stay independent).
    ReadReviews,
}

impl Action {
    pub const ALL: [Action; 35] = [
        Action::Read,
        Action::ReadOwnAccount,
        Action::UpdateOwnAccount,
        Action::UpdateProfile,
        Action::ReadTeam,
        Action::ManageTeam,
        Action::ReadInvitations,
        Action::RevokeInvitation,
        Action::ReadAudit,
        Action::CreateAssessment,
        Action::AnswerAssessment,
        Action::SubmitAssessment,
        Action::ReopenAssessment,
        Action::ReadAssessment,
        Action::ReadAnswers,
        Action::PublishAssessment,
        Action::ValidateAssessment,
        Action::ManageWaves,
        Action::ManagePlan,
        Action::ManageService,
        Action::ReadService,
        Action::ManageSurvey,
        Action::ReadSurveyReport,
        Action::ReadSurveyResponses,
        Action::ReadBenchmark,
        Action::ManagePeople,
        Action::ManageEvents,
        Action::RegisterForEvent,
        Action::ReadRegistrations,
        Action::ReadCall,
        Action::ManageCall,
        Action::ApplyForGrant,
        Action::ReadApplication,
        Action::ReviewApplication,
        Action::ReadReviews,
    ];
}

/// What the action is about, with the facts the policy needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// Public reference information.
    Public,
    /// The signed-in person's own account.
    OwnAccount,
    /// A programme.
    Programme { id: Uuid },
    /// An organisation, with the programmes it takes part in.
    Organisation { id: Uuid, programmes: Vec<Uuid> },
    /// An invitation (existing, or to be made) into an organisation's team in a programme, for a role.
    Invitation { programme: Uuid, organisation: Uuid, role: Role },
    /// The whole installation (audit log).
    Installation,
    /// A pulse survey campaign (or one about to be made): its programme, if any, and the
    /// organisations it was sent to.
    Survey { programme: Option<Uuid>, organisations: Vec<Uuid> },
    /// A city's record that stays private until the city publishes it (an assessment and its
    /// scores, a service and its indicators): its organisation, that organisation's programmes,
    /// and whether it is published.
    CityRecord { organisation: Uuid, programmes: Vec<Uuid>, published: bool },
    /// A wave's benchmark in a programme, computed over `n` cities; `unpublished` when those
    /// include cities that have not published their scores.
    Benchmark { programme: Uuid, n: usize, unpublished: bool },
    /// A programme's events (or one of them): the programme and the organisations of its cohort,
    /// whose people may register.
    Convening { programme: Uuid, organisations: Vec<Uuid> },
    /// A grants call in a programme; published unless a draft.
    Call { programme: Uuid, published: bool },
    /// A grant application: its call's programme, the applicant organisation, and the asking
    /// actor's part in its review: `assigned` (assigned as a reviewer, no conflict declared) and
    /// `reviewed` (their own review submitted).
    GrantApplication { programme: Uuid, organisation: Uuid, assigned: bool, reviewed: bool },
}

/// Cohort figures of a benchmark over published cities are shown to everyone only from this many
/// cities on; programme staff, experts and reviewers see them at any size.
pub const MIN_COHORT: usize = 5;

impl Resource {
    /// The organisation a city record belongs to, as the policy sees organisations.
    fn owner(&self) -> Option<Resource> {
        match self {
            Resource::CityRecord { organisation, programmes, .. } => {
                Some(Resource::Organisation { id: *organisation, programmes: programmes.clone() })
            }
            _ => None,
        }
    }
}

/// The one policy: may `actor` do `action` on `resource`?
pub fn can(actor: &Actor, action: Action, resource: &Resource) -> bool {
    use Action::*;
    match (action, resource) {
        // Published means public: anyone reads a published assessment or service; everything
        // else about a city record is decided as for its organisation.
        (ReadAssessment | ReadService, Resource::CityRecord { published: true, .. }) => true,
        (_, Resource::CityRecord { .. }) => resource.owner().is_some_and(|owner| can(actor, action, &owner)),
        // Benchmarks: figures over unpublished scores, and figures that would describe too few
        // cities, are for those who read every city's assessment anyway. Everyone else gets
        // figures over published cities only (see "Who sees which figures" in docs/diagnostic.md):
        // an order statistic over an unpublished score would be that score.
        (ReadBenchmark, Resource::Benchmark { programme, n, unpublished }) => {
            (!*unpublished && *n >= MIN_COHORT) || can(actor, ReadAssessment, &Resource::Programme { id: *programme })
        }
        (Read, Resource::Public | Resource::Programme { .. } | Resource::Organisation { .. }) => true,
        (ReadOwnAccount | UpdateOwnAccount, Resource::OwnAccount) => actor.is_authenticated(),
        (UpdateProfile | ManageTeam, Resource::Organisation { id, programmes }) => {
            actor.is_staff_of(programmes) || actor.has(Role::CityLead, Scope::Organisation(*id))
        }
        (ReadTeam, Resource::Organisation { id, programmes }) => {
            actor.is_staff_of(programmes)
                || actor.has(Role::CityLead, Scope::Organisation(*id))
                || actor.has(Role::CityMember, Scope::Organisation(*id))
        }
        (ReadInvitations, Resource::Programme { id }) => actor.is_staff_of(&[*id]),
        (ManageTeam | RevokeInvitation, Resource::Invitation { programme, organisation, role }) => {
            match role.scope_kind() {
                // Only an admin makes admins.
                ScopeKind::Global => actor.is_admin(),
                // Programme roles are given by programme staff.
                ScopeKind::Programme => actor.is_staff_of(&[*programme]),
                // City roles: staff, or the lead of that very city.
                ScopeKind::Organisation => {
                    actor.is_staff_of(&[*programme]) || actor.has(Role::CityLead, Scope::Organisation(*organisation))
                }
            }
        }
        (ReadAudit, Resource::Installation) => actor.is_admin(),
        // Accounts: only admins see them all and deactivate or reactivate people (that nobody
        // deactivates themself is a rule of the operation, not a permission).
        (ManagePeople, Resource::Installation) => actor.is_admin(),
        // Diagnostic: the city's lead starts and submits, its whole team answers, programme staff
        // can do all of it and alone reopen; experts and reviewers of the programme read.
        (CreateAssessment | SubmitAssessment | PublishAssessment, Resource::Organisation { id, programmes }) => {
            actor.is_staff_of(programmes) || actor.has(Role::CityLead, Scope::Organisation(*id))
        }
        // Answering, the improvement plan and the city's service (describing, planning, measuring it
        // and reading it while it is a draft) are the whole city team's work; programme staff help.
        (AnswerAssessment | ManagePlan | ManageService | ReadService, Resource::Organisation { id, programmes }) => {
            actor.is_staff_of(programmes)
                || actor.has(Role::CityLead, Scope::Organisation(*id))
                || actor.has(Role::CityMember, Scope::Organisation(*id))
        }
        (ReopenAssessment, Resource::Organisation { programmes, .. }) => actor.is_staff_of(programmes),
        (ManageWaves, Resource::Programme { id }) => actor.is_staff_of(&[*id]),

        (ValidateAssessment, Resource::Organisation { programmes, .. }) => {
            actor.is_staff_of(programmes) || programmes.iter().any(|p| actor.has(Role::Expert, Scope::Programme(*p)))
        }
        // Every city's assessments in a programme (cohort views): staff, experts and reviewers.
        (ReadAssessment, Resource::Programme { id }) => {
            actor.is_staff_of(&[*id])
                || actor.has(Role::Expert, Scope::Programme(*id))
                || actor.has(Role::Reviewer, Scope::Programme(*id))
        }
        // An assessment's answers stay with those who may read it unpublished, whether or not
        // it is published (a published record's `ReadAnswers` falls through to its organisation).
        (ReadAssessment | ReadAnswers, Resource::Organisation { id, programmes }) => {
            actor.is_staff_of(programmes)
                || actor.has(Role::CityLead, Scope::Organisation(*id))
                || actor.has(Role::CityMember, Scope::Organisation(*id))
                || programmes.iter().any(|p| {
                    actor.has(Role::Expert, Scope::Programme(*p)) || actor.has(Role::Reviewer, Scope::Programme(*p))
                })
        }
        // Pulse surveys: staff manage them and see every response; the teams of the organisations
        // a survey was sent to see its aggregate report only.
        (ManageSurvey | ReadSurveyResponses, Resource::Survey { programme, .. }) => actor.is_survey_staff(*programme),
        (ReadSurveyReport, Resource::Survey { programme, organisations }) => {
            actor.is_survey_staff(*programme)
                || organisations.iter().any(|o| {
                    actor.has(Role::CityLead, Scope::Organisation(*o))
                        || actor.has(Role::CityMember, Scope::Organisation(*o))
                })
        }
        // Convenings: events are public; programme staff manage them and see who registered;
        // the programme's people (its staff, experts and reviewers, and the cohort's city teams)
        // register themselves.
        (Read, Resource::Convening { .. }) => true,
        (ManageEvents | ReadRegistrations, Resource::Convening { programme, .. }) => actor.is_staff_of(&[*programme]),
        (RegisterForEvent, Resource::Convening { programme, organisations }) => {
            actor.is_staff_of(&[*programme])
                || actor.grants.iter().any(|g| match g.scope {
                    Scope::Programme(p) => p == *programme,
                    Scope::Organisation(o) => organisations.contains(&o),
                    Scope::Global => false,
                })
        }
        // Grants: calls are public once published; programme staff run them and the review.
        (ReadCall, Resource::Call { programme, published }) => *published || actor.is_staff_of(&[*programme]),
        (ManageCall, Resource::Call { programme, .. } | Resource::Programme { id: programme }) => {
            actor.is_staff_of(&[*programme])
        }
        (ManageCall, Resource::GrantApplication { programme, .. }) => actor.is_staff_of(&[*programme]),
        // A city team applies for its organisation (eligibility is the call's rule, checked by the
        // operation).
        (ApplyForGrant, Resource::Organisation { id, .. })
        | (ApplyForGrant, Resource::GrantApplication { organisation: id, .. }) => {
            actor.has(Role::CityLead, Scope::Organisation(*id)) || actor.has(Role::CityMember, Scope::Organisation(*id))
        }
        (ReadApplication, Resource::GrantApplication { programme, organisation, assigned, .. }) => {
            actor.is_staff_of(&[*programme])
                || actor.has(Role::CityLead, Scope::Organisation(*organisation))
                || actor.has(Role::CityMember, Scope::Organisation(*organisation))
                || (*assigned && actor.reviews_in(*programme))
        }
        (ReviewApplication, Resource::GrantApplication { programme, assigned, .. }) => {
            *assigned && actor.reviews_in(*programme)
        }
        (ReadReviews, Resource::GrantApplication { programme, assigned, reviewed, .. }) => {
            actor.is_staff_of(&[*programme]) || (*assigned && *reviewed && actor.reviews_in(*programme))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4))
    }

    /// Person `me` holding one role in one scope.
    fn holder(me: Uuid, role: Role, scope: Scope) -> Actor {
        Actor::person(me, vec![Grant { role, scope }])
    }

    /// The people most tests need: one holding each role, the city roles for Riga and the
    /// programme roles in the programme (see [`ids`]).
    struct Cast {
        admin: Actor,
        pm: Actor,
        lead: Actor,
        member: Actor,
        expert: Actor,
        reviewer: Actor,
    }

    fn cast() -> Cast {
        let (prog, riga, _, me) = ids();
        let holds = |role: Role| holder(me, role, role.scope_in(prog, riga));
        Cast {
            admin: holds(Role::Admin),
            pm: holds(Role::ProgrammeManager),
            lead: holds(Role::CityLead),
            member: holds(Role::CityMember),
            expert: holds(Role::Expert),
            reviewer: holds(Role::Reviewer),
        }
    }

    #[test]
    fn anonymous_reads_public_only() {
        let (prog, riga, _, _) = ids();
        let a = Actor::anonymous();
        assert!(can(&a, Action::Read, &Resource::Public));
        assert!(can(&a, Action::Read, &Resource::Organisation { id: riga, programmes: vec![prog] }));
        for action in Action::ALL.into_iter().filter(|a| *a != Action::Read) {
            for r in [
                Resource::OwnAccount,
                Resource::Programme { id: prog },
                Resource::Organisation { id: riga, programmes: vec![prog] },
                Resource::Invitation { programme: prog, organisation: riga, role: Role::CityMember },
                Resource::Installation,
            ] {
                assert!(!can(&a, action, &r), "anonymous must not {action:?} {r:?}");
            }
        }
    }

    #[test]
    fn city_lead_edits_own_city_only() {
        let (prog, riga, oslo, me) = ids();
        let lead = holder(me, Role::CityLead, Scope::Organisation(riga));
        let riga_r = Resource::Organisation { id: riga, programmes: vec![prog] };
        let oslo_r = Resource::Organisation { id: oslo, programmes: vec![prog] };
        assert!(can(&lead, Action::UpdateProfile, &riga_r));
        assert!(can(&lead, Action::ManageTeam, &riga_r));
        assert!(!can(&lead, Action::UpdateProfile, &oslo_r));
        assert!(!can(&lead, Action::ManageTeam, &oslo_r));
        assert!(!can(&lead, Action::ReadTeam, &oslo_r));
        assert!(!can(&lead, Action::ReadInvitations, &Resource::Programme { id: prog }));
        let inv = |organisation, role| Resource::Invitation { programme: prog, organisation, role };
        assert!(can(&lead, Action::ManageTeam, &inv(riga, Role::CityMember)));
        assert!(can(&lead, Action::ManageTeam, &inv(riga, Role::CityLead)));
        assert!(!can(&lead, Action::ManageTeam, &inv(oslo, Role::CityMember)));
        assert!(!can(&lead, Action::ManageTeam, &inv(riga, Role::ProgrammeManager)));
        assert!(!can(&lead, Action::ManageTeam, &inv(riga, Role::Admin)));
    }

    #[test]
    fn city_member_reads_team_but_writes_nothing() {
        let (prog, riga, _, me) = ids();
        let m = holder(me, Role::CityMember, Scope::Organisation(riga));
        let riga_r = Resource::Organisation { id: riga, programmes: vec![prog] };
        assert!(can(&m, Action::ReadTeam, &riga_r));
        assert!(!can(&m, Action::UpdateProfile, &riga_r));
        assert!(!can(&m, Action::ManageTeam, &riga_r));
        assert!(can(&m, Action::UpdateOwnAccount, &Resource::OwnAccount));
    }

    #[test]
    fn programme_manager_is_bounded_by_programme() {
        let (prog, riga, other_prog, me) = ids();
        let pm = holder(me, Role::ProgrammeManager, Scope::Programme(prog));
        assert!(can(&pm, Action::UpdateProfile, &Resource::Organisation { id: riga, programmes: vec![prog] }));
        assert!(!can(&pm, Action::UpdateProfile, &Resource::Organisation { id: riga, programmes: vec![other_prog] }));
        assert!(can(&pm, Action::ReadInvitations, &Resource::Programme { id: prog }));
        assert!(!can(&pm, Action::ReadInvitations, &Resource::Programme { id: other_prog }));
        let inv = |role| Resource::Invitation { programme: prog, organisation: riga, role };
        assert!(can(&pm, Action::ManageTeam, &inv(Role::Expert)));
        assert!(!can(&pm, Action::ManageTeam, &inv(Role::Admin)));
        assert!(!can(&pm, Action::ReadAudit, &Resource::Installation));
    }

    #[test]
    fn expert_and_reviewer_have_no_city_writes() {
        let (prog, riga, _, me) = ids();
        for role in [Role::Expert, Role::Reviewer] {
            let a = holder(me, role, Scope::Programme(prog));
            assert!(!can(&a, Action::UpdateProfile, &Resource::Organisation { id: riga, programmes: vec![prog] }));
            assert!(!can(&a, Action::ReadInvitations, &Resource::Programme { id: prog }));
        }
    }

    #[test]
    fn admin_can_everything_that_exists() {
        let (prog, riga, _, me) = ids();
        let a = holder(me, Role::Admin, Scope::Global);
        assert!(can(&a, Action::UpdateProfile, &Resource::Organisation { id: riga, programmes: vec![] }));
        assert!(can(
            &a,
            Action::ManageTeam,
            &Resource::Invitation { programme: prog, organisation: riga, role: Role::Admin }
        ));
        assert!(can(&a, Action::ReadAudit, &Resource::Installation));
    }

    #[test]
    fn diagnostic_permissions() {
        let (prog, riga, oslo, _) = ids();
        let Cast { lead, member, expert, pm, reviewer, .. } = cast();
        let org = |id| Resource::Organisation { id, programmes: vec![prog] };
        assert!(can(&lead, Action::CreateAssessment, &org(riga)) && can(&lead, Action::SubmitAssessment, &org(riga)));
        assert!(
            can(&lead, Action::PublishAssessment, &org(riga)) && !can(&lead, Action::PublishAssessment, &org(oslo))
        );
        assert!(!can(&member, Action::PublishAssessment, &org(riga)));
        assert!(!can(&lead, Action::AnswerAssessment, &org(oslo)) && !can(&lead, Action::ReadAssessment, &org(oslo)));
        assert!(!can(&lead, Action::ReopenAssessment, &org(riga)));
        assert!(
            can(&member, Action::AnswerAssessment, &org(riga)) && !can(&member, Action::SubmitAssessment, &org(riga))
        );
        assert!(
            can(&expert, Action::ReadAssessment, &org(oslo)) && !can(&expert, Action::AnswerAssessment, &org(oslo))
        );
        assert!(can(&pm, Action::ReopenAssessment, &org(riga)));
        assert!(
            can(&expert, Action::ValidateAssessment, &org(riga)) && !can(&lead, Action::ValidateAssessment, &org(riga))
        );
        assert!(!can(&reviewer, Action::ValidateAssessment, &org(riga)));
        let whole = Resource::Programme { id: prog };
        assert!(can(&reviewer, Action::ReadAssessment, &whole) && can(&pm, Action::ReadAssessment, &whole));
        assert!(!can(&lead, Action::ReadAssessment, &whole) && !can(&member, Action::ReadAssessment, &whole));
        assert!(!can(&expert, Action::ReadAssessment, &Resource::Programme { id: oslo }));
        assert!(!can(&Actor::anonymous(), Action::ReadAssessment, &org(riga)));
    }

    #[test]
    fn service_permissions() {
        let (prog, riga, oslo, me) = ids();
        let Cast { member, pm, .. } = cast();
        let org = |id| Resource::Organisation { id, programmes: vec![prog] };
        for action in [Action::ManageService, Action::ReadService] {
            assert!(can(&member, action, &org(riga)) && !can(&member, action, &org(oslo)));
            assert!(can(&pm, action, &org(riga)) && can(&pm, action, &org(oslo)));
            for role in [Role::Expert, Role::Reviewer] {
                let a = holder(me, role, Scope::Programme(prog));
                assert!(!can(&a, action, &org(riga)), "{role:?} {action:?}");
            }
            assert!(!can(&Actor::anonymous(), action, &org(riga)));
        }
    }

    #[test]
    fn survey_permissions() {
        let (prog, riga, oslo, me) = ids();
        let sent = Resource::Survey { programme: Some(prog), organisations: vec![riga] };
        let outside = Resource::Survey { programme: None, organisations: vec![riga] };
        let Cast { admin, pm, lead, member, expert, .. } = cast();
        let other_pm = holder(me, Role::ProgrammeManager, Scope::Programme(oslo));
        let oslo_lead = holder(me, Role::CityLead, Scope::Organisation(oslo));
        for a in [&pm, &admin] {
            for action in [Action::ManageSurvey, Action::ReadSurveyReport, Action::ReadSurveyResponses] {
                assert!(can(a, action, &sent) && can(a, action, &outside), "{a:?} {action:?}");
            }
        }
        assert!(!can(&other_pm, Action::ManageSurvey, &sent) && can(&other_pm, Action::ManageSurvey, &outside));
        for a in [&lead, &member] {
            assert!(can(a, Action::ReadSurveyReport, &sent));
            assert!(!can(a, Action::ManageSurvey, &sent) && !can(a, Action::ReadSurveyResponses, &sent));
        }
        for a in [&oslo_lead, &expert, &Actor::anonymous()] {
            for action in [Action::ManageSurvey, Action::ReadSurveyReport, Action::ReadSurveyResponses] {
                assert!(!can(a, action, &sent), "{a:?} {action:?}");
            }
        }
    }

    #[test]
    fn published_city_records_are_public_and_drafts_are_the_citys() {
        let (prog, riga, oslo, _) = ids();
        let record = |organisation, published| Resource::CityRecord { organisation, programmes: vec![prog], published };
        let Cast { lead, expert, .. } = cast();
        let anon = Actor::anonymous();
        for action in [Action::ReadAssessment, Action::ReadService] {
            assert!(can(&anon, action, &record(riga, true)) && can(&lead, action, &record(oslo, true)));
            assert!(!can(&anon, action, &record(riga, false)) && !can(&lead, action, &record(oslo, false)));
            assert!(can(&lead, action, &record(riga, false)));
        }
        // Experts read every draft assessment of their programme, but not draft services.
        assert!(can(&expert, Action::ReadAssessment, &record(oslo, false)));
        assert!(!can(&expert, Action::ReadService, &record(oslo, false)));
        // Publishing makes a record readable, never writable.
        for action in [Action::ManageService, Action::SubmitAssessment, Action::PublishAssessment] {
            assert!(!can(&anon, action, &record(riga, true)) && !can(&lead, action, &record(oslo, true)));
            assert!(can(&lead, action, &record(riga, true)));
        }
    }

    #[test]
    fn answers_stay_with_the_city_team_and_programme_published_or_not() {
        let (prog, riga, oslo, _) = ids();
        let record = |organisation, published| Resource::CityRecord { organisation, programmes: vec![prog], published };
        let Cast { lead, member, expert, reviewer, pm, .. } = cast();
        for published in [false, true] {
            for a in [&lead, &member, &expert, &reviewer, &pm] {
                assert!(can(a, Action::ReadAnswers, &record(riga, published)), "{a:?} published={published}");
            }
            assert!(!can(&Actor::anonymous(), Action::ReadAnswers, &record(riga, published)));
            assert!(!can(&lead, Action::ReadAnswers, &record(oslo, published)), "another city's lead");
        }
    }

    #[test]
    fn benchmark_figures_need_a_large_enough_cohort_unless_privileged() {
        let (prog, _, other, me) = ids();
        let bench = |n, unpublished| Resource::Benchmark { programme: prog, n, unpublished };
        let Cast { lead, reviewer, .. } = cast();
        let other_reviewer = holder(me, Role::Reviewer, Scope::Programme(other));
        for a in [&Actor::anonymous(), &lead, &other_reviewer] {
            assert!(!can(a, Action::ReadBenchmark, &bench(MIN_COHORT - 1, false)), "{a:?}");
            assert!(can(a, Action::ReadBenchmark, &bench(MIN_COHORT, false)), "{a:?}");
            assert!(!can(a, Action::ReadBenchmark, &bench(1000, true)), "{a:?}: no figures over unpublished scores");
        }
        assert!(can(&reviewer, Action::ReadBenchmark, &bench(1, true)));
    }

    #[test]
    fn only_admins_manage_people() {
        let Cast { admin, pm, lead, member, expert, reviewer } = cast();
        assert!(can(&admin, Action::ManagePeople, &Resource::Installation));
        for a in [&pm, &lead, &member, &expert, &reviewer, &Actor::anonymous()] {
            assert!(!can(a, Action::ManagePeople, &Resource::Installation), "{a:?}");
        }
        let (prog, riga, _, _) = ids();
        let org = Resource::Organisation { id: riga, programmes: vec![prog] };
        assert!(!can(&admin, Action::ManagePeople, &org), "people are managed on the installation only");
    }

    #[test]
    fn convening_permissions() {
        let (prog, riga, oslo, me) = ids();
        let event = Resource::Convening { programme: prog, organisations: vec![riga] };
        let Cast { admin, pm, lead, member, expert, reviewer } = cast();
        let other_pm = holder(me, Role::ProgrammeManager, Scope::Programme(oslo));
        let outsider = holder(me, Role::CityLead, Scope::Organisation(oslo));
        for a in [&admin, &pm] {
            for action in [Action::ManageEvents, Action::ReadRegistrations, Action::RegisterForEvent] {
                assert!(can(a, action, &event), "{a:?} {action:?}");
            }
        }
        for a in [&lead, &member, &expert, &reviewer] {
            assert!(can(a, Action::RegisterForEvent, &event), "{a:?}");
            assert!(!can(a, Action::ManageEvents, &event) && !can(a, Action::ReadRegistrations, &event), "{a:?}");
        }
        for a in [&other_pm, &outsider, &Actor::anonymous()] {
            assert!(can(a, Action::Read, &event));
            for action in [Action::ManageEvents, Action::ReadRegistrations, Action::RegisterForEvent] {
                assert!(!can(a, action, &event), "{a:?} {action:?}");
            }
        }
    }

    #[test]
    fn grants_calls_applications_and_independent_reviews() {
        let (prog, riga, oslo, _) = ids();
        let Cast { admin, pm, lead, member, expert, reviewer } = cast();
        let anon = Actor::anonymous();
        let call = |published| Resource::Call { programme: prog, published };
        for a in [&anon, &lead, &expert] {
            assert!(can(a, Action::ReadCall, &call(true)) && !can(a, Action::ReadCall, &call(false)), "{a:?}");
            assert!(!can(a, Action::ManageCall, &call(true)), "{a:?}");
        }
        for a in [&admin, &pm] {
            assert!(can(a, Action::ReadCall, &call(false)) && can(a, Action::ManageCall, &call(false)));
            assert!(can(a, Action::ManageCall, &Resource::Programme { id: prog }));
            assert!(!can(a, Action::ApplyForGrant, &Resource::Organisation { id: riga, programmes: vec![prog] }));
        }
        let org = |id| Resource::Organisation { id, programmes: vec![prog] };
        assert!(can(&lead, Action::ApplyForGrant, &org(riga)) && can(&member, Action::ApplyForGrant, &org(riga)));
        assert!(!can(&lead, Action::ApplyForGrant, &org(oslo)) && !can(&expert, Action::ApplyForGrant, &org(riga)));
        let app = |organisation, assigned, reviewed| Resource::GrantApplication {
            programme: prog,
            organisation,
            assigned,
            reviewed,
        };
        // Applicants read their own application only.
        assert!(can(&lead, Action::ReadApplication, &app(riga, false, false)));
        assert!(!can(&lead, Action::ReadApplication, &app(oslo, false, false)));
        // Reviewers read and score what is assigned to them, and others' reviews only after their own.
        for r in [&expert, &reviewer] {
            assert!(!can(r, Action::ReadApplication, &app(oslo, false, false)));
            assert!(can(r, Action::ReadApplication, &app(oslo, true, false)));
            assert!(can(r, Action::ReviewApplication, &app(oslo, true, false)));
            assert!(!can(r, Action::ReadReviews, &app(oslo, true, false)), "independence");
            assert!(can(r, Action::ReadReviews, &app(oslo, true, true)));
        }
        // A city lead assigned by mistake is no reviewer.
        assert!(!can(&lead, Action::ReviewApplication, &app(oslo, true, false)));
        assert!(!can(&lead, Action::ReadReviews, &app(riga, false, false)), "applicants never see raw reviews");
        for a in [&admin, &pm] {
            assert!(
                can(a, Action::ReadReviews, &app(riga, false, false))
                    && !can(a, Action::ReviewApplication, &app(riga, false, false))
            );
        }
        assert!(!can(&anon, Action::ReadApplication, &app(riga, true, true)));
    }

    #[test]
    fn roles_round_trip_and_scopes() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert_eq!(Role::parse("mayor").unwrap_err().code, "invalid-role");
        assert_eq!(Role::Admin.scope_kind(), ScopeKind::Global);
        assert_eq!(Role::CityLead.scope_kind(), ScopeKind::Organisation);
        assert_eq!(Role::Reviewer.scope_kind(), ScopeKind::Programme);
        let (p, o) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(Role::Admin.scope_in(p, o), Scope::Global);
        assert_eq!(Role::Expert.scope_in(p, o), Scope::Programme(p));
        assert_eq!(Role::CityMember.scope_in(p, o), Scope::Organisation(o));
    }
}
