// vigil-fuzz: the fuzz targets of Fuzz/run.sh.
//
// Built normally it replays inputs: `vigil-fuzz TARGET FILE|DIR...` runs every file through the
// target (a crash reproduces; CI replays the committed corpus). Built by Fuzz/run.sh with
// `-D VIGIL_FUZZ`, sanitizer coverage and libFuzzer, `VIGIL_FUZZ_TARGET=TARGET vigil-fuzz
// [libFuzzer flags] [CORPUS...]` fuzzes it.
import Foundation

#if VIGIL_FUZZ
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  nonisolated(unsafe) var selected: FuzzTarget?

  if CommandLine.arguments.dropFirst().first == "--list" {
    for t in FuzzTargets.all { print(t.name, t.maxLen) }
    exit(0)
  }
  let env = ProcessInfo.processInfo.environment
  guard let name = env["VIGIL_FUZZ_TARGET"], let target = FuzzTargets.named(name) else {
    let names = FuzzTargets.all.map(\.name).joined(separator: " ")
    FileHandle.standardError.write(Data("set VIGIL_FUZZ_TARGET to one of: \(names)\n".utf8))
    exit(2)
  }
  selected = target
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
      let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
      selected?.run(bytes)
      return 0
    })
#else
  let args = Array(CommandLine.arguments.dropFirst())
  if args.first == "--list" {
    for t in FuzzTargets.all { print(t.name, t.maxLen) }
    exit(0)
  }
  guard let name = args.first, let target = FuzzTargets.named(name) else {
    let names = FuzzTargets.all.map(\.name).joined(separator: " ")
    FileHandle.standardError.write(
      Data("usage: vigil-fuzz TARGET FILE|DIR... (targets: \(names)); --list\n".utf8))
    exit(2)
  }
  var count = 0
  for path in args.dropFirst() {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      FileHandle.standardError.write(Data("vigil-fuzz: no such file: \(path)\n".utf8))
      exit(2)
    }
    let files =
      isDir.boolValue
      ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map {
        path + "/" + $0
      } : [path]
    for file in files {
      guard let data = FileManager.default.contents(atPath: file) else { continue }
      target.run(Array(data))
      count += 1
    }
  }
  print("\(name): \(count) inputs, no crash")
#endif
