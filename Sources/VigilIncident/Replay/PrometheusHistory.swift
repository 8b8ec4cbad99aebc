import VigilApp
import VigilCore

/// A recording made from a Prometheus server's history (`vigil replay --prometheus URL --from
/// T1 --to T2`): every query's `query_range` points over the range, as the inputs a live
/// `--prometheus` feed would have received, on the event clock.
///
/// The points of one time form one input record arriving at that time, followed by a clock
/// tick, so the player's clock, steps and seeks follow the data. The alert transitions are
/// computed once, by the same engine, and written in after the record that produced each, as
/// a live recording has them: the timeline, the jumps to transitions and firings, and the
/// report then work as for any recording.
public enum PrometheusHistory {
  /// What to load and how to replay it.
  public struct Request: Sendable {
    public var url: String
    public var queries: [PrometheusQuery]
    public var from: Timestamp
    public var to: Timestamp
    /// The `query_range` step asked for (raised for long ranges; see `PrometheusClient`).
    public var step: Int64
    public var windows = WindowsConfig()
    public var signals = SignalNames()
    public var rulesYAML: String
    public var rulesPath: String?
    public var title: String?

    public init(
      url: String, queries: [PrometheusQuery], from: Timestamp, to: Timestamp, step: Int64,
      rulesYAML: String, rulesPath: String? = nil, title: String? = nil
    ) {
      self.url = url
      self.queries = queries
      self.from = from
      self.to = to
      self.step = step
      self.rulesYAML = rulesYAML
      self.rulesPath = rulesPath
      self.title = title
    }
  }

  /// The one feed of such a recording.
  static let feed = FeedID(0)

  /// Loads the range from the server and builds the recording. Fails when no query returned
  /// a point (with every query's reason); a query that failed while others worked is a warning.
  public static func load(
    _ request: Request, client: PrometheusClient, cancel: StopFlag? = nil
  ) throws(RecordingFormatError) -> RecordingFile {
    recording(try loadRange(request, client: client, cancel: cancel), request)
  }

  /// Loads the range's points from the server, one time per batch (`vigil check --prometheus`
  /// evaluates them as they are). Fails as ``load(_:client:cancel:)`` does.
  public static func loadRange(
    _ request: Request, client: PrometheusClient, cancel: StopFlag? = nil
  ) throws(RecordingFormatError) -> PromRangeLoad {
    let load = client.loadRange(
      request.queries, from: request.from, to: request.to, step: request.step,
      oneTimePerBatch: true, cancel: cancel)
    if load.lines == 0 {
      let why =
        load.failures.isEmpty
        ? "no query returned a point between \(format(request.from)) and \(format(request.to))"
        : load.failures.map { "\($0.name): \($0.reason)" }.joined(separator: "; ")
      throw RecordingFormatError("\(request.url): \(why)")
    }
    return load
  }

  /// What a load that returned points still warns about: the queries that failed, a step raised.
  public static func warnings(_ load: PromRangeLoad, _ request: Request) -> [String] {
    var warnings = load.failures.map { "query \($0.name) failed: \($0.reason)" }
    if load.step > request.step {
      warnings.append(
        "the step was raised from \(Nanos.format(request.step)) to \(Nanos.format(load.step)) "
          + "(Prometheus allows \(PrometheusClient.maxPointsPerSeries) points per series)")
    }
    return warnings
  }

  /// The feed that carries a loaded range's points.
  public static func feedSpec(_ request: Request) -> FeedSpec {
    FeedSpec(id: feed, kind: .prometheus, target: request.url)
  }

  /// The recording of a loaded range (no server needed: tests build loads by hand).
  public static func recording(_ load: PromRangeLoad, _ request: Request) -> RecordingFile {
    let spec = feedSpec(request)
    let header = RecordingHeader(
      start: request.from, clockMode: .event, windows: request.windows, signals: request.signals,
      feeds: [spec], rulesYAML: request.rulesYAML, rulesPath: request.rulesPath,
      title: request.title ?? "Prometheus \(spec.displayName), \(format(request.from)) to "
        + format(request.to))
    var records: [RecordingEntry] = []
    records.reserveCapacity(load.batches.count * 2 + 3)
    var seq: UInt64 = 0
    func input(_ t: Timestamp, _ payload: FeedPayload) {
      records.append(.input(FeedInput(feed: feed, arrival: t, seq: seq, payload: payload)))
      seq += 1
    }
    let bytes = load.batches.reduce(0) { $0 + $1.bytes.count }
    input(
      request.from,
      load.failures.isEmpty
        ? .event(.fetched(durationNanos: 0, bytes: bytes))
        : .event(.failed(PrometheusAPISource.describe(load.failures.map { ($0.name, $0.reason) }))))
    for (batch, t) in zip(load.batches, load.batchTimes) {
      input(t, .records(batch, .json))
      records.append(.tick(t))
    }
    let end = max(request.to, load.newest ?? request.to)
    records.append(.end(end, "end of the range"))
    var file = RecordingFile(header: header, records: records)
    file.endedCleanly = true
    file.warnings = warnings(load, request)
    return withTransitions(file)
  }

  /// The recording with the transitions the engine computes from its inputs written in after
  /// the record that produced each.
  static func withTransitions(_ file: RecordingFile) -> RecordingFile {
    var replayer = Replayer(file: file)
    replayer.keepsCheckpoints = false
    var records: [RecordingEntry] = []
    records.reserveCapacity(file.records.count)
    for (i, r) in file.records.enumerated() {
      replayer.apply(r, at: i)
      records.append(r)
      records.append(contentsOf: replayer.produced.map(RecordingEntry.alert))
      replayer.produced.removeAll()
    }
    var out = file
    out.records = RecordingEntries(records)
    return out
  }

  static func format(_ t: Timestamp) -> String { CivilTime(t).rfc3339(fractionDigits: 0) }
}
