import Testing
import TestSupport
@testable import PacketFilters

@Suite("CIDR decomposition")
struct CIDRBlockTests {
    /// The blocks tile the range exactly: start at its start, end at its end, no gaps or
    /// overlaps, and every block is aligned to its own size.
    private func tilesExactly<Address>(_ blocks: [CIDRBlock<Address>], _ range: ClosedRange<Address>) -> Bool {
        guard blocks.first?.base == range.lowerBound, blocks.last?.last == range.upperBound,
              blocks.count <= max(1, 2 * Address.bitWidth - 2) else { return false }
        let contiguous = zip(blocks, blocks.dropFirst()).allSatisfy { block, next in
            block.last < Address.max && block.last + 1 == next.base
        }
        let aligned = blocks.allSatisfy { $0.base & $0.hostMask == 0 && (0...Address.bitWidth).contains($0.prefixLength) }
        return contiguous && aligned
    }

    /// The fewest aligned blocks covering `low...high` exactly, by dynamic programming over
    /// every start position: an independent check that the greedy answer is minimal.
    private func minimalBlockCount(_ low: Int, _ high: Int) -> Int {
        var fewest = [Int](repeating: Int.max, count: high + 2)
        fewest[high + 1] = 0
        for start in stride(from: high, through: low, by: -1) {
            var size = 1
            while start % size == 0 && start + size - 1 <= high && size <= 256 {
                if fewest[start + size] != Int.max {
                    fewest[start] = min(fewest[start], fewest[start + size] + 1)
                }
                size *= 2
            }
        }
        return fewest[low]
    }

    @Test func everyEightBitRangeIsExactAndMinimal() {
        var failures: [String] = []
        for low in 0...255 {
            for high in low...255 {
                let range = UInt8(low)...UInt8(high)
                let blocks = range.cidrBlocks
                if !tilesExactly(blocks, range) || blocks.count != minimalBlockCount(low, high) {
                    failures.append("\(low)-\(high)")
                }
            }
        }
        #expect(failures.isEmpty)
    }

    @Test func randomIPv4RangesTileExactly() {
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<3000 {
            let bounds = [UInt32.random(in: .min ... .max, using: &generator), UInt32.random(in: .min ... .max, using: &generator)]
            let range = (bounds.min() ?? 0)...(bounds.max() ?? 0)
            #expect(tilesExactly(range.cidrBlocks, range), "range \(range)")
        }
    }

    @Test func randomIPv6RangesTileExactly() {
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<1000 {
            let a = UInt128(generator.next()) << 64 | UInt128(generator.next())
            // Often a short range, so the low end of the address is exercised too.
            let b = Bool.random(using: &generator) ? a &+ UInt128(generator.next() % 5000) : UInt128(generator.next()) << 64
            let range = min(a, b)...max(a, b)
            #expect(tilesExactly(range.cidrBlocks, range), "range \(range)")
        }
    }

    @Test func extremesOfTheAddressSpace() {
        #expect((UInt32.min...UInt32.max).cidrBlocks == [CIDRBlock(base: 0, prefixLength: 0)])
        #expect((UInt128.min...UInt128.max).cidrBlocks == [CIDRBlock(base: 0, prefixLength: 0)])
        #expect((UInt32.max...UInt32.max).cidrBlocks == [CIDRBlock(base: UInt32.max, prefixLength: 32)])
        #expect((UInt32(1)...UInt32.max - 1).cidrBlocks.count == 62)
        #expect((UInt128(1)...UInt128.max - 1).cidrBlocks.count == 254)
        let top = (UInt32.max - 2)...UInt32.max
        #expect(top.cidrBlocks == [CIDRBlock(base: UInt32.max - 2, prefixLength: 32), CIDRBlock(base: UInt32.max - 1, prefixLength: 31)])
    }

    @Test func knownDecomposition() throws {
        let low = try #require(IPAddress.parseIPv4("10.0.0.1"))
        let high = try #require(IPAddress.parseIPv4("10.0.0.255"))
        let blocks = (low...high).cidrBlocks.map { "\(IPAddress.v4($0.base))/\($0.prefixLength)" }
        #expect(blocks == [
            "10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/29", "10.0.0.16/28",
            "10.0.0.32/27", "10.0.0.64/26", "10.0.0.128/25",
        ])
    }

    @Test func mergingRanges() {
        #expect(mergedRanges([5...9, 1...2, 3...3, 20...30, 25...26]) == [1...3, 5...9, 20...30])
        #expect(mergedRanges([UInt8(250)...255, 0...10, 11...249]) == [0...255])
        #expect(mergedRanges([UInt8(255)...255, 255...255]) == [255...255])
        #expect(mergedRanges([ClosedRange<UInt16>]()) == [])
    }
}
