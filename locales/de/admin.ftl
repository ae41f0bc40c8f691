# Personenverwaltung (Admins): alle Konten, Personen deaktivieren und reaktivieren.
admin-people-nav = Konten der Personen
admin-people-title = Konten der Personen
admin-people-lead = Alle Konten dieser Installation, aktiv oder deaktiviert. Eine deaktivierte Person kann sich nicht anmelden und wird sofort überall abgemeldet.
admin-people-search = Name oder E-Mail-Adresse
admin-people-search-hint = Ein Teil des Namens oder der Adresse genügt.
admin-people-search-button = Suchen
admin-people-count = { $count ->
    [one] Ein Konto.
   *[other] { $count } Konten.
}
admin-people-status = Status
admin-people-active = Aktiv
admin-people-inactive = Deaktiviert
admin-people-since = seit { $date }
admin-people-you = Das sind Sie
admin-people-deactivate = Deaktivieren
admin-people-reactivate = Reaktivieren
admin-people-empty = Kein Konto passt.
admin-people-back = Zurück zu den Konten der Personen
admin-people-deactivated = { $name } wurde deaktiviert und überall abgemeldet.
admin-people-reactivated = { $name } wurde reaktiviert und muss sich neu anmelden.
admin-deactivate-title = Diese Person deaktivieren?
admin-deactivate-explain = Sie kann sich nicht mehr anmelden, und alle ihre Sitzungen und API-Tokens enden sofort. Ihre Rollen, die von ihr versandten Einladungen und ihre Einträge bleiben erhalten.
admin-deactivate-warning = Die jetzt beendeten Sitzungen und Tokens kommen nicht zurück, auch wenn Sie die Person später reaktivieren.
admin-deactivate-confirm = Ja, deaktivieren
admin-reactivate-title = Diese Person reaktivieren?
admin-reactivate-explain = Sie kann sich wieder mit ihrem Passwort anmelden, mit den Rollen, die sie hat. Frühere Sitzungen und API-Tokens kommen nicht zurück.
admin-reactivate-confirm = Ja, reaktivieren
admin-person-cancel = Nein, zurück
admin-person-conflict = Jemand hat dieses Konto geändert, seit Sie die Seite geöffnet haben. Prüfen Sie den jetzigen Stand und bestätigen Sie erneut.
field-person = Person
error-cannot-deactivate-self = Sie können sich nicht selbst deaktivieren: Das muss ein anderer Admin tun, damit diese Installation immer einen Admin behält.
error-already-deactivated = Diese Person ist bereits deaktiviert.
error-already-active = Diese Person ist bereits aktiv.
