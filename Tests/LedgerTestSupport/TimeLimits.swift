import Testing

extension Trait where Self == TimeLimitTrait {
    /// Every suite's bound on one test, or one case of a parameterised test: one that waits for
    /// what never comes is cancelled and fails here, named, instead of holding the whole run until
    /// CI's limit. The slowest (the synthetic year, the kills) take about three minutes.
    public static var bounded: Self { .timeLimit(.minutes(10)) }
}
