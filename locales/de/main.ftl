# Urbis-Oberflächentexte. Englisch ist die Ausgangssprache; de und fr müssen jeden Schlüssel enthalten.

site-name = Urbis
skip-to-content = Zum Hauptinhalt springen
nav-label = Hauptnavigation
nav-home = Startseite
nav-programmes = Programme
nav-people = Personen
nav-api = API
nav-sign-in = Anmelden
nav-sign-out = Abmelden
nav-signed-in-as = Ihr Konto ({ $name })
language-nav = Sprache
account-nav = Konto
footer-text = Urbis ist Open-Source-Software für die Durchführung von Programmen zur digitalen Innovation in Städten.
footer-api = API-Beschreibung (OpenAPI)
footer-status = Dienststatus

# Allgemein
save = Änderungen speichern
yes = Ja
no = Nein
optional = (optional)
choose = Auswählen …
actions = Aktionen
back-to = Zurück zu { $name }
previous = Vorherige Seite
next = Nächste Seite
pagination = Seiten
page-of = Seite { $page } von { $pages }

# Startseite
home-title = Programme zur digitalen Innovation in Städten
home-lead = Urbis bildet ein Kohortenprogramm zur digitalen Innovation in Städten ab: die Städte und ihre Teams, was sie lernen und was sie für die Bevölkerung erreichen.
home-programmes = Programme
home-what-title = Was Sie hier tun können
home-what-cohort = Sehen Sie die Städte der Kohorte jedes Programms auf einer Karte und in einer Tabelle.
home-what-people = Finden Sie die Personen, die die Arbeit in den einzelnen Städten leiten, sofern sie einer Veröffentlichung zugestimmt haben.
home-what-open = Nutzen Sie jede öffentliche Seite über die dokumentierte API als Daten.

# Programm
programme-caption = Programm
programme-dates = { $start } bis { $end }
programme-period = Zeitraum
programme-announced = Bekannt gegeben
programme-cohort = Kohorte
programme-cohort-count = { $participating } teilnehmende Städte von { $total } eingeladenen
programme-cohort-table = Städte der Kohorte
programme-map-title = Karte der Kohorte { $programme }
programme-map-desc = Eine Europakarte mit { $total } Städten, von denen { $participating } teilgenommen haben. Die Tabelle unten enthält dieselben Städte.
programme-map-table-hint = Die Tabelle unten enthält dieselben Informationen wie die Karte.
programme-capabilities = Fünf Kompetenzen digitaler Reife
programme-capabilities-lead = Die Standortbestimmung zu Beginn des Programms misst, wie weit jede Stadt bei diesen Kompetenzen ist.
programme-focus-areas = Fünf Handlungsfelder
programme-focus-areas-lead = Jede Stadt gestaltet in einem dieser Felder eine Dienstleistung für die Bevölkerung grundlegend neu.

capability-digital-vision = Digitale Vision
capability-governance = Governance
capability-technology-systems = Entwicklung technischer Systeme
capability-user-centric-design = Ansätze für nutzerzentriertes Design
capability-data-infrastructure = Aufbau einer Infrastruktur für die Datennutzung

focus-housing = Wohnen
focus-mobility = Mobilität
focus-health = Gesundheit
focus-education = Bildung
focus-jobs = Beschäftigung

status-participating = Teilnehmend
status-invited = Eingeladen
status-declined = Abgesagt

note-bratislava = Eine der ersten Städte, die zugesagt haben. Hat das Programm mitgestaltet.
note-helsinki = Eine der ersten Städte, die zugesagt haben. Hat das Programm mitgestaltet.
note-london = Eine der ersten Städte, die zugesagt haben. Hat das Programm mitgestaltet.
note-reykjavik = Gehörte nicht zu den 28 eingeladenen EU-Hauptstädten, hat aber teilgenommen.

# Städte
city-local-time = Ortszeit { $time }
city-see-programme = Zum Programm
city-team = Team
city-team-empty = Es sind noch keine Teammitglieder aufgeführt.
city-edit = Profil bearbeiten
city-edit-title = Profil von { $city } bearbeiten
city-description-hint = Einige Sätze zur digitalen Arbeit der Stadt, für andere Städte und die Öffentlichkeit.
city-website-hint = Die Website der Stadt, beginnend mit https://
city-saved = Das Profil wurde gespeichert.
city-edit-conflict = Jemand anderes hat dieses Profil gespeichert, während Sie es bearbeitet haben. Ihr Text steht weiter unten. Prüfen Sie das aktuelle Profil und speichern Sie dann erneut, wenn Sie Ihre Änderungen weiterhin übernehmen möchten.
city-edit-see-current = Aktuelles Profil ansehen (öffnet sich in einem neuen Tab)

# Teams und Einladungen
team-title = Team von { $city }
team-manage = Team verwalten
team-members = Mitglieder
team-listed = Öffentlich aufgeführt
team-unlisted = nicht öffentlich aufgeführt
team-remove = Entfernen
invitations-title = Einladungen
invitations-empty = Es gibt noch keine Einladungen.
invite-title = Person einladen
invite-send = Einladung senden
invitation-created = Einladung erstellt
invitation-created-body = Eine E-Mail an die Person wird in Kürze versendet. Dies ist der Link zum Annehmen der Einladung. Er wird nur jetzt angezeigt. Kopieren Sie ihn, wenn Sie ihn selbst versenden möchten.
invitation-revoke = Widerrufen
invitation-state-pending = Ausstehend
invitation-state-accepted = Angenommen
invitation-state-expired = Abgelaufen
invitation-state-revoked = Widerrufen
invitation-title = Einladung in ein Stadtteam
invitation-lead = Sie sind eingeladen, dem Team von { $city } in der Rolle { $role } beizutreten.
invitation-not-pending = Diese Einladung kann nicht mehr angenommen werden. Bitten Sie die Person, die Sie eingeladen hat, um eine neue Einladung.
invitation-accept = Einladung annehmen
invitation-other-account = Sie sind mit einem anderen Konto angemeldet. Melden Sie sich ab und öffnen Sie diesen Link erneut, um die Einladung für { $email } anzunehmen.
invitation-sign-in-first = Für diese E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich an, um die Einladung anzunehmen.
invitation-create-account = Erstellen Sie Ihr Konto
password-hint = Mindestens 12 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein sicheres Passwort.

mail-invitation-subject = Einladung in das Team von { $city } im Programm { $programme }
mail-invitation-body = { $inviter } lädt Sie ein, dem Team von { $city } im Programm { $programme } in der Rolle { $role } beizutreten. Öffnen Sie diesen Link, um die Einladung anzunehmen: { $link }

# Rollen
role-admin = Administration
role-programme-manager = Programmleitung
role-city-lead = Leitung des Stadtteams
role-city-member = Mitglied des Stadtteams
role-expert = Experte
role-reviewer = Begutachtung
scope-global = gesamte Installation

# Personen
people-title = Personen
people-lead = Personen, die die Arbeit in den Städten leiten und unterstützen und zugestimmt haben, hier aufgeführt zu werden.
people-empty = Es ist noch niemand aufgeführt.
people-roles = Rollen

# Anmeldung und Konto
login-title = Anmelden
login-wrong = E-Mail-Adresse oder Passwort ist nicht korrekt.
login-throttled = Zu viele fehlgeschlagene Versuche. Versuchen Sie es in { $minutes } Minuten erneut.
login-no-account = Konten werden nur auf Einladung eingerichtet. Bitten Sie Ihre Programmleitung oder die Leitung Ihres Stadtteams um eine Einladung.
account-title = Ihr Konto
account-roles = Ihre Rollen
account-no-roles = Sie haben noch keine Rollen.
account-profile = Ihr Profil
account-job-hint = Zum Beispiel Chief Digital Officer.
account-listed = Mich im öffentlichen Personenverzeichnis und auf der Seite meiner Stadt aufführen
account-locale-browser = Wie in meinem Browser eingestellt
account-saved = Ihr Konto wurde gespeichert.
account-conflict = Ihr Konto wurde an anderer Stelle geändert, während Sie es bearbeitet haben. Ihre Eingaben stehen weiter unten. Speichern Sie erneut, um sie zu übernehmen.

# Feldnamen
field-city = Stadt
field-country = Land
field-description = Beschreibung
field-email = E-Mail-Adresse
field-expires = Läuft ab
field-job_title = Funktion
field-locale = Sprache der Oberfläche
field-name = Name
field-password = Passwort
field-password_confirm = Passwort bestätigen
field-programme = Programm
field-role = Rolle
field-state = Stand
field-status = Status
field-timezone = Zeitzone
field-website = Website
field-invitation = Einladung

# Fehler
error-summary-title = Es gibt ein Problem
error-required = Füllen Sie das Feld „{ $field }“ aus.
error-invalid-email = Geben Sie eine E-Mail-Adresse im richtigen Format ein, zum Beispiel name@example.org.
error-invalid-slug = Das Feld „{ $field }“ darf nur Kleinbuchstaben, Ziffern und einzelne Bindestriche enthalten.
error-invalid-country = Das Feld „{ $field }“ muss einen Ländercode aus zwei Buchstaben enthalten.
error-unknown-region = Wählen Sie eine Region aus der Liste.
error-unknown-population-band = Wählen Sie eine Größenklasse aus der Liste.
error-invalid-date = Das Feld „{ $field }“ muss ein Datum in der Form 2027-03-31 enthalten.
error-wave-exists = Das Programm hat bereits eine Erhebungswelle mit diesem Kurznamen; wählen Sie einen anderen.
error-invalid-plan-status = Wählen Sie einen Status aus der Liste.
error-invalid-timezone = Das Feld „{ $field }“ muss eine Zeitzone wie Europe/Riga enthalten.
error-out-of-range = Der Wert im Feld „{ $field }“ liegt außerhalb des zulässigen Bereichs.
error-invalid-url = Geben Sie eine Webadresse ein, die mit https:// oder http:// beginnt.
error-too-long = Der Text im Feld „{ $field }“ ist zu lang.
error-control-characters = Das Feld „{ $field }“ enthält Zeichen, die nicht angezeigt werden können.
error-invalid-choice = Wählen Sie für das Feld „{ $field }“ einen Eintrag aus der Liste.
error-invalid-role = Wählen Sie eine Rolle aus der Liste.
error-password-too-short = Das Passwort muss mindestens 12 Zeichen lang sein.
error-password-mismatch = Die Passwörter stimmen nicht überein.
error-before-start = Das Enddatum darf nicht vor dem Startdatum liegen.
error-already-invited = Diese Person hat bereits eine ausstehende Einladung für diese Rolle.
error-already-holds-role = Diese Person hat diese Rolle bereits.
error-not-pending = Diese Einladung ist nicht mehr offen.
error-wrong-account = Diese Einladung gilt für eine andere E-Mail-Adresse.
error-account-exists = Für diese E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich an, um die Einladung anzunehmen.
error-email-taken = Es gibt bereits ein Konto mit dieser E-Mail-Adresse.
error-scope-mismatch = Diese Rolle kann hier nicht vergeben werden.
error-not-in-programme = Diese Stadt gehört nicht zum Programm.
error-unknown-city = Wählen Sie eine Stadt aus der Liste.
error-invalid-field = Die Angabe im Feld „{ $field }“ ist ungültig.
error-invalid-parameter = Der Wert für „{ $field }“ ist ungültig.
error-forbidden-title = Dazu sind Sie nicht berechtigt
error-forbidden-body = Ihre Rollen erlauben diese Aktion nicht. Wenn Sie meinen, dass sie das sollten, wenden Sie sich an Ihre Programmleitung.
error-not-found-title = Seite nicht gefunden
error-not-found-body = Wenn Sie die Webadresse selbst eingegeben haben, prüfen Sie, ob sie richtig ist.
error-conflict-title = Jemand anderes hat dies zuerst geändert
error-conflict-body = Die Daten wurden geändert, seit Sie sie geöffnet haben. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.
error-bad-request-title = Mit der Anfrage stimmt etwas nicht
error-bad-request-body = Gehen Sie zurück und prüfen Sie Ihre Eingaben.
error-internal-title = Leider gibt es ein Problem mit dem Dienst
error-internal-body = Es wurde nichts geändert. Versuchen Sie es später noch einmal.
error-csrf-title = Ihr Formular ist abgelaufen
error-csrf-body = Zu Ihrer Sicherheit konnte das Formular nicht angenommen werden. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.

# Länder (ISO 3166-1 Alpha-2)
country-AT = Österreich
country-BE = Belgien
country-BG = Bulgarien
country-CY = Zypern
country-CZ = Tschechien
country-DE = Deutschland
country-DK = Dänemark
country-EE = Estland
country-ES = Spanien
country-FI = Finnland
country-FR = Frankreich
country-GB = Vereinigtes Königreich
country-GR = Griechenland
country-HR = Kroatien
country-HU = Ungarn
country-IE = Irland
country-IS = Island
country-IT = Italien
country-LT = Litauen
country-LU = Luxemburg
country-LV = Lettland
country-MT = Malta
country-NL = Niederlande
country-PL = Polen
country-PT = Portugal
country-RO = Rumänien
country-SE = Schweden
country-SI = Slowenien
country-SK = Slowakei

# Diagnose
diagnostic-city-title = Digitale Reife von { $city }
diagnostic-cohort-title = Digitale Reife der Kohorte { $programme }
diagnostic-none = Für diese Stadt liegen Ihnen noch keine Diagnoseergebnisse vor.
diagnostic-sample = Dies sind Beispielergebnisse zum Ausprobieren von Urbis, keine echten Daten.
diagnostic-wave = Erhebungswelle
diagnostic-overall = Gesamt
diagnostic-capability = Fähigkeit
diagnostic-score = Punktzahl (0–100)
diagnostic-level = Stufe (1–5)
diagnostic-cohort-median = Median der Kohorte
diagnostic-spread = Streuung zwischen den Antwortenden
diagnostic-radar-title = Punktzahlen von { $city } nach Fähigkeit, { $wave }
diagnostic-radar-desc = Ein Netzdiagramm der Punktzahl der Stadt für jede der fünf Fähigkeiten, von 0 in der Mitte bis 100 am Rand. Die Tabelle darunter enthält dieselben Werte.
diagnostic-radar-desc-cohort = Ein Netzdiagramm der Punktzahl der Stadt für jede der fünf Fähigkeiten, von 0 in der Mitte bis 100 am Rand, mit dem Median der Kohorte als gestrichelter Linie. Die Tabelle darunter enthält dieselben Werte.
diagnostic-table-hint = Die Tabelle darunter enthält dieselben Werte wie das Diagramm.
diagnostic-scores-caption = Punktzahlen und Stufen, { $wave }
diagnostic-cohort-hidden = Werte der Kohorte werden gezeigt, sobald mindestens 5 Städte ihre Bewertung eingereicht haben.
diagnostic-how-scored = Jede Punktzahl lässt sich aus den Antworten nachrechnen: Die Formeln stehen in der Dokumentation (docs/diagnostic.md).
diagnostic-progress = Entwicklung über die Erhebungswellen
diagnostic-progress-cohort = Median der Kohorte je Erhebungswelle
diagnostic-change = Veränderung seit der ersten Welle
diagnostic-next-level = Der Weg zur nächsten Stufe
diagnostic-from-level = von Stufe { $from } zu Stufe { $to }
diagnostic-heat-title = Punktzahlen nach Stadt und Fähigkeit, { $wave }
diagnostic-heat-desc = Ein Raster mit einer Zeile je Stadt und einer Spalte je Fähigkeit; jede Zelle ist nach der erreichten Stufe eingefärbt und zeigt die Punktzahl. Die Tabelle darunter enthält dieselben Werte.
diagnostic-heat-legend = Dunklere Zellen bedeuten höhere Punktzahlen: Die Farbe zeigt die Stufe, deren Schwelle erreicht ist (25, 50, 75, 100).
diagnostic-cohort-n = { $count ->
    [one] Eine Stadt hat ihre Bewertung in { $wave } eingereicht.
   *[other] { $count } Städte haben ihre Bewertung in { $wave } eingereicht.
}
diagnostic-no-published = Noch keine Stadt hat ihre Ergebnisse für diese Welle veröffentlicht.
diagnostic-distribution = Verteilung in der Kohorte
diagnostic-min = Minimum
diagnostic-q1 = Unteres Quartil
diagnostic-median = Median
diagnostic-q3 = Oberes Quartil
diagnostic-max = Maximum
diagnostic-download-csv = Diese Werte herunterladen (CSV)
diagnostic-link = Diagnose der digitalen Reife
assessment-status-draft = Entwurf
assessment-status-submitted = Eingereicht

# Fragebogen
questionnaire-heading = Die Bewertung Ihrer Stadt
questionnaire-open = Fragebogen für { $wave } öffnen
questionnaire-start = Bewertung beginnen
questionnaire-title = Bewertung der digitalen Reife von { $city }, { $wave }
questionnaire-lead = Beantworten Sie jeden Abschnitt aus Sicht Ihrer Abteilung. Mehrere Kolleginnen und Kollegen können antworten: Urbis führt die Antworten zusammen und zeigt, wo sie auseinandergehen. Ihre Antworten werden abschnittsweise gespeichert, Sie können also jederzeit unterbrechen.
questionnaire-sections = Abschnitte
questionnaire-answered = { $answered } von { $total } beantwortet
questionnaire-check = Antworten prüfen
questionnaire-check-submit = Antworten prüfen und einreichen
questionnaire-read-only = Sie können diese Bewertung lesen, aber nicht beantworten.
questionnaire-back = Zurück zur Bewertung
questionnaire-locked = Diese Bewertung ist eingereicht oder nicht von Ihnen zu beantworten, die Antworten lassen sich hier nicht ändern.
questionnaire-context = Über Ihre Stadt
questionnaire-context-hint = Hintergrund für die Ergebnisse. Diese Antworten werden nicht bewertet.
questionnaire-level = Stufe { $level }
questionnaire-choice-yes = Ja
questionnaire-choice-partial = Teilweise
questionnaire-choice-no = Nein
questionnaire-none-of-these = Nichts davon
questionnaire-not-applicable = Trifft auf unsere Stadt nicht zu
questionnaire-evidence = Nachweis und Kommentar
questionnaire-evidence-label = Nachweis (ein Link oder eine kurze Notiz)
questionnaire-comment-label = Kommentar
questionnaire-save-continue = Speichern und weiter
questionnaire-current-overall = Gesamtpunktzahl nach den bisherigen Antworten: { $score }.
questionnaire-unanswered-required = Noch nicht beantwortet (Pflichtfrage)
questionnaire-not-answered-by-you = Nicht von Ihnen beantwortet
questionnaire-respondents = { $n } Antwort(en) aus Ihrem Team
questionnaire-change-section = Antworten in „{ $section }“ ändern
questionnaire-submit-title = Bewertung einreichen
questionnaire-submit-body = Nach dem Einreichen sind die Antworten gesperrt und die Punktzahlen zählen für die Welle. Das Programmteam kann die Bewertung für Korrekturen wieder öffnen.
questionnaire-submit = Einreichen
questionnaire-missing = Beantworten Sie die Frage: { $question }
error-unknown-instrument = Dieses Instrument gibt es nicht.
error-unknown-wave = Wählen Sie eine Welle aus der Liste.
error-wave-closed = Diese Welle ist abgeschlossen.
error-unknown-question = Diese Frage gibt es in diesem Fragebogen nicht.
error-one-answer = Geben Sie genau eine Antwort.
error-assessment-exists = Für diese Stadt gibt es in dieser Welle schon eine Bewertung.
error-not-draft = Die Bewertung ist eingereicht und kann nicht mehr geändert werden.
error-not-submitted = Nur eine eingereichte Bewertung kann wieder geöffnet werden.
error-not-applicable-not-allowed = „{ $field }“ muss beantwortet werden, „trifft nicht zu“ ist hier nicht möglich.
error-unknown-item = Wählen Sie für „{ $field }“ Einträge aus der Liste.
error-repeated-item = Ein Eintrag wurde für „{ $field }“ doppelt gewählt.
error-wrong-answer-type = Die Antwort passt nicht zur Frage „{ $field }“.
error-none-and-items = Wählen Sie für „{ $field }“ entweder Einträge oder „Nichts davon“, nicht beides.
error-not-a-number = Geben Sie für „{ $field }“ eine Zahl ein.
error-unknown-capability = Diese Fähigkeit gibt es in diesem Fragebogen nicht.
diagnostic-validated = Von Fachleuten geprüft
confidence-high = hohe Sicherheit
confidence-medium = mittlere Sicherheit
confidence-low = geringe Sicherheit

## Peer groups
diagnostic-peer-group = Vergleichen mit
field-region = Region
field-population_band = Einwohnerzahl
diagnostic-any-region = Alle Regionen
diagnostic-any-population = Alle Größen
diagnostic-apply-filter = Anzeigen
diagnostic-wave-frozen = Diese Erhebungswelle ist abgeschlossen: Ihre Werte sind die beim Abschluss eingefrorene Ausgangsbasis.
region-northern-europe = Nordeuropa
region-western-europe = Westeuropa
region-southern-europe = Südeuropa
region-eastern-europe = Osteuropa
region-other = Außerhalb Europas
population-under-500k = Unter 500.000 Einwohnerinnen und Einwohner
population-500k-1m = 500.000 bis 999.999 Einwohnerinnen und Einwohner
population-1m-2500k = 1 bis 2,5 Millionen Einwohnerinnen und Einwohner
population-over-2500k = 2,5 Millionen Einwohnerinnen und Einwohner oder mehr

## Improvement plans, publication, validation, waves
field-title = Titel
field-owner = Verantwortlich
field-due_on = Fällig am
field-slug = Kurzname
field-opens_on = Beginnt am
field-closes_on = Endet am
field-capability = Kompetenzfeld
field-version = Version
plan-status-planned = Geplant
plan-status-in-progress = In Arbeit
plan-status-done = Erledigt
plan-status-dropped = Verworfen
plan-heading = Verbesserungsplan
plan-empty = Der Plan enthält noch keine Maßnahmen. Übernehmen Sie die empfohlenen Maßnahmen, die Sie umsetzen werden, mit Verantwortlichen und Fälligkeitsdatum.
plan-new-title = Maßnahme hinzufügen
plan-edit-title = Maßnahme ändern
plan-edit-item = „{ $title }“ ändern
plan-add-action = „{ $action }“ in den Plan übernehmen
plan-owner-hint = Die verantwortliche Person oder Stelle, zum Beispiel „Chief Digital Officer“.
plan-due-hint = Zum Beispiel 2027-03-31. Leer lassen, wenn es noch kein Datum gibt.
plan-conflict = Jemand anderes hat diese Maßnahme geändert, während Sie sie bearbeitet haben. Ihre Änderungen stehen unten; speichern Sie erneut, um die andere Fassung zu ersetzen.
plan-download-csv = Plan herunterladen (CSV)
publish-is-public = Diese Ergebnisse sind veröffentlicht: Alle können sie sehen, und sie erscheinen in öffentlichen Vergleichen.
publish-is-private = Diese Ergebnisse sind nicht veröffentlicht: Nur das Team der Stadt, die Programmleitung, Fachleute und Begutachtende sehen sie.
publish-do = Ergebnisse veröffentlichen
publish-withdraw = Veröffentlichung zurückziehen
publish-saved = Veröffentlichung aktualisiert
validate-link = Diese Selbstbewertung validieren
waves-title = Erhebungswellen von { $programme }
waves-back = Zurück zur Diagnose der Kohorte
waves-intro = Jede Welle ist eine Runde der Diagnose. Die Städte antworten in einer offenen Welle; der Abschluss einer Welle friert ihre Ergebnisse als Ausgangsbasis ein.
waves-closed-at = Abgeschlossen am { $date }
waves-close = { $wave } abschließen
waves-close-hint = Der Abschluss lässt sich nicht rückgängig machen. Spätere Korrekturen ändern die laufenden Werte einer Bewertung, nicht die eingefrorene Ausgangsbasis.
waves-add = Welle hinzufügen
waves-slug-hint = Wird in Adressen verwendet, zum Beispiel t2: Kleinbuchstaben, Ziffern und Bindestriche.
waves-manage = Erhebungswellen verwalten
validate-title = Validierung: { $city }, { $wave }
validate-intro = Bestätigen oder korrigieren Sie nach Prüfung der Nachweise den selbst ermittelten Wert jedes Kompetenzfelds. Der Wert der Stadt bleibt neben Ihrem stehen.
validate-self = Selbstbewertung: { $score } / 100, Stufe { $level }.
validate-score = Validierter Wert (0 bis 100)
validate-confidence = Ihre Sicherheit
validate-comment = Kommentar für die Stadt
validate-save = Validierung von { $capability } speichern
validate-saved = Validierung gespeichert
