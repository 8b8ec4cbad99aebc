import VigilCore

/// Row names for series shown together: only what tells them apart.
///
/// The metric shows when the rows are of more than one metric; a label shows when its value
/// (or its absence) is not the same on every row. `primary`, the signal's own label (`service`
/// for API latency), comes first and as its bare value; other labels as `name=value`, so two
/// `payment` rows read `payment status=200` and `payment status=500`, not
/// `api_latency_ms{service="p…` twice. One row alone is named by all its labels (or its
/// metric when it has none). A value with a space, `=` or nothing in it is quoted.
func distinguishingNames(_ keys: [SeriesKey], primary: String? = nil) -> [String] {
  guard keys.count > 1 else {
    return keys.map { key in
      key.labels.isEmpty
        ? key.metric
        : key.labels.labels.map { "\($0.name)=\(quotedValue($0.value))" }.joined(separator: " ")
    }
  }
  let showMetric = Set(keys.map(\.metric)).count > 1
  var names = Set<String>()
  for key in keys { for label in key.labels.labels { names.insert(label.name) } }
  let differing = names.filter { name in Set(keys.map { $0.labels[name] }).count > 1 }
  let order =
    (primary.map { differing.contains($0) ? [$0] : [] } ?? [])
    + differing.filter { $0 != primary }.sorted()
  return keys.map { key in
    var parts: [String] = showMetric ? [key.metric] : []
    for name in order {
      guard let value = key.labels[name] else { continue }
      parts.append(name == primary ? quotedValue(value) : "\(name)=\(quotedValue(value))")
    }
    // Rows that differ only by a missing label: the one without it says so.
    return parts.isEmpty ? "(no \(order.first ?? "labels"))" : parts.joined(separator: " ")
  }
}

private func quotedValue(_ value: String) -> String {
  value.isEmpty || value.contains(where: { $0 == " " || $0 == "=" || $0 == "\"" })
    ? "\"" + escapeLabelValue(value) + "\"" : value
}
