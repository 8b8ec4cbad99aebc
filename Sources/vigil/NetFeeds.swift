import ArgumentParser
import VigilCore

/// The flags of the network feeds: Prometheus scrapes and the Prometheus HTTP API.
struct NetFeedOptions: ParsableArguments {
  @Option(
    name: .customLong("scrape"),
    help: ArgumentHelp(
      "Scrape a Prometheus/OpenMetrics endpoint, e.g. http://127.0.0.1:9100/metrics (or https://).",
      discussion: "Repeatable: one feed per URL, shown per target in feed health.",
      valueName: "url"))
  var scrapes: [String] = []

  @Option(
    name: .customLong("every"),
    help: ArgumentHelp(
      "Scrape interval, once for every --scrape or once per --scrape in order. (default: 5s)",
      valueName: "duration"))
  var everies: [String] = []

  @Option(
    help: ArgumentHelp(
      "Scrape timeout. (default: the interval, at most 10s)", valueName: "duration"))
  var scrapeTimeout: String?

  @Option(
    help: ArgumentHelp(
      "Query a Prometheus HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics; http or https).",
      discussion:
        "Queries come from --query, or from the config file's prometheus: section (whose url this replaces).",
      valueName: "url"))
  var prometheus: String?

  @Option(
    name: .customLong("query"),
    help: ArgumentHelp(
      "A PromQL query for --prometheus as NAME=EXPR; its results become series NAME. Repeatable.",
      valueName: "name=promql"))
  var queries: [String] = []

  @Option(
    help: ArgumentHelp(
      "How often --prometheus queries are evaluated. (default: 15s)", valueName: "duration"))
  var prometheusEvery: String?

  @Option(
    help: ArgumentHelp(
      "History --prometheus loads at start with query_range (0s: none). (default: 15m)",
      valueName: "duration"))
  var history: String?

  @OptionGroup(title: "HTTPS and authentication (--scrape, --prometheus)") var http: HTTPOptions

  /// The flags as plain values, for the resolver.
  var flags: NetFeedFlags {
    var f = NetFeedFlags()
    f.http = (try? http.config()) ?? nil
    (f.scrapes, f.everies, f.scrapeTimeout) = (scrapes, everies, scrapeTimeout)
    (f.prometheus, f.queries, f.prometheusEvery, f.history) = (
      prometheus, queries, prometheusEvery, history
    )
    return f
  }
}
