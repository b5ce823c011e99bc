import OrderedJSON

/// `-o json` and `-o jsonc`: knack's `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`, and
/// Pygments' terminal colours over it.
enum AzJSON {
    static func render(_ value: JSONValue) -> String {
        JSONWriter.az.string(value.pythonNumbers) + "\n"
    }

    private static let reset = "\u{1B}[39;49;00m"

    /// Pygments' JSON lexer and terminal formatter: keys bright blue, strings yellow, numbers and
    /// keywords blue, punctuation plain, every whitespace run wrapped in white line by line.
    static func colour(_ json: String) -> String {
        let scalars = Array(json.unicodeScalars)
        var output = ""
        var index = 0
        func paint(_ code: String, _ range: Range<Int>) {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[range])
            output += "\u{1B}[\(code)m" + text + reset
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\n", "\t", "\r":
                var end = index
                while end < scalars.count, [" ", "\n", "\t", "\r"].contains(scalars[end]) { end += 1 }
                // Each line of the run is painted apart; the newline itself stays outside.
                var lineStart = index
                for position in index..<end where scalars[position] == "\n" {
                    paint("37", lineStart..<position)
                    output += "\n"
                    lineStart = position + 1
                }
                if lineStart < end { paint("37", lineStart..<end) }
                index = end
            case "\"":
                var end = index + 1
                while end < scalars.count, scalars[end] != "\"" {
                    end += scalars[end] == "\\" ? 2 : 1
                }
                end = min(end + 1, scalars.count)
                var after = end
                while after < scalars.count, [" ", "\n", "\t", "\r"].contains(scalars[after]) { after += 1 }
                paint(after < scalars.count && scalars[after] == ":" ? "94" : "33", index..<end)
                index = end
            case "{", "}", "[", "]", ",", ":":
                output.unicodeScalars.append(scalar)
                index += 1
            default:
                var end = index
                while end < scalars.count, !" \n\t\r{}[],:\"".unicodeScalars.contains(scalars[end]) { end += 1 }
                paint("34", index..<end)
                index = end
            }
        }
        return output
    }
}
