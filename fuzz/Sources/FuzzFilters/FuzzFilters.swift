import FuzzDriver
import PacketFilters

/// One libFuzzer input: text given to --filters. Whatever parses must also compile to an expression
/// and survive a round trip through the store's encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilters(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let filters = try? FilterList.parse(json: text) else { return 0 }
    _ = BPFExpression.make(for: filters, on: .any)
    do {
        try FilterList.validate(filters)
    } catch {
        fatalError("parsed filters fail validation: \(error)")
    }
    return 0
}

/// SwiftPM links an executable's entry point as `FuzzFilters_main`; hand control to libFuzzer's driver.
@_cdecl("FuzzFilters_main")
public func fuzzFiltersMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runLibFuzzer(argc, argv, fuzzFilters)
}
