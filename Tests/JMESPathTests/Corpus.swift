import OrderedJSON

/// Hand-written cases: every grammar rule, every built-in function (with its type rules) and every
/// error kind of the specification, each compared with the reference implementation.
enum Corpus {
    static let people = #"{"people": [{"name": "b", "age": 30, "tags": ["x"]}, {"name": "a", "age": 25, "tags": []}, {"name": "c", "age": 35}], "owner": {"name": "o", "id": 7}}"#
    static let nested = #"{"a": {"b": {"c": [1, [2, 3], [[4]], {"d": 5}]}}, "e": [[1, 2], [3, [4, 5]], 6], "f": {"x": {"v": 1}, "y": {"v": 2}, "z": {"w": 3}}}"#
    static let numbers = #"{"n": [3, 1.5, -2, 10, 0], "s": ["b", "a", "C", "é", ""], "m": [1, "a"], "empty": [], "o": {"k": 1}, "t": true, "z": 0, "nul": null, "str": "hello"}"#

    static let entries: [(expression: String, document: String)] = [
        // Identifiers, quoted identifiers, sub-expressions.
        ("people", people), ("owner.name", people), ("owner.missing.deeper", people), ("\"owner\".\"name\"", people),
        ("\"with space\"", #"{"with space": 1}"#), ("\"\\u00e9\"", #"{"é": 2}"#), ("\"a\\\"b\"", #"{"a\"b": 3}"#),
        ("foo_bar2", #"{"foo_bar2": true}"#), ("a.b.c", nested), ("str.length", numbers),
        // Index and slices.
        ("people[0].name", people), ("people[-1].name", people), ("people[5]", people), ("a.b.c[1][0]", nested),
        ("n[1:3]", numbers), ("n[::-1]", numbers), ("n[::2]", numbers), ("n[-2:]", numbers), ("n[:-2]", numbers),
        ("n[10:]", numbers), ("n[-10:2]", numbers), ("n[3:1:-1]", numbers), ("n[::0]", numbers), ("str[0:2]", numbers),
        ("[0:1]", #"[1,2,3]"#), ("n[0][0]", numbers), ("e[0][1:2]", nested), ("e[1:][0]", nested),
        // Projections: list, slice, object, flatten, filter.
        ("people[*].name", people), ("people[*].tags[0]", people), ("people[:2].age", people), ("f.*.v", nested),
        ("f.*", nested), ("*.v", #"{"x": {"v": 1}, "y": {"v": 2}}"#), ("e[]", nested), ("e[][]", nested), ("e[0][]", nested),
        ("[]", #"[[1], 2, [[3]]]"#), ("people[].tags[]", people), ("people[?age > `26`].name", people),
        ("people[?tags].name", people), ("people[?!tags].name", people), ("people[?name == 'a' || age == `35`].name", people),
        ("people[?age >= `30` && name != 'c'] | [0]", people), ("[?@ > `1`]", #"[1, 2, 3]"#), ("people[?age > `26`]", people),
        ("people[*].age | [0]", people), ("people[*][name, age]", people), ("a[*]", #"{"a": {"b": 1}}"#),
        ("a.*", #"{"a": [1, 2]}"#), ("[*][0]", #"[[1, 2], [3]]"#), ("people[?age > `26`][]", people),
        // Pipes, multi-select list and hash.
        ("people | [0]", people), ("people[*].name | [1]", people), ("[owner.name, owner.id]", people),
        ("{n: owner.name, i: owner.id}", people), ("people[*].{n: name, t: tags}", people), ("owner.[name, id]", people),
        ("owner.{x: name}", people), ("nul.[a]", numbers), ("nul.{a: a}", numbers), ("{a: `1`, a: `2`}", "{}"),
        ("[`1`, @][1]", "5"),
        // Literals and raw strings.
        ("`\"lit\"`", "null"), ("`[1, {\"a\": 2}]`", "null"), ("`true`", "null"), ("`1.50`", "null"), ("`foo`", "null"),
        ("` spaced`", "null"), ("'raw'", "null"), ("'it\\'s'", "null"), ("'back\\\\slash'", "null"), ("`\"back\\`tick\"`", "null"),
        // Comparisons, and/or/not, current node.
        ("`1` == `1.0`", "null"), ("`1` == `true`", "null"), ("`[1]` == `[true]`", "null"), ("`{\"a\":1,\"b\":2}` == `{\"b\":2,\"a\":1}`", "null"),
        ("'a' < 'b'", "null"), ("`1` < `2`", "null"), ("`true` < `false`", "null"), ("`1` < 'a'", "null"), ("nul < `1`", numbers),
        ("z || 'x'", numbers), ("empty || 'x'", numbers), ("str && t", numbers), ("!z", numbers), ("!empty", numbers),
        ("!str", numbers), ("!nul", numbers), ("@", numbers), ("@.str", numbers), ("t == `true`", numbers),
        // Every function, with values of the types it takes and of one it does not.
        ("abs(`-3`)", "null"), ("abs(`-1.5`)", "null"), ("abs('x')", "null"),
        ("avg(n)", numbers), ("avg(empty)", numbers), ("avg(s)", numbers), ("avg(`[2, 2]`)", "null"),
        ("ceil(`1.2`)", "null"), ("ceil(`-1.2`)", "null"), ("ceil(`3`)", "null"), ("ceil('1')", "null"),
        ("contains(s, 'a')", numbers), ("contains(str, 'ell')", numbers), ("contains(str, `1`)", numbers), ("contains(`[1]`, `true`)", "null"), ("contains(o, 'k')", numbers),
        ("ends_with(str, 'lo')", numbers), ("ends_with(str, `1`)", numbers), ("starts_with(str, 'he')", numbers), ("starts_with(`1`, 'a')", numbers),
        ("floor(`1.8`)", "null"), ("floor(`-1.2`)", "null"), ("floor(`true`)", "null"),
        ("join(', ', s)", numbers), ("join(', ', m)", numbers), ("join(`1`, s)", numbers),
        ("keys(o)", numbers), ("keys(n)", numbers), ("values(o)", numbers), ("values(str)", numbers),
        ("length(str)", numbers), ("length(n)", numbers), ("length(o)", numbers), ("length(`1`)", numbers), ("length('é')", "null"),
        ("map(&age, people)", people), ("map(&tags[0], people)", people), ("map(age, people)", people), ("map(&age, owner)", people),
        ("max(n)", numbers), ("max(s)", numbers), ("max(m)", numbers), ("max(empty)", numbers), ("min(n)", numbers), ("min(s)", numbers), ("min(`[true]`)", "null"),
        ("max_by(people, &age).name", people), ("min_by(people, &name).name", people), ("max_by(people, &tags)", people), ("min_by(empty, &a)", numbers), ("max_by(people, 'age')", people),
        ("merge(o, `{\"k\": 2, \"j\": 3}`)", numbers), ("merge(`{}`)", "null"), ("merge(str, o)", numbers), ("merge()", "null"),
        ("not_null(nul, z, str)", numbers), ("not_null(nul)", numbers), ("not_null()", "null"),
        ("reverse(n)", numbers), ("reverse(str)", numbers), ("reverse(o)", numbers),
        ("sort(n)", numbers), ("sort(s)", numbers), ("sort(m)", numbers), ("sort(empty)", numbers),
        ("sort_by(people, &age)[*].name", people), ("sort_by(people, &name)[*].name", people), ("sort_by(people, &tags)", people), ("sort_by(empty, &a)", numbers), ("sort_by(`[{\"a\":1},{\"a\":\"x\"}]`, &a)", "null"),
        ("sum(n)", numbers), ("sum(empty)", numbers), ("sum(s)", numbers), ("sum(`[1, 2]`)", "null"),
        ("to_array(str)", numbers), ("to_array(n)", numbers), ("to_array(nul)", numbers),
        ("to_number('12')", "null"), ("to_number(' 1.5 ')", "null"), ("to_number('1e3')", "null"), ("to_number('x')", "null"), ("to_number(t)", numbers), ("to_number(`7`)", "null"), ("to_number('1_000')", "null"),
        ("to_string(o)", numbers), ("to_string(str)", numbers), ("to_string(`[1.50, \"é\"]`)", "null"), ("to_string(nul)", numbers),
        ("type(n)", numbers), ("type(str)", numbers), ("type(t)", numbers), ("type(nul)", numbers), ("type(o)", numbers), ("type(z)", numbers),
        ("length(people[?age > `26`])", people), ("sort(keys(@))", people), ("people[?contains(tags || `[]`, 'x')].name", people),
        // Every error kind: unknown function, arity, type, value, syntax.
        ("nope(@)", "null"), ("length()", "null"), ("length(`1`, `2`)", "null"), ("abs(`1`, `2`)", "null"), ("people[?nope(@)]", #"{"people": []}"#),
        ("", "null"), ("people[", people), ("people]", people), ("a.", "null"), (".a", "null"), ("a..b", "null"), ("[1", "null"),
        ("{a: b", "null"), ("{a b}", "null"), ("a[?b", "null"), ("`[1,`", "null"), ("'open", "null"), ("\"open", "null"), ("a = b", "null"),
        ("a # b", "null"), ("-", "null"), ("a[1:2:3:4]", "null"), ("a[x]", "null"), ("\"f\"(a)", "null"), ("@(a)", "null"), ("a || ", "null"),
        ("!", "null"), ("&a", "null"), ("a b", "null"), ("`\"\\x\"`", "null"), ("\"\\x\"", "null"), ("(a", "null"), ("foo[*]]", "null"),
    ]

    static var cases: [Case] {
        entries.map { Case(expression: $0.expression, document: try! JSONReader.parse($0.document)) }
    }
}
