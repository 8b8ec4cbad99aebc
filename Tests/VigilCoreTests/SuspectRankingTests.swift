import Testing

@testable import VigilCore

/// The suspects ranking over small synthetic incidents (``SuspectWorld``): 50 quiet minutes,
/// then a fault; ranked on demand a minute or more after it shows.
@Suite struct SuspectRankingTests {
  static let onset = 50 * 60

  func ranked(
    minutes: Int, at second: Int? = nil, seed: UInt64 = 1,
    effect: @escaping (SuspectWorld.Effect, Int) -> Double
  ) -> [Suspect] {
    let world = SuspectWorld(seconds: minutes * 60, seed: seed, effect: effect)
    let engine = world.engine()
    return engine.rankSuspects(at: SuspectWorld.at(second ?? minutes * 60)).suspects
  }

  @Test func taxSlowNamesTaxAndExplainsCheckoutTotal() throws {
    let suspects = ranked(minutes: 53) { e, s in
      switch e {
      case .api("tax"), .stage("tax"): SuspectWorld.ramp(s, onset: Self.onset, factor: 5)
      default: 1
      }
    }
    let top = try #require(suspects.first)
    #expect(top.component == "tax")
    #expect(top.measure == "p99")
    #expect((top.change ?? 0) > 3)
    #expect(top.explainedBy == nil)
    let onset = try #require(top.onset)
    #expect(abs(onset.since(SuspectWorld.at(Self.onset))) <= 30 * Nanos.second)
    // Checkout total rose a third, after tax: when it deviates at all, tax explains it.
    if let checkout = suspects.first(where: { $0.component == "checkout" }) {
      #expect(checkout.explainedBy == "tax")
      #expect(checkout.score < top.score)
    }
  }

  @Test func paymentTimeoutsRankPaymentAboveTheTicketsThatFollow() throws {
    // Retries x6 and failures x8 from minute 50, tickets x40 fifteen minutes later.
    let suspects = ranked(minutes: 67) { e, s in
      switch e {
      case .retryRatio: SuspectWorld.ramp(s, onset: Self.onset, factor: 6)
      case .failureRatio: SuspectWorld.ramp(s, onset: Self.onset, factor: 8)
      case .tickets: SuspectWorld.ramp(s, onset: Self.onset + 15 * 60, factor: 40)
      default: 1
      }
    }
    let top = try #require(suspects.first)
    #expect(top.component == "payment")
    #expect(top.measure == "ratio")
    #expect(top.series.hasPrefix("payment_"))
    let support = try #require(suspects.first { $0.component == "support" })
    #expect(support.explainedBy == "payment")
    #expect(support.series == "support_tickets_total{reason=order_error}")
  }

  @Test func anErpOutageIsToldFromASyncLagByWhatElseMoved() throws {
    let outage = ranked(minutes: 53) { e, s in
      switch e {
      case .api("erp"): SuspectWorld.ramp(s, onset: Self.onset, factor: 12)
      case .mismatch("oms-erp"), .mismatch("storefront-erp"):
        SuspectWorld.ramp(s, onset: Self.onset, factor: 15)
      case .api("oms"): SuspectWorld.ramp(s, onset: Self.onset, factor: 1.3)
      default: 1
      }
    }
    #expect(outage.first?.component == "erp")
    let pair = try #require(outage.first { $0.component == "oms-erp" })
    #expect(pair.explainedBy == "erp")
    #expect(
      pair.series == "inventory_mismatches_total{pair=oms-erp}/inventory_checks_total{pair=oms-erp}"
    )

    let lag = ranked(minutes: 53) { e, s in
      e == .mismatch("oms-erp") ? SuspectWorld.ramp(s, onset: Self.onset, factor: 15) : 1
    }
    #expect(lag.first?.component == "oms-erp")
    #expect(lag.first?.explainedBy == nil)
    #expect(!lag.contains { $0.component == "erp" })
  }

  @Test func anOmsBacklogNamesOms() {
    let suspects = ranked(minutes: 54) { e, s in
      switch e {
      case .delay: SuspectWorld.ramp(s, onset: Self.onset, factor: 4, ramp: 120)
      case .api("oms"): SuspectWorld.ramp(s, onset: Self.onset, factor: 2, ramp: 120)
      default: 1
      }
    }
    #expect(suspects.first?.component == "oms")
    #expect(suspects.count == 1)  // both of its series, one suspect
  }

  @Test func aTrafficSpikeAloneNamesNoSuspect() {
    let suspects = ranked(minutes: 53) { e, s in
      guard s >= Self.onset else { return 1 }
      switch e {
      case .traffic: return 5
      case .allLatency: return 1.35
      default: return 1
      }
    }
    #expect(suspects.isEmpty)
  }

  @Test func nothingDeviatingMeansNoSuspects() {
    #expect(ranked(minutes: 40) { _, _ in 1 }.isEmpty)
    // Too little history for a baseline: nothing is judged, even a fault.
    #expect(ranked(minutes: 8) { e, s in e == .api("tax") && s > 6 * 60 ? 10 : 1 }.isEmpty)
  }

  @Test func theCauseThatMovedFirstWinsANearTie() throws {
    // Cart and search x3 (unrelated components), cart from minute 45, search from minute 49.
    let suspects = ranked(minutes: 52) { e, s in
      switch e {
      case .api("cart"): SuspectWorld.ramp(s, onset: 45 * 60, factor: 3)
      case .api("search"): SuspectWorld.ramp(s, onset: 49 * 60, factor: 3)
      default: 1
      }
    }
    #expect(suspects.map(\.component).prefix(2) == ["cart", "search"])
    let cart = try #require(suspects.first?.onset)
    let search = try #require(suspects.dropFirst().first?.onset)
    #expect(search.since(cart) > 3 * Nanos.minute)
  }

  @Test func magnitudeBeatsAnEarlierSmallMove() {
    // Catalog x1.8 from minute 46; pricing x7 from minute 49: the bigger move wins.
    let suspects = ranked(minutes: 52) { e, s in
      switch e {
      case .api("catalog"): SuspectWorld.ramp(s, onset: 46 * 60, factor: 1.8)
      case .api("pricing"), .stage("pricing"): SuspectWorld.ramp(s, onset: 49 * 60, factor: 7)
      default: 1
      }
    }
    #expect(suspects.first?.component == "pricing")
  }

  @Test func outliersInTheBaselineHourDoNotHideOrFakeASuspect() {
    // Tax spikes x10 for three single minutes in the baseline hour, then inventory slows.
    let suspects = ranked(minutes: 53) { e, s in
      switch e {
      case .api("tax"): [12, 25, 38].contains(s / 60) ? 10 : 1
      case .api("inventory"), .stage("inventory"):
        SuspectWorld.ramp(s, onset: Self.onset, factor: 4)
      default: 1
      }
    }
    #expect(suspects.first?.component == "inventory")
    #expect(!suspects.contains { $0.component == "tax" })
  }

  @Test func atMostFiveSuspectsBestFirst() {
    let suspects = ranked(minutes: 53) { e, s in
      guard case .api(let name) = e, !["erp", "oms"].contains(name) else { return 1 }
      let factor = Double(3 + (SuspectWorld.services.firstIndex { $0.0 == name } ?? 0))
      return SuspectWorld.ramp(s, onset: Self.onset, factor: factor)
    }
    #expect(suspects.count == 5)
    #expect(zip(suspects, suspects.dropFirst()).allSatisfy { $0.score >= $1.score })
  }
}

extension SuspectRankingTests {
  @Test func aQuietSeriesDoublingUnderItsFloorIsNoSuspect() {
    // Cart at ~8 ms doubles to ~16 ms: x2, but 8 ms is under the 20 ms floor of a p99.
    let suspects = ranked(minutes: 53) { e, s in
      e == .api("cart") ? (s < Self.onset ? 0.2 : 0.4) : 1
    }
    #expect(suspects.isEmpty)
  }
}

extension SuspectRankingTests {
  @Test func aCoupleOfEventsOnAMostlyZeroRatioIsNoSuspectButARealRiseIs() {
    // No mismatches on oms-erp for 50 minutes (600 checks a minute), then about 2 a minute.
    let blip = ranked(minutes: 53) { e, s in
      e == .mismatch("oms-erp") ? (s < Self.onset ? 0 : 1.7) : 1
    }
    #expect(!blip.contains { $0.component == "oms-erp" })
    // About 20 a minute: the pair is the suspect.
    let rise = ranked(minutes: 53) { e, s in
      e == .mismatch("oms-erp") ? (s < Self.onset ? 0 : 17) : 1
    }
    #expect(rise.first?.component == "oms-erp")
    #expect(rise.first?.change == nil)  // the baseline median is 0
  }
}

/// The engine ranks at every transition to firing, and keeps the newest rankings.
@Suite struct EngineSuspectRankingsTests {
  @Test func aRankingIsKeptForEachFiringWithItsAlert() throws {
    let rules = try RulesLoader.parse(CheckSuspectsTests.rules, file: "rules.yaml").get()
    let world = SuspectWorld(seconds: 19 * 60, seed: 5) { e, s in
      e == .api("tax") || e == .stage("tax") ? SuspectWorld.ramp(s, onset: 16 * 60, factor: 5) : 1
    }
    let engine = world.engine(rules: rules)
    let ranking = try #require(engine.suspectRankings.last)
    #expect(engine.suspectRankings.count == 1)
    #expect(ranking.alert == "TaxSlow")
    #expect(ranking.labels == ["service": "tax", "severity": "page"])
    #expect(ranking.suspects.first?.component == "tax")
    #expect(ranking.t > SuspectWorld.at(16 * 60) && ranking.t < SuspectWorld.at(18 * 60))
    // On demand, at the same tick: the same suspects, no alert.
    let now = engine.rankSuspects(at: ranking.t)
    #expect(now.alert == nil && now.suspects == ranking.suspects)
  }

  @Test func rankingsAreBoundedNewestKept() {
    var d = EngineDiagnosis()
    d.maxRankings = 3
    for k in 0..<5 {
      d.append(SuspectRanking(t: .seconds(Int64(k)), alert: "A", labels: .empty, suspects: []))
    }
    #expect(d.rankings.map(\.t) == [.seconds(2), .seconds(3), .seconds(4)])
  }
}
