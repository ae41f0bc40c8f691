# Long lists shown a page at a time (issue 9, item 6).
services-measurements-latest-caption = The latest { $shown } measurements of { $indicator } ({ $unit }), newest first
services-measurements-all = { $count ->
    [one] The measurement
   *[other] All { $count } measurements
}
paging-measurements-title = Measurements of { $indicator }
paging-measurements-count = { $count ->
    [one] One measurement, newest first.
   *[other] { $count } measurements, newest first.
}
