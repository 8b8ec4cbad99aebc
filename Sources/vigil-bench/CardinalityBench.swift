import Foundation
import VigilApp
import VigilCore
import VigilDemo

// `--cardinality`: the id-carrying checkout feed of issue 12 (60 minutes, about 1.5 M lines,
// 90 k orders whose `order_placed`/`order_confirmed` lines carry `order_id`, a payment-gateway
// incident from minute 25 to 40), written with and without its order lines; then, each in a
// child process, peak RSS of the dashboard's ingest path and of `vigil check` (the `vigil`
// binary beside this one, under `/usr/bin/time -v`), with what each made of the feed.
//
//   swift build -c release --product vigil-bench --product vigil
//   .build/release/vigil-bench --cardinality [--dir DIR]

/// Writes (or reuses) the checkout feed; returns its path and line count.
func checkoutFeedFile(orderLines: Bool) -> (String, Int) {
  let path = "\(dir)/checkout-\(orderLines ? "orders" : "plain").jsonl"
  if let text = try? String(contentsOfFile: path + ".count", encoding: .utf8), let n = Int(text) {
    return (path, n)
  }
  var feed = CheckoutFeed()
  feed.orderLines = orderLines
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  guard let h = FileHandle(forWritingAtPath: path) else { fatalError("cannot write \(path)") }
  var lines = 0
  var second = 0
  while second < feed.seconds {
    var chunk = ""
    for _ in 0..<60 where second < feed.seconds {
      feed.lines(second: second, into: &chunk)
      second += 1
    }
    lines += chunk.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    h.write(Data(chunk.utf8))
  }
  h.closeFile()
  try? String(lines).write(toFile: path + ".count", atomically: true, encoding: .utf8)
  return (path, lines)
}

/// The child: ingests `path` through the dashboard's `update` and prints what it made of it.
func cardinalityChild(path: String) -> String {
  var state = freshState()
  let lines = ingest(path: path, state: &state)
  let interner = state.engine.interner
  let folds = interner.cardinality.filter { !$0.folds.isEmpty }.map(\.foldText)
  let refused = interner.cardinality.filter { !$0.refused.isEmpty }.map(\.refusedText)
  return "rss_kib \(peakRSSKiB()) lines \(lines) rejected \(state.totalRejected) "
    + "series \(interner.count) retired \(interner.retiredCount); folded "
    + (folds.isEmpty ? "nothing" : folds.joined(separator: "; ")) + "; refused "
    + (refused.isEmpty ? "nothing" : refused.joined(separator: "; "))
}

/// Runs `executable` with `arguments`; its standard output and error (through a file).
func run(_ executable: String, _ arguments: [String]) -> (String, String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: executable)
  p.arguments = arguments
  let out = Pipe()
  let errPath = "\(dir)/cardinality-stderr.txt"
  _ = FileManager.default.createFile(atPath: errPath, contents: nil)
  let errFile = FileHandle(forWritingAtPath: errPath)
  p.standardOutput = out
  p.standardError = errFile
  do { try p.run() } catch { return ("", "cannot run \(executable): \(error)") }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  errFile?.closeFile()
  let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
  return (String(decoding: outData, as: UTF8.self), err)
}

/// Peak RSS of `vigil check FILE` in KiB (from `/usr/bin/time -v`) and check's summary.
func checkRSS(vigil: String, path: String) -> (Int, String)? {
  guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time"),
    FileManager.default.isExecutableFile(atPath: vigil)
  else { return nil }
  let (_, err) = run("/usr/bin/time", ["-v", vigil, "check", path])
  var kib = 0
  var summary: [String] = []
  for line in err.split(separator: "\n") {
    if line.contains("Maximum resident set size") {
      kib = Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
    } else if line.hasPrefix("check:") || line.hasPrefix("  series") || line.hasPrefix("  folded")
      || line.hasPrefix("  refused")
    {
      summary.append(String(line))
    }
  }
  return (kib, summary.joined(separator: "\n    "))
}

/// The whole `--cardinality` run.
func cardinalityBench() {
  let me = CommandLine.arguments[0]
  let vigil = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("vigil")
    .path
  var dashboard: [Int] = []
  var check: [Int] = []
  for orderLines in [false, true] {
    let (path, lines) = checkoutFeedFile(orderLines: orderLines)
    let name = orderLines ? "with order lines" : "without order lines"
    print("checkout feed \(name): \(path), \(lines) lines")
    let (out, _) = run(me, ["--cardinality-child", path, "--dir", dir])
    let text = out.trimmingCharacters(in: .whitespacesAndNewlines)
    let kib = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    dashboard.append(kib)
    print("  dashboard ingest: peak RSS \(mb(kib)) (\(text))")
    if let (kib, summary) = checkRSS(vigil: vigil, path: path) {
      check.append(kib)
      print("  vigil check: peak RSS \(mb(kib))\n    \(summary)")
    } else {
      print("  vigil check: \(vigil) or /usr/bin/time not found")
    }
  }
  print(
    "order lines cost: dashboard +\(dashboard.count == 2 ? mb(dashboard[1] - dashboard[0]) : "?")"
      + ", check +\(check.count == 2 ? mb(check[1] - check[0]) : "?")")
}
