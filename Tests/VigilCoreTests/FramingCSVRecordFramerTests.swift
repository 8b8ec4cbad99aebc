import Testing
import VigilTestSupport

@testable import VigilCore

/// The reference for well-formed CSV: split into lines, then join lines while the record has
/// an odd number of quotes (an open quoted field).
private func oracle(_ data: [UInt8], max: Int) -> FramedOutput {
  var pieces = data.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
  if pieces.last?.isEmpty == true { pieces.removeLast() }
  var out = FramedOutput()
  var k = 0
  while k < pieces.count {
    let first = k + 1
    var record = pieces[k]
    k += 1
    while record.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1 && k < pieces.count {
      record += [0x0A] + pieces[k]
      k += 1
    }
    if record.count > max {
      out.oversized.append(first)
      continue
    }
    if record.last == 0x0D { record.removeLast() }
    out.records.append(FramedRecord(line: first, bytes: record))
  }
  return out
}

private let corpus: [UInt8] = Array(
  ("ts,service,msg\r\n"
    + "1,checkout,\"a, \"\"b\"\"\nc\"\r\n"
    + "2,search,plain\n"
    + "\n"
    + "3,\"multi\nline\nfield with ünïcödé 🎉\",x\n"
    + "4,\"\"\"\",\"\"\n"
    + "5,\"quoted, \r\ncrlf inside\",y\r\n"
    + "6,last,\"no newline\"").utf8)

@Suite struct FramingCSVRecordFramerTests {
  @Test func f28QuotedNewlineDoesNotSplitTheRecord() {
    var framer = CSVRecordFramer()
    let got = frame(
      &framer, Array("ts,service,msg\n1,checkout,\"a, \"\"b\"\"\nc\"\n".utf8), chunkSize: 3)
    #expect(
      got.records == [
        .init(line: 1, "ts,service,msg"), .init(line: 2, "1,checkout,\"a, \"\"b\"\"\nc\""),
      ])
    #expect(framer.nextLine == 4)
  }

  @Test func everyChunkSizeMatchesTheOracle() {
    let expected = oracle(corpus, max: 65_536)
    #expect(expected.records.count == 8)
    #expect(expected.records.map(\.line) == [1, 2, 4, 5, 6, 9, 10, 12])
    for size in 1...500 {
      var framer = CSVRecordFramer()
      let got = frame(&framer, corpus, chunkSize: size)
      #expect(got == expected, "chunk size \(size)")
      if got != expected { return }
    }
  }

  @Test func oversizedRecordsSpanningLinesAreSkippedWhole() {
    let data = Array(
      "h1,h2\nshort,\"x\n\(String(repeating: "q", count: 50))\nstill inside\",end\nok,1\n".utf8)
    let expected = oracle(data, max: 30)
    #expect(expected.oversized == [2])
    #expect(expected.records.map(\.line) == [1, 5])
    for size in 1...80 {
      var framer = CSVRecordFramer(maxRecordBytes: 30)
      var maxBuffered = 0
      let got = frame(&framer, data, chunkSize: size) {
        maxBuffered = max(maxBuffered, $0.bufferedBytes)
      }
      #expect(got == expected, "chunk size \(size)")
      #expect(maxBuffered <= 30)
    }
  }

  @Test func strayQuoteInABareFieldDoesNotOpenAQuote() {
    var framer = CSVRecordFramer()
    let got = frame(&framer, Array("a,b\"c,d\ne,f\n".utf8), chunkSize: 1)
    #expect(got.records == [.init(line: 1, "a,b\"c,d"), .init(line: 2, "e,f")])
  }

  @Test func unterminatedQuoteIsEmittedAtFinish() {
    var framer = CSVRecordFramer()
    let got = frame(&framer, Array("a,\"open\nstill open\n".utf8), chunkSize: 4)
    #expect(got.records == [.init(line: 1, "a,\"open\nstill open\n")])
  }

  @Test func semicolonDelimiter() {
    var framer = CSVRecordFramer(delimiter: UInt8(ascii: ";"))
    let got = frame(&framer, Array("a;\"x;\ny\";b\n".utf8), chunkSize: 2)
    #expect(got.records == [.init(line: 1, "a;\"x;\ny\";b")])
  }

  @Test func resetDropsAPartialMultilineRecord() {
    var framer = CSVRecordFramer()
    var out = frame(&framer, Array("h\n\"open\nmore".utf8), chunkSize: 3, finish: false)
    #expect(out.records == [.init(line: 1, "h")])
    #expect(framer.nextLine == 2)
    framer.reset(line: 1)
    out = frame(&framer, Array("x\n\"y\"\n".utf8), chunkSize: 1)
    #expect(out.records == [.init(line: 1, "x"), .init(line: 2, "\"y\"")])
  }

  @Test func seventyKilobyteQuotedFieldIsSkipped() {
    var data = Array("h,v\n1,\"".utf8)
    data += [UInt8](repeating: UInt8(ascii: "\n"), count: 70_000)
    data += Array("\"\n2,3\n".utf8)
    var framer = CSVRecordFramer()
    let got = frame(&framer, data, chunkSize: 8192)
    #expect(got.oversized == [2])
    #expect(got.records == [.init(line: 1, "h,v"), .init(line: 70_003, "2,3")])
  }
}
