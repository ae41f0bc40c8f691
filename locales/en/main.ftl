# Urbis interface messages. English is the source language; de and fr must have every key.

site-name = Urbis
skip-to-content = Skip to main content
nav-label = Main
nav-home = Home
nav-programmes = Programmes
nav-people = People
nav-api = API
nav-sign-in = Sign in
nav-sign-out = Sign out
nav-signed-in-as = Your account ({ $name })
language-nav = Language
account-nav = Account
footer-text = Urbis is open-source software for running city digital-innovation programmes.
footer-api = API description (OpenAPI)
footer-status = Service status

# Common
save = Save changes
yes = Yes
no = No
optional = (optional)
choose = Choose…
actions = Actions
back-to = Back to { $name }
previous = Previous page
next = Next page
pagination = Pages
page-of = Page { $page } of { $pages }

# Home
home-title = City digital-innovation programmes
home-lead = Urbis carries a cohort programme of city digital innovation: the cities and their teams, what they learn and what they deliver for residents.
home-programmes = Programmes
home-what-title = What you can do here
home-what-cohort = See each programme's cohort of cities on a map and in a table.
home-what-people = Find the people who lead the work in each city, if they chose to be listed.
home-what-open = Use every public page as data through the documented API.

# Programme
programme-caption = Programme
programme-dates = { $start } to { $end }
programme-period = Period
programme-announced = Announced
programme-cohort = Cohort
programme-cohort-count = { $participating } participating cities of { $total } invited
programme-cohort-table = Cities of the cohort
programme-map-title = Map of the { $programme } cohort
programme-map-desc = A map of Europe showing { $total } cities: { $participating } took part. The table below lists the same cities.
programme-map-table-hint = The table below holds the same information as the map.
programme-capabilities = Five capabilities of digital maturity
programme-capabilities-lead = The diagnostic at the start of the programme measures each city across these capabilities.
programme-focus-areas = Five focus areas
programme-focus-areas-lead = Each city transforms one resident-facing service in one of these areas.

capability-digital-vision = Digital vision
capability-governance = Governance
capability-technology-systems = Technology systems development
capability-user-centric-design = Approaches to user-centric design
capability-data-infrastructure = Building an infrastructure for the use of data

focus-housing = Housing
focus-mobility = Mobility
focus-health = Health
focus-education = Education
focus-jobs = Jobs

status-participating = Participating
status-invited = Invited
status-declined = Declined

note-bratislava = Among the first to sign on; helped design the programme.
note-helsinki = Among the first to sign on; helped design the programme.
note-london = Among the first to sign on; helped design the programme.
note-reykjavik = Not among the 28 invited EU capitals, but took part.

# Cities
city-local-time = local time { $time }
city-see-programme = See the programme
city-team = Team
city-team-empty = No team members are listed yet.
city-edit = Edit profile
city-edit-title = Edit the profile of { $city }
city-description-hint = A few sentences on the city's digital work, for peers and the public.
city-website-hint = The city's website, starting with https://
city-saved = The profile has been saved.
city-edit-conflict = Someone else saved this profile while you were editing. Your text is kept below. Check the current profile, then save again if you still want your changes.
city-edit-see-current = See the current profile (opens in a new tab)

# Teams and invitations
team-title = Team of { $city }
team-manage = Manage team
team-members = Members
team-listed = Listed publicly
team-unlisted = not listed publicly
team-remove = Remove
invitations-title = Invitations
invitations-empty = There are no invitations yet.
invite-title = Invite a person
invite-send = Send invitation
invitation-created = Invitation created
invitation-created-body = An e-mail is queued for the person. This is the link that accepts the invitation; it is shown only now, so copy it if you want to send it yourself.
invitation-revoke = Revoke
invitation-state-pending = Pending
invitation-state-accepted = Accepted
invitation-state-expired = Expired
invitation-state-revoked = Revoked
invitation-title = Invitation to join a city team
invitation-lead = You are invited to join the team of { $city } as { $role }.
invitation-not-pending = This invitation can no longer be accepted. Ask the person who invited you for a new one.
invitation-accept = Accept invitation
invitation-other-account = You are signed in with another account. Sign out, then open this link again to accept the invitation for { $email }.
invitation-sign-in-first = An account exists for this e-mail address. Sign in to accept the invitation.
invitation-create-account = Create your account
password-hint = At least 12 characters. A few unrelated words make a strong password.

mail-invitation-subject = Invitation to the team of { $city } in { $programme }
mail-invitation-body = { $inviter } invites you to join the team of { $city } in { $programme } as { $role }. Open this link to accept: { $link }

# Roles
role-admin = Administrator
role-programme-manager = Programme manager
role-city-lead = City lead
role-city-member = City team member
role-expert = Expert
role-reviewer = Reviewer
scope-global = whole installation

# People
people-title = People
people-lead = People who lead and support the work in the cities and who agreed to be listed here.
people-empty = Nobody is listed yet.
people-roles = Roles

# Sign in and account
login-title = Sign in
login-wrong = The e-mail address or the password is not right.
login-throttled = Too many failed attempts. Try again in { $minutes } minutes.
login-no-account = Accounts are made by invitation. Ask your programme manager or your city lead for one.
account-title = Your account
account-roles = Your roles
account-no-roles = You hold no roles yet.
account-profile = Your profile
account-job-hint = For example, Chief Digital Officer.
account-listed = List me in the public people directory and on my city's page
account-locale-browser = As my browser prefers
account-saved = Your account has been saved.
account-conflict = Your account was changed elsewhere while you were editing. Your entries are kept below; save again to apply them.

# Field names
field-city = City
field-country = Country
field-description = Description
field-email = E-mail address
field-expires = Expires
field-job_title = Job title
field-locale = Interface language
field-name = Name
field-password = Password
field-password_confirm = Confirm password
field-programme = Programme
field-role = Role
field-state = State
field-status = Status
field-timezone = Time zone
field-website = Website
field-invitation = Invitation

# Errors
error-summary-title = There is a problem
error-required = Enter { $field }.
error-invalid-email = Enter an e-mail address in the correct format, like name@example.org.
error-invalid-slug = { $field } may hold only lowercase letters, digits and single hyphens.
error-invalid-country = { $field } must be a two-letter country code.
error-unknown-region = Choose a region from the list.
error-unknown-population-band = Choose a population band from the list.
error-invalid-date = { $field } must be a date in the form 2027-03-31.
error-wave-exists = The programme already has a wave called that; choose another short name.
error-invalid-plan-status = Choose a status from the list.
error-invalid-timezone = { $field } must be a time zone such as Europe/Riga.
error-out-of-range = { $field } is out of range.
error-invalid-url = Enter a web address starting with https:// or http://.
error-too-long = { $field } is too long.
error-control-characters = { $field } contains characters that cannot be shown.
error-invalid-choice = Choose a { $field } from the list.
error-invalid-role = Choose a role from the list.
error-password-too-short = The password must be at least 12 characters.
error-password-mismatch = The passwords do not match.
error-before-start = The end date must not be before the start date.
error-already-invited = This person already has a pending invitation for this role.
error-already-holds-role = This person already holds this role.
error-not-pending = This invitation is no longer pending.
error-wrong-account = This invitation is for another e-mail address.
error-account-exists = An account exists for this e-mail address. Sign in to accept the invitation.
error-email-taken = An account with this e-mail address already exists.
error-scope-mismatch = This role cannot be given here.
error-not-in-programme = This city is not part of the programme.
error-unknown-city = Choose a city from the list.
error-invalid-field = { $field } is not valid.
error-invalid-parameter = { $field } is not valid.
error-forbidden-title = You cannot do this
error-forbidden-body = Your roles do not allow this action. If you think they should, ask your programme manager.
error-not-found-title = Page not found
error-not-found-body = If you typed the web address, check it is correct.
error-conflict-title = Someone else changed this first
error-conflict-body = The record changed since you opened it. Go back, reload it and try again.
error-bad-request-title = Something in the request is not right
error-bad-request-body = Go back and check what you entered.
error-internal-title = Sorry, there is a problem with the service
error-internal-body = Nothing was changed. Try again later.
error-csrf-title = Your form has expired
error-csrf-body = For your security the form could not be accepted. Go back, reload the page and try again.

# Countries (ISO 3166-1 alpha-2)
country-AT = Austria
country-BE = Belgium
country-BG = Bulgaria
country-CY = Cyprus
country-CZ = Czechia
country-DE = Germany
country-DK = Denmark
country-EE = Estonia
country-ES = Spain
country-FI = Finland
country-FR = France
country-GB = United Kingdom
country-GR = Greece
country-HR = Croatia
country-HU = Hungary
country-IE = Ireland
country-IS = Iceland
country-IT = Italy
country-LT = Lithuania
country-LU = Luxembourg
country-LV = Latvia
country-MT = Malta
country-NL = Netherlands
country-PL = Poland
country-PT = Portugal
country-RO = Romania
country-SE = Sweden
country-SI = Slovenia
country-SK = Slovakia

# Diagnostic
diagnostic-city-title = Digital maturity of { $city }
diagnostic-cohort-title = Digital maturity of the { $programme } cohort
diagnostic-none = No diagnostic results are available to you for this city yet.
diagnostic-sample = These are sample results for trying Urbis out, not real data.
diagnostic-wave = Wave
diagnostic-overall = Overall
diagnostic-capability = Capability
diagnostic-score = Score (0–100)
diagnostic-level = Level (1–5)
diagnostic-cohort-median = Cohort median
diagnostic-spread = Spread between respondents
diagnostic-radar-title = Scores of { $city } by capability, { $wave }
diagnostic-radar-desc = A radar chart of the city's score on each of the five capabilities, from 0 at the centre to 100 at the edge. The table below gives the same figures.
diagnostic-radar-desc-cohort = A radar chart of the city's score on each of the five capabilities, from 0 at the centre to 100 at the edge, with the cohort median as a dashed line. The table below gives the same figures.
diagnostic-table-hint = The table below holds the same figures as the chart.
diagnostic-scores-caption = Scores and levels, { $wave }
diagnostic-cohort-hidden = Cohort figures are shown once at least 5 cities have submitted their assessment.
diagnostic-how-scored = Every score can be recomputed from the answers: the formulas are in the documentation (docs/diagnostic.md).
diagnostic-progress = Progress across waves
diagnostic-progress-cohort = Cohort median by wave
diagnostic-change = Change since the first wave
diagnostic-next-level = The way to the next level
diagnostic-from-level = from level { $from } to { $to }
diagnostic-heat-title = Scores by city and capability, { $wave }
diagnostic-heat-desc = A grid with one row per city and one column per capability; each cell is coloured by the level its score reaches and shows the score. The table below gives the same figures.
diagnostic-heat-legend = Darker cells are higher scores: the colour shows the level whose bound the score reaches (25, 50, 75, 100).
diagnostic-cohort-n = { $count ->
    [one] One city has submitted its assessment in { $wave }.
   *[other] { $count } cities have submitted their assessment in { $wave }.
}
diagnostic-no-published = No city has published its results for this wave yet.
diagnostic-distribution = Distribution across the cohort
diagnostic-min = Minimum
diagnostic-q1 = Lower quartile
diagnostic-median = Median
diagnostic-q3 = Upper quartile
diagnostic-max = Maximum
diagnostic-download-csv = Download these figures (CSV)
diagnostic-link = Digital maturity diagnostic
assessment-status-draft = Draft
assessment-status-submitted = Submitted

# Questionnaire
questionnaire-heading = Your city's assessment
questionnaire-open = Open the questionnaire for { $wave }
questionnaire-start = Start the assessment
questionnaire-title = Digital maturity assessment of { $city }, { $wave }
questionnaire-lead = Answer each section as your department sees it. Several colleagues can answer: Urbis combines your answers and shows where you disagree. Your answers are saved section by section, so you can stop and come back.
questionnaire-sections = Sections
questionnaire-answered = { $answered } of { $total } answered
questionnaire-check = Check the answers
questionnaire-check-submit = Check the answers and submit
questionnaire-read-only = You can read this assessment but not answer it.
questionnaire-back = Back to the assessment
questionnaire-locked = This assessment is submitted or not yours to answer, so the answers cannot be changed here.
questionnaire-context = About your city
questionnaire-context-hint = Context for the results. These answers are not scored.
questionnaire-level = Level { $level }
questionnaire-choice-yes = Yes
questionnaire-choice-partial = Partly
questionnaire-choice-no = No
questionnaire-none-of-these = None of these
questionnaire-not-applicable = Not applicable to our city
questionnaire-evidence = Evidence and comment
questionnaire-evidence-label = Evidence (a link or a short note)
questionnaire-comment-label = Comment
questionnaire-save-continue = Save and continue
questionnaire-current-overall = Overall score from the answers so far: { $score }.
questionnaire-unanswered-required = Not answered yet (required)
questionnaire-not-answered-by-you = Not answered by you
questionnaire-respondents = { $n } answer(s) from your team
questionnaire-change-section = Change the answers in { $section }
questionnaire-submit-title = Submit the assessment
questionnaire-submit-body = Once submitted, the answers are locked and the scores count for the wave. Programme staff can reopen it if something needs correcting.
questionnaire-submit = Submit
questionnaire-missing = Answer the question: { $question }
error-unknown-instrument = There is no such instrument.
error-unknown-wave = Choose a wave from the list.
error-wave-closed = This wave is closed.
error-unknown-question = There is no such question in this questionnaire.
error-one-answer = Give exactly one answer.
error-assessment-exists = This city already has an assessment in this wave.
error-not-draft = The assessment is submitted, so it can no longer be changed.
error-not-submitted = Only a submitted assessment can be reopened.
error-not-applicable-not-allowed = "{ $field }" must be answered; "not applicable" is not possible here.
error-unknown-item = Choose items from the list for "{ $field }".
error-repeated-item = An item was chosen twice for "{ $field }".
error-wrong-answer-type = The answer does not fit the question "{ $field }".
error-none-and-items = For "{ $field }", choose items or "None of these", not both.
error-not-a-number = Enter a number for "{ $field }".
error-unknown-capability = There is no such capability in this questionnaire.
diagnostic-validated = Validated by an expert
confidence-high = high confidence
confidence-medium = medium confidence
confidence-low = low confidence

## Peer groups
diagnostic-peer-group = Compare with
field-region = Region
field-population_band = Population
diagnostic-any-region = Any region
diagnostic-any-population = Any size
diagnostic-apply-filter = Show
diagnostic-wave-frozen = This wave is closed: its figures are the baseline frozen when it closed.
region-northern-europe = Northern Europe
region-western-europe = Western Europe
region-southern-europe = Southern Europe
region-eastern-europe = Eastern Europe
region-other = Outside Europe
population-under-500k = Under 500,000 residents
population-500k-1m = 500,000 to 999,999 residents
population-1m-2500k = 1 million to 2.5 million residents
population-over-2500k = 2.5 million residents or more

## Improvement plans, publication, validation, waves
field-title = Title
field-owner = Owner
field-due_on = Due date
field-slug = Short name
field-opens_on = Opens on
field-closes_on = Closes on
field-capability = Capability
field-version = Version
plan-status-planned = Planned
plan-status-in-progress = In progress
plan-status-done = Done
plan-status-dropped = Dropped
plan-heading = Improvement plan
plan-empty = The plan has no items yet. Add the recommended actions you will take, with an owner and a due date.
plan-new-title = Add a plan item
plan-edit-title = Change a plan item
plan-edit-item = Change “{ $title }”
plan-add-action = Add “{ $action }” to the plan
plan-owner-hint = The person or team responsible, for example “Chief Digital Officer”.
plan-due-hint = For example 2027-03-31. Leave empty if there is no date yet.
plan-conflict = Someone else changed this item while you were editing. Your changes are below; save again to replace theirs.
plan-download-csv = Download the plan (CSV)
publish-is-public = These results are published: anyone can see them, and they appear in public benchmarks.
publish-is-private = These results are not published: only the city team, programme staff, experts and reviewers see them.
publish-do = Publish the results
publish-withdraw = Withdraw the results
publish-saved = Publication updated
validate-link = Validate this assessment
waves-title = Diagnostic waves of { $programme }
waves-back = Back to the cohort diagnostic
waves-intro = Each wave is one round of the diagnostic. Cities answer in an open wave; closing a wave freezes its results as that wave's baseline.
waves-closed-at = Closed on { $date }
waves-close = Close { $wave }
waves-close-hint = Closing cannot be undone. Later corrections to an assessment change its live figures, not the frozen baseline.
waves-add = Add a wave
waves-slug-hint = Used in addresses, for example t2: lowercase letters, digits and hyphens.
waves-manage = Manage waves
validate-title = Validate { $city }, { $wave }
validate-intro = Confirm or adjust each capability's self-assessed score after reviewing the evidence. The city's own figure stays beside yours.
validate-self = Self-assessed: { $score } / 100, level { $level }.
validate-score = Validated score (0 to 100)
validate-confidence = Your confidence
validate-comment = Comment for the city
validate-save = Save the validation of { $capability }
validate-saved = Validation saved
