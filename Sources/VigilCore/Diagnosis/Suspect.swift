/// One suspect: a series that deviates from its own baseline, and the component it belongs to.
/// Suspects, not root causes: the ranking says what moved first and most.
public struct Suspect: Sendable, Equatable {
  /// The system component (`payment`, `tax`, `oms-erp`, ...).
  public var component: String
  /// The series (or ratio) key, `metric{label=value,...}`, labels sorted, no quotes; a ratio as
  /// `num{...}/den{...}`.
  public var series: String
  /// What was compared (`p99`, `ratio`, `rate`, ...).
  public var measure: String
  /// Rank score (higher is more suspect).
  public var score: Double
  /// Current value over the baseline median (`x7.1`); nil when the median is zero.
  public var change: Double?
  /// The current value and the baseline it is compared with.
  public var current: Double
  public var baseline: Baseline
  /// When it started to move (the first minute past a lower threshold after its last quiet one).
  public var onset: Timestamp?
  /// The component whose change explains this one (ranked below it), if any.
  public var explainedBy: String?

  public init(
    component: String, series: String, measure: String, score: Double, change: Double?,
    current: Double, baseline: Baseline, onset: Timestamp?, explainedBy: String? = nil
  ) {
    self.component = component
    self.series = series
    self.measure = measure
    self.score = score
    self.change = change
    self.current = current
    self.baseline = baseline
    self.onset = onset
    self.explainedBy = explainedBy
  }
}

/// The suspects ranked at one moment: at an alert's transition to firing, or on demand.
public struct SuspectRanking: Sendable, Equatable {
  public var t: Timestamp
  /// The alert that fired (nil: on demand).
  public var alert: String?
  public var labels: LabelSet
  /// Best first.
  public var suspects: [Suspect]

  public init(t: Timestamp, alert: String?, labels: LabelSet, suspects: [Suspect]) {
    self.t = t
    self.alert = alert
    self.labels = labels
    self.suspects = suspects
  }
}
