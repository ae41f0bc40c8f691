# Longues listes affichées page par page (ticket 9, point 6).
services-measurements-latest-caption = Les { $shown } dernières mesures de { $indicator } ({ $unit }), les plus récentes d'abord
services-measurements-all = { $count ->
    [one] La mesure
   *[other] Les { $count } mesures
}
paging-measurements-title = Mesures de { $indicator }
paging-measurements-count = { $count ->
    [one] Une mesure, la plus récente d'abord.
   *[other] { $count } mesures, les plus récentes d'abord.
}
