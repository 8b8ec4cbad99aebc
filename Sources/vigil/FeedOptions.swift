import ArgumentParser
import VigilCore

/// The per-feed flags `run` and `check` share (resolved by ``FeedFlags``).
struct FeedOptions: ParsableArguments {
  @Option(
    name: .customLong("format"),
    help: "\(FeedFormat.choices). Once for every feed, or once per feed in order. Default: detect.")
  var formats: [String] = []

  @Option(
    name: .customLong("map"),
    help: ArgumentHelp(
      "Field mapping, e.g. ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc.",
      discussion: "Once for every feed, or once per feed in order."))
  var maps: [String] = []

  @Option(help: "Unit of numeric timestamps: s, ms, us or ns. Default: guessed by magnitude.")
  var timeUnit: String?

  /// The flags as plain values, for the resolvers.
  var flags: FeedFlags { FeedFlags(formats: formats, maps: maps, timeUnit: timeUnit) }
}
