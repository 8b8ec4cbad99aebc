/// The config file's `series:` and `drop_labels:` sections (``SeriesLimits``).
///
/// ```yaml
/// series:
///   max: 2000            # every series together
///   per_metric: 500      # the series of one metric name
///   signal_reserve: 500  # part of max only the signals' metrics may use
///   fold_after: 100      # a label with this many values in one metric is folded (0: never)
/// drop_labels:
///   order_placed: [order_id]
/// ```
extension ConfigReader {
  /// The keys of `series:`.
  static let seriesKeys = "max, per_metric, signal_reserve, fold_after"

  mutating func seriesLimits(_ node: YAMLNode, into limits: inout SeriesLimits) {
    guard let entries = map(node, else: "series must map \(Self.seriesKeys) to numbers") else {
      return
    }
    for entry in entries {
      let key = entry.key.scalar ?? ""
      let v = entry.value
      func count(_ lowest: Int) -> Int? {
        int(
          v, "series.\(key)", in: lowest...1_000_000,
          else: "series.\(key) must be a whole number from \(lowest) to 1000000")
      }
      switch key {
      case "max": if let n = count(1) { limits.maxSeries = n }
      case "per_metric": if let n = count(1) { limits.perMetric = n }
      case "signal_reserve": if let n = count(0) { limits.signalReserve = n }
      case "fold_after": if let n = count(0) { limits.foldAfter = n }
      default:
        report(
          entry.key,
          "unknown series key \"\(Self.shown(key: entry.key))\"; known: \(Self.seriesKeys)")
      }
    }
    if limits.signalReserve > limits.maxSeries, let reserve = node["signal_reserve"] {
      report(
        reserve,
        "series.signal_reserve (\(limits.signalReserve)) must not be more than series.max "
          + "(\(limits.maxSeries))")
    }
  }

  /// `drop_labels: {metric: [label, ...]}` (a single label may be given without a list).
  mutating func dropLabels(_ node: YAMLNode, into drops: inout [String: [String]]) {
    guard let entries = map(node, else: "drop_labels must map metric names to lists of labels")
    else { return }
    for entry in entries {
      guard let metric = scalar(entry.key, "drop_labels: a metric name") else { continue }
      let items = entry.value.list ?? [entry.value]
      var labels: [String] = []
      for item in items {
        guard let label = scalar(item, "drop_labels.\(Self.shown(metric))") else { continue }
        if label.isEmpty || label.utf8.contains(where: { $0 <= 0x20 }) {
          report(
            item, "drop_labels.\(Self.shown(metric)): \"\(Self.shown(label))\" is not a label name")
          continue
        }
        if !labels.contains(label) { labels.append(label) }
      }
      drops[metric, default: []].append(contentsOf: labels)
    }
  }
}
