import Foundation
import VigilApp
import VigilCore
import VigilRender

/// The latency heatmap's cost: a 120x40 heatmap over 10 series x 90 buckets (the 15 m window,
/// 10 s buckets, 20 samples per second per series), build (`MetricStore.distribution`) plus
/// draw (with the p99 bin of each bucket marked), against the full dashboard view of `state` at
/// 120x40; and the cost of exact p99 values per bucket (`quantiles: [0.99]`, which merges each
/// bucket's sketches). Returns the report line.
func heatmapBench(state: AppState) -> String {
  var store = MetricStore()
  let t0 = Timestamp.seconds(1_795_687_200)
  let ids = (0..<10).map { SeriesID(UInt32($0)) }
  var rng = UInt64(42)
  let seconds = 900
  var now = t0
  for second in 0..<seconds {
    now = t0.adding(Int64(second + 1) * Nanos.second)
    for (i, id) in ids.enumerated() {
      for k in 0..<20 {
        rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        // Log-uniform over three decades per series, shifted by series: 1 ms to 10 s.
        let u = Double(rng >> 11) * 0x1p-53
        let value = pow(10, Double(i % 4) * 0.3 + 3 * u)
        let ts = t0.adding(Int64(second) * Nanos.second + Int64(k) * 50_000_000)
        _ = store.ingest(Sample(series: id, timestamp: ts, value: value), now: now)
      }
    }
  }
  let size = Size(width: 120, height: 40)
  var buffer = ScreenBuffer(size: size)
  let reps = 200
  var buckets = 0
  var build = 0.0
  var draw = 0.0
  for _ in 0..<reps {
    var d: Distribution?
    build += benchSeconds {
      d = store.distribution(
        ids, window: 15 * Nanos.minute, at: now, bins: .fromData(count: size.height),
        quantiles: [])
    }
    guard let d else { continue }
    buckets = d.bucketCount
    draw += benchSeconds {
      Heatmap(d, label: { Format.millis($0) }, threshold: 2000, theme: .standard)
        .draw(in: buffer.bounds, on: &buffer, glyphs: .unicode)
    }
  }
  let withValues = benchSeconds {
    for _ in 0..<reps {
      _ = store.distribution(
        ids, window: 15 * Nanos.minute, at: now, bins: .fromData(count: size.height),
        quantiles: [0.99])
    }
  }
  var s = state
  s.ui.size = size
  var frame = ScreenBuffer(size: size)
  var view = 0.0
  for i in 0..<reps {
    s.ui.focus = i % 6
    view += benchSeconds { renderApp(s, into: &frame, glyphs: .unicode) }
  }
  let perBuild = build / Double(reps) * 1000
  let perDraw = draw / Double(reps) * 1000
  let perView = view / Double(reps) * 1000
  return "heatmap 120x40, 10 series x \(buckets) buckets: build \(Format.fixed(perBuild, 3)) ms + "
    + "draw \(Format.fixed(perDraw, 3)) ms = \(Format.fixed((perBuild + perDraw) / perView, 2))x "
    + "the full 120x40 dashboard view (\(Format.fixed(perView, 3)) ms); with exact p99 values "
    + "per bucket (sketch merges) the build takes \(Format.fixed(withValues / Double(reps) * 1000, 3)) ms"
}

/// Seconds `body` takes (monotonic clock).
func benchSeconds(_ body: () -> Void) -> Double {
  let t0 = monotonicNanos()
  body()
  return Double(monotonicNanos() - t0) / 1e9
}
