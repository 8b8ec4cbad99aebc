import Synchronization

/// A comparison operator of a threshold rule.
public enum AlertOp: String, Sendable, CaseIterable {
  case greater = ">"
  case greaterOrEqual = ">="
  case less = "<"
  case lessOrEqual = "<="
  case equal = "=="
  case notEqual = "!="

  /// Applies the operator to a three-way comparison result (`value` vs `threshold`).
  public func holds(_ order: Int) -> Bool {
    switch self {
    case .greater: order > 0
    case .greaterOrEqual: order >= 0
    case .less: order < 0
    case .lessOrEqual: order <= 0
    case .equal: order == 0
    case .notEqual: order != 0
    }
  }

  /// True for `>` and `>=` (a clear threshold must lie below the threshold).
  public var isUpward: Bool { self == .greater || self == .greaterOrEqual }
  /// True for `<` and `<=` (a clear threshold must lie above the threshold).
  public var isDownward: Bool { self == .less || self == .lessOrEqual }
}

/// One label matcher of a rule's selector: `=`, `!=`, `=~` or `!~`. As in Prometheus, a missing
/// label has the value "" for matching, and a regular expression must match the whole value
/// (it is anchored at both ends).
public struct LabelMatcher: Hashable, Sendable {
  public var name: String
  /// The value, or the pattern of a regular-expression matcher.
  public var value: String
  public var negated: Bool
  /// The compiled pattern of `=~`/`!~`, with the answers it gave so far (label values are few).
  private let regex: RegexMatcher?

  public init(_ name: String, _ value: String, negated: Bool = false) {
    self.name = name
    self.value = value
    self.negated = negated
    regex = nil
  }

  /// A regular-expression matcher (`=~`, or `!~` when `negated`); throws when the pattern does
  /// not compile.
  public init(_ name: String, matching pattern: String, negated: Bool = false) throws {
    self.name = name
    value = pattern
    self.negated = negated
    regex = try RegexMatcher(pattern)
  }

  /// True for `=~` and `!~`.
  public var isRegex: Bool { regex != nil }

  /// What a `select:` entry may be, for messages.
  public static let selectShapes = "a value, {not: value}, {match: regex} or {not_match: regex}"

  /// Why a `select:` entry was refused: its shape (reported at the entry) or its regular
  /// expression (reported at the pattern).
  public enum SelectProblem: Error, Sendable, Equatable {
    case shape(String)
    case regex(String)
  }

  /// One entry of a `select:` map, as the rules and layout files write it: `name: value` (`=`),
  /// or `name: {op: arg}` with `not` (`!=`), `match` (`=~`) or `not_match` (`!~`). The loaders
  /// read their own YAML trees and pass the scalars: `value` for the first form, `op` and `arg`
  /// for the second (nil where the entry has none).
  public static func select(_ name: String, value: String?, op: String?, arg: String?)
    -> Result<LabelMatcher, SelectProblem>
  {
    let shown = printableExcerpt(name, limit: 40)
    if let value { return .success(LabelMatcher(name, value)) }
    guard let op, let arg, ["not", "match", "not_match"].contains(op) else {
      return .failure(.shape("select.\(shown) must be \(selectShapes)"))
    }
    if op == "not" { return .success(LabelMatcher(name, arg, negated: true)) }
    do {
      return .success(try LabelMatcher(name, matching: arg, negated: op == "not_match"))
    } catch {
      return .failure(
        .regex(
          "select.\(shown): invalid regular expression \"\(printableExcerpt(arg, limit: 40))\": "
            + "\(error)"))
    }
  }

  public func matches(_ labels: LabelSet) -> Bool {
    let v = labels[name] ?? ""
    let hit = regex.map { $0.matches(v) } ?? (v == value)
    return hit != negated
  }

  public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
    a.name == b.name && a.value == b.value && a.negated == b.negated && a.isRegex == b.isRegex
  }

  public func hash(into h: inout Hasher) {
    h.combine(name)
    h.combine(value)
    h.combine(negated)
    h.combine(isRegex)
  }
}

/// A whole-value regular expression with a bounded memo of its answers (evaluation asks about
/// the same few label values at every tick).
/// (`Regex` is not `Sendable`, so it lives inside the lock with the memo.)
final class RegexMatcher: Sendable {
  private struct Guarded {
    let regex: Regex<AnyRegexOutput>
    var memo: [String: Bool] = [:]
  }
  private let guarded: Mutex<Guarded>
  private static let memoLimit = 4096

  init(_ pattern: String) throws { guarded = Mutex(Guarded(regex: try Regex(pattern))) }

  func matches(_ value: String) -> Bool {
    guarded.withLock { g in
      if let known = g.memo[value] { return known }
      let hit = (try? g.regex.wholeMatch(in: value)) != nil
      if g.memo.count >= Self.memoLimit { g.memo.removeAll(keepingCapacity: true) }
      g.memo[value] = hit
      return hit
    }
  }
}

/// A metric plus its label matchers.
public struct SeriesSelector: Hashable, Sendable {
  public var metric: String
  public var matchers: [LabelMatcher]
  public init(metric: String, matchers: [LabelMatcher] = []) {
    self.metric = metric
    self.matchers = matchers
  }
}

/// What a data source computes for one series over one window.
public enum SeriesMeasure: String, Hashable, Sendable, CaseIterable {
  case p50, p90, p95, p99, p999, max, min, mean, last, count
  /// Σ values / window seconds (for counters whose samples carry counts).
  case rate
  /// Σ values over the window (the increase of a counter, without extrapolation).
  case sum

  /// The quantile this measure reads, if it is one.
  public var quantile: Double? {
    switch self {
    case .p50: 0.5
    case .p90: 0.9
    case .p95: 0.95
    case .p99: 0.99
    case .p999: 0.999
    default: nil
    }
  }
}

/// What a rule computes per tick.
public enum AlertAggregate: Hashable, Sendable {
  /// One instance per matching series, value = the measure over the window.
  case series(SeriesMeasure)
  /// `Σnum / Σden` over the window, grouped by the rule's `by` labels; compared exactly.
  case ratio(num: SeriesSelector, den: SeriesSelector)
  /// Multiwindow, multi-burn-rate SLO alert (SEMANTICS §5).
  case burnRate(SLOSpec)
}

/// An SLO: `objective` (e.g. 999/1000) over `period`, with the series that count good (or bad)
/// events and all events.
public struct SLOSpec: Hashable, Sendable {
  public enum Events: Hashable, Sendable {
    case good(SeriesSelector)
    case bad(SeriesSelector)
  }
  public var objective: Rational
  public var period: Int64
  public var events: Events
  public var total: SeriesSelector
  public var windows: [BurnWindow]

  public init(
    objective: Rational, period: Int64 = 30 * Nanos.day, events: Events, total: SeriesSelector,
    windows: [BurnWindow] = BurnWindow.defaults
  ) {
    self.objective = objective
    self.period = period
    self.events = events
    self.total = total
    self.windows = windows
  }

  /// The error budget `1 − objective`.
  public var budget: Rational { objective.complementOfOne ?? .zero }
}

/// One window pair of a burn-rate rule: both windows must burn faster than `factor`.
public struct BurnWindow: Hashable, Sendable {
  public var long: Int64
  public var short: Int64
  public var factor: Rational
  /// The `severity` label of the instance this pair feeds; nil = the rule's own severity.
  public var severity: String?

  public init(long: Int64, short: Int64, factor: Rational, severity: String? = nil) {
    self.long = long
    self.short = short
    self.factor = factor
    self.severity = severity
  }

  /// The share of the error budget of `period` this pair spends before it fires:
  /// `factor × long / period` (2 % for 1h at 14.4 over 30 days, C5).
  public func budgetConsumed(period: Int64) -> Rational? {
    guard long >= 0, period > 0, let share = Rational(UInt64(long), UInt64(period)) else {
      return nil
    }
    return factor.multiplied(by: share)
  }

  /// Days until a whole budget of `period` is spent at burn rate `factor`: `period / factor`.
  public static func exhaustionDays(period: Int64, factor: Rational) -> Rational? {
    guard period > 0, factor.num > 0, let days = Rational(UInt64(period), UInt64(Nanos.day)),
      let inverse = Rational(factor.den, factor.num)
    else { return nil }
    return days.multiplied(by: inverse)
  }

  /// SRE Workbook ch. 5 for a 30-day SLO: 1h/5m at 14.4 and 6h/30m at 6 page, 3d/6h at 1 tickets.
  public static let defaults: [BurnWindow] = [
    BurnWindow(
      long: Nanos.hour, short: 5 * Nanos.minute, factor: Rational(72, 5) ?? .one,
      severity: "page"),
    BurnWindow(
      long: 6 * Nanos.hour, short: 30 * Nanos.minute, factor: Rational(6),
      severity: "page"),
    BurnWindow(
      long: 3 * Nanos.day, short: 6 * Nanos.hour, factor: Rational(1),
      severity: "ticket"),
  ]
}

/// What a rule does when its data is missing (`no_data_state`) or its evaluation fails
/// (`error_state`), SEMANTICS §3.3 step 2.
public enum FallbackState: String, Sendable, CaseIterable {
  /// Leave the instances as they are; for no data, raise `FeedStale{feed}`; for errors, mark the
  /// rule's health Error. (`nodata` / `error` in the file.)
  case hold
  /// The condition counts as true.
  case alerting
  /// The condition counts as false.
  case ok
  /// Keep each instance's state, but let Pending still reach Firing after `for`.
  case keepLast = "keep_last"
}

/// One alerting rule.
public struct AlertRule: Hashable, Sendable {
  public var name: String
  /// The feed this rule reads (`source: feed:checkout`); names its `FeedStale` instance. Nil:
  /// the rule's metric names it.
  public var source: String?
  /// The metric and matchers (for `.series`); for ratios and burn rates, the matchers also apply
  /// to the `num`/`den` (or good/bad/total) series when those give none of their own.
  public var selector: SeriesSelector
  public var aggregate: AlertAggregate
  /// Labels that group a ratio's series into instances (`by: [pair]`); empty = one instance.
  public var by: [String]
  public var window: Int64
  public var op: AlertOp
  public var threshold: Rational
  /// The fixed line the rule compares with; nil for a baseline rule, whose line moves with the
  /// series' own median (nothing to draw on a chart).
  public var fixedThreshold: Rational? { baseline == nil ? threshold : nil }
  public var clearThreshold: Rational?
  public var forDuration: Int64
  public var keepFiringFor: Int64
  public var noDataAfter: Int64
  public var noDataState: FallbackState
  public var errorState: FallbackState
  public var missingSeriesEvals: Int
  /// Static labels added to every instance (they win over series labels); `severity` lives here.
  public var labels: LabelSet
  public var annotations: [String: String]
  /// Whether a sample exactly `window` old still counts (`window_start: inclusive`, Prometheus's
  /// lookback `[t − 5m, t]`); only with `aggregate: last`. Default exclusive: `(t − W, t]`.
  public var windowStart: WindowStart = .exclusive
  /// What a series with no sample in the window means (`absent:`): Vigil's missing-series and
  /// no-data handling, or a false condition as in Prometheus.
  public var absent: AbsentSeries = .missing
  /// Labels and annotations as Prometheus templates (rules from a Prometheus rules file); nil:
  /// Vigil's own `{{ $value }}` / `{{ $labels.NAME }}` replacement in annotations.
  public var templates: RuleTemplates?
  /// Compare with the series' own baseline (`baseline:`) instead of `threshold`; see
  /// ``BaselineSpec``.
  public var baseline: BaselineSpec?

  public init(
    name: String, source: String? = nil, selector: SeriesSelector,
    aggregate: AlertAggregate = .series(.last), by: [String] = [], window: Int64 = 5 * Nanos.minute,
    op: AlertOp = .greater, threshold: Rational = .zero, clearThreshold: Rational? = nil,
    forDuration: Int64 = 0, keepFiringFor: Int64 = 0, noDataAfter: Int64 = 5 * Nanos.minute,
    noDataState: FallbackState = .hold, errorState: FallbackState = .hold,
    missingSeriesEvals: Int = 2, labels: LabelSet = .empty, annotations: [String: String] = [:]
  ) {
    self.name = name
    self.source = source
    self.selector = selector
    self.aggregate = aggregate
    self.by = by
    self.window = window
    self.op = op
    self.threshold = threshold
    self.clearThreshold = clearThreshold
    self.forDuration = forDuration
    self.keepFiringFor = keepFiringFor
    self.noDataAfter = noDataAfter
    self.noDataState = noDataState
    self.errorState = errorState
    self.missingSeriesEvals = missingSeriesEvals
    self.labels = labels
    self.annotations = annotations
  }

  /// The `feed` label of this rule's `FeedStale` instance.
  public var feedKey: String { source ?? selector.metric }

  /// The metrics the rule reads: its own, a ratio's two, an SLO's events and total.
  public var readMetrics: [String] {
    switch aggregate {
    case .series: [selector.metric]
    case .ratio(let num, let den): [num.metric, den.metric]
    case .burnRate(let slo):
      switch slo.events {
      case .good(let s), .bad(let s): [s.metric, slo.total.metric]
      }
    }
  }

  /// Some metric the rule reads has had a series (with any labels) in `data`.
  func hasSeries(in data: some AlertDataSource) -> Bool {
    readMetrics.contains { !data.series(SeriesSelector(metric: $0)).isEmpty }
  }

  /// The rule's `severity` label, if any.
  public var severity: String? { labels["severity"] }

  /// Why `clear_threshold` is on the wrong side of `threshold` (or not allowed), else nil.
  public var clearThresholdProblem: String? {
    guard let clear = clearThreshold else { return nil }
    if op.isUpward && !(clear < threshold) {
      return "clear_threshold \(clear) must be below threshold \(threshold) for \"\(op.rawValue)\""
    }
    if op.isDownward && !(threshold < clear) {
      return "clear_threshold \(clear) must be above threshold \(threshold) for \"\(op.rawValue)\""
    }
    if !op.isUpward && !op.isDownward {
      return "clear_threshold needs op >, >=, < or <=, not \"\(op.rawValue)\""
    }
    return nil
  }

  /// Expands `{{ $value }}` and `{{ $labels.NAME }}` in an annotation (a Prometheus rule's
  /// template as Prometheus would, over its series' labels).
  public func annotation(_ key: String, labels: LabelSet, value: Double?) -> String? {
    if let templates, let t = templates.annotations.first(where: { $0.name == key }) {
      return t.template.expand(labels: labels, value: value ?? 0)
    }
    guard var text = annotations[key] else { return nil }
    text = text.replacing("{{ $value }}", with: value.map(annotationNumber) ?? "")
    text = text.replacing("{{$value}}", with: value.map(annotationNumber) ?? "")
    for l in labels.labels {
      text = text.replacing("{{ $labels.\(l.name) }}", with: l.value)
      text = text.replacing("{{$labels.\(l.name)}}", with: l.value)
    }
    return text
  }
}

/// Whether the sample exactly one window old is inside the window.
public enum WindowStart: String, Sendable, CaseIterable {
  /// `(t − W, t]`: Vigil's windows.
  case exclusive
  /// `[t − W, t]`: Prometheus's instant-vector lookback (2.x).
  case inclusive
}

/// What a series with no sample in a rule's window means.
public enum AbsentSeries: String, Sendable, CaseIterable {
  /// The series is missing: after `missing_series_evals` ticks its instance resolves (skipping
  /// `keep_firing_for`); no series at all is NoData (`no_data_state`, `FeedStale`).
  case missing
  /// The condition is false for it, as in Prometheus (an absent series is not in the result):
  /// Pending ends, Firing resolves after `keep_firing_for`; never NoData.
  case conditionFalse = "false"
}

/// Where a rule set's first evaluation tick falls.
public enum FirstEvaluation: String, Sendable, CaseIterable {
  /// One interval after the first boundary at or after the first sample (every feed has had an
  /// interval to show up before an empty signal counts as a stale feed).
  case oneIntervalLater = "one_interval_later"
  /// The first boundary at or after the first sample, as `promtool test rules` (which
  /// evaluates at 0, interval, 2·interval, ... from the series' start).
  case firstSample = "first_sample"
}

/// A validated rules file.
public struct RuleSet: Hashable, Sendable {
  /// Ticks fall at `k · evaluationInterval` (default 10 s).
  public var evaluationInterval: Int64
  /// Live only: a tick runs once the clock passes `t + evalDelay` (default 2 s).
  public var evalDelay: Int64
  /// How long a Resolved instance stays listed (default 15 m).
  public var resolvedRetention: Int64
  /// The `for` of the built-in `FeedStale` rule (default 2 m).
  public var feedStaleFor: Int64
  /// Where the first tick falls (`first_evaluation:`; default one interval after the first
  /// sample's boundary).
  public var firstEvaluation: FirstEvaluation = .oneIntervalLater
  /// The rules, in file order.
  public var rules: [AlertRule]

  public init(
    evaluationInterval: Int64 = 10 * Nanos.second, evalDelay: Int64 = 2 * Nanos.second,
    resolvedRetention: Int64 = 15 * Nanos.minute, feedStaleFor: Int64 = 2 * Nanos.minute,
    rules: [AlertRule] = []
  ) {
    self.evaluationInterval = evaluationInterval
    self.evalDelay = evalDelay
    self.resolvedRetention = resolvedRetention
    self.feedStaleFor = feedStaleFor
    self.rules = rules
  }

  /// The name of the built-in rule raised for a silent feed.
  public static let feedStaleRule = "FeedStale"
}

/// `v` to four significant digits, as its shortest text: what Vigil's own `{{ $value }}`
/// prints (`1612` for 1611.9900744416873, `0.0525`, `6.667`); larger numbers whole.
func annotationNumber(_ v: Double) -> String {
  guard v.isFinite, v != 0 else { return formatJSONNumber(v) }
  var scale = 1.0
  var magnitude = abs(v)
  while magnitude < 1000 && scale < 1e12 {
    magnitude *= 10
    scale *= 10
  }
  return formatJSONNumber((v * scale).rounded() / scale)
}
