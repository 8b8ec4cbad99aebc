import Testing
import VigilTestSupport

@testable import VigilCore

/// Burn-rate rules over the real store: the long windows (1h, 6h, 3d) come from the store's
/// long-window counters, registered by ``LongWindowTracker``.
@Suite struct BurnRateStoreTests {
  struct World {
    var store = MetricStore()
    var interner = SeriesInterner()
    var tracker: LongWindowTracker
    init(_ rules: RuleSet) { tracker = LongWindowTracker(rules: rules, config: store.config) }
    mutating func add(_ metric: String, _ t: Timestamp, _ v: Double) { add(metric, .empty, t, v) }
    mutating func add(_ metric: String, _ labels: LabelSet, _ t: Timestamp, _ v: Double) {
      guard let id = interner.intern(SeriesKey(metric, labels)) else { return }
      tracker.update(store: &store, interner: interner)
      _ = store.ingest(Sample(series: id, timestamp: t, value: v), now: t)
    }
    var source: MetricStoreAlertSource { MetricStoreAlertSource(store: store, interner: interner) }
  }

  static func slo(_ windows: [BurnWindow] = BurnWindow.defaults, good: Bool = false) -> SLOSpec {
    SLOSpec(
      objective: Rational(parsing: "0.999") ?? .zero, period: 30 * Nanos.day,
      events: good
        ? .good(SeriesSelector(metric: "checkout_ok_total"))
        : .bad(SeriesSelector(metric: "checkout_errors_total")),
      total: SeriesSelector(metric: "checkout_requests_total"), windows: windows)
  }

  static func rule(_ slo: SLOSpec) -> AlertRule {
    AlertRule(
      name: "CheckoutErrorBudgetBurn", selector: SeriesSelector(metric: "checkout_requests_total"),
      aggregate: .burnRate(slo), op: .greater, noDataAfter: 5 * Nanos.minute)
  }

  /// C1 through the store: 1000 requests per minute, 20 errors per minute from 60m to 120m;
  /// the 1h window comes from the long-window counters.
  @Test func c1ThroughTheStoreFiresAt104AndResolvesAt122() {
    let rules = minuteRules(Self.rule(Self.slo(BurnRateTests.fastPair)))
    var w = World(rules)
    var e = AlertEvaluator(rules: rules)
    var out: [AlertTransition] = []
    for m in 0...150 {
      w.add("checkout_requests_total", minute(m), m == 0 ? 0 : 1000)
      if (61...120).contains(m) { w.add("checkout_errors_total", minute(m), 20) }
      out += e.tick(at: minute(m), data: w.source)
    }
    #expect(
      brief(out, labels: true) == [
        "104:CheckoutErrorBudgetBurn{severity=\"page\"}:inactive>firing",
        "122:CheckoutErrorBudgetBurn{severity=\"page\"}:firing>resolved",
      ])
    #expect(e.health["CheckoutErrorBudgetBurn"] == .ok)
    #expect(w.store.longCounters.trackedCount == 2)
  }

  /// The SRE Workbook's three pairs at once, on 10-second ticks over 8 hours, against an
  /// oracle that recounts every window from the raw samples with integer arithmetic: a steady
  /// 0.2 % error ratio (burn 2) opens a ticket (3d/6h at 1) and never pages; a 30-minute burst
  /// at 10 % (burn 100) pages through the fast pair (1h/5m at 14.4), then resolves.
  @Test func defaultPairsAgainstARecountingOracle() {
    let rules = RuleSet(
      evaluationInterval: 10 * Nanos.second, evalDelay: 0,
      rules: [Self.rule(Self.slo(good: true))])
    var w = World(rules)
    var e = AlertEvaluator(rules: rules)
    var out: [AlertTransition] = []
    let start = Timestamp.seconds(1_795_694_400)  // on a 5-minute boundary
    let steps = 8 * 360
    var bad: [Int64] = [0]  // bad[i]: bad events at step i (step 0: none)
    let burst = (7 * 360 + 1)...(7 * 360 + 180)
    for step in 1...steps {
      bad.append(burst.contains(step) ? 10 : (step % 5 == 0 ? 1 : 0))
    }
    // The oracle: a pair holds when bad·1000 > factor·total over both windows (budget 1/1000),
    // with factor = p/q; the 3d window ends at the last 5-minute boundary.
    func sums(_ window: Int64, at step: Int) -> (bad: Int64, total: Int64) {
      let t = Int64(step) * 10 * Nanos.second
      let end = window > 6 * Nanos.hour ? t / (5 * Nanos.minute) * (5 * Nanos.minute) : t
      var b: Int64 = 0
      var n: Int64 = 0
      for i in 1...max(1, step) {
        let ti = Int64(i) * 10 * Nanos.second
        if ti > end - window && ti <= end {
          b += bad[i]
          n += 100
        }
      }
      return (b, n)
    }
    // A pair also waits until the data covers its short window (warming up).
    func holds(_ long: Int64, _ short: Int64, _ p: Int64, _ q: Int64, at step: Int) -> Bool {
      Int64(step) * 10 * Nanos.second >= short
        && [long, short].allSatisfy { win in
          let (b, n) = sums(win, at: step)
          return n > 0 && b * 1000 * q > p * n
        }
    }
    var expected: [String] = []
    var page = false
    var ticket = false
    for step in 1...steps {
      let t = start.adding(Int64(step) * 10 * Nanos.second)
      w.add("checkout_requests_total", t, 100)
      w.add("checkout_ok_total", t, Double(100 - bad[step]))
      out += e.tick(at: t, data: w.source)
      let p =
        holds(Nanos.hour, 5 * Nanos.minute, 144, 10, at: step)
        || holds(6 * Nanos.hour, 30 * Nanos.minute, 6, 1, at: step)
      let k = holds(3 * Nanos.day, 6 * Nanos.hour, 1, 1, at: step)
      if p != page { expected.append("\(step):page:\(p ? "firing" : "resolved")") }
      if k != ticket { expected.append("\(step):ticket:\(k ? "firing" : "resolved")") }
      page = p
      ticket = k
    }
    let got = out.map {
      let step = $0.t.since(start) / (10 * Nanos.second)
      return "\(step):\($0.labels["severity"] ?? ""):\($0.to.rawValue)"
    }
    #expect(got.sorted() == expected.sorted())
    // What the oracle says, in words: the ticket opens once the data covers its 6h short
    // window, the page fires during the burst and resolves after it.
    #expect(expected.first == "2160:ticket:firing")
    #expect(expected.filter { $0.contains(":page:") }.count == 2)
    #expect(e.health["CheckoutErrorBudgetBurn"] == .ok)
  }

  /// The long-window sums against a brute-force recount, for random samples (some late, some
  /// out of order) over two days, and windows of every level, at ticks on and between bucket
  /// boundaries.
  @Test func longWindowSumsMatchARecount() {
    var rng = SplitMix64(seed: 42)
    var h = CounterHistory()
    let id = SeriesID(3)
    h.track(id)
    let base: Int64 = 1_795_694_400 * Nanos.second
    var samples: [(t: Int64, v: Double)] = []
    var now = base
    for _ in 0..<20_000 {
      now += Int64(rng.next() % 20) * Nanos.second
      // Mostly in order; one in ten up to 10 minutes late.
      let late = rng.next() % 10 == 0 ? Int64(rng.next() % 600) * Nanos.second : 0
      let t = now - late
      let v = Double(rng.next() % 50)
      if h.record(id, at: t, amount: v) { samples.append((t, v)) }
    }
    #expect(samples.count == 20_000)  // nothing older than the levels' horizons
    // Ticks trail the newest data by at most the evaluation delay plus a little.
    for _ in 0..<300 {
      let t = now - Int64(rng.next() % 8) * Nanos.second - Int64(rng.next() % 1000)
      let windows: [Int64] = [
        30 * Nanos.minute, Nanos.hour, 6 * Nanos.hour, 12 * Nanos.hour, 3 * Nanos.day,
        Int64(1 + rng.next() % 2160) * 10 * Nanos.second,
      ]
      for window in windows {
        let width =
          window % (10 * Nanos.second) == 0 && window <= 6 * Nanos.hour
          ? 10 * Nanos.second : 5 * Nanos.minute
        let end = t >= 0 ? t / width * width : (t - width + 1) / width * width
        let expected = samples.reduce(0.0) { $1.t > end - window && $1.t <= end ? $0 + $1.v : $0 }
        let got = h.sum(id, window: window, at: Timestamp(nanoseconds: t))
        #expect(got?.sum == expected, "window \(Nanos.format(window)) at \(t - base)")
      }
    }
    #expect(h.sum(SeriesID(4), window: Nanos.hour, at: Timestamp(nanoseconds: now)) == nil)
    #expect(h.sum(id, window: 7 * Nanos.second, at: Timestamp(nanoseconds: now)) == nil)
  }

  /// Only the series a long-window rule reads are tracked; new series are picked up as they
  /// appear; the number tracked is capped.
  @Test func trackerRegistersOnlyWhatLongRulesRead() {
    let rules = minuteRules(
      Self.rule(Self.slo(BurnRateTests.fastPair)),
      AlertRule(
        name: "ShortRatio", selector: SeriesSelector(metric: "x"),
        aggregate: .ratio(
          num: SeriesSelector(metric: "short_num"), den: SeriesSelector(metric: "short_den")),
        window: 5 * Nanos.minute, op: .greater, noDataAfter: 5 * Nanos.minute))
    var w = World(rules)
    #expect(
      w.tracker.selectors.map(\.metric) == ["checkout_requests_total", "checkout_errors_total"])
    w.add("short_num", minute(1), 1)
    w.add("checkout_requests_total", ["zone": "a"], minute(1), 1)
    w.add("short_den", minute(1), 1)
    w.add("checkout_errors_total", minute(1), 1)
    w.add("checkout_requests_total", ["zone": "b"], minute(2), 1)
    let tracked = (0..<w.interner.count).filter {
      w.store.longCounters.isTracked(SeriesID(UInt32($0)))
    }
    #expect(
      tracked.map { w.interner.key(SeriesID(UInt32($0))).metric }.sorted() == [
        "checkout_errors_total", "checkout_requests_total", "checkout_requests_total",
      ])
    var h = CounterHistory()
    for i in 0..<(CounterHistory.maxTracked + 5) { h.track(SeriesID(UInt32(i))) }
    #expect(h.trackedCount == CounterHistory.maxTracked)
    #expect(h.refusedTotal == 5)
    // About 49 KB per series (16-byte slots, 2160 + 864 of them plus the future slack).
    #expect(h.memoryBytes < CounterHistory.maxTracked * 50_000)
  }
}
