/// One series of a Prometheus API query result: its labels (without `__name__`) and points.
public struct PromSeries: Sendable, Equatable {
  /// Sorted by name (empty values dropped, as everywhere in Vigil).
  public var labels: LabelSet
  public var points: [PromPoint]

  public init(labels: LabelSet, points: [PromPoint]) {
    self.labels = labels
    self.points = points
  }
}

/// One point: an evaluation time and a value (`NaN` and `±Inf` included, F34).
public struct PromPoint: Sendable, Equatable {
  public var time: Timestamp
  public var value: Double

  public init(time: Timestamp, value: Double) {
    self.time = time
    self.value = value
  }

  public static func == (a: PromPoint, b: PromPoint) -> Bool {
    a.time == b.time && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
  }
}

/// Why a Prometheus API request gave no data. The description is what feed health shows.
public enum PromAPIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No HTTP response (refused, timeout, malformed, ...).
  case http(HTTPError)
  /// `"status":"error"`, with the HTTP status when it was not 200.
  case api(httpStatus: Int, errorType: String, message: String)
  /// An HTTP error status without a Prometheus error body.
  case status(String)
  /// Not the JSON the API documents.
  case badResponse(String)

  public var description: String {
    switch self {
    case .http(let e): e.description
    case .api(let code, let type, let message):
      (code == 200 ? "" : "HTTP \(code): ") + "\(type): \(message)"
    case .status(let s): s
    case .badResponse(let s): "unexpected response: \(s)"
    }
  }

  /// Prometheus refused a range query for too many points (F35): a larger step helps.
  public var isResolutionLimit: Bool {
    if case .api(_, "bad_data", let message) = self {
      return message.contains("exceeded maximum resolution")
    }
    return false
  }
}

/// Decoding of `/api/v1/query` and `/api/v1/query_range` responses (SEMANTICS §9.3).
public enum PromAPIDecoder {
  /// Decodes a response; each series is handed to `onSeries` as soon as it is read (a range
  /// result is never held whole). A `scalar` result becomes one series without labels.
  /// - Returns: the result type (`vector`, `matrix` or `scalar`), or the error.
  public static func decode(
    status: Int, body: [UInt8], onSeries: (PromSeries) -> Void
  ) -> Result<String, PromAPIError> {
    var statusField: String?
    var errorType: String?
    var errorMessage: String?
    var resultType: String?
    var sawResult = false
    var scalar: [JSONValue] = []
    var seriesError: PromAPIError?
    let parsed: JSONReadError? = body.withUnsafeBytes { raw in
      var r = JSONReader(raw, numbers: .text)
      do throws(JSONReadError) {
        guard r.peek() == UInt8(ascii: "{") else {
          throw JSONReadError(message: "expected an object", offset: r.offset)
        }
        try r.members { (key: String, r: inout JSONReader) throws(JSONReadError) in
          switch key {
          case "status": statusField = try r.value().string
          case "errorType": errorType = try r.value().string
          case "error": errorMessage = try r.value().string
          case "data" where r.peek() == UInt8(ascii: "{"):
            try r.members { (key: String, r: inout JSONReader) throws(JSONReadError) in
              switch key {
              case "resultType": resultType = try r.value().string
              case "result" where r.peek() == UInt8(ascii: "["):
                sawResult = true
                try r.elements { (r: inout JSONReader) throws(JSONReadError) in
                  let element = try r.value(depth: 2)
                  guard case .object = element else {
                    scalar.append(element)
                    return
                  }
                  guard seriesError == nil else { return }
                  switch series(element) {
                  case .success(let s): onSeries(s)
                  case .failure(let why): seriesError = why
                  }
                }
              default: _ = try r.value(depth: 2)
              }
            }
          default: _ = try r.value(depth: 1)
          }
        }
        try r.expectEnd()
        return nil
      } catch {
        return error
      }
    }
    if statusField == "error" || (status != 200 && errorType != nil) {
      return .failure(
        .api(
          httpStatus: status, errorType: printableExcerpt(errorType ?? "error", limit: 40),
          message: printableExcerpt(errorMessage ?? "", limit: 300)))
    }
    if status != 200 {
      return .failure(.status("HTTP \(status)"))
    }
    if let parsed { return .failure(.badResponse(parsed.description)) }
    guard statusField == "success" else {
      return .failure(.badResponse("no \"status\":\"success\""))
    }
    guard sawResult, let type = resultType else {
      return .failure(.badResponse("no data.resultType and data.result"))
    }
    if let seriesError { return .failure(seriesError) }
    switch type {
    case "vector", "matrix":
      guard scalar.isEmpty else { return .failure(.badResponse("a \(type) holds a non-object")) }
    case "scalar":
      guard scalar.count == 2, let p = point(.array(scalar)) else {
        return .failure(.badResponse("a scalar result must be [time, \"value\"]"))
      }
      onSeries(PromSeries(labels: LabelSet(), points: [p]))
    case "string":
      return .failure(.badResponse("the query returns a string, not numbers"))
    default:
      return .failure(.badResponse("unknown resultType \"\(printableExcerpt(type, limit: 20))\""))
    }
    return .success(type)
  }

  /// `{"metric":{...},"value":[t,"v"]}` or `{"metric":{...},"values":[[t,"v"],...]}`.
  static func series(_ v: JSONValue) -> Result<PromSeries, PromAPIError> {
    var labels: [(String, String)] = []
    if let metric = v["metric"] {
      guard case .object(let members) = metric else {
        return .failure(.badResponse("metric is not an object"))
      }
      for (key, value) in members where key != "__name__" {
        guard let s = value.string else {
          return .failure(.badResponse("label \(key) is not a string"))
        }
        labels.append((key, s))
      }
    }
    var points: [PromPoint] = []
    if let one = v["value"] {
      guard let p = point(one) else { return .failure(.badResponse("bad value \(excerpt(one))")) }
      points.append(p)
    } else if let many = v["values"] {
      guard let list = many.array else {
        return .failure(.badResponse("values is not an array"))
      }
      points.reserveCapacity(list.count)
      for item in list {
        guard let p = point(item) else {
          return .failure(.badResponse("bad value \(excerpt(item))"))
        }
        points.append(p)
      }
    } else if v["histogram"] != nil || v["histograms"] != nil {
      return .failure(
        .badResponse("native histograms are not supported; query a quantile or a rate"))
    } else {
      return .failure(.badResponse("a series without value or values"))
    }
    return .success(PromSeries(labels: LabelSet(labels), points: points))
  }

  /// `[1795709741.369, "1"]`.
  static func point(_ v: JSONValue) -> PromPoint? {
    guard let pair = v.array, pair.count == 2, case .number(let t) = pair[0],
      let time = parseTime(t), let text = pair[1].string, let value = parseValue(text)
    else { return nil }
    return PromPoint(time: time, value: value)
  }

  private static func excerpt(_ v: JSONValue) -> String {
    printableExcerpt("\(v)", limit: 60)
  }

  /// A sample value as the API writes it (a string, F34): a Go float, `NaN`, `+Inf`, `-Inf`.
  public static func parseValue(_ text: String) -> Double? {
    switch text {
    case "NaN": return .nan
    case "+Inf", "Inf": return .infinity
    case "-Inf": return -.infinity
    default:
      if case .number(let d) = parseNumber(text, syntax: .decimal) { return d }
      return nil
    }
  }

  /// A time as the API writes it: decimal seconds (`1795709741.369`), exactly in nanoseconds.
  public static func parseTime(_ text: String) -> Timestamp? {
    var digits = Substring(text)
    var negative = false
    if digits.first == "-" {
      negative = true
      digits.removeFirst()
    }
    let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let whole = parts.first, !whole.isEmpty, whole.count <= 11,
      whole.utf8.allSatisfy(isDigit), let s = Int64(whole)
    else { return nil }
    var ns: Int64 = 0
    if parts.count == 2 {
      let frac = parts[1]
      guard !frac.isEmpty, frac.utf8.allSatisfy(isDigit) else { return nil }
      var scale: Int64 = 100_000_000
      for d in frac.utf8.prefix(9) {
        ns += Int64(d - 0x30) * scale
        scale /= 10
      }
    }
    let total = s * Nanos.second + ns
    return Timestamp(nanoseconds: negative ? -total : total)
  }

  /// A time for a query parameter: decimal seconds with up to nine fraction digits.
  public static func formatTime(_ t: Timestamp) -> String {
    formatSeconds(t.nanoseconds)
  }

  /// Nanoseconds as decimal seconds (`15`, `0.5`, `1795709741.369`).
  public static func formatSeconds(_ ns: Int64) -> String {
    let sign = ns < 0 ? "-" : ""
    let a = ns.magnitude
    let s = a / UInt64(Nanos.second)
    var f = a % UInt64(Nanos.second)
    if f == 0 { return "\(sign)\(s)" }
    var width = 9
    while f % 10 == 0 {
      f /= 10
      width -= 1
    }
    let fs = String(f)
    return "\(sign)\(s)." + String(repeating: "0", count: width - fs.count) + fs
  }
}

/// Turns Prometheus results into Vigil JSON lines, so the ordinary JSON parser ingests them:
/// `{"ts":"2026-11-26T10:00:00.000Z","metric":"NAME","value":0.42,"labels":{"k":"v"}}`.
///
/// NaN and infinities become the strings `"NaN"`, `"+Inf"`, `"-Inf"`, which the parser rejects
/// as `non-finite value` (counted and listed, like the same value in any JSON feed).
public enum PromSampleLines {
  public static func line(metric: String, labels: LabelSet, point: PromPoint) -> [UInt8] {
    var out: [UInt8] = []
    append(metric: metric, labels: labels, point: point, to: &out)
    return out
  }

  public static func append(
    metric: String, labels: LabelSet, point: PromPoint, to out: inout [UInt8]
  ) {
    out.append(contentsOf: Array(#"{"ts":""#.utf8))
    let digits = point.time.nanoseconds % Nanos.millisecond == 0 ? 3 : 9
    out.append(contentsOf: Array(CivilTime(point.time).rfc3339(fractionDigits: digits).utf8))
    out.append(contentsOf: Array(#"","metric":"#.utf8))
    appendJSONString(metric, to: &out)
    out.append(contentsOf: Array(#","value":"#.utf8))
    let v = point.value
    if v.isNaN {
      out.append(contentsOf: Array(#""NaN""#.utf8))
    } else if v.isInfinite {
      out.append(contentsOf: Array((v > 0 ? #""+Inf""# : #""-Inf""#).utf8))
    } else {
      out.append(contentsOf: Array("\(v)".utf8))
    }
    if !labels.isEmpty {
      out.append(contentsOf: Array(#","labels":{"#.utf8))
      for (k, l) in labels.labels.enumerated() {
        if k > 0 { out.append(UInt8(ascii: ",")) }
        appendJSONString(l.name, to: &out)
        out.append(UInt8(ascii: ":"))
        appendJSONString(l.value, to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(UInt8(ascii: "}"))
  }
}
