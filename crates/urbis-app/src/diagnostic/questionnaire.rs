//! An assessment's questionnaire as one caller sees it: every respondent's answers, the caller's
//! own, and whether the caller may change or submit them now. The pages only lay this out.

use super::Loaded;
use crate::{App, Caller, Loaded as _, Result};
use std::collections::HashMap;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::{AssessmentStatus, StoredAnswer};

pub struct Questionnaire {
    /// Every respondent's answers.
    pub answers: Vec<StoredAnswer>,
    /// The caller's own answers, by question.
    pub mine: HashMap<String, StoredAnswer>,
    /// May the caller answer (the policy's answer, whatever the assessment's state)?
    pub can_answer: bool,
    /// May the caller submit (the policy's answer, whatever the assessment's state)?
    pub can_submit: bool,
    /// Is the assessment a draft, the only state that takes answers?
    pub draft: bool,
}

impl Questionnaire {
    /// The caller cannot change answers now (not a draft, or not theirs to answer).
    pub fn locked(&self) -> bool {
        !(self.draft && self.can_answer)
    }

    /// The caller may submit the assessment now.
    pub fn submittable(&self) -> bool {
        self.draft && self.can_submit
    }

    /// How many respondents answered a question.
    pub fn respondents(&self, question_id: &str) -> usize {
        self.answers.iter().filter(|a| a.question_id == question_id).count()
    }

    /// Has anybody answered a question?
    pub fn answered(&self, question_id: &str) -> bool {
        self.answers.iter().any(|a| a.question_id == question_id)
    }
}

/// The questionnaire of an assessment whose answers the caller may read (its city's team and the
/// programme's staff, experts and reviewers, published or not: it shows who answered what).
pub async fn questionnaire(app: &App, caller: &Caller, loaded: &Loaded) -> Result<Questionnaire> {
    loaded.check(caller, Action::ReadAnswers)?;
    let answers = app.store.answers(loaded.assessment.id).await?;
    let me = caller.actor.person;
    let mine =
        answers.iter().filter(|a| Some(a.respondent_id) == me).map(|a| (a.question_id.clone(), a.clone())).collect();
    Ok(Questionnaire {
        answers,
        mine,
        can_answer: caller.can(Action::AnswerAssessment, &loaded.resource),
        can_submit: caller.can(Action::SubmitAssessment, &loaded.resource),
        draft: loaded.assessment.status == AssessmentStatus::Draft,
    })
}
