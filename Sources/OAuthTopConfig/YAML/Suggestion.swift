/// "Did you mean" for misspelt keys and values.
public enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    ///
    /// Compares case-insensitively with `-` and `_` treated alike; a candidate qualifies within an
    /// edit distance of a third of the word's length (at least 1, at most 3).
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let normalized = self.normalize(word)
        let limit = min(3, max(1, normalized.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = self.editDistance(normalized, self.normalize(candidate))
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    private static func normalize(_ word: String) -> [Character] {
        Array(word.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Levenshtein distance, with a transposition of neighbours counted as one edit.
    private static func editDistance(_ lhs: [Character], _ rhs: [Character]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var previousPrevious = [Int](repeating: 0, count: rhs.count + 1)
        var previous = Array(0...rhs.count)
        for i in 1...lhs.count {
            var current = [Int](repeating: 0, count: rhs.count + 1)
            current[0] = i
            for j in 1...rhs.count {
                let cost = lhs[i - 1] == rhs[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, lhs[i - 1] == rhs[j - 2], lhs[i - 2] == rhs[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            previousPrevious = previous
            previous = current
        }
        return previous[rhs.count]
    }
}
