import Testing
import VigilTestSupport

@testable import VigilCore

/// Random expositions, written in each dialect, parse back to exactly the samples written.
@Suite struct ParsingPrometheusRoundTripTests {
  struct Generated {
    var body = ""
    var expected: [PromSample] = []
  }

  static let valueAlphabet: [String] = [
    "a", "Z", "0", " ", "\\", "\"", "\n", "{", "}", ",", "=", "#", "é", "🎉", "\t", "le", "_",
  ]

  static func labelValue(_ rng: inout SplitMix64) -> String {
    (0..<Int(rng.next() % 6)).map { _ in
      valueAlphabet[Int(rng.next() % UInt64(valueAlphabet.count))]
    }
    .joined()
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  static func number(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v == .infinity { return "+Inf" }
    if v == -.infinity { return "-Inf" }
    return v.description
  }

  static func value(_ rng: inout SplitMix64, finite: Bool, nonNegative: Bool) -> Double {
    switch rng.next() % 8 {
    case 0: return Double(rng.next() % 1000)
    case 1: return (rng.unit() - (nonNegative ? 0 : 0.5)) * 1e6
    case 2: return rng.unit() * pow10(Int(rng.next() % 40) - 20)
    case 3 where !finite: return [.nan, .infinity, -.infinity][Int(rng.next() % 3)]
    case 4 where !nonNegative: return -Double(rng.next() % 100)
    default: return Double(rng.next() % 100) / 8
    }
  }

  static func pow10(_ e: Int) -> Double {
    var v = 1.0
    for _ in 0..<abs(e) { v *= 10 }
    return e < 0 ? 1 / v : v
  }

  /// An exposition of gauges, counters, untyped, histograms and summaries with unique series.
  static func generate(_ rng: inout SplitMix64, openMetrics: Bool) -> Generated {
    var g = Generated()
    let sep = { (rng: inout SplitMix64) -> String in
      openMetrics ? " " : [" ", "\t", "  ", " \t "][Int(rng.next() % 4)]
    }
    for f in 0..<(1 + Int(rng.next() % 8)) {
      let family = "fam\(f)_" + ["req", "lat", "x:y", "temp"][Int(rng.next() % 4)]
      let kind = Int(rng.next() % 5)  // 0 gauge, 1 counter, 2 untyped, 3 histogram, 4 summary
      let typeName = [
        "gauge", "counter", openMetrics ? "unknown" : "untyped", "histogram", "summary",
      ][kind]
      if rng.next() % 2 == 0 { g.body += "# HELP \(family) Some \\\\ help.\n" }
      g.body += "# TYPE \(family) \(typeName)\n"
      var seen = Set<LabelSet>()
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        var pairs: [(String, String)] = []
        for l in 0..<Int(rng.next() % 4) {
          pairs.append(("l\(l)_\(rng.next() % 3)", labelValue(&rng)))
        }
        var unique: [(String, String)] = []
        for p in pairs where !unique.contains(where: { $0.0 == p.0 }) { unique.append(p) }
        let set = LabelSet(unique)
        guard seen.insert(set).inserted else { continue }
        let rendered = unique.map { "\($0.0)=\"\(escape($0.1))\"" }
        // OpenMetrics: the samples of one MetricPoint share its timestamp (or have none).
        var pointTime: (text: String, ns: Int64)? = nil
        if openMetrics && rng.next() % 3 == 0 {
          let seconds = Int64(1_500_000_000 + rng.next() % 400_000_000)
          let frac = Int64(rng.next() % 1_000_000_000)
          let digits = String(1_000_000_000 + frac).dropFirst()
          pointTime = (" \(seconds).\(digits)", seconds * Nanos.second + frac)
        }
        func line(_ name: String, _ extra: [(String, String)], _ v: Double, _ rng: inout SplitMix64)
        {
          let labels = rendered + extra.map { "\($0.0)=\"\($0.1)\"" }
          var s = name
          if !labels.isEmpty || rng.next() % 4 == 0 {
            s += "{" + labels.joined(separator: ",") + "}"
          }
          s += sep(&rng) + number(v)
          var ns = testNs
          if let t = pointTime {
            s += t.text
            ns = t.ns
          } else if !openMetrics && rng.next() % 3 == 0 {
            let ms = Int64(1_500_000_000_000 + rng.next() % 400_000_000_000)
            s += sep(&rng) + "\(ms)"
            ns = ms * Nanos.millisecond
          }
          g.body += s + "\n"
          var key = SeriesKey(name, set)
          if !extra.isEmpty {
            key = SeriesKey(name, LabelSet(unique + extra))
          }
          g.expected.append(PromSample(key: key, ns: ns, value: v))
        }
        switch kind {
        case 1:
          line(
            openMetrics ? family + "_total" : family, [],
            value(&rng, finite: openMetrics, nonNegative: true), &rng)
        case 3:
          var c = 0.0
          for le in ["0.005", "0.1", "1", "2.5e1", "+Inf"] where le == "+Inf" || rng.next() % 3 != 0
          {
            c += Double(rng.next() % 20)
            line(family + "_bucket", [("le", le)], c, &rng)
          }
          line(family + "_count", [], c, &rng)
          line(family + "_sum", [], value(&rng, finite: true, nonNegative: true), &rng)
        case 4:
          for q in ["0.5", "0.99"] {
            // OpenMetrics: a quantile's value is never negative ("Summary").
            let v = value(&rng, finite: false, nonNegative: true)
            line(family, [("quantile", q)], openMetrics && v < 0 ? .infinity : v, &rng)
          }
          line(family + "_sum", [], value(&rng, finite: true, nonNegative: true), &rng)
          line(family + "_count", [], Double(rng.next() % 50), &rng)
        default:
          line(family, [], value(&rng, finite: false, nonNegative: false), &rng)
        }
      }
    }
    if openMetrics { g.body += "# EOF\n" }
    return g
  }

  @Test(arguments: [PrometheusParser.Dialect.prometheus, .openMetrics])
  func randomExpositionsRoundTrip(_ dialect: PrometheusParser.Dialect) {
    var rng = SplitMix64(seed: dialect == .prometheus ? 11 : 12)
    for _ in 0..<300 {
      let g = Self.generate(&rng, openMetrics: dialect == .openMetrics)
      let r = raw(g.body, dialect)
      #expect(r.issues.isEmpty, "\(r.issues)\n\(g.body)")
      #expect(r.warnings.isEmpty, "\(r.warnings)")
      #expect(r.samples == g.expected, "\(g.body)")
      // The same body through the stateful parser is accepted as well.
      var h = PromHarness(dialect)
      #expect(h.parse(g.body).issues.isEmpty)
    }
  }
}
