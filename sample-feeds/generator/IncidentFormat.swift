import VigilCore

/// Incident events as feed lines: JSON written directly (the same bytes as ``DemoFormatter``,
/// with the second's timestamp prefix cached, since a bench writes hundreds of incidents), CSV
/// with an `order_id` column, every other format through ``DemoFormatter``.
public struct IncidentFormat: Sendable {
  public let format: FeedFormat
  public let start: Timestamp
  var second: Int64 = .min
  var prefix = ""

  /// The label columns of the CSV layout (the demo's plus `order_id`).
  public static let csvLabelColumns = DemoFormatter.csvLabelColumns + ["order_id"]

  public init(format: FeedFormat, start: Timestamp) {
    self.format = format
    self.start = start
  }

  /// The header line, if the format has one.
  public var header: String? {
    format == .csv
      ? (["ts", "metric", "value"] + Self.csvLabelColumns).joined(separator: ",") : nil
  }

  /// Appends `e` as one line and a newline.
  public mutating func append(_ e: DemoScenario.Event, to out: inout String) {
    switch format {
    case .json:
      out += "{\"ts\":\""
      appendTime(e.offset, to: &out)
      out += "\",\"metric\":\"" + e.metric + "\",\"value\":" + DemoFormatter.number(e.value)
      if !e.labels.isEmpty {
        out += ",\"labels\":{"
        for (i, (k, v)) in e.labels.enumerated() {
          out += (i == 0 ? "\"" : ",\"") + k + "\":\"" + v + "\""
        }
        out += "}"
      }
      out += "}\n"
    case .csv:
      appendTime(e.offset, to: &out)
      out += "," + e.metric + "," + DemoFormatter.number(e.value)
      for col in Self.csvLabelColumns {
        out += "," + (e.labels.first(where: { $0.0 == col })?.1 ?? "")
      }
      out += "\n"
    default:
      out += DemoFormatter.line(e, start: start, format: format) + "\n"
    }
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` of `start + offset` (milliseconds truncated, as CivilTime).
  mutating func appendTime(_ offset: Int64, to out: inout String) {
    let t = start.adding(offset).nanoseconds
    let (s, ns) = (t.floorDiv(Nanos.second), t - t.floorDiv(Nanos.second) * Nanos.second)
    if s != second {
      second = s
      prefix = String(CivilTime(.seconds(s)).rfc3339(fractionDigits: 0).dropLast())
    }
    let ms = ns / Nanos.millisecond
    out += prefix + (ms < 10 ? ".00" : ms < 100 ? ".0" : ".") + String(ms) + "Z"
  }
}

extension Int64 {
  fileprivate func floorDiv(_ d: Int64) -> Int64 {
    let q = self / d
    return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
  }
}
