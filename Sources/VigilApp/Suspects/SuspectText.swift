import VigilCore

/// How a suspect reads on screen and in reports: its change (`x7.1 p99`, `↓ x0.2 rate`), its
/// onset (`since 10:22:40, 1m50s before the alert`), its values in the series' unit.
public enum SuspectText {
  /// A multiple: `x7.1`, `x12`, `x0.2`, `x0.05`.
  public static func multiple(_ v: Double) -> String {
    guard v.isFinite else { return "x" + Format.value(v) }
    if v >= 100 { return "x" + Format.count(v) }
    if v >= 10 { return "x" + Format.fixed(v, 0) }
    if v >= 0.1 { return "x" + Format.fixed(v, 1) }
    return "x" + Format.fixed(v, 2)
  }

  /// The direction and size of the change with what was compared: `x7.1 p99`; a drop
  /// `↓ x0.2 rate` (`v x0.2 rate` in ASCII); from a zero median `↑ from 0 p99`.
  public static func change(_ s: Suspect, unicode: Bool = true) -> String {
    let measure = printableExcerpt(s.measure, limit: 16)
    guard let c = s.change else {
      return (unicode ? "↑" : "^") + " from 0 " + measure
    }
    let down = c < 1 ? (unicode ? "↓ " : "v ") : ""
    return down + multiple(c) + " " + measure
  }

  /// When the suspect started to move, against the ranking's time: `since 10:22:40, 1m50s
  /// before the alert` (an alert's ranking) or `since 10:22:40, 4m ago` (on demand).
  public static func onset(_ s: Suspect, in ranking: SuspectRanking) -> String {
    guard let onset = s.onset else { return "onset unknown" }
    let d = ranking.t.since(onset)
    let clock = "since " + CivilTime(onset).clock
    let span = shortDuration(abs(d))
    if ranking.alert != nil {
      if d == 0 { return clock + ", as the alert fired" }
      return clock + ", " + span + (d > 0 ? " before the alert" : " after the alert")
    }
    return clock + ", " + (d >= 0 ? span + " ago" : "in " + span)
  }

  /// The onset relative to the ranking, signed and short: `-1m50s`, `+20s`, `0s` (reports'
  /// timeline); nil when unknown.
  public static func offset(_ s: Suspect, in ranking: SuspectRanking) -> String? {
    guard let onset = s.onset else { return nil }
    let d = onset.since(ranking.t)
    return (d < 0 ? "-" : d > 0 ? "+" : "") + shortDuration(abs(d))
  }

  /// The series key, safe to print (control bytes escaped, bounded).
  public static func series(_ s: Suspect) -> String { printableExcerpt(s.series, limit: 200) }

  /// The component, safe to print.
  public static func component(_ s: Suspect) -> String {
    printableExcerpt(s.component, limit: 40)
  }

  /// How a value of this suspect prints: milliseconds for latencies, percent for ratios.
  public static func unit(_ s: Suspect) -> ValueUnit {
    if s.measure == "ratio" || s.series.contains("/") { return .ratio }
    if s.measure == "rate" || s.measure == "count" || s.measure == "sum" { return .plain }
    let metric = s.series.prefix { $0 != "{" && $0 != "/" }
    let latency = metric.hasSuffix("_ms") || metric.contains("latency") || metric.contains("delay")
    return latency ? .milliseconds : .plain
  }

  /// The baseline band, `median ± scale`, in the series' unit: `300ms ± 42ms`.
  public static func band(_ s: Suspect, unicode: Bool = true) -> String {
    let u = unit(s)
    return u.format(s.baseline.median) + (unicode ? " ± " : " +/- ") + u.format(s.baseline.scale)
  }
}
