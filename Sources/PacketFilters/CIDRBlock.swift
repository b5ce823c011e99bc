/// An aligned block of addresses: the first `prefixLength` bits of `base` are fixed, the rest vary.
struct CIDRBlock<Address: FixedWidthInteger & UnsignedInteger>: Equatable {
    let base: Address
    let prefixLength: Int

    /// The mask of the varying bits (all ones for a /0 block).
    var hostMask: Address { Self.hostMask(hostBits: Address.bitWidth - prefixLength) }

    var last: Address { base | hostMask }

    static func hostMask(hostBits: Int) -> Address {
        hostBits >= Address.bitWidth ? Address.max : (Address(1) << hostBits) - 1
    }
}

extension ClosedRange where Bound: FixedWidthInteger & UnsignedInteger {
    /// The fewest CIDR blocks whose union is exactly this range, in address order.
    ///
    /// Greedy from the low end: each step takes the largest block that starts at the current
    /// address (so is aligned there) and does not pass the upper bound. This is optimal, and
    /// needs at most `2 * bitWidth - 2` blocks.
    var cidrBlocks: [CIDRBlock<Bound>] {
        var blocks: [CIDRBlock<Bound>] = []
        var start = lowerBound
        while true {
            var hostBits = start == 0 ? Bound.bitWidth : start.trailingZeroBitCount
            while CIDRBlock<Bound>.hostMask(hostBits: hostBits) > upperBound - start {
                hostBits -= 1
            }
            let block = CIDRBlock(base: start, prefixLength: Bound.bitWidth - hostBits)
            blocks.append(block)
            guard block.last < upperBound else { return blocks }
            start = block.last + 1
        }
    }
}

/// Sorts ranges and joins overlapping or adjacent ones, so equal sets have equal forms.
func mergedRanges<Bound: FixedWidthInteger>(_ ranges: [ClosedRange<Bound>]) -> [ClosedRange<Bound>] {
    var merged: [ClosedRange<Bound>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
        if let previous = merged.last,
           previous.upperBound == Bound.max || range.lowerBound <= previous.upperBound + 1 {
            merged[merged.count - 1] = previous.lowerBound...Swift.max(previous.upperBound, range.upperBound)
        } else {
            merged.append(range)
        }
    }
    return merged
}
