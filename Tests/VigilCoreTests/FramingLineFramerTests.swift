import Testing
import VigilTestSupport

@testable import VigilCore

/// The reference: stdlib `split` on `\n`, a last empty piece dropped, one `\r` dropped,
/// pieces longer than `max` (before dropping `\r`) reported as oversized.
private func oracle(_ data: [UInt8], max: Int, firstLine: Int = 1) -> FramedOutput {
  var pieces = data.split(separator: 0x0A, omittingEmptySubsequences: false)
  if pieces.last?.isEmpty == true { pieces.removeLast() }
  var out = FramedOutput()
  for (k, piece) in pieces.enumerated() {
    let line = firstLine + k
    if piece.count > max {
      out.oversized.append(line)
      continue
    }
    var bytes = Array(piece)
    if bytes.last == 0x0D { bytes.removeLast() }
    out.records.append(FramedRecord(line: line, bytes: bytes))
  }
  return out
}

private let corpus: [UInt8] = {
  var s = ""
  s += "{\"ts\":\"2026-11-26T10:00:00Z\",\"metric\":\"a\",\"value\":1}\n"
  s += "\n"  // empty line
  s += "crlf line\r\n"
  s += "\r\n"  // empty CRLF line
  s += "only\rinner cr stays\n"
  s += "héllo wörld — ünïcödé 日本語 🎉🎉 split anywhere\n"
  s += String(repeating: "x", count: 300) + "\n"  // long, under the default limit
  s += "\n\n\n"
  s += "tab\tseparated\tline\r\n"
  s += "last line without newline 🎉"
  return Array(s.utf8)
}()

/// A corpus with lines around a small limit (40): exactly 40, 41, CRLF at the edge, and an
/// overlong unterminated last line.
private let edgeCorpus: [UInt8] = {
  var s = ""
  s += String(repeating: "a", count: 40) + "\n"
  s += String(repeating: "b", count: 41) + "\n"
  s += String(repeating: "c", count: 39) + "\r\n"  // 40 bytes with the CR
  s += String(repeating: "d", count: 40) + "\r\n"  // 41 bytes with the CR: oversized
  s += "short\n"
  s += String(repeating: "é", count: 30) + "\n"  // 60 bytes: oversized
  s += "\n"
  s += String(repeating: "e", count: 100) + "\n"
  s += "after\n"
  s += String(repeating: "f", count: 45)  // unterminated and oversized
  return Array(s.utf8)
}()

@Suite struct FramingLineFramerTests {
  @Test func everyChunkSizeMatchesTheSplitOracle() {
    let expected = oracle(corpus, max: 65_536)
    #expect(expected.records.count == 12)
    for size in 1...500 {
      var framer = LineFramer()
      let got = frame(&framer, corpus, chunkSize: size)
      #expect(got == expected, "chunk size \(size)")
      if got != expected { return }
    }
  }

  @Test func everyChunkSizeMatchesTheOracleAroundTheLimit() {
    let expected = oracle(edgeCorpus, max: 40)
    #expect(expected.oversized == [2, 4, 6, 8, 10])
    for size in 1...500 {
      var framer = LineFramer(maxRecordBytes: 40)
      var maxBuffered = 0
      let got = frame(&framer, edgeCorpus, chunkSize: size) { f in
        maxBuffered = max(maxBuffered, f.bufferedBytes)
      }
      #expect(got == expected, "chunk size \(size)")
      #expect(maxBuffered <= 40, "chunk size \(size)")
      #expect(framer.nextLine == 11)
      if got != expected { return }
    }
  }

  @Test func randomCorpusAgainstOracle() {
    var rng = SplitMix64(seed: 42)
    let alphabet: [UInt8] = Array("ab\r\n\n é,\"".utf8)
    for round in 0..<40 {
      let n = Int(rng.next() % 2000)
      let data = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      let limit = Int(rng.next() % 30) + 1
      let expected = oracle(data, max: limit)
      let size = Int(rng.next() % 64) + 1
      var framer = LineFramer(maxRecordBytes: limit)
      #expect(frame(&framer, data, chunkSize: size) == expected, "round \(round)")
    }
  }

  @Test func seventyKilobyteLineIsSkippedWithoutBuffering() {
    var data = Array("before\n".utf8)
    data += [UInt8](repeating: UInt8(ascii: "z"), count: 70_000)
    data += Array("\nafter\n".utf8)
    for size in [1, 7, 4096, 65_536, 200_000] {
      var framer = LineFramer()
      var maxBuffered = 0
      let got = frame(&framer, data, chunkSize: size) {
        maxBuffered = max(maxBuffered, $0.bufferedBytes)
      }
      #expect(
        got
          == FramedOutput(
            records: [.init(line: 1, "before"), .init(line: 3, "after")], oversized: [2]),
        "chunk size \(size)")
      #expect(maxBuffered <= 65_536)
    }
  }

  @Test func finishEmitsTheUnterminatedLineOnce() {
    var framer = LineFramer()
    var batch = RecordBatch()
    Array("a\nb".utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    #expect(batch.count == 1)
    #expect(framer.bufferedBytes == 1)
    #expect(framer.nextLine == 2)
    framer.finish(into: &batch)
    #expect(batch.count == 2 && batch.record(1) == Array("b".utf8) && batch.lines[1] == 2)
    framer.finish(into: &batch)
    #expect(batch.count == 2)
    #expect(framer.nextLine == 3)
  }

  @Test func finishWhileSkippingEmitsNothingMore() {
    var framer = LineFramer(maxRecordBytes: 4)
    let got = frame(&framer, Array("ok\ntoolong".utf8), chunkSize: 3)
    #expect(got == FramedOutput(records: [.init(line: 1, "ok")], oversized: [2]))
  }

  @Test func resetDropsThePartialLineAndRenumbers() {
    var framer = LineFramer()
    var out = frame(&framer, Array("one\ntwo\nhalf".utf8), chunkSize: 5, finish: false)
    #expect(framer.bufferedBytes == 4)
    framer.reset(line: 1)
    #expect(framer.bufferedBytes == 0)
    #expect(framer.nextLine == 1)
    let after = frame(&framer, Array("new\nnext\n".utf8), chunkSize: 2)
    out.records += after.records
    #expect(
      out.records == [
        .init(line: 1, "one"), .init(line: 2, "two"), .init(line: 1, "new"),
        .init(line: 2, "next"),
      ])
  }

  @Test func resetWhileSkippingAnOversizedLine() {
    var framer = LineFramer(maxRecordBytes: 3)
    var out = frame(&framer, Array("abcdefgh".utf8), chunkSize: 2, finish: false)
    #expect(out.oversized == [1])
    framer.reset(line: 10)
    out = frame(&framer, Array("xy\nz".utf8), chunkSize: 1)
    #expect(out.records == [.init(line: 10, "xy"), .init(line: 11, "z")])
  }

  @Test func zeroLimitKeepsOnlyEmptyLines() {
    var framer = LineFramer(maxRecordBytes: 0)
    let got = frame(&framer, Array("\na\n\r\n\n".utf8), chunkSize: 1)
    #expect(
      got == FramedOutput(records: [.init(line: 1, ""), .init(line: 4, "")], oversized: [2, 3]))
  }

  @Test func byteSearchFindsEveryPosition() {
    for n in 0..<40 {
      for at in 0...n {
        var bytes = [UInt8](repeating: 0x61, count: n)
        if at < n { bytes[at] = 0x0A }
        // Bytes that differ from the target by one bit must not match.
        if at > 0 { bytes[at - 1] = 0x0B }
        let found = bytes.withUnsafeBytes { firstIndex(of: 0x0A, in: $0, from: 0, to: n) }
        #expect(found == at)
      }
    }
    let mixed: [UInt8] = Array("abcdefgh".utf8) + [0xC3, 0xA9] + Array("xyz".utf8)
    #expect(mixed.withUnsafeBytes { firstNonASCII(in: $0) } == 8)
    #expect(Array("plain ascii text".utf8).withUnsafeBytes { firstNonASCII(in: $0) } == 16)
  }
}
