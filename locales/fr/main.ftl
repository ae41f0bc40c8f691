# Textes de l’interface d’Urbis. L’anglais est la langue source. Les fichiers de et fr doivent contenir toutes les clés.

site-name = Urbis
skip-to-content = Aller au contenu principal
nav-label = Navigation principale
nav-home = Accueil
nav-programmes = Programmes
nav-people = Personnes
nav-api = API
nav-sign-in = Se connecter
nav-sign-out = Se déconnecter
nav-signed-in-as = Votre compte ({ $name })
language-nav = Langue
account-nav = Compte
footer-text = Urbis est un logiciel libre pour mener des programmes d’innovation numérique dans les villes.
footer-api = Description de l’API (OpenAPI)
footer-status = État du service

# Général
save = Enregistrer les modifications
yes = Oui
no = Non
optional = (facultatif)
choose = Choisir…
actions = Actions
back-to = Retour à { $name }
previous = Page précédente
next = Page suivante
pagination = Pages
page-of = Page { $page } sur { $pages }

# Accueil
home-title = Programmes d’innovation numérique des villes
home-lead = Urbis accompagne un programme de cohorte consacré à l’innovation numérique des villes, avec les villes et leurs équipes, ce qu’elles apprennent et ce qu’elles réalisent pour leur population.
home-programmes = Programmes
home-what-title = Ce que vous pouvez faire ici
home-what-cohort = Consultez la cohorte de villes de chaque programme sur une carte et dans un tableau.
home-what-people = Trouvez les personnes qui dirigent le travail dans chaque ville, si elles ont accepté de figurer dans la liste.
home-what-open = Utilisez chaque page publique sous forme de données grâce à l’API documentée.

# Programme
programme-caption = Programme
programme-dates = Du { $start } au { $end }
programme-period = Période
programme-announced = Annoncé
programme-cohort = Cohorte
programme-cohort-count = { $participating } villes participantes sur { $total } invitées
programme-cohort-table = Villes de la cohorte
programme-map-title = Carte de la cohorte { $programme }
programme-map-desc = Carte de l’Europe montrant { $total } villes, dont { $participating } ont participé. Le tableau ci-dessous présente les mêmes villes.
programme-map-table-hint = Le tableau ci-dessous contient les mêmes informations que la carte.
programme-capabilities = Cinq capacités de maturité numérique
programme-capabilities-lead = Le diagnostic réalisé au début du programme évalue chaque ville sur ces capacités.
programme-focus-areas = Cinq domaines d’action
programme-focus-areas-lead = Chaque ville transforme un service destiné à la population dans l’un de ces domaines.

capability-digital-vision = Vision numérique
capability-governance = Gouvernance
capability-technology-systems = Développement des systèmes technologiques
capability-user-centric-design = Approches de conception centrée sur l’utilisateur
capability-data-infrastructure = Mise en place d’une infrastructure pour l’utilisation des données

focus-housing = Logement
focus-mobility = Mobilité
focus-health = Santé
focus-education = Éducation
focus-jobs = Emploi

status-participating = Participante
status-invited = Invitée
status-declined = Invitation déclinée

note-bratislava = L’une des premières villes à s’engager. A participé à la conception du programme.
note-helsinki = L’une des premières villes à s’engager. A participé à la conception du programme.
note-london = L’une des premières villes à s’engager. A participé à la conception du programme.
note-reykjavik = Ne faisait pas partie des 28 capitales de l’UE invitées, mais a participé.

# Villes
city-local-time = heure locale { $time }
city-see-programme = Voir le programme
city-team = Équipe
city-team-empty = Aucun membre de l’équipe n’est encore indiqué.
city-edit = Modifier le profil
city-edit-title = Modifier le profil de la ville { $city }
city-description-hint = Quelques phrases sur le travail numérique de la ville, pour les autres villes et le public.
city-website-hint = Le site web de la ville, commençant par https://
city-saved = Le profil a été enregistré.
city-edit-conflict = Une autre personne a enregistré ce profil pendant que vous le modifiiez. Votre texte est conservé ci-dessous. Vérifiez le profil actuel, puis enregistrez à nouveau si vous souhaitez toujours appliquer vos modifications.
city-edit-see-current = Voir le profil actuel (s’ouvre dans un nouvel onglet)

# Équipes et invitations
team-title = Équipe de la ville { $city }
team-manage = Gérer l’équipe
team-members = Membres
team-listed = Visible publiquement
team-unlisted = non visible publiquement
team-remove = Retirer
invitations-title = Invitations
invitations-empty = Il n’y a pas encore d’invitation.
invite-title = Inviter une personne
invite-send = Envoyer l’invitation
invitation-created = Invitation créée
invitation-created-body = Un e-mail va être envoyé à la personne. Voici le lien qui permet d’accepter l’invitation. Il n’est affiché qu’une seule fois. Copiez-le si vous voulez l’envoyer vous-même.
invitation-revoke = Révoquer
invitation-state-pending = En attente
invitation-state-accepted = Acceptée
invitation-state-expired = Expirée
invitation-state-revoked = Révoquée
invitation-title = Invitation à rejoindre l’équipe d’une ville
invitation-lead = Vous avez reçu une invitation à rejoindre l’équipe de la ville { $city } avec le rôle { $role }.
invitation-not-pending = Cette invitation ne peut plus être acceptée. Demandez-en une nouvelle à la personne qui vous l’a envoyée.
invitation-accept = Accepter l’invitation
invitation-other-account = Vous utilisez actuellement un autre compte. Déconnectez-vous, puis ouvrez à nouveau ce lien pour accepter l’invitation destinée à { $email }.
invitation-sign-in-first = Un compte existe déjà pour cette adresse e-mail. Connectez-vous pour accepter l’invitation.
invitation-create-account = Créer votre compte
password-hint = Au moins 12 caractères. Quelques mots sans rapport entre eux forment un mot de passe solide.

mail-invitation-subject = Invitation à rejoindre l’équipe de la ville { $city } dans le programme { $programme }
mail-invitation-body = { $inviter } vous invite à rejoindre l’équipe de la ville { $city } dans le programme { $programme } avec le rôle { $role }. Pour accepter, ouvrez ce lien { $link }

# Rôles
role-admin = Administration
role-programme-manager = Responsable de programme
role-city-lead = Responsable de la ville
role-city-member = Membre de l’équipe municipale
role-expert = Expert
role-reviewer = Évaluation
scope-global = toute l’installation

# Personnes
people-title = Personnes
people-lead = Les personnes qui dirigent et soutiennent le travail dans les villes et qui ont accepté de figurer ici.
people-empty = Personne ne figure encore dans la liste.
people-roles = Rôles

# Connexion et compte
login-title = Se connecter
login-wrong = L’adresse e-mail ou le mot de passe est incorrect.
login-throttled = Trop de tentatives infructueuses. Réessayez dans { $minutes } minutes.
login-no-account = Les comptes sont créés sur invitation. Demandez une invitation à la personne responsable de votre programme ou de votre ville.
account-title = Votre compte
account-roles = Vos rôles
account-no-roles = Vous n’avez encore aucun rôle.
account-profile = Votre profil
account-job-hint = Par exemple, Chief Digital Officer.
account-listed = Me faire figurer dans l’annuaire public des personnes et sur la page de ma ville
account-locale-browser = Selon les préférences de mon navigateur
account-saved = Votre compte a été enregistré.
account-conflict = Votre compte a été modifié ailleurs pendant que vous le modifiiez. Vos saisies sont conservées ci-dessous. Enregistrez à nouveau pour les appliquer.

# Noms des champs
field-city = Ville
field-country = Pays
field-description = Description
field-email = Adresse e-mail
field-expires = Date d’expiration
field-job_title = Fonction
field-locale = Langue de l’interface
field-name = Nom
field-password = Mot de passe
field-password_confirm = Confirmer le mot de passe
field-programme = Programme
field-role = Rôle
field-state = État
field-status = Statut
field-timezone = Fuseau horaire
field-website = Site web
field-invitation = Invitation

# Erreurs
error-summary-title = Il y a un problème
error-required = Renseignez le champ { $field }.
error-invalid-email = Saisissez une adresse e-mail au bon format, par exemple nom@example.org.
error-invalid-slug = Le champ { $field } ne peut contenir que des lettres minuscules, des chiffres et des traits d’union non consécutifs.
error-invalid-country = Le champ { $field } doit contenir un code pays à deux lettres.
error-unknown-region = Choisissez une région dans la liste.
error-unknown-population-band = Choisissez une tranche de population dans la liste.
error-invalid-date = Le champ { $field } doit contenir une date au format 2027-03-31.
error-wave-exists = Le programme a déjà une vague portant ce nom court ; choisissez-en un autre.
error-invalid-plan-status = Choisissez un statut dans la liste.
error-invalid-timezone = Le champ { $field } doit contenir un fuseau horaire comme Europe/Riga.
error-out-of-range = La valeur du champ { $field } est en dehors des limites autorisées.
error-invalid-url = Saisissez une adresse web commençant par https:// ou http://.
error-too-long = Le texte du champ { $field } est trop long.
error-control-characters = Le champ { $field } contient des caractères qui ne peuvent pas être affichés.
error-invalid-choice = Pour le champ { $field }, choisissez une valeur dans la liste.
error-invalid-role = Choisissez un rôle dans la liste.
error-password-too-short = Le mot de passe doit contenir au moins 12 caractères.
error-password-mismatch = Les mots de passe ne correspondent pas.
error-before-start = La date de fin ne peut pas être antérieure à la date de début.
error-already-invited = Cette personne a déjà une invitation en attente pour ce rôle.
error-already-holds-role = Cette personne a déjà ce rôle.
error-not-pending = Cette invitation n’est plus en attente.
error-wrong-account = Cette invitation est destinée à une autre adresse e-mail.
error-account-exists = Un compte existe déjà pour cette adresse e-mail. Connectez-vous pour accepter l’invitation.
error-email-taken = Un compte existe déjà avec cette adresse e-mail.
error-scope-mismatch = Ce rôle ne peut pas être attribué ici.
error-not-in-programme = Cette ville ne fait pas partie du programme.
error-unknown-city = Choisissez une ville dans la liste.
error-invalid-field = La valeur du champ { $field } n’est pas valide.
error-invalid-parameter = La valeur indiquée pour { $field } n’est pas valide.
error-forbidden-title = Vous ne pouvez pas effectuer cette action
error-forbidden-body = Vos rôles ne permettent pas cette action. Si vous pensez que ce devrait être le cas, contactez la personne responsable de votre programme.
error-not-found-title = Page introuvable
error-not-found-body = Si vous avez saisi l’adresse web, vérifiez qu’elle est correcte.
error-conflict-title = Une autre personne a modifié cet élément avant vous
error-conflict-body = Les données ont été modifiées depuis que vous les avez ouvertes. Revenez en arrière, rechargez la page et réessayez.
error-bad-request-title = La demande contient une erreur
error-bad-request-body = Revenez en arrière et vérifiez ce que vous avez saisi.
error-internal-title = Désolé, le service rencontre un problème
error-internal-body = Aucune modification n’a été faite. Réessayez plus tard.
error-csrf-title = Votre formulaire a expiré
error-csrf-body = Pour votre sécurité, le formulaire n’a pas pu être accepté. Revenez en arrière, rechargez la page et réessayez.

# Pays (ISO 3166-1 alpha-2)
country-AT = Autriche
country-BE = Belgique
country-BG = Bulgarie
country-CY = Chypre
country-CZ = Tchéquie
country-DE = Allemagne
country-DK = Danemark
country-EE = Estonie
country-ES = Espagne
country-FI = Finlande
country-FR = France
country-GB = Royaume-Uni
country-GR = Grèce
country-HR = Croatie
country-HU = Hongrie
country-IE = Irlande
country-IS = Islande
country-IT = Italie
country-LT = Lituanie
country-LU = Luxembourg
country-LV = Lettonie
country-MT = Malte
country-NL = Pays-Bas
country-PL = Pologne
country-PT = Portugal
country-RO = Roumanie
country-SE = Suède
country-SI = Slovénie
country-SK = Slovaquie

# Diagnostic
diagnostic-city-title = Maturité numérique de la ville { $city }
diagnostic-cohort-title = Maturité numérique de la cohorte { $programme }
diagnostic-none = Aucun résultat de diagnostic n’est encore disponible pour vous concernant cette ville.
diagnostic-sample = Ce sont des résultats d’exemple pour découvrir Urbis, pas des données réelles.
diagnostic-wave = Vague
diagnostic-overall = Global
diagnostic-capability = Capacité
diagnostic-score = Score (0–100)
diagnostic-level = Niveau (1–5)
diagnostic-cohort-median = Médiane de la cohorte
diagnostic-spread = Écart entre les répondants
diagnostic-radar-title = Scores de { $city } par capacité, { $wave }
diagnostic-radar-desc = Un graphique en radar du score de la ville pour chacune des cinq capacités, de 0 au centre à 100 au bord. Le tableau ci-dessous donne les mêmes valeurs.
diagnostic-radar-desc-cohort = Un graphique en radar du score de la ville pour chacune des cinq capacités, de 0 au centre à 100 au bord, avec la médiane de la cohorte en pointillé. Le tableau ci-dessous donne les mêmes valeurs.
diagnostic-table-hint = Le tableau ci-dessous donne les mêmes valeurs que le graphique.
diagnostic-scores-caption = Scores et niveaux, { $wave }
diagnostic-cohort-hidden = Les valeurs de la cohorte s’affichent dès qu’au moins 5 villes ont soumis leur évaluation.
diagnostic-how-scored = Chaque score peut être recalculé à partir des réponses, les formules figurent dans la documentation (docs/diagnostic.md).
diagnostic-progress = Évolution d’une vague à l’autre
diagnostic-progress-cohort = Médiane de la cohorte par vague
diagnostic-change = Évolution depuis la première vague
diagnostic-next-level = Comment atteindre le niveau suivant
diagnostic-from-level = du niveau { $from } au niveau { $to }
diagnostic-heat-title = Scores par ville et par capacité, { $wave }
diagnostic-heat-desc = Une grille avec une ligne par ville et une colonne par capacité, chaque case est colorée selon le niveau atteint et indique le score. Le tableau ci-dessous donne les mêmes valeurs.
diagnostic-heat-legend = Plus la case est foncée, plus le score est élevé, la couleur indique le seuil de niveau atteint (25, 50, 75, 100).
diagnostic-cohort-n = { $count ->
    [one] Une ville a soumis son évaluation pour { $wave }.
   *[other] { $count } villes ont soumis leur évaluation pour { $wave }.
}
diagnostic-no-published = Aucune ville n’a encore publié ses résultats pour cette vague.
diagnostic-distribution = Répartition dans la cohorte
diagnostic-min = Minimum
diagnostic-q1 = Premier quartile
diagnostic-median = Médiane
diagnostic-q3 = Troisième quartile
diagnostic-max = Maximum
diagnostic-download-csv = Télécharger ces valeurs (CSV)
diagnostic-link = Diagnostic de maturité numérique
assessment-status-draft = Brouillon
assessment-status-submitted = Soumise

# Questionnaire
questionnaire-heading = L’évaluation de votre ville
questionnaire-open = Ouvrir le questionnaire pour { $wave }
questionnaire-start = Commencer l’évaluation
questionnaire-title = Évaluation de la maturité numérique de la ville { $city }, { $wave }
questionnaire-lead = Répondez à chaque section du point de vue de votre service. Plusieurs collègues peuvent répondre, Urbis rassemble les réponses et montre où elles divergent. Vos réponses sont enregistrées section par section, vous pouvez donc vous arrêter et revenir plus tard.
questionnaire-sections = Sections
questionnaire-answered = { $answered } sur { $total } renseignées
questionnaire-check = Vérifier les réponses
questionnaire-check-submit = Vérifier les réponses et soumettre
questionnaire-read-only = Vous pouvez consulter cette évaluation mais pas y répondre.
questionnaire-back = Retour à l’évaluation
questionnaire-locked = Cette évaluation est soumise ou ne vous revient pas, les réponses ne peuvent pas être modifiées ici.
questionnaire-context = À propos de votre ville
questionnaire-context-hint = Contexte pour les résultats. Ces réponses ne sont pas notées.
questionnaire-level = Niveau { $level }
questionnaire-choice-yes = Oui
questionnaire-choice-partial = En partie
questionnaire-choice-no = Non
questionnaire-none-of-these = Aucun de ces éléments
questionnaire-not-applicable = Sans objet pour notre ville
questionnaire-evidence = Justificatif et commentaire
questionnaire-evidence-label = Justificatif (un lien ou une courte note)
questionnaire-comment-label = Commentaire
questionnaire-save-continue = Enregistrer et continuer
questionnaire-current-overall = Score global selon les réponses à ce stade { $score }.
questionnaire-unanswered-required = Pas encore renseignée (obligatoire)
questionnaire-not-answered-by-you = Vous n’avez pas répondu
questionnaire-respondents = { $n } réponse(s) de votre équipe
questionnaire-change-section = Modifier les réponses de la section { $section }
questionnaire-submit-title = Soumettre l’évaluation
questionnaire-submit-body = Une fois soumises, les réponses sont verrouillées et les scores comptent pour la vague. L’équipe du programme peut rouvrir l’évaluation si une correction est nécessaire.
questionnaire-submit = Soumettre
questionnaire-missing = Répondez à la question { $question }
error-unknown-instrument = Cet instrument n’existe pas.
error-unknown-wave = Choisissez une vague dans la liste.
error-wave-closed = Cette vague est close.
error-unknown-question = Cette question n’existe pas dans ce questionnaire.
error-one-answer = Donnez exactement une réponse.
error-assessment-exists = Cette ville a déjà une évaluation pour cette vague.
error-not-draft = L’évaluation est soumise et ne peut plus être modifiée.
error-not-submitted = Seule une évaluation soumise peut être rouverte.
error-not-applicable-not-allowed = La question « { $field } » doit être renseignée, « sans objet » n’est pas possible ici.
error-unknown-item = Choisissez des éléments de la liste pour « { $field } ».
error-repeated-item = Un élément a été choisi deux fois pour « { $field } ».
error-wrong-answer-type = La réponse ne correspond pas à la question « { $field } ».
error-none-and-items = Pour « { $field } », choisissez des éléments ou « Aucun de ces éléments », pas les deux.
error-not-a-number = Saisissez un nombre pour « { $field } ».
error-unknown-capability = Cette capacité n’existe pas dans ce questionnaire.
diagnostic-validated = Validé par un expert
confidence-high = confiance élevée
confidence-medium = confiance moyenne
confidence-low = confiance faible

## Peer groups
diagnostic-peer-group = Comparer avec
field-region = Région
field-population_band = Population
diagnostic-any-region = Toutes les régions
diagnostic-any-population = Toutes les tailles
diagnostic-apply-filter = Afficher
diagnostic-wave-frozen = Cette vague est close : ses chiffres sont la référence figée à sa clôture.
region-northern-europe = Europe du Nord
region-western-europe = Europe de l’Ouest
region-southern-europe = Europe du Sud
region-eastern-europe = Europe de l’Est
region-other = Hors d’Europe
population-under-500k = Moins de 500 000 habitants
population-500k-1m = De 500 000 à 999 999 habitants
population-1m-2500k = De 1 à 2,5 millions d’habitants
population-over-2500k = 2,5 millions d’habitants ou plus

## Improvement plans, publication, validation, waves
field-title = Titre
field-owner = Responsable
field-due_on = Échéance
field-slug = Nom court
field-opens_on = Ouverture
field-closes_on = Clôture
field-capability = Capacité
field-version = Version
plan-status-planned = Prévue
plan-status-in-progress = En cours
plan-status-done = Terminée
plan-status-dropped = Abandonnée
plan-heading = Plan d’amélioration
plan-empty = Le plan ne contient encore aucune action. Ajoutez les actions recommandées que vous mènerez, avec un responsable et une échéance.
plan-new-title = Ajouter une action au plan
plan-edit-title = Modifier une action du plan
plan-edit-item = Modifier « { $title } »
plan-add-action = Ajouter « { $action } » au plan
plan-owner-hint = La personne ou l’équipe responsable, par exemple « Chief Digital Officer ».
plan-due-hint = Par exemple 2027-03-31. Laissez vide s’il n’y a pas encore de date.
plan-conflict = Quelqu’un d’autre a modifié cette action pendant que vous la modifiiez. Vos modifications figurent ci-dessous ; enregistrez à nouveau pour remplacer les siennes.
plan-download-csv = Télécharger le plan (CSV)
publish-is-public = Ces résultats sont publiés : tout le monde peut les voir et ils figurent dans les comparaisons publiques.
publish-is-private = Ces résultats ne sont pas publiés : seuls l’équipe de la ville, l’équipe du programme, les experts et les relecteurs les voient.
publish-do = Publier les résultats
publish-withdraw = Retirer la publication
publish-saved = Publication mise à jour
validate-link = Valider cette auto-évaluation
waves-title = Vagues du diagnostic de { $programme }
waves-back = Retour au diagnostic de la cohorte
waves-intro = Chaque vague est une campagne du diagnostic. Les villes répondent pendant qu’une vague est ouverte ; la clôture d’une vague fige ses résultats comme référence.
waves-closed-at = Close le { $date }
waves-close = Clore { $wave }
waves-close-hint = La clôture est définitive. Les corrections ultérieures d’une évaluation modifient ses chiffres courants, pas la référence figée.
waves-add = Ajouter une vague
waves-slug-hint = Utilisé dans les adresses, par exemple t2 : lettres minuscules, chiffres et traits d’union.
waves-manage = Gérer les vagues
validate-title = Valider { $city }, { $wave }
validate-intro = Confirmez ou ajustez le score auto-évalué de chaque capacité après examen des justificatifs. Le chiffre de la ville reste affiché à côté du vôtre.
validate-self = Auto-évaluation : { $score } / 100, niveau { $level }.
validate-score = Score validé (de 0 à 100)
validate-confidence = Votre degré de confiance
validate-comment = Commentaire pour la ville
validate-save = Enregistrer la validation de { $capability }
validate-saved = Validation enregistrée
