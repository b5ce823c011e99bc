import Foundation
import OrderedJSON
import Testing

@Suite("OrderedJSON")
struct OrderedJSONTests {
    @Test func readingKeepsOrderDuplicatesAndLiterals() throws {
        let value = try JSONReader.parse(#"{"b": 1.50, "a": [true, null, -0, 1e3], "b": "x\u00e9\ud83d\ude00"}"#)
        #expect(JSONWriter.compact.string(value) == #"{"b":1.50,"a":[true,null,-0,1e3],"b":"xé😀"}"#)
        #expect(value["b"] == "xé😀")
        #expect(JSONWriter.compact.string(value.collapsingDuplicateKeys()) == #"{"b":"xé😀","a":[true,null,-0,1e3]}"#)
    }

    @Test(arguments: [
        ("", "invalid JSON at line 1, column 1: expected a value, found the end of the text"),
        ("[1,]", "invalid JSON at line 1, column 4: expected a value"),
        ("01", "invalid JSON at line 1, column 2: a number cannot have a leading zero"),
        ("\"\t\"", "invalid JSON at line 1, column 2: control character in a string (write it as an escape)"),
        ("\"\\ud800\"", "invalid JSON at line 1, column 8: unpaired surrogate in a \\u escape"),
        ("[1] 2", "invalid JSON at line 1, column 5: unexpected text after the end of the JSON value"),
        ("{\"a\" 1}", "invalid JSON at line 1, column 6: expected ':' after a key"),
        ("NaN", "invalid JSON at line 1, column 1: expected a value"),
        ("\n  tru", "invalid JSON at line 2, column 3: expected a value"),
    ])
    func malformedTextIsRefusedWithItsPosition(_ text: String, _ message: String) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(text) }
        #expect(error?.description == message)
    }

    @Test func depthIsBoundedWithoutTrapping() {
        let deep = String(repeating: "[", count: 100_000)
        let error = #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(deep) }
        #expect(error?.problem == "nested more than 512 levels deep")
        #expect((try? JSONReader.parse(String(repeating: "[", count: 4) + String(repeating: "]", count: 4), maximumDepth: 4)) != nil)
        #expect((try? JSONReader.parse(String(repeating: "[", count: 5) + String(repeating: "]", count: 5), maximumDepth: 4)) == nil)
    }

    @Test func writingMatchesPythonsJSONModule() throws {
        let value = try JSONReader.parse(#"{"z": [], "a": {}, "é": "\u0001\"\\\/\b\f\n\r\t\u007f€😀", "n": [1, {"k": null}]}"#)
        #expect(JSONWriter.az.string(value) == "{\n  \"a\": {},\n  \"n\": [\n    1,\n    {\n      \"k\": null\n    }\n  ],\n  \"z\": [],\n  \"é\": \"\\u0001\\\"\\\\/\\b\\f\\n\\r\\t\u{7f}€😀\"\n}")
        #expect(JSONWriter(escapesNonASCII: true).string(.string("é😀\u{7f}")) == #""\u00e9\ud83d\ude00\u007f""#)
    }

    @Test func encodablesBecomeValuesWithSortedKeys() {
        struct Model: Encodable {
            var name = "x/y"
            var count: UInt64 = 18_446_744_073_709_551_615
            var ratio = 0.5
            var missing: String? = nil
            var tags = ["b", "a"]
        }
        #expect(JSONValue(encoding: Model()).description == #"{"count":18446744073709551615,"name":"x/y","ratio":0.5,"tags":["b","a"]}"#)
    }

    /// Doubles spelled as Python's `repr(float)` (what az and the JMESPath reference print), compared with
    /// python3 itself over random bit patterns and the boundary cases of its fixed/exponent switch.
    @Test func doublesAreSpelledAsPythonSpellsThem() throws {
        var state: UInt64 = 42
        var values: [Double] = [0, -0.0, 1, 0.1, 1.5, 100, 1e15, 1e16, 9_999_999_999_999_998, 1e-4, 0.00011, 1e-5, 123456789.125, 5e-324, 1.7976931348623157e308, 2.5e-7]
        while values.count < 3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let value = Double(bitPattern: state)
            if value.isFinite { values.append(value) }
            values.append(Double(Int64(truncatingIfNeeded: state >> 20)) / 1024)
        }
        let input = values.map { String($0.bitPattern) }.joined(separator: "\n") + "\n"
        let script = "import struct,sys\nfor line in sys.stdin: print(repr(struct.unpack('<d', struct.pack('<Q', int(line)))[0]))"
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe()
        python.standardInput = stdin
        python.standardOutput = stdout
        try python.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        let expected = output.split(separator: "\n").map(String.init)
        #expect(expected.count == values.count)
        let differing = zip(values, expected).filter { JSONNumber.literal($0) != $1 }
        #expect(differing.isEmpty, "\(differing.count) of \(values.count) differ, e.g. \(differing.prefix(5).map { "\($0.0): \(JSONNumber.literal($0.0)) vs \($0.1)" })")
        #expect(JSONNumber.canonical("1.50") == "1.5" && JSONNumber.canonical("-0") == "0" && JSONNumber.canonical("1E3") == "1000.0")
    }
}
