/// A recursive-descent parser for rule expressions, with Prometheus's precedence and type rules.
///
/// Every error names the position and, where one token would have fitted, what was expected.
struct Parser {
    private let source: String
    private let tokens: [Token]
    private let aliases: MetricAliases
    private var position = 0
    /// How many sub-expressions enclose the one being parsed.
    private var depth = 0
    /// The deepest nesting accepted. Every nested sub-expression (parentheses, arguments, a unary sign)
    /// is parsed by recursion, so without a bound a rule file of deep parentheses would overflow the
    /// stack (found by FuzzRuleExpression); real rules nest a few levels.
    static let maximumDepth = 128

    init(_ source: String, aliases: MetricAliases = .none) throws(ExpressionError) {
        self.source = source
        self.aliases = aliases
        self.tokens = try Lexer(source).tokenize()
    }

    /// Parses the whole input as one expression.
    mutating func parseExpression() throws(ExpressionError) -> Node {
        if self.current.kind == .end {
            throw self.error("empty expression", expected: "an expression")
        }
        let node = try self.parseBinary(minimumPrecedence: 1)
        guard self.current.kind == .end else {
            throw self.error(
                "unexpected \(self.current.display) after a complete expression",
                expected: "an operator or end of expression")
        }
        return node
    }

    // MARK: - Binary operators

    private mutating func parseBinary(minimumPrecedence: Int) throws(ExpressionError) -> Node {
        var lhs = try self.parseUnary()
        while let op = self.binaryOperator(self.current), op.precedence >= minimumPrecedence {
            let operatorToken = self.advance()
            var returnsBool = false
            if self.current.kind == .identifier, self.current.text == "bool" {
                guard op.isComparison else {
                    throw self.error("bool modifier can only be used on comparison operators")
                }
                self.advance()
                returnsBool = true
            }
            let matching = try self.parseVectorMatching(op)
            let next = op.isRightAssociative ? op.precedence : op.precedence + 1
            let rhs = try self.parseBinary(minimumPrecedence: next)
            lhs = try self.makeBinary(op, lhs, rhs, matching: matching, returnsBool: returnsBool, at: operatorToken)
        }
        return lhs
    }

    private func binaryOperator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .symbol: BinaryOperator(rawValue: token.text).flatMap { $0.isSetOperator ? nil : $0 }
        case .identifier:
            switch token.text.lowercased() {
            case "and": .and
            case "or": .or
            case "unless": .unless
            default: nil
            }
        default: nil
        }
    }

    private mutating func parseVectorMatching(_ op: BinaryOperator) throws(ExpressionError) -> VectorMatching? {
        guard self.current.kind == .identifier else {
            return op.isSetOperator ? VectorMatching(cardinality: .manyToMany) : nil
        }
        var matching = VectorMatching(cardinality: op.isSetOperator ? .manyToMany : .oneToOne)
        var sawClause = false
        switch self.current.text.lowercased() {
        case "on", "ignoring":
            matching.on = self.current.text.lowercased() == "on"
            self.advance()
            matching.labels = try self.parseLabelList(after: matching.on ? "on" : "ignoring")
            sawClause = true
        default:
            break
        }
        if self.current.kind == .identifier, ["group_left", "group_right"].contains(self.current.text.lowercased()) {
            guard !op.isSetOperator else {
                throw self.error("no grouping allowed for \(op.rawValue) operation")
            }
            let left = self.current.text.lowercased() == "group_left"
            self.advance()
            matching.cardinality = left ? .manyToOne : .oneToMany
            if self.current.kind == .symbol, self.current.text == "(" {
                matching.include = try self.parseLabelList(after: left ? "group_left" : "group_right")
            }
            sawClause = true
        }
        if !sawClause, !op.isSetOperator {
            return nil
        }
        return matching
    }

    private mutating func makeBinary(
        _ op: BinaryOperator,
        _ lhs: Node,
        _ rhs: Node,
        matching: VectorMatching?,
        returnsBool: Bool,
        at token: Token
    ) throws(ExpressionError) -> Node {
        var lhs = lhs
        var rhs = rhs
        // `breaker_state == "open"` with a state-name table: the name becomes the number it stands for.
        if op.isComparison {
            if case .string(let name) = rhs, let table = self.stateTable(lhs) {
                rhs = .number(try self.stateValue(name, table, at: token))
            } else if case .string(let name) = lhs, let table = self.stateTable(rhs) {
                lhs = .number(try self.stateValue(name, table, at: token))
            }
        }
        for side in [lhs, rhs] where side.type != .scalar && side.type != .vector {
            if side.type == .string {
                throw self.error(
                    "\(op.rawValue): a string can only be compared with a metric that has state names "
                        + "(breaker_state == \"open\"); operands must be scalars or instant vectors",
                    at: token
                )
            }
            throw self.error(
                "binary expression must contain only scalar and instant vector types, found a range vector on "
                    + "one side of '\(op.rawValue)' (wrap it in a function such as rate())",
                at: token
            )
        }
        if op.isSetOperator, lhs.type == .scalar || rhs.type == .scalar {
            throw self.error("set operator \(op.rawValue) not allowed in binary scalar expression", at: token)
        }
        if op.isComparison, lhs.type == .scalar, rhs.type == .scalar, !returnsBool {
            throw self.error("comparisons between scalars must use bool modifier", at: token)
        }
        if let matching, !(lhs.type == .vector && rhs.type == .vector), !op.isSetOperator,
            !matching.labels.isEmpty || matching.on || matching.cardinality != .oneToOne
        {
            throw self.error("vector matching only allowed between instant vectors", at: token)
        }
        if let matching, matching.on || !matching.labels.isEmpty,
            matching.cardinality == .manyToOne
                || matching.cardinality == .oneToMany
        {
            for label in matching.include where matching.labels.contains(label) && matching.on {
                throw self.error("label \"\(label)\" must not occur in ON and GROUP clause at once", at: token)
            }
        }
        return .binary(op, lhs, rhs, matching: matching, returnsBool: returnsBool)
    }

    private func stateTable(_ node: Node) -> [String: Double]? {
        switch node {
        case .vectorSelector(let selector): selector.name.flatMap { self.aliases.stateNames(forMetric: $0) }
        case .parenthesis(let inner): self.stateTable(inner)
        default: nil
        }
    }

    private func stateValue(
        _ name: String, _ table: [String: Double], at token: Token
    ) throws(ExpressionError) -> Double {
        guard let value = table[name] else {
            let names = table.keys.sorted().joined(separator: ", ")
            throw self.error("unknown state \"\(name)\"; the states are \(names)", expected: names, at: token)
        }
        return value
    }

    // MARK: - Unary and primary expressions

    private mutating func parseUnary() throws(ExpressionError) -> Node {
        guard self.depth < Self.maximumDepth else {
            throw self.error("the expression is nested more than \(Self.maximumDepth) levels deep")
        }
        self.depth += 1
        defer { self.depth -= 1 }
        if self.current.kind == .symbol, self.current.text == "-" || self.current.text == "+" {
            let sign = self.advance()
            // Unary minus binds looser than `^`: -2^2 is -4.
            let operand = try self.parseBinary(minimumPrecedence: BinaryOperator.power.precedence)
            guard operand.type == .scalar || operand.type == .vector else {
                throw self.error(
                    "unary expression only allowed on expressions of type scalar or instant vector", at: sign)
            }
            if sign.text == "+" {
                return operand
            }
            if case .number(let value) = operand {
                return .number(-value)
            }
            return .negation(operand)
        }
        return try self.parsePostfix(self.parsePrimary())
    }

    /// `[range]` and `offset` after a primary expression.
    private mutating func parsePostfix(_ node: Node) throws(ExpressionError) -> Node {
        var node = node
        while self.current.kind == .symbol, self.current.text == "[" || self.current.text == "@" {
            if self.current.text == "@" {
                throw self.error("the @ modifier is not supported")
            }
            let open = self.advance()
            let range = try self.parseDuration(what: "range")
            guard range > 0 else {
                throw self.error("range must be greater than 0", at: open)
            }
            if self.current.kind == .symbol, self.current.text == ":" {
                // A subquery: `expr[range:step]`, the step optional.
                self.advance()
                var step: Int64?
                if !(self.current.kind == .symbol && self.current.text == "]") {
                    let value = try self.parseDuration(what: "subquery step")
                    guard value > 0 else {
                        throw self.error("subquery step must be greater than 0", at: open)
                    }
                    step = value
                }
                try self.expect("]", context: "to close the subquery")
                guard node.type == .vector else {
                    throw self.error(
                        "subquery is only allowed on instant vector, got \(node.type.rawValue)", at: open
                    )
                }
                node = .subquery(node, range: range, step: step, offset: 0)
                continue
            }
            try self.expect("]", context: "to close the range")
            guard case .vectorSelector(let selector) = node else {
                throw self.error(
                    "ranges are only allowed for vector selectors; for other expressions use a subquery, "
                        + "e.g. (expr)[5m:1m]",
                    at: open
                )
            }
            node = .matrixSelector(selector, range: range)
        }
        if self.current.kind == .identifier, self.current.text.lowercased() == "offset" {
            let keyword = self.advance()
            var negative = false
            if self.current.kind == .symbol, self.current.text == "-" {
                self.advance()
                negative = true
            }
            let offset = try self.parseDuration(what: "offset") * (negative ? -1 : 1)
            switch node {
            case .vectorSelector(var selector):
                selector.offset = offset
                node = .vectorSelector(selector)
            case .matrixSelector(var selector, let range):
                selector.offset = offset
                node = .matrixSelector(selector, range: range)
            case .subquery(let inner, let range, let step, _):
                node = .subquery(inner, range: range, step: step, offset: offset)
            default:
                throw self.error(
                    "offset modifier must be preceded by an instant vector selector or range vector selector",
                    at: keyword)
            }
        }
        return node
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Node {
        let token = self.current
        switch token.kind {
        case .number:
            self.advance()
            guard let value = Self.number(token.text) else {
                if PrometheusDuration.milliseconds(token.text) != nil {
                    throw self.error("a duration (\(token.text)) is only allowed in [range] or after offset", at: token)
                }
                throw self.error("invalid number \"\(token.text)\"", at: token)
            }
            return .number(value)
        case .string:
            self.advance()
            return .string(token.text)
        case .symbol where token.text == "(":
            self.advance()
            let inner = try self.parseBinary(minimumPrecedence: 1)
            try self.expect(")", context: "to close the parenthesis")
            return .parenthesis(inner)
        case .symbol where token.text == "{":
            return .vectorSelector(try self.parseSelector(name: nil, at: token))
        case .identifier:
            return try self.parseIdentifier()
        case .end:
            throw self.error("unexpected end of expression", expected: "an expression")
        case .symbol:
            throw self.error("unexpected \(token.display)", expected: "an expression")
        }
    }

    private mutating func parseIdentifier() throws(ExpressionError) -> Node {
        let token = self.advance()
        let lowered = token.text.lowercased()
        if lowered == "inf" || lowered == "nan" {
            return .number(lowered == "inf" ? .infinity : .nan)
        }
        if let op = AggregationOperator(rawValue: lowered), self.isAggregationStart {
            return try self.parseAggregation(op, at: token)
        }
        if self.current.kind == .symbol, self.current.text == "(" {
            guard let function = Function(rawValue: token.text) else {
                throw self.error("unknown function \"\(token.text)\"", at: token)
            }
            return try self.parseCall(function, at: token)
        }
        if ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"]
            .contains(lowered)
        {
            throw self.error("unexpected keyword '\(token.text)'", expected: "an expression", at: token)
        }
        return .vectorSelector(try self.parseSelector(name: token.text, at: token))
    }

    private var isAggregationStart: Bool {
        guard self.current.kind == .symbol || self.current.kind == .identifier else { return false }
        if self.current.kind == .symbol {
            return self.current.text == "("
        }
        return ["by", "without"].contains(self.current.text.lowercased())
    }

    private mutating func parseAggregation(_ op: AggregationOperator, at token: Token) throws(ExpressionError) -> Node {
        var grouping: [String] = []
        var without = false
        var sawGrouping = false
        if self.current.kind == .identifier {
            without = self.current.text.lowercased() == "without"
            let keyword = self.advance().text
            grouping = try self.parseLabelList(after: keyword)
            sawGrouping = true
        }
        try self.expect("(", context: "to open the arguments of \(op.rawValue)")
        var parameter: Node?
        if op.takesParameter {
            parameter = try self.parseBinary(minimumPrecedence: 1)
            try self.expect(",", context: "after the parameter of \(op.rawValue)")
        }
        let argumentToken = self.current
        let argument = try self.parseBinary(minimumPrecedence: 1)
        try self.expect(")", context: "to close the arguments of \(op.rawValue)")
        if !sawGrouping, self.current.kind == .identifier, ["by", "without"].contains(self.current.text.lowercased()) {
            without = self.current.text.lowercased() == "without"
            let keyword = self.advance().text
            grouping = try self.parseLabelList(after: keyword)
        }
        guard argument.type == .vector else {
            throw self.error(
                "expected type instant vector in aggregation expression, got \(argument.type.rawValue)",
                at: argumentToken
            )
        }
        if let parameter, parameter.type != .scalar {
            throw self.error("expected type scalar in aggregation parameter, got \(parameter.type.rawValue)", at: token)
        }
        return .aggregation(op, argument, parameter: parameter, grouping: grouping, without: without)
    }

    private mutating func parseCall(_ function: Function, at token: Token) throws(ExpressionError) -> Node {
        try self.expect("(", context: "to open the arguments of \(function.rawValue)")
        var arguments: [Node] = []
        var argumentTokens: [Token] = []
        if !(self.current.kind == .symbol && self.current.text == ")") {
            while true {
                argumentTokens.append(self.current)
                arguments.append(try self.parseBinary(minimumPrecedence: 1))
                if self.current.kind == .symbol, self.current.text == "," {
                    self.advance()
                    continue
                }
                break
            }
        }
        try self.expect(")", context: "to close the call of \(function.rawValue)")
        let types = function.argumentTypes
        guard arguments.count >= function.requiredArguments, arguments.count <= types.count || function.isVariadic
        else {
            let count =
                function.requiredArguments == types.count
                ? "\(types.count)" : "\(function.requiredArguments) to \(types.count)"
            throw self.error(
                "wrong number of arguments for function \(function.rawValue)(): expected \(count), "
                    + "got \(arguments.count)",
                at: token
            )
        }
        for (index, argument) in arguments.enumerated() {
            let expected = types[min(index, types.count - 1)]
            guard argument.type != expected else { continue }
            var hint = ""
            if expected == .matrix, argument.type == .vector {
                hint = " (add a range, e.g. [5m])"
            }
            throw self.error(
                "expected type \(expected.rawValue) in call to function \(function.rawValue)(), "
                    + "got \(argument.type.rawValue)\(hint)",
                expected: expected.rawValue,
                at: argumentTokens[index]
            )
        }
        if function == .labelReplace || function == .labelJoin {
            try self.checkLabelArguments(function, arguments, argumentTokens)
        }
        return .call(function, arguments)
    }

    /// `label_replace`/`label_join`: label names must be valid and the regex must compile.
    private func checkLabelArguments(
        _ function: Function,
        _ arguments: [Node],
        _ tokens: [Token]
    ) throws(ExpressionError) {
        for (index, argument) in arguments.enumerated() {
            guard case .string(let text) = Evaluator.unwrap(argument) else { continue }
            let isLabelName =
                (index == 1) || (function == .labelReplace && index == 3) || (function == .labelJoin && index >= 3)
            if isLabelName, !Labels.isValidLabelName(text) {
                throw self.error("invalid label name \"\(text)\" in \(function.rawValue)()", at: tokens[index])
            }
            if function == .labelReplace, index == 4 {
                do {
                    _ = try AnchoredRegex(text)
                } catch {
                    throw self.error("\(function.rawValue)(): \(error.description)", at: tokens[index])
                }
            }
        }
    }

    /// `name{matchers}` or `name` or `{matchers}`; `token` is the name (or the brace).
    private mutating func parseSelector(name: String?, at token: Token) throws(ExpressionError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var literalName = name
        if let name {
            matchers.append(try self.makeMatcher(Labels.metricNameLabel, .equal, name, at: token))
        }
        if self.current.kind == .symbol, self.current.text == "{" {
            self.advance()
            while !(self.current.kind == .symbol && self.current.text == "}") {
                let labelToken = self.current
                guard labelToken.kind == .identifier || labelToken.kind == .string, !labelToken.text.contains(":")
                else {
                    throw self.error("unexpected \(labelToken.display) in label matching", expected: "label name")
                }
                self.advance()
                guard self.current.kind == .symbol, let kind = LabelMatcher.Kind(rawValue: self.current.text) else {
                    throw self.error(
                        "unexpected \(self.current.display) in label matching",
                        expected: "one of '=', '!=', '=~', '!~'"
                    )
                }
                self.advance()
                guard self.current.kind == .string else {
                    throw self.error(
                        "unexpected \(self.current.display) in label matching", expected: "a quoted label value")
                }
                let value = self.advance().text
                if labelToken.text == Labels.metricNameLabel, kind == .equal {
                    if literalName != nil {
                        throw self.error("metric name must not be set twice", at: labelToken)
                    }
                    literalName = value
                }
                matchers.append(try self.makeMatcher(labelToken.text, kind, value, at: labelToken))
                if self.current.kind == .symbol, self.current.text == "," {
                    self.advance()
                    continue
                }
                guard self.current.kind == .symbol, self.current.text == "}" else {
                    throw self.error("unexpected \(self.current.display) in label matching", expected: "',' or '}'")
                }
            }
            self.advance()
        }
        guard literalName != nil || matchers.contains(where: { !$0.matchesEmpty }) else {
            throw self.error("vector selector must contain at least one non-empty matcher", at: token)
        }
        return VectorSelector(name: literalName, matchers: matchers)
    }

    private func makeMatcher(
        _ name: String,
        _ kind: LabelMatcher.Kind,
        _ value: String,
        at token: Token
    ) throws(ExpressionError) -> LabelMatcher {
        do {
            return try LabelMatcher(name: name, kind: kind, value: value)
        } catch {
            throw self.error(error.description, at: token)
        }
    }

    private mutating func parseLabelList(after keyword: String) throws(ExpressionError) -> [String] {
        try self.expect("(", context: "after \(keyword)")
        var labels: [String] = []
        while !(self.current.kind == .symbol && self.current.text == ")") {
            guard self.current.kind == .identifier || self.current.kind == .string else {
                throw self.error("unexpected \(self.current.display) in grouping opts", expected: "label name")
            }
            labels.append(self.advance().text)
            if self.current.kind == .symbol, self.current.text == "," {
                self.advance()
                continue
            }
            guard self.current.kind == .symbol, self.current.text == ")" else {
                throw self.error("unexpected \(self.current.display) in grouping opts", expected: "',' or ')'")
            }
        }
        self.advance()
        return labels
    }

    private mutating func parseDuration(what: String) throws(ExpressionError) -> Int64 {
        let token = self.current
        guard token.kind == .number || token.kind == .identifier,
            let value = PrometheusDuration.milliseconds(token.text)
        else {
            throw self.error("unexpected \(token.display) in \(what)", expected: "a duration such as 5m")
        }
        self.advance()
        return value
    }

    static func number(_ text: String) -> Double? {
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x"), let value = UInt64(lowered.dropFirst(2), radix: 16) {
            return Double(value)
        }
        guard let first = lowered.first, first.isNumber || first == "." else { return nil }
        return Double(text)
    }

    // MARK: - Tokens

    private var current: Token { self.tokens[self.position] }

    @discardableResult
    private mutating func advance() -> Token {
        let token = self.tokens[self.position]
        if self.position < self.tokens.count - 1 {
            self.position += 1
        }
        return token
    }

    private mutating func expect(_ symbol: String, context: String) throws(ExpressionError) {
        guard self.current.kind == .symbol, self.current.text == symbol else {
            throw self.error("expected '\(symbol)' \(context), found \(self.current.display)", expected: "'\(symbol)'")
        }
        self.advance()
    }

    private func error(_ message: String, expected: String? = nil, at token: Token? = nil) -> ExpressionError {
        ExpressionError(offset: (token ?? self.current).offset, message: message, expected: expected, in: self.source)
    }
}
