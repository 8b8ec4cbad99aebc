import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One seeded incident: when the fault starts, how hard it hits, how fast it ramps, and the
/// traffic spikes around it. Everything is drawn from `seed` (and the kind), so the same settings
/// give the same plan; ``IncidentModel`` turns the plan into per-second curves.
public struct IncidentPlan: Sendable, Equatable {
  /// A traffic spike: checkouts and requests times `factor` (3-6), latencies up 10-40 %.
  public struct Spike: Sendable, Equatable {
    /// Seconds from the start of the feed.
    public var start: Int
    public var end: Int
    public var factor: Double
    public init(start: Int, end: Int, factor: Double) {
      (self.start, self.end, self.factor) = (start, end, factor)
    }
  }

  public var kind: IncidentKind
  public var seed: UInt64
  /// Seconds of fault-free feed before the onset.
  public var baseline: Int
  /// Seconds of feed from the onset to the end.
  public var duration: Int
  public var severity: Double
  /// Seconds from the onset until the fault is at full severity (30-180).
  public var ramp: Int
  /// The service `service-slow` slows (cart, catalog or search; empty for other kinds).
  public var service: String
  public var spikes: [Spike]
  /// Phase of the slow traffic drift (radians).
  public var driftPhase: Double

  /// Seconds from the start at which the fault begins.
  public var onset: Int { baseline }
  /// Seconds of feed in all.
  public var seconds: Int { baseline + duration }

  /// The component a diagnosis must name first (`nil` for `none`).
  public var component: String? {
    kind == .serviceSlow ? service : kind.fixedComponent
  }

  /// Draws a plan. `severity` overrides the seed's draw; `spike` forces a spike of that factor
  /// overlapping the onset (otherwise half the seeds get one, of 3-6x).
  public init(
    kind: IncidentKind, seed: UInt64, baseline: Int = 3_600, duration: Int = 1_800,
    severity: Double? = nil, spike: Double? = nil
  ) {
    var rng = DemoRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 0x1234_5678)
    self.kind = kind
    self.seed = seed
    self.baseline = max(0, baseline)
    self.duration = max(1, duration)
    let r = kind.severityRange
    let drawn = r.lowerBound + rng.unit() * (r.upperBound - r.lowerBound)
    self.severity = ((severity ?? drawn) * 100).rounded() / 100
    ramp = 30 + Int(clamping: (rng.unit() * 150).rounded())
    let pick = Int(clamping: UInt64(rng.next() % 3))
    service = kind == .serviceSlow ? IncidentKind.slowableServices[pick] : ""
    driftPhase = rng.unit() * 2 * Double.pi
    spikes = IncidentPlan.drawSpikes(&rng, baseline: self.baseline, force: spike)
  }

  /// Up to two spikes in the baseline (in its first and second half), and one overlapping the
  /// onset for half the seeds or when forced.
  static func drawSpikes(_ rng: inout DemoRandom, baseline: Int, force: Double?) -> [Spike] {
    var out: [Spike] = []
    func factor() -> Double { ((3 + rng.unit() * 3) * 10).rounded() / 10 }
    func length() -> Int { 180 + Int(clamping: (rng.unit() * 420).rounded()) }
    let count = Int(clamping: UInt64(rng.next() % 3))
    let half = baseline / 2
    for k in 0..<count where half >= 1_500 {
      let len = length()
      let lo = k == 0 ? 300 : half
      let hi = max(lo, (k == 0 ? half : baseline - 600) - len)
      let start = lo + Int(clamping: (rng.unit() * Double(hi - lo)).rounded())
      out.append(Spike(start: start, end: start + len, factor: factor()))
    }
    let overlap = rng.unit() < 0.5
    let f = factor()
    let len = 300 + Int(clamping: (rng.unit() * 300).rounded())
    let lead = Int(clamping: (rng.unit() * 240).rounded())
    if let force {
      out.append(Spike(start: max(0, baseline - lead), end: baseline - lead + len, factor: force))
    } else if overlap {
      out.append(Spike(start: max(0, baseline - lead), end: baseline - lead + len, factor: f))
    }
    return out
  }

  /// How far into the fault `second` is: 0 before the onset, rising linearly to 1 over the ramp.
  public func fault(_ second: Double) -> Double {
    guard kind != .none, second >= Double(onset) else { return 0 }
    return min(1, (second - Double(onset)) / Double(max(1, ramp)))
  }

  /// How much of a spike is on at `second` (0...1 each, one-minute ramps) times its factor - 1;
  /// the largest when spikes overlap.
  public func spikeExcess(_ second: Double) -> (traffic: Double, latency: Double) {
    var best = (traffic: 0.0, latency: 0.0)
    for s in spikes {
      let a = Double(s.start)
      let b = Double(s.end)
      guard second > a, second < b else { continue }
      let on = min(1, (second - a) / 60, (b - second) / 60)
      let t = (s.factor - 1) * on
      if t > best.traffic {
        // Latencies rise 10 % at x3 to 40 % at x6.
        best = (t, on * (0.1 + 0.3 * min(1, max(0, (s.factor - 3) / 3))))
      }
    }
    return best
  }

  /// Traffic relative to the average: a slow drift (±15 % over 90 minutes) times the spikes.
  public func traffic(_ second: Double) -> Double {
    let drift = 1 + 0.15 * sin(2 * Double.pi * second / 5_400 + driftPhase)
    return drift * (1 + spikeExcess(second).traffic)
  }
}
