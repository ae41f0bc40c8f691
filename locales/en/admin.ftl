# People administration (admins): every account, deactivating and reactivating a person.
admin-people-nav = People's accounts
admin-people-title = People's accounts
admin-people-lead = Every account of this installation, active or deactivated. A deactivated person cannot sign in and is signed out everywhere at once.
admin-people-search = Name or e-mail address
admin-people-search-hint = Part of a name or address is enough.
admin-people-search-button = Search
admin-people-count = { $count ->
    [one] One account.
   *[other] { $count } accounts.
}
admin-people-status = Status
admin-people-active = Active
admin-people-inactive = Deactivated
admin-people-since = since { $date }
admin-people-you = This is you
admin-people-deactivate = Deactivate
admin-people-reactivate = Reactivate
admin-people-empty = No account matches.
admin-people-back = Back to people's accounts
admin-people-deactivated = { $name } has been deactivated and signed out everywhere.
admin-people-reactivated = { $name } has been reactivated. They must sign in again.
admin-deactivate-title = Deactivate this person?
admin-deactivate-explain = They will not be able to sign in, and every session and API token of theirs ends at once. Their roles, the invitations they sent and the records they wrote stay.
admin-deactivate-warning = The sessions and tokens that end now do not come back, even if you reactivate them later.
admin-deactivate-confirm = Yes, deactivate
admin-reactivate-title = Reactivate this person?
admin-reactivate-explain = They will be able to sign in again with their password, with the roles they hold. Sessions and API tokens they had before do not come back.
admin-reactivate-confirm = Yes, reactivate
admin-person-cancel = No, go back
admin-person-conflict = Someone changed this account since you opened the page. Check it as it is now, then confirm again.
field-person = Person
error-cannot-deactivate-self = You cannot deactivate yourself: another admin must do it, so that this installation always keeps an admin.
error-already-deactivated = This person is already deactivated.
error-already-active = This person is already active.
