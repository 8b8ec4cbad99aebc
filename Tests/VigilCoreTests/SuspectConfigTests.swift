import Testing

@testable import VigilCore

/// Components: the defaults for the six signals, `components:` in the config, series key text.
@Suite struct SuspectComponentsTests {
  func component(_ map: ComponentMap, _ metric: String, _ labels: LabelSet = .empty) -> String {
    map.component(of: SeriesKey(metric, labels))
  }

  @Test func defaultsNameTheContractsComponents() {
    let map = ComponentMap(signals: SignalNames())
    #expect(component(map, "api_latency_ms", ["service": "erp"]) == "erp")
    #expect(component(map, "checkout_latency_ms", ["stage": "tax"]) == "tax")
    #expect(component(map, "checkout_latency_ms", ["stage": "total"]) == "checkout")
    #expect(component(map, "order_confirmation_delay_ms", ["pair": "order_confirmation"]) == "oms")
    #expect(component(map, "order_confirmation_open") == "oms")
    #expect(component(map, "order_confirmation_timed_out_total") == "oms")
    #expect(component(map, "payment_retries_total", ["reason": "timeout"]) == "payment")
    #expect(component(map, "payment_failures_total") == "payment")
    #expect(component(map, "inventory_mismatches_total", ["pair": "oms-erp"]) == "oms-erp")
    #expect(component(map, "support_tickets_total", ["reason": "order_error"]) == "support")
    #expect(component(map, "queue_depth", ["queue": "x"]) == "queue_depth")
    // A service label missing: the metric names it.
    #expect(component(map, "api_latency_ms") == "api_latency_ms")
    #expect(map.downstream(of: "erp") == ["oms-erp", "storefront-erp", "oms", "support"])
    #expect(map.downstream(of: "tax") == ["checkout"])
    #expect(map.downstream(of: "support").isEmpty)
  }

  @Test func defaultsFollowSignalOverrides() {
    var signals = SignalNames()
    #expect(signals.apply("api_latency=http_ms") == nil)
    #expect(signals.apply("payment_attempts=pay_tries_total") == nil)
    let map = ComponentMap(signals: signals)
    #expect(component(map, "http_ms", ["service": "tax"]) == "tax")
    #expect(component(map, "api_latency_ms", ["service": "tax"]) == "api_latency_ms")
    #expect(
      map.ratios.contains { $0.den == "pay_tries_total" && $0.num == "payment_retries_total" })
  }

  @Test func theConfigsEntriesComeFirstAndAddRelations() throws {
    let text = """
      components:
        series:
          - {metric: api_latency_ms, select: {service: checkout}, name: storefront}
          - {metric: queue_depth, label: queue}
        feeds:
          storefront: [support]
          queue: checkout
        ratios:
          - {num: refunds_total, den: orders_total, by: [shop], label: shop}
      """
    let config = try ConfigLoader.parse(text, file: "vigil.yaml").get()
    let map = ComponentMap(signals: SignalNames(), config: config.components)
    #expect(component(map, "api_latency_ms", ["service": "checkout"]) == "storefront")
    #expect(component(map, "api_latency_ms", ["service": "tax"]) == "tax")
    #expect(component(map, "queue_depth", ["queue": "orders"]) == "orders")
    #expect(map.feeds["storefront"] == ["support"])
    #expect(map.feeds["queue"] == ["checkout"])
    #expect(map.feeds["erp"] == ["oms-erp", "storefront-erp", "oms"])
    #expect(
      map.ratios.first
        == RatioSpec(num: "refunds_total", den: "orders_total", by: ["shop"], label: "shop"))

    let only = try ConfigLoader.parse("components: {defaults: false}", file: "v.yaml").get()
    let bare = ComponentMap(signals: SignalNames(), config: only.components)
    #expect(component(bare, "api_latency_ms", ["service": "tax"]) == "api_latency_ms")
    #expect(bare.feeds.isEmpty && bare.ratios.isEmpty)
  }

  @Test func mistakesAreReportedWithFileLineAndColumn() {
    let text = """
      components:
        series:
          - {metric: api_latency_ms, label: service, name: x}
          - {label: service}
          - {metric: m, name: "two words"}
          - {metric: m, label: l, colour: red}
          - {metric: m, label: l, select: {a: {match: "("}}}
        feeds:
          tax: [tax]
        ratios:
          - {num: a_total}
          - {num: a, den: b, by: [x], label: y}
        color: blue
      """
    guard case .failure(let problems) = ConfigLoader.parse(text, file: "v.yaml") else {
      Issue.record("accepted")
      return
    }
    let lines = problems.problems.map(\.description)
    #expect(lines.contains { $0.hasPrefix("v.yaml:3:7: a components.series entry needs a label") })
    #expect(lines.contains { $0.hasPrefix("v.yaml:4:7: a components.series entry needs a metric") })
    #expect(lines.contains { $0.hasPrefix("v.yaml:5:25: components.series.name: \"two words\"") })
    #expect(
      lines.contains { $0.hasPrefix("v.yaml:6:29: unknown components.series key \"colour\"") })
    #expect(
      lines.contains { $0.contains("v.yaml:7:") && $0.contains("invalid regular expression") })
    #expect(
      lines.contains {
        $0.hasPrefix("v.yaml:9:11: components.feeds.tax: a component cannot feed itself")
      })
    #expect(
      lines.contains { $0.hasPrefix("v.yaml:11:7: a components.ratios entry needs num and den") })
    #expect(
      lines.contains {
        $0.hasPrefix("v.yaml:12:7: components.ratios: label \"y\" must be one of by")
      })
    #expect(lines.contains { $0.hasPrefix("v.yaml:13:3: unknown components key \"color\"") })
    #expect(lines.count == 9)
  }
}

/// The `"series"` key text and the key a rule's instance watches.
@Suite struct SeriesKeyTextTests {
  @Test func labelsSortedNoQuotesNoBracesWhenNone() {
    #expect(
      SeriesKeyText.key("api_latency_ms", ["service": "tax"]) == "api_latency_ms{service=tax}")
    #expect(SeriesKeyText.key("m", ["b": "2", "a": "1"]) == "m{a=1,b=2}")
    #expect(
      SeriesKeyText.key("order_confirmation_delay_ms", .empty) == "order_confirmation_delay_ms")
    #expect(
      SeriesKeyText.ratio(
        "inventory_mismatches_total", "inventory_checks_total", ["pair": "oms-erp"])
        == "inventory_mismatches_total{pair=oms-erp}/inventory_checks_total{pair=oms-erp}")
    #expect(SeriesKeyText.ratio("r", "a", .empty) == "r/a")
  }

  @Test func oddCharactersAreEscapedPrintablyAndUnambiguously() {
    #expect(SeriesKeyText.key("m", ["path": "/a,b}=c\\d{"]) == "m{path=/a\\,b\\}\\=c\\\\d\\{}")
    #expect(SeriesKeyText.key("m", ["q": "say \"hi\" there"]) == "m{q=say \"hi\" there}")
    #expect(
      SeriesKeyText.key("m", ["v": "a\nb\u{7}c\u{200B}d\u{A0}e"])
        == "m{v=a\\u{A}b\\u{7}c\\u{200B}d\\u{A0}e}")
    #expect(SeriesKeyText.key("a/b{c}", .empty) == "a\\/b\\{c\\}")
    #expect(SeriesKeyText.key("m", ["sv": "ünïcödé ✓"]) == "m{sv=ünïcödé ✓}")
  }

  @Test func theDefaultRulesWatchTheirSeriesAndRatios() throws {
    let rules = try RulesLoader.parse(DefaultRules.yaml(), file: "default").get()
    #expect(
      rules.watchedSeries(
        rule: "ApiLatencyP99High", labels: ["service": "tax", "severity": "page"])
        == "api_latency_ms{service=tax}")
    #expect(
      rules.watchedSeries(
        rule: "CheckoutLatencyP99High", labels: ["stage": "total", "severity": "page"])
        == "checkout_latency_ms{stage=total}")
    #expect(
      rules.watchedSeries(rule: "OrderConfirmationDelayHigh", labels: ["severity": "ticket"])
        == "order_confirmation_delay_ms")
    #expect(
      rules.watchedSeries(rule: "PaymentRetryRatioHigh", labels: ["severity": "page"])
        == "payment_retries_total/payment_attempts_total")
    #expect(
      rules.watchedSeries(
        rule: "InventoryMismatchHigh", labels: ["pair": "oms-erp", "severity": "ticket"])
        == "inventory_mismatches_total{pair=oms-erp}/inventory_checks_total{pair=oms-erp}")
    #expect(
      rules.watchedSeries(rule: "PaymentErrorBudgetBurn", labels: ["severity": "page"])
        == "payment_failures_total/payment_attempts_total")
    #expect(
      rules.watchedSeries(rule: "FeedStale", labels: ["feed": "api_latency_ms"]) == "api_latency_ms"
    )
  }
}
