import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct FramingExpositionFramerTests {
  static let stream = """
    # TYPE a counter
    a_total 1
    # EOF
    # TYPE a counter
    a_total 2

    # EOF
    b 3
    """

  @Test(arguments: [1, 2, 3, 7, 16, 64, 500])
  func splitsAtEOFLinesWhateverTheChunks(_ chunk: Int) {
    var framer = ExpositionFramer()
    let out = frame(&framer, Array(Self.stream.utf8), chunkSize: chunk)
    #expect(
      out.records == [
        FramedRecord(line: 1, "# TYPE a counter\na_total 1\n# EOF\n"),
        FramedRecord(line: 4, "# TYPE a counter\na_total 2\n\n# EOF\n"),
        FramedRecord(line: 8, "b 3"),
      ])
    #expect(out.oversized.isEmpty)
  }

  @Test func nothingIsEmittedBeforeEOFOrTheEnd() {
    var framer = ExpositionFramer()
    let out = frame(&framer, Array("a 1\nb 2\n".utf8), chunkSize: 3, finish: false)
    #expect(out.records.isEmpty)
    #expect(framer.bufferedBytes == 8)
    var batch = RecordBatch()
    framer.finish(into: &batch)
    #expect(batch.count == 1 && batch.record(0) == Array("a 1\nb 2\n".utf8))
  }

  @Test func blankTailIsNoRecord() {
    var framer = ExpositionFramer()
    let out = frame(&framer, Array("a 1\n# EOF\n\n  \n".utf8), chunkSize: 4)
    #expect(out.records == [FramedRecord(line: 1, "a 1\n# EOF\n")])
  }

  @Test(arguments: [1, 5, 64])
  func oversizedRecordIsSkippedToItsEOF(_ chunk: Int) {
    var framer = ExpositionFramer(maxRecordBytes: 20)
    let data = "a 1\n# EOF\nbig 1234567890\nbig2 1234567890\n# EOF\nc 3\n# EOF\n"
    let out = frame(&framer, Array(data.utf8), chunkSize: chunk) {
      #expect($0.bufferedBytes <= 40)
    }
    #expect(
      out.records == [FramedRecord(line: 1, "a 1\n# EOF\n"), FramedRecord(line: 6, "c 3\n# EOF\n")])
    #expect(out.oversized == [3])
  }

  @Test func oversizedLineInsideARecord() {
    var framer = ExpositionFramer(maxRecordBytes: 10)
    let data = "x 1\n" + String(repeating: "y", count: 50) + "\nz 2\n# EOF\nok 1\n"
    let out = frame(&framer, Array(data.utf8), chunkSize: 8)
    #expect(out.records == [FramedRecord(line: 5, "ok 1\n")])
    #expect(out.oversized == [1])
  }

  @Test func resetDropsThePartialRecord() {
    var framer = ExpositionFramer()
    var batch = RecordBatch()
    Array("a 1\nb".utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    framer.reset(line: 1)
    Array("c 2\n# EOF\n".utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    #expect(batch.count == 1 && batch.record(0) == Array("c 2\n# EOF\n".utf8))
    #expect(batch.lines == [1])
  }

  /// A pump with the format set frames whole expositions, and its parser sees one body.
  @Test func pumpAndParserTogether() {
    var pump = RecordPump(format: .openmetrics)
    var batch = RecordBatch()
    let data = "# TYPE c counter\nc_total 1\n# EOF\n# TYPE c counter\nc_total 4\n# EOF\n"
    Array(data.utf8).withUnsafeBytes { pump.push($0, into: &batch) }
    pump.finish(into: &batch)
    #expect(batch.count == 2)
    var parser = Parsers.make(.openmetrics, mapping: FieldMapping())
    var sink = ParseSink()
    for i in 0..<batch.count {
      batch.withRecord(i) {
        parser.parse($0, line: $1, arrival: testArrival.adding(Int64(i)), into: &sink)
      }
    }
    #expect(sink.issues.isEmpty)
    #expect(sink.samples.map(\.value) == [3])
  }
}
