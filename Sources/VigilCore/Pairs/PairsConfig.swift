/// The config file's `pairs:` section (``PairSpec``): a list that replaces the built-in pair
/// (`[]` for none; the bare name `order_confirmation` stands for the built-in one).
///
/// ```yaml
/// pairs:
///   - order_confirmation                 # the built-in pair, kept
///   - name: fulfilment
///     start: {metric: order_event, select: {type: packed}}
///     end: {metric: order_event, select: {type: shipped}}
///     key: order_id
///     timeout: 2h
///     max_open: 50000
///     latency: fulfilment_ms             # defaults: NAME_ms, NAME_open, NAME_timed_out_total
///     open: fulfilment_open
///     timed_out: fulfilment_timed_out_total
/// ```
extension ConfigReader {
  static let pairKeys = "name, start, end, key, timeout, max_open, latency, open, timed_out"

  mutating func pairs(_ node: YAMLNode) -> [PairSpec] {
    guard let items = list(node, "pairs") else { return PairSpec.defaults }
    var out: [PairSpec] = []
    for item in items {
      guard let p = pair(item) else { continue }
      if out.contains(where: { $0.name == p.name }) {
        report(item, "pairs: \"\(Self.shown(p.name))\" is declared twice")
        continue
      }
      out.append(p)
    }
    return out
  }

  private mutating func pair(_ node: YAMLNode) -> PairSpec? {
    if let s = node.scalar {
      if s == PairSpec.orderConfirmation.name { return .orderConfirmation }
      report(
        node,
        "pairs: \"\(Self.shown(s))\" is not a built-in pair (order_confirmation); "
          + "declare it with name, start, end, key")
      return nil
    }
    guard let entries = map(node, else: "each pair must be a mapping (\(Self.pairKeys))")
    else { return nil }
    var f = PairFields()
    for entry in entries {
      readPairField(entry, into: &f)
    }
    guard let name = f.name, let start = f.start, let end = f.end, let key = f.key else {
      let missing = [
        ("name", f.name == nil), ("start", f.start == nil), ("end", f.end == nil),
        ("key", f.key == nil),
      ].filter(\.1).map(\.0)
      if !missing.isEmpty {
        report(node, "pair needs " + missing.joined(separator: ", "))
      }
      return nil
    }
    if start == end {
      report(node, "pair \(Self.shown(name)): start and end select the same events")
      return nil
    }
    return PairSpec(
      name: name, start: start, end: end, key: key, timeout: f.timeout ?? PairSpec.defaultTimeout,
      maxOpen: f.maxOpen ?? PairSpec.defaultMaxOpen, latencyMetric: f.latency,
      openMetric: f.open, timedOutMetric: f.timedOut)
  }

  private struct PairFields {
    var name, key, latency, open, timedOut: String?
    var start, end: SeriesSelector?
    var timeout: Int64?
    var maxOpen: Int?
  }

  private mutating func readPairField(_ entry: YAMLEntry, into f: inout PairFields) {
    let v = entry.value
    let k = entry.key.scalar ?? ""
    switch k {
    case "name": f.name = pairName(v, "pairs.name")
    case "key": f.key = pairName(v, "pairs.key")
    case "latency": f.latency = pairName(v, "pairs.latency")
    case "open": f.open = pairName(v, "pairs.open")
    case "timed_out": f.timedOut = pairName(v, "pairs.timed_out")
    case "start": f.start = selector(v, "pairs.start", inherit: [])
    case "end": f.end = selector(v, "pairs.end", inherit: [])
    case "timeout": f.timeout = duration(v, "pairs.timeout")
    case "max_open":
      f.maxOpen = int(
        v, "pairs.max_open", in: 1...10_000_000,
        else: "pairs.max_open must be a whole number from 1 to 10000000")
    default:
      report(
        entry.key,
        "unknown pair key \"\(Self.shown(key: entry.key))\"; known: \(Self.pairKeys)")
    }
  }

  /// A metric or label name: not empty, no spaces or control bytes.
  private mutating func pairName(_ node: YAMLNode, _ what: String) -> String? {
    guard let s = scalar(node, what) else { return nil }
    if s.isEmpty || s.utf8.contains(where: { $0 <= 0x20 }) {
      report(node, "\(what): \"\(Self.shown(s))\" is not a name")
      return nil
    }
    return s
  }
}
