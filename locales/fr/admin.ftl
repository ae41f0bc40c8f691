# Administration des personnes (admins) : tous les comptes, désactiver et réactiver une personne.
admin-people-nav = Comptes des personnes
admin-people-title = Comptes des personnes
admin-people-lead = Tous les comptes de cette installation, actifs ou désactivés. Une personne désactivée ne peut plus se connecter et est déconnectée partout immédiatement.
admin-people-search = Nom ou adresse e-mail
admin-people-search-hint = Une partie du nom ou de l'adresse suffit.
admin-people-search-button = Rechercher
admin-people-count = { $count ->
    [one] Un compte.
   *[other] { $count } comptes.
}
admin-people-status = Statut
admin-people-active = Actif
admin-people-inactive = Désactivé
admin-people-since = depuis le { $date }
admin-people-you = C'est vous
admin-people-deactivate = Désactiver
admin-people-reactivate = Réactiver
admin-people-empty = Aucun compte ne correspond.
admin-people-back = Retour aux comptes des personnes
admin-people-deactivated = { $name } a été désactivé·e et déconnecté·e partout.
admin-people-reactivated = { $name } a été réactivé·e et devra se reconnecter.
admin-deactivate-title = Désactiver cette personne ?
admin-deactivate-explain = Elle ne pourra plus se connecter, et toutes ses sessions et tous ses jetons d'API prennent fin immédiatement. Ses rôles, les invitations qu'elle a envoyées et ce qu'elle a saisi sont conservés.
admin-deactivate-warning = Les sessions et jetons qui prennent fin maintenant ne reviennent pas, même si vous la réactivez plus tard.
admin-deactivate-confirm = Oui, désactiver
admin-reactivate-title = Réactiver cette personne ?
admin-reactivate-explain = Elle pourra de nouveau se connecter avec son mot de passe, avec les rôles qu'elle détient. Ses anciennes sessions et ses anciens jetons d'API ne reviennent pas.
admin-reactivate-confirm = Oui, réactiver
admin-person-cancel = Non, revenir
admin-person-conflict = Quelqu'un a modifié ce compte depuis que vous avez ouvert la page. Vérifiez son état actuel, puis confirmez de nouveau.
field-person = Personne
error-cannot-deactivate-self = Vous ne pouvez pas vous désactiver vous-même : un autre admin doit le faire, afin que cette installation garde toujours un admin.
error-already-deactivated = Cette personne est déjà désactivée.
error-already-active = Cette personne est déjà active.
