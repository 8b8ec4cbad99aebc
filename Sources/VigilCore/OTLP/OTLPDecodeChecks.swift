/// The limits both OTLP decoders count while they read one request (``OTLPLimits``). Each
/// method returns the problem's text when a limit is passed, nil otherwise.
struct OTLPBudget {
  var points = 0
  var values = 0
  var buckets = 0
  var bounds = 0

  /// One more data point.
  mutating func addPoint() -> String? {
    points += 1
    guard points <= OTLPLimits.maxDataPoints else {
      return "the request has more than \(OTLPLimits.maxDataPoints) data points"
    }
    return nil
  }

  /// One more attribute or array element.
  mutating func addValue() -> String? {
    values += 1
    guard values <= OTLPLimits.maxValuesPerRequest else {
      return "the request has more than \(OTLPLimits.maxValuesPerRequest) attributes and values"
    }
    return nil
  }

  /// `n` more buckets (or quantiles); `total` is the list's length so far.
  mutating func addBuckets(_ n: Int, total: Int) -> String? {
    buckets += n
    guard total <= OTLPLimits.maxBucketsPerHistogram else {
      return "a histogram point has more than \(OTLPLimits.maxBucketsPerHistogram) buckets"
    }
    guard buckets <= OTLPLimits.maxBucketsPerRequest else {
      return "the request has more than \(OTLPLimits.maxBucketsPerRequest) buckets"
    }
    return nil
  }

  /// `n` more explicit bounds; `total` is the point's count so far. Counted apart from the
  /// buckets, against the same limits (a histogram has one bound fewer than buckets).
  mutating func addBounds(_ n: Int, total: Int) -> String? {
    bounds += n
    guard total <= OTLPLimits.maxBucketsPerHistogram else {
      return "a histogram point has more than \(OTLPLimits.maxBucketsPerHistogram) bounds"
    }
    guard bounds <= OTLPLimits.maxBucketsPerRequest else {
      return "the request has more than \(OTLPLimits.maxBucketsPerRequest) bounds"
    }
    return nil
  }
}

enum OTLPChecks {
  /// A point's attributes: how many, key lengths, label text lengths.
  static func pointAttributes(_ attributes: [OTLPKeyValue]) -> String? {
    guard attributes.count <= OTLPLimits.maxPointAttributes else {
      return "a data point has more than \(OTLPLimits.maxPointAttributes) attributes"
    }
    for a in attributes {
      if let problem = label(a) { return problem }
    }
    return nil
  }

  /// The resource attributes that become labels (`service.name`, `service.instance.id`).
  static func resourceAttributes(_ attributes: [OTLPKeyValue]) -> String? {
    for a in attributes where OTLPResourceMetrics.labelAttributes[a.key] != nil {
      if let problem = label(a) { return problem }
    }
    return nil
  }

  /// A metric name's length.
  static func metricName(_ name: String) -> String? {
    guard name.utf8.count <= OTLPLimits.maxNameBytes else {
      return "a metric name is longer than \(OTLPLimits.maxNameBytes) bytes"
    }
    return nil
  }

  private static func label(_ a: OTLPKeyValue) -> String? {
    guard a.key.utf8.count <= OTLPLimits.maxNameBytes else {
      return "an attribute key is longer than \(OTLPLimits.maxNameBytes) bytes"
    }
    guard a.value.labelText() != nil else {
      return
        "attribute \"\(printableExcerpt(a.key, limit: 60))\" is longer than "
        + "\(OTLPLimits.maxLabelValueBytes) bytes as label text"
    }
    return nil
  }
}
