# Lange Listen, seitenweise gezeigt (Issue 9, Punkt 6).
services-measurements-latest-caption = Die letzten { $shown } Messungen von { $indicator } ({ $unit }), neueste zuerst
services-measurements-all = { $count ->
    [one] Die Messung
   *[other] Alle { $count } Messungen
}
paging-measurements-title = Messungen von { $indicator }
paging-measurements-count = { $count ->
    [one] Eine Messung, neueste zuerst.
   *[other] { $count } Messungen, neueste zuerst.
}
